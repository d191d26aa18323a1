//! HTTP surface: `/graphql` (POST; GET serves GraphiQL), `/schema`, `/healthz`, `/readyz`,
//! and the tower layers for request ids, tracing, body limits and timeouts.

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
mod graphql;
mod ops;

pub use auth::RequestAccess;
pub use ops::Readiness;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let cfg = &state.config.server;
    let body_limit = cfg.body_limit_bytes;
    let timeout = Duration::from_secs(cfg.request_timeout_secs);
    Router::new()
        .route("/graphql", get(ops::graphiql).post(graphql::graphql))
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
    (status, Json(json!({ "errors": [e.render(lang)] }))).into_response()
}
