//! The hub's error boundary: one closed set of error codes, the typed errors resolvers
//! raise, and the pass over every GraphQL response that gives each error its code and a
//! message in the caller's language without leaking internals.

use async_graphql::{ErrorExtensionValues, Response, ServerError};

use crate::departments::Department;
use crate::i18n::Lang;
use crate::id_number::IdNumberError;

/// Every `extensions.code` the hub ever sends. Published in the schema as `ErrorCode`.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// A resident ID number failed validation; `extensions.reason` says why.
    InvalidIdNumber,
    /// Some other argument is malformed.
    BadUserInput,
    /// The HTTP request is not a single GraphQL request in JSON (or batched, which is off).
    BadRequest,
    /// The request is not valid GraphQL syntax.
    GraphqlParseFailed,
    /// The request does not match the schema.
    GraphqlValidationFailed,
    /// No, wrong or revoked consumer key.
    Unauthenticated,
    /// The consumer may not read this field or person.
    Forbidden,
    NotFound,
    /// A department's source could not be read; `extensions.department` names it.
    SourceUnavailable,
    /// A request exceeds a configured limit (batch size, depth, complexity, body size).
    LimitExceeded,
    /// The audit trail cannot be written, so personal data is not served.
    AuditUnavailable,
    /// Anything else; details are only in the server log.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidIdNumber => "INVALID_ID_NUMBER",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::BadRequest => "BAD_REQUEST",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::SourceUnavailable => "SOURCE_UNAVAILABLE",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::AuditUnavailable => "AUDIT_UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// Errors resolvers raise. They are carried as the error's source and rendered, in the
/// caller's language, by [`finalize`].
#[derive(Debug, Clone, thiserror::Error)]
pub enum HubError {
    #[error("invalid ID number: {0}")]
    InvalidIdNumber(IdNumberError),
    #[error("limit exceeded: {what} {got} > {limit}")]
    LimitExceeded {
        what: &'static str,
        limit: usize,
        got: usize,
    },
    #[error("source unavailable: {0:?}")]
    SourceUnavailable(Department),
    #[error("internal error")]
    Internal,
}

impl HubError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidIdNumber(_) => ErrorCode::InvalidIdNumber,
            Self::LimitExceeded { .. } => ErrorCode::LimitExceeded,
            Self::SourceUnavailable(_) => ErrorCode::SourceUnavailable,
            Self::Internal => ErrorCode::Internal,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::InvalidIdNumber(e), _) => e.message(lang),
            (Self::LimitExceeded { what, limit, got }, Lang::Zh) => {
                format!("{what} 数量 {got} 超过上限 {limit}")
            }
            (Self::LimitExceeded { what, limit, got }, Lang::En) => {
                format!("{what}: {got} exceeds the limit of {limit}")
            }
            (Self::SourceUnavailable(d), Lang::Zh) => {
                format!("数据源暂不可用：{}", d.name(Lang::Zh))
            }
            (Self::SourceUnavailable(d), Lang::En) => {
                format!("source unavailable: {}", d.name(Lang::En))
            }
            (Self::Internal, l) => l.pick("服务内部错误", "internal error").into(),
        }
    }

    fn extensions(&self) -> ErrorExtensionValues {
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", self.code().as_str());
        match self {
            Self::InvalidIdNumber(e) => set_id_reason(&mut ext, e),
            Self::LimitExceeded { limit, .. } => ext.set("limit", *limit as u64),
            Self::SourceUnavailable(d) => ext.set("department", d.code()),
            Self::Internal => {}
        }
        ext
    }
}

// `HubError` converts into `async_graphql::Error` through async-graphql's blanket impl,
// which keeps it as the error's source; `finalize` renders it from there.

fn set_id_reason(ext: &mut ErrorExtensionValues, e: &IdNumberError) {
    ext.set("code", ErrorCode::InvalidIdNumber.as_str());
    ext.set("reason", e.reason());
    match e {
        IdNumberError::Length(n) => ext.set("length", *n as u64),
        IdNumberError::Character(p) => ext.set("position", *p as u64),
        _ => {}
    }
}

/// The input error of an `IdNumber` scalar. The scalar has no request context, so it
/// records the reason and [`finalize`] writes the message in the caller's language.
pub fn id_number_input_error<T: async_graphql::InputType>(
    e: &IdNumberError,
) -> async_graphql::InputValueError<T> {
    // The reason also travels in the message, between markers: async-graphql drops the
    // extensions when the scalar sits inside a list, and the boundary re-words it anyway.
    let param = match e {
        IdNumberError::Length(n) => *n,
        IdNumberError::Character(p) => *p,
        _ => 0,
    };
    let err = async_graphql::InputValueError::custom(format!(
        "{ID_MARK}{}|{param}{ID_MARK} {}",
        e.reason(),
        e.message(Lang::Zh)
    ))
    .with_extension("code", ErrorCode::InvalidIdNumber.as_str())
    .with_extension("reason", e.reason());
    match e {
        IdNumberError::Length(n) => err.with_extension("length", *n as u64),
        IdNumberError::Character(p) => err.with_extension("position", *p as u64),
        _ => err,
    }
}

