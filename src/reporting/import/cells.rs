//! One cell into one typed value: what each kind of field accepts from a CSV text or an
//! Excel cell, and the Chinese labels of the enums (shared with the template's notes).

use chrono::NaiveDate;

use crate::domain::hrss_training::{
    CertificateKind, SkillLevel, SubsidyKind, TrainingResult, TrainingType,
};
use crate::domain::reports::{Problem, ReportKind};
use crate::id_number::IdNumber;

/// A cell as read from either format. CSV gives only `Text`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A cell Excel formats as a date (or date and time: the time is dropped).
    Date(NaiveDate),
    /// A date-formatted cell holding no real date (Excel's 1900-02-29, a duration).
    BadDate,
    /// A formula: its cached value may be stale or depend on other sheets.
    Formula,
    /// An error value such as #N/A.
    Error,
}

impl Cell {
    pub(super) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// What kind of value a field takes, by its GraphQL name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FieldType {
    Text,
    /// Digits or letters that Excel must not turn into a number (codes, phone, USCC).
    Code,
    IdNumber,
    Date,
    Integer,
    Bool,
    /// One of the listed Chinese labels (or the code).
    Choice(Vec<&'static str>),
}

pub(super) fn field_type(kind: ReportKind, name: &str) -> FieldType {
    match name {
        "idNumber" => FieldType::IdNumber,
        "filedOn" | "startDate" | "endDate" | "enrolledOn" | "resultOn" | "issuedOn" | "paidOn" => {
            FieldType::Date
        }
        "hours" | "attendedHours" | "classId" | "enrolmentId" | "certificateId" | "months"
        | "amountFen" => FieldType::Integer,
        "livingAllowanceEligible" | "online" => FieldType::Bool,
        "level" => FieldType::Choice(labels(LEVELS)),
        "trainingType" => FieldType::Choice(labels(TRAINING_TYPES)),
        "result" => FieldType::Choice(labels(RESULTS)),
        "kind" if kind == ReportKind::Subsidy => FieldType::Choice(labels(SUBSIDY_KINDS)),
        "kind" => FieldType::Choice(labels(CERTIFICATE_KINDS)),
        "externalId" | "institutionUscc" | "employerUscc" | "occupationCode" | "regionCode"
        | "payingCounty" | "phone" | "certificateNo" => FieldType::Code,
        _ => FieldType::Text,
    }
}

/// An enum value with its code and the Chinese labels accepted for it (the first is the
/// one the template suggests).
pub(super) struct Choice<T: 'static> {
    code: &'static str,
    labels: &'static [&'static str],
    value: T,
}

