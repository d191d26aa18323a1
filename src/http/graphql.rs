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
use crate::error::{self, HubError, RequestProblem};
use crate::graphql::{limits, with_request_data};
use crate::i18n::Lang;
use crate::policy::enforce::Access;
use crate::AppState;

/// Bodies up to this size are prepared on the async worker itself.
const INLINE_BODY_BYTES: usize = 8 * 1024;

/// Responses about up to this many persons are serialised on the async worker itself.
const INLINE_RESPONSE_PERSONS: usize = 16;

pub async fn graphql(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let consumer = access.as_ref().map(|a| a.consumer.name.clone());
    let graphql_media = prefers_graphql_response(&headers);
    let mut response = handle(state, access, headers, body).await;
    let mut request_error = false;
    if let Some(o) = response.extensions_mut().get_mut::<super::Outcome>() {
        o.consumer = o.consumer.take().or(consumer);
        request_error = o.request_error;
    }
    // GraphQL over HTTP: under `application/graphql-response+json` a request that never
    // produced data is a 4xx; under `application/json` (the default) it stays a 200.
    if graphql_media {
        let json = response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if json {
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static(
                    "application/graphql-response+json; charset=utf-8",
                ),
            );
        }
        if request_error && response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::BAD_REQUEST;
        }
    }
    response
}

/// Whether the client asks for `application/graphql-response+json` before (or instead
/// of) `application/json`; without an `Accept` header, or with `*/*`, it gets JSON.
fn prefers_graphql_response(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let at = |m: &str| accept.find(m);
    match (
        at("application/graphql-response+json"),
        at("application/json"),
    ) {
        (Some(g), Some(j)) => g < j,
        (Some(_), None) => true,
        _ => false,
    }
}

async fn handle(
    state: AppState,
    access: Option<std::sync::Arc<Access>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = lang_of(&headers);
    // Only JSON is accepted: a `text/plain` or form POST is what a browser sends across
    // origins without a preflight, the classic CSRF vector.
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        let e = HubError::BadRequest(RequestProblem::NotJson);
        return request_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, e, lang);
    }
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
    // Reading the JSON, parsing and the shape check are CPU work that grows with the
    // body: past a few KiB, off the async workers, so that one large request cannot stall
    // the others (small ones take microseconds, less than the hand-off).
    let (types, limits, docs) = (state.types.clone(), state.limits, state.documents.clone());
    let prepared = if body.len() <= INLINE_BODY_BYTES {
        Ok(prepare(&body, &types, &limits, &docs))
    } else {
        tokio::task::spawn_blocking(move || prepare(&body, &types, &limits, &docs)).await
    };
    let req = match prepared {
        Ok(Ok(req)) => req,
        Ok(Err(Refused::Http(status, e))) => return request_error(status, e, lang),
        Ok(Err(Refused::Graphql(e))) => return graphql_error(e, lang),
        Err(e) => {
            tracing::error!(error = %e, "request preparation failed");
            return request_error(StatusCode::INTERNAL_SERVER_ERROR, HubError::Internal, lang);
        }
    };
    let (req, operation, asked) = req;
    // The audit trail's database just failed: nothing personal could be answered, so the
    // request is refused now rather than after reading every department.
    if state.audit.as_ref().is_some_and(|a| a.is_paused()) {
        return request_error(
            StatusCode::SERVICE_UNAVAILABLE,
            HubError::AuditUnavailable,
            lang,
        );
    }
    // Memory grows with the persons being answered at once, so they are admitted within
    // one budget; a batch over the whole budget waits until it can run alone.
    let budget = state.config.server.max_persons_in_flight.max(1);
    let permits = u32::try_from(asked).unwrap_or(u32::MAX).min(budget);
    let _admitted = if permits == 0 {
        None
    } else {
        match state
            .persons_in_flight
            .clone()
            .acquire_many_owned(permits)
            .await
        {
            Ok(p) => Some(p),
            Err(_) => {
                tracing::error!("persons-in-flight budget closed");
                return request_error(StatusCode::INTERNAL_SERVER_ERROR, HubError::Internal, lang);
            }
        }
    };
    let time = access
        .as_ref()
        .map_or_else(|| state.clock.request_time(), |a| a.time);
    let gate = crate::sources::gate::PollGate::default();
    let mut req = with_request_data(req, &state.sources, state.limits.max_batch_ids, time, &gate)
        .data(crate::graphql::HubDb(state.dbs.hub().clone()))
        .data(state.reporter())
        .data(
            crate::graphql::departments::hrss_training::HistoryLoader::per_request(
                state.reporter(),
                state.limits.max_batch_ids,
                &gate,
            ),
        );
    if let Some(a) = &access {
        req = req.data(a.clone());
    }
    if let Some(audit) = &state.audit {
        req = req.data(audit.clone());
    }
    let mut resp = gate
        .wrap(state.schema.execute(req))
        .instrument(tracing::info_span!("graphql"))
        .await;
    if let Some(a) = &access {
        resp.errors.extend(a.refusals());
    }
    // Nothing personal leaves before its access is durably recorded: the request's
    // remaining events (a long batch had most of its own committed while it was being
    // answered) are taken now, committed while the response is rendered, and the response
    // is sent only once they are durable.
    let events = match (&access, &state.audit) {
        (Some(a), Some(_)) if a.audit_failed() => {
            return request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                HubError::AuditUnavailable,
                lang,
            );
        }
        (Some(a), Some(audit)) => Some((a.audit_events(audit), audit)),
        _ => None,
    };
    error::finalize(&mut resp, lang);
    let outcome = super::Outcome {
        code: resp.errors.first().and_then(|e| {
            let code = e.extensions.as_ref()?.get("code")?;
            crate::error::ErrorCode::all()
                .into_iter()
                .map(crate::error::ErrorCode::as_str)
                .find(|c| matches!(code, async_graphql::Value::String(s) if s == c))
        }),
        limit: None,
        consumer: access.as_ref().map(|a| a.consumer.name.clone()),
        operation: Some(super::operation_label(operation.as_deref())),
        // Validation and variable failures stop the engine before any field runs: no
        // data, and no error has a path.
        request_error: matches!(resp.data, async_graphql::Value::Null)
            && !resp.errors.is_empty()
            && resp.errors.iter().all(|e| e.path.is_empty()),
    };
    // A response about many persons is serialised (and its value tree freed, after the
    // answer is on its way) on a blocking thread; a small one takes less than the hand-off.
    let persons = access.as_ref().map_or(0, |a| a.subjects());
    let rendering = if outcome.request_error || persons <= INLINE_RESPONSE_PERSONS {
        Rendering::Inline(Box::new(resp))
    } else {
        Rendering::Spawned(tokio::task::spawn_blocking(move || {
            (serde_json::to_vec(&resp), resp)
        }))
    };
    if let Some((events, audit)) = events {
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
    let json = match rendering {
        // No field ran: the response carries errors and no `data` entry.
        Rendering::Inline(resp) if outcome.request_error => {
            serde_json::to_vec(&json!({ "errors": resp.errors })).map_err(|_| ())
        }
        Rendering::Inline(resp) => serde_json::to_vec(&*resp).map_err(|_| ()),
        Rendering::Spawned(task) => match task.await {
            Ok((json, resp)) => {
                tokio::task::spawn_blocking(move || drop(resp));
                json.map_err(|_| ())
            }
            Err(_) => Err(()),
        },
    };
    match json {
        Ok(json) => {
            let mut r = (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                json,
            )
                .into_response();
            r.extensions_mut().insert(outcome);
            r
        }
        Err(()) => {
            tracing::error!("response serialisation failed");
            request_error(StatusCode::INTERNAL_SERVER_ERROR, HubError::Internal, lang)
        }
    }
}

