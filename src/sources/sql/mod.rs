//! SQL sources: each department's published tables on its own connection (PostgreSQL,
//! MariaDB or SQLite, through sea-orm), and the SQL side of the department registry —
//! which source and which migrator each department has.

use std::collections::HashMap;
use std::future::Future;
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

        /// The SQL source of department `d` over its connection.
        pub fn source(d: Department, conn: DatabaseConnection) -> Arc<dyn DepartmentSource> {
            match d {
                $( Department::$variant => SqlSource::<$module::Query>::arc(conn), )*
            }
        }

        /// Applies (`up`) or rolls back department `d`'s migrations with its own migrator.
        pub async fn migrate(d: Department, conn: &DatabaseConnection, up: bool) -> Result<(), DbErr> {
            match d {
                $( Department::$variant => run::<$module::Migrator>(conn, up).await, )*
            }
        }
    };
}

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

/// How one department's records are read: its statements, adding each record to its
/// person's records in `out`.
pub trait SqlQuery: Send + Sync + 'static {
    type Records: PersonRecords;

    fn fetch(
        conn: &DatabaseConnection,
        ids: Vec<String>,
        out: &mut Grouped<Self::Records>,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;
}

/// A [`DepartmentSource`] over a department's SQL database.
pub struct SqlSource<Q: SqlQuery> {
    conn: DatabaseConnection,
    _query: PhantomData<fn() -> Q>,
}

impl<Q: SqlQuery> SqlSource<Q> {
    fn arc(conn: DatabaseConnection) -> Arc<dyn DepartmentSource> {
        Arc::new(Self {
            conn,
            _query: PhantomData,
        })
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
        Q::fetch(&self.conn, keys, &mut out)
            .await
            .map_err(|e| SourceError::Query(e.to_string()))?;
        Ok(ids
            .iter()
            .filter_map(|id| {
                let records = out.remove(id.as_str())?;
                Some((id.clone(), Arc::new(records) as Arc<dyn Section>))
            })
            .collect())
    }

    /// Runs the department's own statements for no ID: its tables must exist and answer,
    /// which a bare connection check (or a missing or corrupt SQLite file) would not show.
    async fn ping(&self) -> Result<(), SourceError> {
        let mut none = Grouped::<Q::Records>::new();
        let read = Q::fetch(&self.conn, Vec::new(), &mut none);
        match tokio::time::timeout(Duration::from_secs(2), read).await {
            Ok(r) => r.map_err(|e| SourceError::Query(e.to_string())),
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
