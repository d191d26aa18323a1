//! The one typed configuration: defaults, then an optional TOML file, then environment
//! variables (`ARCHIVE_HUB_…`, `__` between levels, plus `DATABASE_URL`). Nothing else in
//! the hub reads the environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::departments::{Backend, Department};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    /// Where the embedded SQLite databases live (one file per department).
    pub data_dir: PathBuf,
    /// Default URL for every department source without its own `url`. On PostgreSQL the
    /// departments' tables carry distinct prefixes, so they may share one database.
    pub database_url: Option<String>,
    /// Connections of the one pool shared by the hub and every department reached through
    /// the same database URL (per instance). A URL only one of them uses gets that one's
    /// own `max_connections`.
    pub database_max_connections: u32,
    pub sources: SourcesConfig,
    /// The hub's own database: consumers, grants, audit trail.
    pub hub: HubConfig,
    pub policy: PolicyConfig,
    pub audit: AuditConfig,
    pub limits: LimitsConfig,
    pub cache: CacheConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubConfig {
    /// Defaults to `database_url`, else `data_dir/hub.db`.
    pub url: Option<String>,
    pub max_connections: u32,
    /// Longest wait for a pooled connection: past it the request fails (503 with
    /// `Retry-After`) instead of hanging while the database is down.
    pub acquire_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Field-level access policy. Only a benchmark comparing the cost of the policy turns
    /// this off; the hub then serves anyone everything.
    pub enabled: bool,
    /// How often running hubs look for policy changes.
    pub reload_secs: u64,
    /// A policy file applied at start-up when the hub has no consumers yet (the demo's).
    pub bootstrap_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The audit trail. Only a benchmark comparing its cost turns this off.
    pub enabled: bool,
    /// HMAC key for audit subjects (hex); created when missing. Default `data_dir/keys/`.
    pub subject_key_file: Option<PathBuf>,
    /// Ed25519 key signing checkpoints (hex); created when missing.
    pub signing_key_file: Option<PathBuf>,
    pub checkpoint_every_events: u64,
    pub checkpoint_every_secs: u64,
    /// Append-only file every signed head is witnessed in (outside the database).
    /// Default `data_dir/audit-witness.jsonl`.
    pub witness_file: Option<PathBuf>,
    /// A second witness: signed heads are POSTed here (JSON, one per request, plain HTTP).
    pub witness_url: Option<String>,
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
    /// Persons being answered at once, over all requests (`person` counts 1, `persons`
    /// its batch size): what bounds the process's memory under large batches. A request
    /// over the budget waits its turn (within the request timeout); one larger than the
    /// whole budget runs alone.
    pub max_persons_in_flight: u32,
    /// How long the allocator keeps freed memory before returning it to the system. Its
    /// own default (1,000 ms) let a 1,000-ID batch peak at 140–155 MB of RSS over ~30 MB
    /// of live data; 50 ms kept it at 112–119 MB at no measurable CPU cost (README,
    /// "Memory setting"). 0 returns memory at once (about 25 % more CPU on batches).
    pub allocator_purge_delay_ms: u32,
}

/// Each department's source, keyed by its registry code (`[sources.civil_affairs]`); a
/// key that names no department is an error.
pub type SourcesConfig = BTreeMap<String, SourceConfig>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// How the hub reads this department: its database (`sql`, the default) or its own
    /// Federation subgraph (`subgraph`, configured in `[sources.<code>.subgraph]`).
    pub backend: Backend,
    /// The department's own database (`postgres://…`, `mysql://…`, `sqlite://…`): read
    /// with the `sql` backend; with `subgraph` used only by `migrate` and `seed`.
    pub url: Option<String>,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    /// Longest wait for a pooled connection: past it the department's section is
    /// `SOURCE_UNAVAILABLE` instead of the request hanging while its database is down.
    pub acquire_timeout_ms: u64,
    /// The answering system's name in each section's provenance (default: `<code>-db`
    /// or `<code>-subgraph`). Never put a URL here: consumers see it.
    pub system: Option<String>,
    pub subgraph: SubgraphConfig,
    /// How long this department's records stay cached (default: `[cache] ttl_secs`);
    /// 0: never cached.
    pub cache_ttl_secs: Option<u64>,
}

