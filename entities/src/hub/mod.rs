//! The hub's own tables (not a department's): consumers and their keys, purposes, grants,
//! the policy version, and the hash-chained audit trail with its signed checkpoints.
use sea_orm::entity::prelude::*;

pub mod audit_checkpoint;
pub mod audit_event;
pub mod consumer;
pub mod grant;
pub mod policy_version;
pub mod purpose;
pub mod screening_flag;
pub mod screening_run;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ConsumerKind {
    #[sea_orm(string_value = "DEPARTMENT_SYSTEM")]
    DepartmentSystem,
    #[sea_orm(string_value = "AUDITOR")]
    Auditor,
    #[sea_orm(string_value = "CITIZEN_PORTAL")]
    CitizenPortal,
    #[sea_orm(string_value = "ANALYST")]
    Analyst,
    #[sea_orm(string_value = "HUB_ADMIN")]
    HubAdmin,
    /// A training institution's system: bound to one institution, no department.
    #[sea_orm(string_value = "TRAINING_INSTITUTION")]
    TrainingInstitution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum GrantEffect {
    #[sea_orm(string_value = "ALLOW")]
    Allow,
    #[sea_orm(string_value = "MASK")]
    Mask,
}
