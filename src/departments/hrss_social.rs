//! HRSS social insurance and employment: contributions, unemployment, employment
//! difficulty, pension — source, GraphQL types and section.

use std::sync::Arc;

use async_graphql::{Enum, Object};
use chrono::NaiveDate;

use crate::graphql::scalars::Date;
use entities::hrss_social::{record, SocialRecordKind as DbKind};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{filter_as_of, Department, Source, TimeRanged};

pub struct SocialSource;

impl Source for SocialSource {
    type Record = SocialRecord;
    const NAME: &'static str = "hrss_social.record";
    const DEPARTMENT: Department = Department::HrssSocial;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = record::Entity::find()
            .filter(record::Column::IdNumber.is_in(ids))
            .order_by_asc(record::Column::IdNumber)
            .order_by_asc(record::Column::ValidFrom)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(SocialRecord::from).collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "DbKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SocialRecordKind {
    /// Contributions at one employer; `validFrom` is the first contribution there.
    Contribution,
    RegisteredUnemployment,
    /// 就业困难人员
    EmploymentDifficulty,
    /// Entitled to a monthly pension from `validFrom`.
    Pension,
}

#[derive(Debug, Clone)]
pub struct SocialRecord {
    pub id_number: String,
    pub kind: SocialRecordKind,
    pub employer_uscc: Option<String>,
    pub employer_name: Option<String>,
    pub category: Option<String>,
    /// Monthly pension in fen, for `PENSION`.
    pub amount_fen: Option<i64>,
    pub region_code: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

crate::shared_object!(
    SocialRecord {
        kind: SocialRecordKind => HrssSocial, Conditional, plain, None;
        employer_uscc: Option<String> => HrssSocial, Conditional, plain, None;
        employer_name: Option<String> => HrssSocial, Conditional, plain, None;
        category: Option<String> => HrssSocial, Conditional, sensitive, None;
        /// Monthly pension in fen, for `PENSION`.
        amount_fen: Option<i64> => HrssSocial, None, sensitive, None;
        region_code: String => HrssSocial, Conditional, plain, None;
        valid_from: Date => HrssSocial, Conditional, plain, None;
        valid_to: Option<Date> => HrssSocial, Conditional, plain, None;
    }
);

impl From<record::Model> for SocialRecord {
    fn from(m: record::Model) -> Self {
        Self {
            id_number: m.id_number,
            kind: m.kind.into(),
            employer_uscc: m.employer_uscc,
            employer_name: m.employer_name,
            category: m.category,
            amount_fen: m.amount_fen,
            region_code: m.region_code,
            valid_from: m.valid_from.into(),
            valid_to: m.valid_to.map(Date),
        }
    }
}

impl TimeRanged for SocialRecord {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from.0
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to.map(|d| d.0)
    }
}

/// What the social-insurance and employment services share about a person.
pub struct SocialInsuranceSection(pub Arc<Vec<SocialRecord>>);

#[Object]
impl SocialInsuranceSection {
    /// Records, optionally of one kind and valid on one date.
    async fn records(
        &self,
        kind: Option<SocialRecordKind>,
        as_of: Option<Date>,
    ) -> Vec<SocialRecord> {
        filter_as_of(&self.0, as_of.map(|d| d.0))
            .into_iter()
            .filter(|r| kind.is_none_or(|k| r.kind == k))
            .collect()
    }

    /// Entitled to a monthly pension on the date (default: today).
    async fn receives_pension(&self, on: Option<Date>) -> bool {
        let d = on.map_or_else(|| chrono::Local::now().date_naive(), |d| d.0);
        self.0
            .iter()
            .any(|r| r.kind == SocialRecordKind::Pension && r.valid_on(d))
    }
}
