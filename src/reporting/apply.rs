//! One submission inside a batch's transaction: the idempotency check, the checks that
//! need records (the class exists and was filed in time, the trainee enrolled in time,
//! the certificate matches its class, the claim passes the rules), the consumer's scope,
//! then the record written and its version logged.

use std::collections::HashMap;
use std::sync::Arc;

use entities::hrss_training::{certificate, class, enrolment, institution, report, subsidy};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
};
use serde_json::{json, Value};

use super::staging::{self, Staged, Table};
use super::{claims, event, invalid, store, Action, Options, Receipt, Submission};
use crate::audit::{AuditLog, Decision, FieldAccess, NewAuditEvent, WriteRef};
use crate::domain::hrss_training as dom;
use crate::domain::reports::{
    differing_fields, FieldProblem, Problem, RecordKind, Report, ReportAction, ReportKind,
};
use crate::error::{ConflictReason, HubError};
use crate::policy::enforce::writes::{may_report, may_write, WriteScope};
use crate::policy::enforce::Access;

/// Why a submission was not written: rejected (the rest of the batch goes on), or a
/// failure that ends the batch (the transaction is no longer usable).
pub enum Failure {
    Rejected(HubError),
    Fatal(HubError),
}

impl From<DbErr> for Failure {
    fn from(e: DbErr) -> Self {
        Failure::Fatal(super::db_error(e))
    }
}

fn reject<T>(e: HubError) -> Result<T, Failure> {
    Err(Failure::Rejected(e))
}

fn problem<T>(field: &str, p: Problem) -> Result<T, Failure> {
    reject(invalid(vec![FieldProblem::new(field, p)]))
}

fn forbidden<T>(r: crate::error::ForbiddenReason) -> Result<T, Failure> {
    reject(HubError::forbidden(r))
}

fn superseded<T>() -> Result<T, Failure> {
    reject(HubError::Conflict {
        reason: ConflictReason::Superseded,
        fields: Vec::new(),
    })
}

/// A batch's state while its submissions are applied.
pub struct Ctx<'a> {
    txn: &'a DatabaseTransaction,
    access: &'a Arc<Access>,
    audit: &'a AuditLog,
    options: &'a Options,
    pub claims: claims::Claims,
    /// The reporter's reports the batch names, by `externalId` (read before the first
    /// submission, kept up to date as the batch writes).
    pub known: HashMap<String, report::Model>,
    /// Classes read so far, with their institutions (a file of enrolments names a few
    /// classes many times); forgotten when the batch changes one.
    classes: HashMap<i64, (class::Model, institution::Model)>,
    writes: Vec<NewAuditEvent>,
    denials: Vec<NewAuditEvent>,
    /// First versions of new records not inserted yet, with their audit event's index.
    staged: Vec<(report::Model, usize)>,
    /// New enrolments and subsidies not inserted yet (PostgreSQL).
    records: Staged,
}

