//! Health and readiness endpoints and GraphiQL.

use archive_hub::departments::Department;

use crate::common::{backends, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_and_readyz_report_up() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let h = app
            .client
            .get(format!("{}/healthz", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(h.status(), 200);
        let r = app
            .client
            .get(format!("{}/readyz", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{b:?}");
        let g = app
            .client
            .get(format!("{}/graphql", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(g.status(), 200);
        assert!(g.text().await.unwrap().contains("graphiql"));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn readyz_names_the_unreachable_source() {
    let app = spawn_app_with(&backends()[0], |c| {
        c.source_mut(Department::TradeUnion).url =
            Some("postgres://nobody@127.0.0.1:1/none".into());
        c.source_mut(Department::TradeUnion).connect_timeout_secs = 1;
    })
    .await;
    let r = app
        .client
        .get(format!("{}/readyz", app.addr))
        .send()
        .await
        .unwrap();
    // One department down: degraded, still serving.
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["failing"], serde_json::json!(["trade_union"]));
    assert_eq!(body["departments"]["trade_union"], "down");
    assert_eq!(body["departments"]["education"], "up");
    // The process itself is still healthy.
    let h = app
        .client
        .get(format!("{}/healthz", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), 200);
    app.cleanup().await;
}

#[tokio::test]
async fn requests_get_a_request_id() {
    let app = spawn_app(&backends()[0]).await;
    let r = app
        .client
        .get(format!("{}/healthz", app.addr))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("x-request-id").is_some());
    app.cleanup().await;
}

#[tokio::test]
async fn a_callers_overlong_request_id_does_not_break_auditing() {
    let app = spawn_app(&backends()[0]).await;
    let id = app.report.samples[0].to_string();
    let key = format!("Bearer {}", app.keys[crate::common::FULL]);
    for rid in [
        "x".repeat(500),
        "bad id with spaces".to_string(),
        "ok-id-123".to_string(),
    ] {
        let (status, body) = app
            .gql_with_headers(
                &[
                    ("authorization", key.clone()),
                    ("x-purpose", crate::common::FULL_PURPOSE.into()),
                    ("x-request-id", rid.clone()),
                ],
                "query($id: IdNumber!) { person(idNumber: $id) { trainings { traineeName } } }",
                serde_json::json!({ "id": id }),
                None,
            )
            .await;
        assert_eq!(status, 200, "{rid}: {body}");
        assert!(body["errors"].is_null(), "{rid}: {body}");
    }
    use sea_orm::{EntityTrait, QueryOrder};
    let last = entities::hub::audit_event::Entity::find()
        .order_by_desc(entities::hub::audit_event::Column::Seq)
        .one(app.state.dbs.hub())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.request_id, "ok-id-123");
    app.cleanup().await;
}

/// A serving hub witnesses every commit's signed head outside its database, and the trail
/// verifies against that witness.
#[tokio::test]
async fn a_serving_hub_witnesses_its_audit_trail() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let id = app.report.samples[0].to_string();
        for _ in 0..3 {
            let body = app
                .gql(
                    "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }",
                    serde_json::json!({ "id": id }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
        }
        let config = &app.state.config;
        let witnessed =
            archive_hub::audit::witness::read_file(&config.witness_file()).expect("witness file");
        assert!(witnessed.len() >= 3, "{b:?}: {witnessed:?}");
        let keys = archive_hub::audit::AuditKeys::load_existing(
            &config.subject_key_file(),
            &config.signing_key_file(),
        )
        .expect("keys");
        let report =
            archive_hub::audit::verify(app.state.dbs.hub(), &keys.verifying_key(), &witnessed)
                .await
                .expect("verify");
        assert!(report.is_ok(), "{b:?}: {report:?}");
        app.cleanup().await;
    }
}

/// A corrupt, a missing and a hanging department: each is reported down, in bounded time,
/// the hub stays up (degraded), and `serve` does not create the missing database.
#[tokio::test]
async fn readyz_reads_each_department_corrupt_missing_or_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("poverty.db");
    std::fs::write(&garbage, vec![0x42u8; 8192]).unwrap();
    let missing = dir.path().join("trade_union.db");
    // Accepts connections and never answers.
    let hang = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hang.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in hang.incoming().flatten() {
            held.push(s);
        }
    });
    let (g, m) = (garbage.clone(), missing.clone());
    let app = spawn_app_with(&backends()[0], move |c| {
        c.source_mut(Department::Poverty).url = Some(format!("sqlite://{}?mode=rwc", g.display()));
        c.source_mut(Department::TradeUnion).url =
            Some(format!("sqlite://{}?mode=rwc", m.display()));
        let v = c.source_mut(Department::Veterans);
        v.url = Some(format!("postgres://nobody@127.0.0.1:{port}/none"));
        v.connect_timeout_secs = 1;
        // Read through its subgraph (TEST_VETERANS_BACKEND=subgraph): a hanging one.
        v.subgraph.url = Some(format!("http://127.0.0.1:{port}/graphql"));
    })
    .await;
    let started = std::time::Instant::now();
    let r = app
        .client
        .get(format!("{}/readyz", app.addr))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "degraded", "{body}");
    for d in ["poverty", "trade_union", "veterans"] {
        assert_eq!(body["departments"][d], "down", "{d}: {body}");
    }
    for d in ["hrss_training", "hrss_social", "education", "civil_affairs"] {
        assert_eq!(body["departments"][d], "up", "{d}: {body}");
    }
    assert_eq!(body["hub"], "up");
    assert_eq!(body["audit"], "up");
    assert!(
        !missing.exists(),
        "serve created the missing department database"
    );
    app.cleanup().await;
}

