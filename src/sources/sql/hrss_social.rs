//! HRSS social insurance's SQL source: `si_record`, one time-ranged table with a `kind`.

use entities::hrss_social::{record, SocialRecordKind as DbKind};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

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

    async fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<SocialRecords>,
    ) -> Result<(), DbErr> {
        let rows = record::Entity::find()
            .filter(record::Column::IdNumber.is_in(ids))
            .order_by_asc(record::Column::IdNumber)
            .order_by_asc(record::Column::ValidFrom)
            .all(db)
            .await?;
        for m in rows {
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
