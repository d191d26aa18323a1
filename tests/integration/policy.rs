//! Field-level access policy: consumers, keys, purposes, grants, region scope, masking, the
//! access paths a field can be reached by, and limits on hostile queries.

use std::collections::HashMap;

use archive_hub::departments::Department;
use archive_hub::policy::mask::{mask, MaskKind};
use serde_json::{json, Value};

use crate::common::{backends, codes, spawn_app, TestApp, FULL, FULL_PURPOSE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    Mask(MaskKind),
    Deny,
}

/// A field under test: where it sits below `Person`, and its sharing class.
struct FieldCase {
    name: &'static str,
    type_name: &'static str,
    /// Path from `Person` to the list holding the records.
    section: &'static [&'static str],
    /// The catalog key of the list holding the records (refused whole without a grant).
    list: &'static str,
    field: &'static str,
}

const FIELDS: &[FieldCase] = &[
    // UNCONDITIONAL
    FieldCase {
        name: "unconditional",
        type_name: "Training",
        section: &["trainings"],
        list: "Person.trainings",
        field: "enrolmentId",
    },
    // CONDITIONAL, maskable
    FieldCase {
        name: "conditional-name",
        type_name: "Training",
        section: &["trainings"],
        list: "Person.trainings",
        field: "traineeName",
    },
    // CONDITIONAL
    FieldCase {
        name: "conditional",
        type_name: "Subsidy",
        section: &["subsidies"],
        list: "Person.subsidies",
        field: "amountFen",
    },
    FieldCase {
        name: "conditional-other-dept",
        type_name: "SchoolingRecord",
        section: &["education", "schooling"],
        list: "EducationSection.schooling",
        field: "schoolName",
    },
    // NONE (owner only)
    FieldCase {
        name: "none",
        type_name: "SocialRecord",
        section: &["socialInsurance", "records"],
        list: "SocialInsuranceSection.records",
        field: "employerName",
    },
];

/// The expected decision of each demo consumer (with its purpose) for each field above.
/// `None` in the Jinan row: decided by whether the person is linked to Licheng (370112),
/// the region its subsidy grant is limited to.
fn expectations() -> Vec<(&'static str, &'static str, [Option<Expect>; 6])> {
    use Expect::*;
    let m = MaskKind::Name;
    let (a, d) = (Some(Allow), Some(Deny));
    vec![
        // Owns the training data; grants on schooling and social-insurance employers.
        (
            "liaocheng-hrss-subsidy-review",
            "subsidy_review",
            [a, a, a, a, a, d],
        ),
        ("hrss-archive-desk", "subsidy_review", [a, a, a, a, a, d]),
        (
            "shenxian-civil-affairs",
            "living_allowance_check",
            [a, Some(Mask(m)), a, d, d, d],
        ),
        // Its training grant (the list included) has expired: even unconditional training
        // fields are out of reach, since whether there are trainings is not.
        (
            "jinan-veterans",
            "living_allowance_check",
            [d, d, None, d, d, d],
        ),
        (
            "bigdata-analytics",
            "statistics",
            [a, Some(Mask(m)), a, d, d, d],
        ),
        // No grant on the training list: nothing about trainings, not even unconditional
        // fields, since whether there are any is personal data.
        ("city-audit", "audit", [d, d, d, d, d, d]),
        ("hub-admin", "administration", [d, d, d, d, d, d]),
        // A citizen portal bound to the subject (the demo's own is bound to a demo person).
        ("citizen-matrix", "self_service", [d, d, d, d, d, d]),
    ]
}

/// The access paths: the same field reached as a plain field, through aliases, a named
/// fragment, an inline fragment, nested fragments, and a `persons` batch.
fn queries(
    section: &[&str],
    field: &str,
    type_name: &str,
) -> Vec<(&'static str, String, Vec<String>)> {
    let open: String = section.iter().map(|s| format!("{s} {{ ")).collect();
    let close: String = section.iter().map(|_| "} ").collect();
    let aliased_open: String = section
        .iter()
        .enumerate()
        .map(|(i, s)| format!("s{i}: {s} {{ "))
        .collect();
    let sec: Vec<String> = section.iter().map(|s| s.to_string()).collect();
    let aliased_sec: Vec<String> = (0..section.len()).map(|i| format!("s{i}")).collect();
    let with = |root: &str, mut p: Vec<String>, leaf: &str| {
        let mut v = vec![root.to_string()];
        v.append(&mut p);
        v.push(leaf.to_string());
        v
    };
    vec![
        (
            "plain",
            format!("query($id: IdNumber!) {{ person(idNumber: $id) {{ {open}{field} {close}}} }}"),
            with("person", sec.clone(), field),
        ),
        (
            "alias",
            format!("query($id: IdNumber!) {{ who: person(idNumber: $id) {{ {aliased_open}f: {field} {close}}} }}"),
            with("who", aliased_sec, "f"),
        ),
        (
            "named-fragment",
            format!(
                "query($id: IdNumber!) {{ person(idNumber: $id) {{ {open}...F {close}}} }} fragment F on {type_name} {{ {field} }}"
            ),
            with("person", sec.clone(), field),
        ),
        (
            "inline-fragment",
            format!("query($id: IdNumber!) {{ person(idNumber: $id) {{ {open}... on {type_name} {{ {field} }} {close}}} }}"),
            with("person", sec.clone(), field),
        ),
        (
            "nested-fragments",
            format!(
                "query($id: IdNumber!) {{ person(idNumber: $id) {{ ...P }} }} fragment P on Person {{ ... on Person {{ {open}... on {type_name} {{ {field} }} {close}}} }}"
            ),
            with("person", sec.clone(), field),
        ),
        (
            "batch",
            format!("query($ids: [IdNumber!]!) {{ persons(idNumbers: $ids) {{ {open}{field} {close}}} }}"),
            with("persons", sec, field),
        ),
    ]
}

/// Walks `path` into `data`, taking element 0 of every list on the way.
fn pick<'a>(data: &'a Value, path: &[String]) -> &'a Value {
    let mut v = data;
    for p in path {
        while let Value::Array(a) = v {
            v = a.first().unwrap_or(&Value::Null);
        }
        v = &v[p.as_str()];
    }
    while let Value::Array(a) = v {
        v = a.first().unwrap_or(&Value::Null);
    }
    v
}

/// Everything the full-access consumer sees about the seeded persons.
async fn archive(app: &TestApp) -> Vec<Value> {
    let ids: Vec<String> = archive_hub::seed::sample_ids(
        crate::common::PERSONS,
        crate::common::SEED,
        crate::common::PERSONS,
    )
    .iter()
    .map(|i| i.to_string())
    .collect();
    let q = "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber
        trainings { enrolmentId traineeName class { regionCode } }
        subsidies { amountFen payingCounty }
        education { schooling { schoolName studentName } }
        civilAffairs { assistance { regionCode } }
        socialInsurance { records { kind employerName } } } }";
    let body = app.gql(q, json!({ "ids": ids })).await;
    body["data"]["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p.is_null())
        .cloned()
        .collect()
}

