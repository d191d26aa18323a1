//! City credit office (信用办): listings on the credit blacklist.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

/// One listing: on the blacklist from `listed_on` to `removed_on`, both days included
/// ("listed on or before it, not removed before it"); still listed while `removed_on` is
/// null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlacklistEntry {
    pub id: i64,
    pub id_number: String,
    pub listed_on: NaiveDate,
    pub removed_on: Option<NaiveDate>,
    pub reason: String,
    pub authority: String,
}

impl TimeRanged for BlacklistEntry {
    fn valid_from(&self) -> NaiveDate {
        self.listed_on
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.removed_on
    }
}

/// What the credit office holds about a person, oldest listing first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreditRecords {
    pub blacklist: Vec<BlacklistEntry>,
}

impl CreditRecords {
    /// The listing in force on `day`, if any.
    pub fn listed_on(&self, day: NaiveDate) -> Option<&BlacklistEntry> {
        self.blacklist.iter().find(|e| e.valid_on(day))
    }
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = CreditRecords;

impl PersonRecords for CreditRecords {
    const DEPARTMENT: Department = Department::Credit;
    fn len(&self) -> usize {
        self.blacklist.len()
    }
}
