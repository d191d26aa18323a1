//! `POST /import/{kind}` (a county's CSV or Excel file, multipart, same key and purpose
//! as GraphQL) and `GET /import/templates/{kind}.xlsx` (the documented templates).

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{lang_of, request_error, RequestAccess};
use crate::domain::reports::ReportKind;
use crate::error::{ForbiddenReason, HubError};
use crate::reporting::bulk::{import_file, ImportError};
use crate::reporting::import::{template, FileFormat, ImportLimits};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    accept_valid: bool,
}

/// The largest upload taken (the parser's own limit, plus multipart framing).
pub fn body_limit() -> usize {
    ImportLimits::default().max_file_bytes + 64 * 1024
}

pub async fn upload(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    let Some(access) = access else {
        return request_error(
            StatusCode::FORBIDDEN,
            HubError::forbidden(ForbiddenReason::ConsumerKind),
            lang,
        );
    };
    let Some(kind) = ReportKind::from_code(&kind) else {
        return request_error(
            StatusCode::NOT_FOUND,
            bad("unknown import kind (class, enrolment, result, certificate, subsidy)"),
            lang,
        );
    };
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let Some(name) = field.file_name().map(String::from) else {
                    continue;
                };
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(_) => {
                        return request_error(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            bad("the file could not be read (too large?)"),
                            lang,
                        )
                    }
                }
                break;
            }
            Ok(None) => break,
            Err(_) => {
                return request_error(
                    StatusCode::BAD_REQUEST,
                    bad("not a multipart/form-data upload"),
                    lang,
                )
            }
        }
    }
    let Some((name, bytes)) = file else {
        return request_error(
            StatusCode::BAD_REQUEST,
            bad("no file in the upload (a form field with a file name)"),
            lang,
        );
    };
    let Some(format) = FileFormat::from_name(&name) else {
        return file_error(
            "UNKNOWN_FORMAT",
            crate::i18n::Lang::pick(
                lang,
                "仅支持 .csv 与 .xlsx 文件",
                "only .csv and .xlsx files are accepted",
            ),
        );
    };
    let reporter = state.reporter();
    let result = import_file(
        &reporter,
        &access,
        kind,
        format,
        &bytes,
        q.accept_valid,
        lang,
    )
    .await;
    // The rule decisions taken for claims are reads of the persons: audited first.
    if let Some(audit) = &state.audit {
        let events = access.audit_events(audit);
        if !events.is_empty() && audit.append(events).await.is_err() {
            return request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                HubError::AuditUnavailable,
                lang,
            );
        }
    }
    match result {
        Ok(r) => {
            let status = if r.rejected_rows > 0 && !r.written {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, Json(r)).into_response()
        }
        Err(ImportError::File(e)) => file_error(e.code(), &e.message(lang)),
        Err(ImportError::Hub(e)) => {
            let status = match e.code() {
                crate::error::ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                crate::error::ErrorCode::AuditUnavailable
                | crate::error::ErrorCode::SourceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
                crate::error::ErrorCode::Conflict => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            request_error(status, e, lang)
        }
    }
}

fn bad(detail: &str) -> HubError {
    HubError::BadUserInput {
        detail: Some(detail.into()),
    }
}

/// A file that cannot be read at all: `BAD_USER_INPUT` with the parser's reason.
fn file_error(reason: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT", "reason": reason } }] })),
    )
        .into_response()
}

pub async fn download_template(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let kind = file.strip_suffix(".xlsx").and_then(ReportKind::from_code);
    let Some(kind) = kind else {
        return request_error(
            StatusCode::NOT_FOUND,
            bad("unknown template (class, enrolment, result, certificate, subsidy).xlsx"),
            lang,
        );
    };
    match template(kind) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.xlsx\"", kind.code()),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template could not be written");
            request_error(StatusCode::INTERNAL_SERVER_ERROR, HubError::Internal, lang)
        }
    }
}
