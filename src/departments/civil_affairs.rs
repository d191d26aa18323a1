//! Civil affairs bureau: assisted-household membership — source, GraphQL types and section.

use std::sync::Arc;

use async_graphql::{Enum, Object};
use chrono::NaiveDate;

use crate::graphql::scalars::Date;
use entities::civil_affairs::{assistance, AssistanceKind as DbKind};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{filter_as_of, Department, Source, TimeRanged};

pub struct AssistanceSource;

impl Source for AssistanceSource {
    type Record = AssistanceRecord;
    const NAME: &'static str = "civil_affairs.assistance";
    const DEPARTMENT: Department = Department::CivilAffairs;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = assistance::Entity::find()
            .filter(assistance::Column::IdNumber.is_in(ids))
            .order_by_asc(assistance::Column::IdNumber)
            .order_by_asc(assistance::Column::ValidFrom)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(AssistanceRecord::from).collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "DbKind", rename_items = "SCREAMING_SNAKE_CASE")]
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
#[derive(Debug, Clone)]
pub struct AssistanceRecord {
    pub id_number: String,
    pub kind: AssistanceKind,
    pub household_no: String,
    pub address: String,
    pub region_code: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

crate::shared_object!(
    /// Membership of an assisted household over a period.
    AssistanceRecord {
        kind: AssistanceKind => CivilAffairs, Conditional, sensitive, None;
        household_no: String => CivilAffairs, None, sensitive, None;
        address: String => CivilAffairs, Conditional, sensitive, Address;
        region_code: String => CivilAffairs, Conditional, plain, None;
        valid_from: Date => CivilAffairs, Conditional, plain, None;
        valid_to: Option<Date> => CivilAffairs, Conditional, plain, None;
    }
);

impl From<assistance::Model> for AssistanceRecord {
    fn from(m: assistance::Model) -> Self {
        Self {
            id_number: m.id_number,
            kind: m.kind.into(),
            household_no: m.household_no,
            address: m.address,
            region_code: m.region_code,
            valid_from: m.valid_from.into(),
            valid_to: m.valid_to.map(Date),
        }
    }
}

impl TimeRanged for AssistanceRecord {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from.0
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to.map(|d| d.0)
    }
}

/// What civil affairs shares about a person.
pub struct CivilAffairsSection(pub Arc<Vec<AssistanceRecord>>);

#[Object]
impl CivilAffairsSection {
    /// Assisted-household memberships; with `asOf`, only those valid on that date.
    async fn assistance(&self, as_of: Option<Date>) -> Vec<AssistanceRecord> {
        filter_as_of(&self.0, as_of.map(|d| d.0))
    }
}
