//! Veterans affairs bureau: veteran registrations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VeteranCategory {
    /// 自主就业退役士兵
    SelfEmployedSoldier,
    /// 自主择业军队转业干部
    SelfChosenCareerOfficer,
    /// 复员干部
    DemobilisedCadre,
    Other,
}

/// A veteran registration; a veteran from the discharge date on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VeteranRecord {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    pub id_number: String,
    pub category: VeteranCategory,
    pub discharged_on: NaiveDate,
    pub region_code: String,
}

impl TimeRanged for VeteranRecord {
    fn valid_from(&self) -> NaiveDate {
        self.discharged_on
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        None
    }
}

/// What veterans affairs holds about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VeteransRecords {
    pub records: Vec<VeteranRecord>,
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = VeteransRecords;

impl PersonRecords for VeteransRecords {
    const DEPARTMENT: Department = Department::Veterans;
    fn len(&self) -> usize {
        self.records.len()
    }
}
