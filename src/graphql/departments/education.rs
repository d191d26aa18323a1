//! The education bureau's part of `Person`: schooling history.

use async_graphql::{Context, Enum, Object};

use crate::domain::education::{self as domain, EducationRecords, SchoolingRecord};
use crate::domain::filter_as_of;
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::SchoolType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SchoolType {
    JuniorHigh,
    SeniorHigh,
    SecondaryVocational,
    TechnicalSchool,
    College,
    University,
}

crate::gql_enums!(SchoolType => domain::SchoolType);

crate::shared_object!(
    /// One period at one school.
    SchoolingRecord {
        student_name: &String => Education, Conditional, sensitive, Name;
        school_name: &String => Education, Conditional, plain, None;
        school_type: SchoolType => Education, Unconditional, plain, None;
        enrolled_on: Date => Education, Conditional, plain, None;
        /// Null while still in school.
        graduated_on: Option<Date> => Education, Conditional, plain, None;
        /// Went on to further study after this school.
        continued_study: &bool => Education, Unconditional, plain, None;
    }
);

/// What the education bureau shares about a person.
pub type EducationSection = SectionOf<EducationRecords>;

#[Object(name = "EducationSection")]
impl EducationSection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::Education,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Schooling records; with `asOf`, only those the person was enrolled in on that date.
    #[graphql(directive = share::apply(
        Department::Education,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn schooling(
        &self,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&SchoolingRecord>>> {
        Ok(Some(filter_as_of(
            &self.get()?.schooling,
            as_of.map(|d| d.0),
        )))
    }

    /// In school on the date (default: today, China Standard Time).
    #[graphql(directive = share::apply(
        Department::Education,
        SharingClass::Conditional,
        false,
        MaskKind::None,
    ))]
    async fn in_school(
        &self,
        ctx: &Context<'_>,
        on: Option<Date>,
    ) -> async_graphql::Result<Option<bool>> {
        let day = crate::graphql::day_or_today(ctx, on)?;
        Ok(Some(self.get()?.in_school_on(day)))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonEducation")]
impl PersonFields {
    /// Education bureau: schooling history.
    #[graphql(directive = share::apply(
        Department::Education,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn education(&self) -> async_graphql::Result<Option<EducationSection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
