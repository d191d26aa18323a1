//! Poverty-alleviation office: registered-poor household membership — source, GraphQL
//! types and section.

use std::sync::Arc;

use async_graphql::{Enum, Object};
use chrono::NaiveDate;

use crate::graphql::scalars::Date;
use entities::poverty::{household_member, PovertyStatus as DbStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{filter_as_of, Department, Source, TimeRanged};

pub struct PovertySource;

impl Source for PovertySource {
    type Record = PovertyRecord;
    const NAME: &'static str = "poverty.household_member";
    const DEPARTMENT: Department = Department::Poverty;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = household_member::Entity::find()
            .filter(household_member::Column::IdNumber.is_in(ids))
            .order_by_asc(household_member::Column::IdNumber)
            .order_by_asc(household_member::Column::RegisteredOn)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(PovertyRecord::from).collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "DbStatus", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PovertyStatus {
    Poor,
    Exited,
    Monitored,
}

/// Membership of a registered-poor (建档立卡) household.
#[derive(Debug, Clone)]
pub struct PovertyRecord {
    pub id_number: String,
    pub household_no: String,
    pub registered_on: Date,
    /// Year the household exited poverty; registered-poor up to the end of that year.
    pub exit_year: Option<i32>,
    pub status: PovertyStatus,
    pub region_code: String,
}

crate::shared_object!(
    /// Membership of a registered-poor (建档立卡) household.
    PovertyRecord {
        household_no: String => Poverty, None, sensitive, None;
        registered_on: Date => Poverty, Conditional, plain, None;
        /// Year the household exited poverty; registered-poor up to the end of that year.
        exit_year: Option<i32> => Poverty, Conditional, plain, None;
        status: PovertyStatus => Poverty, Conditional, sensitive, None;
        region_code: String => Poverty, Conditional, plain, None;
    }
);

impl From<household_member::Model> for PovertyRecord {
    fn from(m: household_member::Model) -> Self {
        Self {
            id_number: m.id_number,
            household_no: m.household_no,
            registered_on: m.registered_on.into(),
            exit_year: m.exit_year,
            status: m.status.into(),
            region_code: m.region_code,
        }
    }
}

impl TimeRanged for PovertyRecord {
    fn valid_from(&self) -> NaiveDate {
        self.registered_on.0
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.exit_year
            .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
    }
}

/// What the poverty-alleviation office shares about a person.
pub struct PovertySection(pub Arc<Vec<PovertyRecord>>);

#[Object]
impl PovertySection {
    /// Registered-poor memberships; with `asOf`, only those in force on that date.
    async fn households(&self, as_of: Option<Date>) -> Vec<PovertyRecord> {
        filter_as_of(&self.0, as_of.map(|d| d.0))
    }
}
