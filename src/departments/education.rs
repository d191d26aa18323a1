//! Education bureau: schooling records — source, GraphQL types and section.

use async_graphql::{Enum, Object};
use chrono::NaiveDate;

use crate::graphql::scalars::Date;
use entities::education::{schooling, SchoolType as DbSchoolType};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{filter_as_of, Department, Source, TimeRanged};

pub struct SchoolingSource;

impl Source for SchoolingSource {
    type Record = SchoolingRecord;
    const NAME: &'static str = "education.schooling";
    const DEPARTMENT: Department = Department::Education;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = schooling::Entity::find()
            .filter(schooling::Column::IdNumber.is_in(ids))
            .order_by_asc(schooling::Column::IdNumber)
            .order_by_asc(schooling::Column::EnrolledOn)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(SchoolingRecord::from).collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "DbSchoolType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SchoolType {
    JuniorHigh,
    SeniorHigh,
    SecondaryVocational,
    TechnicalSchool,
    College,
    University,
}

/// One period at one school.
#[derive(Debug, Clone)]
pub struct SchoolingRecord {
    pub id_number: String,
    pub student_name: String,
    pub school_name: String,
    pub school_type: SchoolType,
    pub enrolled_on: Date,
    /// Null while still in school.
    pub graduated_on: Option<Date>,
    /// Went on to further study after this school.
    pub continued_study: bool,
}

crate::shared_object!(
    /// One period at one school.
    SchoolingRecord {
        student_name: String => Education, Conditional, sensitive, Name;
        school_name: String => Education, Conditional, plain, None;
        school_type: SchoolType => Education, Unconditional, plain, None;
        enrolled_on: Date => Education, Conditional, plain, None;
        /// Null while still in school.
        graduated_on: Option<Date> => Education, Conditional, plain, None;
        /// Went on to further study after this school.
        continued_study: bool => Education, Unconditional, plain, None;
    }
);

impl From<schooling::Model> for SchoolingRecord {
    fn from(m: schooling::Model) -> Self {
        Self {
            id_number: m.id_number,
            student_name: m.student_name,
            school_name: m.school_name,
            school_type: m.school_type.into(),
            enrolled_on: m.enrolled_on.into(),
            graduated_on: m.graduated_on.map(Date),
            continued_study: m.continued_study,
        }
    }
}

impl TimeRanged for SchoolingRecord {
    fn valid_from(&self) -> NaiveDate {
        self.enrolled_on.0
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.graduated_on.map(|d| d.0)
    }
}

/// What the education bureau shares about a person.
pub struct EducationSection(pub std::sync::Arc<Vec<SchoolingRecord>>);

#[Object]
impl EducationSection {
    /// Schooling records; with `asOf`, only those the person was enrolled in on that date.
    async fn schooling(&self, as_of: Option<Date>) -> Vec<SchoolingRecord> {
        filter_as_of(&self.0, as_of.map(|d| d.0))
    }

    /// In school on the date (default: today).
    async fn in_school(&self, on: Option<Date>) -> bool {
        let d = on.map_or_else(|| chrono::Local::now().date_naive(), |d| d.0);
        self.0.iter().any(|r| r.valid_on(d))
    }
}
