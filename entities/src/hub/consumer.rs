//! Registered consumer systems. Keys are stored only as SHA-256 hashes of their secret.
use super::ConsumerKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hub_consumer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Public half of the key (`ahk_<key_id>.<secret>`), used to find the consumer.
    #[sea_orm(unique)]
    pub key_id: String,
    /// Hex SHA-256 of the secret half.
    pub key_hash: String,
    pub name: String,
    pub kind: ConsumerKind,
    /// Owning department code (`education`, …) for department systems.
    pub department: Option<String>,
    /// Comma-separated GB/T 2260 prefixes; empty means no region restriction.
    pub region_scope: String,
    /// Comma-separated purpose codes the consumer may declare.
    pub purposes: String,
    /// For a citizen-portal consumer: the subject (keyed hash of the ID number) it is bound to.
    pub bound_subject: Option<String>,
    /// For a training-institution consumer: the USCC of the institution it reports for.
    pub institution_uscc: Option<String>,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