/// `/metrics` in Prometheus format, for the hub admin only, after known requests: requests by operation, consumer,
/// status and code; source calls and rows per department; audit commits; policy decisions;
/// refused limits — and never an ID number.
#[tokio::test]
async fn metrics_count_known_requests_without_personal_data() {
    let app = spawn_app(&backends()[0]).await;
    let id = app.report.samples[0].to_string();
    let q = "query Lookup($id: IdNumber!) { person(idNumber: $id) { idNumber trainings { traineeName } } }";
    for _ in 0..3 {
        let body = app.gql(q, serde_json::json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let aliases: String = (0..31).map(|i| format!("a{i}: errorCodes ")).collect();
    let refused = app
        .gql(&format!("{{ {aliases} }}"), serde_json::json!({}))
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
    // Row counts move with each request: only the hub admin may read them.
    let metrics = |key: Option<String>| {
        let mut req = app.client.get(format!("{}/metrics", app.addr));
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        req.send()
    };
    assert_eq!(metrics(None).await.unwrap().status(), 401);
    let consumer = Some(app.keys[crate::common::FULL].clone());
    assert_eq!(metrics(consumer).await.unwrap().status(), 403);
    let r = metrics(Some(app.keys["hub-admin"].clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    // The value of the first sample line holding every one of `parts`.
    let value = |parts: &[&str]| -> f64 {
        text.lines()
            .filter(|l| !l.starts_with('#') && parts.iter().all(|p| l.contains(p)))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .fold(0.0, f64::max)
    };
    assert!(
        value(&[
            "archive_hub_requests_total{",
            "operation=\"Lookup\"",
            "consumer=\"test-full-access\"",
            "status=\"200\"",
            "code=\"none\"",
        ]) >= 3.0,
        "{text}"
    );
    assert!(value(&["archive_hub_requests_total{", "code=\"LIMIT_EXCEEDED\""]) >= 1.0);
    assert!(value(&["archive_hub_limits_rejected_total{", "what=\"aliases\""]) >= 1.0);
    assert!(
        value(&[
            "archive_hub_request_duration_seconds_count",
            "operation=\"Lookup\""
        ]) >= 3.0
    );
    for d in ["hrss_training", "veterans"] {
        let calls = format!("department=\"{d}\"");
        assert!(value(&["archive_hub_source_calls_total{", &calls, "outcome=\"ok\""]) >= 3.0);
        assert!(value(&["archive_hub_source_duration_seconds_count", &calls]) >= 3.0);
    }
    assert!(
        value(&[
            "archive_hub_source_rows_total{",
            "department=\"hrss_training\""
        ]) >= 1.0
    );
    assert!(value(&["archive_hub_audit_commit_seconds_count"]) >= 3.0);
    assert!(value(&["archive_hub_audit_batch_events_count"]) >= 3.0);
    assert!(value(&["archive_hub_policy_decisions_total{", "outcome=\"allow\""]) >= 3.0);
    assert!(!text.contains(&id), "an ID number in /metrics");
    app.cleanup().await;
}

#[tokio::test]
async fn batches_are_admitted_within_the_persons_budget_and_one_over_it_runs_alone() {
    let app = spawn_app_with(&backends()[0], |c| c.server.max_persons_in_flight = 3).await;
    let ids: Vec<String> =
        archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 10)
            .iter()
            .map(|i| i.to_string())
            .collect();
    let q = "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber } }";
    // Several batches larger than the whole budget at once: each waits its turn and runs
    // alone; none is refused or stuck.
    let requests = (0..4).map(|_| app.gql_lang(q, serde_json::json!({ "ids": ids }), None));
    for (status, body) in futures::future::join_all(requests).await {
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["data"]["persons"].as_array().unwrap().len(),
            10,
            "{body}"
        );
    }
    // And the budget is whole again afterwards.
    assert_eq!(app.state.persons_in_flight.available_permits(), 3);
    app.cleanup().await;
}
