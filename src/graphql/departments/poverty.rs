//! The poverty-alleviation office's part of `Person`: registered-poor households.

use async_graphql::{Enum, Object};

use crate::domain::filter_as_of;
use crate::domain::poverty::{self as domain, PovertyRecord, PovertyRecords};
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::PovertyStatus",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum PovertyStatus {
    Poor,
    Exited,
    Monitored,
}

crate::gql_enums!(PovertyStatus => domain::PovertyStatus);

crate::shared_object!(
    /// Membership of a registered-poor (建档立卡) household.
    PovertyRecord {
        household_no: &String => Poverty, None, sensitive, None;
        registered_on: Date => Poverty, Conditional, plain, None;
        /// Year the household exited poverty; registered-poor up to the end of that year.
        exit_year: &Option<i32> => Poverty, Conditional, plain, None;
        status: PovertyStatus => Poverty, Conditional, sensitive, None;
        region_code: &String => Poverty, Conditional, plain, None;
    }
);

/// What the poverty-alleviation office shares about a person.
pub type PovertySection = SectionOf<PovertyRecords>;

#[Object(name = "PovertySection")]
impl PovertySection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::Poverty,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Registered-poor memberships; with `asOf`, only those in force on that date.
    #[graphql(directive = share::apply(
        Department::Poverty,
        SharingClass::Conditional,
        true,
        MaskKind::None,
    ))]
    async fn households(
        &self,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&PovertyRecord>>> {
        Ok(Some(filter_as_of(
            &self.get()?.households,
            as_of.map(|d| d.0),
        )))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonPoverty")]
impl PersonFields {
    /// Poverty alleviation: registered-poor household membership.
    #[graphql(directive = share::apply(
        Department::Poverty,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn poverty(&self) -> async_graphql::Result<Option<PovertySection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