/// A record written: what the version log and the audit event need.
struct Written {
    record: RecordKind,
    record_id: i64,
    subject: String,
    id_number: Option<String>,
    snapshot: Option<Value>,
    overrode: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        txn: &'a DatabaseTransaction,
        access: &'a Arc<Access>,
        audit: &'a AuditLog,
        options: &'a Options,
    ) -> Self {
        Self {
            txn,
            access,
            audit,
            options,
            claims: claims::Claims::default(),
            known: HashMap::new(),
            classes: HashMap::new(),
            writes: Vec::new(),
            denials: Vec::new(),
            staged: Vec::new(),
            records: Staged::default(),
        }
    }

    pub fn reporter_id(&self) -> i64 {
        self.access.consumer.id
    }

    /// Inserts the staged records, then the staged versions, a thousand per statement,
    /// and gives the versions' ids to the receipts-to-be (`known`) and audit events. Rows
    /// come back from `RETURNING` in the order of their `VALUES` (PostgreSQL and SQLite;
    /// Django's bulk_create relies on the same), and the count is checked.
    pub async fn flush(&mut self) -> Result<(), DbErr> {
        self.records.flush(self.txn).await?;
        if self.staged.is_empty() {
            return Ok(());
        }
        let staged = std::mem::take(&mut self.staged);
        for chunk in staged.chunks(STAGED_PER_INSERT) {
            let rows = chunk.iter().map(|(row, _)| new_version(row));
            let ids = report::Entity::insert_many(rows)
                .exec_with_returning_keys(self.txn)
                .await?;
            if ids.len() != chunk.len() {
                return Err(DbErr::Custom(format!(
                    "version log insert returned {} ids for {} rows",
                    ids.len(),
                    chunk.len()
                )));
            }
            for ((row, event), id) in chunk.iter().zip(ids) {
                if let Some(known) = self.known.get_mut(&row.external_id) {
                    known.id = id;
                }
                let write = self.writes[*event]
                    .fields
                    .iter_mut()
                    .find_map(|f| f.write.as_mut());
                if let Some(w) = write {
                    w.after = Some(id);
                }
            }
        }
        Ok(())
    }

    /// The version id a staged report got (after [`Ctx::flush`]).
    pub fn version_id(&self, external_id: &str) -> Option<i64> {
        self.known.get(external_id).map(|r| r.id)
    }

    /// The audit events: the writes, and the refused writes.
    pub fn finish(self) -> (Vec<NewAuditEvent>, Vec<NewAuditEvent>) {
        (self.writes, self.denials)
    }

    /// Notes a write the policy refused, for the audit trail.
    pub fn denied(&mut self, s: &Submission, e: &HubError) {
        if !matches!(e, HubError::Forbidden { .. }) {
            return;
        }
        let subject = match &s.action {
            Action::File(r) | Action::Correct { report: r, .. } => r.id_number().cloned(),
            Action::Retract { .. } => None,
        };
        let subject = match subject {
            Some(id) => self.audit.subject(id.as_str()),
            None => self.audit.subject(&format!(
                "report:{}:{}",
                self.access.consumer.id, s.external_id
            )),
        };
        let field = FieldAccess {
            field: format!("Mutation.{}", mutation_of(s)),
            decision: Decision::Denied,
            write: None,
        };
        self.denials.push(event(self.access, subject, field));
    }

    pub async fn apply(&mut self, s: &Submission) -> Result<Receipt, Failure> {
        if let Some(prev) = self.known.get(&s.external_id) {
            let stored: serde_json::Map<String, Value> =
                serde_json::from_str(&prev.content).unwrap_or_default();
            let fields = differing_fields(&stored, &s.content());
            if fields.is_empty() {
                return Ok(receipt(prev, true));
            }
            return reject(HubError::Conflict {
                reason: ConflictReason::ExternalIdReused,
                fields,
            });
        }
        // Whatever reads the record tables sees the staged rows: they are inserted first.
        if staged_table(s).is_none_or(|t| !self.records.may_stage(t)) {
            self.flush().await?;
        }
        match &s.action {
            Action::File(r) => self.write(s, r, None, None).await,
            Action::Correct {
                corrects,
                reason,
                report: r,
            } => {
                let target = self.target(corrects, "corrects").await?;
                if target.kind != r.kind().code() {
                    return problem(
                        "kind",
                        Problem::Mismatch {
                            other: "corrects".into(),
                        },
                    );
                }
                self.write(s, r, Some(&target), Some(reason)).await
            }
            Action::Retract { retracts, reason } => {
                let target = self.target(retracts, "retracts").await?;
                self.retract(s, &target, reason).await
            }
        }
    }

    /// The reporter's own report named by `external_id`, when it is still the current
    /// word on its record.
    async fn target(&mut self, external_id: &str, field: &str) -> Result<report::Model, Failure> {
        let Some(t) = self.known.get(external_id).cloned() else {
            return problem(field, Problem::NotFound);
        };
        let record = RecordKind::from_code(&t.record).ok_or(Failure::Fatal(HubError::Internal))?;
        let kind = ReportKind::from_code(&t.kind).ok_or(Failure::Fatal(HubError::Internal))?;
        self.flush().await?;
        let latest = store::latest_version(self.txn, record, t.record_id).await?;
        let latest_kind = store::latest_of_kind(self.txn, record, t.record_id, kind).await?;
        let current = t.action != "RETRACT"
            && latest.is_some_and(|l| l.action != "RETRACT")
            && latest_kind.is_some_and(|l| l.id == t.id);
        if !current {
            return superseded();
        }
        Ok(t)
    }

    async fn write(
        &mut self,
        s: &Submission,
        r: &Report,
        target: Option<&report::Model>,
        reason: Option<&String>,
    ) -> Result<Receipt, Failure> {
        let record_id = target.map(|t| t.record_id);
        let written = match r {
            Report::Class(c) => self.class(c, record_id).await?,
            Report::Enrolment(e) => self.enrolment(e, record_id).await?,
            Report::Result(x) => self.result(x, record_id).await?,
            Report::Certificate(c) => self.certificate(c, record_id).await?,
            Report::Subsidy(x) => self.subsidy(x, record_id).await?,
        };
        let reason = reason.cloned().or_else(|| match r {
            Report::Class(c) => c.late_filing_reason.clone(),
            Report::Enrolment(e) => e.late_enrolment_reason.clone(),
            _ => None,
        });
        self.log(s, r.kind(), target.map(|t| t.id), reason, written)
            .await
    }

    /// Appends the version to the log and the write to the batch's audit events.
    async fn log(
        &mut self,
        s: &Submission,
        kind: ReportKind,
        corrects: Option<i64>,
        reason: Option<String>,
        w: Written,
    ) -> Result<Receipt, Failure> {
        // A record this report just created has no versions before it.
        let created = s.action_code() == "FILE" && is_new(kind);
        let prev = if created {
            None
        } else {
            self.flush().await?;
            store::latest_version(self.txn, w.record, w.record_id).await?
        };
        let version = match (&prev, s.action_code()) {
            (Some(p), _) => p.version + 1,
            // A record the hub never versioned: what it held counts as version 1.
            (None, "FILE") if is_new(kind) => 1,
            (None, _) => 2,
        };
        let overriding = !w.overrode.is_empty();
        let mut row = report::Model {
            id: 0,
            reporter_id: self.access.consumer.id,
            reporter: self.access.consumer.name.clone(),
            external_id: s.external_id.clone(),
            kind: kind.code().into(),
            action: s.action_code().into(),
            record: w.record.code().into(),
            record_id: w.record_id,
            version,
            previous_id: prev.as_ref().map(|p| p.id),
            corrects,
            id_number: w.id_number.clone(),
            content: Value::Object(s.content()).to_string(),
            snapshot: w.snapshot.as_ref().map(Value::to_string),
            reason,
            override_by: overriding.then(|| self.access.consumer.name.clone()),
            override_reason: if overriding {
                self.options.override_reason.clone()
            } else {
                None
            },
            override_rules: overriding.then(|| w.overrode.join(",")),
            request_id: self.access.request_id.chars().take(64).collect(),
            created_at: self.access.time.now,
        };
        // A new record's first version waits for the batch's next multi-row insert (a
        // file of 100,000 rows is a hundred statements, not 100,000); a later version is
        // written at once, since the next one is numbered from it.
        let staged = created && self.txn.support_returning();
        if !staged {
            self.flush().await?;
            row.id = report::Entity::insert(new_version(&row))
                .exec(self.txn)
                .await?
                .last_insert_id;
        }
        let field = FieldAccess {
            field: format!("Mutation.{}", mutation_of(s)),
            decision: Decision::Allowed,
            write: Some(WriteRef {
                record: w.record.code().into(),
                record_id: w.record_id,
                before: row.previous_id,
                after: (!staged).then_some(row.id),
                overrode: w.overrode.clone(),
            }),
        };
        self.writes.push(event(self.access, w.subject, field));
        if staged {
            self.staged.push((row.clone(), self.writes.len() - 1));
        }
        let receipt = receipt(&row, false);
        self.known.insert(row.external_id.clone(), row);
        Ok(receipt)
    }

    async fn class(
        &mut self,
        c: &crate::domain::reports::ClassReport,
        record_id: Option<i64>,
    ) -> Result<Written, Failure> {
        let Some(inst) = store::institution_by_uscc(self.txn, &c.institution_uscc).await? else {
            return problem("institutionUscc", Problem::NotFound);
        };
        if !inst.in_directory {
            return problem("institutionUscc", Problem::NotInDirectory);
        }
        let regions = [c.region_code.clone()];
        if let Err(r) = may_write(
            self.access,
            WriteScope {
                regions: &regions,
                institution_uscc: Some(&inst.uscc),
            },
        ) {
            return forbidden(r);
        }
        if let Some(id) = record_id {
            self.class_in_scope(id, "corrects").await?;
        }
        let mut am = class::ActiveModel {
            institution_id: Set(inst.id),
            occupation_code: Set(c.occupation_code.clone()),
            occupation_name: Set(c.occupation_name.clone()),
            level: Set(c.level.into()),
            training_type: Set(c.training_type.into()),
            living_allowance_eligible: Set(c.living_allowance_eligible),
            online: Set(c.online),
            filed_on: Set(c.filed_on),
            start_date: Set(c.start_date),
            end_date: Set(c.end_date),
            hours: Set(c.hours),
            region_code: Set(c.region_code.clone()),
            ..Default::default()
        };
        let id = match record_id {
            Some(id) => {
                self.classes.remove(&id);
                am.id = Set(id);
                am.update(self.txn).await?.id
            }
            None => am.insert(self.txn).await?.id,
        };
        let mut snapshot = Report::Class(c.clone()).content();
        snapshot.insert("id".into(), json!(id));
        Ok(Written {
            record: RecordKind::Class,
            record_id: id,
            subject: self.audit.subject(&format!("class:{id}")),
            id_number: None,
            snapshot: Some(Value::Object(snapshot)),
            overrode: Vec::new(),
        })
    }

    /// A record about one person written, with the record after it.
    fn about_person(
        &self,
        record: RecordKind,
        record_id: i64,
        id_number: &str,
        snapshot: serde_json::Map<String, Value>,
    ) -> Written {
        Written {
            record,
            record_id,
            subject: self.audit.subject(id_number),
            id_number: Some(id_number.to_string()),
            snapshot: Some(Value::Object(snapshot)),
            overrode: Vec::new(),
        }
    }

    /// Refuses a write outside the consumer's region scope (a record not bound to a class).
    fn in_region(&self, region: String) -> Result<(), Failure> {
        let scope = WriteScope {
            regions: &[region],
            institution_uscc: None,
        };
        may_write(self.access, scope).or_else(forbidden)
    }

    /// A class the consumer may write for, or `NotFound` on `field` (whether a class it
    /// may not write for exists is not its business).
    async fn class_in_scope(&mut self, id: i64, field: &str) -> Result<class::Model, Failure> {
        let found = match self.classes.get(&id) {
            Some(hit) => Some(hit.clone()),
            None => store::class_with_institution(self.txn, id).await?,
        };
        let Some((c, inst)) = found else {
            return problem(field, Problem::NotFound);
        };
        self.classes.insert(id, (c.clone(), inst.clone()));
        let regions = [c.region_code.clone()];
        let scope = WriteScope {
            regions: &regions,
            institution_uscc: Some(&inst.uscc),
        };
        if may_write(self.access, scope).is_err() {
            return problem(field, Problem::NotFound);
        }
        Ok(c)
    }

    /// An enrolment in a class the consumer may write for, or `NotFound` on `field`.
    async fn enrolment_in_scope(
        &mut self,
        id: i64,
        field: &str,
    ) -> Result<(enrolment::Model, class::Model), Failure> {
        let Some(e) = store::enrolment(self.txn, id).await? else {
            return problem(field, Problem::NotFound);
        };
        let c = self.class_in_scope(e.class_id, field).await?;
        Ok((e, c))
    }

    async fn enrolment(
        &mut self,
        e: &crate::domain::reports::EnrolReport,
        record_id: Option<i64>,
    ) -> Result<Written, Failure> {
        let c = self.class_in_scope(e.class_id, "classId").await?;
        let late = e
            .late_enrolment_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty());
        if e.enrolled_on > c.start_date && late {
            return problem(
                "enrolledOn",
                Problem::After {
                    other: "startDate".into(),
                    reason: Some("lateEnrolmentReason".into()),
                },
            );
        }
        let mut am = enrolment::ActiveModel {
            id_number: Set(e.id_number.as_str().to_string()),
            class_id: Set(e.class_id),
            trainee_name: Set(e.trainee_name.trim().to_string()),
            phone: Set(e.phone.clone()),
            enrolled_on: Set(e.enrolled_on),
            ..Default::default()
        };
        let (id, result, hours) = match record_id {
            Some(id) => {
                self.enrolment_in_scope(id, "corrects").await?;
                am.id = Set(id);
                let m = am.update(self.txn).await?;
                (m.id, m.result, m.attended_hours)
            }
            None => {
                am.result = Set(entities::hrss_training::TrainingResult::InProgress);
                am.attended_hours = Set(0);
                if staging::supported(self.txn) {
                    let id = self.records.reserve(self.txn, Table::Enrolment).await?;
                    am.id = Set(id);
                    self.records.enrolment(am);
                    (id, entities::hrss_training::TrainingResult::InProgress, 0)
                } else {
                    let m = am.insert(self.txn).await?;
                    (m.id, m.result, m.attended_hours)
                }
            }
        };
        let mut snapshot = Report::Enrolment(e.clone()).content();
        snapshot.insert("id".into(), json!(id));
        snapshot.insert("result".into(), json!(dom::TrainingResult::from(result)));
        snapshot.insert("attendedHours".into(), json!(hours));
        Ok(self.about_person(RecordKind::Enrolment, id, e.id_number.as_str(), snapshot))
    }

    async fn result(
        &mut self,
        x: &crate::domain::reports::ResultReport,
        record_id: Option<i64>,
    ) -> Result<Written, Failure> {
        if record_id.is_some_and(|id| id != x.enrolment_id) {
            return problem(
                "enrolmentId",
                Problem::Mismatch {
                    other: "corrects".into(),
                },
            );
        }
        let (e, c) = self
            .enrolment_in_scope(x.enrolment_id, "enrolmentId")
            .await?;
        if x.result_on < c.start_date {
            return problem(
                "resultOn",
                Problem::Before {
                    other: "startDate".into(),
                },
            );
        }
        if x.attended_hours > c.hours {
            return problem(
                "attendedHours",
                Problem::Mismatch {
                    other: "hours".into(),
                },
            );
        }
        enrolment::ActiveModel {
            id: Set(e.id),
            result: Set(x.result.into()),
            attended_hours: Set(x.attended_hours),
            ..Default::default()
        }
        .update(self.txn)
        .await?;
        let snapshot = json!({
            "id": e.id, "idNumber": e.id_number, "classId": e.class_id,
            "traineeName": e.trainee_name, "phone": e.phone, "enrolledOn": e.enrolled_on,
            "result": x.result, "attendedHours": x.attended_hours, "resultOn": x.result_on,
        });
        Ok(Written {
            record: RecordKind::Enrolment,
            record_id: e.id,
            subject: self.audit.subject(&e.id_number),
            id_number: Some(e.id_number),
            snapshot: Some(snapshot),
            overrode: Vec::new(),
        })
    }

    async fn certificate(
        &mut self,
        x: &crate::domain::reports::CertificateReport,
        record_id: Option<i64>,
    ) -> Result<Written, Failure> {
        match x.enrolment_id {
            Some(eid) => {
                let (e, c) = self.enrolment_in_scope(eid, "enrolmentId").await?;
                if e.id_number != x.id_number.as_str() {
                    return problem("enrolmentId", Problem::NotThePersons);
                }
                if c.occupation_code != x.occupation_code {
                    return problem(
                        "occupationCode",
                        Problem::Mismatch {
                            other: "occupationCode".into(),
                        },
                    );
                }
                if dom::SkillLevel::from(c.level) != x.level {
                    return problem(
                        "level",
                        Problem::Mismatch {
                            other: "level".into(),
                        },
                    );
                }
                if x.issued_on < c.start_date {
                    return problem(
                        "issuedOn",
                        Problem::Before {
                            other: "startDate".into(),
                        },
                    );
                }
            }
            None => {
                self.in_region(x.id_number.region_code().to_string())?;
            }
        }
        let mut am = certificate::ActiveModel {
            id_number: Set(x.id_number.as_str().to_string()),
            kind: Set(x.kind.into()),
            certificate_no: Set(x.certificate_no.trim().to_string()),
            occupation_code: Set(x.occupation_code.clone()),
            occupation_name: Set(x.occupation_name.clone()),
            level: Set(x.level.into()),
            issued_on: Set(x.issued_on),
            issuer: Set(x.issuer.trim().to_string()),
            enrolment_id: Set(x.enrolment_id),
            ..Default::default()
        };
        let id = match record_id {
            Some(id) => {
                am.id = Set(id);
                am.update(self.txn).await?.id
            }
            None => am.insert(self.txn).await?.id,
        };
        let mut snapshot = Report::Certificate(x.clone()).content();
        snapshot.insert("id".into(), json!(id));
        Ok(self.about_person(RecordKind::Certificate, id, x.id_number.as_str(), snapshot))
    }

    async fn subsidy(
        &mut self,
        x: &crate::domain::reports::SubsidyReport,
        record_id: Option<i64>,
    ) -> Result<Written, Failure> {
        self.in_region(x.paying_county.clone())?;
        if let Some(id) = record_id {
            // The corrected subsidy must still be one this consumer pays.
            let Some(old) = store::subsidy(self.txn, id).await? else {
                return superseded();
            };
            if may_write(
                self.access,
                WriteScope {
                    regions: std::slice::from_ref(&old.paying_county),
                    institution_uscc: None,
                },
            )
            .is_err()
                || old.id_number != x.id_number.as_str()
            {
                return problem("idNumber", Problem::NotThePersons);
            }
        }
        let overrode = self
            .claims
            .judge(self.access, x, record_id, self.options)
            .map_err(Failure::Rejected)?;
        let mut am = subsidy::ActiveModel {
            id_number: Set(x.id_number.as_str().to_string()),
            kind: Set(x.kind.into()),
            amount_fen: Set(x.amount_fen),
            paid_on: Set(x.paid_on),
            paying_county: Set(x.paying_county.clone()),
            enrolment_id: Set(x.enrolment_id),
            certificate_id: Set(x.certificate_id),
            employer_uscc: Set(x.employer_uscc.clone()),
            months: Set(x.months),
            ..Default::default()
        };
        let id = match record_id {
            Some(id) => {
                am.id = Set(id);
                am.update(self.txn).await?.id
            }
            None if staging::supported(self.txn) => {
                let id = self.records.reserve(self.txn, Table::Subsidy).await?;
                am.id = Set(id);
                self.records.subsidy(am);
                id
            }
            None => am.insert(self.txn).await?.id,
        };
        // Earlier rows of the same batch count as paid for the later ones.
        self.claims.paid(x, id, record_id);
        let mut snapshot = Report::Subsidy(x.clone()).content();
        snapshot.insert("id".into(), json!(id));
        Ok(Written {
            overrode,
            ..self.about_person(RecordKind::Subsidy, id, x.id_number.as_str(), snapshot)
        })
    }

    async fn retract(
        &mut self,
        s: &Submission,
        t: &report::Model,
        reason: &str,
    ) -> Result<Receipt, Failure> {
        let kind = ReportKind::from_code(&t.kind).ok_or(Failure::Fatal(HubError::Internal))?;
        if let Err(r) = may_report(self.access, kind) {
            return forbidden(r);
        }
        let record = kind.record();
        let id = t.record_id;
        let mut snapshot = None;
        let subject = match record {
            RecordKind::Class => {
                self.class_in_scope(id, "retracts").await?;
                self.audit.subject(&format!("class:{id}"))
            }
            RecordKind::Enrolment => {
                let (e, _) = self.enrolment_in_scope(id, "retracts").await?;
                self.audit.subject(&e.id_number)
            }
            RecordKind::Certificate => {
                let Some(c) = store::certificate(self.txn, id).await? else {
                    return superseded();
                };
                match c.enrolment_id {
                    Some(eid) => {
                        self.enrolment_in_scope(eid, "retracts").await?;
                    }
                    None => {
                        self.in_region(c.id_number.chars().take(6).collect::<String>())?;
                    }
                }
                self.audit.subject(&c.id_number)
            }
            RecordKind::Subsidy => {
                let Some(x) = store::subsidy(self.txn, id).await? else {
                    return superseded();
                };
                self.in_region(x.paying_county.clone())?;
                self.claims.retracted(&x.id_number, id);
                self.audit.subject(&x.id_number)
            }
        };
        if kind == ReportKind::Result {
            // The result goes back to what the previous result report said, or to none.
            let earlier =
                store::earlier_of_kind(self.txn, record, id, ReportKind::Result, t.version).await?;
            let before: Option<Value> = earlier
                .and_then(|e| e.snapshot)
                .and_then(|s| serde_json::from_str(&s).ok());
            let result = before
                .as_ref()
                .and_then(|b| serde_json::from_value(b["result"].clone()).ok())
                .unwrap_or(dom::TrainingResult::InProgress);
            let hours = before
                .as_ref()
                .and_then(|b| b["attendedHours"].as_i64())
                .and_then(|h| i32::try_from(h).ok())
                .unwrap_or(0);
            enrolment::ActiveModel {
                id: Set(id),
                result: Set(result.into()),
                attended_hours: Set(hours),
                ..Default::default()
            }
            .update(self.txn)
            .await?;
            snapshot = Some(json!({ "id": id, "result": result, "attendedHours": hours }));
        } else {
            if store::in_use(self.txn, record, id).await? {
                return reject(HubError::Conflict {
                    reason: ConflictReason::InUse,
                    fields: Vec::new(),
                });
            }
            store::delete_record(self.txn, record, id).await?;
            if record == RecordKind::Class {
                self.classes.remove(&id);
            }
        }
        let written = Written {
            record,
            record_id: id,
            subject,
            id_number: t.id_number.clone(),
            snapshot,
            overrode: Vec::new(),
        };
        self.log(s, kind, Some(t.id), Some(reason.to_string()), written)
            .await
    }
}

