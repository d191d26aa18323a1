//! Screening (有效筛选): the twelve named rules over one person's joined archive, the
//! eligible groups for the living allowance, and the claim pre-check. Rules are pure
//! functions of the domain records (one file each under `rules/`, with their unit tests);
//! they never touch a database, so they judge the same whether a department is read from
//! SQL or from a remote source.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::departments::Department;
use crate::domain::Archive;
use crate::i18n::Lang;

pub mod claim;
pub mod facts;
pub mod groups;
pub mod population;
mod rules;

pub use claim::{check_claim, Claim, ClaimError, ClaimOutcome};
pub use facts::Facts;
pub use groups::{groups_on, EligibleGroup};

/// At most this many subsidised trainings a year (003 二(三)1).
pub const ANNUAL_TRAININGS: usize = 3;

/// The rules, in the contract's order (flags sort by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScreeningRule {
    AnnualLimit,
    RepeatedOccupationLevel,
    LowerLevelAfterHigher,
    OverlappingClasses,
    PensionerSubsidised,
    LivingAllowanceIneligible,
    WorkForTrainingOver6Months,
    WorkForTrainingNotNewHire,
    ClassFiledLate,
    InstitutionNotApproved,
    DuplicateSubsidy,
    BlacklistedSubsidised,
}

impl ScreeningRule {
    pub const ALL: [ScreeningRule; 12] = [
        Self::AnnualLimit,
        Self::RepeatedOccupationLevel,
        Self::LowerLevelAfterHigher,
        Self::OverlappingClasses,
        Self::PensionerSubsidised,
        Self::LivingAllowanceIneligible,
        Self::WorkForTrainingOver6Months,
        Self::WorkForTrainingNotNewHire,
        Self::ClassFiledLate,
        Self::InstitutionNotApproved,
        Self::DuplicateSubsidy,
        Self::BlacklistedSubsidised,
    ];

    /// The rule's id, as the contract spells it (the catalog entry `ScreeningRule.<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Self::AnnualLimit => "ANNUAL_LIMIT",
            Self::RepeatedOccupationLevel => "REPEATED_OCCUPATION_LEVEL",
            Self::LowerLevelAfterHigher => "LOWER_LEVEL_AFTER_HIGHER",
            Self::OverlappingClasses => "OVERLAPPING_CLASSES",
            Self::PensionerSubsidised => "PENSIONER_SUBSIDISED",
            Self::LivingAllowanceIneligible => "LIVING_ALLOWANCE_INELIGIBLE",
            Self::WorkForTrainingOver6Months => "WORK_FOR_TRAINING_OVER_6_MONTHS",
            Self::WorkForTrainingNotNewHire => "WORK_FOR_TRAINING_NOT_NEW_HIRE",
            Self::ClassFiledLate => "CLASS_FILED_LATE",
            Self::InstitutionNotApproved => "INSTITUTION_NOT_APPROVED",
            Self::DuplicateSubsidy => "DUPLICATE_SUBSIDY",
            Self::BlacklistedSubsidised => "BLACKLISTED_SUBSIDISED",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The policy clause it enforces (seed file and section).
    pub fn clause(self) -> &'static str {
        match self {
            Self::AnnualLimit => "003 二(三)1; 004 二(四); 33号 一(一)",
            Self::RepeatedOccupationLevel | Self::LowerLevelAfterHigher => {
                "003 二(三)1; 004 二(四)"
            }
            Self::OverlappingClasses => "000 (十四)",
            Self::PensionerSubsidised => "003 二(三)1; 004 二(四)",
            Self::LivingAllowanceIneligible => "000 (八); 001 (十六)",
            Self::WorkForTrainingOver6Months => "002 §1; 33号 一(一)",
            Self::WorkForTrainingNotNewHire => "002 §1",
            Self::ClassFiledLate => "002 §11",
            Self::InstitutionNotApproved => "000 (十二); 001 (十一); 002 §12",
            Self::DuplicateSubsidy => "33号 三(二)",
            Self::BlacklistedSubsidised => "000 (十二)",
        }
    }

    /// Every department whose records the rule reads: its owners in the catalog, and the
    /// sources that must be up for it to be judged.
    pub fn reads(self) -> &'static [Department] {
        use Department as D;
        match self {
            Self::PensionerSubsidised | Self::WorkForTrainingNotNewHire => {
                &[D::HrssTraining, D::HrssSocial]
            }
            Self::LivingAllowanceIneligible => &[
                D::HrssTraining,
                D::Poverty,
                D::CivilAffairs,
                D::HrssSocial,
                D::Veterans,
                D::Education,
            ],
            Self::BlacklistedSubsidised => &[D::HrssTraining, D::Credit],
            _ => &[D::HrssTraining],
        }
    }
}

