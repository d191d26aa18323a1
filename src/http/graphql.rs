//! `POST /graphql`: read one JSON request, parse and check its shape before anything
//! executes, execute it with the request's access context, make every access durable in
//! the audit trail, then render errors in the caller's language.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tracing::Instrument;

use super::{lang_of, request_error, RequestAccess};
use crate::audit::{AuditLog, NewAuditEvent};
use crate::error::{self, HubError, RequestProblem};
use crate::graphql::{limits, with_request_data};
use crate::i18n::Lang;
use crate::policy::enforce::Access;
use crate::AppState;

pub async fn graphql(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let limit = state.config.server.body_limit_bytes;
            let e = HubError::LimitExceeded {
                what: "bodyBytes",
                limit,
                got: limit.saturating_add(1),
            };
            return request_error(StatusCode::PAYLOAD_TOO_LARGE, e, lang);
        }
        Err(_) => {
            let e = HubError::BadRequest(RequestProblem::Unreadable);
            return request_error(StatusCode::BAD_REQUEST, e, lang);
        }
    };
    // Array batching is not offered: one operation per HTTP request keeps limits and audit
    // per request meaningful.
    let Ok(mut req) = serde_json::from_slice::<async_graphql::Request>(&body) else {
        let e = HubError::BadRequest(RequestProblem::NotOneJsonRequest);
        return request_error(StatusCode::BAD_REQUEST, e, lang);
    };
    let admin = access.as_ref().is_none_or(|a| a.consumer.is_admin());
    let doc = match async_graphql::parser::parse_query(&req.query) {
        Ok(doc) => doc,
        Err(e) => return graphql_error(parse_error(&e, &state), lang),
    };
    if let Err(e) = limits::check(
        &doc,
        req.operation_name.as_deref(),
        &req.variables,
        &state.types,
        &state.limits,
        admin,
    ) {
        return graphql_error(e, lang);
    }
    req.set_parsed_query(doc);
    let time = access
        .as_ref()
        .map_or_else(|| state.clock.request_time(), |a| a.time);
    let mut req = with_request_data(req, &state.sources, state.limits.max_batch_ids, time);
    if let Some(a) = &access {
        req = req.data(a.clone());
    }
    if let Some(audit) = &state.audit {
        req = req.data(audit.clone());
    }
    let mut resp = state
        .schema
        .execute(req)
        .instrument(tracing::info_span!("graphql"))
        .await;
    if let Some(a) = &access {
        resp.errors.extend(a.refusals());
    }
    // Nothing personal leaves before its access is durably recorded.
    if let (Some(a), Some(audit)) = (&access, &state.audit) {
        let events = audit_events(a, audit);
        if !events.is_empty() {
            if let Err(e) = audit.append(events).await {
                tracing::error!(error = %e, "audit trail unavailable; response withheld");
                return request_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    HubError::AuditUnavailable,
                    lang,
                );
            }
        }
    }
    error::finalize(&mut resp, lang);
    async_graphql_axum::GraphQLResponse::from(resp).into_response()
}

/// A syntax error says where, never what: quoting the source could echo an ID number.
fn parse_error(e: &async_graphql::parser::Error, state: &AppState) -> HubError {
    if matches!(e, async_graphql::parser::Error::RecursionLimitExceeded) {
        let limit = state.limits.max_recursive_depth;
        return HubError::LimitExceeded {
            what: "recursion",
            limit,
            got: limit.saturating_add(1),
        };
    }
    let pos = e.positions().next();
    HubError::ParseFailed {
        line: pos.map_or(0, |p| p.line),
        column: pos.map_or(0, |p| p.column),
    }
}

/// A GraphQL-level error found before execution: `data` is null, as the engine would say.
fn graphql_error(e: HubError, lang: Lang) -> Response {
    Json(json!({ "data": null, "errors": [e.render(lang)] })).into_response()
}

fn audit_events(access: &Access, audit: &AuditLog) -> Vec<NewAuditEvent> {
    let c = &access.consumer;
    access
        .accesses()
        .into_iter()
        .map(|(id, fields)| NewAuditEvent {
            occurred_at: access.time.now,
            consumer_id: c.id,
            consumer_name: c.name.clone(),
            consumer_department: c.department.map(|d| d.code().to_string()),
            purpose: access.purpose.clone(),
            request_id: access.request_id.clone(),
            subject: audit.subject(id.as_str()),
            fields,
            policy_version: access.snapshot.version,
        })
        .collect()
}
