//! Schema assembly: the query root, the request data every request gets (archive loader,
//! request time, limits), and the SDL that `schema.graphql` is generated from.

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, Object, Schema};
use chrono::NaiveDate;

use crate::clock::RequestTime;
use crate::error::{ErrorCode, HubError};
use crate::id_number::IdNumber;
use crate::policy::enforce::admit;
use crate::sources::{ArchiveDataLoader, ArchiveLoader, Sources};

pub mod access_log;
pub mod convert;
pub mod departments;
pub mod documents;
pub mod federation;
pub mod limits;
pub mod person;
pub mod provenance;
pub mod reports;
pub mod scalars;
pub mod screening;
pub mod view;

pub use limits::{QueryLimits, TypeMap};
pub use person::Person;
use scalars::IdNumberList;

pub type HubSchema = Schema<QueryRoot, reports::MutationRoot, EmptySubscription>;

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
        let archive = loader(ctx)?.load_one(id_number).await?;
        Ok(archive.and_then(|a| {
            let admitted = admit(ctx, &a, None);
            (admitted && a.maybe_known()).then(|| Person::new(a))
        }))
    }

    /// Several persons at once (at most `limits.maxBatchIds`, 1,000 by default), answered in
    /// the order asked, null for unknown numbers. Every department is read once for the
    /// whole batch.
    async fn persons(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "idNumbers")] id_numbers: IdNumberList,
    ) -> async_graphql::Result<Vec<Option<Person>>> {
        check_batch(ctx, "idNumbers", id_numbers.0.len())?;
        let ids = id_numbers
            .0
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.map_err(|error| HubError::InvalidIdNumber {
                    error,
                    index: Some(i),
                })
            })
            .collect::<Result<Vec<IdNumber>, HubError>>()?;
        admitted_persons(ctx, &ids).await
    }

    /// Federation: the persons named by `representations` (`{__typename: "Person",
    /// idNumber}`), answered as `persons` answers them — same admission, policy, audit and
    /// batching, at most `limits.maxBatchIds` at once.
    #[graphql(name = "_entities")]
    async fn entities(
        &self,
        ctx: &Context<'_>,
        representations: Vec<async_graphql::Any>,
    ) -> async_graphql::Result<Vec<Option<federation::Entity>>> {
        federation::entities(ctx, representations).await
    }

    /// Federation: this subgraph's SDL, as the calling consumer is shown the schema.
    #[graphql(name = "_service")]
    async fn service(&self, ctx: &Context<'_>) -> federation::Service {
        federation::service(ctx)
    }

    /// Checks a subsidy before it is paid: every rule a claim of its kind needs, run as if
    /// it had been paid; `allowed` only with no violation and every needed rule judged and
    /// visible to this consumer. Writes nothing but the access's audit event.
    async fn check_claim(
        &self,
        ctx: &Context<'_>,
        claim: screening::ClaimInput,
    ) -> async_graphql::Result<screening::ClaimCheck> {
        let archive = loader(ctx)?
            .load_one(claim.id_number.clone())
            .await?
            .ok_or(HubError::Internal)?;
        if !admit(ctx, &archive, None) {
            return Ok(screening::refused(&claim));
        }
        Ok(screening::check(ctx, &archive, &claim)?)
    }

    /// The population report (监督检查): one row per flag of the latest screening run
    /// (`archive-hub screen`), filtered by rule, region prefix (the ID's region or a paying
    /// county) and year; only under the purpose `screening_supervision` with a grant on
    /// it, only the rules and regions the consumer may see; every listed person is an
    /// access in the audit trail. Pages of at most 500 rows, `after` a page's `endCursor`.
    #[graphql(directive = crate::policy::catalog::share::apply(
        crate::departments::Department::HrssTraining,
        crate::policy::catalog::SharingClass::Conditional,
        true,
        crate::policy::mask::MaskKind::None,
    ))]
    async fn screening_report(
        &self,
        ctx: &Context<'_>,
        rule: Option<screening::Rule>,
        region: Option<String>,
        year: Option<i32>,
        first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<screening::ScreeningReport> {
        screening::report(ctx, rule, region, year, first, after).await
    }

    /// Who accessed this person's data, when, for what purpose, which fields and with what
    /// decision (auditor consumers only), newest first.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        id_number: IdNumber,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<access_log::AccessLogEntry>> {
        let audit = ctx
            .data_opt::<crate::audit::AuditLog>()
            .ok_or(HubError::AuditUnavailable)?;
        access_log::for_subject(ctx, &audit.subject(id_number.as_str()), limit).await
    }

    /// Who accessed the data of the person this citizen-portal consumer is bound to.
    async fn my_access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<access_log::AccessLogEntry>> {
        let subject = ctx
            .data_opt::<Arc<crate::policy::enforce::Access>>()
            .and_then(|a| a.consumer.bound_subject.clone())
            .ok_or(HubError::Internal)?;
        access_log::for_subject(ctx, &subject, limit).await
    }

    /// The closed set of `extensions.code` values errors carry (for client code generation).
    async fn error_codes(&self) -> Vec<ErrorCode> {
        ErrorCode::all()
    }
}