/// The cache in front of the sources: Redis when `redis_url` (or `REDIS_URL`) is set,
/// shared by every instance; else in-process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    pub enabled: bool,
    pub redis_url: Option<String>,
    /// Default time to live of a department's cached records.
    pub ttl_secs: u64,
    /// Longest a Redis call may take before it counts as a miss.
    pub timeout_ms: u64,
    /// Entries of the in-process cache.
    pub max_entries: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            redis_url: None,
            ttl_secs: 60,
            timeout_ms: 200,
            max_entries: 200_000,
        }
    }
}

/// A department's own Federation subgraph, read with `_entities`: per-attempt timeouts, a
/// concurrency limit, retries with exponential backoff for these idempotent reads, an
/// overall deadline per read (below the request timeout) and a circuit breaker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SubgraphConfig {
    /// The subgraph's GraphQL endpoint (`http://…/graphql` or `https://…`).
    pub url: Option<String>,
    /// Sent as `Authorization: Bearer …` (set it from the environment:
    /// `ARCHIVE_HUB_SOURCES__<CODE>__SUBGRAPH__TOKEN`).
    pub token: Option<String>,
    pub connect_timeout_ms: u64,
    /// One attempt, answer body included.
    pub request_timeout_ms: u64,
    /// Every attempt and backoff of one read together.
    pub deadline_ms: u64,
    /// Reads in flight to this subgraph at once (more wait their turn).
    pub max_concurrency: usize,
    /// Further attempts after a failed one (connection refused, timeout, HTTP 5xx/429).
    pub retries: usize,
    pub retry_min_delay_ms: u64,
    pub retry_max_delay_ms: u64,
    /// Consecutive failed reads that open the circuit …
    pub breaker_failures: u32,
    /// … and how long it stays open before one read may try again.
    pub breaker_open_ms: u64,
    /// Largest answer read; a longer one is a failed read.
    pub max_response_bytes: usize,
}

