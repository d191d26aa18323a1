//! One row per person ever claimed for: a claim locks it (`INSERT … ON CONFLICT DO
//! UPDATE`, a row lock) before reading the person's records, so concurrent claims from
//! any number of hub instances are judged one after another.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_claim_guard")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_number: String,
    /// How many claims took the guard (the update that takes the row lock).
    pub claims: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