/// How serious a flag is. HIGH: money paid that the rules forbid outright or that points
/// to fake training or repeated claims in several places; MEDIUM: a limit or condition
/// broken that a reviewer should look at before paying again; LOW: a formal defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    High,
    Medium,
    Low,
}

/// The kind of record a flag rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordKind {
    Enrolment,
    Class,
    Institution,
    Certificate,
    Subsidy,
    SocialRecord,
    Schooling,
    Assistance,
    Veteran,
    PovertyHousehold,
    UnionRecord,
    Blacklist,
}

/// One record a flag rests on; `id` is null for the subsidy a claim check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub department: Department,
    pub record: RecordKind,
    pub id: Option<i64>,
}

/// The id a claimed (not yet paid) subsidy carries while the rules run.
pub const CLAIMED: i64 = -1;

impl Evidence {
    pub fn new(department: Department, record: RecordKind, id: i64) -> Self {
        Self {
            department,
            record,
            id: (id != CLAIMED).then_some(id),
        }
    }

    pub fn training(record: RecordKind, id: i64) -> Self {
        Self::new(Department::HrssTraining, record, id)
    }
}

/// A text in both languages the hub answers in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// One rule firing for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub rule: ScreeningRule,
    pub severity: Severity,
    /// Set for `ANNUAL_LIMIT` only.
    pub year: Option<i32>,
    /// Names dates, counts and groups, never an ID number.
    pub explanation: Text,
    /// Sorted; no duplicates.
    pub evidence: Vec<Evidence>,
}

impl Flag {
    fn new(
        rule: ScreeningRule,
        severity: Severity,
        year: Option<i32>,
        explanation: Text,
        evidence: impl IntoIterator<Item = Evidence>,
    ) -> Self {
        let evidence: BTreeSet<Evidence> = evidence.into_iter().collect();
        Self {
            rule,
            severity,
            year,
            explanation,
            evidence: evidence.into_iter().collect(),
        }
    }

    pub fn clause(&self) -> &'static str {
        self.rule.clause()
    }

    /// The contract's order: rule, then year, then the evidence ids in order.
    fn sort_key(&self) -> (ScreeningRule, Option<i32>, Vec<Option<i64>>) {
        let mut ids: Vec<Option<i64>> = self.evidence.iter().map(|e| e.id).collect();
        ids.sort();
        (self.rule, self.year, ids)
    }
}

/// A rule that could not be judged because a department it reads was unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unjudged {
    pub rule: ScreeningRule,
    pub department: Department,
}

/// One person's screening: every flag, and the rules that could not be judged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    pub flags: Vec<Flag>,
    pub unjudged: Vec<Unjudged>,
}

/// Runs `rules` over one person's archive.
pub fn screen_rules(archive: &Archive, rules: &[ScreeningRule]) -> Screening {
    let mut out = Screening::default();
    let facts = Facts::of(archive);
    for &rule in rules {
        let down: Vec<Department> = rule
            .reads()
            .iter()
            .copied()
            .filter(|d| !archive.is_available(*d))
            .collect();
        if !down.is_empty() {
            out.unjudged.extend(
                down.into_iter()
                    .map(|department| Unjudged { rule, department }),
            );
            continue;
        }
        if let Some(facts) = &facts {
            out.flags.extend(rules::run(rule, facts));
        }
    }
    out.flags.sort_by_cached_key(Flag::sort_key);
    out.unjudged.sort();
    out
}

/// Runs every rule over one person's archive.
pub fn screen(archive: &Archive) -> Screening {
    screen_rules(archive, &ScreeningRule::ALL)
}
