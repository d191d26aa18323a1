//! Reports into the HRSS training records (实名制上报): what a training institution or a
//! county office files — classes, enrolments, results, certificates, subsidies — as plain
//! values, the fields each kind has (GraphQL name and the Chinese column header of the
//! county templates), and the checks a report passes on its own, before any record is
//! looked up.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::hrss_training::{
    CertificateKind, SkillLevel, SubsidyKind, TrainingResult, TrainingType,
};
use crate::i18n::Lang;
use crate::id_number::IdNumber;

/// The kinds of report, each filing one kind of record (a result is a new version of an
/// enrolment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportKind {
    Class,
    Enrolment,
    Result,
    Certificate,
    Subsidy,
}

impl ReportKind {
    pub const ALL: [ReportKind; 5] = [
        Self::Class,
        Self::Enrolment,
        Self::Result,
        Self::Certificate,
        Self::Subsidy,
    ];

    /// The code in URLs, CLI arguments and the version log: `class`, `enrolment`, …
    pub fn code(self) -> &'static str {
        match self {
            Self::Class => "class",
            Self::Enrolment => "enrolment",
            Self::Result => "result",
            Self::Certificate => "certificate",
            Self::Subsidy => "subsidy",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Self::Class => lang.pick("开班备案", "class filing"),
            Self::Enrolment => lang.pick("学员报名", "enrolment"),
            Self::Result => lang.pick("培训结果", "training result"),
            Self::Certificate => lang.pick("证书发放", "certificate"),
            Self::Subsidy => lang.pick("补贴发放", "subsidy payment"),
        }
    }

    /// The record a report of this kind files or versions.
    pub fn record(self) -> RecordKind {
        match self {
            Self::Class => RecordKind::Class,
            Self::Enrolment | Self::Result => RecordKind::Enrolment,
            Self::Certificate => RecordKind::Certificate,
            Self::Subsidy => RecordKind::Subsidy,
        }
    }

    /// The fields of this kind of report, in template column order (the `externalId`
    /// column comes first in every template and is not listed here).
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Self::Class => CLASS_FIELDS,
            Self::Enrolment => ENROL_FIELDS,
            Self::Result => RESULT_FIELDS,
            Self::Certificate => CERTIFICATE_FIELDS,
            Self::Subsidy => SUBSIDY_FIELDS,
        }
    }
}

/// The HRSS training records reports write. Each keeps its id across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordKind {
    Class,
    Enrolment,
    Certificate,
    Subsidy,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Class => "CLASS",
            Self::Enrolment => "ENROLMENT",
            Self::Certificate => "CERTIFICATE",
            Self::Subsidy => "SUBSIDY",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Class,
            Self::Enrolment,
            Self::Certificate,
            Self::Subsidy,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// What a version of a record did: filed it, corrected it, or withdrew it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportAction {
    File,
    Correct,
    Retract,
}

impl ReportAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::File => "FILE",
            Self::Correct => "CORRECT",
            Self::Retract => "RETRACT",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::File, Self::Correct, Self::Retract]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// One version of a record as the version log keeps it: the report as sent, the record
/// after it, and why — so that audit and screening can see what was paid on the basis
/// of what, after any correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportVersion {
    pub version_id: i64,
    pub record: RecordKind,
    /// Kept across versions.
    pub record_id: i64,
    pub version: i32,
    pub previous_version_id: Option<i64>,
    pub kind: ReportKind,
    pub action: ReportAction,
    /// For a correction or retraction: the version it corrects.
    pub corrects_version_id: Option<i64>,
    pub external_id: String,
    /// The reporting consumer, by its name at the time.
    pub reporter: String,
    /// The report as sent (JSON).
    pub content: String,
    /// The record after this version (JSON); none once retracted.
    pub snapshot: Option<String>,
    /// A late filing or enrolment, correction or retraction reason.
    pub reason: Option<String>,
    pub override_by: Option<String>,
    pub override_reason: Option<String>,
    pub overridden_rules: Vec<String>,
    pub reported_at: DateTime<Utc>,
}

/// One field of a report: its GraphQL (and JSON) name, the Chinese column header of the
/// county template, an English label, and whether it must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub required: bool,
}

