//! Signed checkpoints of the audit chain (seq, head hash, time; Ed25519), kept apart from
//! the audit table so that truncating the tail or recomputing the chain is detectable.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hub_audit_checkpoint")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub seq: i64,
    pub head_hash: String,
    pub created_at: DateTimeUtc,
    /// Hex Ed25519 signature over the canonical `seq|head_hash|created_at` string.
    pub signature: String,
    /// Hex public key that verifies `signature`.
    pub public_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
