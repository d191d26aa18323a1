//! archive-hub: a GraphQL data-sharing hub that assembles the lifelong vocational-training
//! archive from department-owned sources, keyed by resident ID number.
//!
//! `lib.rs` builds the application; `main.rs` and the integration tests both use it.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod departments;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod i18n;
pub mod id_number;
pub mod policy;
pub mod reporting;
pub mod screening;
pub mod seed;
pub mod sources;
pub mod telemetry;

use clock::Clock;
use config::Config;
use db::Databases;
use graphql::{build_schema, HubSchema, QueryLimits, TypeMap};
use sources::{DepartmentSource, Sources};

/// Shared state of a running hub.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// SQL connections: the hub's own database and each department's (statement counts).
    pub dbs: Databases,
    /// Where each department's records are read from.
    pub sources: Sources,
    pub schema: HubSchema,
    /// The schema's field types, for the pre-execution shape check.
    pub types: Arc<TypeMap>,
    pub limits: QueryLimits,
    pub clock: Clock,
    /// The last readiness report, reused for a moment so that probes cost the departments
    /// nothing extra.
    pub readiness: Arc<tokio::sync::Mutex<Option<http::Readiness>>>,
    /// Renders `/metrics`.
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// The live access policy; `None` only when switched off for a cost comparison.
    pub policy: Option<Arc<policy::store::PolicyStore>>,
    /// The audit trail; `None` only when switched off for a cost comparison.
    pub audit: Option<audit::AuditLog>,
    /// Permits for persons being answered (`server.max_persons_in_flight`).
    pub persons_in_flight: Arc<tokio::sync::Semaphore>,
    /// Query texts already parsed.
    pub documents: graphql::documents::DocumentCache,
}

impl AppState {
    /// The write side, over the current sources.
    pub fn reporter(&self) -> reporting::Reporter {
        reporting::Reporter::new(
            self.dbs
                .get(departments::Department::HrssTraining)
                .conn
                .clone(),
            self.sources.clone(),
            self.audit.clone(),
        )
    }
}

