//! SQL connections: one pool per database URL (departments in one database share it),
//! each department counting the statements it runs (so tests can prove batching), the
//! hub's own database, and migrating them all.

use std::collections::HashMap;
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
    /// Departments with the same pool id read one database through one pool.
    pool: usize,
    statements: Arc<AtomicU64>,
    pool_statements: Arc<AtomicU64>,
}

impl DeptDb {
    /// Statements that read this department since start-up (one that read several
    /// departments on a shared pool counts for each).
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Statements any department ran on this department's pool since start-up.
    pub fn pool_statements(&self) -> u64 {
        self.pool_statements.load(Ordering::Relaxed)
    }

    /// Departments with the same pool id share one database and pool.
    pub fn pool_id(&self) -> usize {
        self.pool
    }

    /// Where this department's SQL source reads.
    fn source_pool(&self) -> sources::sql::round_trip::Pool {
        sources::sql::round_trip::Pool {
            conn: self.conn.clone(),
            id: self.pool,
            statements: self.statements.clone(),
        }
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
        let mut pools = Pools::plan(config, create);
        let mut dbs = Vec::with_capacity(Department::ALL.len());
        for &d in Department::ALL {
            let mut opened = true;
            let url = pools.department_url(d);
            let mut conn = match pools.connection(&url).await {
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
            // A clone of a pool shares its connections but carries its own metric
            // callback: each department counts its own statements on a shared pool.
            let statements = Arc::new(AtomicU64::new(0));
            let (pool, pool_statements) = pools.counter(&url);
            let (counter, on_pool) = (statements.clone(), pool_statements.clone());
            conn.set_metric_callback(move |_info| {
                counter.fetch_add(1, Ordering::Relaxed);
                on_pool.fetch_add(1, Ordering::Relaxed);
            });
            dbs.push((
                d,
                DeptDb {
                    department: d,
                    conn,
                    opened,
                    pool,
                    statements,
                    pool_statements,
                },
            ));
        }
        let hub = pools.connection(&config.hub_url()).await?;
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
                sources::sql::source(d, db.source_pool())
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

/// The instance's connection pools, one per database URL: the hub and the departments
/// that live in one database share one pool of `database_max_connections`, so what an
/// instance holds on a PostgreSQL server is bounded by configuration, not by how many
/// departments it has (three instances and a neighbour fit a default `max_connections`
/// of 100). A URL used once keeps its user's own `max_connections`.
struct Pools {
    config: Config,
    create: bool,
    users: HashMap<String, Vec<PoolUser>>,
    open: HashMap<String, DatabaseConnection>,
    /// Per URL: the pool's id and its statement counter.
    counters: HashMap<String, (usize, Arc<AtomicU64>)>,
}

/// What one user of a URL asks of its pool.
struct PoolUser {
    max_connections: u32,
    connect_timeout: Duration,
    acquire_timeout: Duration,
}

impl Pools {
    fn plan(config: &Config, create: bool) -> Self {
        let mut pools = Self {
            config: config.clone(),
            create,
            users: HashMap::new(),
            open: HashMap::new(),
            counters: HashMap::new(),
        };
        for &d in Department::ALL {
            let sc = config.source(d);
            let user = PoolUser {
                max_connections: sc.max_connections,
                connect_timeout: Duration::from_secs(sc.connect_timeout_secs),
                acquire_timeout: Duration::from_millis(sc.acquire_timeout_ms.max(1)),
            };
            let url = pools.department_url(d);
            pools.users.entry(url).or_default().push(user);
        }
        pools
            .users
            .entry(config.hub_url())
            .or_default()
            .push(PoolUser {
                max_connections: config.hub.max_connections,
                connect_timeout: Duration::from_secs(5),
                acquire_timeout: Duration::from_millis(config.hub.acquire_timeout_ms.max(1)),
            });
        pools
    }

    fn department_url(&self, d: Department) -> String {
        let url = self.config.source_url(d);
        if self.create {
            url
        } else {
            url.replace("?mode=rwc", "?mode=rw")
        }
    }

    /// The id and statement counter of the pool for `url`.
    fn counter(&mut self, url: &str) -> (usize, Arc<AtomicU64>) {
        let next = self.counters.len();
        self.counters
            .entry(url.to_string())
            .or_insert_with(|| (next, Arc::new(AtomicU64::new(0))))
            .clone()
    }

    /// The pool for `url`, opened (lazily: no connection is made yet) on first use.
    async fn connection(&mut self, url: &str) -> Result<DatabaseConnection, DbErr> {
        if let Some(conn) = self.open.get(url) {
            return Ok(conn.clone());
        }
        let users = self.users.get(url).map(Vec::as_slice).unwrap_or_default();
        let max_connections = match users {
            [one] => one.max_connections,
            _ => self.config.database_max_connections,
        };
        // Shared: the most patient connect, the least patient wait for a connection
        // (every user's promise to fail fast holds).
        let connect_timeout = users.iter().map(|u| u.connect_timeout).max();
        let acquire_timeout = users.iter().map(|u| u.acquire_timeout).min();
        ensure_sqlite_dir(url)?;
        let mut opts = ConnectOptions::new(url);
        opts.max_connections(max_connections.max(1))
            .min_connections(0)
            .connect_timeout(connect_timeout.unwrap_or(Duration::from_secs(5)))
            .acquire_timeout(acquire_timeout.unwrap_or(Duration::from_millis(750)))
            .test_before_acquire_if_idle_for(sources::sql::PING_IF_IDLE)
            .set_application_name("archive-hub")
            .sqlx_logging(false)
            .connect_lazy(true);
        let conn = Database::connect(opts).await?;
        self.open.insert(url.to_string(), conn.clone());
        Ok(conn)
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