const fn c<T>(code: &'static str, labels: &'static [&'static str], value: T) -> Choice<T> {
    Choice {
        code,
        labels,
        value,
    }
}

pub(super) const LEVELS: &[Choice<SkillLevel>] = &[
    c(
        "LEVEL_5",
        &["初级工(五级)", "五级", "初级工"],
        SkillLevel::Level5,
    ),
    c(
        "LEVEL_4",
        &["中级工(四级)", "四级", "中级工"],
        SkillLevel::Level4,
    ),
    c(
        "LEVEL_3",
        &["高级工(三级)", "三级", "高级工"],
        SkillLevel::Level3,
    ),
    c(
        "LEVEL_2",
        &["技师(二级)", "二级", "技师"],
        SkillLevel::Level2,
    ),
    c(
        "LEVEL_1",
        &["高级技师(一级)", "一级", "高级技师"],
        SkillLevel::Level1,
    ),
    c(
        "SPECIAL_ABILITY",
        &["专项职业能力"],
        SkillLevel::SpecialAbility,
    ),
    c(
        "COMPLETION_ONLY",
        &["培训合格", "无等级"],
        SkillLevel::CompletionOnly,
    ),
];

pub(super) const TRAINING_TYPES: &[Choice<TrainingType>] = &[
    c(
        "EMPLOYMENT_SKILLS",
        &["就业技能培训"],
        TrainingType::EmploymentSkills,
    ),
    c(
        "JOB_SKILLS_UPGRADE",
        &["岗位技能提升培训"],
        TrainingType::JobSkillsUpgrade,
    ),
    c(
        "ENTREPRENEURSHIP",
        &["创业培训"],
        TrainingType::Entrepreneurship,
    ),
    c(
        "APPRENTICESHIP",
        &["企业新型学徒制", "(企业)新型学徒制", "新型学徒制"],
        TrainingType::Apprenticeship,
    ),
    c(
        "WORK_FOR_TRAINING",
        &["以工代训"],
        TrainingType::WorkForTraining,
    ),
];

pub(super) const RESULTS: &[Choice<TrainingResult>] = &[
    c(
        "IN_PROGRESS",
        &["培训中", "在训"],
        TrainingResult::InProgress,
    ),
    c("PASSED", &["合格", "通过"], TrainingResult::Passed),
    c("FAILED", &["不合格"], TrainingResult::Failed),
    c(
        "WITHDRAWN",
        &["退学", "中途退出", "退训"],
        TrainingResult::Withdrawn,
    ),
];

pub(super) const CERTIFICATE_KINDS: &[Choice<CertificateKind>] = &[
    c(
        "VOCATIONAL_QUALIFICATION",
        &["职业资格证书"],
        CertificateKind::VocationalQualification,
    ),
    c(
        "SKILL_LEVEL",
        &["职业技能等级证书"],
        CertificateKind::SkillLevel,
    ),
    c(
        "SPECIAL_ABILITY",
        &["专项职业能力证书"],
        CertificateKind::SpecialAbility,
    ),
    c(
        "SPECIAL_OPERATION",
        &["特种作业操作证书", "特种作业操作证"],
        CertificateKind::SpecialOperation,
    ),
    c(
        "TRAINING_COMPLETION",
        &["培训合格证书"],
        CertificateKind::TrainingCompletion,
    ),
];

pub(super) const SUBSIDY_KINDS: &[Choice<SubsidyKind>] = &[
    c(
        "TRAINING",
        &["职业培训补贴", "培训补贴"],
        SubsidyKind::Training,
    ),
    c(
        "SKILL_ASSESSMENT",
        &["职业技能鉴定补贴", "技能评价补贴", "鉴定补贴"],
        SubsidyKind::SkillAssessment,
    ),
    c(
        "LIVING_ALLOWANCE",
        &["生活费补贴"],
        SubsidyKind::LivingAllowance,
    ),
    c(
        "WORK_FOR_TRAINING",
        &["以工代训补贴", "以工代训"],
        SubsidyKind::WorkForTraining,
    ),
];

/// The labels of every choice, in order, the suggested label of each first.
fn labels<T>(choices: &[Choice<T>]) -> Vec<&'static str> {
    choices
        .iter()
        .flat_map(|c| c.labels.iter().copied())
        .collect()
}

fn malformed(expected: &str) -> Problem {
    Problem::Malformed {
        expected: expected.into(),
    }
}

