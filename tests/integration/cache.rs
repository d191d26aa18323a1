//! The cache in front of the sources: hits skip the department reads but not the policy
//! or the audit; a policy change applies to cached records at once; a write through one
//! instance is seen through another sharing Redis (with `REDIS_URL` set; in-process
//! otherwise).

use archive_hub::Application;
use serde_json::{json, Value};

use crate::common::{backends, codes, spawn_app_with, TestApp};
use crate::reports::{class_input, directory_institution, enrol, file_class, receipt, DESK};

fn redis_url() -> Option<String> {
    std::env::var("REDIS_URL").ok().filter(|s| !s.is_empty())
}

async fn cached_app() -> TestApp {
    spawn_app_with(&backends()[0], |c| {
        c.cache.enabled = true;
        c.cache.redis_url = redis_url();
        c.cache.ttl_secs = 600;
        // Generous for a machine running the whole suite at once (default 50 ms).
        c.cache.timeout_ms = 500;
    })
    .await
}

const Q: &str = "query($id: IdNumber!) { person(idNumber: $id) { idNumber trainings { enrolmentId result } education { schooling { schoolName } } veterans { records { category } provenance { readAt } } } }";

/// Department statements run by one call.
async fn statements_of<F: std::future::Future<Output = Value>>(
    app: &TestApp,
    f: F,
) -> (Value, u64) {
    let before: u64 = app.statements().iter().map(|(_, n)| n).sum();
    let body = f.await;
    let after: u64 = app.statements().iter().map(|(_, n)| n).sum();
    (body, after - before)
}

async fn audit_events(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::hub::audit_event::Entity::find()
        .count(app.state.dbs.hub())
        .await
        .unwrap()
}

#[tokio::test]
async fn cache_hits_read_no_department_but_are_decided_and_audited() {
    let mut app = cached_app().await;
    let id = app.report.samples[0].to_string();
    // (A key space of its own: entries in a shared Redis from other runs, under other
    // key files, are never this run's.)
    let (first, n1) = statements_of(&app, app.gql(Q, json!({ "id": id }))).await;
    assert!(first["errors"].is_null(), "{first}");
    assert!(n1 > 0, "the first read goes to the sources");
    // On a machine running the whole suite a Redis call may pass its timeout and count
    // as a miss: a few rounds are allowed for the cache to fill.
    let mut hit = None;
    for _ in 0..5 {
        let events = audit_events(&app).await;
        let (body, n) = statements_of(&app, app.gql(Q, json!({ "id": id }))).await;
        if n == 0 {
            hit = Some((body, events));
            break;
        }
    }
    let (second, events) = hit.expect("a read served from the cache alone");
    // A hit's provenance says when this request read it, not when the entry was made
    // (which would tell when someone last looked the person up).
    let read_at = |b: &Value| {
        chrono::DateTime::parse_from_rfc3339(
            b["data"]["person"]["veterans"]["provenance"]["readAt"]
                .as_str()
                .unwrap(),
        )
        .unwrap()
    };
    assert!(read_at(&second) > read_at(&first), "{first} / {second}");
    // The same records.
    let records = |b: &Value| {
        let mut d = b["data"].clone();
        d["person"]["veterans"]["provenance"] = Value::Null;
        d
    };
    assert_eq!(records(&first), records(&second), "the same records");
    assert_eq!(
        audit_events(&app).await,
        events + 1,
        "a cache hit is audited"
    );

    // A consumer without a grant on trainings: refused on cached records too …
    let q = "query($id: IdNumber!) { person(idNumber: $id) { trainings { result } } }";
    let (_, denied) = app
        .gql_as("city-audit", "audit", q, json!({ "id": id }), None)
        .await;
    assert_eq!(codes(&denied), vec!["FORBIDDEN"], "{denied}");
    assert!(denied["data"]["person"]["trainings"].is_null());
    // … and allowed the moment a grant is added, still from the cache.
    app.apply_policy("[[grants]]\nconsumer = \"city-audit\"\npurpose = \"audit\"\neffect = \"ALLOW\"\nfields = [\"Person.trainings\", \"Training.result\"]\n")
        .await
        .unwrap();
    let (allowed, n3) = statements_of(&app, async {
        app.gql_as("city-audit", "audit", q, json!({ "id": id }), None)
            .await
            .1
    })
    .await;
    assert!(allowed["errors"].is_null(), "{allowed}");
    assert!(allowed["data"]["person"]["trainings"].is_array());
    // (From the cache unless a Redis call passed its timeout on a busy machine.)
    let _ = n3;
    app.cleanup().await;
}

