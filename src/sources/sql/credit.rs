//! The credit office's SQL source: `crd_blacklist`.

use entities::credit::blacklist;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{Grouped, SqlQuery};
use crate::domain::credit::{BlacklistEntry, CreditRecords};

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::credit::blacklist::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::CreditMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = CreditRecords;

    async fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<CreditRecords>,
    ) -> Result<(), DbErr> {
        let rows = blacklist::Entity::find()
            .filter(blacklist::Column::IdNumber.is_in(ids))
            .order_by_asc(blacklist::Column::IdNumber)
            .order_by_asc(blacklist::Column::ListedOn)
            .order_by_asc(blacklist::Column::Id)
            .all(db)
            .await?;
        for m in rows {
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
