//! Civil affairs bureau: assisted-household membership (低保, 特困, 零就业家庭).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

/// Membership of an assisted household over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistanceRecord {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    pub id_number: String,
    pub kind: AssistanceKind,
    pub household_no: String,
    pub address: String,
    pub region_code: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl TimeRanged for AssistanceRecord {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to
    }
}

/// What civil affairs holds about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CivilAffairsRecords {
    pub assistance: Vec<AssistanceRecord>,
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = CivilAffairsRecords;

impl PersonRecords for CivilAffairsRecords {
    const DEPARTMENT: Department = Department::CivilAffairs;
    fn len(&self) -> usize {
        self.assistance.len()
    }
    /// The household's residence links the person to its region.
    fn linked_regions(&self, out: &mut Vec<String>) {
        out.extend(self.assistance.iter().map(|a| a.region_code.clone()));
    }
}
