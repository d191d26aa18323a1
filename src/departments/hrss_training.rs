//! HRSS vocational training: trainings (enrolment, class, institution), certificates and
//! subsidies — three sources on the department's one connection, with their GraphQL types.

use async_graphql::Enum;

use crate::graphql::scalars::Date;
use entities::hrss_training as db;
use entities::hrss_training::{certificate, class, enrolment, institution, subsidy};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{Department, Source};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "db::InstitutionKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum InstitutionKind {
    PublicTrainingCenter,
    TechnicalCollege,
    PrivateTrainingSchool,
    Enterprise,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "db::CreditGrade")]
pub enum CreditGrade {
    A,
    B,
    C,
    D,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(remote = "db::SkillLevel", rename_items = "SCREAMING_SNAKE_CASE")]
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

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "db::TrainingType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TrainingType {
    EmploymentSkills,
    JobSkillsUpgrade,
    Entrepreneurship,
    Apprenticeship,
    /// 以工代训: paid to the employer, not counted towards three a year.
    WorkForTraining,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "db::TrainingResult", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TrainingResult {
    InProgress,
    Passed,
    Failed,
    Withdrawn,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "db::CertificateKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CertificateKind {
    VocationalQualification,
    SkillLevel,
    SpecialAbility,
    SpecialOperation,
    TrainingCompletion,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "db::SubsidyKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SubsidyKind {
    Training,
    SkillAssessment,
    LivingAllowance,
    WorkForTraining,
}

/// A training institution.
#[derive(Debug, Clone)]
pub struct Institution {
    /// Unified social credit code.
    pub uscc: String,
    pub name: String,
    pub kind: InstitutionKind,
    /// On the published directory of approved institutions.
    pub in_directory: bool,
    pub credit_grade: CreditGrade,
    pub region_code: String,
}

crate::shared_object!(
    /// A training institution.
    Institution {
        /// Unified social credit code.
        uscc: String => HrssTraining, Unconditional, plain, None;
        name: String => HrssTraining, Unconditional, plain, None;
        kind: InstitutionKind => HrssTraining, Unconditional, plain, None;
        /// On the published directory of approved institutions.
        in_directory: bool => HrssTraining, Unconditional, plain, None;
        credit_grade: CreditGrade => HrssTraining, Unconditional, plain, None;
        region_code: String => HrssTraining, Unconditional, plain, None;
    }
);

/// A filed training class.
#[derive(Debug, Clone)]
pub struct TrainingClass {
    pub id: i64,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub training_type: TrainingType,
    pub living_allowance_eligible: bool,
    pub online: bool,
    pub filed_on: Date,
    pub start_date: Date,
    pub end_date: Date,
    pub hours: i32,
    pub region_code: String,
    pub institution: Option<Institution>,
}

crate::shared_object!(
    /// A filed training class.
    TrainingClass {
        id: i64 => HrssTraining, Unconditional, plain, None;
        occupation_code: String => HrssTraining, Unconditional, plain, None;
        occupation_name: String => HrssTraining, Unconditional, plain, None;
        level: SkillLevel => HrssTraining, Unconditional, plain, None;
        training_type: TrainingType => HrssTraining, Unconditional, plain, None;
        living_allowance_eligible: bool => HrssTraining, Unconditional, plain, None;
        online: bool => HrssTraining, Unconditional, plain, None;
        filed_on: Date => HrssTraining, Unconditional, plain, None;
        start_date: Date => HrssTraining, Unconditional, plain, None;
        end_date: Date => HrssTraining, Unconditional, plain, None;
        hours: i32 => HrssTraining, Unconditional, plain, None;
        region_code: String => HrssTraining, Unconditional, plain, None;
        institution: Option<Institution> => HrssTraining, Unconditional, plain, None;
    }
);

/// One training a person attended: the enrolment, its class and institution.
#[derive(Debug, Clone)]
pub struct Training {
    pub enrolment_id: i64,
    pub id_number: String,
    pub trainee_name: String,
    pub phone: String,
    pub enrolled_on: Date,
    pub result: TrainingResult,
    pub attended_hours: i32,
    pub class: Option<TrainingClass>,
}

crate::shared_object!(
    /// One training a person attended: the enrolment, its class and institution.
    Training {
        enrolment_id: i64 => HrssTraining, Unconditional, plain, None;
        trainee_name: String => HrssTraining, Conditional, sensitive, Name;
        phone: String => HrssTraining, Conditional, sensitive, Phone;
        enrolled_on: Date => HrssTraining, Conditional, plain, None;
        result: TrainingResult => HrssTraining, Conditional, plain, None;
        attended_hours: i32 => HrssTraining, Conditional, plain, None;
        class: Option<TrainingClass> => HrssTraining, Unconditional, plain, None;
    }
);

pub struct TrainingSource;

impl Source for TrainingSource {
    type Record = Training;
    const NAME: &'static str = "hrss_training.training";
    const DEPARTMENT: Department = Department::HrssTraining;

