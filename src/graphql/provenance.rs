//! `Provenance` on every department section: who owns it, which system answered, over
//! which backend, when the hub read it and the source's own as-of time.

use async_graphql::Enum;

use crate::domain::{self, Provenance};

/// How the hub reached a department's data.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Backend", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SourceBackend {
    /// The department's own database, read with SQL.
    Sql,
    /// The department's own Federation subgraph, read with `_entities` over HTTP.
    Subgraph,
}

crate::gql_enums!(SourceBackend => domain::Backend);

crate::shared_object!(
    /// Where a department's section came from. Facts about the read, not about the
    /// person: the same for every person of one batch.
    Provenance {
        /// The owning department.
        department: &crate::departments::Department => HrssTraining, Unconditional, plain, None;
        /// The system that answered (its configured name).
        source_system: &String => HrssTraining, Unconditional, plain, None;
        backend: SourceBackend => HrssTraining, Unconditional, plain, None;
        /// When the hub read it (RFC 3339, UTC).
        read_at: String => HrssTraining, Unconditional, plain, None;
        /// The source's own as-of time, when it sends one (RFC 3339, UTC).
        as_of: Option<String> => HrssTraining, Unconditional, plain, None;
    }
);
