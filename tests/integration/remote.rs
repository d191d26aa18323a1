//! Veterans affairs read through its own Federation subgraph (the workspace's
//! `veterans-subgraph`, started for real), with a fault-injecting HTTP proxy in front of
//! it: down, hanging past the timeout, malformed JSON, GraphQL errors, schema-violating
//! data, HTTP 500s, and the circuit breaker opening, then closing once the source is back.
//! Each failure nulls only the veterans section, inside the request's budget.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use archive_hub::config::Config;
use archive_hub::departments::Department;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::common::{backends, codes, serve_veterans_subgraph, spawn_app_with, TestApp};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Mode {
    Pass,
    Hang,
    Garbage,
    GraphqlErrors,
    WrongShape,
    OtherPerson,
    Error500,
    Slow,
}

#[derive(Clone)]
struct Proxy {
    upstream: Arc<std::sync::Mutex<String>>,
    mode: Arc<AtomicU8>,
    hits: Arc<AtomicU64>,
    client: reqwest::Client,
}

impl Proxy {
    fn set(&self, m: Mode) {
        self.mode.store(m as u8, Ordering::SeqCst);
    }
    fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn forward(State(p): State<Proxy>, body: Bytes) -> Response {
    p.hits.fetch_add(1, Ordering::SeqCst);
    let mode = p.mode.load(Ordering::SeqCst);
    let real = || async {
        let upstream = p.upstream.lock().unwrap().clone();
        let r = p
            .client
            .post(upstream)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()
    };
    match mode {
        m if m == Mode::Hang as u8 => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::OK.into_response()
        }
        m if m == Mode::Garbage as u8 => "{\"data\": {\"_entities\": [".into_response(),
        m if m == Mode::GraphqlErrors as u8 => {
            axum::Json(json!({ "data": null, "errors": [{ "message": "veterans db is down" }] }))
                .into_response()
        }
        m if m == Mode::WrongShape as u8 => {
            let mut v = real().await;
            for e in v["data"]["_entities"].as_array_mut().unwrap() {
                e["veterans"] = json!({ "records": "not a list" });
            }
            axum::Json(v).into_response()
        }
        m if m == Mode::OtherPerson as u8 => {
            let mut v = real().await;
            for e in v["data"]["_entities"].as_array_mut().unwrap() {
                e["idNumber"] = json!("11010519491231002X");
            }
            axum::Json(v).into_response()
        }
        m if m == Mode::Error500 as u8 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        m if m == Mode::Slow as u8 => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            axum::Json(real().await).into_response()
        }
        _ => axum::Json(real().await).into_response(),
    }
}

/// Serves the proxy on `addr` (random when `None`); the task ends when aborted.
async fn serve_proxy(
    p: Proxy,
    addr: Option<std::net::SocketAddr>,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind(addr.unwrap_or(([127, 0, 0, 1], 0).into()))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(forward).with_state(p);
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.ok();
    });
    (addr, task)
}

/// The per-source bounds these tests use: short, so that every fault costs little time.
const ATTEMPT_MS: u64 = 400;
const DEADLINE_MS: u64 = 1500;
const OPEN_MS: u64 = 1000;

/// A hub whose veterans source is the real subgraph behind a proxy.
async fn remote_app() -> (
    TestApp,
    Proxy,
    std::net::SocketAddr,
    tokio::task::JoinHandle<()>,
) {
    let p = Proxy {
        upstream: Arc::default(),
        mode: Arc::new(AtomicU8::new(Mode::Pass as u8)),
        hits: Arc::default(),
        client: reqwest::Client::new(),
    };
    let (addr, task) = serve_proxy(p.clone(), None).await;
    let app = spawn_app_with(&backends()[0], |c: &mut Config| {
        let source = c.source_mut(Department::Veterans);
        source.backend = archive_hub::domain::Backend::Subgraph;
        let g = &mut source.subgraph;
        g.url = Some(format!("http://{addr}/graphql"));
        g.request_timeout_ms = ATTEMPT_MS;
        g.deadline_ms = DEADLINE_MS;
        g.retries = 1;
        g.retry_min_delay_ms = 20;
        g.breaker_failures = 3;
        g.breaker_open_ms = OPEN_MS;
    })
    .await;
    // The bureau's subgraph over the seeded veterans database, behind the proxy.
    let mut config = app.state.config.as_ref().clone();
    let _ = serve_veterans_subgraph(&mut config).await;
    *p.upstream.lock().unwrap() = config.source(Department::Veterans).subgraph.url.unwrap();
    (app, p, addr, task)
}

