//! Veterans affairs' SQL source: `vet_veteran`.

use entities::veterans::{veteran, VeteranCategory as DbCategory};
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
use super::{map_enum, Grouped, SqlQuery};
use crate::domain::veterans::{VeteranCategory, VeteranRecord, VeteransRecords};

map_enum!(DbCategory => VeteranCategory {
    SelfEmployedSoldier, SelfChosenCareerOfficer, DemobilisedCadre, Other
});

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::veterans::veteran::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::VeteransMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = VeteransRecords;

    fn read() -> &'static Read {
        static READ: LazyLock<Read> =
            LazyLock::new(|| Read::single::<veteran::Entity>(veteran::Column::IdNumber));
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<VeteransRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &veteran::Model| (m.discharged_on, m.id))? {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.records.push(VeteranRecord {
                    id: m.id,
                    id_number: m.id_number,
                    category: m.category.into(),
                    discharged_on: m.discharged_on,
                    region_code: m.region_code,
                });
            }
        }
        Ok(())
    }
}
