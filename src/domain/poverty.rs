//! Poverty-alleviation office: registered-poor (建档立卡) household membership.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PovertyStatus {
    Poor,
    Exited,
    Monitored,
}

/// Membership of a registered-poor household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PovertyRecord {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    pub id_number: String,
    pub household_no: String,
    pub registered_on: NaiveDate,
    /// Year the household exited poverty; registered-poor up to the end of that year.
    pub exit_year: Option<i32>,
    pub status: PovertyStatus,
    pub region_code: String,
}

impl TimeRanged for PovertyRecord {
    fn valid_from(&self) -> NaiveDate {
        self.registered_on
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.exit_year
            .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
    }
}

/// What the poverty-alleviation office holds about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PovertyRecords {
    pub households: Vec<PovertyRecord>,
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = PovertyRecords;

impl PersonRecords for PovertyRecords {
    const DEPARTMENT: Department = Department::Poverty;
    fn len(&self) -> usize {
        self.households.len()
    }
}
