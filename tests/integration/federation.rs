//! The hub as an Apollo Federation v2 subgraph: `_service { sdl }` and `_entities`, which
//! must answer exactly as `persons` does — same admission, field policy, masks, errors,
//! batching and audit — for every consumer.

use archive_hub::departments::Department;
use archive_hub::id_number::IdNumber;
use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::common::{backends, codes, spawn_app, TestApp};

/// Every section, and what is derived from them.
const ARCHIVE: &str = r#"
  idNumber
  identity { maskedIdNumber birthDate sex age region { code county } }
  education { schooling { studentName schoolName schoolType enrolledOn graduatedOn } inSchool }
  civilAffairs { assistance { kind householdNo address validFrom validTo } }
  veterans { records { category dischargedOn regionCode } }
  poverty { households { householdNo status registeredOn exitYear } }
  union { records { kind organisation category validFrom } }
  socialInsurance { records { kind employerName amountFen validFrom validTo } receivesPension }
  credit { blacklist { listedOn reason } }
  trainings { enrolmentId traineeName phone result class { occupationCode level institution { uscc name } } }
  certificates { kind level certificateNo }
  subsidies { kind amountFen paidOn payingCounty }
  reportHistory { versionId content reporter }
  screening { flags { rule year } unjudged { rule department } withheld { rule } }
  eligibility(asOf: "2024-06-30") { poverty civilAffairs veterans receivesPension trainingsLeft }
"#;

/// A valid ID number that the seeded population does not contain.
fn stranger() -> IdNumber {
    IdNumber::from_parts(110105, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(), 2)
}

/// The same batch asked as `persons` and as `_entities`, by `consumer`.
async fn both(
    app: &TestApp,
    consumer: &str,
    purpose: &str,
    ids: &[String],
    selection: &str,
) -> (Value, Value, Vec<(Department, u64)>) {
    let persons =
        format!("query($ids: [IdNumber!]!) {{ persons(idNumbers: $ids) {{ {selection} }} }}");
    let entities = format!(
        "query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Person {{ {selection} }} }} }}"
    );
    let reps: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "__typename": "Person", "idNumber": id }))
        .collect();
    let (s1, p) = app
        .gql_as(consumer, purpose, &persons, json!({ "ids": ids }), None)
        .await;
    let before = app.statements();
    let (s2, e) = app
        .gql_as(consumer, purpose, &entities, json!({ "r": reps }), None)
        .await;
    let after = app.statements();
    assert_eq!((s1, s2), (200, 200), "{consumer}: {p} / {e}");
    let delta = before
        .iter()
        .zip(&after)
        .map(|((d, x), (_, y))| (*d, y - x))
        .collect();
    (p, e, delta)
}

/// A `persons` answer as `_entities` would put it (data key and error paths).
fn renamed(persons: &Value) -> Value {
    serde_json::from_str(&persons.to_string().replace("\"persons\"", "\"_entities\"")).unwrap()
}

