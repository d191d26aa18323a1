//! The SQL of the write side, all inside the caller's transaction on HRSS training's
//! database: the version log, the per-person claim guard, and the record look-ups the
//! checks need.

use std::collections::HashMap;

use entities::hrss_training::{
    certificate, claim_guard, class, enrolment, institution, report, subsidy,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};

use crate::domain::hrss_training::TrainingFile;
use crate::domain::reports::{RecordKind, ReportKind};
use crate::sources::sql::Grouped;

/// Rows of the guard inserted or updated per statement.
const GUARD_CHUNK: usize = 500;

/// Takes the claim guard of every person in `ids` (sorted, so that two batches never
/// wait on each other crosswise): an upsert that leaves each row locked until the
/// transaction ends.
pub async fn lock_persons(txn: &DatabaseTransaction, ids: &[String]) -> Result<(), DbErr> {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(GUARD_CHUNK) {
        let rows = chunk.iter().map(|id| claim_guard::ActiveModel {
            id_number: sea_orm::ActiveValue::Set((*id).clone()),
            claims: sea_orm::ActiveValue::Set(1),
        });
        claim_guard::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(claim_guard::Column::IdNumber)
                    .value(
                        claim_guard::Column::Claims,
                        Expr::col((claim_guard::Entity, claim_guard::Column::Claims)).add(1),
                    )
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The persons' HRSS training records as they stand now, read in the transaction (after
/// the guard is taken), never from a cache.
pub async fn training_files<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<Grouped<TrainingFile>, DbErr> {
    let mut out: Grouped<TrainingFile> = ids
        .iter()
        .map(|i| (i.clone(), TrainingFile::default()))
        .collect();
    for chunk in ids.chunks(1000) {
        crate::sources::sql::hrss_training::read(conn, chunk.to_vec(), &mut out).await?;
    }
    Ok(out)
}

/// The reporter's reports with these `externalId`s, by `externalId` (a file's keys read
/// a thousand at a time rather than one query per row).
pub async fn reports_by_external(
    txn: &DatabaseTransaction,
    reporter_id: i64,
    external_ids: &[&str],
) -> Result<HashMap<String, report::Model>, DbErr> {
    let mut out = HashMap::new();
    for chunk in external_ids.chunks(1000) {
        // By the unique (reporter, key) index: one probe per key.
        let rows = report::Entity::find()
            .filter(report::Column::ReporterId.eq(reporter_id))
            .filter(report::Column::ExternalId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.external_id.clone(), r)));
    }
    Ok(out)
}

/// The latest version of a record, if the hub ever versioned it.
pub async fn latest_version(
    txn: &DatabaseTransaction,
    record: RecordKind,
    record_id: i64,
) -> Result<Option<report::Model>, DbErr> {
    report::Entity::find()
        .filter(report::Column::Record.eq(record.code()))
        .filter(report::Column::RecordId.eq(record_id))
        .order_by_desc(report::Column::Version)
        .one(txn)
        .await
}

/// The latest version of a record written by a report of `kind` (its aspect: an
/// enrolment's own fields, or its result).
pub async fn latest_of_kind(
    txn: &DatabaseTransaction,
    record: RecordKind,
    record_id: i64,
    kind: ReportKind,
) -> Result<Option<report::Model>, DbErr> {
    report::Entity::find()
        .filter(report::Column::Record.eq(record.code()))
        .filter(report::Column::RecordId.eq(record_id))
        .filter(report::Column::Kind.eq(kind.code()))
        .order_by_desc(report::Column::Version)
        .one(txn)
        .await
}

/// The version before `version` written by a report of `kind`, if any.
pub async fn earlier_of_kind(
    txn: &DatabaseTransaction,
    record: RecordKind,
    record_id: i64,
    kind: ReportKind,
    version: i32,
) -> Result<Option<report::Model>, DbErr> {
    report::Entity::find()
        .filter(report::Column::Record.eq(record.code()))
        .filter(report::Column::RecordId.eq(record_id))
        .filter(report::Column::Kind.eq(kind.code()))
        .filter(report::Column::Version.lt(version))
        .filter(report::Column::Action.ne("RETRACT"))
        .order_by_desc(report::Column::Version)
        .one(txn)
        .await
}

