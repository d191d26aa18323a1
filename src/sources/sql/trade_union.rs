//! The trade union's SQL source: `uni_record`.

use entities::trade_union::{record, UnionRecordKind as DbKind};
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
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

    fn read() -> &'static Read {
        static READ: LazyLock<Read> =
            LazyLock::new(|| Read::single::<record::Entity>(record::Column::IdNumber));
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<UnionRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &record::Model| (m.valid_from, m.id))? {
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
