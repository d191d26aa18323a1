//! Federation of trade unions: membership, distressed-worker files, model-worker titles —
//! source, GraphQL types and section.

use std::sync::Arc;

use async_graphql::{Enum, Object};
use chrono::NaiveDate;

use crate::graphql::scalars::Date;
use entities::trade_union::{record, UnionRecordKind as DbKind};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{filter_as_of, Department, Source, TimeRanged};

pub struct UnionSource;

impl Source for UnionSource {
    type Record = UnionRecord;
    const NAME: &'static str = "trade_union.record";
    const DEPARTMENT: Department = Department::TradeUnion;

    async fn fetch(db: &DatabaseConnection, ids: Vec<String>) -> Result<Vec<Self::Record>, DbErr> {
        let rows = record::Entity::find()
            .filter(record::Column::IdNumber.is_in(ids))
            .order_by_asc(record::Column::IdNumber)
            .order_by_asc(record::Column::ValidFrom)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(UnionRecord::from).collect())
    }

    fn id_number(r: &Self::Record) -> &str {
        &r.id_number
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "DbKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum UnionRecordKind {
    Membership,
    /// 困难职工; `category` is the hardship category.
    DistressedWorker,
    /// 劳动模范; `category` is the title.
    ModelWorker,
}

#[derive(Debug, Clone)]
pub struct UnionRecord {
    pub id_number: String,
    pub kind: UnionRecordKind,
    pub organisation: String,
    pub category: Option<String>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

crate::shared_object!(
    UnionRecord {
        kind: UnionRecordKind => TradeUnion, Conditional, plain, None;
        organisation: String => TradeUnion, Unconditional, plain, None;
        category: Option<String> => TradeUnion, Conditional, sensitive, None;
        valid_from: Date => TradeUnion, Conditional, plain, None;
        valid_to: Option<Date> => TradeUnion, Conditional, plain, None;
    }
);

impl From<record::Model> for UnionRecord {
    fn from(m: record::Model) -> Self {
        Self {
            id_number: m.id_number,
            kind: m.kind.into(),
            organisation: m.organisation,
            category: m.category,
            valid_from: m.valid_from.into(),
            valid_to: m.valid_to.map(Date),
        }
    }
}

impl TimeRanged for UnionRecord {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from.0
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to.map(|d| d.0)
    }
}

/// What the trade union shares about a person.
pub struct UnionSection(pub Arc<Vec<UnionRecord>>);

#[Object]
impl UnionSection {
    /// Union records, optionally of one kind and valid on one date.
    async fn records(
        &self,
        kind: Option<UnionRecordKind>,
        as_of: Option<Date>,
    ) -> Vec<UnionRecord> {
        filter_as_of(&self.0, as_of.map(|d| d.0))
            .into_iter()
            .filter(|r| kind.is_none_or(|k| r.kind == k))
            .collect()
    }
}