pub async fn institution_by_uscc(
    txn: &DatabaseTransaction,
    uscc: &str,
) -> Result<Option<institution::Model>, DbErr> {
    institution::Entity::find()
        .filter(institution::Column::Uscc.eq(uscc))
        .one(txn)
        .await
}

/// A class with its institution.
pub async fn class_with_institution(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<Option<(class::Model, institution::Model)>, DbErr> {
    let found = class::Entity::find_by_id(id)
        .find_also_related(institution::Entity)
        .one(txn)
        .await?;
    Ok(found.and_then(|(c, i)| i.map(|i| (c, i))))
}

pub async fn enrolment(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<Option<enrolment::Model>, DbErr> {
    enrolment::Entity::find_by_id(id).one(txn).await
}

pub async fn certificate(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<Option<certificate::Model>, DbErr> {
    certificate::Entity::find_by_id(id).one(txn).await
}

pub async fn subsidy(txn: &DatabaseTransaction, id: i64) -> Result<Option<subsidy::Model>, DbErr> {
    subsidy::Entity::find_by_id(id).one(txn).await
}

/// Whether current records rest on this one (and so it cannot be retracted).
pub async fn in_use(txn: &DatabaseTransaction, record: RecordKind, id: i64) -> Result<bool, DbErr> {
    let n = match record {
        RecordKind::Class => {
            enrolment::Entity::find()
                .filter(enrolment::Column::ClassId.eq(id))
                .count(txn)
                .await?
        }
        RecordKind::Enrolment => {
            certificate::Entity::find()
                .filter(certificate::Column::EnrolmentId.eq(id))
                .count(txn)
                .await?
                + subsidy::Entity::find()
                    .filter(subsidy::Column::EnrolmentId.eq(id))
                    .count(txn)
                    .await?
        }
        RecordKind::Certificate => {
            subsidy::Entity::find()
                .filter(subsidy::Column::CertificateId.eq(id))
                .count(txn)
                .await?
        }
        RecordKind::Subsidy => 0,
    };
    Ok(n > 0)
}

/// Removes a retracted record from the current records (its versions stay in the log).
pub async fn delete_record(
    txn: &DatabaseTransaction,
    record: RecordKind,
    id: i64,
) -> Result<(), DbErr> {
    match record {
        RecordKind::Class => class::Entity::delete_by_id(id).exec(txn).await?,
        RecordKind::Enrolment => enrolment::Entity::delete_by_id(id).exec(txn).await?,
        RecordKind::Certificate => certificate::Entity::delete_by_id(id).exec(txn).await?,
        RecordKind::Subsidy => subsidy::Entity::delete_by_id(id).exec(txn).await?,
    };
    Ok(())
}

/// Whether the backend is SQLite (whose transactions are taken `IMMEDIATE`).
pub fn is_sqlite(conn: &impl ConnectionTrait) -> bool {
    conn.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
}

/// Refreshes PostgreSQL's statistics of the tables a bulk import grew — the version log
/// and the records of the kinds it wrote — as the seeder does after its bulk load. Only
/// an optimisation: a failure is logged.
pub async fn analyze(
    conn: &sea_orm::DatabaseConnection,
    grown: &std::collections::BTreeSet<RecordKind>,
) {
    if conn.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let mut tables = vec!["trn_report"];
    for kind in grown {
        tables.extend_from_slice(match kind {
            RecordKind::Class => &["trn_class"][..],
            RecordKind::Enrolment => &["trn_enrolment"],
            RecordKind::Certificate => &["trn_certificate"],
            RecordKind::Subsidy => &["trn_subsidy", "trn_claim_guard"],
        });
    }
    let sql = format!("ANALYZE {}", tables.join(", "));
    if let Err(e) = conn.execute_unprepared(&sql).await {
        tracing::warn!(error = %e, "statistics not refreshed after a bulk import");
    }
}

/// Every version the log keeps of the records about these persons, oldest first (by its
/// ID-number index): one statement for a batch.
pub async fn versions_about_many<C: ConnectionTrait>(
    conn: &C,
    id_numbers: Vec<String>,
) -> Result<Vec<report::Model>, DbErr> {
    report::Entity::find()
        .filter(report::Column::IdNumber.is_in(id_numbers))
        .order_by_asc(report::Column::Id)
        .all(conn)
        .await
}
