//! The poverty-alleviation office's SQL source: `pov_household_member`.

use entities::poverty::{household_member, PovertyStatus as DbStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

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

    async fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<PovertyRecords>,
    ) -> Result<(), DbErr> {
        let rows = household_member::Entity::find()
            .filter(household_member::Column::IdNumber.is_in(ids))
            .order_by_asc(household_member::Column::IdNumber)
            .order_by_asc(household_member::Column::RegisteredOn)
            .all(db)
            .await?;
        for m in rows {
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
