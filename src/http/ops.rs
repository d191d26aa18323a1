//! Operational endpoints: GraphiQL, each consumer's view of the schema, liveness and
//! readiness.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{lang_of, presented_key, request_error};
use crate::policy::enforce::authenticate_key;
use crate::AppState;

/// GraphiQL for a browser. Queries are not taken by GET: ID numbers in a URL end up in
/// proxy and access logs, so a `GET /graphql?query=…` is refused with 405.
pub async fn graphiql(uri: axum::http::Uri, headers: HeaderMap) -> Response {
    let asks_query = uri.query().is_some_and(|q| {
        q.split('&')
            .any(|kv| kv.split('=').next().is_some_and(|k| k == "query"))
    });
    if asks_query {
        let e = crate::error::HubError::BadRequest(crate::error::RequestProblem::GetQuery);
        let mut r = request_error(StatusCode::METHOD_NOT_ALLOWED, e, lang_of(&headers));
        r.headers_mut().insert(
            axum::http::header::ALLOW,
            axum::http::HeaderValue::from_static("POST"),
        );
        return r;
    }
    super::graphiql::page()
}

/// The SDL as the calling consumer sees it: only the fields it could ever be allowed.
pub async fn consumer_schema(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sdl = crate::graphql::sdl();
    let Some(store) = &state.policy else {
        return sdl.into_response();
    };
    let snapshot = store.snapshot();
    match authenticate_key(&snapshot, presented_key(&headers)) {
        Ok(c) => crate::graphql::view::sdl_for(&snapshot, &c, &sdl).into_response(),
        Err(e) => request_error(StatusCode::UNAUTHORIZED, e, lang_of(&headers)),
    }
}

/// Prometheus text format, for the hub admin's key only: per-department row counts and
/// latencies move with each request, so a consumer who could read them after asking about
/// one person would learn which departments hold records on that person, around the
/// policy. (A scraper sends the key as `Authorization: Bearer`.)
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(store) = &state.policy {
        let lang = lang_of(&headers);
        match authenticate_key(&store.snapshot(), presented_key(&headers)) {
            Ok(c) if c.is_admin() => {}
            Ok(_) => {
                let e =
                    crate::error::HubError::forbidden(crate::error::ForbiddenReason::ConsumerKind);
                return request_error(StatusCode::FORBIDDEN, e, lang);
            }
            Err(e) => return request_error(StatusCode::UNAUTHORIZED, e, lang),
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// A readiness report and when it was taken.
#[derive(Debug, Clone)]
pub struct Readiness {
    at: std::time::Instant,
    status: StatusCode,
    body: serde_json::Value,
}

/// How long a readiness report is reused.
const READINESS_TTL: Duration = Duration::from_secs(2);

/// Reads every department (its own statements, for no ID, 2 s at most), the hub database
/// and the audit writer. `ready`: all up; `degraded`: some departments down — the hub
/// still serves, their sections are `SOURCE_UNAVAILABLE` — (both 200); `not_ready`: the
/// hub database or the audit trail is down, so nothing personal can be served (503).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut cached = state.readiness.lock().await;
    if let Some(r) = cached.as_ref().filter(|r| r.at.elapsed() < READINESS_TTL) {
        return readiness_response(r.status, r.body.clone());
    }
    let pings = state
        .sources
        .iter()
        .map(|(d, s)| async move { (d, s.ping().await) });
    let results = futures::future::join_all(pings).await;
    let mut departments = serde_json::Map::new();
    let mut failing: Vec<&str> = Vec::new();
    for (d, r) in &results {
        if let Err(e) = r {
            tracing::warn!(department = d.code(), error = %e, "source not ready");
            failing.push(d.code());
        }
        departments.insert(
            d.code().into(),
            json!(if r.is_ok() { "up" } else { "down" }),
        );
    }
    let hub = matches!(
        tokio::time::timeout(Duration::from_secs(2), state.dbs.hub().ping()).await,
        Ok(Ok(()))
    );
    if !hub {
        tracing::warn!("hub database not ready");
        failing.push("hub");
    }
    let audit = state.audit.as_ref().is_none_or(|a| a.is_running());
    if !audit {
        tracing::warn!("audit writer not running");
        failing.push("audit");
    }
    let (status, word) = if !hub || !audit {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    } else if failing.is_empty() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::OK, "degraded")
    };
    let up = |ok: bool| if ok { "up" } else { "down" };
    let body = json!({
        "status": word,
        "departments": departments,
        "hub": up(hub),
        "audit": up(audit),
        "failing": failing,
    });
    *cached = Some(Readiness {
        at: std::time::Instant::now(),
        status,
        body: body.clone(),
    });
    readiness_response(status, body)
}

fn readiness_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        super::retry_soon(&mut r);
    }
    r
}
