//! The hub's error boundary: the closed set of error codes, the one error type every error
//! the hub sends is built from ([`HubError`]), and the pass over every GraphQL response
//! that renders each error in the caller's language without leaking internals.

use async_graphql::resolver_utils::EnumType;
use async_graphql::{ErrorExtensionValues, PathSegment, Response, ServerError, Value};

use crate::departments::Department;
use crate::i18n::Lang;
use crate::id_number::IdNumberError;

/// Every `extensions.code` the hub ever sends. Published in the schema as `ErrorCode`.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// A resident ID number failed validation; `extensions.reason` says why.
    InvalidIdNumber,
    /// Some other argument or variable is malformed or missing.
    BadUserInput,
    /// The HTTP request is not a single GraphQL request in JSON (or batched, which is off).
    BadRequest,
    /// The request is not valid GraphQL syntax; `extensions.line`/`column` say where.
    GraphqlParseFailed,
    /// The request does not match the schema.
    GraphqlValidationFailed,
    /// No, wrong or revoked consumer key.
    Unauthenticated,
    /// The consumer may not read this field or person; `extensions.reason` says why.
    Forbidden,
    NotFound,
    /// A department's source could not be read; `extensions.department` names it.
    SourceUnavailable,
    /// A request exceeds a configured limit; `extensions.what` and `limit` say which.
    LimitExceeded,
    /// The audit trail cannot be written, so personal data is not served.
    AuditUnavailable,
    /// A report clashes with what the hub holds: its `externalId` was used for different
    /// content (`extensions.fields` names the differences), the report it corrects was
    /// already corrected or retracted, or another write changed the record first.
    Conflict,
    /// A subsidy claim is refused by the screening rules; `extensions.rules` lists the
    /// violated rules this consumer may see.
    RuleViolation,
    /// Anything else; details are only in the server log.
    Internal,
}

impl ErrorCode {
    /// The code as sent, e.g. `INVALID_ID_NUMBER` (the GraphQL enum's own name).
    pub fn as_str(self) -> &'static str {
        Self::items()
            .iter()
            .find(|i| i.value == self)
            .map_or("INTERNAL", |i| i.name)
    }

    /// The whole closed set.
    pub fn all() -> Vec<ErrorCode> {
        Self::items().iter().map(|i| i.value).collect()
    }
}

/// Why a consumer is refused, sent as `extensions.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForbiddenReason {
    PurposeMissing,
    PurposeNotAllowed,
    /// A root field reserved for another kind of consumer.
    ConsumerKind,
    /// 不予共享: only the owning department may read it.
    OwnerOnly,
    NoGrant,
    GrantExpired,
    /// A grant exists but its region scope does not cover this person.
    GrantOutOfScope,
    /// The only grant says MASK, but this field has no masked form.
    Unmaskable,
    /// The person lies outside the consumer's region scope.
    OutOfScope,
}

impl ForbiddenReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::PurposeMissing => "PURPOSE_MISSING",
            Self::PurposeNotAllowed => "PURPOSE_NOT_ALLOWED",
            Self::ConsumerKind => "CONSUMER_KIND",
            Self::OwnerOnly => "OWNER_ONLY",
            Self::NoGrant => "NO_GRANT",
            Self::GrantExpired => "GRANT_EXPIRED",
            Self::GrantOutOfScope => "GRANT_OUT_OF_SCOPE",
            Self::Unmaskable => "UNMASKABLE",
            Self::OutOfScope => "OUT_OF_SCOPE",
        }
    }

    fn explain(self, lang: Lang) -> &'static str {
        match self {
            Self::PurposeMissing => lang.pick(
                "请求须在 X-Purpose 头中声明用途",
                "declare the purpose of use in the X-Purpose header",
            ),
            Self::PurposeNotAllowed => lang.pick(
                "用途未登记或未授权给本接入方",
                "the purpose is not registered or not allowed for this consumer",
            ),
            Self::ConsumerKind => lang.pick(
                "本接入方类型无权调用此查询",
                "this kind of consumer may not use this query",
            ),
            Self::OwnerOnly => lang.pick(
                "该字段不予共享，仅数据提供部门可读",
                "this field is not shared (owner department only)",
            ),
            Self::NoGrant => lang.pick("缺少该字段的共享授权", "no grant covers this field"),
            Self::GrantExpired => lang.pick(
                "该字段的共享授权已过期",
                "the grant for this field has expired",
            ),
            Self::GrantOutOfScope => lang.pick(
                "该字段的共享授权不覆盖此人所在区域",
                "the grant for this field does not cover this person's region",
            ),
            Self::Unmaskable => lang.pick(
                "授权为脱敏读取，但该字段没有脱敏形式",
                "the grant allows masked access only, and this field has no masked form",
            ),
            Self::OutOfScope => lang.pick(
                "此人不在本接入方的授权区域内",
                "this person is outside the consumer's region scope",
            ),
        }
    }
}

