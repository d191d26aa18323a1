//! The archive by ID number: person, persons, batching, as-of filtering.

use archive_hub::departments::Department;
use archive_hub::id_number::IdNumber;
use chrono::NaiveDate;
use entities::civil_affairs::assistance;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::common::{backends, codes, spawn_app};

const FULL: &str = r#"
fragment Archive on Person {
  idNumber
  identity { maskedIdNumber birthDate sex age region { code province city county fullName } }
  education { schooling { schoolName schoolType enrolledOn graduatedOn continuedStudy } }
  civilAffairs { assistance { kind validFrom validTo } }
  veterans { records { category dischargedOn } }
  poverty { households { status registeredOn exitYear } }
  union { records { kind organisation category validFrom } }
  socialInsurance { records { kind employerName validFrom validTo } receivesPension }
  trainings { enrolmentId result class { occupationCode level trainingType startDate endDate institution { uscc name inDirectory } } }
  certificates { kind level certificateNo enrolmentId }
  subsidies { kind amountFen paidOn payingCounty enrolmentId months }
}"#;

/// A valid ID number that the seeded population does not contain.
fn stranger() -> IdNumber {
    IdNumber::from_parts(110105, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(), 2)
}

#[tokio::test]
async fn person_archive_is_joined_from_every_department() {
    for b in backends() {
        let app = spawn_app(&b).await;
        // A person with several trainings: HRSS training data joined by ID number.
        let id = app.report.samples[0].clone();
        let q =
            format!("query($id: IdNumber!) {{ person(idNumber: $id) {{ ...Archive }} }} {FULL}");
        let body = app.gql(&q, json!({ "id": id.as_str() })).await;
        assert!(body["errors"].is_null(), "{b:?}: {body}");
        let p = &body["data"]["person"];
        assert_eq!(p["idNumber"], id.as_str(), "{b:?}");
        assert!(p["idNumber"].is_string());
        assert_eq!(p["identity"]["maskedIdNumber"], id.masked());
        assert_eq!(p["identity"]["birthDate"], id.birth_date().to_string());
        assert_eq!(p["identity"]["region"]["code"], &id.as_str()[..6]);
        assert_eq!(p["identity"]["region"]["province"], "山东省");
        let trainings = p["trainings"].as_array().unwrap();
        assert!(trainings.len() >= 2, "{b:?}: {p}");
        for t in trainings {
            assert_eq!(
                t["class"]["institution"]["uscc"].as_str().unwrap().len(),
                18
            );
        }
        // Certificates and subsidies point at this person's own enrolments.
        let enrolments: Vec<i64> = trainings
            .iter()
            .map(|t| t["enrolmentId"].as_i64().unwrap())
            .collect();
        for c in p["certificates"].as_array().unwrap() {
            assert!(enrolments.contains(&c["enrolmentId"].as_i64().unwrap()));
        }
        let subsidies = p["subsidies"].as_array().unwrap();
        assert!(!subsidies.is_empty());
        for s in subsidies {
            assert!(s["amountFen"].as_i64().unwrap() > 0);
            assert!(enrolments.contains(&s["enrolmentId"].as_i64().unwrap()));
        }
        // Sections of departments with nothing on this person are present and empty, not null.
        assert!(p["veterans"]["records"].is_array());
        app.cleanup().await;
    }
}

#[tokio::test]
async fn every_department_section_carries_its_data() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let ids: Vec<String> =
            archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 400)
                .iter()
                .map(|i| i.to_string())
                .collect();
        let q = format!(
            "query($ids: [IdNumber!]!) {{ persons(idNumbers: $ids) {{ ...Archive }} }} {FULL}"
        );
        let body = app.gql(&q, json!({ "ids": ids })).await;
        assert!(body["errors"].is_null(), "{b:?}: {body}");
        let persons = body["data"]["persons"].as_array().unwrap();
        assert_eq!(persons.len(), 400);
        let nonempty = |path: &dyn Fn(&serde_json::Value) -> &serde_json::Value| {
            persons
                .iter()
                .filter(|p| !p.is_null())
                .any(|p| path(p).as_array().is_some_and(|a| !a.is_empty()))
        };
        assert!(
            nonempty(&|p| &p["education"]["schooling"]),
            "{b:?} education"
        );
        assert!(
            nonempty(&|p| &p["civilAffairs"]["assistance"]),
            "{b:?} civil affairs"
        );
        assert!(nonempty(&|p| &p["veterans"]["records"]), "{b:?} veterans");
        assert!(nonempty(&|p| &p["poverty"]["households"]), "{b:?} poverty");
        assert!(nonempty(&|p| &p["union"]["records"]), "{b:?} union");
        assert!(
            nonempty(&|p| &p["socialInsurance"]["records"]),
            "{b:?} social insurance"
        );
        assert!(nonempty(&|p| &p["trainings"]), "{b:?} trainings");
        assert!(nonempty(&|p| &p["certificates"]), "{b:?} certificates");
        assert!(nonempty(&|p| &p["subsidies"]), "{b:?} subsidies");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn unknown_person_is_null_not_an_error() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let body = app
            .gql(
                "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }",
                json!({ "id": stranger().as_str() }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert!(body["data"]["person"].is_null());
        app.cleanup().await;
    }
}

