//! `Spread<T>`: a list field whose items are resolved on several threads when the list
//! is long. Answering a batch of a thousand persons is CPU work (every field resolved,
//! decided by the policy extension and built into the response), which async-graphql
//! does in one future — on one core. Each item still goes through the same extensions,
//! at its own index, exactly as a plain list's would.

use std::borrow::Cow;
use std::sync::OnceLock;

use async_graphql::extensions::ResolveInfo;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use tokio::runtime::{Handle, RuntimeFlavor};
use tracing::Instrument;

use crate::error::HubError;

/// Items below which a list is resolved on the current worker alone: a thread costs
/// tens of microseconds, an item (a person's archive) about a hundred.
const MIN_ITEMS_PER_THREAD: usize = 64;

/// At most this many threads per list.
const MAX_THREADS: usize = 4;

/// A list resolved like `Vec<T>` (same GraphQL type), spread over the machine's cores.
pub struct Spread<T>(pub Vec<T>);

impl<T: OutputType> OutputType for Spread<T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let items = self.0.as_slice();
        let threads = threads_for(items.len());
        if threads <= 1 {
            return Ok(Value::List(resolve_items(ctx, field, items, 0).await?));
        }
        let handle = Handle::current();
        let span = tracing::Span::current();
        let chunk = items.len().div_ceil(threads);
        // The worker blocks here (tokio hands its other tasks to another thread) while
        // the chunks run: the first on this thread, the rest on scoped threads, each
        // driving its futures with the runtime's handle (I/O and timers keep working).
        let parts: Vec<ServerResult<Vec<Value>>> = tokio::task::block_in_place(|| {
            std::thread::scope(|s| {
                let others: Vec<_> = items
                    .chunks(chunk)
                    .enumerate()
                    .skip(1)
                    .map(|(k, part)| {
                        let (handle, span) = (handle.clone(), span.clone());
                        s.spawn(move || {
                            handle.block_on(
                                resolve_items(ctx, field, part, k * chunk).instrument(span),
                            )
                        })
                    })
                    .collect();
                let first = handle.block_on(
                    resolve_items(ctx, field, &items[..chunk], 0).instrument(span.clone()),
                );
                std::iter::once(first)
                    .chain(others.into_iter().map(|t| {
                        t.join().unwrap_or_else(|_| {
                            tracing::error!("a thread resolving part of a list panicked");
                            Err(HubError::Internal.into_server_error(Vec::new()))
                        })
                    }))
                    .collect()
            })
        });
        let mut values = Vec::with_capacity(items.len());
        for part in parts {
            values.extend(part?);
        }
        Ok(Value::List(values))
    }
}

/// How many threads resolve a list of `len` items: one on a single-threaded runtime
/// (where a worker cannot block), else one per `MIN_ITEMS_PER_THREAD` items, up to the
/// cores available and `MAX_THREADS`.
fn threads_for(len: usize) -> usize {
    let multi =
        Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if !multi {
        return 1;
    }
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    (len / MIN_ITEMS_PER_THREAD).clamp(1, cores.min(MAX_THREADS))
}

/// `items` resolved as async-graphql resolves a list's items (`resolve_list`), the
/// first at index `offset`: each through the extensions, concurrently, in order.
async fn resolve_items<T: OutputType>(
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
    items: &[T],
    offset: usize,
) -> ServerResult<Vec<Value>> {
    let parent_type = Vec::<T>::type_name();
    let return_type = T::qualified_type_name();
    let (parent_type, return_type) = (parent_type.as_ref(), return_type.as_str());
    let futures = items.iter().enumerate().map(|(i, item)| {
        let ctx = ctx.clone();
        async move {
            let ctx_idx = ctx.with_index(offset + i);
            let resolve = async {
                OutputType::resolve(item, &ctx_idx, field)
                    .await
                    .map(Some)
                    .map_err(|e| ctx_idx.set_error_path(e))
            };
            let Some(path_node) = ctx_idx.path_node.as_ref() else {
                return Err(HubError::Internal.into_server_error(Vec::new()));
            };
            let info = ResolveInfo {
                path_node,
                parent_type,
                return_type,
                name: field.node.name.node.as_str(),
                alias: field.node.alias.as_ref().map(|a| a.node.as_str()),
                // Only root fields of the query are spread: never introspection.
                is_for_introspection: false,
                field: &field.node,
            };
            // (With no extension, the chain just runs the resolver.)
            let mut resolve = std::pin::pin!(resolve);
            let value = ctx.query_env.extensions.resolve(info, &mut resolve).await?;
            // A list item always has a value (null included); none is a bug, refused.
            value.ok_or_else(|| {
                tracing::error!("a list item resolved to no value");
                HubError::Internal.into_server_error(Vec::new())
            })
        }
    });
    futures::future::try_join_all(futures).await
}
