//! Schema assembly: the query root, the request-scoped dataloaders every request gets,
//! and the SDL that `schema.graphql` is generated from.

use std::collections::HashSet;

use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};

use crate::db::Databases;
use crate::departments::{dataloader, Source, SourceDataLoader};
use crate::error::{ErrorCode, HubError};
use crate::id_number::IdNumber;

pub mod access_log;
pub mod person;
pub mod scalars;

pub use person::Person;

pub type HubSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Limits on queries: the batch size the query root enforces, and the schema-level limits
/// async-graphql checks during validation, before anything is executed.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    pub max_batch_ids: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_recursive_depth: usize,
    pub max_directives_per_field: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
}

impl QueryLimits {
    pub fn from_config(l: &crate::config::LimitsConfig) -> Self {
        Self {
            max_batch_ids: l.max_batch_ids,
            max_depth: l.max_depth,
            max_complexity: l.max_complexity,
            max_recursive_depth: l.max_recursive_depth,
            max_directives_per_field: l.max_directives_per_field,
            max_aliases: l.max_aliases,
            max_root_fields: l.max_root_fields,
        }
    }
}

pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// One person's archive by resident ID number; null when no department holds anything
    /// about that number.
    async fn person(
        &self,
        ctx: &Context<'_>,
        id_number: IdNumber,
    ) -> async_graphql::Result<Option<Person>> {
        let ids = std::slice::from_ref(&id_number);
        let known = preload(ctx, ids).await?;
        let admitted = crate::policy::enforce::subjects(ctx, ids, |id| subject_of(ctx, id)).await;
        Ok((admitted[0] && known.contains(&id_number)).then_some(Person { id: id_number }))
    }

    #[graphql(complexity = "id_numbers.len() * child_complexity")]
    /// Several persons at once (at most `limits.maxBatchIds`, 1,000 by default), answered in
    /// the order asked, null for unknown numbers. Every department is read once for the
    /// whole batch.
    async fn persons(
        &self,
        ctx: &Context<'_>,
        id_numbers: Vec<IdNumber>,
    ) -> async_graphql::Result<Vec<Option<Person>>> {
        let limit = ctx
            .data::<QueryLimits>()
            .map_err(|_| HubError::Internal)?
            .max_batch_ids;
        if id_numbers.len() > limit {
            return Err(HubError::LimitExceeded {
                what: "idNumbers",
                limit,
                got: id_numbers.len(),
            }
            .into());
        }
        let known = preload(ctx, &id_numbers).await?;
        let admitted =
            crate::policy::enforce::subjects(ctx, &id_numbers, |id| subject_of(ctx, id)).await;
        Ok(id_numbers
            .into_iter()
            .zip(admitted)
            .map(|(id, ok)| (ok && known.contains(&id)).then_some(Person { id }))
            .collect())
    }

    /// Who accessed this person's data, when, for what purpose, which fields and with what
    /// decision (auditor consumers only), newest first.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        id_number: IdNumber,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<crate::graphql::access_log::AccessLogEntry>> {
        crate::graphql::access_log::for_subject(ctx, &subject_of(ctx, &id_number), limit).await
    }

    /// Who accessed the data of the person this citizen-portal consumer is bound to.
    async fn my_access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<crate::graphql::access_log::AccessLogEntry>> {
        let subject = ctx
            .data_opt::<std::sync::Arc<crate::policy::enforce::Access>>()
            .and_then(|a| a.consumer.bound_subject.clone())
            .ok_or(HubError::Internal)?;
        crate::graphql::access_log::for_subject(ctx, &subject, limit).await
    }

    /// The closed set of `extensions.code` values errors carry (for client code generation).
    async fn error_codes(&self) -> Vec<ErrorCode> {
        vec![
            ErrorCode::InvalidIdNumber,
            ErrorCode::BadUserInput,
            ErrorCode::BadRequest,
            ErrorCode::GraphqlParseFailed,
            ErrorCode::GraphqlValidationFailed,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::SourceUnavailable,
            ErrorCode::LimitExceeded,
            ErrorCode::AuditUnavailable,
            ErrorCode::Internal,
        ]
    }
}

/// The audit subject (keyed hash) of an ID number; empty when no audit key is configured,
/// which binds nothing.
fn subject_of(ctx: &Context<'_>, id: &IdNumber) -> String {
    ctx.data_opt::<crate::audit::AuditLog>()
        .map(|a| a.subject(id.as_str()))
        .unwrap_or_default()
}

/// Loads every source for the whole batch at once — one statement per source — and
/// returns the IDs some department knows. The dataloaders cache the results, so the
/// sections resolved afterwards cost no further statement.
///
/// A source that fails cannot rule a person out, so its failure counts as "maybe known";
/// the section then reports `SOURCE_UNAVAILABLE` itself.
async fn preload(ctx: &Context<'_>, ids: &[IdNumber]) -> async_graphql::Result<HashSet<IdNumber>> {
    let unique: Vec<IdNumber> = {
        let mut seen = HashSet::with_capacity(ids.len());
        ids.iter().filter(|id| seen.insert(*id)).cloned().collect()
    };
    macro_rules! known_in_all {
        ($($s:ty),*) => {
            futures::future::join_all([$(
                Box::pin(known_in::<$s>(ctx, &unique))
                    as std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send + '_>>
            ),*])
        };
    }
    let all = crate::all_sources!(known_in_all).await;
    let mut known = HashSet::new();
    for r in all {
        match r? {
            Some(ids) => known.extend(ids),
            None => return Ok(unique.into_iter().collect()),
        }
    }
    Ok(known)
}

/// IDs with at least one record in source `S`; `None` when the source failed.
async fn known_in<S: Source>(
    ctx: &Context<'_>,
    ids: &[IdNumber],
) -> async_graphql::Result<Option<Vec<IdNumber>>> {
    let loader = ctx
        .data::<SourceDataLoader<S>>()
        .map_err(|_| HubError::Internal)?;
    Ok(loader.load_many(ids.iter().cloned()).await.ok().map(|m| {
        m.into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k)
            .collect()
    }))
}

/// Adds this request's dataloaders (one per source) to a GraphQL request.
pub fn with_loaders(
    req: async_graphql::Request,
    dbs: &Databases,
    max_batch: usize,
) -> async_graphql::Request {
    macro_rules! attach {
        ($($s:ty),*) => { req $(.data(dataloader::<$s>(dbs, max_batch)))* };
    }
    crate::all_sources!(attach)
}

/// Builds the executable schema. The same function gives the SDL for `schema.graphql`.
pub fn build_schema(limits: QueryLimits) -> HubSchema {
    use crate::policy::enforce::{PolicyExtension, ShapeLimitExtension, ShapeLimits};
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(limits)
        .extension(ShapeLimitExtension(ShapeLimits {
            max_aliases: limits.max_aliases,
            max_root_fields: limits.max_root_fields,
        }))
        .extension(PolicyExtension)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits.max_recursive_depth)
        .limit_directives(limits.max_directives_per_field)
        .disable_suggestions()
        .finish()
}

/// The SDL of the schema, as checked into `schema.graphql`.
pub fn sdl() -> String {
    build_schema(QueryLimits::from_config(
        &crate::config::LimitsConfig::default(),
    ))
    .sdl()
}
