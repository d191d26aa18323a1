//! HRSS social insurance and employment: contributions, unemployment, employment
//! difficulty, pension.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SocialRecordKind {
    /// Contributions at one employer; `valid_from` is the first contribution there.
    Contribution,
    RegisteredUnemployment,
    /// 就业困难人员
    EmploymentDifficulty,
    /// Entitled to a monthly pension from `valid_from`.
    Pension,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialRecord {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    pub id_number: String,
    pub kind: SocialRecordKind,
    pub employer_uscc: Option<String>,
    pub employer_name: Option<String>,
    pub category: Option<String>,
    /// Monthly pension in fen, for `PENSION`.
    pub amount_fen: Option<i64>,
    pub region_code: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl TimeRanged for SocialRecord {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to
    }
}

/// What the social-insurance and employment services hold about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SocialRecords {
    pub records: Vec<SocialRecord>,
}

impl SocialRecords {
    /// Entitled to a monthly pension on `day`.
    pub fn receives_pension_on(&self, day: NaiveDate) -> bool {
        self.records
            .iter()
            .any(|r| r.kind == SocialRecordKind::Pension && r.valid_on(day))
    }
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = SocialRecords;

impl PersonRecords for SocialRecords {
    const DEPARTMENT: Department = Department::HrssSocial;
    fn len(&self) -> usize {
        self.records.len()
    }
}
