//! Civil affairs' SQL source: `civ_assistance`.

use entities::civil_affairs::{assistance, AssistanceKind as DbKind};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

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

    async fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<CivilAffairsRecords>,
    ) -> Result<(), DbErr> {
        let rows = assistance::Entity::find()
            .filter(assistance::Column::IdNumber.is_in(ids))
            .order_by_asc(assistance::Column::IdNumber)
            .order_by_asc(assistance::Column::ValidFrom)
            .all(db)
            .await?;
        for m in rows {
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
