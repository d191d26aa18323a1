//! The write side: reports into the HRSS training records — validated, authorised,
//! idempotent by the reporter's `externalId`, versioned, screened before any subsidy is
//! paid, and audited — from GraphQL mutations and from CSV/Excel imports alike. A batch
//! (one mutation, or one file) is one transaction: nothing is ever half-written.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, DatabaseConnection, DatabaseTransaction, DbErr, IsolationLevel,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::audit::{AuditLog, FieldAccess, NewAuditEvent};
use crate::domain::reports::{self, FieldProblem, RecordKind, Report, ReportKind};
use crate::error::{ConflictReason, HubError, InputProblem};
use crate::i18n::Lang;
use crate::policy::enforce::Access;
use crate::sources::Sources;

mod apply;
pub mod bulk;
mod claims;
mod history;
pub mod import;
mod staging;
mod store;

/// A batch writing this many rows is a bulk load: the statistics of the tables it grew
/// are refreshed after it, so that the next file's look-ups among the new rows are not
/// planned as if the tables were still small (a first import into an empty log would
/// otherwise wait for autovacuum's analyse).
const ANALYZE_AFTER_ROWS: usize = 10_000;

/// Claims whose persons are read together (one read per department per chunk).
const CLAIMS_READ_AHEAD: usize = 1000;

/// What a submission asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A new report.
    File(Report),
    /// A new version of the record the report `corrects` (an `externalId` of the same
    /// reporter) filed or last changed.
    Correct {
        corrects: String,
        reason: String,
        report: Report,
    },
    /// Withdraws the report `retracts` (an `externalId` of the same reporter): its record
    /// is no longer current (a result goes back to what it was before it).
    Retract { retracts: String, reason: String },
}

/// One report as submitted, with the reporter's own key for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub external_id: String,
    pub action: Action,
}

impl Submission {
    /// What a repeat of this `externalId` is compared with: every field, flattened.
    fn content(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::Value;
        let mut m = serde_json::Map::new();
        let (action, report) = match &self.action {
            Action::File(r) => ("FILE", Some(r)),
            Action::Correct {
                corrects,
                reason,
                report,
            } => {
                m.insert("corrects".into(), Value::from(corrects.as_str()));
                m.insert("reason".into(), Value::from(reason.as_str()));
                ("CORRECT", Some(report))
            }
            Action::Retract { retracts, reason } => {
                m.insert("retracts".into(), Value::from(retracts.as_str()));
                m.insert("reason".into(), Value::from(reason.as_str()));
                ("RETRACT", None)
            }
        };
        m.insert("action".into(), Value::from(action));
        if let Some(r) = report {
            m.insert("kind".into(), Value::from(r.kind().code()));
            m.extend(r.content());
        }
        m
    }

    fn action_code(&self) -> &'static str {
        match self.action {
            Action::File(_) => "FILE",
            Action::Correct { .. } => "CORRECT",
            Action::Retract { .. } => "RETRACT",
        }
    }
}

/// How a batch is written.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write the valid submissions even when others are rejected (imports'
    /// `--accept-valid`); otherwise any rejection writes nothing.
    pub accept_valid: bool,
    /// Pay claims the rules refuse (or cannot judge), for this reason: only under the
    /// purpose `subsidy_override`.
    pub override_reason: Option<String>,
}

/// What a written (or replayed) report came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub external_id: String,
    pub kind: ReportKind,
    pub action: reports::ReportAction,
    pub record: RecordKind,
    /// Kept across versions.
    pub record_id: i64,
    pub version: i32,
    /// This version's id in the version log, and the one it follows.
    pub version_id: i64,
    pub previous_version_id: Option<i64>,
    /// True when this `externalId` was reported before with the same content: nothing
    /// changed, and this is the first result.
    pub replayed: bool,
    pub reported_at: DateTime<Utc>,
    /// The rules an authorised override paid the claim over.
    pub overrode: Vec<String>,
}

/// A batch's outcome: one result per submission, in order, and whether anything was
/// written (false when a rejection stopped the whole batch).
#[derive(Debug)]
pub struct BatchOutcome {
    pub results: Vec<Result<Receipt, HubError>>,
    pub written: bool,
}

/// The write side over HRSS training's database, the department sources (for the other
/// departments a claim is judged on) and the audit trail.
#[derive(Clone)]
pub struct Reporter {
    training: DatabaseConnection,
    sources: Sources,
    audit: Option<AuditLog>,
}

impl Reporter {
    pub fn new(training: DatabaseConnection, sources: Sources, audit: Option<AuditLog>) -> Self {
        Self {
            training,
            sources,
            audit,
        }
    }