#[tokio::test]
async fn entities_answer_exactly_as_persons_for_every_consumer_and_are_audited() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let mut ids: Vec<String> = app
            .report
            .samples
            .iter()
            .take(12)
            .map(|i| i.to_string())
            .collect();
        // Anomalies are planted on persons all over the region codes: some lie outside
        // each region-scoped consumer's scope.
        ids.extend(
            app.report
                .anomalies
                .iter()
                .take(12)
                .map(|(i, _)| i.to_string()),
        );
        ids.insert(1, stranger().to_string());
        ids.push(ids[0].clone());
        let consumers = [
            (crate::common::FULL, crate::common::FULL_PURPOSE),
            ("hub-admin", "administration"),
            ("city-audit", "audit"),
            ("shenxian-civil-affairs", "living_allowance_check"),
            ("liaocheng-hrss-subsidy-review", "subsidy_review"),
            ("bigdata-analytics", "statistics"),
            ("citizen-portal-demo", "self_service"),
        ];
        let mut forbidden_seen = false;
        for (consumer, purpose) in consumers {
            let (p, e, delta) = both(&app, consumer, purpose, &ids, ARCHIVE).await;
            // The persons answer with `_entities` in place of `persons` (data key, error
            // paths) is the entities answer, byte for byte: nothing more is readable
            // through `_entities`, nothing less.
            assert_eq!(renamed(&p), e, "{b:?} {consumer}");
            let list = e["data"]["_entities"].as_array().expect("a list");
            assert_eq!(list.len(), ids.len());
            assert!(list[1].is_null(), "unknown number: null");
            forbidden_seen |= codes(&e).iter().any(|c| c == "FORBIDDEN");
            // One read per department for the whole batch (HRSS training: its read and
            // its version log), however many representations.
            for (d, n) in delta {
                let most = if d == Department::HrssTraining { 2 } else { 1 };
                assert!(n <= most, "{b:?} {consumer}: {d:?} ran {n} statements");
            }
        }
        assert!(forbidden_seen, "some consumer was refused something");

        // The audit trail records `_entities` reads like any other.
        let subject = ids[0].clone();
        let q = r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { trainings { traineeName } veterans { records { category } } } } }"#;
        let (_, body) = app
            .gql_as(
                "bigdata-analytics",
                "statistics",
                q,
                json!({ "r": [{ "__typename": "Person", "idNumber": subject }] }),
                None,
            )
            .await;
        assert!(body["data"]["_entities"][0].is_object(), "{body}");
        let log_q = "query($id: IdNumber!) { accessLog(idNumber: $id) { consumerName purpose fields { field decision } } }";
        let (_, log) = app
            .gql_as("city-audit", "audit", log_q, json!({ "id": subject }), None)
            .await;
        let entries = log["data"]["accessLog"].as_array().expect("log");
        let mine = entries
            .iter()
            .find(|e| e["consumerName"] == "bigdata-analytics")
            .unwrap_or_else(|| panic!("{b:?}: no audit event for the _entities read: {log}"));
        let fields: Vec<&str> = mine["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"Person.trainings"), "{fields:?}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn bad_representations_fail_clearly_and_service_gives_the_subgraph_sdl() {
    let app = spawn_app(&backends()[0]).await;
    let q =
        r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { idNumber } } }"#;
    let good = app.report.samples[0].to_string();
    let cases = [
        (
            json!([{ "__typename": "Person", "idNumber": good }, { "__typename": "Person", "idNumber": "110105194912310021" }]),
            "INVALID_ID_NUMBER",
        ),
        (
            json!([{ "__typename": "Car", "idNumber": good }]),
            "BAD_USER_INPUT",
        ),
        (json!([{ "__typename": "Person" }]), "BAD_USER_INPUT"),
        (
            json!([{ "__typename": "Person", "idNumber": 7 }]),
            "BAD_USER_INPUT",
        ),
    ];
    for (reps, code) in cases {
        let body = app.gql(q, json!({ "r": reps })).await;
        assert_eq!(codes(&body), vec![code], "{reps}: {body}");
        assert!(body["data"].is_null(), "{body}");
        assert!(
            !body.to_string().contains("110105194912310021"),
            "no ID echoed: {body}"
        );
    }
    let invalid = app
        .gql(
            q,
            json!({ "r": [{ "__typename": "Person", "idNumber": good }, { "__typename": "Person", "idNumber": "12345" }] }),
        )
        .await;
    assert_eq!(invalid["errors"][0]["extensions"]["index"], 1, "{invalid}");
    // More representations than a batch may hold: refused before anything is read.
    let many: Vec<Value> = (0..1001)
        .map(|_| json!({ "__typename": "Person", "idNumber": good }))
        .collect();
    let body = app.gql(q, json!({ "r": many })).await;
    assert_eq!(codes(&body), vec!["LIMIT_EXCEEDED"], "{body}");

    // `_service { sdl }`: the subgraph SDL, whole for the admin, a consumer's view else.
    let sq = "{ _service { sdl } }";
    let (_, admin) = app
        .gql_as("hub-admin", "administration", sq, json!({}), None)
        .await;
    assert_eq!(
        admin["data"]["_service"]["sdl"].as_str().unwrap(),
        archive_hub::graphql::sdl()
    );
    let (_, audit) = app.gql_as("city-audit", "audit", sq, json!({}), None).await;
    let sdl = audit["data"]["_service"]["sdl"].as_str().unwrap();
    assert!(
        sdl.contains("type Person @key(fields: \"idNumber\")"),
        "{sdl}"
    );
    assert!(!sdl.contains("trainings:"), "hidden from an auditor: {sdl}");
    app.cleanup().await;
}

/// `federation/node_modules`, or why the Apollo tests cannot run: a failure under
/// `CI_EXTERNAL_TESTS=1` (set by `.ci/run`, which runs `npm ci` first), a notice else.
fn federation_tooling() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("federation");
    if dir.join("node_modules/@apollo/gateway").exists() {
        return Some(dir);
    }
    let required = std::env::var("CI_EXTERNAL_TESTS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "CI_EXTERNAL_TESTS=1 but federation/node_modules is missing (npm ci --prefix federation)"
    );
    eprintln!("Apollo federation tests not run: `npm ci --prefix federation` first");
    None
}

/// The real `@apollo/composition` composes the hub's subgraph SDL with a second subgraph
/// that extends `Person` (a housing-fund service).
#[tokio::test]
async fn apollo_composition_composes_the_hub_with_a_housing_fund_subgraph() {
    let Some(dir) = federation_tooling() else {
        return;
    };
    let sdl = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sdl.path(), archive_hub::graphql::sdl()).unwrap();
    let out = tokio::process::Command::new("node")
        .arg(dir.join("compose.mjs"))
        .arg(sdl.path())
        .output()
        .await
        .expect("run node");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "composition failed:\n{stderr}");
    let supergraph = String::from_utf8(out.stdout).unwrap();
    assert!(
        supergraph.contains("housingFund: HousingFund"),
        "{supergraph}"
    );
    assert!(
        supergraph.contains("join__type(graph: ARCHIVE_HUB, key: \"idNumber\")"),
        "{supergraph}"
    );
    assert!(
        supergraph.contains("join__type(graph: HOUSING_FUND, key: \"idNumber\")"),
        "{supergraph}"
    );
}

