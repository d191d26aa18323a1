//! The credit office's SQL source: `crd_blacklist`.

use entities::credit::blacklist;
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
use super::{Grouped, SqlQuery};
use crate::domain::credit::{BlacklistEntry, CreditRecords};

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::credit::blacklist::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::CreditMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = CreditRecords;

    fn read() -> &'static Read {
        static READ: LazyLock<Read> =
            LazyLock::new(|| Read::single::<blacklist::Entity>(blacklist::Column::IdNumber));
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<CreditRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &blacklist::Model| (m.listed_on, m.id))? {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.blacklist.push(BlacklistEntry {
                    id: m.id,
                    id_number: m.id_number,
                    listed_on: m.listed_on,
                    removed_on: m.removed_on,
                    reason: m.reason,
                    authority: m.authority,
                });
            }
        }
        Ok(())
    }
}