/// A hub bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to a department database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("department sources: {0}")]
    Sources(#[from] sources::SourceError),
    #[error("access policy: {0}")]
    Policy(#[from] policy::store::PolicyError),
    #[error("field catalog: {0}")]
    Catalog(#[from] policy::catalog::CatalogError),
    #[error("audit trail: {0}")]
    Audit(#[from] audit::AuditError),
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// The audit trail's writer over the hub database, with the configured keys, checkpoints
/// and witnesses (the server and the CLI's writing commands append through the same one).
pub async fn open_audit(config: &Config, dbs: &Databases) -> Result<audit::AuditLog, StartupError> {
    let keys =
        audit::AuditKeys::load_or_create(&config.subject_key_file(), &config.signing_key_file())?;
    Ok(audit::AuditLog::start_with(
        dbs.hub().clone(),
        Some(config.hub_url()),
        Arc::new(keys),
        audit::AuditSettings {
            checkpoint_every_events: config.audit.checkpoint_every_events,
            checkpoint_every_secs: config.audit.checkpoint_every_secs,
            witness_file: Some(config.witness_file()),
            witness_url: config.audit.witness_url.clone(),
        },
    )
    .await?)
}

/// The cache in front of the sources, as configured (`None`: off, or no department
/// cached). Its key is derived from the audit subject key, so every instance hashes ID
/// numbers alike.
pub fn open_cache(
    config: &Config,
    audit: Option<&audit::AuditLog>,
) -> Result<Option<Arc<sources::cache::CacheHandle>>, StartupError> {
    use sources::cache::{kv, CacheHandle, Kv};
    let Some(longest) = departments::Department::ALL
        .iter()
        .filter_map(|d| config.cache_ttl(*d))
        .max()
    else {
        return Ok(None);
    };
    let key = match audit {
        Some(a) => a.derived_key("cache"),
        None => {
            // Policy-off cost comparisons only: a key of this process's own.
            use rand::{RngCore, SeedableRng};
            let mut k = [0u8; 32];
            rand::rngs::StdRng::from_os_rng().fill_bytes(&mut k);
            k
        }
    };
    let store: Arc<dyn Kv> = match &config.cache.redis_url {
        Some(url) => Arc::new(
            kv::Redis::new(
                url,
                std::time::Duration::from_millis(config.cache.timeout_ms),
            )
            .map_err(|_| {
                sources::SourceError::Query("cache.redis_url is not a Redis URL".into())
            })?,
        ),
        None => Arc::new(kv::Memory::new(config.cache.max_entries, longest)),
    };
    Ok(Some(Arc::new(CacheHandle::new(store, key, longest))))
}

impl Application {
    /// Connects every department source and binds the listener (port 0 picks a free one).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let dbs = Databases::connect_existing(&config).await?;
        Self::build_with(config, dbs).await
    }

    pub async fn build_with(config: Config, dbs: Databases) -> Result<Self, StartupError> {
        let addr = format!("{}:{}", config.server.host, config.server.port);
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let limits = config.limits;
        let schema = build_schema(limits);
        let types = Arc::new(TypeMap::from_sdl(&schema.sdl()));
        let sources = dbs.sources_for(&config)?;
        let catalog = Arc::new(policy::catalog::Catalog::from_sdl(&schema.sdl())?);
        let policy = if config.policy.enabled {
            let store = policy::store::PolicyStore::open(dbs.hub().clone(), catalog).await?;
            store.spawn_reloader(std::time::Duration::from_secs(
                config.policy.reload_secs.max(1),
            ));
            Some(store)
        } else {
            tracing::warn!("access policy is OFF: every caller sees everything");
            None
        };
        let audit = if config.audit.enabled {
            Some(open_audit(&config, &dbs).await?)
        } else {
            tracing::warn!("audit trail is OFF: accesses are not recorded");
            None
        };
        let sources = match open_cache(&config, audit.as_ref())? {
            Some(cache) => {
                tracing::info!(store = cache.store(), "department records cached");
                sources.with_cache(cache, |d| config.cache_ttl(d))
            }
            None => sources,
        };
        let persons_budget = config.server.max_persons_in_flight.max(1) as usize;
        Ok(Self {
            listener,
            state: AppState {
                config: Arc::new(config),
                dbs,
                sources,
                schema,
                types,
                limits,
                clock: Clock::System,
                readiness: Arc::default(),
                metrics: telemetry::metrics(),
                policy,
                audit,
                persons_in_flight: Arc::new(tokio::sync::Semaphore::new(persons_budget)),
                documents: graphql::documents::DocumentCache::default(),
            },
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The write side over this hub's HRSS training database, sources and audit trail.
    pub fn reporter(&self) -> reporting::Reporter {
        self.state.reporter()
    }

    /// Serves one department from `source` instead of its SQL database (a decorator, a
    /// remote backend, a test double).
    pub fn replace_source(&mut self, source: Arc<dyn DepartmentSource>) {
        self.state.sources.replace(source);
    }

    /// Takes every request's time from `clock` (tests fix it).
    pub fn set_clock(&mut self, clock: Clock) {
        self.state.clock = clock;
    }

    /// Serves until Ctrl-C / SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let audit = self.state.audit.clone();
        let app = http::router(self.state);
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        // In-flight requests are done (each waited for its audit commit); let the writer
        // seal the trail with a last checkpoint before the process ends.
        if let Some(audit) = audit {
            match tokio::time::timeout(std::time::Duration::from_secs(5), audit.checkpoint()).await
            {
                Ok(Ok(())) => tracing::info!("audit trail sealed"),
                Ok(Err(e)) => tracing::error!(error = %e, "final audit checkpoint failed"),
                Err(_) => tracing::error!("final audit checkpoint timed out"),
            }
        }
        tracing::info!("stopped");
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: no new connections; draining requests in flight");
}
