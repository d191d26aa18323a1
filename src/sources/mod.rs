//! Where department records come from: the one [`DepartmentSource`] trait with its two
//! backends (SQL, and the department's own Federation subgraph), the set of sources a hub
//! reads, and the per-request archive loader that batches every read into one call per
//! department.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::departments::{Department, DeptMap};
use crate::domain::{Backend, Provenance, Section};
use crate::id_number::IdNumber;

pub mod cache;
pub mod gate;
pub mod loader;
pub mod sql;
pub mod subgraph;

pub use loader::{ArchiveDataLoader, ArchiveLoader};

/// One department's records for a batch of persons. A source answers for **every** ID it
/// was asked about, with an empty section where it holds nothing: a missing ID is a
/// broken source, and its section is then reported unavailable.
#[derive(Debug, Default)]
pub struct DepartmentRecords {
    pub persons: HashMap<IdNumber, Arc<dyn Section>>,
    /// The source's own as-of time for this answer, when it sends one.
    pub as_of: Option<DateTime<Utc>>,
    /// Set by the loader once the answer passed the source contract.
    pub provenance: Option<Arc<Provenance>>,
}

impl DepartmentRecords {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, id: &IdNumber) -> Option<&Arc<dyn Section>> {
        self.persons.get(id)
    }
}

impl FromIterator<(IdNumber, Arc<dyn Section>)> for DepartmentRecords {
    fn from_iter<I: IntoIterator<Item = (IdNumber, Arc<dyn Section>)>>(iter: I) -> Self {
        Self {
            persons: iter.into_iter().collect(),
            ..Self::default()
        }
    }
}

/// A department's published data about persons, read by ID number in batches.
#[async_trait::async_trait]
pub trait DepartmentSource: Send + Sync + 'static {
    fn department(&self) -> Department;

    /// How the hub reaches this source.
    fn backend(&self) -> Backend {
        Backend::Sql
    }

    /// The answering system's name, for provenance (never a connection URL).
    fn system(&self) -> String {
        format!("{}-db", self.department().code())
    }

    /// Every record this department holds about these persons, in one call however many
    /// IDs there are.
    async fn fetch(&self, ids: &[IdNumber]) -> Result<DepartmentRecords, SourceError>;

    /// A cheap check that the source answers.
    async fn ping(&self) -> Result<(), SourceError>;
}

/// Why a source could not answer. Logged, never sent: callers only learn which department
/// is unavailable.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("query failed: {0}")]
    Query(String),
    #[error("timed out")]
    Timeout,
    #[error("answered for another department or left IDs out")]
    Contract,
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("answered HTTP {0}")]
    Status(u16),
    #[error("answer is not the expected JSON: {0}")]
    Malformed(String),
    #[error("answered with GraphQL errors: {0}")]
    Graphql(String),
    #[error("circuit open after repeated failures")]
    CircuitOpen,
}

/// A department whose database could not be opened at start-up: every read reports it
/// unavailable.
#[derive(Debug)]
pub struct Unopened(pub Department);

#[async_trait::async_trait]
impl DepartmentSource for Unopened {
    fn department(&self) -> Department {
        self.0
    }

    async fn fetch(&self, _ids: &[IdNumber]) -> Result<DepartmentRecords, SourceError> {
        Err(SourceError::Query(
            "the database could not be opened at start-up".into(),
        ))
    }

    async fn ping(&self) -> Result<(), SourceError> {
        Err(SourceError::Query(
            "the database could not be opened at start-up".into(),
        ))
    }
}

/// The source of every department, one each, and the cache in front of them (if any).
#[derive(Clone)]
pub struct Sources {
    map: DeptMap<Arc<dyn DepartmentSource>>,
    cache: Option<Arc<cache::CacheHandle>>,
}

impl Sources {
    /// Fails when a source is registered under another department than its own.
    pub fn new(map: DeptMap<Arc<dyn DepartmentSource>>) -> Result<Self, SourceError> {
        if map.iter().any(|(d, s)| s.department() != d) {
            return Err(SourceError::Contract);
        }
        Ok(Self { map, cache: None })
    }

    /// Puts `cache` in front of every department whose `ttl` is some (and keeps it for
    /// invalidation by writes).
    pub fn with_cache(
        mut self,
        cache: Arc<cache::CacheHandle>,
        ttl: impl Fn(Department) -> Option<std::time::Duration>,
    ) -> Self {
        self.map = self.map.map(|d, s| match ttl(d) {
            Some(t) => cache::CachedSource::arc(s.clone(), cache.clone(), t),
            None => s.clone(),
        });
        self.cache = Some(cache);
        self
    }

    /// The cache writes invalidate, without reading through it (a CLI import).
    pub fn invalidating(mut self, cache: Arc<cache::CacheHandle>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// After a write to department `d`: no instance serves its cached entries any more.
    pub async fn invalidate_all(&self, d: Department) {
        if let Some(c) = &self.cache {
            c.invalidate_all(d).await;
        }
    }

    /// Replaces one department's source (a decorator, a remote backend, a test double).
    pub fn replace(&mut self, source: Arc<dyn DepartmentSource>) {
        let d = source.department();
        *self.map.get_mut(d) = source;
    }

    pub fn get(&self, d: Department) -> &Arc<dyn DepartmentSource> {
        self.map.get(d)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Department, &Arc<dyn DepartmentSource>)> {
        self.map.iter()
    }
}
