//! Veterans affairs' SQL source: `vet_veteran`.

use entities::veterans::{veteran, VeteranCategory as DbCategory};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

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

    async fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<VeteransRecords>,
    ) -> Result<(), DbErr> {
        let rows = veteran::Entity::find()
            .filter(veteran::Column::IdNumber.is_in(ids))
            .order_by_asc(veteran::Column::IdNumber)
            .order_by_asc(veteran::Column::DischargedOn)
            .all(db)
            .await?;
        for m in rows {
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