/// Refuses a batch of more than `limits.maxBatchIds` persons (`what`: the argument).
fn check_batch(ctx: &Context<'_>, what: &'static str, got: usize) -> Result<(), HubError> {
    let limit = ctx
        .data::<QueryLimits>()
        .map_err(|_| HubError::Internal)?
        .max_batch_ids;
    if got > limit {
        return Err(HubError::LimitExceeded { what, limit, got });
    }
    Ok(())
}

/// The persons `ids` name, in order, read in one batch: each admitted at its index of
/// this field's path, null when unknown to every department or not admitted.
async fn admitted_persons(
    ctx: &Context<'_>,
    ids: &[IdNumber],
) -> async_graphql::Result<Vec<Option<Person>>> {
    let archives = loader(ctx)?.load_many(ids.iter().cloned()).await?;
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let a = archives.get(id)?;
            let admitted = admit(ctx, a, Some(i));
            (admitted && a.maybe_known()).then(|| Person::new(a.clone()))
        })
        .collect())
}

/// The request's archive loader.
fn loader<'a>(ctx: &'a Context<'_>) -> Result<&'a ArchiveDataLoader, HubError> {
    ctx.data::<ArchiveDataLoader>()
        .map_err(|_| HubError::Internal)
}

/// The request's date in China Standard Time: every "today" default.
pub fn today(ctx: &Context<'_>) -> Result<NaiveDate, HubError> {
    ctx.data_opt::<RequestTime>()
        .map(RequestTime::today)
        .ok_or(HubError::Internal)
}

/// The date asked for, or the request's date (China Standard Time) when none is given.
pub fn day_or_today(ctx: &Context<'_>, on: Option<scalars::Date>) -> Result<NaiveDate, HubError> {
    match on {
        Some(d) => Ok(d.0),
        None => today(ctx),
    }
}

/// The hub's own database (the screening report reads the stored runs from it).
#[derive(Clone)]
pub struct HubDb(pub sea_orm::DatabaseConnection);

/// Adds what every request reads: its archive loader (batching under `gate`, which must
/// wrap the request's execution) and its time.
pub fn with_request_data(
    req: async_graphql::Request,
    sources: &Sources,
    max_batch: usize,
    time: RequestTime,
    gate: &crate::sources::gate::PollGate,
) -> async_graphql::Request {
    req.data(ArchiveLoader::per_request(sources.clone(), max_batch, gate))
        .data(time)
}

/// Builds the executable schema. The same function gives the SDL for `schema.graphql`.
/// Shape limits are checked before execution ([`limits::check`]); the engine's own
/// recursion check is kept at the same bound as a second line.
pub fn build_schema(limits: QueryLimits) -> HubSchema {
    Schema::build(QueryRoot, reports::MutationRoot, EmptySubscription)
        .data(limits)
        .extension(crate::policy::enforce::PolicyExtension)
        .limit_recursive_depth(limits.max_recursive_depth)
        .disable_suggestions()
        .directive(view::ConsumerView)
        .finish()
}

/// The subgraph SDL (Apollo Federation v2), as checked into `schema.graphql`.
pub fn sdl() -> String {
    federation::subgraph_sdl().to_string()
}
