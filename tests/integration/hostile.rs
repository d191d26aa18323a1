//! The hostile corpus against a real hub, one request at a time and eight at once: no
//! crash, no 5xx, every refusal with a code from the closed set, no internals or ID
//! numbers echoed, `/healthz` answering throughout, and nothing read or audited for
//! requests refused before execution. (Timings: `cargo run --release --example hostile`.)

use std::sync::Arc;

use archive_hub::error::ErrorCode;
use serde_json::Value;

use crate::common::{backends, spawn_app, TestApp, FULL, FULL_PURPOSE};
use crate::hostile_corpus::{corpus, Hostile};

async fn send(app: &TestApp, h: &Hostile) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("content-type", h.content_type)
        .header("authorization", format!("Bearer {}", app.keys[FULL]))
        .header("x-purpose", FULL_PURPOSE)
        .body(h.body.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: no response: {e}", h.name));
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn audit_count(hub: &sea_orm::DatabaseConnection) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::hub::audit_event::Entity::find()
        .count(hub)
        .await
        .expect("count audit events")
}

fn check(h: &Hostile, status: u16, body: &Value, id: &str) {
    let name = &h.name;
    assert!(status < 500, "{name}: HTTP {status}: {body}");
    if !h.refused {
        assert!(body["errors"].is_null(), "{name}: {body}");
        return;
    }
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: accepted or no error list: {status} {body}"));
    assert!(!errors.is_empty(), "{name}: accepted: {body}");
    assert!(
        errors.len() <= archive_hub::error::MAX_ERRORS,
        "{name}: {} errors",
        errors.len()
    );
    let closed: Vec<&str> = ErrorCode::all()
        .into_iter()
        .map(ErrorCode::as_str)
        .collect();
    for e in errors {
        let code = e["extensions"]["code"].as_str().unwrap_or("<none>");
        assert!(
            closed.contains(&code),
            "{name}: code {code} outside the set: {e}"
        );
        assert_ne!(code, "INTERNAL", "{name}: {e}");
    }
    let text = body.to_string();
    for leak in ["sqlx", "SELECT", "/work/", ".rs:", "panicked", id] {
        assert!(!text.contains(leak), "{name}: response echoes {leak:?}");
    }
    assert!(
        text.len() < 64 * 1024,
        "{name}: {} bytes of errors",
        text.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_requests_are_refused_cleanly_alone_and_eight_at_once() {
    let app = Arc::new(spawn_app(&backends()[0]).await);
    let id = app.report.samples[0].to_string();
    let corpus = Arc::new(corpus(&id));
    let hub = app.state.dbs.hub().clone();
    for h in corpus.iter() {
        let (before, events) = (app.statements(), audit_count(&hub).await);
        let (status, body) = send(&app, h).await;
        check(h, status, &body, &id);
        // Refused before execution: no department read, nothing audited. (A wrong date
        // is only found while the person is being answered.)
        if h.refused && h.name != "bad date" {
            assert_eq!(app.statements(), before, "{}: a source was read", h.name);
            assert_eq!(audit_count(&hub).await, events, "{}: audited", h.name);
        }
    }
    // Eight clients replaying the corpus while /healthz is polled.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, corpus, id) = (app.clone(), corpus.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            for h in corpus.iter() {
                let (status, body) = send(&app, h).await;
                check(h, status, &body, &id);
            }
        }));
    }
    let health = {
        let app = app.clone();
        tokio::spawn(async move {
            for _ in 0..50 {
                let r = app
                    .client
                    .get(format!("{}/healthz", app.addr))
                    .send()
                    .await
                    .expect("healthz");
                assert_eq!(r.status().as_u16(), 200);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    for t in tasks {
        t.await.expect("client task");
    }
    health.await.expect("healthz task");
}
