//! A PostgreSQL restart under load, on a PostgreSQL of the test's own (initdb in a
//! temporary directory, so that stopping it disturbs no other test): while it is down
//! requests fail fast (503 with `Retry-After` within 2 s, never a hang), the hub serves
//! again within a second of its return, and no answered read is missing from the audit
//! trail, which still verifies.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{spawn_app_with, Backend};

/// A PostgreSQL cluster in a temporary directory, run as `postgres` when the test runs
/// as root (initdb refuses root).
struct PrivatePg {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PrivatePg {
    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let status = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
        } else {
            Command::new(&exe)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
        };
        assert!(status.unwrap().success(), "{tool} {args:?}");
    }

    fn init(bin: PathBuf) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        if is_root() {
            for p in [dir.path(), data.as_path()] {
                Command::new("chown")
                    .args(["postgres:postgres"])
                    .arg(p)
                    .status()
                    .unwrap();
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = Self {
            bin,
            data,
            port,
            _dir: dir,
        };
        let d = pg.data.to_str().unwrap().to_string();
        pg.run(
            "initdb",
            &["-D", &d, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        pg
    }

    fn start(&self) {
        let d = self.data.to_str().unwrap();
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {d} -c fsync=off",
            self.port
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                d,
                "-o",
                &opts,
                "-w",
                "-l",
                &format!("{d}/log"),
                "start",
            ],
        );
    }

    fn stop(&self) {
        let d = self.data.to_str().unwrap();
        self.run("pg_ctl", &["-D", d, "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let d = self.data.to_str().unwrap_or_default().to_string();
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", &d, "-m", "immediate", "stop"])
            .status();
    }
}

/// One answered request: when it started and ended, its status, whether it carried a
/// person, and whether a 503 said when to retry.
#[derive(Debug, Clone)]
struct Done {
    start: Instant,
    end: Instant,
    status: u16,
    person: bool,
    retry_after: bool,
}

#[tokio::test]
async fn a_postgres_restart_fails_fast_recovers_at_once_and_loses_no_audit_event() {
    let Some(bin) = pg_bin() else {
        let required = std::env::var("CI_EXTERNAL_TESTS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CI_EXTERNAL_TESTS=1 but PostgreSQL's server binaries are missing"
        );
        eprintln!("PostgreSQL restart test not run: no /usr/lib/postgresql/*/bin/initdb");
        return;
    };
    let pg = PrivatePg::init(bin);
    pg.start();
    // Every department on this PostgreSQL, read with SQL: the outage is the hub's own
    // databases' (a remote department has its own bounds: tests/integration/remote.rs).
    let app = spawn_app_with(&Backend::Postgres(pg.url()), |c| {
        c.source_mut(archive_hub::departments::Department::Veterans)
            .backend = archive_hub::departments::Backend::Sql;
    })
    .await;
    let hub = app.state.dbs.hub().clone();
    let events_before = audit_events(&hub).await;
    let ids: Vec<String> = app.report.samples.iter().map(|i| i.to_string()).collect();
    let done: Arc<Mutex<Vec<Done>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8 {
        let (done, stop, ids) = (done.clone(), stop.clone(), ids.clone());
        let client = app.client.clone();
        let url = format!("{}/graphql", app.addr);
        let key = app.keys[crate::common::FULL].clone();
        clients.push(tokio::spawn(async move {
            let mut i = c;
            while !stop.load(Ordering::SeqCst) {
                let id = &ids[i % ids.len()];
                i += 8;
                let start = Instant::now();
                let r = client
                    .post(&url)
                    .header("authorization", format!("Bearer {key}"))
                    .header("x-purpose", crate::common::FULL_PURPOSE)
                    .json(&json!({
                        "query": "query($id: IdNumber!) { person(idNumber: $id) { idNumber trainings { result } education { schooling { schoolName } } } }",
                        "variables": { "id": id },
                    }))
                    .timeout(Duration::from_secs(20))
                    .send()
                    .await;
                let end = Instant::now();
                let Ok(r) = r else { continue };
                let status = r.status().as_u16();
                let retry_after = r.headers().contains_key("retry-after");
                let body: Value = r.json().await.unwrap_or(Value::Null);
                let person = status == 200 && body["data"]["person"]["idNumber"].is_string();
                done.lock().unwrap().push(Done { start, end, status, person, retry_after });
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    pg.stop();
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    pg.start();
    let up = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let done = done.lock().unwrap().clone();

    // While it was down: answers within 2 s, 503 with Retry-After (or the person
    // without the sections that could not be read), never a hang.
    let during: Vec<&Done> = done
        .iter()
        .filter(|d| d.start > down + Duration::from_millis(200) && d.end < up)
        .collect();
    let timeline: Vec<String> = done
        .iter()
        .filter(|d| d.end > down)
        .take(60)
        .map(|d| {
            // Milliseconds from PostgreSQL's stop (negative: before).
            let at = |t: Instant| {
                t.saturating_duration_since(down).as_millis() as i64
                    - down.saturating_duration_since(t).as_millis() as i64
            };
            format!(
                "{}..{} {}{}",
                at(d.start),
                at(d.end),
                d.status,
                if d.person { "+" } else { "" }
            )
        })
        .collect();
    let up_at = up - down;
    assert!(
        !during.is_empty(),
        "requests were made while it was down: up at {up_at:?}; {timeline:?}"
    );
    for d in &during {
        assert!(
            d.end - d.start < Duration::from_secs(2),
            "{d:?}: {timeline:?}"
        );
        assert!(d.status == 503 || d.status == 200, "{d:?}");
        if d.status == 503 {
            assert!(d.retry_after, "503 says when to retry: {d:?}");
        }
    }
    assert!(
        during.iter().any(|d| d.status == 503),
        "the outage was noticed"
    );
    // Back: a full answer within a second of PostgreSQL's return.
    let first = done
        .iter()
        .filter(|d| d.person && d.start >= up)
        .map(|d| d.end)
        .min()
        .expect("served again after the restart");
    assert!(
        first - up < Duration::from_secs(1),
        "served again after {:?}",
        first - up
    );
    // Nothing lost: every answered person has its audit event, and the chain verifies.
    let answered = done.iter().filter(|d| d.person).count() as u64;
    let events = audit_events(&hub).await - events_before;
    assert_eq!(events, answered, "one audit event per answered read");
    let config = &app.state.config;
    let witnessed = archive_hub::audit::witness::read_file(&config.witness_file()).unwrap();
    let keys = archive_hub::audit::AuditKeys::load_existing(
        &config.subject_key_file(),
        &config.signing_key_file(),
    )
    .unwrap();
    let report = archive_hub::audit::verify(&hub, &keys.verifying_key(), &witnessed)
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:?}");
    drop(app);
    drop(pg);
}

async fn audit_events(hub: &sea_orm::DatabaseConnection) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::hub::audit_event::Entity::find()
        .count(hub)
        .await
        .unwrap()
}

/// The pool's ping of a connection taken back is skipped only when the connection was
/// left clean (vendor/README.md). A connection a statement failed on, or a transaction
/// was dropped open on, is drained and reused; one the server closed fails the statement
/// that finds it closed and is then replaced, never handed to the next statement.
#[tokio::test]
async fn a_connection_the_server_closed_is_not_reused_and_one_left_mid_answer_is_drained() {
    use archive_hub::sources::sql::PING_IF_IDLE;
    use sea_orm::{
        ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
        TransactionTrait,
    };
    let Some(url) = std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()) else {
        return;
    };
    let mut opts = ConnectOptions::new(url.clone());
    // One connection, pinged before use only after PING_IF_IDLE, as the hub's pools.
    opts.max_connections(1)
        .min_connections(0)
        .test_before_acquire_if_idle_for(PING_IF_IDLE)
        .sqlx_logging(false);
    let pool = Database::connect(opts).await.unwrap();
    let admin = Database::connect(url).await.unwrap();
    async fn pid(c: &DatabaseConnection) -> Result<i32, sea_orm::DbErr> {
        let row = c
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_backend_pid() AS pid",
            ))
            .await?
            .expect("a row");
        row.try_get::<i32>("", "pid")
    }
    let first = pid(&pool).await.unwrap();

    // A failed statement: the same connection serves the next one.
    assert!(pool.execute_unprepared("SELECT 1/0").await.is_err());
    assert_eq!(pid(&pool).await.unwrap(), first);
    // A transaction dropped open: rolled back before the connection serves again.
    {
        let txn = pool.begin().await.unwrap();
        txn.execute_unprepared("CREATE TEMP TABLE dropped_open (x int)")
            .await
            .unwrap();
    }
    assert_eq!(pid(&pool).await.unwrap(), first);
    assert!(pool
        .execute_unprepared("SELECT x FROM dropped_open")
        .await
        .is_err());

    // The server closes the connection while it sits in the pool.
    admin
        .execute_unprepared(&format!("SELECT pg_terminate_backend({first})"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Idle under PING_IF_IDLE, so not pinged before use: this statement may find it
    // closed (and fail)…
    let _ = pool.execute_unprepared("SELECT 1").await;
    // …but every statement after it runs on a new connection.
    for _ in 0..3 {
        let now = pid(&pool)
            .await
            .expect("a fresh connection, not the closed one");
        assert_ne!(now, first);
    }
}
