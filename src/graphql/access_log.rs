//! Access-log queries over the audit trail: for auditors by ID number, and for a citizen
//! portal about the one person it is bound to.

use async_graphql::{Context, SimpleObject};

use crate::audit::{AuditLog, FieldAccess};
use crate::error::HubError;

/// One recorded access to a person's data.
#[derive(SimpleObject, Debug, Clone)]
pub struct AccessLogEntry {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub occurred_at: String,
    pub consumer_name: String,
    pub consumer_department: Option<String>,
    pub purpose: String,
    pub request_id: String,
    pub fields: Vec<AccessedField>,
    pub policy_version: i64,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct AccessedField {
    /// `Type.field`
    pub field: String,
    /// `ALLOWED`, `MASKED` or `DENIED`.
    pub decision: String,
}

pub async fn for_subject(
    ctx: &Context<'_>,
    subject: &str,
    limit: u32,
) -> async_graphql::Result<Vec<AccessLogEntry>> {
    let audit = ctx.data_opt::<AuditLog>().ok_or(HubError::Internal)?;
    let rows = audit
        .events_for_subject(subject, u64::from(limit.min(1000)))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading the access log failed");
            HubError::Internal
        })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let fields: Vec<FieldAccess> = serde_json::from_str(&r.fields).unwrap_or_default();
            AccessLogEntry {
                seq: r.seq,
                occurred_at: r.occurred_at.to_rfc3339(),
                consumer_name: r.consumer_name,
                consumer_department: r.consumer_department,
                purpose: r.purpose,
                request_id: r.request_id,
                fields: fields
                    .into_iter()
                    .map(|f| AccessedField {
                        field: f.field,
                        decision: serde_json::to_value(f.decision)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                    })
                    .collect(),
                policy_version: r.policy_version,
            }
        })
        .collect())
}
