//! The append-only audit trail. Each row's `hash` is SHA-256 over its canonical encoding
//! and `prev_hash`, so rows form a chain; `seq` is contiguous from 1.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hub_audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub occurred_at: DateTimeUtc,
    pub consumer_id: i64,
    pub consumer_name: String,
    pub consumer_department: Option<String>,
    pub purpose: String,
    pub request_id: String,
    /// HMAC-SHA256 of the ID number under the server's subject key, hex; never the number.
    pub subject: String,
    /// JSON array of `{"field": "Type.field", "decision": "ALLOWED|MASKED|DENIED"}`.
    pub fields: String,
    pub policy_version: i64,
    pub prev_hash: String,
    pub hash: String,
    /// On the last event of each group commit: Ed25519 over
    /// `checkpoint_message(seq, hash, occurred_at)`, hex. Not part of the hash.
    pub signature: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