/// Full-width parentheses as ASCII, so `初级工（五级）` and `职业（工种）代码` match.
pub(super) fn normalise(s: &str) -> String {
    s.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .chars()
        .map(|ch| match ch {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// A float Excel holds for an integer, as that integer.
fn integral(f: f64) -> Option<i64> {
    // Beyond 2^53 a float no longer holds every integer: its digits are not the user's.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    (f.fract() == 0.0 && f.abs() <= EXACT).then_some(f as i64)
}

pub(super) fn text(cell: &Cell) -> Result<String, Problem> {
    match cell {
        Cell::Text(s) => Ok(s.trim().to_string()),
        Cell::Int(i) => Ok(i.to_string()),
        // A phone or code typed into a General cell: its digits, without Excel's ".0".
        Cell::Float(f) => Ok(integral(*f).map_or_else(|| f.to_string(), |i| i.to_string())),
        Cell::Bool(b) => Ok(if *b { "是" } else { "否" }.to_string()),
        Cell::Date(d) => Ok(d.format("%Y-%m-%d").to_string()),
        Cell::Empty => Err(Problem::Missing),
        Cell::BadDate | Cell::Error => Err(malformed("text")),
        Cell::Formula => Err(Problem::Formula),
    }
}

pub(super) fn id_number(cell: &Cell, today: NaiveDate) -> Result<IdNumber, Problem> {
    match cell {
        Cell::Text(s) => {
            let s = s.trim();
            if s.chars().any(|ch| matches!(ch, '０'..='９' | 'Ｘ' | 'ｘ')) {
                return Err(Problem::FullWidthDigits);
            }
            IdNumber::parse_as_of(s, today).map_err(|e| Problem::InvalidIdNumber {
                reason: e.reason().into(),
            })
        }
        // Excel keeps 15 significant digits: the last ones of an 18-digit number are gone.
        Cell::Int(_) | Cell::Float(_) => Err(malformed(
            "text (an ID number in a number cell loses digits)",
        )),
        other => text(other).and_then(|_| Err(malformed("text"))),
    }
}

pub(super) fn date(cell: &Cell) -> Result<NaiveDate, Problem> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Text(s) => date_text(s.trim()).ok_or_else(|| malformed("date")),
        // YYYYMMDD typed into a General cell: no Excel serial is that large (9999-12-31 is
        // 2958465), so it cannot be mistaken for one.
        Cell::Int(_) | Cell::Float(_) => {
            let n = match cell {
                Cell::Int(i) => Some(*i),
                Cell::Float(f) => integral(*f),
                _ => None,
            };
            n.filter(|n| (10_000_000..100_000_000).contains(n))
                .and_then(|n| date_text(&n.to_string()))
                .ok_or_else(|| malformed("date"))
        }
        Cell::Empty => Err(Problem::Missing),
        Cell::Formula => Err(Problem::Formula),
        Cell::Bool(_) | Cell::BadDate | Cell::Error => Err(malformed("date")),
    }
}

/// `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`, `YYYYMMDD`; a time after a
/// space is dropped (Excel writes `2026/3/1 0:00` into CSV for a datetime).
fn date_text(s: &str) -> Option<NaiveDate> {
    let s = s.split_whitespace().next()?;
    let s = s.strip_suffix('T').unwrap_or(s);
    let s = s.split('T').next()?;
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let y = s.get(0..4)?.parse().ok()?;
        let m = s.get(4..6)?.parse().ok()?;
        let d = s.get(6..8)?.parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let parts: Vec<&str> = if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else {
        let sep = ['-', '/', '.'].into_iter().find(|&c| s.contains(c))?;
        s.split(sep).collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok = |p: &str, max_len: usize| {
        !p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit())
    };
    if y.len() != 4 || !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

pub(super) fn integer(cell: &Cell) -> Result<i64, Problem> {
    let n = match cell {
        Cell::Int(i) => Some(*i),
        Cell::Float(f) => integral(*f),
        Cell::Text(s) => {
            let s = s.trim();
            let digits = s.strip_prefix('-').unwrap_or(s);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        }
        Cell::Empty => return Err(Problem::Missing),
        Cell::Formula => return Err(Problem::Formula),
        Cell::Bool(_) | Cell::Date(_) | Cell::BadDate | Cell::Error => None,
    };
    n.ok_or_else(|| malformed("integer"))
}

pub(super) fn integer32(cell: &Cell) -> Result<i32, Problem> {
    integer(cell).and_then(|n| i32::try_from(n).map_err(|_| malformed("integer")))
}

pub(super) fn boolean(cell: &Cell) -> Result<bool, Problem> {
    let b = match cell {
        Cell::Bool(b) => Some(*b),
        Cell::Int(i) => [(1, true), (0, false)]
            .iter()
            .find(|(n, _)| n == i)
            .map(|p| p.1),
        Cell::Float(f) if *f == 1.0 => Some(true),
        Cell::Float(f) if *f == 0.0 => Some(false),
        Cell::Text(s) => match s.trim().to_lowercase().as_str() {
            "是" | "y" | "yes" | "true" | "1" => Some(true),
            "否" | "n" | "no" | "false" | "0" => Some(false),
            _ => None,
        },
        Cell::Empty => return Err(Problem::Missing),
        Cell::Formula => return Err(Problem::Formula),
        _ => None,
    };
    b.ok_or_else(|| malformed("yes or no"))
}

pub(super) fn choice<T: Copy>(cell: &Cell, choices: &'static [Choice<T>]) -> Result<T, Problem> {
    let s = text(cell)?;
    let wanted = normalise(&s);
    choices
        .iter()
        .find(|c| {
            c.code.eq_ignore_ascii_case(&wanted) || c.labels.iter().any(|l| normalise(l) == wanted)
        })
        .map(|c| c.value)
        .ok_or_else(|| malformed(&format!("one of {}", labels(choices).join("、"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_in_every_accepted_spelling_and_real_only() {
        for s in [
            "2026-03-01",
            "2026/3/1",
            "2026.3.1",
            "2026年3月1日",
            "20260301",
            " 2026/03/01 0:00 ",
        ] {
            assert_eq!(date(&t(s)), Ok(d("2026-03-01")), "{s}");
        }
        for s in [
            "2026-02-30",
            "45123",
            "3/1/2026",
            "明天",
            "2026-3",
            "20261301",
        ] {
            assert_eq!(date(&t(s)), Err(malformed("date")), "{s}");
        }
        assert_eq!(date(&Cell::Float(45123.0)), Err(malformed("date")));
        assert_eq!(date(&Cell::Int(45123)), Err(malformed("date")));
        assert_eq!(date(&Cell::Float(20260301.0)), Ok(d("2026-03-01")));
        assert_eq!(date(&Cell::Date(d("2026-03-01"))), Ok(d("2026-03-01")));
        assert_eq!(date(&Cell::BadDate), Err(malformed("date")));
    }

    #[test]
    fn integers_from_numbers_and_digit_text_but_not_fractions() {
        assert_eq!(integer(&Cell::Float(800.0)), Ok(800));
        assert_eq!(integer(&Cell::Int(-3)), Ok(-3));
        assert_eq!(integer(&t(" -12 ")), Ok(-12));
        assert_eq!(integer(&Cell::Float(800.5)), Err(malformed("integer")));
        for s in ["800.5", "八百", "1e3", "-", "+5"] {
            assert_eq!(integer(&t(s)), Err(malformed("integer")), "{s}");
        }
        assert_eq!(integer32(&t("99999999999")), Err(malformed("integer")));
    }

    #[test]
    fn booleans_in_chinese_and_english() {
        for s in ["是", "Y", "yes", "TRUE", "1"] {
            assert_eq!(boolean(&t(s)), Ok(true), "{s}");
        }
        for s in ["否", "n", "No", "false", "0"] {
            assert_eq!(boolean(&t(s)), Ok(false), "{s}");
        }
        assert_eq!(boolean(&Cell::Bool(true)), Ok(true));
        assert_eq!(boolean(&t("也许")), Err(malformed("yes or no")));
    }

    #[test]
    fn enums_by_code_or_chinese_label_and_unknown_lists_the_labels() {
        assert_eq!(choice(&t("初级工（五级）"), LEVELS), Ok(SkillLevel::Level5));
        assert_eq!(choice(&t("level_4"), LEVELS), Ok(SkillLevel::Level4));
        assert_eq!(choice(&t("技师"), LEVELS), Ok(SkillLevel::Level2));
        assert_eq!(
            choice(&t("（企业）新型学徒制"), TRAINING_TYPES),
            Ok(TrainingType::Apprenticeship)
        );
        assert_eq!(choice(&t("退训"), RESULTS), Ok(TrainingResult::Withdrawn));
        assert_eq!(
            choice(&t("特种作业操作证"), CERTIFICATE_KINDS),
            Ok(CertificateKind::SpecialOperation)
        );
        assert_eq!(
            choice(&t("鉴定补贴"), SUBSIDY_KINDS),
            Ok(SubsidyKind::SkillAssessment)
        );
        let Err(Problem::Malformed { expected }) = choice(&t("六级"), LEVELS) else {
            panic!("an unknown level is malformed");
        };
        assert!(expected.starts_with("one of "), "{expected}");
        assert!(expected.contains("高级技师") && expected.contains("无等级"));
    }

    #[test]
    fn text_from_a_number_cell_keeps_the_digits_without_point_zero() {
        assert_eq!(text(&Cell::Float(13800138000.0)), Ok("13800138000".into()));
        assert_eq!(text(&Cell::Float(371502.0)), Ok("371502".into()));
        assert_eq!(text(&t("  育婴员 ")), Ok("育婴员".into()));
    }

    #[test]
    fn id_numbers_must_be_half_width_text() {
        let today = d("2026-06-01");
        assert_eq!(
            id_number(&t(" 11010519491231002x "), today).map(|i| i.as_str().to_string()),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            id_number(&t("１１010519491231002X"), today),
            Err(Problem::FullWidthDigits)
        );
        assert_eq!(
            id_number(&Cell::Float(110105194912310000.0), today),
            Err(malformed(
                "text (an ID number in a number cell loses digits)"
            ))
        );
        assert!(matches!(
            id_number(&t("110105194912310021"), today),
            Err(Problem::InvalidIdNumber { .. })
        ));
    }
}
