//! HRSS social insurance's SQL source: `si_record`, one time-ranged table with a `kind`.

use entities::hrss_social::{record, SocialRecordKind as DbKind};
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
use super::{map_enum, Grouped, SqlQuery};
use crate::domain::hrss_social::{SocialRecord, SocialRecordKind, SocialRecords};

map_enum!(DbKind => SocialRecordKind {
    Contribution, RegisteredUnemployment, EmploymentDifficulty, Pension
});

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::hrss_social::record::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::HrssSocialMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = SocialRecords;

    fn read() -> &'static Read {
        static READ: LazyLock<Read> =
            LazyLock::new(|| Read::single::<record::Entity>(record::Column::IdNumber));
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<SocialRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &record::Model| (m.valid_from, m.id))? {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.records.push(SocialRecord {
                    id: m.id,
                    id_number: m.id_number,
                    kind: m.kind.into(),
                    employer_uscc: m.employer_uscc,
                    employer_name: m.employer_name,
                    category: m.category,
                    amount_fen: m.amount_fen,
                    region_code: m.region_code,
                    valid_from: m.valid_from,
                    valid_to: m.valid_to,
                });
            }
        }
        Ok(())
    }
}
