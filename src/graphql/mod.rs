//! Schema assembly: the query root, the request-scoped dataloaders every request gets,
//! and the SDL that `schema.graphql` is generated from.

use std::collections::HashSet;

use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};

use crate::db::Databases;
use crate::departments::civil_affairs::AssistanceSource;
use crate::departments::education::SchoolingSource;
use crate::departments::hrss_social::SocialSource;
use crate::departments::hrss_training::{CertificateSource, SubsidySource, TrainingSource};
use crate::departments::poverty::PovertySource;
use crate::departments::trade_union::UnionSource;
use crate::departments::veterans::VeteranSource;
use crate::departments::{dataloader, Source, SourceDataLoader};
use crate::error::{ErrorCode, HubError};
use crate::id_number::IdNumber;

pub mod person;
pub mod scalars;

pub use person::Person;

pub type HubSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Limits the query root enforces itself (the rest are schema-level).
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    pub max_batch_ids: usize,
}

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// One person's archive by resident ID number; null when no department holds anything
    /// about that number.
    async fn person(
        &self,
        ctx: &Context<'_>,
        id_number: IdNumber,
    ) -> async_graphql::Result<Option<Person>> {
        let known = preload(ctx, std::slice::from_ref(&id_number)).await?;
        Ok(known
            .contains(&id_number)
            .then_some(Person { id: id_number }))
    }

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
        Ok(id_numbers
            .into_iter()
            .map(|id| known.contains(&id).then_some(Person { id }))
            .collect())
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
    let results = tokio::join!(
        known_in::<TrainingSource>(ctx, &unique),
        known_in::<CertificateSource>(ctx, &unique),
        known_in::<SubsidySource>(ctx, &unique),
        known_in::<SocialSource>(ctx, &unique),
        known_in::<SchoolingSource>(ctx, &unique),
        known_in::<AssistanceSource>(ctx, &unique),
        known_in::<VeteranSource>(ctx, &unique),
        known_in::<PovertySource>(ctx, &unique),
        known_in::<UnionSource>(ctx, &unique),
    );
    let all = [
        results.0, results.1, results.2, results.3, results.4, results.5, results.6, results.7,
        results.8,
    ];
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
    req.data(dataloader::<TrainingSource>(dbs, max_batch))
        .data(dataloader::<CertificateSource>(dbs, max_batch))
        .data(dataloader::<SubsidySource>(dbs, max_batch))
        .data(dataloader::<SocialSource>(dbs, max_batch))
        .data(dataloader::<SchoolingSource>(dbs, max_batch))
        .data(dataloader::<AssistanceSource>(dbs, max_batch))
        .data(dataloader::<VeteranSource>(dbs, max_batch))
        .data(dataloader::<PovertySource>(dbs, max_batch))
        .data(dataloader::<UnionSource>(dbs, max_batch))
}

/// Builds the executable schema. The same function gives the SDL for `schema.graphql`.
pub fn build_schema(limits: QueryLimits) -> HubSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(limits)
        .disable_suggestions()
        .finish()
}

/// The SDL of the schema, as checked into `schema.graphql`.
pub fn sdl() -> String {
    build_schema(QueryLimits {
        max_batch_ids: 1000,
    })
    .sdl()
}
