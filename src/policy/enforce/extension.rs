//! The async-graphql extension every field passes through: root fields reserved for some
//! kinds of consumer, the allow / mask / deny decision for catalog fields, and a long
//! list's persons audited while the rest of it is answered.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};

use super::context::{path_of, Access};
use crate::audit::AuditLog;
use crate::error::{ForbiddenReason, HubError};
use crate::policy::mask::mask;
use crate::policy::{DenyReason, FieldDecision};

/// How many answered persons of a long list are audited at once while the rest is still
/// being answered: the writer (another thread) and the database commit them meanwhile,
/// instead of all after the last field.
const EARLY_AUDIT_PERSONS: usize = 128;

/// A list item: answered as any value; when it is a person's (a `persons` or `_entities`
/// item, a screening report's row), the persons answered so far are audited once there
/// are enough of them. The
/// item waits for that commit — the list, hence the response, is not complete before —
/// while the other items go on. A failed commit withholds the whole response.
async fn list_item(
    ctx: &ExtensionContext<'_>,
    info: ResolveInfo<'_>,
    next: NextResolve<'_>,
    access: &Access,
) -> ServerResult<Option<Value>> {
    let path = info.path_node;
    let value = next.run(ctx, info).await;
    if access.finish_item(path) {
        if let Some(audit) = ctx.data_opt::<AuditLog>() {
            if let Some(events) = access.take_finished(EARLY_AUDIT_PERSONS, audit) {
                if let Err(e) = audit.append(events).await {
                    tracing::error!(error = %e, "audit trail unavailable during a batch");
                    access.fail_audit();
                }
            }
        }
    }
    value
}

/// Applies the field-level policy to every field that carries personal data.
pub struct PolicyExtension;

impl ExtensionFactory for PolicyExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PolicyExtensionImpl)
    }
}

struct PolicyExtensionImpl;

#[async_trait::async_trait]
impl Extension for PolicyExtensionImpl {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let Some(access) = ctx.data_opt::<Arc<Access>>() else {
            // Policy switched off (benchmark comparison only).
            return next.run(ctx, info).await;
        };
        if info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        if info.parent_type.starts_with('[') {
            return list_item(ctx, info, next, access).await;
        }
        if info.parent_type == "Query"
            && !crate::policy::root_field_allowed(access.consumer.kind, info.name)
        {
            return Err(HubError::forbidden(ForbiddenReason::ConsumerKind)
                .into_server_error(path_of(info.path_node)));
        }
        // Root fields are entry points: persons they produce are admitted by their
        // resolvers (`admit`), and the report checks its grant itself (`report_scope`).
        if info.parent_type == "Query" {
            return next.run(ctx, info).await;
        }
        let Some(field) = access.snapshot.catalog.get(info.parent_type, info.name) else {
            return next.run(ctx, info).await;
        };
        let Some(decision) = access.decide_at(info.path_node, field) else {
            // Personal data always hangs under a registered person; anything else is a
            // bug: refuse.
            tracing::error!(field = %field.key, "catalog field outside any person; denied");
            access.refuse(
                Some(field.key()),
                DenyReason::NoGrant.into(),
                path_of(info.path_node),
            );
            return Ok(Some(Value::Null));
        };
        match decision {
            FieldDecision::Allow => next.run(ctx, info).await,
            FieldDecision::Mask(kind) => {
                let v = next.run(ctx, info).await?;
                Ok(v.map(|v| match v {
                    Value::String(s) => Value::String(mask(kind, &s)),
                    other => other,
                }))
            }
            // Null in place, the resolver never runs (nothing below it is read or
            // decided), and one error per field and reason is added after execution: the
            // response keeps its shape.
            FieldDecision::Deny(reason) => {
                access.refuse(Some(field.key()), reason.into(), path_of(info.path_node));
                Ok(Some(Value::Null))
            }
        }
    }
}
