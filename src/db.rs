//! Department database connections: one pool per department, each counting the statements
//! it runs (so tests can prove batching), plus migration of every department.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::Config;
use crate::departments::Department;

/// One department's database, reached through its own connection pool.
#[derive(Clone)]
pub struct DeptDb {
    pub department: Department,
    pub conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
}

impl DeptDb {
    /// Statements executed on this connection since start-up.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// All department databases, indexed by [`Department`], and the hub's own database.
#[derive(Clone)]
pub struct Databases {
    dbs: Arc<Vec<DeptDb>>,
    hub: DatabaseConnection,
}

impl Databases {
    /// Opens every department's pool. Connections are made lazily, so one department being
    /// down does not stop the hub from starting: its sections report `SOURCE_UNAVAILABLE`
    /// and `/readyz` names it.
    pub async fn connect(config: &Config) -> Result<Self, DbErr> {
        let mut dbs = Vec::with_capacity(Department::ALL.len());
        for d in Department::ALL {
            let url = config.source_url(d);
            ensure_sqlite_dir(&url)?;
            let sc = config.source(d);
            let mut opts = ConnectOptions::new(url);
            opts.max_connections(sc.max_connections)
                .min_connections(0)
                .connect_timeout(Duration::from_secs(sc.connect_timeout_secs))
                .acquire_timeout(Duration::from_secs(sc.connect_timeout_secs))
                .sqlx_logging(false)
                .connect_lazy(true);
            let mut conn = Database::connect(opts).await?;
            let statements = Arc::new(AtomicU64::new(0));
            let counter = statements.clone();
            conn.set_metric_callback(move |_info| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
            dbs.push(DeptDb {
                department: d,
                conn,
                statements,
            });
        }
        let hub_url = config.hub_url();
        ensure_sqlite_dir(&hub_url)?;
        let mut opts = ConnectOptions::new(hub_url);
        opts.max_connections(config.hub.max_connections)
            .min_connections(0)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(5))
            .sqlx_logging(false)
            .connect_lazy(true);
        let hub = Database::connect(opts).await?;
        Ok(Self {
            dbs: Arc::new(dbs),
            hub,
        })
    }

    /// The hub's own database (consumers, grants, audit trail).
    pub fn hub(&self) -> &DatabaseConnection {
        &self.hub
    }

    pub fn get(&self, d: Department) -> &DeptDb {
        &self.dbs[d as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &DeptDb> {
        self.dbs.iter()
    }

    /// Brings every department's schema, and the hub's, up to date, each with its own
    /// migrator.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        self.run_migrators(true).await
    }

    /// Rolls every department's schema back (used by the migration round-trip test).
    pub async fn migrate_down(&self) -> Result<(), DbErr> {
        self.run_migrators(false).await
    }

    async fn run_migrators(&self, up: bool) -> Result<(), DbErr> {
        use migrations::*;
        // One place maps each database to its migrator, for both directions.
        macro_rules! run {
            ($m:ty, $c:expr) => {
                if up {
                    <$m>::up($c, None).await
                } else {
                    <$m>::down($c, None).await
                }
            };
        }
        run!(HubMigrator, &self.hub)?;
        for db in self.iter() {
            let c = &db.conn;
            match db.department {
                Department::HrssTraining => run!(HrssTrainingMigrator, c)?,
                Department::HrssSocial => run!(HrssSocialMigrator, c)?,
                Department::Education => run!(EducationMigrator, c)?,
                Department::CivilAffairs => run!(CivilAffairsMigrator, c)?,
                Department::Veterans => run!(VeteransMigrator, c)?,
                Department::Poverty => run!(PovertyMigrator, c)?,
                Department::TradeUnion => run!(TradeUnionMigrator, c)?,
            }
        }
        Ok(())
    }

    /// `Err(department)` for the first source that does not answer.
    pub async fn ping_all(&self) -> Vec<(Department, Result<(), DbErr>)> {
        let futs = self.iter().map(|db| async move {
            let r = tokio::time::timeout(Duration::from_secs(2), db.conn.ping())
                .await
                .unwrap_or_else(|_| Err(DbErr::Custom("ping timed out".into())));
            (db.department, r)
        });
        futures::future::join_all(futs).await
    }
}

fn ensure_sqlite_dir(url: &str) -> Result<(), DbErr> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(parent) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
        }
    }
    Ok(())
}