const fn f(name: &'static str, zh: &'static str, en: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        zh,
        en,
        required,
    }
}

/// The report's own key in the reporting system: the first column of every template.
pub const EXTERNAL_ID: FieldSpec = f("externalId", "业务编号", "external ID", true);

pub const CLASS_FIELDS: &[FieldSpec] = &[
    f(
        "institutionUscc",
        "培训机构统一社会信用代码",
        "institution USCC",
        true,
    ),
    f("occupationCode", "职业(工种)代码", "occupation code", true),
    f("occupationName", "职业(工种)名称", "occupation name", true),
    f("level", "等级", "level", true),
    f("trainingType", "培训类型", "training type", true),
    f(
        "livingAllowanceEligible",
        "可享生活费补贴",
        "living allowance eligible",
        true,
    ),
    f("online", "线上培训", "online", true),
    f("filedOn", "备案日期", "filing date", true),
    f("startDate", "开班日期", "start date", true),
    f("endDate", "结业日期", "end date", true),
    f("hours", "课时", "hours", true),
    f("regionCode", "开班地区代码", "region code", true),
    f(
        "lateFilingReason",
        "补备案原因",
        "late filing reason",
        false,
    ),
];

pub const ENROL_FIELDS: &[FieldSpec] = &[
    f("idNumber", "身份证号码", "ID number", true),
    f("traineeName", "姓名", "name", true),
    f("phone", "联系电话", "phone", true),
    f("classId", "班级编号", "class ID", true),
    f("enrolledOn", "报名日期", "enrolment date", true),
    f(
        "lateEnrolmentReason",
        "补报名原因",
        "late enrolment reason",
        false,
    ),
];

pub const RESULT_FIELDS: &[FieldSpec] = &[
    f("enrolmentId", "报名编号", "enrolment ID", true),
    f("result", "培训结果", "result", true),
    f("attendedHours", "实际课时", "attended hours", true),
    f("resultOn", "结果日期", "result date", true),
];

pub const CERTIFICATE_FIELDS: &[FieldSpec] = &[
    f("idNumber", "身份证号码", "ID number", true),
    f("kind", "证书类型", "certificate kind", true),
    f("certificateNo", "证书编号", "certificate number", true),
    f("occupationCode", "职业(工种)代码", "occupation code", true),
    f("occupationName", "职业(工种)名称", "occupation name", true),
    f("level", "等级", "level", true),
    f("issuedOn", "发证日期", "issue date", true),
    f("issuer", "发证机构", "issuer", true),
    f("enrolmentId", "报名编号", "enrolment ID", false),
];

pub const SUBSIDY_FIELDS: &[FieldSpec] = &[
    f("idNumber", "身份证号码", "ID number", true),
    f("kind", "补贴类型", "subsidy kind", true),
    f("amountFen", "金额(分)", "amount (fen)", true),
    f("paidOn", "发放日期", "payment date", true),
    f("payingCounty", "发放县区代码", "paying county", true),
    f("enrolmentId", "报名编号", "enrolment ID", false),
    f("certificateId", "证书编号(系统)", "certificate ID", false),
    f(
        "employerUscc",
        "用工单位统一社会信用代码",
        "employer USCC",
        false,
    ),
    f("months", "以工代训月数", "months", false),
];

/// A training class filed before it opens (先备案、后开班).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassReport {
    pub institution_uscc: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub training_type: TrainingType,
    pub living_allowance_eligible: bool,
    pub online: bool,
    pub filed_on: NaiveDate,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: i32,
    pub region_code: String,
    /// Why the class is filed after it started; recorded, and screening still judges it.
    pub late_filing_reason: Option<String>,
}

/// A trainee enrolled in a class before it starts (先报名、后培训).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolReport {
    pub id_number: IdNumber,
    pub trainee_name: String,
    pub phone: String,
    pub class_id: i64,
    pub enrolled_on: NaiveDate,
    pub late_enrolment_reason: Option<String>,
}

