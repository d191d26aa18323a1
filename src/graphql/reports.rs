//! The mutations: real-name reports into the HRSS training records (`fileClass`, `enrol`,
//! `recordResult`, `issueCertificate`, `claimSubsidy`) and fixes to a report
//! (`correctReport`, `retractReport`). Each is one submission to the reporting side,
//! which validates, authorises, screens, versions and audits it.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, OneofObject, SimpleObject};

use super::departments::hrss_training::{
    CertificateKind, SkillLevel, SubsidyKind, TrainingResult, TrainingType,
};
use super::scalars::Date;
use crate::domain::reports as r;
use crate::error::HubError;
use crate::id_number::IdNumber;
use crate::policy::enforce::Access;
use crate::reporting::{Action, Options, Receipt, Reporter, Submission};

pub struct MutationRoot;

#[derive(InputObject, Debug, Clone)]
pub struct FileClassInput {
    /// The institution's unified social credit code; it must be on the directory.
    pub institution_uscc: String,
    /// National occupation code, e.g. `4-10-01-02`.
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub training_type: TrainingType,
    pub living_allowance_eligible: bool,
    pub online: bool,
    /// On or before `startDate` (先备案、后开班) unless `lateFilingReason` is given.
    pub filed_on: Date,
    pub start_date: Date,
    pub end_date: Date,
    pub hours: i32,
    /// GB/T 2260 code of the county the class runs in.
    pub region_code: String,
    pub late_filing_reason: Option<String>,
}

#[derive(InputObject, Debug, Clone)]
pub struct EnrolInput {
    pub id_number: IdNumber,
    pub trainee_name: String,
    pub phone: String,
    /// The class's `recordId` (from `fileClass`).
    pub class_id: i64,
    /// On or before the class starts (先报名、后培训) unless `lateEnrolmentReason` is given.
    pub enrolled_on: Date,
    pub late_enrolment_reason: Option<String>,
}

#[derive(InputObject, Debug, Clone)]
pub struct RecordResultInput {
    /// The enrolment's `recordId` (from `enrol`).
    pub enrolment_id: i64,
    /// A trainee who leaves the class is `WITHDRAWN`.
    pub result: TrainingResult,
    pub attended_hours: i32,
    /// On or after the class starts.
    pub result_on: Date,
}

#[derive(InputObject, Debug, Clone)]
pub struct IssueCertificateInput {
    pub id_number: IdNumber,
    pub kind: CertificateKind,
    pub certificate_no: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub issued_on: Date,
    pub issuer: String,
    /// The enrolment that led to it; occupation and level must match its class.
    pub enrolment_id: Option<i64>,
}

#[derive(InputObject, Debug, Clone)]
pub struct ClaimSubsidyInput {
    pub id_number: IdNumber,
    pub kind: SubsidyKind,
    /// In fen (1/100 CNY), a positive integer.
    pub amount_fen: i64,
    pub paid_on: Date,
    /// GB/T 2260 code of the paying county (within the consumer's region scope).
    pub paying_county: String,
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    /// Required for `WORK_FOR_TRAINING`.
    pub employer_uscc: Option<String>,
    /// Required for `WORK_FOR_TRAINING`.
    pub months: Option<i32>,
}