impl Default for SubgraphConfig {
    fn default() -> Self {
        Self {
            url: None,
            token: None,
            connect_timeout_ms: 1000,
            request_timeout_ms: 2000,
            deadline_ms: 5000,
            max_concurrency: 16,
            retries: 2,
            retry_min_delay_ms: 50,
            retry_max_delay_ms: 500,
            breaker_failures: 5,
            breaker_open_ms: 10_000,
            max_response_bytes: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Most ID numbers one `persons` call may ask for.
    pub max_batch_ids: usize,
    /// Deepest field nesting of an operation (the deepest real path, persons → trainings
    /// → class → institution → name, is 5).
    pub max_depth: usize,
    /// Total cost of an operation: each field 1, each department section 50 more, and
    /// `persons` its batch size times its selection. One full-archive batch of 1,000
    /// (about 550,000) fits; two do not.
    pub max_complexity: usize,
    /// Deepest nesting of selection sets and fragment spreads, checked while parsing.
    pub max_recursive_depth: usize,
    /// Most directives at one place (a field, fragment spread, inline fragment or the
    /// operation itself).
    pub max_directives_per_field: usize,
    /// Most directives in an operation, fragments expanded.
    pub max_directives: usize,
    /// Most aliases in an operation, fragments expanded.
    pub max_aliases: usize,
    /// Most root fields in an operation, fragments expanded.
    pub max_root_fields: usize,
    /// Most field selections in an operation, fragments expanded (the full archive of one
    /// person is about 80).
    pub max_fields: usize,
    /// Most arguments in an operation, fragments expanded.
    pub max_arguments: usize,
    /// Most lexical tokens in a document, counted before parsing (white space, commas and
    /// comments do not count; a query with 1,000 inline ID numbers is about 1,100).
    pub max_tokens: usize,
    /// Longest query text, in bytes (the body limit covers variables as well).
    pub max_query_bytes: usize,
    /// Deepest nesting under `__schema` / `__type`, counted instead of `max_depth` there:
    /// the standard introspection query (GraphiQL's, graphql-js's) nests `ofType` nine
    /// times, about 15 in all; `ofType` is a single object, so depth alone costs little.
    pub max_introspection_depth: usize,
    /// Most introspection lists nested in one another (`types` → `fields` → `args` is 3,
    /// the most the standard query needs): each level multiplies the response.
    pub max_introspection_lists: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `tracing` filter directive, e.g. `info,archive_hub=debug`.
    pub filter: String,
    /// JSON lines instead of human-readable output; default: JSON for `serve`, readable
    /// for the demo and the other commands.
    pub json: Option<bool>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: ServerConfig::default(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 16,
            sources: SourcesConfig::default(),
            hub: HubConfig::default(),
            policy: PolicyConfig::default(),
            audit: AuditConfig::default(),
            limits: LimitsConfig::default(),
            cache: CacheConfig::default(),
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
            max_persons_in_flight: 1500,
            allocator_purge_delay_ms: 50,
        }
    }
}

impl Default for SourceConfig {
    fn default() -> Self {
        Self {
            backend: Backend::Sql,
            url: None,
            max_connections: 8,
            connect_timeout_secs: 5,
            acquire_timeout_ms: 750,
            system: None,
            subgraph: SubgraphConfig::default(),
            cache_ttl_secs: None,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_batch_ids: 1000,
            max_depth: 8,
            max_complexity: 600_000,
            max_recursive_depth: 32,
            max_directives_per_field: 4,
            max_directives: 50,
            max_aliases: 30,
            max_root_fields: 10,
            max_fields: 2000,
            max_arguments: 200,
            max_tokens: 5000,
            max_query_bytes: 64 * 1024,
            max_introspection_depth: 20,
            max_introspection_lists: 3,
        }
    }
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 8,
            acquire_timeout_ms: 750,
        }
    }
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            reload_secs: 2,
            bootstrap_file: None,
        }
    }
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            subject_key_file: None,
            signing_key_file: None,
            checkpoint_every_events: 1000,
            checkpoint_every_secs: 60,
            witness_file: None,
            witness_url: None,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            filter: "info,sea_orm_migration=warn".into(),
            json: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Invalid(Box<figment::Error>),
    #[error("configuration error: [sources.{0}] names no department (known: {known})", known = known_departments())]
    UnknownDepartment(String),
    #[error("configuration error: [sources.{0}]: {1}")]
    Source(&'static str, String),
}