const Q: &str = r#"query($ids: [IdNumber!]!) { persons(idNumbers: $ids) {
  idNumber
  veterans { records { category dischargedOn } provenance { department sourceSystem backend readAt asOf } }
  education { schooling { schoolName } provenance { backend asOf } }
  trainings { enrolmentId }
  provenance { department backend }
  screening { flags { rule } unjudged { rule department } }
} }"#;

async fn ask(app: &TestApp, ids: &[String]) -> (Value, Duration) {
    let started = Instant::now();
    let body = app.gql(Q, json!({ "ids": ids })).await;
    (body, started.elapsed())
}

fn ids_of(app: &TestApp) -> Vec<String> {
    let mut ids: Vec<String> = app.report.samples.iter().map(|i| i.to_string()).collect();
    ids.extend(app.report.anomalies.iter().map(|(i, _)| i.to_string()));
    ids.sort();
    ids.dedup();
    ids
}

/// Errors, all `SOURCE_UNAVAILABLE` (one per person whose section is null).
fn only_unavailable(body: &Value) -> bool {
    let c = codes(body);
    !c.is_empty() && c.iter().all(|c| c == "SOURCE_UNAVAILABLE")
}

/// Rule names over all persons of an answer, flagged and unjudged (with department).
fn rules(body: &Value) -> (Vec<String>, Vec<(String, String)>) {
    let mut flags = Vec::new();
    let mut unjudged = Vec::new();
    for p in body["data"]["persons"].as_array().unwrap() {
        for f in p["screening"]["flags"].as_array().into_iter().flatten() {
            flags.push(f["rule"].as_str().unwrap().to_string());
        }
        for u in p["screening"]["unjudged"].as_array().into_iter().flatten() {
            unjudged.push((
                u["rule"].as_str().unwrap().to_string(),
                u["department"].as_str().unwrap().to_string(),
            ));
        }
    }
    (flags, unjudged)
}