const ID_MARK: &str = "\u{2063}";

/// The ID-number error recorded between markers in an input error's message.
fn id_error_from_message(message: &str) -> Option<IdNumberError> {
    let start = message.find(ID_MARK)? + ID_MARK.len();
    let rest = &message[start..];
    let end = rest.find(ID_MARK)?;
    let (reason, param) = rest[..end].split_once('|')?;
    let param: usize = param.parse().ok()?;
    Some(match reason {
        "NOT_A_STRING" => IdNumberError::NotAString,
        "LENGTH" => IdNumberError::Length(param),
        "CHARACTER" => IdNumberError::Character(param),
        "PROVINCE" => IdNumberError::Province,
        "BIRTH_DATE" => IdNumberError::BirthDate,
        "FUTURE_BIRTH_DATE" => IdNumberError::FutureBirthDate,
        "BIRTH_YEAR_TOO_EARLY" => IdNumberError::BirthYearTooEarly,
        "CHECKSUM" => IdNumberError::Checksum,
        _ => return None,
    })
}

/// The error boundary every GraphQL response passes through before it is sent.
///
/// - errors raised as [`HubError`] get their message in `lang`;
/// - `IdNumber` input errors are re-worded from their recorded reason;
/// - engine errors (syntax, validation, bad arguments) get the matching code;
/// - anything else becomes `INTERNAL` with a generic message: its text is logged, not sent.
pub fn finalize(response: &mut Response, lang: Lang, query: &str) {
    if response.errors.is_empty() {
        return;
    }
    let parse_failed = async_graphql::parser::parse_query(query).is_err();
    for err in &mut response.errors {
        finalize_one(err, lang, parse_failed);
    }
}

fn finalize_one(err: &mut ServerError, lang: Lang, parse_failed: bool) {
    if let Some(e) = id_error_from_message(&err.message) {
        err.message = e.message(lang);
        let ext = err
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        set_id_reason(ext, &e);
        return;
    }
    if let Some(hub) = err
        .source
        .as_ref()
        .and_then(|s| s.downcast_ref::<HubError>())
    {
        err.message = hub.message(lang);
        err.extensions = Some(hub.extensions());
        return;
    }
    let code = err
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|v| match v {
            async_graphql::Value::String(s) => Some(s.clone()),
            async_graphql::Value::Enum(s) => Some(s.to_string()),
            _ => None,
        });
    match code.as_deref() {
        Some("INVALID_ID_NUMBER") => {
            if let Some(e) = err.extensions.as_ref().and_then(id_error_from_extensions) {
                err.message = e.message(lang);
            }
        }
        Some(_) => {}
        None if is_limit_message(&err.message) => set_code(err, ErrorCode::LimitExceeded),
        None if parse_failed => set_code(err, ErrorCode::GraphqlParseFailed),
        None if err.path.is_empty() => {
            let bad_input = err.message.contains("Failed to parse")
                || err.message.contains("Invalid value for argument")
                || err.message.contains("Variable \"");
            set_code(
                err,
                if bad_input {
                    ErrorCode::BadUserInput
                } else {
                    ErrorCode::GraphqlValidationFailed
                },
            );
        }
        None => {
            // A resolver error that did not go through HubError: never send its text.
            tracing::error!(message = %err.message, "unclassified resolver error");
            err.message = lang.pick("服务内部错误", "internal error").into();
            set_code(err, ErrorCode::Internal);
        }
    }
}

/// async-graphql's own messages for its depth, complexity, recursion and directive limits.
fn is_limit_message(m: &str) -> bool {
    m.contains("nested too deep")
        || m.contains("too complex")
        || m.contains("recursion depth")
        || m.contains("number of directives")
}

fn set_code(err: &mut ServerError, code: ErrorCode) {
    err.extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", code.as_str());
}

fn id_error_from_extensions(ext: &ErrorExtensionValues) -> Option<IdNumberError> {
    let int = |k: &str| match ext.get(k) {
        Some(async_graphql::Value::Number(n)) => n.as_u64().map(|n| n as usize),
        _ => None,
    };
    let reason = match ext.get("reason") {
        Some(async_graphql::Value::String(s)) => s.as_str(),
        _ => return None,
    };
    Some(match reason {
        "NOT_A_STRING" => IdNumberError::NotAString,
        "LENGTH" => IdNumberError::Length(int("length")?),
        "CHARACTER" => IdNumberError::Character(int("position")?),
        "PROVINCE" => IdNumberError::Province,
        "BIRTH_DATE" => IdNumberError::BirthDate,
        "FUTURE_BIRTH_DATE" => IdNumberError::FutureBirthDate,
        "BIRTH_YEAR_TOO_EARLY" => IdNumberError::BirthYearTooEarly,
        "CHECKSUM" => IdNumberError::Checksum,
        _ => return None,
    })
}
