//! The trade union's SQL source: `uni_record`.

use entities::trade_union::{record, UnionRecordKind as DbKind};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{map_enum, Grouped, SqlQuery};
use crate::domain::trade_union::{UnionRecord, UnionRecordKind, UnionRecords};

map_enum!(DbKind => UnionRecordKind { Membership, DistressedWorker, ModelWorker });

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::trade_union::record::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::TradeUnionMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = UnionRecords;

    async fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<UnionRecords>,
    ) -> Result<(), DbErr> {
        let rows = record::Entity::find()
            .filter(record::Column::IdNumber.is_in(ids))
            .order_by_asc(record::Column::IdNumber)
            .order_by_asc(record::Column::ValidFrom)
            .all(db)
            .await?;
        for m in rows {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.records.push(UnionRecord {
                    id: m.id,
                    id_number: m.id_number,
                    kind: m.kind.into(),
                    organisation: m.organisation,
                    category: m.category,
                    valid_from: m.valid_from,
                    valid_to: m.valid_to,
                });
            }
        }
        Ok(())
    }
}
