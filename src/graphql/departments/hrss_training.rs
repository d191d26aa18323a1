//! HRSS training's part of `Person`: trainings (enrolment, class, institution),
//! certificates and subsidies.

use async_graphql::Enum;

use crate::departments::Department;
use crate::domain::hrss_training::{
    self as domain, Certificate, Institution, Subsidy, Training, TrainingClass, TrainingFile,
};
use crate::domain::reports::ReportVersion;
use crate::graphql::reports::{ReportAction, ReportKind, ReportRecord};
use crate::graphql::scalars::Date;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::InstitutionKind",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum InstitutionKind {
    PublicTrainingCenter,
    TechnicalCollege,
    PrivateTrainingSchool,
    Enterprise,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::CreditGrade")]
pub enum CreditGrade {
    A,
    B,
    C,
    D,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(remote = "domain::SkillLevel", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SkillLevel {
    /// 初级工（五级）
    Level5,
    /// 中级工（四级）
    Level4,
    /// 高级工（三级）
    Level3,
    /// 技师（二级）
    Level2,
    /// 高级技师（一级）
    Level1,
    /// 专项职业能力
    SpecialAbility,
    /// 培训合格
    CompletionOnly,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::TrainingType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TrainingType {
    EmploymentSkills,
    JobSkillsUpgrade,
    Entrepreneurship,
    Apprenticeship,
    /// 以工代训: paid to the employer, not counted towards three a year.
    WorkForTraining,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::TrainingResult",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum TrainingResult {
    InProgress,
    Passed,
    Failed,
    Withdrawn,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::CertificateKind",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum CertificateKind {
    VocationalQualification,
    SkillLevel,
    SpecialAbility,
    SpecialOperation,
    TrainingCompletion,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::SubsidyKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SubsidyKind {
    Training,
    SkillAssessment,
    LivingAllowance,
    WorkForTraining,
}

crate::gql_enums!(
    InstitutionKind => domain::InstitutionKind,
    CreditGrade => domain::CreditGrade,
    SkillLevel => domain::SkillLevel,
    TrainingType => domain::TrainingType,
    TrainingResult => domain::TrainingResult,
    CertificateKind => domain::CertificateKind,
    SubsidyKind => domain::SubsidyKind,
);

crate::shared_object!(
    /// A training institution.
    Institution {
        /// Unified social credit code.
        uscc: &String => HrssTraining, Unconditional, plain, None;
        name: &String => HrssTraining, Unconditional, plain, None;
        kind: InstitutionKind => HrssTraining, Unconditional, plain, None;
        /// On the published directory of approved institutions.
        in_directory: &bool => HrssTraining, Unconditional, plain, None;
        credit_grade: CreditGrade => HrssTraining, Unconditional, plain, None;
        region_code: &String => HrssTraining, Unconditional, plain, None;
    }
);

crate::shared_object!(
    /// A filed training class.
    TrainingClass {
        id: &i64 => HrssTraining, Unconditional, plain, None;
        occupation_code: &String => HrssTraining, Unconditional, plain, None;
        occupation_name: &String => HrssTraining, Unconditional, plain, None;
        level: SkillLevel => HrssTraining, Unconditional, plain, None;
        training_type: TrainingType => HrssTraining, Unconditional, plain, None;
        living_allowance_eligible: &bool => HrssTraining, Unconditional, plain, None;
        online: &bool => HrssTraining, Unconditional, plain, None;
        filed_on: Date => HrssTraining, Unconditional, plain, None;
        start_date: Date => HrssTraining, Unconditional, plain, None;
        end_date: Date => HrssTraining, Unconditional, plain, None;
        hours: &i32 => HrssTraining, Unconditional, plain, None;
        region_code: &String => HrssTraining, Unconditional, plain, None;
        institution: &Option<Institution> => HrssTraining, Unconditional, plain, None;
    }
);

crate::shared_object!(
    /// One training a person attended: the enrolment, its class and institution.
    Training {
        enrolment_id: &i64 => HrssTraining, Unconditional, plain, None;
        trainee_name: &String => HrssTraining, Conditional, sensitive, Name;
        phone: &String => HrssTraining, Conditional, sensitive, Phone;
        enrolled_on: Date => HrssTraining, Conditional, plain, None;
        result: TrainingResult => HrssTraining, Conditional, plain, None;
        attended_hours: &i32 => HrssTraining, Conditional, plain, None;
        class: &Option<TrainingClass> => HrssTraining, Unconditional, plain, None;
    }
);

crate::shared_object!(
    Certificate {
        id: &i64 => HrssTraining, Unconditional, plain, None;
        kind: CertificateKind => HrssTraining, Unconditional, plain, None;
        certificate_no: &String => HrssTraining, Conditional, sensitive, Generic;
        occupation_code: &String => HrssTraining, Unconditional, plain, None;
        occupation_name: &String => HrssTraining, Unconditional, plain, None;
        level: SkillLevel => HrssTraining, Unconditional, plain, None;
        issued_on: Date => HrssTraining, Conditional, plain, None;
        issuer: &String => HrssTraining, Unconditional, plain, None;
        enrolment_id: &Option<i64> => HrssTraining, Unconditional, plain, None;
    }
);

crate::shared_object!(
    Subsidy {
        id: &i64 => HrssTraining, Unconditional, plain, None;
        kind: SubsidyKind => HrssTraining, Conditional, plain, None;
        /// Amount in fen (1/100 CNY).
        amount_fen: &i64 => HrssTraining, Conditional, plain, None;
        paid_on: Date => HrssTraining, Conditional, plain, None;
        /// GB/T 2260 code of the county that paid.
        paying_county: &String => HrssTraining, Conditional, plain, None;
        enrolment_id: &Option<i64> => HrssTraining, Unconditional, plain, None;
        certificate_id: &Option<i64> => HrssTraining, Unconditional, plain, None;
        /// For 以工代训: the employer paid, and the months covered.
        employer_uscc: &Option<String> => HrssTraining, Conditional, plain, None;
        months: &Option<i32> => HrssTraining, Conditional, plain, None;
    }
);

crate::shared_object!(
    /// One version of an HRSS training record about the person, as the version log keeps
    /// it: a correction or retraction is a new version, and the old ones stay here.
    ReportVersion {
        version_id: &i64 => HrssTraining, Unconditional, plain, None;
        record: ReportRecord => HrssTraining, Unconditional, plain, None;
        /// Kept across versions: the `id` of the training, certificate or subsidy.
        record_id: &i64 => HrssTraining, Unconditional, plain, None;
        version: &i32 => HrssTraining, Unconditional, plain, None;
        previous_version_id: &Option<i64> => HrssTraining, Unconditional, plain, None;
        kind: ReportKind => HrssTraining, Unconditional, plain, None;
        action: ReportAction => HrssTraining, Unconditional, plain, None;
        /// For a correction or retraction: the version it corrects.
        corrects_version_id: &Option<i64> => HrssTraining, Unconditional, plain, None;
        /// The reporting system's own key.
        external_id: &String => HrssTraining, Conditional, plain, None;
        /// The reporting consumer, by its name at the time.
        reporter: &String => HrssTraining, Conditional, plain, None;
        /// The report as sent (JSON): names and phone numbers in full, so never masked.
        content: &String => HrssTraining, Conditional, sensitive, None;
        /// The record after this version (JSON); null once retracted.
        snapshot: &Option<String> => HrssTraining, Conditional, sensitive, None;
        /// A late filing or enrolment, correction or retraction reason.
        reason: &Option<String> => HrssTraining, Conditional, plain, None;
        /// The consumer that paid a refused claim by an authorised override, and why.
        override_by: &Option<String> => HrssTraining, Conditional, plain, None;
        override_reason: &Option<String> => HrssTraining, Conditional, plain, None;
        /// The rules that override paid the claim over.
        overridden_rules: &Vec<String> => HrssTraining, Conditional, plain, None;
        /// RFC 3339, UTC.
        reported_at: String => HrssTraining, Unconditional, plain, None;
    }
);

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

impl PersonFields {
    fn training(&self) -> Result<&TrainingFile, crate::error::HubError> {
        self.0
            .section::<TrainingFile>()
            .map_err(|e| crate::error::HubError::SourceUnavailable(e.0))
    }
}

#[async_graphql::Object(name = "PersonHrssTraining")]
impl PersonFields {
    /// HRSS training: trainings attended, oldest first.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn trainings(&self) -> async_graphql::Result<Option<&[Training]>> {
        Ok(Some(&self.training()?.trainings))
    }
    /// HRSS training: certificates obtained.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn certificates(&self) -> async_graphql::Result<Option<&[Certificate]>> {
        Ok(Some(&self.training()?.certificates))
    }
    /// HRSS training: subsidies paid.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn subsidies(&self) -> async_graphql::Result<Option<&[Subsidy]>> {
        Ok(Some(&self.training()?.subsidies))
    }
    /// HRSS training: every version of the records about the person reported through the
    /// hub (enrolments and results, certificates, subsidies), oldest first — what was
    /// reported, corrected or withdrawn, when, by whom and why. Read from the version log
    /// when asked, never cached.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn report_history(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<Vec<ReportVersion>>> {
        let loader = ctx
            .data::<HistoryDataLoader>()
            .map_err(|_| crate::error::HubError::Internal)?;
        let versions = loader.load_one(self.0.id.clone()).await?;
        Ok(Some(
            versions.map(|v| v.as_ref().clone()).unwrap_or_default(),
        ))
    }
}

