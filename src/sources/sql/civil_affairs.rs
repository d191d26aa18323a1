//! Civil affairs' SQL source: `civ_assistance`.

use entities::civil_affairs::{assistance, AssistanceKind as DbKind};
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
use super::{map_enum, Grouped, SqlQuery};
use crate::domain::civil_affairs::{AssistanceKind, AssistanceRecord, CivilAffairsRecords};

map_enum!(DbKind => AssistanceKind {
    UrbanMinimumSubsistence, RuralMinimumSubsistence, ExtremePoverty, ZeroEmploymentFamily
});

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::civil_affairs::assistance::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::CivilAffairsMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = CivilAffairsRecords;

    fn read() -> &'static Read {
        static READ: LazyLock<Read> =
            LazyLock::new(|| Read::single::<assistance::Entity>(assistance::Column::IdNumber));
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<CivilAffairsRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &assistance::Model| (m.valid_from, m.id))? {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.assistance.push(AssistanceRecord {
                    id: m.id,
                    id_number: m.id_number,
                    kind: m.kind.into(),
                    household_no: m.household_no,
                    address: m.address,
                    region_code: m.region_code,
                    valid_from: m.valid_from,
                    valid_to: m.valid_to,
                });
            }
        }
        Ok(())
    }
}
