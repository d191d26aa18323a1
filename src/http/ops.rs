//! Operational endpoints: GraphiQL, each consumer's view of the schema, liveness and
//! readiness.

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{lang_of, presented_key, request_error};
use crate::policy::enforce::authenticate_key;
use crate::AppState;

pub async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// The SDL as the calling consumer sees it: only the fields it could ever be allowed.
pub async fn consumer_schema(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let sdl = state.schema.sdl();
    let Some(store) = &state.policy else {
        return sdl.into_response();
    };
    let snapshot = store.snapshot();
    match authenticate_key(&snapshot, presented_key(&headers)) {
        Ok(c) => crate::policy::sdl_for(&snapshot, &c, &sdl).into_response(),
        Err(e) => request_error(StatusCode::UNAUTHORIZED, e, lang_of(&headers)),
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when every department source and the hub's own database (policy, audit trail)
/// answer; otherwise 503 naming the failing ones.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let pings = state
        .sources
        .iter()
        .map(|(d, s)| async move { (d, s.ping().await) });
    let results = futures::future::join_all(pings).await;
    let mut failing: Vec<&str> = Vec::new();
    for (d, r) in &results {
        if let Err(e) = r {
            tracing::warn!(department = d.code(), error = %e, "source not ready");
            failing.push(d.code());
        }
    }
    let hub = tokio::time::timeout(Duration::from_secs(2), state.dbs.hub().ping()).await;
    if !matches!(hub, Ok(Ok(()))) {
        tracing::warn!("hub database not ready");
        failing.push("hub");
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