    /// Writes one submission (a mutation).
    pub async fn submit_one(
        &self,
        access: &Arc<Access>,
        submission: Submission,
        options: Options,
    ) -> Result<Receipt, HubError> {
        let mut out = self.submit(access, vec![submission], options).await?;
        out.results.pop().unwrap_or(Err(HubError::Internal))
    }

    /// Writes a batch in one transaction. An `Err` means the batch as a whole failed
    /// (nothing written); per-submission rejections are in the results.
    pub async fn submit(
        &self,
        access: &Arc<Access>,
        batch: Vec<Submission>,
        options: Options,
    ) -> Result<BatchOutcome, HubError> {
        self.submit_inner(access, batch, options, false).await
    }

    async fn submit_inner(
        &self,
        access: &Arc<Access>,
        batch: Vec<Submission>,
        options: Options,
        dry_run: bool,
    ) -> Result<BatchOutcome, HubError> {
        // Writes are audited before they commit: without the trail, nothing is written.
        let audit = self.audit.as_ref().ok_or(HubError::AuditUnavailable)?;
        let today = access.time.today();
        if let Some(r) = &options.override_reason {
            if !crate::policy::enforce::writes::may_override(access) {
                return Err(HubError::forbidden(
                    crate::error::ForbiddenReason::PurposeNotAllowed,
                ));
            }
            if r.trim().is_empty() || r.chars().count() > reports::MAX_REASON {
                let p = if r.trim().is_empty() {
                    reports::Problem::Missing
                } else {
                    reports::Problem::TooLong {
                        max: reports::MAX_REASON,
                    }
                };
                return Err(invalid(vec![FieldProblem::new("overrideReason", p)]));
            }
        }
        // Checks that need no records, before the transaction.
        let mut results: Vec<Option<Result<Receipt, HubError>>> = batch
            .iter()
            .map(|s| precheck(access, s, today).err().map(Err))
            .collect();
        let txn = self.begin().await.map_err(db_error)?;
        let mut ctx = apply::Ctx::new(&txn, access, audit, &options);
        match self.prepare(&txn, &mut ctx, &batch, &results).await {
            Ok(()) => {}
            Err(e) => {
                drop(ctx);
                let _ = txn.rollback().await;
                return Err(db_error(e));
            }
        }
        // Claimed persons are read a chunk at a time; on a server database the next chunk
        // is read while this one is judged and written.
        let read_ahead = !store::is_sqlite(&self.training);
        let mut ahead: Option<tokio::task::JoinHandle<Result<claims::Read, DbErr>>> = None;
        let mut read_until = 0;
        for (i, s) in batch.iter().enumerate() {
            if results[i].is_some() {
                continue;
            }
            if i >= read_until {
                read_until = i + CLAIMS_READ_AHEAD;
                let chunk = claimed_in(&batch, &results, i, read_until);
                let read = self.read_chunk(&txn, &mut ctx, ahead.take(), &chunk).await;
                if let Err(e) = read {
                    drop(ctx);
                    let _ = txn.rollback().await;
                    return Err(db_error(e));
                }
                if read_ahead {
                    let next =
                        claimed_in(&batch, &results, read_until, read_until + CLAIMS_READ_AHEAD);
                    let this: std::collections::HashSet<&String> = chunk.iter().collect();
                    let wanted = ctx.claims.wanted(next.iter().filter(|p| !this.contains(p)));
                    if !wanted.is_empty() {
                        let (conn, sources) = (self.training.clone(), self.sources.clone());
                        ahead = Some(tokio::spawn(async move {
                            claims::read(&conn, &sources, wanted).await
                        }));
                    }
                }
            }
            let outcome = ctx.apply(s).await;
            if let Some(id) = claims::claimed_person(s) {
                ctx.claims.done(&id);
            }
            match outcome {
                Ok(receipt) => results[i] = Some(Ok(receipt)),
                Err(apply::Failure::Rejected(e)) => {
                    ctx.denied(s, &e);
                    results[i] = Some(Err(e));
                }
                Err(apply::Failure::Fatal(e)) => {
                    drop(ctx);
                    let _ = txn.rollback().await;
                    return Err(e);
                }
            }
        }
        if let Err(e) = ctx.flush().await {
            drop(ctx);
            let _ = txn.rollback().await;
            return Err(db_error(e));
        }
        let results: Vec<Result<Receipt, HubError>> = results
            .into_iter()
            .map(|r| match r {
                // First versions were inserted together: their ids are known now.
                Some(Ok(mut receipt)) if receipt.version_id == 0 => {
                    receipt.version_id = ctx.version_id(&receipt.external_id).unwrap_or(0);
                    Ok(receipt)
                }
                other => other.unwrap_or(Err(HubError::Internal)),
            })
            .collect();
        let (writes, denials) = ctx.finish();
        let written = writes.len();
        let rejected = results.iter().any(Result::is_err);
        let write = !dry_run && !writes.is_empty() && (options.accept_valid || !rejected);
        // Refused writes are audited whatever happens to the batch.
        let mut events = denials;
        if write {
            events.extend(writes);
        }
        if !events.is_empty() {
            if let Err(e) = audit.append(events).await {
                tracing::error!(error = %e, "audit trail unavailable; writes rolled back");
                let _ = txn.rollback().await;
                return Err(HubError::AuditUnavailable);
            }
        }
        if !write {
            let _ = txn.rollback().await;
            return Ok(BatchOutcome {
                results: unwritten(results),
                written: false,
            });
        }
        txn.commit().await.map_err(db_error)?;
        // A class correction changes the archive of everyone enrolled in it: the whole of
        // HRSS training's cache goes, on every instance, before the caller hears back.
        self.sources
            .invalidate_all(crate::departments::Department::HrssTraining)
            .await;
        if written >= ANALYZE_AFTER_ROWS {
            let grown: std::collections::BTreeSet<RecordKind> = batch
                .iter()
                .filter_map(|s| match &s.action {
                    Action::File(r) | Action::Correct { report: r, .. } => Some(r.kind().record()),
                    Action::Retract { .. } => None,
                })
                .collect();
            store::analyze(&self.training, &grown).await;
        }
        Ok(BatchOutcome {
            results,
            written: true,
        })
    }