/// A response serialised after the audit commit, or one being serialised beside it.
enum Rendering {
    Inline(Box<async_graphql::Response>),
    Spawned(tokio::task::JoinHandle<(serde_json::Result<Vec<u8>>, async_graphql::Response)>),
}

/// Why a request stops before execution: at the HTTP level, or as a GraphQL error.
enum Refused {
    Http(StatusCode, HubError),
    Graphql(HubError),
}

/// One JSON GraphQL request, parsed and within every shape limit.
fn prepare(
    body: &[u8],
    types: &crate::graphql::TypeMap,
    limits: &crate::graphql::QueryLimits,
    docs: &crate::graphql::documents::DocumentCache,
) -> Result<(async_graphql::Request, Option<String>, usize), Refused> {
    // Array batching is not offered: one operation per HTTP request keeps limits and audit
    // per request meaningful. Only a JSON object is a request (serde would also read a
    // struct from an array).
    let object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    let parsed = if object {
        serde_json::from_slice::<async_graphql::Request>(body).ok()
    } else {
        None
    };
    let mut req = parsed.ok_or(()).map_err(|_| {
        Refused::Http(
            StatusCode::BAD_REQUEST,
            HubError::BadRequest(RequestProblem::NotOneJsonRequest),
        )
    })?;
    if req.query.trim().is_empty() {
        return Err(Refused::Http(
            StatusCode::BAD_REQUEST,
            HubError::BadRequest(RequestProblem::NoQuery),
        ));
    }
    if req.query.len() > limits.max_query_bytes {
        return Err(Refused::Graphql(HubError::LimitExceeded {
            what: "queryBytes",
            limit: limits.max_query_bytes,
            got: req.query.len(),
        }));
    }
    let doc = docs.get_or_parse(&req.query, || {
        limits::check_tokens(&req.query, limits.max_tokens).map_err(Refused::Graphql)?;
        async_graphql::parser::parse_query(&req.query)
            .map_err(|e| Refused::Graphql(parse_error(&e, limits)))
    })?;
    let persons = limits::check(
        &doc,
        req.operation_name.as_deref(),
        &req.variables,
        types,
        limits,
    )
    .map_err(Refused::Graphql)?;
    // The metrics label: the name the client chose, or the document's only operation's.
    let operation = req
        .operation_name
        .clone()
        .or_else(|| match &doc.operations {
            async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                ops.keys().next().map(|n| n.to_string())
            }
            _ => None,
        });
    req.set_parsed_query(doc);
    Ok((req, operation, persons))
}

/// A syntax error says where, never what: quoting the source could echo an ID number.
fn parse_error(e: &async_graphql::parser::Error, limits: &crate::graphql::QueryLimits) -> HubError {
    if matches!(e, async_graphql::parser::Error::RecursionLimitExceeded) {
        let limit = limits.max_recursive_depth;
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

/// A GraphQL-level error found before execution.
fn graphql_error(e: HubError, lang: Lang) -> Response {
    let outcome = super::Outcome {
        request_error: true,
        ..super::Outcome::of(&e)
    };
    // A request error carries no `data` entry at all (GraphQL over HTTP).
    let mut r = Json(json!({ "errors": [e.render(lang)] })).into_response();
    r.extensions_mut().insert(outcome);
    r
}
