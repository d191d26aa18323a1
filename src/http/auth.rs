//! Authentication as an axum extractor: the consumer and purpose are settled from the
//! headers before the body is read; a refusal answers 401 or 403 at once.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;

use super::{lang_of, presented_key, request_error, status_of, REQUEST_ID};
use crate::policy::enforce::{authenticate, Access};
use crate::AppState;

/// The request's access context; `None` only while the policy is switched off for a cost
/// comparison.
pub struct RequestAccess(pub Option<Arc<Access>>);

impl FromRequestParts<AppState> for RequestAccess {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(store) = &state.policy else {
            return Ok(Self(None));
        };
        let headers = &parts.headers;
        let lang = lang_of(headers);
        let snapshot = store.snapshot();
        let purpose = headers.get("x-purpose").and_then(|v| v.to_str().ok());
        let (consumer, purpose) = authenticate(&snapshot, presented_key(headers), purpose)
            .map_err(|e| request_error(status_of(&e), e, lang))?;
        // A caller may send its own request id; the audit trail keeps it only when it is
        // short and printable, otherwise a fresh id stands in for it.
        let request_id = headers
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), String::from);
        Ok(Self(Some(Arc::new(Access::new(
            consumer,
            purpose,
            snapshot,
            request_id,
            lang,
            state.clock.request_time(),
        )))))
    }
}