/// How often one refusal (same field, same reason) happened in a request, and where: one
/// error stands for all of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Occurrences {
    pub count: usize,
    /// The first few paths, in the order met.
    pub paths: Vec<Vec<PathSegment>>,
}

/// What is wrong with an HTTP request that never reaches GraphQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestProblem {
    Unreadable,
    /// The body is not declared `application/json`.
    NotJson,
    /// A query sent by GET (refused: ID numbers in URLs reach proxy logs).
    GetQuery,
    NotOneJsonRequest,
    /// A request object without a `query` (or with an empty one).
    NoQuery,
}

/// Why a claim cannot be checked; each names the input field (GraphQL spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("`{0}` is required for this kind of subsidy")]
    Missing(&'static str),
    #[error("`{0}` must be a positive number")]
    NotPositive(&'static str),
    #[error("`{0}` does not name a record of this person")]
    NotThePersons(&'static str),
}

impl ClaimError {
    /// The input field it names.
    pub fn field(self) -> &'static str {
        match self {
            Self::Missing(f) | Self::NotPositive(f) | Self::NotThePersons(f) => f,
        }
    }
}

/// Why a report conflicts with what the hub holds, sent as `extensions.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictReason {
    /// The `externalId` was used before for different content.
    ExternalIdReused,
    /// The report named was corrected, retracted or superseded since.
    Superseded,
    /// Another write changed the same record at the same moment; send it again.
    ConcurrentWrite,
    /// Other current records rest on this one (enrolments on a class, subsidies on an
    /// enrolment): retract those first.
    InUse,
}

impl ConflictReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::ExternalIdReused => "EXTERNAL_ID_REUSED",
            Self::Superseded => "SUPERSEDED",
            Self::ConcurrentWrite => "CONCURRENT_WRITE",
            Self::InUse => "IN_USE",
        }
    }
}

/// One violated screening rule, as a refused claim reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: &'static str,
    pub severity: &'static str,
    pub explanation_zh: String,
    pub explanation_en: String,
}

/// A report's field problems, as words and codes (built by the reporting layer, which
/// owns their wording).
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    /// GraphQL name of the field.
    pub field: String,
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

/// Every error the hub sends. Resolvers return it (async-graphql keeps it as the error's
/// source); extensions and HTTP handlers turn it into a [`ServerError`] with
/// [`HubError::into_server_error`]; [`finalize`] renders it in the caller's language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HubError {
    #[error("invalid ID number: {error}")]
    InvalidIdNumber {
        error: IdNumberError,
        /// Position in a list argument.
        index: Option<usize>,
    },
    /// An argument or variable the engine could not coerce, or a required one missing;
    /// `detail` is the engine's (English) wording with ID-like numbers removed.
    #[error("bad user input")]
    BadUserInput { detail: Option<String> },
    /// A claim to check that its kind does not allow (names the input field).
    #[error("bad claim: {0}")]
    BadClaim(ClaimError),
    #[error("bad request: {0:?}")]
    BadRequest(RequestProblem),
    #[error("parse failed")]
    ParseFailed { line: usize, column: usize },
    #[error("validation failed")]
    ValidationFailed { detail: String },
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden: {}", reason.code())]
    Forbidden {
        reason: ForbiddenReason,
        /// `Type.field`, for field-level decisions.
        field: Option<String>,
        consumer: Option<String>,
        purpose: Option<String>,
        seen: Option<Occurrences>,
    },
    #[error("limit exceeded: {what} {got} > {limit}")]
    LimitExceeded {
        what: &'static str,
        limit: usize,
        got: usize,
    },
    #[error("source unavailable: {0:?}")]
    SourceUnavailable(Department),
    /// A report with field problems; each names its field.
    #[error("invalid report")]
    InvalidReport(Vec<InputProblem>),
    #[error("conflict: {}", reason.code())]
    Conflict {
        reason: ConflictReason,
        /// For a reused `externalId`: the fields that differ.
        fields: Vec<String>,
    },
    /// Refused by the screening rules (only the rules the consumer may see).
    #[error("rule violation")]
    RuleViolation(Vec<Violation>),
    #[error("audit trail unavailable")]
    AuditUnavailable,
    #[error("internal error")]
    Internal,
}

