//! One flag found by a screening run: the person, the rule, and what the report filters
//! on (space-delimited region codes and years, so a prefix or a year matches with `LIKE`
//! on every database).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hub_screening_flag")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub run_id: i64,
    pub id_number: String,
    /// The rule's id (`ANNUAL_LIMIT` …).
    pub rule: String,
    pub year: Option<i32>,
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub severity: String,
    /// ` 371502 371522 `: the ID's region and the flag's paying counties (or, without a
    /// subsidy, its classes' regions) — what the report's `region` matches.
    pub flag_regions: String,
    /// ` 2023 2024 `: the flag's year, or its subsidies' (or classes') years.
    pub years: String,
    /// ` 371502 … `: every region the person is linked to — what region scopes admit.
    pub person_regions: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
