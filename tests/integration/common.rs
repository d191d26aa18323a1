//! `spawn_app()`: builds a hub on fresh databases for one backend, seeds it, serves it on a
//! random port, and gives the test an HTTP client and the app state.

use archive_hub::config::Config;
use archive_hub::db::Databases;
use archive_hub::departments::Department;
use archive_hub::seed::{self, SeedOptions, SeedReport};
use archive_hub::{AppState, Application};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const PERSONS: u64 = 400;
pub const SEED: u64 = 7;

/// Where the department databases of one test live.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// Every department on one fresh PostgreSQL database (admin URL from `DATABASE_URL`).
    Postgres(String),
    /// Civil affairs, veterans and poverty on MariaDB; the others on PostgreSQL or SQLite.
    Mixed {
        mysql: String,
        postgres: Option<String>,
    },
}

/// The backends this run tests: SQLite always, the services whose URLs are set.
pub fn backends() -> Vec<Backend> {
    let pg = std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty());
    let my = std::env::var("MYSQL_URL").ok().filter(|s| !s.is_empty());
    let mut v = vec![Backend::Sqlite];
    if let Some(pg) = &pg {
        v.push(Backend::Postgres(pg.clone()));
    }
    if let Some(my) = my {
        v.push(Backend::Mixed {
            mysql: my,
            postgres: pg,
        });
    }
    v
}

/// A consumer the harness adds with `Type.*` grants on every catalog type, for tests
/// about the archive itself rather than about the policy.
pub const FULL: &str = "test-full-access";
pub const FULL_PURPOSE: &str = "statistics";

pub struct TestApp {
    pub addr: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub report: SeedReport,
    /// Consumer name → key, for the demo policy's consumers and [`FULL`].
    pub keys: std::collections::HashMap<String, String>,
    created: Vec<(String, String)>,
    /// Statements run by veterans affairs' subgraph, when veterans is read through it.
    subgraph_statements: Option<Arc<AtomicU64>>,
    _dir: tempfile::TempDir,
}

fn swap_database(url: &str, db: &str) -> String {
    let (base, rest) = url.rsplit_once('/').expect("database URL has a path");
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{base}/{db}{query}")
}

async fn create_database(admin_url: &str, name: &str) -> String {
    let admin = Database::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("database service set but unreachable: {e}"));
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    swap_database(admin_url, name)
}

/// A config for `backend` with fresh, empty databases (created on the services).
pub async fn fresh_config(backend: &Backend) -> (Config, Vec<(String, String)>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::default();
    config.server.port = 0;
    config.data_dir = dir.path().to_path_buf();
    config.database_url = None;
    // Tests count statements per request: the cache is on only where a test turns it on
    // (tests/integration/cache.rs).
    config.cache.enabled = false;
    let name = format!("ah_test_{}", uuid::Uuid::new_v4().simple());
    let mut created = Vec::new();
    let mut pg_url = None;
    let pg_admin = match backend {
        Backend::Postgres(pg) => Some(pg.clone()),
        Backend::Mixed { postgres, .. } => postgres.clone(),
        Backend::Sqlite => None,
    };
    if let Some(admin) = pg_admin {
        let url = create_database(&admin, &name).await;
        created.push((admin, name.clone()));
        pg_url = Some(url);
    }
    config.database_url = pg_url;
    if let Backend::Mixed { mysql, .. } = backend {
        let url = create_database(mysql, &name).await;
        created.push((mysql.clone(), name.clone()));
        for d in [
            Department::CivilAffairs,
            Department::Veterans,
            Department::Poverty,
        ] {
            config.source_mut(d).url = Some(url.clone());
        }
    }
    (config, created, dir)
}

/// Seeds `PERSONS` persons on `backend` and serves the hub on a random port.
pub async fn spawn_app(backend: &Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// As [`spawn_app`], with a chance to change the config the server runs with (the data
/// is seeded with the unchanged config first).
pub async fn spawn_app_with(backend: &Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_custom(backend, tweak, |_| {}).await
}

/// As [`spawn_app_with`], with a chance to change the built application before it serves
/// (replace a department's source, fix the clock).
pub async fn spawn_app_custom(
    backend: &Backend,
    tweak: impl FnOnce(&mut Config),
    customise: impl FnOnce(&mut Application),
) -> TestApp {
    let (mut config, created, dir) = fresh_config(backend).await;
    let dbs = Databases::connect(&config).await.expect("connect");
    dbs.migrate().await.expect("migrate");
    let report = seed::seed(&dbs, &SeedOptions::new(PERSONS, SEED))
        .await
        .expect("seed");
    let keys = install_policy(&config, &dbs).await;
    config.policy.reload_secs = 1;
    let subgraph_statements = if remote_veterans() {
        Some(serve_veterans_subgraph(&mut config).await)
    } else {
        None
    };
    tweak(&mut config);
    let mut app = Application::build(config).await.expect("build app");
    customise(&mut app);
    let addr = format!("http://{}", app.local_addr().expect("addr"));
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        addr,
        client: reqwest::Client::new(),
        state,
        report,
        keys,
        created,
        subgraph_statements,
        _dir: dir,
    }
}

/// Whether this run reads veterans affairs through its own Federation subgraph
/// (`TEST_VETERANS_BACKEND=subgraph`, set by `.ci/run` for a second pass) instead of SQL.
pub fn remote_veterans() -> bool {
    std::env::var("TEST_VETERANS_BACKEND").is_ok_and(|v| v == "subgraph")
}