/// A trainee's result (a trainee who leaves a class is `WITHDRAWN`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultReport {
    pub enrolment_id: i64,
    pub result: TrainingResult,
    pub attended_hours: i32,
    pub result_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateReport {
    pub id_number: IdNumber,
    pub kind: CertificateKind,
    pub certificate_no: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub issued_on: NaiveDate,
    pub issuer: String,
    pub enrolment_id: Option<i64>,
}

/// A subsidy paid, in fen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubsidyReport {
    pub id_number: IdNumber,
    pub kind: SubsidyKind,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub paying_county: String,
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    pub employer_uscc: Option<String>,
    pub months: Option<i32>,
}

/// One report's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "content", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Report {
    Class(ClassReport),
    Enrolment(EnrolReport),
    Result(ResultReport),
    Certificate(CertificateReport),
    Subsidy(SubsidyReport),
}

impl Report {
    pub fn kind(&self) -> ReportKind {
        match self {
            Self::Class(_) => ReportKind::Class,
            Self::Enrolment(_) => ReportKind::Enrolment,
            Self::Result(_) => ReportKind::Result,
            Self::Certificate(_) => ReportKind::Certificate,
            Self::Subsidy(_) => ReportKind::Subsidy,
        }
    }

    /// The person the report is about, when it names one itself.
    pub fn id_number(&self) -> Option<&IdNumber> {
        match self {
            Self::Enrolment(r) => Some(&r.id_number),
            Self::Certificate(r) => Some(&r.id_number),
            Self::Subsidy(r) => Some(&r.id_number),
            Self::Class(_) | Self::Result(_) => None,
        }
    }

    /// The content as a JSON object keyed by field name: what idempotency compares.
    pub fn content(&self) -> serde_json::Map<String, serde_json::Value> {
        let inner = match self {
            Self::Class(r) => serde_json::to_value(r),
            Self::Enrolment(r) => serde_json::to_value(r),
            Self::Result(r) => serde_json::to_value(r),
            Self::Certificate(r) => serde_json::to_value(r),
            Self::Subsidy(r) => serde_json::to_value(r),
        };
        match inner {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        }
    }
}

/// The fields whose values differ between two contents (a field missing on one side
/// counts as null), sorted by name.
pub fn differing_fields(
    a: &serde_json::Map<String, serde_json::Value>,
    b: &serde_json::Map<String, serde_json::Value>,
) -> Vec<String> {
    let null = serde_json::Value::Null;
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| a.get(*n).unwrap_or(&null) != b.get(*n).unwrap_or(&null))
        .cloned()
        .collect()
}