/// Reads `reportHistory` for every person of a request in one statement, like the
/// department sections.
pub struct HistoryLoader(pub crate::reporting::Reporter);

/// The request-scoped `reportHistory` loader.
pub type HistoryDataLoader =
    async_graphql::dataloader::DataLoader<HistoryLoader, async_graphql::dataloader::HashMapCache>;

impl HistoryLoader {
    /// A fresh request-scoped loader over `reporter`'s version log, batching under `gate`.
    pub fn per_request(
        reporter: crate::reporting::Reporter,
        max_batch: usize,
        gate: &crate::sources::gate::PollGate,
    ) -> HistoryDataLoader {
        gate.loader(Self(reporter), max_batch)
    }
}

impl async_graphql::dataloader::Loader<crate::id_number::IdNumber> for HistoryLoader {
    type Value = std::sync::Arc<Vec<ReportVersion>>;
    type Error = crate::error::HubError;

    async fn load(
        &self,
        keys: &[crate::id_number::IdNumber],
    ) -> Result<std::collections::HashMap<crate::id_number::IdNumber, Self::Value>, Self::Error>
    {
        let span = tracing::info_span!(
            "source",
            department = "hrss_training",
            read = "versions",
            ids = keys.len()
        );
        let all = tracing::Instrument::instrument(self.0.histories(keys), span).await?;
        Ok(all
            .into_iter()
            .map(|(k, v)| (k, std::sync::Arc::new(v)))
            .collect())
    }
}
