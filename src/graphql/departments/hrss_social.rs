//! HRSS social insurance's part of `Person`: contributions, unemployment, employment
//! difficulty, pension.

use async_graphql::{Context, Enum, Object};

use crate::domain::filter_as_of;
use crate::domain::hrss_social::{self as domain, SocialRecord, SocialRecords};
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::SocialRecordKind",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum SocialRecordKind {
    /// Contributions at one employer; `validFrom` is the first contribution there.
    Contribution,
    RegisteredUnemployment,
    /// 就业困难人员
    EmploymentDifficulty,
    /// Entitled to a monthly pension from `validFrom`.
    Pension,
}

crate::gql_enums!(SocialRecordKind => domain::SocialRecordKind);

crate::shared_object!(
    SocialRecord {
        kind: SocialRecordKind => HrssSocial, Conditional, plain, None;
        employer_uscc: &Option<String> => HrssSocial, Conditional, plain, None;
        employer_name: &Option<String> => HrssSocial, Conditional, plain, None;
        category: &Option<String> => HrssSocial, Conditional, sensitive, None;
        /// Monthly pension in fen, for `PENSION`.
        amount_fen: &Option<i64> => HrssSocial, None, sensitive, None;
        region_code: &String => HrssSocial, Conditional, plain, None;
        valid_from: Date => HrssSocial, Conditional, plain, None;
        valid_to: Option<Date> => HrssSocial, Conditional, plain, None;
    }
);

/// What the social-insurance and employment services share about a person.
pub type SocialInsuranceSection = SectionOf<SocialRecords>;

#[Object(name = "SocialInsuranceSection")]
impl SocialInsuranceSection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::HrssSocial,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Records, optionally of one kind and valid on one date.
    #[graphql(directive = share::apply(
        Department::HrssSocial,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn records(
        &self,
        kind: Option<SocialRecordKind>,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&SocialRecord>>> {
        let kind = kind.map(domain::SocialRecordKind::from);
        Ok(Some(
            filter_as_of(&self.get()?.records, as_of.map(|d| d.0))
                .into_iter()
                .filter(|r| kind.is_none_or(|k| r.kind == k))
                .collect(),
        ))
    }

    /// Entitled to a monthly pension on the date (default: today, China Standard Time).
    #[graphql(directive = share::apply(
        Department::HrssSocial,
        SharingClass::Conditional,
        true,
        MaskKind::None,
    ))]
    async fn receives_pension(
        &self,
        ctx: &Context<'_>,
        on: Option<Date>,
    ) -> async_graphql::Result<Option<bool>> {
        let day = crate::graphql::day_or_today(ctx, on)?;
        Ok(Some(self.get()?.receives_pension_on(day)))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonHrssSocial")]
impl PersonFields {
    /// HRSS social insurance and employment.
    #[graphql(directive = share::apply(
        Department::HrssSocial,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn social_insurance(&self) -> async_graphql::Result<Option<SocialInsuranceSection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