impl HubError {
    /// A refusal that names no field.
    pub fn forbidden(reason: ForbiddenReason) -> Self {
        Self::Forbidden {
            reason,
            field: None,
            consumer: None,
            purpose: None,
            seen: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidIdNumber { .. } => ErrorCode::InvalidIdNumber,
            Self::BadUserInput { .. } | Self::BadClaim(_) => ErrorCode::BadUserInput,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::ParseFailed { .. } => ErrorCode::GraphqlParseFailed,
            Self::ValidationFailed { .. } => ErrorCode::GraphqlValidationFailed,
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Forbidden { .. } => ErrorCode::Forbidden,
            Self::LimitExceeded { .. } => ErrorCode::LimitExceeded,
            Self::SourceUnavailable(_) => ErrorCode::SourceUnavailable,
            Self::InvalidReport(_) => ErrorCode::BadUserInput,
            Self::Conflict { .. } => ErrorCode::Conflict,
            Self::RuleViolation(_) => ErrorCode::RuleViolation,
            Self::AuditUnavailable => ErrorCode::AuditUnavailable,
            Self::Internal => ErrorCode::Internal,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::InvalidIdNumber { error, .. } => error.message(lang),
            Self::BadUserInput { .. } => lang
                .pick(
                    "参数或变量的值无效或缺失（见 path 与 extensions.detail）",
                    "an argument or variable is invalid or missing (see path and extensions.detail)",
                )
                .into(),
            Self::BadClaim(e) => {
                use ClaimError as C;
                match (e, lang) {
                    (C::Missing(f), Lang::Zh) => format!("该类补贴须填写 {f}"),
                    (C::Missing(f), Lang::En) => format!("`{f}` is required for this kind of subsidy"),
                    (C::NotPositive(f), Lang::Zh) => format!("{f} 须为正数"),
                    (C::NotPositive(f), Lang::En) => format!("`{f}` must be a positive number"),
                    (C::NotThePersons(f), Lang::Zh) => format!("{f} 不是该身份证号本人的记录"),
                    (C::NotThePersons(f), Lang::En) => {
                        format!("`{f}` does not name a record of this person")
                    }
                }
            }
            Self::BadRequest(RequestProblem::Unreadable) => lang
                .pick("无法读取请求体", "cannot read the request body")
                .into(),
            Self::BadRequest(RequestProblem::GetQuery) => lang
                .pick(
                    "查询须以 POST 发送：URL 中的身份证号会留在代理和访问日志里",
                    "send queries by POST: ID numbers in a URL end up in proxy and access logs",
                )
                .into(),
            Self::BadRequest(RequestProblem::NotJson) => lang
                .pick(
                    "请求须以 Content-Type: application/json 发送",
                    "send the request as Content-Type: application/json",
                )
                .into(),
            Self::BadRequest(RequestProblem::NoQuery) => lang
                .pick(
                    "请求缺少 query（GraphQL 查询文本）",
                    "the request has no `query` (the GraphQL document)",
                )
                .into(),
            Self::BadRequest(RequestProblem::NotOneJsonRequest) => lang
                .pick(
                    "请求须为一个 JSON 格式的 GraphQL 请求（不支持批量数组）",
                    "the body must be one GraphQL request in JSON (array batching is not supported)",
                )
                .into(),
            Self::ParseFailed { line, column } => match lang {
                Lang::Zh => format!("GraphQL 语法错误：第 {line} 行第 {column} 列"),
                Lang::En => format!("GraphQL syntax error at line {line}, column {column}"),
            },
            Self::ValidationFailed { detail } => match lang {
                Lang::Zh => format!("查询与接口定义不符：{detail}"),
                Lang::En => format!("the query does not match the schema: {detail}"),
            },
            Self::Unauthenticated => lang
                .pick(
                    "缺少有效的接入密钥（Authorization: Bearer <key>），或密钥已被吊销",
                    "missing, wrong or revoked consumer key (Authorization: Bearer <key>)",
                )
                .into(),
            Self::Forbidden {
                reason,
                field: Some(field),
                consumer,
                purpose,
                ..
            } => {
                let who = format!(
                    "{} / {} / {field}",
                    consumer.as_deref().unwrap_or("-"),
                    purpose.as_deref().unwrap_or("-")
                );
                match lang {
                    Lang::Zh => format!(
                        "无权读取字段 {field}：{}（接入方/用途/字段：{who}）",
                        reason.explain(lang)
                    ),
                    Lang::En => format!(
                        "no access to {field}: {} (consumer/purpose/field: {who})",
                        reason.explain(lang)
                    ),
                }
            }
            Self::Forbidden {
                reason: ForbiddenReason::PurposeNotAllowed,
                purpose: Some(p),
                ..
            } => match lang {
                Lang::Zh => format!("用途 {p} 未登记或未授权给本接入方"),
                Lang::En => format!("purpose `{p}` is not registered or not allowed for this consumer"),
            },
            Self::Forbidden { reason, .. } => reason.explain(lang).into(),
            Self::LimitExceeded { what, limit, got } => match lang {
                Lang::Zh => format!("{what} 数量 {got} 超过上限 {limit}"),
                Lang::En => format!("{what}: {got} exceeds the limit of {limit}"),
            },
            Self::SourceUnavailable(d) => match lang {
                Lang::Zh => format!("数据源暂不可用：{}", d.name(Lang::Zh)),
                Lang::En => format!("source unavailable: {}", d.name(Lang::En)),
            },
            Self::InvalidReport(problems) => {
                let parts: Vec<&str> = problems
                    .iter()
                    .map(|p| match lang {
                        Lang::Zh => p.message_zh.as_str(),
                        Lang::En => p.message_en.as_str(),
                    })
                    .collect();
                match lang {
                    Lang::Zh => format!("上报内容有误：{}", parts.join("；")),
                    Lang::En => format!("the report is invalid: {}", parts.join("; ")),
                }
            }
            Self::Conflict { reason, fields } => {
                let list = fields.join(", ");
                match (reason, lang) {
                    (ConflictReason::ExternalIdReused, Lang::Zh) => {
                        format!("业务编号已用于内容不同的上报，不同的字段：{list}")
                    }
                    (ConflictReason::ExternalIdReused, Lang::En) => format!(
                        "this externalId was used for a report with different content; differing fields: {list}"
                    ),
                    (ConflictReason::Superseded, Lang::Zh) => {
                        "所指的上报已被更正、撤回或已有更新的上报，请针对最新上报操作".into()
                    }
                    (ConflictReason::Superseded, Lang::En) => {
                        "the report named was corrected, retracted or superseded; act on the latest report".into()
                    }
                    (ConflictReason::ConcurrentWrite, Lang::Zh) => {
                        "同一记录正被另一上报修改，请重新提交".into()
                    }
                    (ConflictReason::ConcurrentWrite, Lang::En) => {
                        "another write changed the same record at the same moment; send the report again".into()
                    }
                    (ConflictReason::InUse, Lang::Zh) => {
                        "仍有当前记录依赖该记录（如报名依赖培训班、补贴依赖报名），请先撤回这些记录".into()
                    }
                    (ConflictReason::InUse, Lang::En) => {
                        "current records rest on this one (enrolments on a class, subsidies on an enrolment); retract those first".into()
                    }
                }
            }
            Self::RuleViolation(v) => {
                let rules: Vec<&str> = v.iter().map(|v| v.rule).collect();
                match lang {
                    Lang::Zh => format!(
                        "补贴申领未通过筛查规则：{}（见 extensions.rules）",
                        rules.join("、")
                    ),
                    Lang::En => format!(
                        "the claim breaks screening rules: {} (see extensions.rules)",
                        rules.join(", ")
                    ),
                }
            }
            Self::AuditUnavailable => lang
                .pick(
                    "审计日志暂不可写，为保证每次访问均有记录，本次请求不予服务",
                    "the audit trail cannot be written, so personal data is not served",
                )
                .into(),
            Self::Internal => lang.pick("服务内部错误", "internal error").into(),
        }
    }

