//! Federation of trade unions: membership, distressed-worker files, model-worker titles.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PersonRecords, TimeRanged};
use crate::departments::Department;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnionRecordKind {
    Membership,
    /// 困难职工; `category` is the hardship category.
    DistressedWorker,
    /// 劳动模范; `category` is the title.
    ModelWorker,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnionRecord {
    /// The owning department's row id (screening evidence names it).
    pub id: i64,
    pub id_number: String,
    pub kind: UnionRecordKind,
    pub organisation: String,
    pub category: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl TimeRanged for UnionRecord {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to
    }
}

/// What the trade union holds about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnionRecords {
    pub records: Vec<UnionRecord>,
}

/// This department's records about one person (what the registry's dispatch names).
pub type Records = UnionRecords;

impl PersonRecords for UnionRecords {
    const DEPARTMENT: Department = Department::TradeUnion;
    fn len(&self) -> usize {
        self.records.len()
    }
}
