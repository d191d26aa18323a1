//! HTTP surface: `/graphql` (POST; GET serves GraphiQL, its assets under `/graphiql/`),
//! `/schema`, `/metrics`, `/healthz`, `/readyz`, and the tower layers for request ids, tracing, body limits and timeouts.

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ErrorCode, HubError};
use crate::i18n::Lang;
use crate::AppState;

mod auth;
mod graphiql;
mod graphql;
mod import;
mod ops;

pub use auth::RequestAccess;
pub use ops::Readiness;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let cfg = &state.config.server;
    let body_limit = cfg.body_limit_bytes;
    let timeout = Duration::from_secs(cfg.request_timeout_secs);
    Router::new()
        .route(
            "/graphql",
            get(ops::graphiql)
                .post(graphql::graphql)
                .layer(axum::middleware::from_fn(record)),
        )
        .route(
            "/graphiql/{build}/{file}",
            get(graphiql::asset).layer(tower_http::compression::CompressionLayer::new()),
        )
        .route(
            "/import/{kind}",
            axum::routing::post(import::upload)
                .layer(DefaultBodyLimit::max(import::body_limit().max(body_limit))),
        )
        .route("/import/templates/{file}", get(import::download_template))
        .route("/metrics", get(ops::metrics))
        .route("/schema", get(ops::consumer_schema))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
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

/// The HTTP status of an error that stops a request before GraphQL executes.
fn status_of(e: &HubError) -> StatusCode {
    match e.code() {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
        ErrorCode::AuditUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    }
}

/// A response in GraphQL's error shape for requests that never reach the executor.
fn request_error(status: StatusCode, e: HubError, lang: Lang) -> Response {
    let outcome = Outcome::of(&e);
    let mut r = (status, Json(json!({ "errors": [e.render(lang)] }))).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        retry_soon(&mut r);
    }
    r.extensions_mut().insert(outcome);
    r
}

/// `Retry-After: 1` on a 503: the hub is waiting for a database or the audit trail and
/// serves again as soon as it is back.
fn retry_soon(r: &mut Response) {
    r.headers_mut().insert(
        header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("1"),
    );
}

/// What a `/graphql` request came to, left in the response for the metrics layer: never
/// an ID number or query text, only bounded labels.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The first error's code, if any.
    pub code: Option<&'static str>,
    /// The limit that refused it, if one did.
    pub limit: Option<&'static str>,
    pub consumer: Option<String>,
    pub operation: Option<String>,
    /// The request failed before execution could produce data (syntax, validation, limits,
    /// variables): a 4xx under `application/graphql-response+json`.
    pub request_error: bool,
}

impl Outcome {
    fn of(e: &HubError) -> Self {
        Self {
            code: Some(e.code().as_str()),
            limit: match e {
                HubError::LimitExceeded { what, .. } => Some(what),
                _ => None,
            },
            ..Self::default()
        }
    }
}

/// A client's operation name as a metrics label: short names of letters, digits and `_`
/// only, anything else lumped together, so that callers cannot flood the label space
/// with junk.
fn operation_label(name: Option<&str>) -> String {
    match name {
        None => "anonymous".into(),
        Some(n) if n.len() <= 64 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            n.to_string()
        }
        Some(_) => "other".into(),
    }
}

/// Counts and times every `/graphql` request by operation, consumer, status and code.
async fn record(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let start = std::time::Instant::now();
    let response = next.run(req).await;
    let outcome = response
        .extensions()
        .get::<Outcome>()
        .cloned()
        .unwrap_or_default();
    let operation = outcome.operation.unwrap_or_else(|| "-".into());
    let consumer = outcome.consumer.unwrap_or_else(|| "-".into());
    let status = response.status().as_u16().to_string();
    let code = outcome.code.unwrap_or("none");
    metrics::counter!("archive_hub_requests_total",
        "operation" => operation.clone(), "consumer" => consumer.clone(),
        "status" => status.clone(), "code" => code)
    .increment(1);
    metrics::histogram!("archive_hub_request_duration_seconds", "operation" => operation)
        .record(start.elapsed().as_secs_f64());
    if let Some(what) = outcome.limit {
        metrics::counter!("archive_hub_limits_rejected_total", "what" => what).increment(1);
    }
    tracing::info!(
        consumer = %consumer, status = %status, code, duration_ms = start.elapsed().as_millis() as u64,
        "graphql request"
    );
    response
}
