//! Grants: which consumer may see which fields, for which purpose, allowed or masked.
use super::GrantEffect;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hub_grant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub consumer_id: i64,
    pub purpose: String,
    /// `Type.field`, `Type.*`, validated against the field catalog when loaded.
    pub field_pattern: String,
    pub effect: GrantEffect,
    /// Optional comma-separated GB/T 2260 prefixes narrowing the consumer's own scope.
    pub region_scope: Option<String>,
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
