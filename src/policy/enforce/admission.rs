//! Admission: whether a consumer may read a person at all (region scope, citizen-portal
//! binding). Person-producing resolvers call [`admit`] for each person they return; it
//! registers the person at the resolver's response path (so every field below is decided
//! and audited against that person) and decides, so resolvers decide nothing themselves.

use std::sync::Arc;

use async_graphql::{Context, PathSegment};

use super::context::{path_of, Access};
use crate::audit::AuditLog;
use crate::domain::Archive;
use crate::error::ForbiddenReason;
use crate::policy::{in_scope, DenyReason, FieldDecision};

/// Registers `archive`'s person at this field's path (`index`: its position, when the
/// field returns a list) and says whether the consumer may read them. A refused person
/// gets a `FORBIDDEN` (`OUT_OF_SCOPE`) error at that path and must be returned as null.
/// Without an [`Access`] (policy switched off for a cost comparison) everyone is admitted.
pub fn admit(ctx: &Context<'_>, archive: &Archive, index: Option<usize>) -> bool {
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        return true;
    };
    let mut path = ctx.path_node.as_ref().map(path_of).unwrap_or_default();
    if let Some(i) = index {
        path.push(PathSegment::Index(i));
    }
    let id = &archive.id;
    let regions = Arc::new(archive.linked_regions());
    access.register(&path, id, regions.clone());
    let c = &access.consumer;
    let admitted = match &c.bound_subject {
        // A citizen portal reads only its own holder; without the audit key that binds
        // it, it reads no one.
        Some(bound) => ctx
            .data_opt::<AuditLog>()
            .is_some_and(|a| *bound == a.subject(id.as_str())),
        None => c.region_scope.is_empty() || in_scope(&c.region_scope, &regions),
    };
    if !admitted {
        access.record(
            id,
            Arc::from("Query.person"),
            FieldDecision::Deny(DenyReason::OutOfScope),
        );
        access.refuse(None, ForbiddenReason::OutOfScope, path);
    }
    admitted
}
