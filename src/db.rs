//! SQL connections: one pool per department, each counting the statements it runs (so
//! tests can prove batching), the hub's own database, and migrating them all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::Config;
use crate::departments::{Department, DeptMap};
use crate::sources::{self, Sources};

/// One department's database, reached through its own connection pool.
#[derive(Clone)]
pub struct DeptDb {
    pub department: Department,
    pub conn: DatabaseConnection,
    /// False when the database could not be opened at start-up (serving only): the
    /// department is then served by a source that reports it unavailable.
    pub opened: bool,
    statements: Arc<AtomicU64>,
}

impl DeptDb {
    /// Statements executed on this connection since start-up.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// All department databases, one per [`Department`], and the hub's own database.
#[derive(Clone)]
pub struct Databases {
    dbs: Arc<DeptMap<DeptDb>>,
    hub: DatabaseConnection,
}

impl Databases {
    /// Opens every department's pool. Connections are made lazily, so one department being
    /// down does not stop the hub from starting: its sections report `SOURCE_UNAVAILABLE`
    /// and `/readyz` names it.
    pub async fn connect(config: &Config) -> Result<Self, DbErr> {
        Self::open(config, true).await
    }

    /// As [`connect`](Self::connect), but an embedded department database that does not
    /// exist is not created (`serve`: a missing file is a department that is down, not an
    /// empty one).
    pub async fn connect_existing(config: &Config) -> Result<Self, DbErr> {
        Self::open(config, false).await
    }

    async fn open(config: &Config, create: bool) -> Result<Self, DbErr> {
        let mut dbs = Vec::with_capacity(Department::ALL.len());
        for &d in Department::ALL {
            let mut url = config.source_url(d);
            if !create {
                url = url.replace("?mode=rwc", "?mode=rw");
            }
            ensure_sqlite_dir(&url)?;
            let sc = config.source(d);
            let mut opts = ConnectOptions::new(url);
            opts.max_connections(sc.max_connections)
                .min_connections(0)
                .connect_timeout(Duration::from_secs(sc.connect_timeout_secs))
                .acquire_timeout(Duration::from_millis(sc.acquire_timeout_ms.max(1)))
                .sqlx_logging(false)
                .connect_lazy(true);
            let mut opened = true;
            let mut conn = match Database::connect(opts).await {
                Ok(conn) => conn,
                // Serving: a department that cannot be opened (a corrupt file, say) is
                // down — its sections say so and /readyz names it — not a reason to stay
                // down ourselves. It is reopened at the next start.
                Err(e) if !create => {
                    tracing::error!(department = d.code(), error = %e, "department database cannot be opened; serving without it");
                    opened = false;
                    DatabaseConnection::default()
                }
                Err(e) => return Err(e),
            };
            let statements = Arc::new(AtomicU64::new(0));
            let counter = statements.clone();
            conn.set_metric_callback(move |_info| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
            dbs.push((
                d,
                DeptDb {
                    department: d,
                    conn,
                    opened,
                    statements,
                },
            ));
        }
        let hub_url = config.hub_url();
        ensure_sqlite_dir(&hub_url)?;
        let mut opts = ConnectOptions::new(hub_url);
        opts.max_connections(config.hub.max_connections)
            .min_connections(0)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_millis(config.hub.acquire_timeout_ms.max(1)))
            .sqlx_logging(false)
            .connect_lazy(true);
        let hub = Database::connect(opts).await?;
        let dbs = DeptMap::try_from_pairs(dbs)
            .ok_or_else(|| DbErr::Custom("department registry is inconsistent".into()))?;
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
        self.dbs.get(d)
    }

    pub fn iter(&self) -> impl Iterator<Item = &DeptDb> {
        self.dbs.values()
    }

    /// The SQL source of every department, over these connections.
    pub fn sources(&self) -> Result<Sources, sources::SourceError> {
        Sources::new(self.dbs.map(|d, db| {
            if db.opened {
                sources::sql::source(d, db.conn.clone())
            } else {
                std::sync::Arc::new(sources::Unopened(d))
            }
        }))
    }

    /// Every department's source as `config` says: its database (`sql`), or its own
    /// Federation subgraph (`subgraph`).
    pub fn sources_for(&self, config: &Config) -> Result<Sources, sources::SourceError> {
        let mut all = self.sources()?;
        for &d in Department::ALL {
            let sc = config.source(d);
            if sc.backend == crate::domain::Backend::Subgraph {
                all.replace(sources::subgraph::SubgraphSource::arc(d, &sc)?);
            }
        }
        Ok(all)
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
        sources::sql::run::<migrations::HubMigrator>(&self.hub, up).await?;
        for db in self.iter() {
            sources::sql::migrate(db.department, &db.conn, up).await?;
        }
        Ok(())
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