    /// One statement: enrolments joined (inside the department) with class and institution.
    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = enrolment::Entity::find()
            .find_also_related(class::Entity)
            .and_also_related(institution::Entity)
            .filter(enrolment::Column::IdNumber.is_in(ids))
            .order_by_asc(enrolment::Column::IdNumber)
            .order_by_asc(enrolment::Column::EnrolledOn)
            .order_by_asc(enrolment::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(e, c, i)| Training {
                enrolment_id: e.id,
                id_number: e.id_number,
                trainee_name: e.trainee_name,
                phone: e.phone,
                enrolled_on: e.enrolled_on.into(),
                result: e.result.into(),
                attended_hours: e.attended_hours,
                class: c.map(|c| TrainingClass {
                    id: c.id,
                    occupation_code: c.occupation_code,
                    occupation_name: c.occupation_name,
                    level: c.level.into(),
                    training_type: c.training_type.into(),
                    living_allowance_eligible: c.living_allowance_eligible,
                    online: c.online,
                    filed_on: c.filed_on.into(),
                    start_date: c.start_date.into(),
                    end_date: c.end_date.into(),
                    hours: c.hours,
                    region_code: c.region_code,
                    institution: i.map(|i| Institution {
                        uscc: i.uscc,
                        name: i.name,
                        kind: i.kind.into(),
                        in_directory: i.in_directory,
                        credit_grade: i.credit_grade.into(),
                        region_code: i.region_code,
                    }),
                }),
            })
            .collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Debug, Clone)]
pub struct Certificate {
    pub id: i64,
    pub id_number: String,
    pub kind: CertificateKind,
    pub certificate_no: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub issued_on: Date,
    pub issuer: String,
    pub enrolment_id: Option<i64>,
}

crate::shared_object!(
    Certificate {
        id: i64 => HrssTraining, Unconditional, plain, None;
        kind: CertificateKind => HrssTraining, Unconditional, plain, None;
        certificate_no: String => HrssTraining, Conditional, sensitive, Generic;
        occupation_code: String => HrssTraining, Unconditional, plain, None;
        occupation_name: String => HrssTraining, Unconditional, plain, None;
        level: SkillLevel => HrssTraining, Unconditional, plain, None;
        issued_on: Date => HrssTraining, Conditional, plain, None;
        issuer: String => HrssTraining, Unconditional, plain, None;
        enrolment_id: Option<i64> => HrssTraining, Unconditional, plain, None;
    }
);

pub struct CertificateSource;

impl Source for CertificateSource {
    type Record = Certificate;
    const NAME: &'static str = "hrss_training.certificate";
    const DEPARTMENT: Department = Department::HrssTraining;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = certificate::Entity::find()
            .filter(certificate::Column::IdNumber.is_in(ids))
            .order_by_asc(certificate::Column::IdNumber)
            .order_by_asc(certificate::Column::IssuedOn)
            .order_by_asc(certificate::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| Certificate {
                id: c.id,
                id_number: c.id_number,
                kind: c.kind.into(),
                certificate_no: c.certificate_no,
                occupation_code: c.occupation_code,
                occupation_name: c.occupation_name,
                level: c.level.into(),
                issued_on: c.issued_on.into(),
                issuer: c.issuer,
                enrolment_id: c.enrolment_id,
            })
            .collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Debug, Clone)]
pub struct Subsidy {
    pub id: i64,
    pub id_number: String,
    pub kind: SubsidyKind,
    /// Amount in fen (1/100 CNY).
    pub amount_fen: i64,
    pub paid_on: Date,
    /// GB/T 2260 code of the county that paid.
    pub paying_county: String,
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    /// For 以工代训: the employer paid, and the months covered.
    pub employer_uscc: Option<String>,
    pub months: Option<i32>,
}

crate::shared_object!(
    Subsidy {
        id: i64 => HrssTraining, Unconditional, plain, None;
        kind: SubsidyKind => HrssTraining, Conditional, plain, None;
        /// Amount in fen (1/100 CNY).
        amount_fen: i64 => HrssTraining, Conditional, plain, None;
        paid_on: Date => HrssTraining, Conditional, plain, None;
        /// GB/T 2260 code of the county that paid.
        paying_county: String => HrssTraining, Conditional, plain, None;
        enrolment_id: Option<i64> => HrssTraining, Unconditional, plain, None;
        certificate_id: Option<i64> => HrssTraining, Unconditional, plain, None;
        /// For 以工代训: the employer paid, and the months covered.
        employer_uscc: Option<String> => HrssTraining, Conditional, plain, None;
        months: Option<i32> => HrssTraining, Conditional, plain, None;
    }
);

pub struct SubsidySource;

impl Source for SubsidySource {
    type Record = Subsidy;
    const NAME: &'static str = "hrss_training.subsidy";
    const DEPARTMENT: Department = Department::HrssTraining;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = subsidy::Entity::find()
            .filter(subsidy::Column::IdNumber.is_in(ids))
            .order_by_asc(subsidy::Column::IdNumber)
            .order_by_asc(subsidy::Column::PaidOn)
            .order_by_asc(subsidy::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|s| Subsidy {
                id: s.id,
                id_number: s.id_number,
                kind: s.kind.into(),
                amount_fen: s.amount_fen,
                paid_on: s.paid_on.into(),
                paying_county: s.paying_county,
                enrolment_id: s.enrolment_id,
                certificate_id: s.certificate_id,
                employer_uscc: s.employer_uscc,
                months: s.months,
            })
            .collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}