/// Aliased `person` fields are siblings of one request: their reads are batched when the
/// request's poll that asked for them ends, not by a timer — one statement per department.
#[tokio::test]
async fn aliased_person_fields_read_each_source_once() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let known = archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 3);
        let q = format!(
            "query($a: IdNumber!, $b: IdNumber!, $c: IdNumber!) {{ \
             a: person(idNumber: $a) {{ ...Archive }} b: person(idNumber: $b) {{ ...Archive }} \
             c: person(idNumber: $c) {{ ...Archive }} }} {FULL}"
        );
        let vars = json!({ "a": known[0].to_string(), "b": known[1].to_string(), "c": known[2].to_string() });
        let before = app.statements();
        let body = app.gql(&q, vars).await;
        let after = app.statements();
        assert!(body["errors"].is_null(), "{b:?}: {body}");
        for (k, id) in ["a", "b", "c"].iter().zip(&known) {
            assert_eq!(
                body["data"][k]["idNumber"],
                id.to_string().as_str(),
                "{b:?}: {body}"
            );
        }
        for ((d, x), (_, y)) in before.iter().zip(&after) {
            assert_eq!(
                y - x,
                1,
                "{b:?}: {d:?} ran {} statements for three aliased persons",
                y - x
            );
        }
        app.cleanup().await;
    }
}

/// Departments that share a database are read in one statement per batch (a wide union),
/// each still in exactly one; on SQLite every department is a database of its own.
#[tokio::test]
async fn departments_in_one_database_are_read_in_one_statement() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let id = app.report.samples[0].to_string();
        let q =
            format!("query($id: IdNumber!) {{ person(idNumber: $id) {{ ...Archive }} }} {FULL}");
        let sql: Vec<Department> = Department::ALL
            .iter()
            .copied()
            .filter(|d| !(app.veterans_remote() && *d == Department::Veterans))
            .collect();
        let pools = |app: &crate::common::TestApp| -> std::collections::BTreeMap<usize, u64> {
            sql.iter()
                .map(|d| {
                    let db = app.state.dbs.get(*d);
                    (db.pool_id(), db.pool_statements())
                })
                .collect()
        };
        let (before, per_dept) = (pools(&app), app.statements());
        let body = app.gql(&q, json!({ "id": id })).await;
        assert!(body["errors"].is_null(), "{b:?}: {body}");
        assert_eq!(body["data"]["person"]["idNumber"], id.as_str());
        let after = pools(&app);
        for (pool, n) in &after {
            assert_eq!(
                n - before[pool],
                1,
                "{b:?}: pool {pool} ran {} statements",
                n - before[pool]
            );
        }
        if matches!(b, crate::common::Backend::Postgres(_)) {
            assert_eq!(
                after.len(),
                1,
                "every department on one PostgreSQL database"
            );
        }
        for ((d, x), (_, y)) in per_dept.iter().zip(app.statements()) {
            assert_eq!(y - x, 1, "{b:?}: {d:?} was read {} times", y - x);
        }
        app.cleanup().await;
    }
}

