//! Where department records come from: the one [`DepartmentSource`] trait (SQL today, a
//! remote subgraph or a cache decorator next), the set of sources a hub reads, and the
//! per-request archive loader that batches every read into one call per department.

use std::collections::HashMap;
use std::sync::Arc;

use crate::departments::{Department, DeptMap};
use crate::domain::Section;
use crate::id_number::IdNumber;

pub mod loader;
pub mod sql;

pub use loader::{ArchiveDataLoader, ArchiveLoader};

/// One department's records for a batch of persons. A source answers for **every** ID it
/// was asked about, with an empty section where it holds nothing: a missing ID is a
/// broken source, and its section is then reported unavailable.
pub type DepartmentRecords = HashMap<IdNumber, Arc<dyn Section>>;

/// A department's published data about persons, read by ID number in batches.
#[async_trait::async_trait]
pub trait DepartmentSource: Send + Sync + 'static {
    fn department(&self) -> Department;

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

/// The source of every department, one each.
#[derive(Clone)]
pub struct Sources {
    map: DeptMap<Arc<dyn DepartmentSource>>,
}

impl Sources {
    /// Fails when a source is registered under another department than its own.
    pub fn new(map: DeptMap<Arc<dyn DepartmentSource>>) -> Result<Self, SourceError> {
        if map.iter().any(|(d, s)| s.department() != d) {
            return Err(SourceError::Contract);
        }
        Ok(Self { map })
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
