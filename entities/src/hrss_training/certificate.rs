//! Certificates obtained (证书), optionally linked to the enrolment that led to them.
use super::{CertificateKind, SkillLevel};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_certificate")]
pub struct Model {
    #[sea_orm(primary_key)]
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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
