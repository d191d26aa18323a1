//! The poverty-alleviation office's SQL source: `pov_household_member`.

use entities::poverty::{household_member, PovertyStatus as DbStatus};
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
use super::{map_enum, Grouped, SqlQuery};
use crate::domain::poverty::{PovertyRecord, PovertyRecords, PovertyStatus};

map_enum!(DbStatus => PovertyStatus { Poor, Exited, Monitored });

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::poverty::household_member::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::PovertyMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = PovertyRecords;

    fn read() -> &'static Read {
        static READ: LazyLock<Read> = LazyLock::new(|| {
            Read::single::<household_member::Entity>(household_member::Column::IdNumber)
        });
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<PovertyRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &household_member::Model| {
            (m.registered_on, m.id)
        })? {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.households.push(PovertyRecord {
                    id: m.id,
                    id_number: m.id_number,
                    household_no: m.household_no,
                    registered_on: m.registered_on,
                    exit_year: m.exit_year,
                    status: m.status.into(),
                    region_code: m.region_code,
                });
            }
        }
        Ok(())
    }
}
