//! One run of the population screening job (`archive-hub screen`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hub_screening_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub started_at: DateTimeUtc,
    /// Null while running (or when the run failed).
    pub finished_at: Option<DateTimeUtc>,
    /// Persons screened.
    pub persons: i64,
    /// Flags found.
    pub flags: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