/// What is wrong with one field of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Problem {
    /// Required and not given (or blank).
    Missing,
    /// Not a valid resident ID number; `reason` is the ID-number error's reason code.
    InvalidIdNumber { reason: String },
    /// Not a value of the expected form; `expected` describes the form (English).
    Malformed { expected: String },
    /// Must be a positive integer.
    NotPositive,
    /// Must not be negative.
    Negative,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// A date after today (China Standard Time).
    InFuture,
    /// Must be on or after the date in field `other`.
    Before { other: String },
    /// Must be on or before the date in field `other`, unless a reason is given in `reason`.
    After {
        other: String,
        reason: Option<String>,
    },
    /// Names no record the hub holds (or none the reporter may write for).
    NotFound,
    /// The training institution is not on the directory (目录清单).
    NotInDirectory,
    /// Does not match field `other` of the record it refers to.
    Mismatch { other: String },
    /// Names a record of another person.
    NotThePersons,
    /// Required for this kind (e.g. employer and months for 以工代训).
    RequiredForKind,
    /// The number is given with full-width digits (全角), e.g. pasted from a Chinese form.
    FullWidthDigits,
    /// A spreadsheet cell holds a formula; only values are accepted.
    Formula,
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "MISSING",
            Self::InvalidIdNumber { .. } => "INVALID_ID_NUMBER",
            Self::Malformed { .. } => "MALFORMED",
            Self::NotPositive => "NOT_POSITIVE",
            Self::Negative => "NEGATIVE",
            Self::TooLong { .. } => "TOO_LONG",
            Self::InFuture => "IN_FUTURE",
            Self::Before { .. } => "BEFORE",
            Self::After { .. } => "AFTER",
            Self::NotFound => "NOT_FOUND",
            Self::NotInDirectory => "NOT_IN_DIRECTORY",
            Self::Mismatch { .. } => "MISMATCH",
            Self::NotThePersons => "NOT_THE_PERSONS",
            Self::RequiredForKind => "REQUIRED_FOR_KIND",
            Self::FullWidthDigits => "FULL_WIDTH_DIGITS",
            Self::Formula => "FORMULA",
        }
    }

    /// The problem in words, naming the field by `label` (its template header in Chinese,
    /// its GraphQL name in English).
    pub fn message(&self, label: &str, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Self::Missing if zh => format!("{label} 为必填项"),
            Self::Missing => format!("`{label}` is required"),
            Self::InvalidIdNumber { reason } if zh => {
                format!("{label} 不是有效的身份证号（{reason}）")
            }
            Self::InvalidIdNumber { reason } => {
                format!("`{label}` is not a valid ID number ({reason})")
            }
            Self::Malformed { expected } if zh => {
                format!("{label} 格式不正确（应为 {}）", expected_zh(expected))
            }
            Self::Malformed { expected } => {
                format!(
                    "`{label}` is malformed (expected {})",
                    expected_en(expected)
                )
            }
            Self::NotPositive if zh => format!("{label} 须为正整数"),
            Self::NotPositive => format!("`{label}` must be a positive integer"),
            Self::Negative if zh => format!("{label} 不能为负数"),
            Self::Negative => format!("`{label}` must not be negative"),
            Self::TooLong { max } if zh => format!("{label} 超过 {max} 个字符"),
            Self::TooLong { max } => format!("`{label}` is longer than {max} characters"),
            Self::InFuture if zh => format!("{label} 不能晚于今天"),
            Self::InFuture => format!("`{label}` is after today"),
            Self::Before { other } if zh => format!("{label} 不能早于 {}", zh_of(other)),
            Self::Before { other } => format!("`{label}` is before `{other}`"),
            Self::After { other, reason } if zh => match reason {
                Some(r) => format!("{label} 晚于 {}，须填写 {}", zh_of(other), zh_of(r)),
                None => format!("{label} 不能晚于 {}", zh_of(other)),
            },
            Self::After { other, reason } => match reason {
                Some(r) => format!("`{label}` is after `{other}`: give `{r}`"),
                None => format!("`{label}` is after `{other}`"),
            },
            Self::NotFound if zh => format!("{label} 所指的记录不存在或无权上报"),
            Self::NotFound => format!("`{label}` names no record you may report on"),
            Self::NotInDirectory if zh => format!("{label} 所指的培训机构不在目录清单内"),
            Self::NotInDirectory => format!("`{label}` names an institution not on the directory"),
            Self::Mismatch { other } if zh => {
                format!("{label} 与所属培训班的 {} 不一致", zh_of(other))
            }
            Self::Mismatch { other } => format!("`{label}` does not match the class's `{other}`"),
            Self::NotThePersons if zh => format!("{label} 不是该身份证号本人的记录"),
            Self::NotThePersons => format!("`{label}` names a record of another person"),
            Self::RequiredForKind if zh => format!("该类型须填写 {label}"),
            Self::RequiredForKind => format!("`{label}` is required for this kind"),
            Self::FullWidthDigits if zh => format!("{label} 含全角数字，请改为半角"),
            Self::FullWidthDigits => format!("`{label}` has full-width digits"),
            Self::Formula if zh => format!("{label} 单元格为公式，请粘贴为数值"),
            Self::Formula => format!("`{label}` is a formula cell; paste values only"),
        }
    }
}

/// The Chinese header of a field named in GraphQL spelling (itself when unknown).
pub fn zh_of(name: &str) -> &str {
    ReportKind::ALL
        .iter()
        .flat_map(|k| k.fields().iter())
        .chain(std::iter::once(&EXTERNAL_ID))
        .find(|f| f.name == name)
        .map_or(name, |f| f.zh)
}

