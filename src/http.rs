//! HTTP surface: `/graphql` (POST; GET serves GraphiQL), `/healthz`, `/readyz`, and the
//! tower layers for request ids, tracing, body limits and timeouts.

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderName, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Instrument;

use std::sync::Arc;

use crate::audit::{AuditLog, NewAuditEvent};
use crate::error::{self, ErrorCode};
use crate::graphql::with_loaders;
use crate::i18n::Lang;
use crate::policy::enforce::{authenticate, authenticate_key, Access, Refusal};
use crate::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let cfg = &state.config.server;
    let body_limit = cfg.body_limit_bytes;
    let timeout = Duration::from_secs(cfg.request_timeout_secs);
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/schema", get(consumer_schema))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The consumer key a request presents: `Authorization: Bearer …`, else `X-Api-Key`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
}

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A response in GraphQL's error shape for requests that never reach the executor.
fn request_error(status: StatusCode, code: ErrorCode, message: String) -> Response {
    (
        status,
        Json(
            json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] }),
        ),
    )
        .into_response()
}

async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = lang_of(&headers);
    // A caller may send its own request id; the audit trail keeps it only when it is short
    // and printable, otherwise the hub's own id stands in for it.
    let request_id = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), String::from);
    // Who is asking, and for what, is settled before the body is even looked at.
    let access = match &state.policy {
        Some(store) => {
            let snapshot = store.snapshot();
            let purpose = headers.get("x-purpose").and_then(|v| v.to_str().ok());
            match authenticate(&snapshot, presented_key(&headers), purpose) {
                Ok(consumer) => Some(Arc::new(Access::new(
                    consumer,
                    purpose.unwrap_or_default().trim().to_string(),
                    snapshot,
                    request_id.clone(),
                    lang,
                ))),
                Err(refusal) => {
                    let status = match refusal {
                        Refusal::Unauthenticated => StatusCode::UNAUTHORIZED,
                        _ => StatusCode::FORBIDDEN,
                    };
                    return (
                        status,
                        Json(json!({ "errors": [{
                            "message": refusal.message(lang),
                            "extensions": { "code": refusal.code().as_str(), "reason": refusal.reason() }
                        }] })),
                    )
                        .into_response();
                }
            }
        }
        None => None,
    };
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::LimitExceeded,
                lang.pick("请求体过大", "request body too large").into(),
            )
        }
        Err(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                lang.pick("无法读取请求体", "cannot read the request body")
                    .into(),
            )
        }
    };
    // Array batching is not offered: one operation per HTTP request keeps limits and audit
    // per request meaningful.
    let req: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => return request_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            lang.pick(
                "请求须为一个 JSON 格式的 GraphQL 请求（不支持批量数组）",
                "the body must be one GraphQL request in JSON (array batching is not supported)",
            )
            .into(),
        ),
    };
    let query = req.query.clone();
    let mut req = with_loaders(req, &state.dbs, state.config.limits.max_batch_ids).data(lang);
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
    // Nothing personal leaves before its access is durably recorded.
    if let (Some(a), Some(audit)) = (&access, &state.audit) {
        let events = audit_events(a, audit);
        if !events.is_empty() {
            if let Err(e) = audit.append(events).await {
                tracing::error!(error = %e, "audit trail unavailable; response withheld");
                return request_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::AuditUnavailable,
                    lang.pick(
                        "审计日志暂不可写，为保证每次访问均有记录，本次请求不予服务",
                        "the audit trail cannot be written, so personal data is not served",
                    )
                    .into(),
                );
            }
        }
    }
    error::finalize(&mut resp, lang, &query);
    async_graphql_axum::GraphQLResponse::from(resp).into_response()
}

fn audit_events(access: &Access, audit: &AuditLog) -> Vec<NewAuditEvent> {
    let c = &access.consumer;
    access
        .accesses()
        .into_iter()
        .map(|(id, fields)| NewAuditEvent {
            occurred_at: access.now,
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

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// The SDL as the calling consumer sees it: only the fields it could ever be allowed.
async fn consumer_schema(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sdl = state.schema.sdl();
    let Some(store) = &state.policy else {
        return sdl.into_response();
    };
    let snapshot = store.snapshot();
    match authenticate_key(&snapshot, presented_key(&headers)) {
        Ok(c) => crate::policy::sdl_for(&snapshot, &c, &sdl).into_response(),
        Err(refusal) => request_error(
            StatusCode::UNAUTHORIZED,
            refusal.code(),
            refusal.message(lang_of(&headers)),
        ),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when every department source and the hub's own database (policy, audit trail)
/// answer; otherwise 503 naming the failing ones.
async fn readyz(State(state): State<AppState>) -> Response {
    let results = state.dbs.ping_all().await;
    let mut failing: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(d, _)| d.code())
        .collect();
    let hub = tokio::time::timeout(Duration::from_secs(2), state.dbs.hub().ping()).await;
    if !matches!(hub, Ok(Ok(()))) {
        tracing::warn!("hub database not ready");
        failing.push("hub");
    }
    for (d, r) in &results {
        if let Err(e) = r {
            tracing::warn!(department = d.code(), error = %e, "source not ready");
        }
    }
    if failing.is_empty() {
        (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "failing": failing })),
        )
            .into_response()
    }
}
