//! archive-hub: a GraphQL data-sharing hub that assembles the lifelong vocational-training
//! archive from department-owned sources, keyed by resident ID number.
//!
//! `lib.rs` builds the application; `main.rs` and the integration tests both use it.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub mod cli;
pub mod config;
pub mod db;
pub mod departments;
pub mod error;
pub mod graphql;
pub mod http;
pub mod i18n;
pub mod id_number;
pub mod seed;
pub mod telemetry;

use config::Config;
use db::Databases;
use graphql::{build_schema, HubSchema, QueryLimits};

/// Shared state of a running hub.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub dbs: Databases,
    pub schema: HubSchema,
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
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

impl Application {
    /// Connects every department source and binds the listener (port 0 picks a free one).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let dbs = Databases::connect(&config).await?;
        Self::build_with(config, dbs).await
    }

    pub async fn build_with(config: Config, dbs: Databases) -> Result<Self, StartupError> {
        let addr = format!("{}:{}", config.server.host, config.server.port);
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let schema = build_schema(QueryLimits {
            max_batch_ids: config.limits.max_batch_ids,
        });
        Ok(Self {
            listener,
            state: AppState {
                config: Arc::new(config),
                dbs,
                schema,
            },
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C / SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let app = http::router(self.state);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
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
}
