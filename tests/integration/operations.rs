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
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["failing"], serde_json::json!(["trade_union"]));
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