/// A department whose table is broken is unavailable alone: the statement it shared with
/// the others failed, and each was read again on its own.
#[tokio::test]
async fn a_broken_table_fails_only_its_own_department() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let id = app.report.samples[0].to_string();
        let conn = &app.state.dbs.get(Department::Credit).conn;
        conn.execute_unprepared("ALTER TABLE crd_blacklist RENAME TO crd_blacklist_gone")
            .await
            .expect("rename");
        let body = app
            .gql(
                "query($id: IdNumber!) { person(idNumber: $id) { idNumber credit { blacklist { listedOn } } education { schooling { schoolName } } trainings { enrolmentId } } }",
                json!({ "id": id }),
            )
            .await;
        let p = &body["data"]["person"];
        assert_eq!(p["idNumber"], id.as_str(), "{b:?}: {body}");
        assert!(p["credit"].is_null(), "{b:?}: {body}");
        assert!(p["education"]["schooling"].is_array(), "{b:?}: {body}");
        assert!(
            !p["trainings"].as_array().unwrap().is_empty(),
            "{b:?}: {body}"
        );
        assert_eq!(codes(&body), vec!["SOURCE_UNAVAILABLE"], "{b:?}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["department"], "credit");
        let text = body.to_string();
        assert!(!text.contains("crd_blacklist"), "leak: {text}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn persons_keeps_order_and_reads_each_source_once_whatever_the_batch_size() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let known = archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 300);
        let q = format!(
            "query($ids: [IdNumber!]!) {{ persons(idNumbers: $ids) {{ ...Archive }} }} {FULL}"
        );
        let mut per_size = Vec::new();
        for n in [1usize, 40, 300] {
            let mut ids: Vec<String> = known.iter().take(n).map(|i| i.to_string()).collect();
            if n > 1 {
                ids.insert(1, stranger().to_string());
                ids.push(ids[0].clone());
            }
            let before = app.statements();
            let body = app.gql(&q, json!({ "ids": ids })).await;
            let after = app.statements();
            assert!(body["errors"].is_null(), "{b:?}: {body}");
            let persons = body["data"]["persons"].as_array().unwrap();
            assert_eq!(persons.len(), ids.len());
            for (p, id) in persons.iter().zip(&ids) {
                if *id == stranger().to_string() {
                    assert!(p.is_null());
                } else {
                    // Every seeded person is known to some department.
                    assert_eq!(p["idNumber"], id.as_str(), "{b:?}: {id} came back {p}");
                }
            }
            let delta: Vec<(Department, u64)> = before
                .iter()
                .zip(&after)
                .map(|((d, x), (_, y))| (*d, y - x))
                .collect();
            for (d, n) in &delta {
                // One statement per department per request, HRSS training's three data
                // sets (trainings, certificates, subsidies) included.
                assert_eq!(
                    *n,
                    1,
                    "{b:?}: {d:?} ran {n} statements for {} ids",
                    ids.len()
                );
            }
            per_size.push(delta);
        }
        assert!(per_size.windows(2).all(|w| w[0] == w[1]));
        app.cleanup().await;
    }
}