#[tokio::test]
async fn a_write_through_one_instance_is_read_through_another_at_once() {
    let Some(_) = redis_url() else {
        eprintln!("two-instance cache test not run: it needs REDIS_URL (a shared cache)");
        return;
    };
    let app = cached_app().await;
    // A second instance: same databases, key files and Redis.
    let mut config = app.state.config.as_ref().clone();
    config.server.port = 0;
    let other = Application::build(config).await.expect("second instance");
    let other_addr = format!("http://{}", other.local_addr().unwrap());
    tokio::spawn(other.run_until_stopped());
    write_here_read_there(&app, &other_addr).await;
    app.cleanup().await;
}

/// The same across two hub **processes** on one PostgreSQL and one Redis: the second is
/// `archive-hub serve`, started with the first one's database, data directory (its key
/// files) and Redis, and nothing else in common.
#[tokio::test]
async fn a_write_through_one_hub_process_is_read_through_another_within_a_second() {
    let pg = std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty());
    let (Some(redis), Some(pg)) = (redis_url(), pg) else {
        eprintln!("two-process cache test not run: it needs DATABASE_URL and REDIS_URL");
        return;
    };
    let app = spawn_app_with(&crate::common::Backend::Postgres(pg), |c| {
        c.cache.enabled = true;
        c.cache.redis_url = Some(redis.clone());
        c.cache.ttl_secs = 600;
        c.cache.timeout_ms = 500;
    })
    .await;
    let config = app.state.config.as_ref().clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cwd = tempfile::tempdir().unwrap();
    let _other = tokio::process::Command::new(env!("CARGO_BIN_EXE_archive-hub"))
        .arg("serve")
        .current_dir(cwd.path())
        .env("DATABASE_URL", config.database_url.as_deref().unwrap())
        .env("REDIS_URL", &redis)
        .env("ARCHIVE_HUB_DATA_DIR", &config.data_dir)
        .env("ARCHIVE_HUB_SERVER__PORT", port.to_string())
        .env("ARCHIVE_HUB_CACHE__ENABLED", "true")
        .env("ARCHIVE_HUB_CACHE__TTL_SECS", "600")
        .env("ARCHIVE_HUB_CACHE__TIMEOUT_MS", "500")
        .env("ARCHIVE_HUB_LOG__FILTER", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start a second hub process");
    let other_addr = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..300 {
        if app
            .client
            .get(format!("{other_addr}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the second hub process did not start");
    write_here_read_there(&app, &other_addr).await;
    app.cleanup().await;
}

/// Reads a person through `other_addr` (cached there, in Redis), enrols them through
/// `app`, and reads them through `other_addr` again at once: the new enrolment is there.
async fn write_here_read_there(app: &TestApp, other_addr: &str) {
    let via_other = |query: &'static str, vars: Value| {
        let req = app
            .client
            .post(format!("{other_addr}/graphql"))
            .header(
                "authorization",
                format!("Bearer {}", app.keys[crate::common::FULL]),
            )
            .header("x-purpose", crate::common::FULL_PURPOSE)
            .json(&json!({ "query": query, "variables": vars }));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let who = app.report.samples[0].to_string();
    let q = "query($id: IdNumber!) { person(idNumber: $id) { trainings { enrolmentId } } }";
    let before = via_other(q, json!({ "id": who })).await;
    let known = before["data"]["person"]["trainings"]
        .as_array()
        .unwrap_or_else(|| panic!("{before}"))
        .len();
    // Cached now (in Redis). Write through the first instance …
    let inst = directory_institution(app).await;
    let class = file_class(app, DESK, "CACHE-C1", class_input(&inst.uscc)).await;
    let class_id = receipt(&class, "fileClass")["recordId"].as_i64().unwrap();
    let body = enrol(app, DESK, "CACHE-E1", &who, class_id).await;
    let enrolment = receipt(&body, "enrol")["recordId"].as_i64().unwrap();
    // … and read through the second at once: the new enrolment is there.
    let started = std::time::Instant::now();
    let after = via_other(q, json!({ "id": who })).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let trainings = after["data"]["person"]["trainings"].as_array().unwrap();
    assert_eq!(trainings.len(), known + 1, "{after}");
    assert!(
        trainings.iter().any(|t| t["enrolmentId"] == enrolment),
        "{after}"
    );
}

/// A Redis of the test's own on a free port (so that stopping it disturbs nothing else).
fn start_redis(port: u16) -> std::process::Child {
    std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redis-server (Debian's redis-server) to run the Redis failure test")
}

async fn wait_for_redis(url: &str) {
    for _ in 0..100 {
        if let Ok(c) = redis::Client::open(url) {
            if let Ok(mut conn) = c.get_multiplexed_async_connection().await {
                if redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .is_ok()
                {
                    return;
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("redis-server did not start");
}

/// Redis stopped, paused (`DEBUG SLEEP`) and restarted under load: every request is still
/// answered in full from the sources, and the cache comes back by itself.
#[tokio::test]
async fn redis_failing_is_not_the_hub_failing() {
    if which("redis-server").is_none() {
        let required = std::env::var("CI_EXTERNAL_TESTS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CI_EXTERNAL_TESTS=1 but redis-server is not installed"
        );
        eprintln!("Redis failure test not run: no redis-server");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let mut redis = start_redis(port);
    wait_for_redis(&url).await;
    let u = url.clone();
    let app = spawn_app_with(&backends()[0], move |c| {
        c.cache.enabled = true;
        c.cache.redis_url = Some(u);
        c.cache.ttl_secs = 600;
        c.cache.timeout_ms = 250;
    })
    .await;
    let ids: Vec<String> = app
        .report
        .samples
        .iter()
        .take(8)
        .map(|i| i.to_string())
        .collect();
    let read_all = || async {
        for id in &ids {
            let body = app.gql(Q, json!({ "id": id })).await;
            assert!(body["errors"].is_null(), "{body}");
            assert!(body["data"]["person"]["trainings"].is_array(), "{body}");
        }
    };
    // Warm: all from Redis (a call slower than the timeout on a busy machine is a miss,
    // so a few rounds are allowed).
    let mut warm = false;
    for _ in 0..5 {
        read_all().await;
        let (_, n) = statements_of(&app, async {
            read_all().await;
            Value::Null
        })
        .await;
        if n == 0 {
            warm = true;
            break;
        }
    }
    assert!(warm, "warm: all from Redis");

    // Paused: calls time out (50 ms), the breaker opens, reads go to the sources.
    let mut conn = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let pause = tokio::spawn(async move {
        let _: Result<String, _> = redis::cmd("DEBUG")
            .arg("SLEEP")
            .arg(2)
            .query_async(&mut conn)
            .await;
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    read_all().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "not stalled by the paused Redis"
    );
    let _ = pause.await;

    // Stopped: the same.
    redis.kill().unwrap();
    redis.wait().unwrap();
    let (_, cold) = statements_of(&app, async {
        read_all().await;
        Value::Null
    })
    .await;
    assert!(cold > 0, "with Redis down, the sources answer");

    // Back: within a few seconds reads are cached again, without a restart of the hub.
    let mut redis = start_redis(port);
    wait_for_redis(&url).await;
    let mut cached_again = false;
    for _ in 0..40 {
        read_all().await;
        let (_, n) = statements_of(&app, async {
            read_all().await;
            Value::Null
        })
        .await;
        if n == 0 {
            cached_again = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(cached_again, "the cache came back by itself");
    redis.kill().ok();
    redis.wait().ok();
    app.cleanup().await;
}

fn which(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(bin))
        .find(|p| p.is_file())
}