    pub fn extensions(&self) -> ErrorExtensionValues {
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", self.code().as_str());
        match self {
            Self::InvalidIdNumber { error, index } => {
                ext.set("reason", error.reason());
                match error {
                    IdNumberError::Length(n) => ext.set("length", *n as u64),
                    IdNumberError::Character(p) => ext.set("position", *p as u64),
                    _ => {}
                }
                if let Some(i) = index {
                    ext.set("index", *i as u64);
                }
            }
            Self::BadUserInput { detail: Some(d) } => ext.set("detail", d.as_str()),
            Self::BadClaim(e) => ext.set("field", e.field()),
            Self::ParseFailed { line, column } => {
                ext.set("line", *line as u64);
                ext.set("column", *column as u64);
            }
            Self::Unauthenticated => ext.set("reason", "BAD_KEY"),
            Self::Forbidden {
                reason,
                field,
                purpose,
                seen,
                ..
            } => {
                ext.set("reason", reason.code());
                if let Some(f) = field {
                    ext.set("field", f.as_str());
                }
                if let (Some(p), Some(_)) = (purpose, field) {
                    ext.set("purpose", p.as_str());
                }
                if let Some(seen) = seen {
                    ext.set("count", seen.count as u64);
                    let paths = seen.paths.iter().map(|p| {
                        Value::List(
                            p.iter()
                                .map(|s| match s {
                                    PathSegment::Field(f) => Value::String(f.clone()),
                                    PathSegment::Index(i) => Value::from(*i as u64),
                                })
                                .collect(),
                        )
                    });
                    ext.set("paths", Value::List(paths.collect()));
                }
            }
            Self::LimitExceeded { what, limit, .. } => {
                ext.set("what", *what);
                ext.set("limit", *limit as u64);
            }
            Self::SourceUnavailable(d) => ext.set("department", d.code()),
            Self::InvalidReport(problems) => {
                if let Some(first) = problems.first() {
                    ext.set("field", first.field.as_str());
                }
                let list = problems.iter().map(|p| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(
                        async_graphql::Name::new("field"),
                        Value::from(p.field.as_str()),
                    );
                    m.insert(async_graphql::Name::new("problem"), Value::from(p.code));
                    Value::Object(m)
                });
                ext.set("problems", Value::List(list.collect()));
            }
            Self::Conflict { reason, fields } => {
                ext.set("reason", reason.code());
                if !fields.is_empty() {
                    let list = fields.iter().map(|f| Value::from(f.as_str()));
                    ext.set("fields", Value::List(list.collect()));
                }
            }
            Self::RuleViolation(v) => {
                let list = v.iter().map(|v| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(async_graphql::Name::new("rule"), Value::from(v.rule));
                    m.insert(
                        async_graphql::Name::new("severity"),
                        Value::from(v.severity),
                    );
                    Value::Object(m)
                });
                ext.set("rules", Value::List(list.collect()));
            }
            _ => {}
        }
        ext
    }

    /// The error as a GraphQL error at `path`, rendered later by [`finalize`].
    pub fn into_server_error(self, path: Vec<PathSegment>) -> ServerError {
        let mut err = ServerError::new(self.to_string(), None);
        err.path = path;
        err.source = Some(std::sync::Arc::new(self));
        err
    }

    /// Rendered now, for responses that never pass through [`finalize`].
    pub fn render(self, lang: Lang) -> ServerError {
        let mut err = self.clone().into_server_error(Vec::new());
        err.message = self.message(lang);
        err.extensions = Some(self.extensions());
        err
    }
}