    /// Audits a file refused as a whole (the consumer may not report its kind).
    pub async fn refused(&self, access: &Access, kind: ReportKind) -> Result<(), HubError> {
        let audit = self.audit.as_ref().ok_or(HubError::AuditUnavailable)?;
        let subject = audit.subject(&format!("import:{}:{}", access.consumer.id, kind.code()));
        let field = FieldAccess {
            field: format!("Mutation.{}", apply::mutation_of_kind(kind)),
            decision: crate::audit::Decision::Denied,
            write: None,
        };
        audit
            .append(vec![event(access, subject, field)])
            .await
            .map(|_| ())
            .map_err(|e| {
                tracing::error!(error = %e, "audit trail unavailable");
                HubError::AuditUnavailable
            })
    }

    /// Makes every person `chunk` claims for readable to the batch: those read ahead, and
    /// the rest read now in the transaction.
    async fn read_chunk(
        &self,
        txn: &DatabaseTransaction,
        ctx: &mut apply::Ctx<'_>,
        ahead: Option<tokio::task::JoinHandle<Result<claims::Read, DbErr>>>,
        chunk: &[String],
    ) -> Result<(), DbErr> {
        if let Some(task) = ahead {
            let read = task
                .await
                .map_err(|e| DbErr::Custom(format!("claim read-ahead failed: {e}")))??;
            ctx.claims.add(read);
        }
        let rest = ctx.claims.wanted(chunk);
        if !rest.is_empty() {
            let read = claims::read(txn, &self.sources, rest).await?;
            ctx.claims.add(read);
        }
        Ok(())
    }

    /// What the batch needs before its first submission: the reporter's reports it names
    /// (by `externalId`), and the guard of every person it claims for.
    async fn prepare(
        &self,
        txn: &DatabaseTransaction,
        ctx: &mut apply::Ctx<'_>,
        batch: &[Submission],
        results: &[Option<Result<Receipt, HubError>>],
    ) -> Result<(), DbErr> {
        let keys: Vec<&str> = batch
            .iter()
            .flat_map(|s| {
                let named = match &s.action {
                    Action::File(_) => None,
                    Action::Correct { corrects, .. } => Some(corrects.as_str()),
                    Action::Retract { retracts, .. } => Some(retracts.as_str()),
                };
                std::iter::once(s.external_id.as_str()).chain(named)
            })
            .collect();
        ctx.known = store::reports_by_external(txn, ctx.reporter_id(), &keys).await?;
        // Claims: every person claimed for is locked before any is read or judged.
        let claimed = claimed_in(batch, results, 0, batch.len());
        if !claimed.is_empty() {
            ctx.claims = claims::lock(txn, &claimed).await?;
        }
        Ok(())
    }

    /// Checks a batch exactly as [`Reporter::submit`] would, and writes nothing.
    pub async fn check_only(
        &self,
        access: &Arc<Access>,
        batch: Vec<Submission>,
    ) -> Result<BatchOutcome, HubError> {
        let options = Options {
            accept_valid: false,
            override_reason: None,
        };
        // A batch with a rejected row is never written; one is added only if none is.
        let mut out = self.submit_inner(access, batch, options, true).await?;
        out.written = false;
        Ok(out)
    }

    /// A transaction whose reads after the guard see every committed claim: READ
    /// COMMITTED on PostgreSQL and MariaDB, an immediate (write-locked) one on SQLite.
    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = if store::is_sqlite(&self.training) {
            TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            }
        } else {
            TransactionOptions {
                isolation_level: Some(IsolationLevel::ReadCommitted),
                access_mode: Some(AccessMode::ReadWrite),
                ..Default::default()
            }
        };
        self.training.begin_with_options(options).await
    }
}