fn expected_zh(expected: &str) -> &str {
    match expected {
        // A spreadsheet shows an unformatted date as a number like 45123.
        "date" => "日期：将单元格设为日期格式，或填写 2026-03-01 这样的文字",
        "integer" => "整数",
        "yes or no" => "是/否",
        "6-digit region code" => "6 位行政区划代码",
        "18-character USCC" => "18 位统一社会信用代码",
        "occupation code like 4-10-01-02" => "职业代码，如 4-10-01-02",
        "phone number" => "电话号码",
        other => other,
    }
}

fn expected_en(expected: &str) -> &str {
    match expected {
        "date" => "a date: format the cell as a date, or write YYYY-MM-DD",
        other => other,
    }
}

/// A problem with one named field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// GraphQL name of the field.
    pub field: String,
    #[serde(flatten)]
    pub problem: Problem,
}

impl FieldProblem {
    pub fn new(field: &str, problem: Problem) -> Self {
        Self {
            field: field.to_string(),
            problem,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let label = match lang {
            Lang::Zh => zh_of(&self.field),
            Lang::En => self.field.as_str(),
        };
        self.problem.message(label, lang)
    }
}

/// Longest text a free-text field takes.
const MAX_TEXT: usize = 64;
/// Longest reason (late filing, correction, override).
pub const MAX_REASON: usize = 500;

/// The checks a report passes on its own: required text present and short enough, codes
/// well-formed, dates real, in order and not in the future, numbers positive. Checks that
/// need the records (the class exists, the trainee enrolled before it started, …) are the
/// writer's.
pub fn check(report: &Report, today: NaiveDate) -> Vec<FieldProblem> {
    let mut c = Checker::default();
    match report {
        Report::Class(r) => {
            c.uscc("institutionUscc", &r.institution_uscc);
            c.occupation("occupationCode", &r.occupation_code);
            c.text("occupationName", &r.occupation_name);
            c.not_future("filedOn", r.filed_on, today);
            c.order("startDate", r.start_date, "endDate", r.end_date);
            c.positive("hours", i64::from(r.hours));
            c.region("regionCode", &r.region_code);
            c.reason("lateFilingReason", r.late_filing_reason.as_deref());
            if r.filed_on > r.start_date && blank(r.late_filing_reason.as_deref()) {
                c.push(
                    "filedOn",
                    Problem::After {
                        other: "startDate".into(),
                        reason: Some("lateFilingReason".into()),
                    },
                );
            }
        }
        Report::Enrolment(r) => {
            c.text("traineeName", &r.trainee_name);
            c.phone("phone", &r.phone);
            c.positive("classId", r.class_id);
            c.not_future("enrolledOn", r.enrolled_on, today);
            c.reason("lateEnrolmentReason", r.late_enrolment_reason.as_deref());
        }
        Report::Result(r) => {
            c.positive("enrolmentId", r.enrolment_id);
            if r.attended_hours < 0 {
                c.push("attendedHours", Problem::Negative);
            }
            c.not_future("resultOn", r.result_on, today);
        }
        Report::Certificate(r) => {
            c.text("certificateNo", &r.certificate_no);
            c.occupation("occupationCode", &r.occupation_code);
            c.text("occupationName", &r.occupation_name);
            c.not_future("issuedOn", r.issued_on, today);
            c.text("issuer", &r.issuer);
            if let Some(e) = r.enrolment_id {
                c.positive("enrolmentId", e);
            }
        }
        Report::Subsidy(r) => {
            c.positive("amountFen", r.amount_fen);
            c.not_future("paidOn", r.paid_on, today);
            c.region("payingCounty", &r.paying_county);
            if let Some(e) = r.enrolment_id {
                c.positive("enrolmentId", e);
            }
            if let Some(e) = r.certificate_id {
                c.positive("certificateId", e);
            }
            if r.kind == SubsidyKind::WorkForTraining {
                match r.employer_uscc.as_deref() {
                    Some(u) if !u.trim().is_empty() => c.uscc("employerUscc", u),
                    _ => c.push("employerUscc", Problem::RequiredForKind),
                }
                match r.months {
                    None => c.push("months", Problem::RequiredForKind),
                    Some(m) => c.positive("months", i64::from(m)),
                }
            } else if r.enrolment_id.is_none() && r.certificate_id.is_none() {
                c.push("enrolmentId", Problem::RequiredForKind);
            }
        }
    }
    c.0
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

#[derive(Default)]
struct Checker(Vec<FieldProblem>);

impl Checker {
    fn push(&mut self, field: &str, p: Problem) {
        self.0.push(FieldProblem::new(field, p));
    }

    fn malformed(&mut self, field: &str, expected: &str) {
        self.push(
            field,
            Problem::Malformed {
                expected: expected.into(),
            },
        );
    }

    fn text(&mut self, field: &str, v: &str) {
        if v.trim().is_empty() {
            self.push(field, Problem::Missing);
        } else if v.chars().count() > MAX_TEXT {
            self.push(field, Problem::TooLong { max: MAX_TEXT });
        }
    }

    fn reason(&mut self, field: &str, v: Option<&str>) {
        if v.is_some_and(|v| v.chars().count() > MAX_REASON) {
            self.push(field, Problem::TooLong { max: MAX_REASON });
        }
    }

    fn positive(&mut self, field: &str, v: i64) {
        if v <= 0 {
            self.push(field, Problem::NotPositive);
        }
    }

    fn not_future(&mut self, field: &str, d: NaiveDate, today: NaiveDate) {
        if d > today {
            self.push(field, Problem::InFuture);
        }
    }

    fn order(&mut self, first: &str, a: NaiveDate, second: &str, b: NaiveDate) {
        if b < a {
            self.push(
                second,
                Problem::Before {
                    other: first.into(),
                },
            );
        }
    }

    fn region(&mut self, field: &str, v: &str) {
        if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
            self.malformed(field, "6-digit region code");
        }
    }

    fn uscc(&mut self, field: &str, v: &str) {
        if v.len() != 18
            || !v
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            self.malformed(field, "18-character USCC");
        }
    }

