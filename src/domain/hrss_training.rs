//! HRSS vocational training: trainings (enrolment, class, institution), certificates and
//! subsidies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PersonRecords;
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstitutionKind {
    PublicTrainingCenter,
    TechnicalCollege,
    PrivateTrainingSchool,
    Enterprise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreditGrade {
    A,
    B,
    C,
    D,
}

/// Skill levels. The numbered levels are ordered `LEVEL_5` < … < `LEVEL_1`; the other two
/// have no order, so this type deliberately has no `Ord`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SkillLevel {
    /// 初级工（五级）
    Level5,
    /// 中级工（四级）
    Level4,
    /// 高级工（三级）
    Level3,
    /// 技师（二级）
    Level2,
    /// 高级技师（一级）
    Level1,
    /// 专项职业能力
    SpecialAbility,
    /// 培训合格
    CompletionOnly,
}

impl SkillLevel {
    /// 5 for `LEVEL_5` … 1 for `LEVEL_1`; `None` for the unnumbered levels.
    pub fn number(self) -> Option<u8> {
        match self {
            Self::Level5 => Some(5),
            Self::Level4 => Some(4),
            Self::Level3 => Some(3),
            Self::Level2 => Some(2),
            Self::Level1 => Some(1),
            Self::SpecialAbility | Self::CompletionOnly => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrainingType {
    EmploymentSkills,
    JobSkillsUpgrade,
    Entrepreneurship,
    Apprenticeship,
    /// 以工代训: paid to the employer, not counted towards three a year.
    WorkForTraining,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrainingResult {
    InProgress,
    Passed,
    Failed,
    Withdrawn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateKind {
    VocationalQualification,
    SkillLevel,
    SpecialAbility,
    SpecialOperation,
    TrainingCompletion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubsidyKind {
    Training,
    SkillAssessment,
    LivingAllowance,
    WorkForTraining,
}

/// A training institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    /// Unified social credit code.
    pub uscc: String,
    pub name: String,
    pub kind: InstitutionKind,
    /// On the published directory of approved institutions.
    pub in_directory: bool,
    pub credit_grade: CreditGrade,
    pub region_code: String,
}

/// A filed training class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingClass {
    pub id: i64,
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
    pub institution: Option<Institution>,
}

/// One training a person attended: the enrolment, its class and institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub enrolment_id: i64,
    pub id_number: String,
    pub trainee_name: String,
    pub phone: String,
    pub enrolled_on: NaiveDate,
    pub result: TrainingResult,
    pub attended_hours: i32,
    pub class: Option<TrainingClass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: i64,
    pub id_number: String,
    pub kind: CertificateKind,
    pub certificate_no: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub issued_on: NaiveDate,
    pub issuer: String,
    pub enrolment_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subsidy {
    pub id: i64,
    pub id_number: String,
    pub kind: SubsidyKind,
    /// Amount in fen (1/100 CNY).
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    /// GB/T 2260 code of the county that paid.
    pub paying_county: String,
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    /// For 以工代训: the employer paid, and the months covered.
    pub employer_uscc: Option<String>,
    pub months: Option<i32>,
}

/// What HRSS training holds about a person, each list oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingFile {
    pub trainings: Vec<Training>,
    pub certificates: Vec<Certificate>,
    pub subsidies: Vec<Subsidy>,
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = TrainingFile;

impl PersonRecords for TrainingFile {
    const DEPARTMENT: Department = Department::HrssTraining;
    fn len(&self) -> usize {
        self.trainings.len() + self.certificates.len() + self.subsidies.len()
    }
    /// Where the person trained and which counties paid them.
    fn linked_regions(&self, out: &mut Vec<String>) {
        out.extend(
            self.trainings
                .iter()
                .filter_map(|t| t.class.as_ref().map(|c| c.region_code.clone())),
        );
        out.extend(self.subsidies.iter().map(|s| s.paying_county.clone()));
    }
}