/// Starts veterans affairs' subgraph (the workspace's `veterans-subgraph`) over the
/// seeded veterans database on a random port and points the hub's veterans source at it;
/// returns the subgraph's statement counter.
pub async fn serve_veterans_subgraph(config: &mut Config) -> Arc<AtomicU64> {
    let mut db = Database::connect(config.source_url(Department::Veterans))
        .await
        .expect("veterans database");
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veterans_subgraph::serve(listener, db, None));
    let source = config.source_mut(Department::Veterans);
    source.backend = archive_hub::domain::Backend::Subgraph;
    source.subgraph.url = Some(format!("http://{addr}/graphql"));
    statements
}

/// Applies the demo policy and adds the [`FULL`] test consumer; returns every key.
async fn install_policy(
    config: &Config,
    dbs: &Databases,
) -> std::collections::HashMap<String, String> {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/demo.toml");
    let mut keys: std::collections::HashMap<String, String> =
        archive_hub::cli::apply_policy(config, dbs, &demo)
            .await
            .expect("demo policy applies")
            .into_iter()
            .collect();
    let catalog =
        archive_hub::policy::catalog::Catalog::from_sdl(&archive_hub::graphql::sdl()).unwrap();
    let mut types: Vec<String> = catalog.iter().map(|f| f.type_name.clone()).collect();
    types.dedup();
    let fields: Vec<String> = types.iter().map(|t| format!("\"{t}.*\"")).collect();
    let file = format!(
        "[[consumers]]\nname = \"{FULL}\"\nkind = \"ANALYST\"\npurposes = [\"{FULL_PURPOSE}\"]\n\n[[grants]]\nconsumer = \"{FULL}\"\npurpose = \"{FULL_PURPOSE}\"\neffect = \"ALLOW\"\nfields = [{}]\n",
        fields.join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.toml");
    std::fs::write(&path, file).unwrap();
    keys.extend(
        archive_hub::cli::apply_policy(config, dbs, &path)
            .await
            .expect("test policy applies"),
    );
    keys
}

impl TestApp {
    /// POSTs a GraphQL query as the [`FULL`] consumer; returns the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_lang(query, variables, None).await.1
    }

    pub async fn gql_lang(
        &self,
        query: &str,
        variables: Value,
        lang: Option<&str>,
    ) -> (u16, Value) {
        self.gql_as(FULL, FULL_PURPOSE, query, variables, lang)
            .await
    }

    /// POSTs a GraphQL query as the named consumer, declaring `purpose`.
    pub async fn gql_as(
        &self,
        consumer: &str,
        purpose: &str,
        query: &str,
        variables: Value,
        lang: Option<&str>,
    ) -> (u16, Value) {
        let key = self
            .keys
            .get(consumer)
            .unwrap_or_else(|| panic!("no key for {consumer}"));
        let headers = [
            ("authorization", format!("Bearer {key}")),
            ("x-purpose", purpose.to_string()),
        ];
        self.gql_with_headers(&headers, query, variables, lang)
            .await
    }

    /// POSTs a GraphQL query with exactly these extra headers.
    pub async fn gql_with_headers(
        &self,
        headers: &[(&str, String)],
        query: &str,
        variables: Value,
        lang: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": variables }));
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("json body"))
    }

    pub async fn post_raw(&self, body: Vec<u8>) -> (u16, Value) {
        let resp = self
            .client
            .post(format!("{}/graphql", self.addr))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.keys[FULL]))
            .header("x-purpose", FULL_PURPOSE)
            .body(body)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Applies a policy file's text to the running hub and reloads its policy at once; new
    /// consumers' keys join [`TestApp::keys`]. The error is the loader's message.
    pub async fn apply_policy(&mut self, toml: &str) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, toml).unwrap();
        let config = self.state.config.as_ref().clone();
        let keys = archive_hub::cli::apply_policy(&config, &self.state.dbs, &path)
            .await
            .map_err(|e| e.to_string())?;
        self.keys.extend(keys);
        self.state.policy.as_ref().unwrap().refresh().await.unwrap();
        Ok(())
    }

    /// Whether veterans affairs is read through its subgraph in this run.
    pub fn veterans_remote(&self) -> bool {
        self.subgraph_statements.is_some()
    }

    /// Statements run so far, per department.
    pub fn statements(&self) -> Vec<(Department, u64)> {
        Department::ALL
            .iter()
            .map(|d| match (&self.subgraph_statements, d) {
                (Some(n), Department::Veterans) => (*d, n.load(Ordering::Relaxed)),
                _ => (*d, self.state.dbs.get(*d).statements()),
            })
            .collect()
    }

    /// Drops the databases this test created on the services.
    pub async fn cleanup(self) {
        drop_databases(self.created).await;
    }
}

/// Drops databases created by [`fresh_config`].
pub async fn drop_databases(created: Vec<(String, String)>) {
    for (admin, name) in &created {
        if let Ok(c) = Database::connect(admin.as_str()).await {
            let force = if admin.starts_with("postgres") {
                " WITH (FORCE)"
            } else {
                ""
            };
            let _ = c
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}{force}"))
                .await;
        }
    }
}

/// The error codes of a response, in order.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}
