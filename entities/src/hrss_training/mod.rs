//! HRSS vocational training (人社 职业技能培训): institutions, classes, enrolments,
//! certificates and subsidies — the archive's own records, hosted by the hub.
use sea_orm::entity::prelude::*;

pub mod certificate;
pub mod claim_guard;
pub mod class;
pub mod enrolment;
pub mod institution;
pub mod report;
pub mod subsidy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum InstitutionKind {
    #[sea_orm(string_value = "PUBLIC_TRAINING_CENTER")]
    PublicTrainingCenter,
    #[sea_orm(string_value = "TECHNICAL_COLLEGE")]
    TechnicalCollege,
    #[sea_orm(string_value = "PRIVATE_TRAINING_SCHOOL")]
    PrivateTrainingSchool,
    #[sea_orm(string_value = "ENTERPRISE")]
    Enterprise,
}

/// Credit grade of a training institution (信用等级), A best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(1))")]
pub enum CreditGrade {
    #[sea_orm(string_value = "A")]
    A,
    #[sea_orm(string_value = "B")]
    B,
    #[sea_orm(string_value = "C")]
    C,
    #[sea_orm(string_value = "D")]
    D,
}

/// Skill level of a class or certificate: the five national levels, special ability, or
/// completion only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum SkillLevel {
    /// 初级工（五级）
    #[sea_orm(string_value = "LEVEL_5")]
    Level5,
    /// 中级工（四级）
    #[sea_orm(string_value = "LEVEL_4")]
    Level4,
    /// 高级工（三级）
    #[sea_orm(string_value = "LEVEL_3")]
    Level3,
    /// 技师（二级）
    #[sea_orm(string_value = "LEVEL_2")]
    Level2,
    /// 高级技师（一级）
    #[sea_orm(string_value = "LEVEL_1")]
    Level1,
    /// 专项职业能力
    #[sea_orm(string_value = "SPECIAL_ABILITY")]
    SpecialAbility,
    /// 培训合格（无等级）
    #[sea_orm(string_value = "COMPLETION_ONLY")]
    CompletionOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TrainingType {
    /// 就业技能培训
    #[sea_orm(string_value = "EMPLOYMENT_SKILLS")]
    EmploymentSkills,
    /// 岗位技能提升培训
    #[sea_orm(string_value = "JOB_SKILLS_UPGRADE")]
    JobSkillsUpgrade,
    /// 创业培训
    #[sea_orm(string_value = "ENTREPRENEURSHIP")]
    Entrepreneurship,
    /// 新型学徒制
    #[sea_orm(string_value = "APPRENTICESHIP")]
    Apprenticeship,
    /// 以工代训 (subsidy paid to the employer; does not count towards 3 a year)
    #[sea_orm(string_value = "WORK_FOR_TRAINING")]
    WorkForTraining,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TrainingResult {
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "PASSED")]
    Passed,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// The five kinds of certificate that count (REQUIREMENTS §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum CertificateKind {
    /// 职业资格证书
    #[sea_orm(string_value = "VOCATIONAL_QUALIFICATION")]
    VocationalQualification,
    /// 职业技能等级证书
    #[sea_orm(string_value = "SKILL_LEVEL")]
    SkillLevel,
    /// 专项职业能力证书
    #[sea_orm(string_value = "SPECIAL_ABILITY")]
    SpecialAbility,
    /// 特种作业操作证书
    #[sea_orm(string_value = "SPECIAL_OPERATION")]
    SpecialOperation,
    /// 培训合格证书
    #[sea_orm(string_value = "TRAINING_COMPLETION")]
    TrainingCompletion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum SubsidyKind {
    /// 职业培训补贴
    #[sea_orm(string_value = "TRAINING")]
    Training,
    /// 职业技能鉴定（评价）补贴
    #[sea_orm(string_value = "SKILL_ASSESSMENT")]
    SkillAssessment,
    /// 培训期间生活费补贴
    #[sea_orm(string_value = "LIVING_ALLOWANCE")]
    LivingAllowance,
    /// 以工代训补贴 (paid to the employer)
    #[sea_orm(string_value = "WORK_FOR_TRAINING")]
    WorkForTraining,
}
