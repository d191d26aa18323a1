//! Education bureau: schooling history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SchoolType {
    JuniorHigh,
    SeniorHigh,
    SecondaryVocational,
    TechnicalSchool,
    College,
    University,
}

/// One period at one school, enrolled from `enrolled_on` to `graduated_on` inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolingRecord {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    pub id_number: String,
    pub student_name: String,
    pub school_name: String,
    pub school_type: SchoolType,
    pub enrolled_on: NaiveDate,
    /// Null while still in school.
    pub graduated_on: Option<NaiveDate>,
    /// Went on to further study after this school.
    pub continued_study: bool,
}

impl TimeRanged for SchoolingRecord {
    fn valid_from(&self) -> NaiveDate {
        self.enrolled_on
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.graduated_on
    }
}

/// What the education bureau holds about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EducationRecords {
    pub schooling: Vec<SchoolingRecord>,
}

impl EducationRecords {
    /// Enrolled in some school on `day`.
    pub fn in_school_on(&self, day: NaiveDate) -> bool {
        self.schooling.iter().any(|r| r.valid_on(day))
    }
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = EducationRecords;

impl PersonRecords for EducationRecords {
    const DEPARTMENT: Department = Department::Education;
    fn len(&self) -> usize {
        self.schooling.len()
    }
}