/// The persons claimed for by the submissions in `from..to` still to be applied.
fn claimed_in(
    batch: &[Submission],
    results: &[Option<Result<Receipt, HubError>>],
    from: usize,
    to: usize,
) -> Vec<String> {
    let to = to.min(batch.len());
    let from = from.min(to);
    batch[from..to]
        .iter()
        .zip(&results[from..to])
        .filter(|(_, r)| r.is_none())
        .filter_map(|(s, _)| claims::claimed_person(s))
        .collect()
}

/// Receipts of a batch that was not written are not receipts: their ids were rolled back.
fn unwritten(results: Vec<Result<Receipt, HubError>>) -> Vec<Result<Receipt, HubError>> {
    results
        .into_iter()
        .map(|r| match r {
            Ok(rc) if !rc.replayed => Ok(Receipt {
                version_id: 0,
                previous_version_id: None,
                record_id: if rc.action == reports::ReportAction::File {
                    0
                } else {
                    rc.record_id
                },
                ..rc
            }),
            other => other,
        })
        .collect()
}

/// The checks a submission passes on its own: its key, its shape, and whether the
/// consumer may report this kind at all.
fn precheck(access: &Access, s: &Submission, today: chrono::NaiveDate) -> Result<(), HubError> {
    let mut problems = Vec::new();
    let key = s.external_id.trim();
    if key.is_empty() {
        problems.push(FieldProblem::new("externalId", reports::Problem::Missing));
    } else if key.chars().count() > 64 || key != s.external_id {
        problems.push(FieldProblem::new(
            "externalId",
            reports::Problem::Malformed {
                expected: "1–64 characters without surrounding spaces".into(),
            },
        ));
    }
    let (report, reason_field, reason) = match &s.action {
        Action::File(r) => (Some(r), None, None),
        Action::Correct { report, reason, .. } => (Some(report), Some("reason"), Some(reason)),
        Action::Retract { reason, .. } => (None, Some("reason"), Some(reason)),
    };
    if let (Some(f), Some(r)) = (reason_field, reason) {
        if r.trim().is_empty() {
            problems.push(FieldProblem::new(f, reports::Problem::Missing));
        } else if r.chars().count() > reports::MAX_REASON {
            problems.push(FieldProblem::new(
                f,
                reports::Problem::TooLong {
                    max: reports::MAX_REASON,
                },
            ));
        }
    }
    if let Some(r) = report {
        problems.extend(reports::check(r, today));
        if problems.is_empty() {
            crate::policy::enforce::writes::may_report(access, r.kind())
                .map_err(HubError::forbidden)?;
            if let Report::Subsidy(x) = r {
                // A claim judged by rules the consumer may not see is refused before
                // anything about the person is read.
                let needed = crate::screening::claim::needed(x.kind);
                let withheld = crate::policy::enforce::writes::withheld_rules(access, needed);
                if let Some(rule) = withheld.first() {
                    return Err(HubError::Forbidden {
                        reason: crate::error::ForbiddenReason::NoGrant,
                        field: Some(format!("ScreeningRule.{}", rule.id())),
                        consumer: Some(access.consumer.name.clone()),
                        purpose: Some(access.purpose.clone()),
                        seen: None,
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(invalid(problems))
    }
}

/// Field problems as the error every report path sends.
pub fn invalid(problems: Vec<FieldProblem>) -> HubError {
    HubError::InvalidReport(
        problems
            .into_iter()
            .map(|p| InputProblem {
                code: p.problem.code(),
                message_zh: p.message(Lang::Zh),
                message_en: p.message(Lang::En),
                field: p.field,
            })
            .collect(),
    )
}

/// A database failure: a unique key two writers raced for is a conflict to retry; the
/// rest is logged, never sent.
fn db_error(e: DbErr) -> HubError {
    if matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        return HubError::Conflict {
            reason: ConflictReason::ConcurrentWrite,
            fields: Vec::new(),
        };
    }
    tracing::error!(error = %e, "report write failed");
    HubError::SourceUnavailable(crate::departments::Department::HrssTraining)
}

/// One audit event for one write (or refused write).
fn event(access: &Access, subject: String, field: FieldAccess) -> NewAuditEvent {
    let c = &access.consumer;
    NewAuditEvent {
        occurred_at: access.time.now,
        consumer_id: c.id,
        consumer_name: c.name.clone(),
        consumer_department: c.department.map(|d| d.code().to_string()),
        purpose: access.purpose.clone(),
        request_id: access.request_id.clone(),
        subject,
        fields: vec![field],
        policy_version: access.snapshot.version,
    }
}