/// Staged version rows per multi-row insert.
const STAGED_PER_INSERT: usize = 1000;

/// A version row to insert (its id from the database; every other column as given).
fn new_version(row: &report::Model) -> report::ActiveModel {
    let mut am = sea_orm::IntoActiveModel::into_active_model(row.clone());
    am.id = sea_orm::ActiveValue::NotSet;
    am
}

/// The table a submission's new record can be staged for, if any.
fn staged_table(s: &Submission) -> Option<Table> {
    match &s.action {
        Action::File(Report::Enrolment(_)) => Some(Table::Enrolment),
        Action::File(Report::Subsidy(_)) => Some(Table::Subsidy),
        _ => None,
    }
}

/// Whether a report of `kind` creates its record (a result versions an enrolment).
fn is_new(kind: ReportKind) -> bool {
    kind != ReportKind::Result
}

/// The GraphQL mutation a submission stands for (the audit names it).
fn mutation_of(s: &Submission) -> &'static str {
    match &s.action {
        Action::File(r) => mutation_of_kind(r.kind()),
        Action::Correct { .. } => "correctReport",
        Action::Retract { .. } => "retractReport",
    }
}

/// The GraphQL mutation that files a report of `kind`.
pub fn mutation_of_kind(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Class => "fileClass",
        ReportKind::Enrolment => "enrol",
        ReportKind::Result => "recordResult",
        ReportKind::Certificate => "issueCertificate",
        ReportKind::Subsidy => "claimSubsidy",
    }
}

fn receipt(row: &report::Model, replayed: bool) -> Receipt {
    Receipt {
        external_id: row.external_id.clone(),
        kind: ReportKind::from_code(&row.kind).unwrap_or(ReportKind::Class),
        action: ReportAction::from_code(&row.action).unwrap_or(ReportAction::File),
        record: RecordKind::from_code(&row.record).unwrap_or(RecordKind::Class),
        record_id: row.record_id,
        version: row.version,
        version_id: row.id,
        previous_version_id: row.previous_id,
        replayed,
        reported_at: row.created_at,
        overrode: row
            .override_rules
            .as_deref()
            .map(|r| {
                r.split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    }
}
