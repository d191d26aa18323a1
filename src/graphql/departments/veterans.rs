//! Veterans affairs' part of `Person`: veteran registrations.

use async_graphql::{Enum, Object};

use crate::domain::filter_as_of;
use crate::domain::veterans::{self as domain, VeteranRecord, VeteransRecords};
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::VeteranCategory",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum VeteranCategory {
    /// 自主就业退役士兵
    SelfEmployedSoldier,
    /// 自主择业军队转业干部
    SelfChosenCareerOfficer,
    /// 复员干部
    DemobilisedCadre,
    Other,
}

crate::gql_enums!(VeteranCategory => domain::VeteranCategory);

crate::shared_object!(
    /// A veteran registration; a veteran from the discharge date on.
    VeteranRecord {
        category: VeteranCategory => Veterans, Conditional, plain, None;
        discharged_on: Date => Veterans, Conditional, plain, None;
        region_code: &String => Veterans, Conditional, plain, None;
    }
);

/// What veterans affairs shares about a person.
pub type VeteransSection = SectionOf<VeteransRecords>;

#[Object(name = "VeteransSection")]
impl VeteransSection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::Veterans,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Veteran registrations; with `asOf`, only those in force on that date. Whether there
    /// are any is veteran status: a list under the policy like any record field.
    #[graphql(directive = share::apply(
        Department::Veterans,
        SharingClass::Conditional,
        true,
        MaskKind::None,
    ))]
    async fn records(
        &self,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&VeteranRecord>>> {
        Ok(Some(filter_as_of(&self.get()?.records, as_of.map(|d| d.0))))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonVeterans")]
impl PersonFields {
    /// Veterans affairs: veteran category and discharge.
    #[graphql(directive = share::apply(
        Department::Veterans,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn veterans(&self) -> async_graphql::Result<Option<VeteransSection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