    fn occupation(&mut self, field: &str, v: &str) {
        let ok = !v.is_empty()
            && v.len() <= 16
            && v.split('-')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            self.malformed(field, "occupation code like 4-10-01-02");
        }
    }

    fn phone(&mut self, field: &str, v: &str) {
        let digits = v.bytes().filter(u8::is_ascii_digit).count();
        let ok = (7..=20).contains(&v.len())
            && digits >= 7
            && v.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        if !ok {
            self.malformed(field, "phone number");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn class() -> ClassReport {
        ClassReport {
            institution_uscc: "91371500MA3C000001".into(),
            occupation_code: "4-10-01-02".into(),
            occupation_name: "育婴员".into(),
            level: SkillLevel::Level5,
            training_type: TrainingType::EmploymentSkills,
            living_allowance_eligible: true,
            online: false,
            filed_on: d("2026-03-01"),
            start_date: d("2026-03-10"),
            end_date: d("2026-03-30"),
            hours: 80,
            region_code: "371502".into(),
            late_filing_reason: None,
        }
    }

    #[test]
    fn a_class_filed_after_it_started_needs_a_reason() {
        let mut c = class();
        c.filed_on = d("2026-03-11");
        let problems = check(&Report::Class(c.clone()), d("2026-11-30"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "filedOn");
        assert!(problems[0].message(Lang::Zh).contains("补备案原因"));
        c.late_filing_reason = Some("系统故障补录".into());
        assert!(check(&Report::Class(c), d("2026-11-30")).is_empty());
    }

    #[test]
    fn the_start_day_itself_is_in_time_and_today_is_not_the_future() {
        let mut c = class();
        c.filed_on = c.start_date;
        assert!(check(&Report::Class(c.clone()), d("2026-11-30")).is_empty());
        c.filed_on = d("2026-03-10");
        assert!(check(&Report::Class(c.clone()), d("2026-03-10")).is_empty());
        assert_eq!(
            check(&Report::Class(c), d("2026-03-09"))[0].problem,
            Problem::InFuture
        );
    }

    #[test]
    fn differing_fields_name_each_change() {
        let a = Report::Class(class()).content();
        let mut c = class();
        c.hours = 81;
        c.late_filing_reason = Some("x".into());
        let b = Report::Class(c).content();
        assert_eq!(differing_fields(&a, &b), vec!["hours", "lateFilingReason"]);
        assert!(differing_fields(&a, &a).is_empty());
    }
}