#[tokio::test]
async fn legacy_and_lowercase_forms_find_the_same_person() {
    let b = &backends()[0];
    let app = spawn_app(b).await;
    let id = app
        .report
        .samples
        .iter()
        .find(|i| i.as_str().ends_with('X') && &i.as_str()[6..8] == "19")
        .or_else(|| {
            app.report
                .samples
                .iter()
                .find(|i| &i.as_str()[6..8] == "19")
        })
        .cloned()
        .expect("a sample born in the 1900s");
    let s = id.as_str();
    let legacy = format!("{}{}", &s[..6], &s[8..17]);
    let lower = format!("  {}  ", s.to_lowercase());
    for form in [legacy, lower] {
        let body = app
            .gql(
                "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }",
                json!({ "id": form }),
            )
            .await;
        assert_eq!(body["data"]["person"]["idNumber"], s, "{form}: {body}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn statuses_can_be_asked_as_of_a_date() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let conn = &app.state.dbs.get(Department::CivilAffairs).conn;
        let rec = assistance::Entity::find()
            .filter(assistance::Column::ValidTo.is_not_null())
            .one(conn)
            .await
            .unwrap()
            .expect("a closed assistance record");
        let to = rec.valid_to.unwrap();
        let q = "query($id: IdNumber!, $d: Date) { person(idNumber: $id) { civilAffairs { assistance(asOf: $d) { validFrom validTo } } } }";
        let count = |body: serde_json::Value| {
            body["data"]["person"]["civilAffairs"]["assistance"]
                .as_array()
                .map(Vec::len)
        };
        let during = app
            .gql(
                q,
                json!({ "id": rec.id_number, "d": rec.valid_from.to_string() }),
            )
            .await;
        assert_eq!(count(during), Some(1), "{b:?}");
        let after = app
            .gql(
                q,
                json!({ "id": rec.id_number, "d": (to + chrono::Days::new(1)).to_string() }),
            )
            .await;
        assert_eq!(count(after), Some(0), "{b:?}");
        let all = app.gql(q, json!({ "id": rec.id_number, "d": null })).await;
        assert_eq!(count(all), Some(1), "{b:?}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_failing_source_nulls_its_section_and_names_the_department() {
    let b = &backends()[0];
    let app = crate::common::spawn_app_with(b, |c| {
        // The SQL backend's failure (the subgraph's: tests/integration/remote.rs).
        c.source_mut(Department::Veterans).backend = archive_hub::domain::Backend::Sql;
        c.source_mut(Department::Veterans).url = Some("postgres://nobody@127.0.0.1:1/none".into());
        c.source_mut(Department::Veterans).connect_timeout_secs = 1;
    })
    .await;
    let id = app.report.samples[0].clone();
    let body = app
        .gql(
            "query($id: IdNumber!) { person(idNumber: $id) { idNumber veterans { records { category } } trainings { enrolmentId } } }",
            json!({ "id": id.as_str() }),
        )
        .await;
    assert_eq!(body["data"]["person"]["idNumber"], id.as_str(), "{body}");
    assert!(body["data"]["person"]["veterans"].is_null());
    assert!(body["data"]["person"]["trainings"].is_array());
    assert_eq!(codes(&body), vec!["SOURCE_UNAVAILABLE"]);
    let err = &body["errors"][0];
    assert_eq!(err["extensions"]["department"], "veterans");
    assert!(err["message"].as_str().unwrap().contains("退役军人事务局"));
    let text = body.to_string();
    assert!(
        !text.contains("127.0.0.1") && !text.contains("postgres"),
        "leak: {text}"
    );
    app.cleanup().await;
}

/// A long batch on a multi-threaded runtime answers as the same persons asked one at a
/// time: the same values, masks and nulls in place, each refusal counted once per person
/// and shown at the batch's own indices — with a grant limited to one county, so that
/// persons in one batch are decided differently (a decision is shared between persons
/// only when no region-limited grant took part in it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_batch_answers_as_its_persons_one_at_a_time() {
    let b = &backends()[0];
    let mut app = spawn_app(b).await;
    let ids: Vec<String> =
        archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 300)
            .iter()
            .map(|i| i.to_string())
            .collect();
    let county = &ids[0][..6];
    app.apply_policy(&format!(
        r#"
[[consumers]]
name = "batch-check"
kind = "DEPARTMENT_SYSTEM"
department = "civil_affairs"
purposes = ["living_allowance_check"]

[[grants]]
consumer = "batch-check"
purpose = "living_allowance_check"
effect = "ALLOW"
fields = ["Person.trainings", "Training.enrolmentId", "Training.result"]

[[grants]]
consumer = "batch-check"
purpose = "living_allowance_check"
effect = "MASK"
fields = ["Training.traineeName"]

[[grants]]
consumer = "batch-check"
purpose = "living_allowance_check"
effect = "ALLOW"
fields = ["Person.subsidies", "Subsidy.*"]
regions = ["{county}"]
"#
    ))
    .await
    .unwrap();
    let fields = "idNumber trainings { enrolmentId result traineeName } \
        subsidies { amountFen payingCounty } civilAffairs { assistance { kind } } \
        education { schooling { schoolName } }";
    let ask = |q: String, vars: serde_json::Value| {
        let app = &app;
        async move {
            let (status, body) = app
                .gql_as("batch-check", "living_allowance_check", &q, vars, None)
                .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let before = last_seq(&app).await;
    let batch = ask(
        format!("query($ids: [IdNumber!]!) {{ persons(idNumbers: $ids) {{ {fields} }} }}"),
        json!({ "ids": ids }),
    )
    .await;
    let persons = batch["data"]["persons"].as_array().unwrap();
    assert_eq!(persons.len(), ids.len());
    // Most of a long batch's events are committed while the rest is answered: one event
    // per person all the same, all of the request.
    let batch_events = events_after(&app, before).await;
    assert_eq!(batch_events.len(), ids.len());
    let request = &batch_events[0].request_id;
    assert!(batch_events.iter().all(|e| &e.request_id == request));
    let audit = app.state.audit.clone().unwrap();
    let by_subject: std::collections::HashMap<String, String> = batch_events
        .into_iter()
        .map(|e| (e.subject, e.fields))
        .collect();
    assert_eq!(by_subject.len(), ids.len());

    // Refusals counted over the persons one at a time, per (field, reason).
    let mut expected: std::collections::BTreeMap<(String, String), u64> = Default::default();
    let (mut in_county, mut elsewhere) = (0, 0);
    for (i, id) in ids.iter().enumerate() {
        let one = ask(
            format!("query($id: IdNumber!) {{ person(idNumber: $id) {{ {fields} }} }}"),
            json!({ "id": id }),
        )
        .await;
        assert_eq!(persons[i], one["data"]["person"], "person {i} ({id})");
        // The same accesses recorded as when the person is asked alone.
        let alone = events_after(&app, last_seq(&app).await - 1).await;
        assert_eq!(
            by_subject.get(&audit.subject(id)),
            Some(&alone[0].fields),
            "person {i}"
        );
        for e in one["errors"].as_array().into_iter().flatten() {
            let x = &e["extensions"];
            let key = (x["field"].to_string(), x["reason"].to_string());
            *expected.entry(key).or_default() += x["count"].as_u64().unwrap();
        }
        match persons[i]["subsidies"].is_null() {
            false => in_county += 1,
            true => elsewhere += 1,
        }
    }
    assert!(in_county > 0 && elsewhere > 0, "{in_county} / {elsewhere}");

    let mut got: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for e in batch["errors"].as_array().unwrap() {
        let x = &e["extensions"];
        assert_eq!(x["code"], "FORBIDDEN", "{e}");
        let key = (x["field"].to_string(), x["reason"].to_string());
        got.insert(key, x["count"].as_u64().unwrap());
        // Each path shown leads to a null in the batch's answer.
        for path in x["paths"].as_array().unwrap() {
            let mut at = &batch["data"];
            for seg in path.as_array().unwrap() {
                at = match seg {
                    serde_json::Value::String(k) => &at[k.as_str()],
                    i => &at[i.as_u64().unwrap() as usize],
                };
            }
            assert!(at.is_null(), "{path}: {at}");
        }
    }
    assert_eq!(got, expected);
    assert!(
        got.keys().any(|(_, r)| r.contains("GRANT_OUT_OF_SCOPE")),
        "{got:?}"
    );
    let report = archive_hub::audit::verify(app.state.dbs.hub(), &audit.verifying_key(), &[])
        .await
        .unwrap();
    assert_eq!(report.first_bad, None);
    app.cleanup().await;
}

/// A person asked twice in one request (a long batch, then again with more fields):
/// every field decided about them is in the audit trail once, whichever part of the
/// response was committed first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_in_a_long_batch_and_again_has_every_field_audited_once() {
    let b = &backends()[0];
    let app = spawn_app(b).await;
    let ids: Vec<String> =
        archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 300)
            .iter()
            .map(|i| i.to_string())
            .collect();
    let q = "query($ids: [IdNumber!]!, $id: IdNumber!) { \
        all: persons(idNumbers: $ids) { idNumber } \
        again: persons(idNumbers: $ids) { idNumber trainings { result } } \
        one: person(idNumber: $id) { education { schooling { schoolName } } } }";
    let before = last_seq(&app).await;
    let (status, body) = app
        .gql_lang(q, json!({ "ids": ids, "id": ids[299] }), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["again"].as_array().unwrap().len(), ids.len());
    let audit = app.state.audit.clone().unwrap();
    let mut fields: std::collections::HashMap<String, Vec<String>> = Default::default();
    for e in events_after(&app, before).await {
        let list: Vec<serde_json::Value> = serde_json::from_str(&e.fields).unwrap();
        fields.entry(e.subject).or_default().extend(
            list.iter()
                .map(|f| f["field"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(fields.len(), ids.len());
    for (i, id) in ids.iter().enumerate() {
        let mut got = fields[&audit.subject(id)].clone();
        got.sort();
        let before_dedup = got.len();
        got.dedup();
        assert_eq!(got.len(), before_dedup, "person {i}: a field audited twice");
        for f in ["Person.idNumber", "Person.trainings"] {
            assert!(
                got.iter().any(|g| g == f),
                "person {i}: {f} missing in {got:?}"
            );
        }
        assert_eq!(
            got.iter().any(|g| g == "EducationSection.schooling"),
            i == 299,
            "person {i}: {got:?}"
        );
    }
    app.cleanup().await;
}

/// The audit trail's last sequence number.
async fn last_seq(app: &crate::common::TestApp) -> i64 {
    use entities::hub::audit_event;
    use sea_orm::QueryOrder;
    audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Seq)
        .one(app.state.dbs.hub())
        .await
        .unwrap()
        .map_or(0, |e| e.seq)
}

/// The audit events after `seq`, in order.
async fn events_after(
    app: &crate::common::TestApp,
    seq: i64,
) -> Vec<entities::hub::audit_event::Model> {
    use entities::hub::audit_event;
    use sea_orm::QueryOrder;
    audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(seq))
        .order_by_asc(audit_event::Column::Seq)
        .all(app.state.dbs.hub())
        .await
        .unwrap()
}