/// The input error of an `IdNumber` scalar. The scalar has no request context, so it
/// records the typed reason in the extensions and [`finalize`] words it.
pub fn id_number_input_error<T: async_graphql::InputType>(
    e: &IdNumberError,
) -> async_graphql::InputValueError<T> {
    let err = async_graphql::InputValueError::custom(e.message(Lang::En))
        .with_extension("code", ErrorCode::InvalidIdNumber.as_str())
        .with_extension("reason", e.reason());
    match e.param() {
        Some(n) => err.with_extension("param", n as u64),
        None => err,
    }
}

/// The ID-number error an `IdNumber` scalar recorded in an error's extensions.
fn id_error_from_extensions(ext: &ErrorExtensionValues) -> Option<IdNumberError> {
    match ext.get("code") {
        Some(Value::String(c)) if c == ErrorCode::InvalidIdNumber.as_str() => {}
        _ => return None,
    }
    let reason = match ext.get("reason") {
        Some(Value::String(s)) => s.as_str(),
        _ => return None,
    };
    let param = match ext.get("param") {
        Some(Value::Number(n)) => n.as_u64().map(|n| n as usize),
        _ => None,
    };
    IdNumberError::from_reason(reason, param)
}

/// Most errors one response carries; past that, one `LIMIT_EXCEEDED` stands for the rest.
pub const MAX_ERRORS: usize = 100;

