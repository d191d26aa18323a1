//! New enrolments and subsidies of a batch, held back and inserted a thousand per
//! statement on PostgreSQL: their ids are reserved from the tables' own sequences first,
//! so a row's receipt, snapshot and version can name its id before the row is written.
//! A file of 100,000 enrolments is a hundred inserts instead of 100,000 round trips.

use entities::hrss_training::{enrolment, subsidy};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait, Statement,
};

/// Rows per insert statement, and ids reserved per sequence read.
pub const PER_STATEMENT: usize = 1000;

/// Records waiting for the batch's next flush, and the ids reserved for more.
#[derive(Default)]
pub struct Staged {
    enrolments: Vec<enrolment::ActiveModel>,
    subsidies: Vec<subsidy::ActiveModel>,
    enrolment_ids: Vec<i64>,
    subsidy_ids: Vec<i64>,
}

/// The record tables whose new rows can be staged.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Enrolment,
    Subsidy,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Enrolment => "trn_enrolment",
            Table::Subsidy => "trn_subsidy",
        }
    }
}

/// Whether new records are staged on this connection: only where ids can be reserved
/// ahead (a PostgreSQL sequence). SQLite is in-process and MariaDB has no sequence to
/// reserve from; both insert row by row.
pub fn supported(txn: &DatabaseTransaction) -> bool {
    txn.get_database_backend() == DatabaseBackend::Postgres
}

impl Staged {
    /// Whether a new row of `table` may be staged now: a subsidy checks its enrolment,
    /// so enrolments staged before it are inserted first.
    pub fn may_stage(&self, table: Table) -> bool {
        match table {
            Table::Enrolment => self.subsidies.is_empty(),
            Table::Subsidy => self.enrolments.is_empty(),
        }
    }

    /// An id for a new row of `table`, taken from its sequence (a thousand at a time).
    /// Ids taken and not used leave gaps, as a rolled-back insert would.
    pub async fn reserve(&mut self, txn: &DatabaseTransaction, table: Table) -> Result<i64, DbErr> {
        let pool = match table {
            Table::Enrolment => &mut self.enrolment_ids,
            Table::Subsidy => &mut self.subsidy_ids,
        };
        if pool.is_empty() {
            let sql = format!(
                "SELECT nextval(pg_get_serial_sequence('{}', 'id')) AS id \
                 FROM generate_series(1, {PER_STATEMENT})",
                table.name()
            );
            let rows = txn
                .query_all_raw(Statement::from_string(DatabaseBackend::Postgres, sql))
                .await?;
            let mut ids = rows
                .iter()
                .map(|r| r.try_get::<i64>("", "id"))
                .collect::<Result<Vec<_>, _>>()?;
            // Handed out from the end: reversed, the lowest id goes first.
            ids.sort_unstable_by(|a, b| b.cmp(a));
            *pool = ids;
        }
        pool.pop()
            .ok_or_else(|| DbErr::Custom(format!("no id reserved for {}", table.name())))
    }

    pub fn enrolment(&mut self, row: enrolment::ActiveModel) {
        self.enrolments.push(row);
    }

    pub fn subsidy(&mut self, row: subsidy::ActiveModel) {
        self.subsidies.push(row);
    }

    /// Inserts every staged record. Called before anything in the batch reads the
    /// record tables, and before the batch's versions are inserted.
    pub async fn flush(&mut self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        let enrolments = std::mem::take(&mut self.enrolments);
        for chunk in enrolments.chunks(PER_STATEMENT) {
            let n = enrolment::Entity::insert_many(chunk.iter().cloned())
                .exec_without_returning(txn)
                .await?;
            inserted(Table::Enrolment, n, chunk.len())?;
        }
        let subsidies = std::mem::take(&mut self.subsidies);
        for chunk in subsidies.chunks(PER_STATEMENT) {
            let n = subsidy::Entity::insert_many(chunk.iter().cloned())
                .exec_without_returning(txn)
                .await?;
            inserted(Table::Subsidy, n, chunk.len())?;
        }
        Ok(())
    }
}

/// A multi-row insert that wrote fewer rows than it was given ends the batch.
fn inserted(table: Table, n: u64, expected: usize) -> Result<(), DbErr> {
    if usize::try_from(n).ok() == Some(expected) {
        Ok(())
    } else {
        Err(DbErr::Custom(format!(
            "{} insert wrote {n} rows of {expected}",
            table.name()
        )))
    }
}
