//! Subsidies paid (补贴发放), in fen, by the paying county.
use super::SubsidyKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_subsidy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub id_number: String,
    pub kind: SubsidyKind,
    /// Money in fen (1/100 CNY) as an integer: never floating point.
    pub amount_fen: i64,
    pub paid_on: Date,
    /// GB/T 2260 code of the county that paid.
    pub paying_county: String,
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    /// For 以工代训: the employer paid and the number of months covered.
    pub employer_uscc: Option<String>,
    pub months: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