/// A real `@apollo/gateway` in front of the hub and the housing-fund subgraph: one
/// person's fields from both, the client's key and purpose forwarded, the hub's policy
/// and audit in force (a denied field is still null + `FORBIDDEN` at the gateway).
#[tokio::test]
async fn an_apollo_gateway_serves_the_hub_and_a_second_subgraph_under_the_hubs_policy() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let Some(dir) = federation_tooling() else {
        return;
    };
    let app = spawn_app(&backends()[0]).await;
    let sdl = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sdl.path(), archive_hub::graphql::sdl()).unwrap();
    let mut gateway = tokio::process::Command::new("node")
        .arg(dir.join("gateway.mjs"))
        .args(["--hub", &format!("{}/graphql", app.addr), "--port", "0"])
        .arg("--hub-sdl")
        .arg(sdl.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start the gateway");
    let mut lines = BufReader::new(gateway.stdout.take().unwrap()).lines();
    let ready = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
        .await
        .expect("the gateway starts within a minute")
        .unwrap()
        .expect("the gateway prints its address");
    let url = serde_json::from_str::<Value>(&ready).unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let through = |consumer: &str, purpose: &str, query: String| {
        let req = app
            .client
            .post(&url)
            .header("authorization", format!("Bearer {}", app.keys[consumer]))
            .header("x-purpose", purpose)
            .json(&json!({ "query": query }));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let id = app.report.samples[0].to_string();
    // From the hub's root to the housing fund (the gateway calls its `_entities`) …
    let q = format!(
        "{{ persons(idNumbers: [\"{id}\"]) {{ idNumber identity {{ age }} trainings {{ enrolmentId }} housingFund {{ accountNumber accountStatus }} }} }}"
    );
    let body = through(crate::common::FULL, crate::common::FULL_PURPOSE, q.clone()).await;
    assert!(body["errors"].is_null(), "{body}");
    let p = &body["data"]["persons"][0];
    assert_eq!(p["idNumber"], id.as_str());
    assert!(p["trainings"].is_array(), "{body}");
    assert_eq!(p["housingFund"]["accountNumber"], format!("GJJ{id}"));
    // … and from the housing fund's root to the hub (its `_entities`, with the client's
    // key and purpose).
    let q2 = format!(
        "{{ housingFundAccount(accountNumber: \"GJJ{id}\") {{ housingFund {{ accountStatus }} identity {{ age }} trainings {{ enrolmentId }} }} }}"
    );
    let body = through(crate::common::FULL, crate::common::FULL_PURPOSE, q2.clone()).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(
        body["data"]["housingFundAccount"]["trainings"].is_array(),
        "{body}"
    );
    // A consumer without a grant on trainings: null in place and FORBIDDEN, both ways in.
    for q in [q, q2] {
        let body = through("city-audit", "audit", q).await;
        let person = if body["data"]["persons"].is_array() {
            &body["data"]["persons"][0]
        } else {
            &body["data"]["housingFundAccount"]
        };
        assert!(person["trainings"].is_null(), "{body}");
        assert!(person["identity"]["age"].is_number(), "{body}");
        assert!(
            person["housingFund"]["accountStatus"].is_string()
                || person["housingFund"]["accountNumber"].is_string(),
            "{body}"
        );
        assert!(
            codes(&body).iter().any(|c| c == "FORBIDDEN"),
            "the hub's refusal reaches the client: {body}"
        );
    }
    // No key: the hub refuses it through the gateway as well.
    let body: Value = app
        .client
        .post(&url)
        .json(&json!({ "query": format!("{{ persons(idNumbers: [\"{id}\"]) {{ idNumber }} }}") }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        body["data"]["persons"].is_null() || body["data"].is_null(),
        "{body}"
    );
    assert!(
        codes(&body).iter().any(|c| c == "UNAUTHENTICATED"),
        "{body}"
    );
    // The hub's audit trail has the gateway's reads under the client's consumer.
    let (_, log) = app
        .gql_as(
            "city-audit",
            "audit",
            "query($id: IdNumber!) { accessLog(idNumber: $id) { consumerName fields { field decision } } }",
            json!({ "id": id }),
            None,
        )
        .await;
    let entries = log["data"]["accessLog"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["consumerName"] == "city-audit"
            && e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == "Person.trainings" && f["decision"] == "DENIED")),
        "{log}"
    );
    drop(gateway.stdin.take());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), gateway.wait()).await;
    app.cleanup().await;
}