#[tokio::test]
async fn a_failing_remote_source_nulls_only_its_section_within_the_budget() {
    let (app, proxy, _, _task) = remote_app().await;
    let ids = ids_of(&app);

    // Healthy: veterans comes from the subgraph, with its provenance.
    let (ok, _) = ask(&app, &ids).await;
    assert!(ok["errors"].is_null(), "{ok}");
    let persons = ok["data"]["persons"].as_array().unwrap();
    let vets = persons
        .iter()
        .filter(|p| !p["veterans"]["records"].as_array().unwrap().is_empty())
        .count();
    assert!(vets > 0, "some seeded person is a veteran");
    let prov = &persons[0]["veterans"]["provenance"];
    assert_eq!(prov["department"], "VETERANS");
    assert_eq!(prov["backend"], "SUBGRAPH");
    assert_eq!(prov["sourceSystem"], "veterans-subgraph");
    assert!(
        prov["readAt"].is_string() && prov["asOf"].is_string(),
        "{prov}"
    );
    assert_eq!(persons[0]["education"]["provenance"]["backend"], "SQL");
    assert!(persons[0]["education"]["provenance"]["asOf"].is_null());
    assert_eq!(
        persons[0]["provenance"].as_array().unwrap().len(),
        Department::ALL.len()
    );
    let (flags_ok, unjudged_ok) = rules(&ok);
    assert!(unjudged_ok.is_empty(), "{unjudged_ok:?}");
    assert!(flags_ok.iter().any(|r| r == "LIVING_ALLOWANCE_INELIGIBLE"));

    // A source slower than usual but within its timeout is still read.
    proxy.set(Mode::Slow);
    let (slow, _) = ask(&app, &ids).await;
    assert!(slow["errors"].is_null(), "{slow}");

    for mode in [
        Mode::Hang,
        Mode::Garbage,
        Mode::GraphqlErrors,
        Mode::WrongShape,
        Mode::OtherPerson,
        Mode::Error500,
    ] {
        proxy.set(mode);
        let (body, took) = ask(&app, &ids).await;
        // Within the source's deadline (plus the rest of the request), never the
        // 30-second request timeout.
        assert!(
            took < Duration::from_millis(DEADLINE_MS + 1500),
            "{mode:?} took {took:?}"
        );
        assert!(only_unavailable(&body), "{mode:?}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["department"], "veterans");
        let msg = body["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains("退役军人事务局"), "{msg}");
        for p in body["data"]["persons"].as_array().unwrap() {
            assert!(p["veterans"].is_null(), "{mode:?}");
            assert!(p["education"]["schooling"].is_array(), "{mode:?}");
            assert!(p["trainings"].is_array(), "{mode:?}");
            let depts: Vec<&str> = p["provenance"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["department"].as_str().unwrap())
                .collect();
            assert!(!depts.contains(&"VETERANS"), "{mode:?}");
        }
        // A rule that reads veterans is not judged — never reported clean.
        let (flags, unjudged) = rules(&body);
        assert!(
            !flags.iter().any(|r| r == "LIVING_ALLOWANCE_INELIGIBLE"),
            "{mode:?}"
        );
        assert!(
            unjudged
                .iter()
                .any(|(r, d)| r == "LIVING_ALLOWANCE_INELIGIBLE" && d == "VETERANS"),
            "{mode:?}: {unjudged:?}"
        );
        // Let the circuit close again between faults.
        proxy.set(Mode::Pass);
        tokio::time::sleep(Duration::from_millis(OPEN_MS + 100)).await;
        let (back, _) = ask(&app, &ids).await;
        assert!(back["errors"].is_null(), "after {mode:?}: {back}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn the_circuit_opens_on_repeated_failures_and_closes_when_the_source_returns() {
    let (app, proxy, addr, task) = remote_app().await;
    let ids = ids_of(&app);
    let (ok, _) = ask(&app, &ids).await;
    assert!(ok["errors"].is_null(), "{ok}");

    // The source goes down: nothing listens on its port any more.
    task.abort();
    let _ = task.await;
    for _ in 0..3 {
        let (body, took) = ask(&app, &ids).await;
        assert!(only_unavailable(&body), "{body}");
        assert!(took < Duration::from_millis(DEADLINE_MS + 1500), "{took:?}");
    }
    // Back on the same address — but the circuit is open: no call reaches it, the
    // section is refused at once.
    let (_, task) = serve_proxy(proxy.clone(), Some(addr)).await;
    let before = proxy.hits();
    let (body, took) = ask(&app, &ids).await;
    assert!(only_unavailable(&body), "{body}");
    assert!(
        took < Duration::from_millis(ATTEMPT_MS),
        "open circuit answers at once: {took:?}"
    );
    assert_eq!(proxy.hits(), before, "an open circuit sends nothing");

    // After the open period one read tries again, succeeds and closes the circuit.
    tokio::time::sleep(Duration::from_millis(OPEN_MS + 100)).await;
    let (body, _) = ask(&app, &ids).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(proxy.hits() > before);
    let (body, _) = ask(&app, &ids).await;
    assert!(body["errors"].is_null(), "{body}");

    // HTTP 500s are retried (two attempts per read), then open the circuit as well.
    proxy.set(Mode::Error500);
    let before = proxy.hits();
    let (body, _) = ask(&app, &ids).await;
    assert!(only_unavailable(&body), "{body}");
    assert_eq!(proxy.hits() - before, 2, "one retry");
    task.abort();
    app.cleanup().await;
}

/// `archive-hub demo` starts veterans affairs' subgraph beside the hub and reads veterans
/// through it.
#[tokio::test]
async fn the_demo_reads_veterans_through_its_own_subgraph() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_archive-hub"))
        .args(["demo", "--persons", "300", "--port", "0"])
        .current_dir(dir.path())
        .env("ARCHIVE_HUB_LOG__FILTER", "warn")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the demo");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut hub, mut subgraph, mut headers, mut sample) = (None, None, None, None);
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("archive-hub demo: GraphQL + GraphiQL at ") {
                hub = Some(rest.trim().to_string());
            }
            if line.starts_with("veterans affairs' own subgraph") {
                subgraph = line
                    .split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .map(|w| w.trim_end_matches(':').to_string());
            }
            if line.starts_with("  ") && sample.is_none() && line.trim().len() == 18 {
                sample = Some(line.trim().to_string());
            }
            if let Some(json) = line.trim().strip_prefix("hub-admin ") {
                if json.trim_start().starts_with('{') {
                    headers = Some(json.trim().to_string());
                    break;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(180), read)
        .await
        .expect("the demo starts");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let hub = hub.expect("hub address");
    let subgraph = subgraph.expect("the demo names veterans' subgraph");
    let headers: serde_json::Map<String, Value> =
        serde_json::from_str(&headers.expect("the admin's headers")).unwrap();
    let mut req = reqwest::Client::new().post(&hub).json(&json!({
        "query": "query($id: IdNumber!) { person(idNumber: $id) { veterans { provenance { backend sourceSystem } } } }",
        "variables": { "id": sample.expect("a sample ID") },
    }));
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str().unwrap());
    }
    let body: Value = req.send().await.unwrap().json().await.unwrap();
    assert_eq!(
        body["data"]["person"]["veterans"]["provenance"]["backend"], "SUBGRAPH",
        "{body}"
    );
    // The subgraph itself answers a federation query.
    let sdl: Value = reqwest::Client::new()
        .post(&subgraph)
        .json(&json!({ "query": "{ _service { sdl } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(sdl["data"]["_service"]["sdl"]
        .as_str()
        .unwrap()
        .contains("@key(fields: \"idNumber\")"));
    child.kill().await.ok();
}
