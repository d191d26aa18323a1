//! The remote backend: a department's own Federation subgraph over HTTP, read with
//! `_entities(representations: [{__typename: "Person", idNumber}])` — one call per batch,
//! the selection derived from the department's domain records type ([`selection`]).
//! Each read is bounded: per-attempt connect and request timeouts and a concurrency limit
//! (tower layers), retries with exponential backoff for these idempotent reads (backon),
//! an overall deadline, and a circuit breaker (failsafe). Anything else than a complete,
//! well-formed answer about exactly the persons asked is a failed read: the loader then
//! reports the department unavailable and the rest of the archive still comes back.

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use failsafe::backoff::Constant;
use failsafe::failure_policy::ConsecutiveFailures;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{DepartmentRecords, DepartmentSource, SourceError};
use crate::config::SourceConfig;
use crate::departments::Department;
use crate::domain::{Backend, PersonRecords, Section};
use crate::id_number::IdNumber;

mod http;
pub mod selection;

/// One department's records, decoded from its subgraph's answer for one person.
type Decode = fn(Value) -> Result<Arc<dyn Section>, serde_json::Error>;

/// The selection and decoder of every department (named in the registry).
macro_rules! subgraph_departments {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        /// The selection set the hub asks department `d`'s subgraph for.
        pub fn selection_for(d: Department) -> Result<String, String> {
            match d {
                $( Department::$variant => selection::of::<crate::domain::$module::Records>(), )*
            }
        }

        fn decoder(d: Department) -> Decode {
            match d {
                $( Department::$variant => decode::<crate::domain::$module::Records>, )*
            }
        }
    };
}

crate::departments!(subgraph_departments);

fn decode<T: PersonRecords>(v: Value) -> Result<Arc<dyn Section>, serde_json::Error> {
    Ok(Arc::new(serde_json::from_value::<T>(v)?))
}

/// The field on the subgraph's `Person` that carries department `d`'s records: its code
/// in camelCase (`veterans`, `civilAffairs`, `hrssTraining`).
pub fn person_field(d: Department) -> String {
    selection::camel_case(d.code())
}

/// The whole query the hub sends department `d`'s subgraph.
pub fn query_for(d: Department) -> Result<String, String> {
    Ok(format!(
        "query ArchiveHubRead($representations: [_Any!]!) {{ _entities(representations: $representations) {{ ... on Person {{ idNumber {} {} }} }} }}",
        person_field(d),
        selection_for(d)?
    ))
}

type Breaker = failsafe::StateMachine<ConsecutiveFailures<Constant>, ()>;

/// A department read through its Federation subgraph.
pub struct SubgraphSource {
    department: Department,
    system: String,
    query: String,
    field: String,
    decode: Decode,
    http: http::Http,
    breaker: Breaker,
    retry: ExponentialBuilder,
    deadline: Duration,
}

