//! The per-request archive loader: every reader of person data (the `Person` sections,
//! admission, screening, `_entities`) goes through it, so a request reads each department
//! once per batch of ID numbers, whoever asks.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use tracing::Instrument;

use super::gate::PollGate;
use super::{DepartmentRecords, SourceError, Sources};
use crate::departments::{Department, DeptMap};
use crate::domain::{Archive, Provenance, Section, Unavailable};
use crate::id_number::IdNumber;

/// Loads whole archives: one `fetch` per department for the whole batch, concurrently.
pub struct ArchiveLoader {
    sources: Sources,
}

/// The request-scoped loader, caching each person's archive for the request.
pub type ArchiveDataLoader = DataLoader<ArchiveLoader, HashMapCache>;

impl ArchiveLoader {
    pub fn new(sources: Sources) -> Self {
        Self { sources }
    }

    /// A fresh request-scoped loader; batches are cut at `max_batch` IDs and read once
    /// the request's future is between polls ([`PollGate`]), not after a timer.
    pub fn per_request(sources: Sources, max_batch: usize, gate: &PollGate) -> ArchiveDataLoader {
        gate.loader(Self::new(sources), max_batch)
    }

    /// The archives of `ids`, every department read once.
    pub async fn load_archives(&self, ids: &[IdNumber]) -> HashMap<IdNumber, Arc<Archive>> {
        self.load_departments(ids, Department::ALL).await
    }

    /// The records of `departments` only (each read once, concurrently), per ID: what a
    /// caller that needs a few departments for some persons reads. A department not
    /// asked for is absent from the map.
    pub async fn load_sections(
        &self,
        ids: &[IdNumber],
        departments: &[Department],
    ) -> Vec<(Department, Result<DepartmentRecords, Unavailable>)> {
        if ids.is_empty() {
            return Vec::new();
        }
        let reads = self
            .sources
            .iter()
            .filter(|(d, _)| departments.contains(d))
            .map(|(d, source)| read(d, source.clone(), ids));
        // Polled together, in one task: the reads of departments that share a database
        // go out as one statement.
        super::sql::round_trip::together(futures::future::join_all(reads)).await
    }

    async fn load_departments(
        &self,
        ids: &[IdNumber],
        departments: &[Department],
    ) -> HashMap<IdNumber, Arc<Archive>> {
        let results = self.load_sections(ids, departments).await;
        let Some(by_dept) = DeptMap::try_from_pairs(results) else {
            // Unreachable by construction (one read per registered department); refuse
            // rather than serve a partial archive as complete.
            tracing::error!("archive loader lost a department");
            return HashMap::new();
        };
        let provenance = by_dept.map(|_, r| r.as_ref().ok().and_then(|r| r.provenance.clone()));
        ids.iter()
            .map(|id| {
                let sections = DeptMap::from_fn(|d| match by_dept.get(d) {
                    // `get`, not `remove`: an ID asked twice gets the same records twice.
                    Ok(records) => records.get(id).cloned().ok_or(Unavailable(d)),
                    Err(e) => Err(*e),
                });
                let archive =
                    Archive::new(id.clone(), sections).with_provenance(provenance.clone());
                (id.clone(), Arc::new(archive))
            })
            .collect()
    }
}

/// One department's read for a batch, checked against the source contract, traced and
/// counted.
async fn read(
    d: Department,
    source: Arc<dyn super::DepartmentSource>,
    ids: &[IdNumber],
) -> (Department, Result<DepartmentRecords, Unavailable>) {
    let span = tracing::info_span!(
        "source",
        department = d.code(),
        ids = ids.len(),
        rows = tracing::field::Empty,
    );
    let start = std::time::Instant::now();
    let result = source.fetch(ids).instrument(span.clone()).await;
    let result = result.and_then(|r| check(d, ids, r)).map(|mut r| {
        r.provenance = Some(Arc::new(Provenance {
            department: d,
            source_system: source.system(),
            backend: source.backend(),
            read_at: chrono::Utc::now(),
            as_of: r.as_of,
        }));
        r
    });
    let dept = d.code();
    metrics::histogram!("archive_hub_source_duration_seconds", "department" => dept)
        .record(start.elapsed().as_secs_f64());
    match &result {
        Ok(r) => {
            let rows = r.persons.values().map(|s| s.len()).sum::<usize>();
            span.record("rows", rows);
            metrics::counter!("archive_hub_source_calls_total", "department" => dept, "outcome" => "ok").increment(1);
            metrics::counter!("archive_hub_source_rows_total", "department" => dept)
                .increment(rows as u64);
        }
        Err(e) => {
            span.in_scope(|| tracing::error!(error = %e, "source failed"));
            metrics::counter!("archive_hub_source_calls_total", "department" => dept, "outcome" => "error").increment(1);
        }
    }
    (d, result.map_err(|_| Unavailable(d)))
}

/// A source's answer must cover every ID asked, with that department's records.
fn check(
    d: Department,
    ids: &[IdNumber],
    records: DepartmentRecords,
) -> Result<DepartmentRecords, SourceError> {
    let complete = ids.iter().all(|id| records.persons.contains_key(id));
    let own = records
        .persons
        .values()
        .all(|s: &Arc<dyn Section>| s.department() == d);
    if complete && own {
        Ok(records)
    } else {
        Err(SourceError::Contract)
    }
}

impl Loader<IdNumber> for ArchiveLoader {
    type Value = Arc<Archive>;
    /// Department failures live inside the archive; loading itself cannot fail.
    type Error = std::convert::Infallible;

    async fn load(&self, keys: &[IdNumber]) -> Result<HashMap<IdNumber, Self::Value>, Self::Error> {
        Ok(self.load_archives(keys).await)
    }
}
