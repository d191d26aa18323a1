//! The version log of reports (实名制上报): one row per version of a class, enrolment,
//! certificate or subsidy, written by the hub's reporting side and never updated. The
//! record tables hold each record's current version; this log keeps every earlier one.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_report")]
pub struct Model {
    /// The version id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The consumer that reported it, and its name at the time.
    pub reporter_id: i64,
    pub reporter: String,
    /// The reporting system's own key for this report (idempotency).
    pub external_id: String,
    /// `class`, `enrolment`, `result`, `certificate` or `subsidy`.
    pub kind: String,
    /// `FILE`, `CORRECT` or `RETRACT`.
    pub action: String,
    /// `CLASS`, `ENROLMENT`, `CERTIFICATE` or `SUBSIDY`, and its id (kept across versions).
    pub record: String,
    pub record_id: i64,
    /// 1 for the first version the hub holds of the record.
    pub version: i32,
    /// The version this one follows (none for a record's first version).
    pub previous_id: Option<i64>,
    /// For a correction or retraction: the report version it corrects.
    pub corrects: Option<i64>,
    pub id_number: Option<String>,
    /// The report as sent (JSON), compared on a repeated `external_id`.
    pub content: String,
    /// The record after this version (JSON); none once retracted.
    pub snapshot: Option<String>,
    /// A late filing or enrolment, correction or retraction reason.
    pub reason: Option<String>,
    /// An authorised override of a refused claim: who, why, and which rules it overrode.
    pub override_by: Option<String>,
    pub override_reason: Option<String>,
    pub override_rules: Option<String>,
    pub request_id: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
