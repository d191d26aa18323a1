//! Veterans affairs bureau: veteran registrations — source, GraphQL types and section.

use std::sync::Arc;

use async_graphql::{Enum, Object};
use chrono::NaiveDate;

use crate::graphql::scalars::Date;
use entities::veterans::{veteran, VeteranCategory as DbCategory};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{filter_as_of, Department, Source, TimeRanged};

pub struct VeteranSource;

impl Source for VeteranSource {
    type Record = VeteranRecord;
    const NAME: &'static str = "veterans.veteran";
    const DEPARTMENT: Department = Department::Veterans;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = veteran::Entity::find()
            .filter(veteran::Column::IdNumber.is_in(ids))
            .order_by_asc(veteran::Column::IdNumber)
            .order_by_asc(veteran::Column::DischargedOn)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(VeteranRecord::from).collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "DbCategory", rename_items = "SCREAMING_SNAKE_CASE")]
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
#[derive(Debug, Clone)]
pub struct VeteranRecord {
    pub id_number: String,
    pub category: VeteranCategory,
    pub discharged_on: Date,
    pub region_code: String,
}

crate::shared_object!(
    /// A veteran registration; a veteran from the discharge date on.
    VeteranRecord {
        category: VeteranCategory => Veterans, Conditional, plain, None;
        discharged_on: Date => Veterans, Conditional, plain, None;
        region_code: String => Veterans, Conditional, plain, None;
    }
);

impl From<veteran::Model> for VeteranRecord {
    fn from(m: veteran::Model) -> Self {
        Self {
            id_number: m.id_number,
            category: m.category.into(),
            discharged_on: m.discharged_on.into(),
            region_code: m.region_code,
        }
    }
}

impl TimeRanged for VeteranRecord {
    fn valid_from(&self) -> NaiveDate {
        self.discharged_on.0
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        None
    }
}

/// What veterans affairs shares about a person.
pub struct VeteransSection(pub Arc<Vec<VeteranRecord>>);

#[Object]
impl VeteransSection {
    /// Veteran registrations; with `asOf`, only those in force on that date.
    async fn records(&self, as_of: Option<Date>) -> Vec<VeteranRecord> {
        filter_as_of(&self.0, as_of.map(|d| d.0))
    }
}
