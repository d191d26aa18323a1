//! The one typed configuration: defaults, then an optional TOML file, then environment
//! variables (`ARCHIVE_HUB_…`, `__` between levels, plus `DATABASE_URL`). Nothing else in
//! the hub reads the environment.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::departments::Department;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    /// Where the embedded SQLite databases live (one file per department).
    pub data_dir: PathBuf,
    /// Default URL for every department source without its own `url`. On PostgreSQL the
    /// departments' tables carry distinct prefixes, so they may share one database.
    pub database_url: Option<String>,
    pub sources: SourcesConfig,
    pub limits: LimitsConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    /// Whole-request deadline.
    pub request_timeout_secs: u64,
    /// Request bodies above this are refused with 413 before they are parsed.
    pub body_limit_bytes: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourcesConfig {
    pub hrss_training: SourceConfig,
    pub hrss_social: SourceConfig,
    pub education: SourceConfig,
    pub civil_affairs: SourceConfig,
    pub veterans: SourceConfig,
    pub poverty: SourceConfig,
    pub trade_union: SourceConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// The department's own database (`postgres://…`, `mysql://…`, `sqlite://…`).
    pub url: Option<String>,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Most ID numbers one `persons` call may ask for.
    pub max_batch_ids: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `tracing` filter directive, e.g. `info,archive_hub=debug`.
    pub filter: String,
    /// JSON lines (production) instead of human-readable output.
    pub json: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: ServerConfig::default(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            sources: SourcesConfig::default(),
            limits: LimitsConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            request_timeout_secs: 30,
            body_limit_bytes: 256 * 1024,
        }
    }
}

impl Default for SourceConfig {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 8,
            connect_timeout_secs: 5,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_batch_ids: 1000,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info,sea_orm_migration=warn".into(),
            json: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Defaults ← file (if given, or `archive-hub.toml` when present) ← environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("archive-hub.toml")),
        }
        figment
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
            .merge(Env::prefixed("ARCHIVE_HUB_").split("__"))
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    pub fn source(&self, d: Department) -> &SourceConfig {
        let s = &self.sources;
        match d {
            Department::HrssTraining => &s.hrss_training,
            Department::HrssSocial => &s.hrss_social,
            Department::Education => &s.education,
            Department::CivilAffairs => &s.civil_affairs,
            Department::Veterans => &s.veterans,
            Department::Poverty => &s.poverty,
            Department::TradeUnion => &s.trade_union,
        }
    }

    pub fn source_mut(&mut self, d: Department) -> &mut SourceConfig {
        let s = &mut self.sources;
        match d {
            Department::HrssTraining => &mut s.hrss_training,
            Department::HrssSocial => &mut s.hrss_social,
            Department::Education => &mut s.education,
            Department::CivilAffairs => &mut s.civil_affairs,
            Department::Veterans => &mut s.veterans,
            Department::Poverty => &mut s.poverty,
            Department::TradeUnion => &mut s.trade_union,
        }
    }

    /// The URL a department is reached at: its own, else the shared default, else its
    /// embedded SQLite file under `data_dir`.
    pub fn source_url(&self, d: Department) -> String {
        if let Some(url) = &self.source(d).url {
            return url.clone();
        }
        if let Some(url) = &self.database_url {
            return url.clone();
        }
        let path = self.data_dir.join(format!("{}.db", d.code()));
        format!("sqlite://{}?mode=rwc", path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[server]\nport = 1\nprot = 2\n").unwrap();
        let err = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("prot"), "{err}");
    }

    #[test]
    fn file_values_apply_and_sources_default_to_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "data_dir = \"/tmp/x\"\n[sources.education]\nurl = \"postgres://h/edu\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.source_url(Department::Education), "postgres://h/edu");
        if c.database_url.is_none() {
            assert_eq!(
                c.source_url(Department::Veterans),
                "sqlite:///tmp/x/veterans.db?mode=rwc"
            );
        }
    }
}
