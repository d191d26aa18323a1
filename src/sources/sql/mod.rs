//! SQL sources: each department's published tables on its own connection (PostgreSQL,
//! MariaDB or SQLite, through sea-orm), and the SQL side of the department registry —
//! which source and which migrator each department has.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};

use super::{DepartmentRecords, DepartmentSource, SourceError};
use crate::departments::Department;
use crate::domain::{PersonRecords, Section};
use crate::id_number::IdNumber;

/// A pooled connection idle at least this long is pinged before use (one that was in use
/// a moment ago is not: sqlx's default ping on every acquire was an extra round trip per
/// statement); a dead one is replaced without failing a request. (A connection taken back
/// after a failed or abandoned statement is pinged then — vendor/README.md — which catches
/// one the failure left broken.)
pub const PING_IF_IDLE: Duration = Duration::from_secs(1);

/// One SQL module per department (named in the registry): its `Query` and `Migrator`.
macro_rules! sql_departments {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        $( pub mod $module; )*

        /// The SQL source of department `d` over its pool.
        pub fn source(d: Department, pool: round_trip::Pool) -> Arc<dyn DepartmentSource> {
            match d {
                $( Department::$variant => SqlSource::<$module::Query>::arc(pool), )*
            }
        }

        /// Every department's read, for checks over all of them.
        pub fn reads() -> Vec<(Department, &'static wide::Read)> {
            vec![$( (Department::$variant, <$module::Query as SqlQuery>::read()), )*]
        }

        /// Applies (`up`) or rolls back department `d`'s migrations with its own migrator.
        pub async fn migrate(d: Department, conn: &DatabaseConnection, up: bool) -> Result<(), DbErr> {
            match d {
                $( Department::$variant => run::<$module::Migrator>(conn, up).await, )*
            }
        }
    };
}

pub mod round_trip;
pub mod wide;

crate::departments!(sql_departments);

/// Applies or rolls back one migrator.
pub async fn run<M: migrations::MigratorTrait>(
    conn: &DatabaseConnection,
    up: bool,
) -> Result<(), DbErr> {
    if up {
        M::up(conn, None).await
    } else {
        M::down(conn, None).await
    }
}

/// Records of a batch of persons, keyed by ID number, each starting empty.
pub type Grouped<T> = HashMap<String, T>;

/// A batch of at most this many IDs reads its departments that share a database in one
/// statement; a longer one reads each department in a statement of its own, concurrently,
/// on as many connections — there the rows, not the round trips, are the cost, and one
/// statement would run on one server process.
pub const SHARED_MAX_IDS: usize = 32;

/// How one department's records are read: its read as a wide union, and the decoding of
/// its rows into its persons' records.
pub trait SqlQuery: Send + Sync + 'static {
    type Records: PersonRecords;

    /// The department's read (built once).
    fn read() -> &'static wide::Read;

    /// Adds each of its rows (its own only) to its person's records in `out`.
    fn decode(rows: &wide::Rows, out: &mut Grouped<Self::Records>) -> Result<(), DbErr>;
}

/// A [`DepartmentSource`] over a department's SQL database.
pub struct SqlSource<Q: SqlQuery> {
    pool: round_trip::Pool,
    _query: PhantomData<fn() -> Q>,
}

impl<Q: SqlQuery> SqlSource<Q> {
    fn arc(pool: round_trip::Pool) -> Arc<dyn DepartmentSource> {
        Arc::new(Self {
            pool,
            _query: PhantomData,
        })
    }

    async fn read(&self, keys: Vec<String>) -> Result<wide::Rows, DbErr> {
        let shared = if keys.len() <= SHARED_MAX_IDS {
            round_trip::read(&self.pool, Q::read(), keys.clone()).await
        } else {
            None
        };
        match shared {
            Some(round_trip::Outcome::Rows(rows)) => Ok(rows),
            Some(round_trip::Outcome::Failed(e)) => Err(e),
            None | Some(round_trip::Outcome::Alone) => {
                let part = wide::Part {
                    read: Q::read(),
                    ids: &keys,
                };
                wide::read(&self.pool.conn, part).await
            }
        }
    }
}

#[async_trait::async_trait]
impl<Q: SqlQuery> DepartmentSource for SqlSource<Q> {
    fn department(&self) -> Department {
        Q::Records::DEPARTMENT
    }

    async fn fetch(&self, ids: &[IdNumber]) -> Result<DepartmentRecords, SourceError> {
        let mut out: Grouped<Q::Records> = ids
            .iter()
            .map(|id| (id.as_str().to_owned(), Q::Records::default()))
            .collect();
        let keys = ids.iter().map(|id| id.as_str().to_owned()).collect();
        self.read(keys)
            .await
            .and_then(|rows| Q::decode(&rows, &mut out))
            .map_err(|e| SourceError::Query(e.to_string()))?;
        Ok(ids
            .iter()
            .filter_map(|id| {
                let records = out.remove(id.as_str())?;
                Some((id.clone(), Arc::new(records) as Arc<dyn Section>))
            })
            .collect())
    }

    /// Runs the department's own statement for no ID: its tables must exist and answer,
    /// which a bare connection check (or a missing or corrupt SQLite file) would not show.
    async fn ping(&self) -> Result<(), SourceError> {
        let part = wide::Part {
            read: Q::read(),
            ids: &[],
        };
        match tokio::time::timeout(Duration::from_secs(2), wide::read(&self.pool.conn, part)).await
        {
            Ok(r) => r.map(drop).map_err(|e| SourceError::Query(e.to_string())),
            Err(_) => Err(SourceError::Timeout),
        }
    }
}

/// `impl From<entity enum> for domain enum`, variant by variant, so that the compiler
/// catches a variant added on one side only.
macro_rules! map_enum {
    ($from:path => $to:path { $($v:ident),* $(,)? }) => {
        impl From<$from> for $to {
            fn from(v: $from) -> Self {
                use $from as F;
                match v { $(F::$v => <$to>::$v,)* }
            }
        }
        // And back, for the write side.
        impl From<$to> for $from {
            fn from(v: $to) -> Self {
                use $to as T;
                match v { $(T::$v => <$from>::$v,)* }
            }
        }
    };
}
use map_enum;