fn linked_regions(p: &Value) -> Vec<String> {
    let mut v = vec![p["idNumber"].as_str().unwrap()[..6].to_string()];
    for t in p["trainings"].as_array().unwrap() {
        v.push(
            t["class"]["regionCode"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    for s in p["subsidies"].as_array().unwrap() {
        v.push(s["payingCounty"].as_str().unwrap().to_string());
    }
    for a in p["civilAffairs"]["assistance"].as_array().unwrap() {
        v.push(a["regionCode"].as_str().unwrap().to_string());
    }
    v
}

fn has_everything(p: &Value) -> bool {
    ["trainings", "subsidies"]
        .iter()
        .all(|k| p[*k].as_array().is_some_and(|a| !a.is_empty()))
        && p["education"]["schooling"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        && p["socialInsurance"]["records"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
}

/// A person with data in every section tested, linked to one of `prefixes` (any, if empty).
fn subject_in<'a>(people: &'a [Value], prefixes: &[&str]) -> &'a Value {
    people
        .iter()
        .find(|p| {
            has_everything(p)
                && (prefixes.is_empty()
                    || linked_regions(p)
                        .iter()
                        .any(|r| prefixes.iter().any(|x| r.starts_with(x))))
        })
        .unwrap_or_else(|| panic!("no seeded person with full data linked to {prefixes:?}"))
}

fn scope_of(consumer: &str) -> &'static [&'static str] {
    match consumer {
        "liaocheng-hrss-subsidy-review" => &["3715"],
        "shenxian-civil-affairs" => &["371522"],
        "jinan-veterans" => &["3701"],
        _ => &[],
    }
}

#[tokio::test]
async fn every_consumer_class_and_access_path_gets_exactly_its_decision() {
    for b in backends() {
        let mut app = spawn_app(&b).await;
        let people = archive(&app).await;
        // The citizen row's consumer, bound to the person the unscoped rows are asked about.
        let bound = subject_in(&people, &[])["idNumber"]
            .as_str()
            .unwrap()
            .to_string();
        app.apply_policy(&format!(
            "[[consumers]]\nname = \"citizen-matrix\"\nkind = \"CITIZEN_PORTAL\"\npurposes = [\"self_service\"]\nbind_id_number = \"{bound}\"\n"
        ))
        .await
        .unwrap();
        // The demo's citizen portal is bound to a demo person, who is not in this population.
        let (_, nobody) = app
            .gql_as(
                "citizen-portal-demo",
                "self_service",
                "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }",
                json!({ "id": bound }),
                None,
            )
            .await;
        assert!(nobody["data"]["person"].is_null(), "{nobody}");
        assert_eq!(nobody["errors"][0]["extensions"]["reason"], "OUT_OF_SCOPE");
        for (consumer, purpose, expected) in expectations() {
            let subject = subject_in(&people, scope_of(consumer));
            let id = subject["idNumber"].as_str().unwrap();
            // The batch partner is in scope too, so that only field decisions show (a
            // citizen portal's only person is its own, asked twice).
            let scope = scope_of(consumer);
            let other = people
                .iter()
                .find(|p| {
                    p["idNumber"] != subject["idNumber"]
                        && (scope.is_empty()
                            || linked_regions(p)
                                .iter()
                                .any(|r| scope.iter().any(|x| r.starts_with(x))))
                })
                .unwrap()["idNumber"]
                .clone();
            let other = if consumer.starts_with("citizen") {
                json!(id)
            } else {
                other
            };
            let in_licheng = linked_regions(subject)
                .iter()
                .any(|r| r.starts_with("370112"));
            for (case, expect) in FIELDS.iter().zip(expected) {
                let expect = expect.unwrap_or(if in_licheng {
                    Expect::Allow
                } else {
                    Expect::Deny
                });
                let full_path: Vec<String> = case
                    .section
                    .iter()
                    .map(|s| s.to_string())
                    .chain([case.field.to_string()])
                    .collect();
                let raw = pick(subject, &full_path).clone();
                for (path_name, q, path) in queries(case.section, case.field, case.type_name) {
                    let vars = if path_name == "batch" {
                        json!({ "ids": [id, other] })
                    } else {
                        json!({ "id": id })
                    };
                    let (status, body) = app.gql_as(consumer, purpose, &q, vars, None).await;
                    let ctx = format!(
                        "{b:?} {consumer} {} ({}) via {path_name}: {body}",
                        case.name, case.field
                    );
                    assert_eq!(status, 200, "{ctx}");
                    let got = pick(&body["data"], &path);
                    let forbidden: Vec<&Value> = body["errors"]
                        .as_array()
                        .map(|e| {
                            e.iter()
                                .filter(|e| e["extensions"]["code"] == "FORBIDDEN")
                                .collect()
                        })
                        .unwrap_or_default();
                    match expect {
                        Expect::Allow => {
                            assert!(forbidden.is_empty(), "{ctx}");
                            assert_eq!(got, &raw, "{ctx}");
                        }
                        Expect::Mask(kind) => {
                            assert!(forbidden.is_empty(), "{ctx}");
                            let expected = mask(kind, raw.as_str().unwrap());
                            assert_eq!(got.as_str(), Some(expected.as_str()), "{ctx}");
                            assert_ne!(got, &raw, "{ctx}");
                        }
                        Expect::Deny => {
                            assert!(got.is_null(), "{ctx}");
                            assert!(!forbidden.is_empty(), "{ctx}");
                            // Either the field itself or, without a grant on it, the list
                            // holding it is refused.
                            let e = forbidden[0];
                            let own = format!("{}.{}", case.type_name, case.field);
                            let refused = e["extensions"]["field"].as_str().unwrap_or_default();
                            assert!(refused == own || refused == case.list, "{ctx}");
                            assert!(e["message"].as_str().unwrap().contains(refused), "{ctx}");
                            // One error per field and reason, however many values.
                            assert_eq!(forbidden.len(), 1, "{ctx}");
                            let n = e["extensions"]["count"].as_u64().unwrap();
                            let shown = e["extensions"]["paths"].as_array().unwrap().len();
                            assert_eq!(shown as u64, n.min(5), "{ctx}");
                            // The rest of the response keeps its shape.
                            assert!(body["data"].is_object(), "{ctx}");
                        }
                    }
                }
            }
        }
        app.cleanup().await;
    }
}

/// The HTTP status of `q` sent with `key` and the `statistics` purpose.
async fn status_with_key(app: &TestApp, key: &str, q: &str) -> u16 {
    let headers = [
        ("authorization", format!("Bearer {key}")),
        ("x-purpose", "statistics".to_string()),
    ];
    app.gql_with_headers(&headers, q, json!({}), None).await.0
}

#[tokio::test]
async fn keys_are_required_checked_revocable_and_rotatable() {
    let app = spawn_app(&backends()[0]).await;
    let q = r#"{ errorCodes }"#;
    let before = app.statements();
    let (s, body) = app
        .gql_with_headers(&[("x-purpose", "statistics".into())], q, json!({}), None)
        .await;
    assert_eq!(s, 401);
    assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
    assert!(body["data"].is_null());
    let wrong = format!("ahk_{}_{}", "0".repeat(12), "0".repeat(64));
    let s = status_with_key(&app, &wrong, q).await;
    assert_eq!(s, 401);
    // A real key id with the wrong secret.
    let real = app.keys["bigdata-analytics"].clone();
    let tampered = format!(
        "{}{}",
        &real[..real.len() - 1],
        if real.ends_with('0') { '1' } else { '0' }
    );
    let s = status_with_key(&app, &tampered, q).await;
    assert_eq!(s, 401);
    assert_eq!(
        app.statements(),
        before,
        "nothing read for unauthenticated requests"
    );

    let hub = app.state.dbs.hub();
    let consumers = archive_hub::policy::store::list_consumers(hub)
        .await
        .unwrap();
    let analytics = consumers
        .iter()
        .find(|c| c.name == "bigdata-analytics")
        .unwrap();
    let new_key = archive_hub::policy::store::rotate_consumer(hub, analytics.id)
        .await
        .unwrap();
    app.state.policy.as_ref().unwrap().refresh().await.unwrap();
    let (s, _) = app
        .gql_as("bigdata-analytics", "statistics", q, json!({}), None)
        .await;
    assert_eq!(s, 401, "the old key stops working after rotation");
    let s = status_with_key(&app, &new_key, q).await;
    assert_eq!(s, 200);
    archive_hub::policy::store::revoke_consumer(hub, analytics.id)
        .await
        .unwrap();
    // Picked up by the running hub without a restart (it polls every second).
    let mut revoked = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if status_with_key(&app, &new_key, q).await == 401 {
            revoked = true;
            break;
        }
    }
    assert!(revoked, "a revoked key is refused");
    // Keys are stored only as hashes.
    let stored = archive_hub::policy::store::list_consumers(hub)
        .await
        .unwrap();
    for c in stored {
        assert!(!new_key.contains(&c.key_hash));
        assert_eq!(c.key_hash.len(), 64);
    }
    app.cleanup().await;
}

#[tokio::test]
async fn purpose_must_be_declared_and_allowed_before_anything_is_read() {
    let app = spawn_app(&backends()[0]).await;
    let id = app.report.samples[0].to_string();
    let q = "query($id: IdNumber!) { person(idNumber: $id) { trainings { enrolmentId } } }";
    let key = format!("Bearer {}", app.keys["bigdata-analytics"]);
    let before = app.statements();
    let (s, body) = app
        .gql_with_headers(
            &[("authorization", key.clone())],
            q,
            json!({ "id": id }),
            None,
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    assert_eq!(body["errors"][0]["extensions"]["reason"], "PURPOSE_MISSING");
    for purpose in ["subsidy_review", "not_a_purpose"] {
        let (s, body) = app
            .gql_with_headers(
                &[
                    ("authorization", key.clone()),
                    ("x-purpose", purpose.into()),
                ],
                q,
                json!({ "id": id }),
                None,
            )
            .await;
        assert_eq!(s, 403, "{purpose}");
        assert_eq!(
            body["errors"][0]["extensions"]["reason"],
            "PURPOSE_NOT_ALLOWED"
        );
        assert!(body["data"].is_null());
    }
    let (_, en) = app
        .gql_with_headers(
            &[("authorization", key)],
            q,
            json!({ "id": id }),
            Some("en"),
        )
        .await;
    assert!(en["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("X-Purpose"));
    assert_eq!(
        app.statements(),
        before,
        "no source read before the purpose is accepted"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn region_scope_hides_persons_outside_it_without_revealing_existence() {
    let app = spawn_app(&backends()[0]).await;
    let people = archive(&app).await;
    let outside = people
        .iter()
        .find(|p| !linked_regions(p).iter().any(|r| r.starts_with("3715")))
        .expect("someone not linked to Liaocheng");
    let q =
        "query($id: IdNumber!) { person(idNumber: $id) { idNumber trainings { enrolmentId } } }";
    let (_, body) = app
        .gql_as(
            "liaocheng-hrss-subsidy-review",
            "subsidy_review",
            q,
            json!({ "id": outside["idNumber"] }),
            None,
        )
        .await;
    assert!(body["data"]["person"].is_null(), "{body}");
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    assert_eq!(body["errors"][0]["extensions"]["reason"], "OUT_OF_SCOPE");
    // An unknown number outside the scope gets the same answer: existence is not revealed.
    let (_, unknown) = app
        .gql_as(
            "liaocheng-hrss-subsidy-review",
            "subsidy_review",
            q,
            json!({ "id": "11010519491231002X" }),
            None,
        )
        .await;
    assert_eq!(unknown["errors"][0]["extensions"]["reason"], "OUT_OF_SCOPE");
    assert!(unknown["data"]["person"].is_null());
    // In a batch, only the out-of-scope entries are null.
    let inside = subject_in(&people, &["3715"]);
    let (_, batch) = app
        .gql_as(
            "liaocheng-hrss-subsidy-review",
            "subsidy_review",
            "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber } }",
            json!({ "ids": [inside["idNumber"], outside["idNumber"]] }),
            None,
        )
        .await;
    assert_eq!(batch["data"]["persons"][0]["idNumber"], inside["idNumber"]);
    assert!(batch["data"]["persons"][1].is_null());
    assert_eq!(batch["errors"][0]["path"], json!(["persons", 1]));
    app.cleanup().await;
}

#[tokio::test]
async fn expired_and_region_limited_grants_deny_with_their_reason() {
    let app = spawn_app(&backends()[0]).await;
    let people = archive(&app).await;
    let jinan = subject_in(&people, &["3701"]);
    let q = "query($id: IdNumber!) { person(idNumber: $id) { trainings { result } subsidies { amountFen } } }";
    let (_, body) = app
        .gql_as(
            "jinan-veterans",
            "living_allowance_check",
            q,
            json!({ "id": jinan["idNumber"] }),
            None,
        )
        .await;
    let reasons: HashMap<String, String> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["extensions"]["field"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                e["extensions"]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    // The lists are granted together with their records, so the list carries the reason.
    assert_eq!(
        reasons.get("Person.trainings").map(String::as_str),
        Some("GRANT_EXPIRED"),
        "{body}"
    );
    assert!(body["data"]["person"]["trainings"].is_null(), "{body}");
    let in_licheng = linked_regions(jinan)
        .iter()
        .any(|r| r.starts_with("370112"));
    if in_licheng {
        assert!(!reasons.contains_key("Person.subsidies"));
        assert!(!reasons.contains_key("Subsidy.amountFen"));
    } else {
        assert_eq!(
            reasons.get("Person.subsidies").map(String::as_str),
            Some("GRANT_OUT_OF_SCOPE"),
            "{body}"
        );
    }
    app.cleanup().await;
}

#[tokio::test]
async fn grants_are_validated_and_take_effect_without_a_restart() {
    let mut app = spawn_app(&backends()[0]).await;
    let err = app
        .apply_policy("[[grants]]\nconsumer = \"city-audit\"\npurpose = \"audit\"\neffect = \"ALLOW\"\nfields = [\"Training.nickname\"]\n")
        .await
        .unwrap_err();
    assert!(err.contains("Training.nickname"), "{err}");

    let people = archive(&app).await;
    let id = subject_in(&people, &[])["idNumber"].clone();
    let q = "query($id: IdNumber!) { person(idNumber: $id) { trainings { result } } }";
    let (_, before) = app
        .gql_as("city-audit", "audit", q, json!({ "id": id }), None)
        .await;
    assert_eq!(codes(&before)[0], "FORBIDDEN");
    app.apply_policy("[[grants]]\nconsumer = \"city-audit\"\npurpose = \"audit\"\neffect = \"ALLOW\"\nfields = [\"Person.trainings\", \"Training.result\"]\n")
        .await
        .unwrap();
    let (_, after) = app
        .gql_as("city-audit", "audit", q, json!({ "id": id }), None)
        .await;
    assert!(after["errors"].is_null(), "{after}");
    app.cleanup().await;
}

#[tokio::test]
async fn hostile_queries_are_rejected_before_any_source_or_audit_write() {
    let app = spawn_app(&backends()[0]).await;
    let id = app.report.samples[0].to_string();
    let deep = format!(
        "query($id: IdNumber!) {{ person(idNumber: $id) {{ trainings {{ class {{ institution {{ name }} }} }} }} }} {}",
        ""
    );
    let mut cases: Vec<(&str, String, Value)> = Vec::new();
    // Depth: nest fragments of fragments beyond max_depth.
    let mut q = String::from(
        "query($id: IdNumber!) { person(idNumber: $id) { identity { region { code } } } }",
    );
    for _ in 0..10 {
        q = q.replace("code", "code __typename");
    }
    let _ = deep;
    // Aliases.
    let aliases: String = (0..31).map(|i| format!("a{i}: errorCodes ")).collect();
    cases.push(("aliases", format!("{{ {aliases} }}"), json!({})));
    // Root fields.
    let roots: String = (0..11).map(|_| "errorCodes ".to_string()).collect();
    cases.push(("root fields", format!("{{ {roots} }}"), json!({})));
    // Complexity: 1,000 IDs × a large selection, twice.
    let ids: Vec<String> = archive_hub::seed::sample_ids(100_000, 3, 1000)
        .iter()
        .map(|i| i.to_string())
        .collect();
    let big = "trainings { enrolmentId traineeName phone enrolledOn result attendedHours class { id occupationCode occupationName level trainingType startDate endDate hours regionCode institution { uscc name kind inDirectory creditGrade regionCode } } } subsidies { id kind amountFen paidOn payingCounty enrolmentId months employerUscc certificateId } certificates { id kind certificateNo occupationCode occupationName level issuedOn issuer enrolmentId }";
    cases.push((
        "complexity",
        format!("query($ids: [IdNumber!]!) {{ a: persons(idNumbers: $ids) {{ {big} }} b: persons(idNumbers: $ids) {{ {big} }} c: persons(idNumbers: $ids) {{ {big} }} d: persons(idNumbers: $ids) {{ {big} }} }}"),
        json!({ "ids": ids }),
    ));
    // Recursive fragment spreads.
    cases.push((
        "fragment cycle",
        "query($id: IdNumber!) { person(idNumber: $id) { ...A } } fragment A on Person { ...B } fragment B on Person { ...A }".into(),
        json!({ "id": id }),
    ));
    // Directives per field.
    cases.push((
        "directives",
        "query($id: IdNumber!, $t: Boolean!) { person(idNumber: $id) @include(if: $t) @include(if: $t) @include(if: $t) @include(if: $t) @include(if: $t) { idNumber } }".into(),
        json!({ "id": id, "t": true }),
    ));
    // Depth, measured before the document is validated: ten levels.
    cases.push((
        "depth",
        "query($id: IdNumber!) { person(idNumber: $id) { trainings { class { institution { a { b { c { d { e { name } } } } } } } } } }".into(),
        json!({ "id": id }),
    ));
    // Introspection is open to every consumer, but lists nested in lists multiply the
    // answer: types → fields → (type) fields → args is four.
    cases.push((
        "introspection lists",
        "{ __schema { types { fields { type { fields { args { name } } } } } } }".into(),
        json!({}),
    ));
    // And its depth has a bound of its own.
    cases.push((
        "introspection depth",
        format!(
            "{{ __type(name: \"Person\") {{ {}name{} }} }}",
            "ofType { ".repeat(20),
            " }".repeat(20)
        ),
        json!({}),
    ));
    let hub = app.state.dbs.hub().clone();
    for (name, q, vars) in cases {
        let before = app.statements();
        let events = audit_count(&hub).await;
        let started = std::time::Instant::now();
        let (status, body) = app.gql_lang(&q, vars, None).await;
        let _ = started;
        assert!(status == 200 || status == 400, "{name}: {status}");
        assert!(body["data"].is_null(), "{name}: {body}");
        let c = codes(&body);
        assert!(!c.is_empty(), "{name} accepted: {body}");
        let expected = match name {
            // A cycle is not a matter of size: the document is invalid GraphQL.
            "fragment cycle" => "GRAPHQL_VALIDATION_FAILED",
            _ => "LIMIT_EXCEEDED",
        };
        assert_eq!(c[0], expected, "{name}: {body}");
        assert_eq!(app.statements(), before, "{name}: a source was read");
        assert_eq!(
            audit_count(&hub).await,
            events,
            "{name}: an audit event was written"
        );
    }
    // Any consumer may introspect.
    let (_, intro) = app
        .gql_as(
            "city-audit",
            "audit",
            "{ __schema { queryType { name } } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        intro["data"]["__schema"]["queryType"]["name"], "Query",
        "{intro}"
    );
    app.cleanup().await;
}

async fn audit_count(hub: &sea_orm::DatabaseConnection) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::hub::audit_event::Entity::find()
        .count(hub)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_access_is_audited_with_its_decisions_and_readable_by_auditors_only() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let people = archive(&app).await;
        let subject = subject_in(&people, &["371522"]);
        let id = subject["idNumber"].as_str().unwrap();
        let q = "query($id: IdNumber!) { person(idNumber: $id) { trainings { traineeName result } education { schooling { schoolName } } } }";
        let (_, body) = app
            .gql_as(
                "shenxian-civil-affairs",
                "living_allowance_check",
                q,
                json!({ "id": id }),
                None,
            )
            .await;
        assert!(body["data"]["person"].is_object(), "{body}");
        let log_q = "query($id: IdNumber!) { accessLog(idNumber: $id) { consumerName consumerDepartment purpose fields { field decision } } }";
        let (_, log) = app
            .gql_as("city-audit", "audit", log_q, json!({ "id": id }), None)
            .await;
        let entries = log["data"]["accessLog"]
            .as_array()
            .unwrap_or_else(|| panic!("{b:?}: {log}"));
        let e = entries
            .iter()
            .find(|e| e["consumerName"] == "shenxian-civil-affairs")
            .unwrap_or_else(|| panic!("{b:?}: {log}"));
        assert_eq!(e["consumerDepartment"], Department::CivilAffairs.code());
        assert_eq!(e["purpose"], "living_allowance_check");
        let decisions: HashMap<String, String> = e["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap().into(),
                    f["decision"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(decisions["Training.traineeName"], "MASKED");
        assert_eq!(decisions["Training.result"], "ALLOWED");
        // No grant on the schooling list: it is refused whole, and nothing in it is read.
        assert_eq!(decisions["EducationSection.schooling"], "DENIED");
        assert!(!decisions.contains_key("SchoolingRecord.schoolName"));
        // The trail never holds the raw number.
        let hub = app.state.dbs.hub();
        use sea_orm::EntityTrait;
        for ev in entities::hub::audit_event::Entity::find()
            .all(hub)
            .await
            .unwrap()
        {
            assert!(!ev.subject.contains(id) && !ev.fields.contains(id));
        }
        // Other consumers may not read the access log.
        let (_, refused) = app
            .gql_as(FULL, FULL_PURPOSE, log_q, json!({ "id": id }), None)
            .await;
        assert_eq!(codes(&refused), vec!["FORBIDDEN"]);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_citizen_portal_sees_only_its_own_access_log() {
    let mut app = spawn_app(&backends()[0]).await;
    let people = archive(&app).await;
    let me = subject_in(&people, &[])["idNumber"]
        .as_str()
        .unwrap()
        .to_string();
    app.apply_policy(&format!(
        "[[consumers]]\nname = \"citizen-test\"\nkind = \"CITIZEN_PORTAL\"\npurposes = [\"self_service\"]\nbind_id_number = \"{me}\"\n"
    ))
    .await
    .unwrap();
    let key = app.keys["citizen-test"].clone();
    // Someone reads my data.
    app.gql_as(
        "bigdata-analytics",
        "statistics",
        "query($id: IdNumber!) { person(idNumber: $id) { subsidies { amountFen } } }",
        json!({ "id": me }),
        None,
    )
    .await;
    let headers = [
        ("authorization", format!("Bearer {key}")),
        ("x-purpose", "self_service".to_string()),
    ];
    let (_, log) = app
        .gql_with_headers(
            &headers,
            "{ myAccessLog { consumerName purpose fields { field decision } } }",
            json!({}),
            None,
        )
        .await;
    let entries = log["data"]["myAccessLog"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        entries
            .iter()
            .any(|e| e["consumerName"] == "bigdata-analytics"),
        "{log}"
    );
    // It cannot read someone else's person record or access log.
    let other = people.iter().find(|p| p["idNumber"] != me).unwrap()["idNumber"].clone();
    let (_, theirs) = app
        .gql_with_headers(
            &headers,
            "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }",
            json!({ "id": other }),
            None,
        )
        .await;
    assert!(theirs["data"]["person"].is_null());
    let (_, log2) = app
        .gql_with_headers(
            &headers,
            "query($id: IdNumber!) { accessLog(idNumber: $id) { seq } }",
            json!({ "id": other }),
            None,
        )
        .await;
    assert_eq!(codes(&log2), vec!["FORBIDDEN"]);
    app.cleanup().await;
}

#[tokio::test]
async fn when_the_audit_trail_cannot_be_written_personal_data_is_refused() {
    let app = spawn_app(&backends()[0]).await;
    let id = app.report.samples[0].to_string();
    refused_without_audit(
        app,
        "query($id: IdNumber!) { person(idNumber: $id) { trainings { traineeName } } }",
        json!({ "id": id }),
        std::slice::from_ref(&id),
    )
    .await;
}

/// A long batch has its events committed while it is answered — all of them, for a batch
/// of exactly one early commit's size, leaving none for the end: a commit that failed on
/// the way still withholds the whole answer.
#[tokio::test]
async fn a_batch_audited_while_answered_is_refused_when_that_audit_fails() {
    let app = spawn_app(&backends()[0]).await;
    let ids: Vec<String> =
        archive_hub::seed::sample_ids(crate::common::PERSONS, crate::common::SEED, 128)
            .iter()
            .map(|i| i.to_string())
            .collect();
    refused_without_audit(
        app,
        "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber trainings { traineeName } } }",
        json!({ "ids": ids }),
        &ids,
    )
    .await;
}

/// With the audit table gone, `query` is refused with `AUDIT_UNAVAILABLE`, no data and
/// none of `ids` anywhere in the answer.
async fn refused_without_audit(
    app: crate::common::TestApp,
    query: &str,
    variables: serde_json::Value,
    ids: &[String],
) {
    use sea_orm::ConnectionTrait;
    app.state
        .dbs
        .hub()
        .execute_unprepared("DROP TABLE hub_audit_event")
        .await
        .unwrap();
    let (status, body) = app.gql_lang(query, variables, None).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(codes(&body), vec!["AUDIT_UNAVAILABLE"], "{body}");
    assert!(body["data"].is_null());
    assert!(ids.iter().all(|id| !body.to_string().contains(id.as_str())));
    app.cleanup().await;
}

#[tokio::test]
async fn each_consumer_sees_only_the_fields_it_could_ever_be_allowed() {
    let app = spawn_app(&backends()[0]).await;
    let sdl_of = |name: &str| {
        let key = app.keys[name].clone();
        let client = app.client.clone();
        let url = format!("{}/schema", app.addr);
        async move {
            let r = client
                .get(url)
                .header("authorization", format!("Bearer {key}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let field_in = |sdl: &str, ty: &str, field: &str| {
        // A type the consumer cannot reach is left out, its fields with it.
        // (`Person` carries its federation key: `type Person @key(…) {`.)
        let Some(start) = [format!("type {ty} {{"), format!("type {ty} @")]
            .iter()
            .find_map(|h| sdl.find(h.as_str()))
        else {
            return false;
        };
        let body = &sdl[start..start + sdl[start..].find("\n}").unwrap()];
        body.lines().any(|l| {
            l.trim_start().starts_with(&format!("{field}:"))
                || l.trim_start().starts_with(&format!("{field}("))
        })
    };
    let audit = sdl_of("city-audit").await;
    assert!(
        field_in(&audit, "Person", "identity"),
        "unconditional fields stay"
    );
    assert!(!field_in(&audit, "Person", "trainings"), "no grant: hidden");
    assert!(
        !audit.contains("type Training {"),
        "a type reachable only through hidden fields goes with them"
    );
    assert!(
        field_in(&audit, "VeteransSection", "provenance")
            && !field_in(&audit, "VeteransSection", "records"),
        "a section keeps its provenance, not the records it has no grant for"
    );
    assert!(!audit.contains("type SocialRecord {"));
    let civil = sdl_of("shenxian-civil-affairs").await;
    assert!(
        field_in(&civil, "Training", "traineeName"),
        "masked grant: shown"
    );
    assert!(
        field_in(&civil, "AssistanceRecord", "householdNo"),
        "its own department's field"
    );
    assert!(!field_in(&civil, "SchoolingRecord", "schoolName"));
    let hrss = sdl_of("liaocheng-hrss-subsidy-review").await;
    assert!(
        !field_in(&hrss, "AssistanceRecord", "householdNo"),
        "NONE: owner only"
    );
    let r = app
        .client
        .get(format!("{}/schema", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.cleanup().await;
}

/// The standard introspection query of graphql-js 16 (GraphiQL's), `ofType` nine deep.
const INTROSPECTION: &str = include_str!("introspection.graphql");

/// `Type.field` and type names of an SDL, built-in scalars aside.
fn sdl_view(sdl: &str) -> std::collections::BTreeSet<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let doc = async_graphql::parser::parse_schema(sdl).expect("valid SDL");
    let mut out = std::collections::BTreeSet::new();
    for def in doc.definitions {
        if let TypeSystemDefinition::Type(t) = def {
            let name = t.node.name.node.to_string();
            if let TypeKind::Object(o) = &t.node.kind {
                for f in &o.fields {
                    out.insert(format!("{name}.{}", f.node.name.node));
                }
            }
            out.insert(name);
        }
    }
    out
}

/// The same, from an introspection answer — without what the Federation spec keeps out
/// of a subgraph's SDL (`_entities`, `_service` and their types).
fn introspected_view(data: &Value) -> std::collections::BTreeSet<String> {
    let builtin = [
        "String", "Int", "Float", "Boolean", "ID", "_Any", "_Entity", "_Service",
    ];
    let mut out = std::collections::BTreeSet::new();
    for t in data["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().unwrap().to_string();
        if name.starts_with("__") || builtin.contains(&name.as_str()) {
            continue;
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            let field = f["name"].as_str().unwrap();
            if name == "Query" && matches!(field, "_entities" | "_service") {
                continue;
            }
            out.insert(format!("{name}.{field}"));
        }
        out.insert(name);
    }
    out
}

#[tokio::test]
async fn every_consumer_introspects_exactly_its_own_view_of_the_schema() {
    let app = spawn_app(&backends()[0]).await;
    let full = sdl_view(&archive_hub::graphql::sdl());
    let consumers = [
        ("hub-admin", "administration"),
        ("city-audit", "audit"),
        ("shenxian-civil-affairs", "living_allowance_check"),
        ("liaocheng-hrss-subsidy-review", "subsidy_review"),
        ("bigdata-analytics", "statistics"),
        ("citizen-portal-demo", "self_service"),
    ];
    let mut views = HashMap::new();
    for (name, purpose) in consumers {
        let (status, body) = app
            .gql_as(name, purpose, INTROSPECTION, json!({}), None)
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        assert!(body["errors"].is_null(), "{name}: {body}");
        let seen = introspected_view(&body["data"]);
        let sdl = app
            .client
            .get(format!("{}/schema", app.addr))
            .header("authorization", format!("Bearer {}", app.keys[name]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if name == "hub-admin" {
            assert_eq!(
                sdl,
                archive_hub::graphql::sdl(),
                "the admin's /schema is the SDL"
            );
        }
        assert_eq!(
            seen,
            sdl_view(&sdl),
            "{name}: introspection and /schema differ"
        );
        assert!(seen.is_subset(&full), "{name}");
        views.insert(name, seen);
    }
    assert_eq!(views["hub-admin"], full, "the admin sees everything");
    let audit = &views["city-audit"];
    assert!(audit.contains("Person.identity"));
    assert!(!audit.contains("Person.trainings"), "no grant: hidden");
    assert!(
        !audit.contains("Training"),
        "reachable only through hidden fields"
    );
    assert!(
        audit.contains("VeteransSection.provenance") && !audit.contains("VeteransSection.records"),
        "a section shows its provenance (facts about the read, not the person) to all; its records need a grant"
    );
    assert!(audit.contains("Query.accessLog"), "an auditor's root field");
    assert!(!audit.contains("Query.myAccessLog"), "a citizen portal's");
    let civil = &views["shenxian-civil-affairs"];
    assert!(
        civil.contains("Training.traineeName"),
        "masked grant: shown"
    );
    assert!(
        civil.contains("AssistanceRecord.householdNo"),
        "its own field"
    );
    assert!(!civil.contains("Query.accessLog"));
    assert!(
        !civil.contains("AccessLogEntry"),
        "a type reachable only through hidden fields"
    );
    assert!(!views["liaocheng-hrss-subsidy-review"].contains("AssistanceRecord.householdNo"));
    // `__type` answers from the same view.
    let (_, body) = app
        .gql_as(
            "liaocheng-hrss-subsidy-review",
            "subsidy_review",
            r#"{ __type(name: "Training") { fields { name } } t: __type(name: "AccessLogEntry") { name } m: __type(name: "AssistanceRecord") { fields { name } } }"#,
            json!({}),
            None,
        )
        .await;
    let names = |v: &Value| -> Vec<String> {
        v["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("no fields: {v}"))
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let training = names(&body["data"]["__type"]);
    assert!(training.contains(&"traineeName".to_string()), "{body}");
    let assistance = &body["data"]["m"];
    assert!(
        assistance.is_null() || !names(assistance).contains(&"householdNo".to_string()),
        "{body}"
    );
    assert!(body["data"]["t"].is_null(), "{body}");
    let (_, body) = app
        .gql_as(
            "city-audit",
            "audit",
            r#"{ __type(name: "Training") { name } a: __type(name: "AccessLogEntry") { name } }"#,
            json!({}),
            None,
        )
        .await;
    assert!(body["data"]["__type"].is_null(), "{body}");
    assert_eq!(body["data"]["a"]["name"], "AccessLogEntry", "{body}");
    // What is shown is not what is allowed: a hidden field can still be asked for, and is
    // refused in place by the one enforcement point.
    let id = archive(&app)
        .await
        .into_iter()
        .find(|p| p["trainings"].as_array().is_some_and(|t| !t.is_empty()))
        .expect("a trainee")["idNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = app
        .gql_as(
            "city-audit",
            "audit",
            "query($id: IdNumber!) { person(idNumber: $id) { trainings { enrolmentId traineeName } } }",
            json!({ "id": id }),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(codes(&body).contains(&"FORBIDDEN".to_string()), "{body}");
    for t in body["data"]["person"]["trainings"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert!(t["traineeName"].is_null(), "{body}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn a_not_shared_field_is_read_by_its_owner_department_only() {
    let mut app = spawn_app(&backends()[0]).await;
    app.apply_policy("[[consumers]]\nname = \"civil-owner\"\nkind = \"DEPARTMENT_SYSTEM\"\ndepartment = \"civil_affairs\"\npurposes = [\"living_allowance_check\"]\n")
        .await
        .unwrap();
    let key = app.keys["civil-owner"].clone();
    use sea_orm::EntityTrait;
    let rec = entities::civil_affairs::assistance::Entity::find()
        .one(&app.state.dbs.get(Department::CivilAffairs).conn)
        .await
        .unwrap()
        .expect("an assistance record");
    let q = "query($id: IdNumber!) { person(idNumber: $id) { civilAffairs { assistance { householdNo } } } }";
    let headers = [
        ("authorization", format!("Bearer {key}")),
        ("x-purpose", "living_allowance_check".to_string()),
    ];
    let (_, owner) = app
        .gql_with_headers(&headers, q, json!({ "id": rec.id_number }), None)
        .await;
    assert_eq!(
        owner["data"]["person"]["civilAffairs"]["assistance"][0]["householdNo"],
        rec.household_no.as_str(),
        "{owner}"
    );
    // A `AssistanceRecord.*` grant does not open a NONE field to anyone else.
    let other = app.gql(q, json!({ "id": rec.id_number })).await;
    assert!(other["data"]["person"]["civilAffairs"]["assistance"][0]["householdNo"].is_null());
    assert_eq!(
        other["errors"][0]["extensions"]["reason"], "OWNER_ONLY",
        "{other}"
    );
    app.cleanup().await;
}

/// Which person a field belongs to follows the response path: aliases, fragments, batch
/// positions and several root fields in one request are each decided and audited against
/// their own person.
#[tokio::test]
async fn every_field_is_decided_and_audited_against_its_own_person() {
    for b in backends() {
        let app = spawn_app(&b).await;
        let people = archive(&app).await;
        let in_scope = |p: &&Value| {
            has_everything(p) && linked_regions(p).iter().any(|r| r.starts_with("3715"))
        };
        let ins: Vec<&Value> = people.iter().filter(in_scope).take(3).collect();
        let out = people
            .iter()
            .find(|p| !linked_regions(p).iter().any(|r| r.starts_with("3715")))
            .expect("a person outside Liaocheng");
        let id = |p: &Value| p["idNumber"].as_str().unwrap().to_string();
        let (a, bb, c, o) = (id(ins[0]), id(ins[1]), id(ins[2]), id(out));
        let q = "query($batch: [IdNumber!]!, $one: IdNumber!, $other: IdNumber!) {
            batch: persons(idNumbers: $batch) { ...Who }
            one: person(idNumber: $one) { ... on Person { idNumber identity { birthDate } } }
            other: person(idNumber: $other) { ...Who }
          }
          fragment Who on Person { idNumber identity { birthDate } t: trainings { traineeName } }";
        let vars = json!({ "batch": [a, o, bb], "one": c, "other": o });
        let (_, body) = app
            .gql_as(
                "liaocheng-hrss-subsidy-review",
                "subsidy_review",
                q,
                vars,
                None,
            )
            .await;
        let birth = |id: &str| format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
        let names = |p: &Value| -> Vec<Value> {
            p["trainings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| json!({ "traineeName": t["traineeName"] }))
                .collect()
        };
        let data = &body["data"];
        for (i, (p, idn)) in [(ins[0], &a), (ins[1], &bb)].into_iter().enumerate() {
            let got = &data["batch"][i * 2];
            assert_eq!(got["idNumber"], idn.as_str(), "{b:?}: {body}");
            assert_eq!(got["identity"]["birthDate"], birth(idn), "{b:?}: {body}");
            assert_eq!(got["t"], json!(names(p)), "{b:?}: {body}");
        }
        assert!(data["batch"][1].is_null(), "{b:?}: {body}");
        assert_eq!(data["one"]["idNumber"], c.as_str(), "{b:?}: {body}");
        assert_eq!(
            data["one"]["identity"]["birthDate"],
            birth(&c),
            "{b:?}: {body}"
        );
        assert!(data["other"].is_null(), "{b:?}: {body}");
        // One error stands for both refused persons.
        let refused = body["errors"].as_array().unwrap();
        assert_eq!(refused.len(), 1, "{b:?}: {body}");
        assert_eq!(refused[0]["extensions"]["reason"], "OUT_OF_SCOPE");
        assert_eq!(refused[0]["extensions"]["count"], 2);
        assert_eq!(
            refused[0]["extensions"]["paths"],
            json!([["batch", 1], ["other"]]),
            "{b:?}: {body}"
        );
        assert_eq!(refused[0]["path"], json!(["batch", 1]));
        // The audit trail: per person, exactly the fields asked about that person.
        let decisions = |idn: &str| {
            let idn = idn.to_string();
            let app = &app;
            async move {
                let log_q = "query($id: IdNumber!) { accessLog(idNumber: $id) { consumerName fields { field decision } } }";
                let (_, log) = app
                    .gql_as("city-audit", "audit", log_q, json!({ "id": idn }), None)
                    .await;
                let entry = log["data"]["accessLog"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["consumerName"] == "liaocheng-hrss-subsidy-review")
                    .cloned()
                    .unwrap_or_else(|| panic!("no event for {idn}: {log}"));
                entry["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        (
                            f["field"].as_str().unwrap().to_string(),
                            f["decision"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect::<std::collections::BTreeMap<String, String>>()
            }
        };
        let allowed = |fields: &[&str]| -> std::collections::BTreeMap<String, String> {
            fields
                .iter()
                .map(|f| (f.to_string(), "ALLOWED".to_string()))
                .collect()
        };
        let full = allowed(&[
            "Identity.birthDate",
            "Person.idNumber",
            "Person.identity",
            "Person.trainings",
            "Training.traineeName",
        ]);
        assert_eq!(decisions(&a).await, full, "{b:?}");
        assert_eq!(decisions(&bb).await, full, "{b:?}");
        assert_eq!(
            decisions(&c).await,
            allowed(&["Identity.birthDate", "Person.idNumber", "Person.identity"]),
            "{b:?}"
        );
        let denied: std::collections::BTreeMap<String, String> =
            [("Query.person".to_string(), "DENIED".to_string())].into();
        assert_eq!(decisions(&o).await, denied, "{b:?}");
        app.cleanup().await;
    }
}

/// A consumer without grants learns nothing about a person's CONDITIONAL records through
/// any field: derived yes/no answers, filtered lists, `__typename` counts, aliases and
/// fragments give byte-for-byte the same response for a person who has such records and
/// for one who has none.
#[tokio::test]
async fn no_field_reveals_a_conditional_record_kind_without_its_grant() {
    let app = spawn_app(&backends()[0]).await;
    let people = archive(&app).await;
    let has_pension = |p: &Value| {
        p["socialInsurance"]["records"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["kind"] == "PENSION"))
    };
    let with = people.iter().find(|p| has_pension(p)).expect("a pensioner");
    let without = people
        .iter()
        .find(|p| !has_pension(p))
        .expect("a non-pensioner");
    let channels = [
        "socialInsurance { receivesPension }",
        "socialInsurance { receivesPension(on: \"2024-06-30\") }",
        "education { inSchool }",
        "socialInsurance { records(kind: PENSION) { __typename } }",
        "socialInsurance { records(kind: PENSION, asOf: \"2024-06-30\") { __typename } }",
        "veterans { records { __typename } }",
        "poverty { households { __typename } }",
        "union { records(kind: DISTRESSED_WORKER) { __typename } }",
        "civilAffairs { assistance { __typename } }",
        "trainings { __typename } subsidies { __typename } certificates { __typename }",
        "...F",
        "... on Person { v: veterans { records { __typename } } }",
    ];
    let fragment =
        "fragment F on Person { s: socialInsurance { r: records(kind: PENSION) { k: __typename } } }";
    let hub = app.state.dbs.hub().clone();
    for channel in channels {
        let fragments = if channel == "...F" { fragment } else { "" };
        let q = format!(
            "query($id: IdNumber!) {{ person(idNumber: $id) {{ {channel} }} }} {fragments}"
        );
        let mut seen = Vec::new();
        for p in [with, without] {
            let id = p["idNumber"].as_str().unwrap();
            let events = audit_count(&hub).await;
            let (status, body) = app
                .gql_as("city-audit", "audit", &q, json!({ "id": id }), None)
                .await;
            assert_eq!(status, 200, "{channel}: {body}");
            assert!(body["data"]["person"].is_object(), "{channel}: {body}");
            assert!(
                !codes(&body).is_empty(),
                "{channel}: nothing refused: {body}"
            );
            // Refused, and the refusal is on record.
            assert_eq!(audit_count(&hub).await, events + 1, "{channel}");
            seen.push(body.to_string().replace(id, "<id>"));
        }
        assert_eq!(seen[0], seen[1], "{channel} tells the two persons apart");
    }
    app.cleanup().await;
}

/// A refused field is `null` in place: an object whose every selected field is refused is
/// still an object, a list's items are still objects, and there is one error per field
/// and reason, with how many values it stands for.
#[tokio::test]
async fn refusals_keep_the_response_shape() {
    let mut app = spawn_app(&backends()[0]).await;
    app.apply_policy(
        "[[consumers]]\nname = \"shape-test\"\nkind = \"ANALYST\"\npurposes = [\"statistics\"]\n\n[[grants]]\nconsumer = \"shape-test\"\npurpose = \"statistics\"\neffect = \"ALLOW\"\nfields = [\"SocialInsuranceSection.records\", \"Person.trainings\"]\n",
    )
    .await
    .unwrap();
    let people = archive(&app).await;
    let p = people
        .iter()
        .find(|p| {
            p["socialInsurance"]["records"]
                .as_array()
                .is_some_and(|r| r.len() >= 2)
                && p["trainings"].as_array().is_some_and(|t| !t.is_empty())
        })
        .expect("a person with several social-insurance records and a training");
    let id = p["idNumber"].as_str().unwrap();
    let n_records = p["socialInsurance"]["records"].as_array().unwrap().len();
    let q = "query($id: IdNumber!) { person(idNumber: $id) {
        identity { birthDate }
        socialInsurance { records { kind employerName } }
        trainings { traineeName enrolledOn class { occupationName } } } }";
    let (status, body) = app
        .gql_as("shape-test", "statistics", q, json!({ "id": id }), None)
        .await;
    assert_eq!(status, 200);
    let person = &body["data"]["person"];
    assert_eq!(person["identity"], json!({ "birthDate": null }), "{body}");
    let records = person["socialInsurance"]["records"].as_array().unwrap();
    assert_eq!(records.len(), n_records, "{body}");
    for r in records {
        assert_eq!(r, &json!({ "kind": null, "employerName": null }), "{body}");
    }
    for t in person["trainings"].as_array().unwrap() {
        assert!(
            t["traineeName"].is_null() && t["enrolledOn"].is_null(),
            "{body}"
        );
        // Unconditional fields next to refused ones still come back.
        assert!(t["class"]["occupationName"].is_string(), "{body}");
    }
    let errors = body["errors"].as_array().unwrap();
    let by_field: HashMap<&str, u64> = errors
        .iter()
        .map(|e| {
            assert_eq!(e["extensions"]["code"], "FORBIDDEN");
            (
                e["extensions"]["field"].as_str().unwrap(),
                e["extensions"]["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_field.len(), errors.len(), "one error per field: {body}");
    assert_eq!(by_field["SocialRecord.kind"], n_records as u64);
    assert_eq!(by_field["SocialRecord.employerName"], n_records as u64);
    assert_eq!(by_field["Identity.birthDate"], 1);
    app.cleanup().await;
}
