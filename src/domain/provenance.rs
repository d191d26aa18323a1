//! Where a department's section came from: who owns it, which system answered, over which
//! backend, when the hub read it and as of when the source vouches for it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::departments::Backend;
use crate::departments::Department;

/// One read of one department for a batch of persons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub department: Department,
    /// The answering system's name (from config; never a connection URL).
    pub source_system: String,
    pub backend: Backend,
    pub read_at: DateTime<Utc>,
    /// The source's own as-of time, when it sends one.
    pub as_of: Option<DateTime<Utc>>,
}
