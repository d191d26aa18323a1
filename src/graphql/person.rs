//! `Person`: identity derived from the ID number plus one section per department, each
//! read through its source's request-scoped dataloader.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::Datelike;

use crate::departments::civil_affairs::{AssistanceSource, CivilAffairsSection};
use crate::departments::education::{EducationSection, SchoolingSource};
use crate::departments::hrss_social::{SocialInsuranceSection, SocialSource};
use crate::departments::hrss_training::{
    Certificate, CertificateSource, Subsidy, SubsidySource, Training, TrainingSource,
};
use crate::departments::poverty::{PovertySection, PovertySource};
use crate::departments::trade_union::{UnionSection, UnionSource};
use crate::departments::veterans::{VeteranSource, VeteransSection};
use crate::departments::{Source, SourceDataLoader};
use crate::error::HubError;
use crate::graphql::scalars::Date;
use crate::id_number::{self, IdNumber};

/// What reading one department's section costs in query complexity, on top of its fields:
/// source-backed fields are what make a query expensive.
const SOURCE_COST: usize = 50;

/// A person in the archive, keyed by resident ID number. Each department's section is
/// null (with a `SOURCE_UNAVAILABLE` error naming the department) when that department's
/// source cannot be read; the rest of the person still comes back.
pub struct Person {
    pub id: IdNumber,
}

/// Reads one source's records for a person through the request's dataloader.
pub async fn load<S: Source>(
    ctx: &Context<'_>,
    id: &IdNumber,
) -> async_graphql::Result<Arc<Vec<S::Record>>> {
    let loader = ctx
        .data::<SourceDataLoader<S>>()
        .map_err(|_| HubError::Internal)?;
    match loader.load_one(id.clone()).await {
        Ok(v) => Ok(v.unwrap_or_default()),
        Err(e) => Err(HubError::SourceUnavailable(e.department).into()),
    }
}

#[Object]
impl Person {
    /// The normalised 18-character ID number.
    #[graphql(directive = crate::policy::catalog::share::apply(
        crate::departments::Department::HrssTraining,
        crate::policy::catalog::SharingClass::Unconditional,
        true,
        crate::policy::mask::MaskKind::IdNumber,
    ))]
    async fn id_number(&self) -> Option<&IdNumber> {
        Some(&self.id)
    }

    /// Facts derived from the ID number itself.
    async fn identity(&self) -> Identity {
        Identity::of(&self.id)
    }

    /// Education bureau: schooling history.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn education(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<EducationSection>> {
        Ok(Some(EducationSection(
            load::<SchoolingSource>(ctx, &self.id).await?,
        )))
    }

    /// Civil affairs: minimum-subsistence, extreme-poverty and zero-employment households.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn civil_affairs(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CivilAffairsSection>> {
        Ok(Some(CivilAffairsSection(
            load::<AssistanceSource>(ctx, &self.id).await?,
        )))
    }

    /// Veterans affairs: veteran category and discharge.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn veterans(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<VeteransSection>> {
        Ok(Some(VeteransSection(
            load::<VeteranSource>(ctx, &self.id).await?,
        )))
    }

    /// Poverty alleviation: registered-poor household membership.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn poverty(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PovertySection>> {
        Ok(Some(PovertySection(
            load::<PovertySource>(ctx, &self.id).await?,
        )))
    }

    /// Trade union: membership, distressed-worker file, model-worker titles.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn union(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<UnionSection>> {
        Ok(Some(UnionSection(
            load::<UnionSource>(ctx, &self.id).await?,
        )))
    }

    /// HRSS social insurance and employment.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn social_insurance(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<SocialInsuranceSection>> {
        Ok(Some(SocialInsuranceSection(
            load::<SocialSource>(ctx, &self.id).await?,
        )))
    }

    /// HRSS training: trainings attended, oldest first.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn trainings(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<Training>>> {
        Ok(Some(load::<TrainingSource>(ctx, &self.id).await?.to_vec()))
    }

    /// HRSS training: certificates obtained.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn certificates(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<Certificate>>> {
        Ok(Some(
            load::<CertificateSource>(ctx, &self.id).await?.to_vec(),
        ))
    }

    /// HRSS training: subsidies paid.
    #[graphql(complexity = "SOURCE_COST + child_complexity")]
    async fn subsidies(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<Subsidy>>> {
        Ok(Some(load::<SubsidySource>(ctx, &self.id).await?.to_vec()))
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Sex {
    Male,
    Female,
}

/// Administrative division of the ID number's first six digits (GB/T 2260). Names are
/// null where the code is not in the table (codes change; that does not make an ID invalid).
#[derive(SimpleObject, Debug, Clone)]
pub struct Region {
    pub code: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub full_name: Option<String>,
}

/// What the ID number itself says about its holder.
#[derive(Debug, Clone)]
pub struct Identity {
    pub masked_id_number: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub age: i32,
    pub region: Region,
}

crate::shared_object!(
    /// What the ID number itself says about its holder.
    Identity {
        /// `371502********123X`
        masked_id_number: String => HrssTraining, Unconditional, plain, None;
        birth_date: Date => HrssTraining, Conditional, sensitive, None;
        sex: Sex => HrssTraining, Unconditional, plain, None;
        /// Age in whole years today.
        age: i32 => HrssTraining, Unconditional, plain, None;
        region: Region => HrssTraining, Unconditional, plain, None;
    }
);

impl Identity {
    pub fn of(id: &IdNumber) -> Self {
        let birth = id.birth_date();
        let today = chrono::Local::now().date_naive();
        let mut age = today.year() - birth.year();
        if (today.month(), today.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        let r = id.region();
        Identity {
            masked_id_number: id.masked(),
            birth_date: birth.into(),
            sex: match id.sex() {
                id_number::Sex::Male => Sex::Male,
                id_number::Sex::Female => Sex::Female,
            },
            age,
            region: Region {
                full_name: r.full_name(),
                code: r.code,
                province: r.province.map(Into::into),
                city: r.city.map(Into::into),
                county: r.county.map(Into::into),
            },
        }
    }
}
