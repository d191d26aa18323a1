//! Civil affairs' part of `Person`: assisted-household memberships.

use async_graphql::{Enum, Object};

use crate::domain::civil_affairs::{self as domain, AssistanceRecord, CivilAffairsRecords};
use crate::domain::filter_as_of;
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::AssistanceKind",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum AssistanceKind {
    /// 城市最低生活保障
    UrbanMinimumSubsistence,
    /// 农村最低生活保障
    RuralMinimumSubsistence,
    /// 特困供养
    ExtremePoverty,
    /// 零就业家庭
    ZeroEmploymentFamily,
}

crate::gql_enums!(AssistanceKind => domain::AssistanceKind);

crate::shared_object!(
    /// Membership of an assisted household over a period.
    AssistanceRecord {
        kind: AssistanceKind => CivilAffairs, Conditional, sensitive, None;
        household_no: &String => CivilAffairs, None, sensitive, None;
        address: &String => CivilAffairs, Conditional, sensitive, Address;
        region_code: &String => CivilAffairs, Conditional, plain, None;
        valid_from: Date => CivilAffairs, Conditional, plain, None;
        valid_to: Option<Date> => CivilAffairs, Conditional, plain, None;
    }
);

/// What civil affairs shares about a person.
pub type CivilAffairsSection = SectionOf<CivilAffairsRecords>;

#[Object(name = "CivilAffairsSection")]
impl CivilAffairsSection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::CivilAffairs,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Assisted-household memberships; with `asOf`, only those valid on that date.
    #[graphql(directive = share::apply(
        Department::CivilAffairs,
        SharingClass::Conditional,
        true,
        MaskKind::None,
    ))]
    async fn assistance(
        &self,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&AssistanceRecord>>> {
        Ok(Some(filter_as_of(
            &self.get()?.assistance,
            as_of.map(|d| d.0),
        )))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonCivilAffairs")]
impl PersonFields {
    /// Civil affairs: minimum-subsistence, extreme-poverty and zero-employment households.
    #[graphql(directive = share::apply(
        Department::CivilAffairs,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn civil_affairs(&self) -> async_graphql::Result<Option<CivilAffairsSection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