/// The error boundary every GraphQL response passes through before it is sent.
///
/// - a [`HubError`] (the source of every error the hub raises) is rendered in `lang`;
/// - an `IdNumber` argument error is rendered from the reason the scalar recorded;
/// - any other error with a path comes from the engine coercing an argument (resolvers
///   only raise `HubError`): `BAD_USER_INPUT`;
/// - any other error without a path is a validation error (syntax and limits are checked
///   before execution and raise `HubError`): `GRAPHQL_VALIDATION_FAILED`.
///
/// Engine wording is kept only as a detail, with anything like an ID number removed. At
/// most [`MAX_ERRORS`] errors are sent.
pub fn finalize(response: &mut Response, lang: Lang) {
    if response.errors.len() > MAX_ERRORS {
        let got = response.errors.len();
        response.errors.truncate(MAX_ERRORS - 1);
        response.errors.push(
            HubError::LimitExceeded {
                what: "errors",
                limit: MAX_ERRORS,
                got,
            }
            .into_server_error(Vec::new()),
        );
    }
    for err in &mut response.errors {
        let hub = match err
            .source
            .as_ref()
            .and_then(|s| s.downcast_ref::<HubError>())
        {
            Some(h) => h.clone(),
            None => match err.extensions.as_ref().and_then(id_error_from_extensions) {
                Some(error) => HubError::InvalidIdNumber { error, index: None },
                None if !err.path.is_empty() => HubError::BadUserInput {
                    detail: Some(redact(&err.message)),
                },
                None => HubError::ValidationFailed {
                    detail: redact(&err.message),
                },
            },
        };
        err.message = hub.message(lang);
        err.extensions = Some(hub.extensions());
    }
}

/// `text` with every run of 15 or more digits (an ID number, legacy or current, perhaps
/// ending in X) replaced, so that no error echoes one back.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_digit).count() >= 15 {
            out.push_str("[…]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || ((c == 'X' || c == 'x') && !run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_listed_once_and_named_as_in_the_schema() {
        let all = ErrorCode::all();
        assert_eq!(all.len(), 14);
        assert_eq!(ErrorCode::InvalidIdNumber.as_str(), "INVALID_ID_NUMBER");
        assert_eq!(
            ErrorCode::GraphqlParseFailed.as_str(),
            "GRAPHQL_PARSE_FAILED"
        );
    }

    #[test]
    fn redact_removes_id_numbers_only() {
        assert_eq!(
            redact("found \"37152419731109066X\" and 4294967295"),
            "found \"[…]\" and 4294967295"
        );
        assert_eq!(redact("371524731109066"), "[…]");
    }
}
