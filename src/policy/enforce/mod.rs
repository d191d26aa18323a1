//! The one enforcement point. The HTTP layer authenticates the consumer and checks the
//! purpose before anything runs ([`auth`]); person-producing resolvers register each
//! person at its response path and learn whether the consumer may read them at all
//! ([`admission`]); every field then passes through [`PolicyExtension`], which decides
//! allow / mask / deny for the person the field belongs to and records each decision
//! for the audit trail ([`context::Access`]).

pub mod admission;
pub mod auth;
pub mod context;
mod extension;
pub mod screening;
pub mod writes;

pub use admission::admit;
pub use auth::{authenticate, authenticate_key, declared_purpose};
pub use context::Access;
pub use extension::PolicyExtension;
pub use screening::{admit_report_row, allows, decide_rules, report_scope, ReportScope, RuleView};