/// The corrected content: exactly one, of the same kind as the report corrected.
#[derive(OneofObject, Debug, Clone)]
pub enum CorrectedReport {
    Class(FileClassInput),
    Enrolment(EnrolInput),
    Result(RecordResultInput),
    Certificate(IssueCertificateInput),
    Subsidy(ClaimSubsidyInput),
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "r::ReportKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ReportKind {
    Class,
    Enrolment,
    Result,
    Certificate,
    Subsidy,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "r::RecordKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ReportRecord {
    Class,
    Enrolment,
    Certificate,
    Subsidy,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "r::ReportAction", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ReportAction {
    File,
    Correct,
    Retract,
}

crate::gql_enums!(
    ReportKind => r::ReportKind,
    ReportRecord => r::RecordKind,
    ReportAction => r::ReportAction,
);

/// What a report came to: the record it wrote (its id is kept across versions) and the
/// version, or — on a repeated `externalId` with the same content — the first result.
#[derive(SimpleObject, Debug, Clone)]
pub struct ReportReceipt {
    pub external_id: String,
    pub kind: ReportKind,
    pub action: ReportAction,
    pub record: ReportRecord,
    pub record_id: i64,
    pub version: i32,
    pub version_id: i64,
    pub previous_version_id: Option<i64>,
    /// True when this `externalId` was reported before with the same content.
    pub replayed: bool,
    /// RFC 3339, UTC.
    pub reported_at: String,
    /// The rules an authorised override paid this claim over.
    pub overridden_rules: Vec<String>,
}

impl From<Receipt> for ReportReceipt {
    fn from(x: Receipt) -> Self {
        Self {
            external_id: x.external_id,
            kind: x.kind.into(),
            action: x.action.into(),
            record: x.record.into(),
            record_id: x.record_id,
            version: x.version,
            version_id: x.version_id,
            previous_version_id: x.previous_version_id,
            replayed: x.replayed,
            reported_at: x.reported_at.to_rfc3339(),
            overridden_rules: x.overrode,
        }
    }
}

impl From<FileClassInput> for r::Report {
    fn from(c: FileClassInput) -> Self {
        r::Report::Class(r::ClassReport {
            institution_uscc: c.institution_uscc,
            occupation_code: c.occupation_code,
            occupation_name: c.occupation_name,
            level: c.level.into(),
            training_type: c.training_type.into(),
            living_allowance_eligible: c.living_allowance_eligible,
            online: c.online,
            filed_on: c.filed_on.0,
            start_date: c.start_date.0,
            end_date: c.end_date.0,
            hours: c.hours,
            region_code: c.region_code,
            late_filing_reason: c.late_filing_reason,
        })
    }
}

impl From<EnrolInput> for r::Report {
    fn from(e: EnrolInput) -> Self {
        r::Report::Enrolment(r::EnrolReport {
            id_number: e.id_number,
            trainee_name: e.trainee_name,
            phone: e.phone,
            class_id: e.class_id,
            enrolled_on: e.enrolled_on.0,
            late_enrolment_reason: e.late_enrolment_reason,
        })
    }
}

impl From<RecordResultInput> for r::Report {
    fn from(x: RecordResultInput) -> Self {
        r::Report::Result(r::ResultReport {
            enrolment_id: x.enrolment_id,
            result: x.result.into(),
            attended_hours: x.attended_hours,
            result_on: x.result_on.0,
        })
    }
}

impl From<IssueCertificateInput> for r::Report {
    fn from(c: IssueCertificateInput) -> Self {
        r::Report::Certificate(r::CertificateReport {
            id_number: c.id_number,
            kind: c.kind.into(),
            certificate_no: c.certificate_no,
            occupation_code: c.occupation_code,
            occupation_name: c.occupation_name,
            level: c.level.into(),
            issued_on: c.issued_on.0,
            issuer: c.issuer,
            enrolment_id: c.enrolment_id,
        })
    }
}

impl From<ClaimSubsidyInput> for r::Report {
    fn from(x: ClaimSubsidyInput) -> Self {
        r::Report::Subsidy(r::SubsidyReport {
            id_number: x.id_number,
            kind: x.kind.into(),
            amount_fen: x.amount_fen,
            paid_on: x.paid_on.0,
            paying_county: x.paying_county,
            enrolment_id: x.enrolment_id,
            certificate_id: x.certificate_id,
            employer_uscc: x.employer_uscc,
            months: x.months,
        })
    }
}

impl From<CorrectedReport> for r::Report {
    fn from(c: CorrectedReport) -> Self {
        match c {
            CorrectedReport::Class(x) => x.into(),
            CorrectedReport::Enrolment(x) => x.into(),
            CorrectedReport::Result(x) => x.into(),
            CorrectedReport::Certificate(x) => x.into(),
            CorrectedReport::Subsidy(x) => x.into(),
        }
    }
}

/// Sends one submission through the reporting side as this request's consumer.
async fn submit(
    ctx: &Context<'_>,
    external_id: String,
    action: Action,
    options: Options,
) -> async_graphql::Result<ReportReceipt> {
    let access = ctx.data_opt::<Arc<Access>>().ok_or(HubError::forbidden(
        crate::error::ForbiddenReason::ConsumerKind,
    ))?;
    let reporter = ctx.data::<Reporter>().map_err(|_| HubError::Internal)?;
    let receipt = reporter
        .submit_one(
            access,
            Submission {
                external_id,
                action,
            },
            options,
        )
        .await?;
    Ok(receipt.into())
}

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Files a training class (开班备案) under the purpose `reporting`.
    async fn file_class(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        class: FileClassInput,
    ) -> async_graphql::Result<ReportReceipt> {
        submit(
            ctx,
            external_id,
            Action::File(class.into()),
            Options::default(),
        )
        .await
    }

    /// Enrols a trainee in a class (学员报名, real name) under the purpose `reporting`.
    async fn enrol(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        enrolment: EnrolInput,
    ) -> async_graphql::Result<ReportReceipt> {
        submit(
            ctx,
            external_id,
            Action::File(enrolment.into()),
            Options::default(),
        )
        .await
    }

    /// Records a trainee's result (a new version of the enrolment).
    async fn record_result(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        result: RecordResultInput,
    ) -> async_graphql::Result<ReportReceipt> {
        submit(
            ctx,
            external_id,
            Action::File(result.into()),
            Options::default(),
        )
        .await
    }

    /// Records a certificate issued.
    async fn issue_certificate(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        certificate: IssueCertificateInput,
    ) -> async_graphql::Result<ReportReceipt> {
        submit(
            ctx,
            external_id,
            Action::File(certificate.into()),
            Options::default(),
        )
        .await
    }

    /// Pays a subsidy — only where `checkClaim` would allow it, judged under the person's
    /// claim guard so that concurrent claims can never both pass a limit. Under the
    /// purpose `subsidy_override`, `overrideReason` pays a refused (or unjudgeable) claim
    /// anyway, recorded and audited with the overriding consumer.
    async fn claim_subsidy(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        claim: ClaimSubsidyInput,
        override_reason: Option<String>,
    ) -> async_graphql::Result<ReportReceipt> {
        let options = Options {
            override_reason,
            ..Default::default()
        };
        submit(ctx, external_id, Action::File(claim.into()), options).await
    }

    /// Corrects a mistake in a report (this reporter's `corrects`): a new version of its
    /// record; the old one stays readable in the version log. A corrected subsidy is
    /// judged and locked like a new claim.
    async fn correct_report(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        corrects: String,
        reason: String,
        report: CorrectedReport,
        override_reason: Option<String>,
    ) -> async_graphql::Result<ReportReceipt> {
        let action = Action::Correct {
            corrects,
            reason,
            report: report.into(),
        };
        let options = Options {
            override_reason,
            ..Default::default()
        };
        submit(ctx, external_id, action, options).await
    }

    /// Withdraws a report made in error (this reporter's `retracts`): its record is no
    /// longer current and no longer judged; a retracted result restores the one before.
    async fn retract_report(
        &self,
        ctx: &Context<'_>,
        external_id: String,
        retracts: String,
        reason: String,
    ) -> async_graphql::Result<ReportReceipt> {
        let action = Action::Retract { retracts, reason };
        submit(ctx, external_id, action, Options::default()).await
    }
}