impl SubgraphSource {
    /// The source of department `d` as `[sources.<code>]` configures it.
    pub fn arc(d: Department, sc: &SourceConfig) -> Result<Arc<dyn DepartmentSource>, SourceError> {
        let g = &sc.subgraph;
        let query = query_for(d).map_err(SourceError::Query)?;
        let policy = failsafe::failure_policy::consecutive_failures(
            g.breaker_failures,
            failsafe::backoff::constant(Duration::from_millis(g.breaker_open_ms)),
        );
        let retry = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(g.retry_min_delay_ms))
            .with_max_delay(Duration::from_millis(g.retry_max_delay_ms))
            .with_max_times(g.retries)
            .with_jitter();
        Ok(Arc::new(Self {
            department: d,
            system: sc
                .system
                .clone()
                .unwrap_or_else(|| format!("{}-subgraph", d.code())),
            query,
            field: person_field(d),
            decode: decoder(d),
            http: http::Http::new(g)?,
            breaker: failsafe::Config::new().failure_policy(policy).build(),
            retry,
            deadline: Duration::from_millis(g.deadline_ms),
        }))
    }

    /// One attempt: the POST and the checks of its answer.
    async fn attempt(
        &self,
        body: &Value,
        ids: &[IdNumber],
    ) -> Result<DepartmentRecords, SourceError> {
        let answer = self.http.clone().oneshot(body.clone()).await?;
        self.records(answer, ids)
    }

    /// The records in a subgraph's answer, which must be about exactly `ids`, in order.
    fn records(
        &self,
        mut answer: Value,
        ids: &[IdNumber],
    ) -> Result<DepartmentRecords, SourceError> {
        if let Some(errors) = answer.get("errors").filter(|e| !e.is_null()) {
            let first = errors
                .get(0)
                .and_then(|e| e.get("message"))
                .and_then(Value::as_str)
                .unwrap_or("(no message)");
            return Err(SourceError::Graphql(crate::error::redact(first)));
        }
        let malformed = |what: &str| SourceError::Malformed(what.to_string());
        let as_of = answer
            .pointer("/extensions/asOf")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        let entities = match answer.pointer_mut("/data/_entities").map(Value::take) {
            Some(Value::Array(list)) => list,
            _ => return Err(malformed("no data._entities list")),
        };
        if entities.len() != ids.len() {
            return Err(malformed("_entities is not one entry per representation"));
        }
        let mut out = DepartmentRecords::new();
        for (id, entity) in ids.iter().zip(entities) {
            let section = match entity {
                // Federation's "no such entity": the department holds nothing on them.
                Value::Null => self.empty(),
                Value::Object(mut fields) => {
                    let same = fields
                        .get("idNumber")
                        .and_then(Value::as_str)
                        .and_then(|s| IdNumber::parse(s).ok())
                        .is_some_and(|got| got == *id);
                    if !same {
                        return Err(SourceError::Contract);
                    }
                    let records = fields
                        .remove(&self.field)
                        .filter(|v| !v.is_null())
                        .ok_or_else(|| malformed("an entity without the department's field"))?;
                    (self.decode)(records)
                        .map_err(|e| SourceError::Malformed(crate::error::redact(&e.to_string())))?
                }
                _ => return Err(malformed("an entity that is not an object")),
            };
            out.persons.insert(id.clone(), section);
        }
        out.as_of = as_of;
        Ok(out)
    }

    /// The department's records when it holds nothing.
    fn empty(&self) -> Arc<dyn Section> {
        crate::domain::empty_section(self.department)
    }
}

impl SourceError {
    /// Worth another attempt: the source may answer next time. A well-formed refusal
    /// (GraphQL errors, HTTP 4xx, malformed data) would be refused again.
    fn retryable(&self) -> bool {
        match self {
            SourceError::Unreachable(_) | SourceError::Timeout => true,
            SourceError::Status(s) => *s >= 500 || *s == 429,
            _ => false,
        }
    }
}

#[async_trait::async_trait]
impl DepartmentSource for SubgraphSource {
    fn department(&self) -> Department {
        self.department
    }

    fn backend(&self) -> Backend {
        Backend::Subgraph
    }

    fn system(&self) -> String {
        self.system.clone()
    }

    async fn fetch(&self, ids: &[IdNumber]) -> Result<DepartmentRecords, SourceError> {
        if ids.is_empty() {
            return Ok(DepartmentRecords::new());
        }
        if !self.breaker.is_call_permitted() {
            return Err(SourceError::CircuitOpen);
        }
        let representations: Vec<Value> = ids
            .iter()
            .map(|id| json!({ "__typename": "Person", "idNumber": id.as_str() }))
            .collect();
        let body = json!({
            "query": self.query,
            "operationName": "ArchiveHubRead",
            "variables": { "representations": representations },
        });
        let read = (|| self.attempt(&body, ids))
            .retry(self.retry)
            .when(SourceError::retryable)
            .notify(
                |e, after| tracing::warn!(error = %e, ?after, "subgraph read failed; retrying"),
            );
        let result = match tokio::time::timeout(self.deadline, read).await {
            Ok(r) => r,
            Err(_) => Err(SourceError::Timeout),
        };
        match &result {
            Ok(_) => self.breaker.on_success(),
            Err(_) => self.breaker.on_error(),
        }
        result
    }

    /// The real read for one number nobody holds, once, within the per-attempt bounds (no
    /// retries, no breaker: it reports the subgraph as it is now, its own database
    /// included).
    async fn ping(&self) -> Result<(), SourceError> {
        let body = json!({
            "query": self.query,
            "operationName": "ArchiveHubRead",
            "variables": { "representations": [{ "__typename": "Person", "idNumber": "000000000000000000" }] },
        });
        let answer = self.http.clone().oneshot(body).await?;
        let one = answer
            .pointer("/data/_entities")
            .and_then(Value::as_array)
            .is_some_and(|l| l.len() == 1);
        match answer.get("errors") {
            Some(e) if !e.is_null() => Err(SourceError::Graphql("ping refused".into())),
            _ if one => Ok(()),
            _ => Err(SourceError::Malformed("no data._entities".into())),
        }
    }
}