fn known_departments() -> String {
    Department::ALL
        .iter()
        .map(|d| d.code())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Config {
    /// Defaults ← file (if given, or `archive-hub.toml` when present) ← environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(file, std::env::vars())
    }

    /// As [`load`](Self::load), with the environment given explicitly: `DATABASE_URL`
    /// and `ARCHIVE_HUB_…` variables (`__` between levels), the latter winning.
    pub fn load_with_env(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("archive-hub.toml")),
        }
        let (plain, prefixed): (Vec<_>, Vec<_>) = env
            .into_iter()
            .filter(|(k, _)| {
                k == "DATABASE_URL" || k == "REDIS_URL" || k.starts_with("ARCHIVE_HUB_")
            })
            .partition(|(k, _)| !k.starts_with("ARCHIVE_HUB_"));
        for (k, v) in plain.into_iter().filter(|(_, v)| !v.is_empty()) {
            let key = if k == "REDIS_URL" {
                "cache.redis_url"
            } else {
                "database_url"
            };
            figment = figment.merge(Serialized::default(key, v));
        }
        for (k, v) in prefixed {
            let path = k["ARCHIVE_HUB_".len()..].to_lowercase().replace("__", ".");
            // Parsed the way environment values always are: numbers, booleans, arrays.
            let value: figment::value::Value = v.parse().unwrap_or_else(|e| match e {});
            figment = figment.merge(Serialized::default(&path, value));
        }
        figment
            .extract::<Config>()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))?
            .checked()
    }

    /// Refuses `[sources.X]` sections that name no department.
    fn checked(self) -> Result<Self, ConfigError> {
        match self
            .sources
            .keys()
            .find(|k| Department::from_code(k).is_none())
        {
            Some(k) => Err(ConfigError::UnknownDepartment(k.clone())),
            None => {
                for d in Department::ALL {
                    self.check_source(*d)?;
                }
                Ok(self)
            }
        }
    }

    /// A subgraph source needs an http(s) URL and bounds that fit the request timeout.
    fn check_source(&self, d: Department) -> Result<(), ConfigError> {
        let sc = self.source(d);
        if sc.backend != Backend::Subgraph {
            return Ok(());
        }
        let g = &sc.subgraph;
        let bad = |problem: &str| ConfigError::Source(d.code(), problem.to_string());
        let url = g
            .url
            .as_deref()
            .ok_or_else(|| bad("backend = \"subgraph\" needs subgraph.url"))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(bad("subgraph.url must be an http:// or https:// URL"));
        }
        if g.deadline_ms == 0
            || g.deadline_ms >= self.server.request_timeout_secs.saturating_mul(1000)
        {
            return Err(bad(
                "subgraph.deadline_ms must be above 0 and below server.request_timeout_secs",
            ));
        }
        if g.request_timeout_ms == 0 || g.connect_timeout_ms == 0 {
            return Err(bad("subgraph timeouts must be above 0"));
        }
        if g.max_concurrency == 0 || g.breaker_failures == 0 || g.retries > 10 {
            return Err(bad("subgraph.max_concurrency and breaker_failures must be at least 1, retries at most 10"));
        }
        Ok(())
    }

    /// Department `d`'s source settings (defaults where the file says nothing).
    pub fn source(&self, d: Department) -> SourceConfig {
        self.sources.get(d.code()).cloned().unwrap_or_default()
    }

    pub fn source_mut(&mut self, d: Department) -> &mut SourceConfig {
        self.sources.entry(d.code().to_string()).or_default()
    }

    /// These settings for a batch job (seed, import, screen, migrate): it waits for a
    /// pooled connection as long as a statement may take, where a request fails fast — a
    /// busy machine slows a batch down instead of failing it part-way (a seed of a million
    /// persons on two cores with a build beside it timed out at 750 ms).
    pub fn for_batch(mut self) -> Self {
        const WAIT_MS: u64 = 300_000;
        self.hub.acquire_timeout_ms = WAIT_MS;
        for &d in Department::ALL {
            self.source_mut(d).acquire_timeout_ms = WAIT_MS;
        }
        self
    }

    /// How long department `d`'s records stay cached; `None`: not cached.
    pub fn cache_ttl(&self, d: Department) -> Option<std::time::Duration> {
        let secs = self.source(d).cache_ttl_secs.unwrap_or(self.cache.ttl_secs);
        (self.cache.enabled && secs > 0).then(|| std::time::Duration::from_secs(secs))
    }

    /// The hub database's URL: its own, else the shared default, else `data_dir/hub.db`.
    pub fn hub_url(&self) -> String {
        self.hub
            .url
            .clone()
            .or_else(|| self.database_url.clone())
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    self.data_dir.join("hub.db").display()
                )
            })
    }

    pub fn subject_key_file(&self) -> PathBuf {
        self.audit
            .subject_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("audit-subject.key"))
    }

    pub fn witness_file(&self) -> PathBuf {
        self.audit
            .witness_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-witness.jsonl"))
    }

    pub fn signing_key_file(&self) -> PathBuf {
        self.audit
            .signing_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("audit-signing.key"))
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
        let err = Config::load_with_env(Some(&path), [])
            .unwrap_err()
            .to_string();
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
        let c = Config::load_with_env(Some(&path), []).unwrap();
        assert_eq!(c.source_url(Department::Education), "postgres://h/edu");
        assert_eq!(
            c.source_url(Department::Veterans),
            "sqlite:///tmp/x/veterans.db?mode=rwc"
        );
        // The shared default covers departments without their own URL; the environment
        // overrides the file.
        let env = [
            ("DATABASE_URL".to_string(), "postgres://h/all".to_string()),
            ("ARCHIVE_HUB_SERVER__PORT".to_string(), "9999".to_string()),
            (
                "ARCHIVE_HUB_SOURCES__EDUCATION__URL".to_string(),
                "mysql://h/e".to_string(),
            ),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let c = Config::load_with_env(Some(&path), env).unwrap();
        assert_eq!(c.source_url(Department::Veterans), "postgres://h/all");
        assert_eq!(c.source_url(Department::Education), "mysql://h/e");
        assert_eq!(c.server.port, 9999);
    }

    #[test]
    fn a_batch_job_waits_for_connections_where_a_request_fails_fast() {
        let mut c = Config::default();
        c.source_mut(Department::Education).url = Some("postgres://h/edu".into());
        let batch = c.clone().for_batch();
        assert_eq!(c.hub.acquire_timeout_ms, 750);
        for &d in Department::ALL {
            assert_eq!(c.source(d).acquire_timeout_ms, 750, "{d:?}");
            assert!(batch.source(d).acquire_timeout_ms >= 60_000, "{d:?}");
        }
        assert!(batch.hub.acquire_timeout_ms >= 60_000);
        // Nothing else changes.
        assert_eq!(batch.source_url(Department::Education), "postgres://h/edu");
        assert_eq!(batch.hub.max_connections, c.hub.max_connections);
    }

    #[test]
    fn a_source_section_must_name_a_department() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[sources.vetrans]\nurl = \"postgres://h/v\"\n").unwrap();
        let err = Config::load_with_env(Some(&path), [])
            .unwrap_err()
            .to_string();
        assert!(err.contains("vetrans") && err.contains("veterans"), "{err}");
    }

    #[test]
    fn a_subgraph_source_needs_a_url_and_bounds_within_the_request_timeout() {
        let load = |toml: &str, env: Vec<(String, String)>| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.toml");
            std::fs::write(&path, toml).unwrap();
            Config::load_with_env(Some(&path), env)
        };
        let ok = load(
            "[sources.veterans]\nbackend = \"subgraph\"\n[sources.veterans.subgraph]\nurl = \"http://vet:4001/graphql\"\n",
            vec![],
        )
        .unwrap();
        let v = ok.source(Department::Veterans);
        assert_eq!(v.backend, Backend::Subgraph);
        assert_eq!(v.subgraph.retries, 2);
        assert_eq!(ok.source(Department::Education).backend, Backend::Sql);
        // From the environment alone, as the benchmark sets it.
        let env = vec![
            (
                "ARCHIVE_HUB_SOURCES__VETERANS__BACKEND".to_string(),
                "subgraph".to_string(),
            ),
            (
                "ARCHIVE_HUB_SOURCES__VETERANS__SUBGRAPH__URL".to_string(),
                "http://127.0.0.1:1/graphql".to_string(),
            ),
        ];
        assert!(load("", env).is_ok());
        for (toml, problem) in [
            ("backend = \"subgraph\"\n", "needs subgraph.url"),
            ("backend = \"subgraph\"\nsubgraph.url = \"ftp://x\"\n", "http://"),
            (
                "backend = \"subgraph\"\nsubgraph.url = \"http://x\"\nsubgraph.deadline_ms = 30000\n",
                "below server.request_timeout_secs",
            ),
            ("backend = \"grpc\"\n", "grpc"),
        ] {
            let err = load(&format!("[sources.veterans]\n{toml}"), vec![])
                .unwrap_err()
                .to_string();
            assert!(err.contains(problem), "{toml}: {err}");
        }
    }
}
