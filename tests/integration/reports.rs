//! The write side through the real HTTP API: every mutation with idempotency, conflicts,
//! validation errors, permissions, versions and audit events, on every backend this run
//! has; and claims that never double-pay across two hub instances on one PostgreSQL.

use entities::hrss_training::{institution, report, subsidy};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

use crate::common::{backends, codes, spawn_app, TestApp};
use archive_hub::departments::Department;
use archive_hub::id_number::IdNumber;

pub(crate) const DESK: &str = "dongchangfu-hrss-reporting";
const OVERRIDE: &str = "liaocheng-subsidy-override";

const RECEIPT: &str = "externalId kind action record recordId version versionId previousVersionId replayed overriddenRules";

pub(crate) fn person(seq: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 5, 17).unwrap();
    IdNumber::from_parts(371502, birth, seq)
        .as_str()
        .to_string()
}

pub(crate) async fn directory_institution(app: &TestApp) -> institution::Model {
    let conn = &app.state.dbs.get(Department::HrssTraining).conn;
    institution::Entity::find()
        .filter(institution::Column::InDirectory.eq(true))
        .order_by_asc(institution::Column::Id)
        .one(conn)
        .await
        .unwrap()
        .expect("a seeded institution on the directory")
}

pub(crate) fn class_input(uscc: &str) -> Value {
    json!({
        "institutionUscc": uscc, "occupationCode": "4-10-01-02", "occupationName": "育婴员",
        "level": "LEVEL_5", "trainingType": "EMPLOYMENT_SKILLS", "livingAllowanceEligible": false,
        "online": false, "filedOn": "2026-03-01", "startDate": "2026-03-10",
        "endDate": "2026-03-30", "hours": 80, "regionCode": "371502"
    })
}

async fn mutate(
    app: &TestApp,
    consumer: &str,
    purpose: &str,
    query: &str,
    vars: Value,
    lang: Option<&str>,
) -> Value {
    let (status, body) = app.gql_as(consumer, purpose, query, vars, lang).await;
    assert_eq!(status, 200, "{body}");
    body
}

pub(crate) async fn file_class(app: &TestApp, consumer: &str, ext: &str, class: Value) -> Value {
    let q = format!(
        "mutation($e: String!, $c: FileClassInput!) {{ fileClass(externalId: $e, class: $c) {{ {RECEIPT} }} }}"
    );
    mutate(
        app,
        consumer,
        "reporting",
        &q,
        json!({"e": ext, "c": class}),
        None,
    )
    .await
}

pub(crate) async fn enrol(
    app: &TestApp,
    consumer: &str,
    ext: &str,
    id: &str,
    class_id: i64,
) -> Value {
    let q = format!(
        "mutation($e: String!, $x: EnrolInput!) {{ enrol(externalId: $e, enrolment: $x) {{ {RECEIPT} }} }}"
    );
    let x = json!({"idNumber": id, "traineeName": "张三", "phone": "13800138000",
                   "classId": class_id, "enrolledOn": "2026-03-05"});
    mutate(
        app,
        consumer,
        "reporting",
        &q,
        json!({"e": ext, "x": x}),
        None,
    )
    .await
}

async fn claim(
    app: &TestApp,
    consumer: &str,
    purpose: &str,
    ext: &str,
    id: &str,
    enrolment: i64,
    override_reason: Option<&str>,
) -> Value {
    let q = format!(
        "mutation($e: String!, $c: ClaimSubsidyInput!, $o: String) {{ claimSubsidy(externalId: $e, claim: $c, overrideReason: $o) {{ {RECEIPT} }} }}"
    );
    let c = json!({"idNumber": id, "kind": "TRAINING", "amountFen": 80000,
                   "paidOn": "2026-04-10", "payingCounty": "371502", "enrolmentId": enrolment});
    mutate(
        app,
        consumer,
        purpose,
        &q,
        json!({"e": ext, "c": c, "o": override_reason}),
        None,
    )
    .await
}

pub(crate) fn receipt<'a>(body: &'a Value, field: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "{body}");
    &body["data"][field]
}

#[tokio::test]
async fn reports_are_idempotent_validated_versioned_and_audited() {
    for backend in backends() {
        let mut app = spawn_app(&backend).await;
        let inst = directory_institution(&app).await;
        let who = person(11);

        // File a class; the same call again is the first result, changing nothing.
        let first = file_class(&app, DESK, "C-1", class_input(&inst.uscc)).await;
        let r1 = receipt(&first, "fileClass").clone();
        assert_eq!(r1["version"], 1);
        assert_eq!(r1["replayed"], false);
        let again = file_class(&app, DESK, "C-1", class_input(&inst.uscc)).await;
        let r2 = receipt(&again, "fileClass");
        assert_eq!(r2["replayed"], true);
        assert_eq!(r2["versionId"], r1["versionId"]);
        let class_id = r1["recordId"].as_i64().unwrap();

        // The same externalId with other content: CONFLICT naming what differs.
        let mut changed = class_input(&inst.uscc);
        changed["hours"] = json!(96);
        let body = file_class(&app, DESK, "C-1", changed).await;
        assert_eq!(codes(&body), ["CONFLICT"], "{body}");
        assert_eq!(body["errors"][0]["extensions"]["fields"], json!(["hours"]));

        // Filed after it started, without a reason: the field is named, in Chinese and
        // on request in English; nothing is written.
        let mut late = class_input(&inst.uscc);
        late["filedOn"] = json!("2026-03-11");
        let body = file_class(&app, DESK, "C-2", late.clone()).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "filedOn");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("补备案原因"));
        let q = format!(
            "mutation($e: String!, $c: FileClassInput!) {{ fileClass(externalId: $e, class: $c) {{ {RECEIPT} }} }}"
        );
        let en = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "C-2", "c": late.clone()}),
            Some("en"),
        )
        .await;
        assert!(
            en["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("lateFilingReason"),
            "{en}"
        );
        // With a reason it is accepted, and the reason is recorded.
        late["lateFilingReason"] = json!("系统故障，补录");
        let body = file_class(&app, DESK, "C-2", late).await;
        let late_class = receipt(&body, "fileClass")["recordId"].as_i64().unwrap();
        assert!(late_class > class_id);

        // Other rules of a real report: dates in order, positive hours, the directory.
        let mut bad = class_input(&inst.uscc);
        bad["endDate"] = json!("2026-03-01");
        bad["hours"] = json!(0);
        let body = file_class(&app, DESK, "C-3", bad).await;
        let fields: Vec<&str> = body["errors"][0]["extensions"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["endDate", "hours"], "{body}");
        let mut unknown = class_input("91371502MA9999999X");
        unknown["regionCode"] = json!("371502");
        let body = file_class(&app, DESK, "C-3", unknown).await;
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "institutionUscc",
            "{body}"
        );

        // Permissions: out of the consumer's region; a purpose that does not write; a
        // department that does not own these records.
        let mut elsewhere = class_input(&inst.uscc);
        elsewhere["regionCode"] = json!("371522");
        let body = file_class(&app, DESK, "C-4", elsewhere).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
        assert_eq!(body["errors"][0]["extensions"]["reason"], "OUT_OF_SCOPE");
        let body = mutate(
            &app,
            DESK,
            "subsidy_payment",
            &q,
            json!({"e": "C-5", "c": class_input(&inst.uscc)}),
            None,
        )
        .await;
        assert_eq!(
            body["errors"][0]["extensions"]["reason"], "PURPOSE_NOT_ALLOWED",
            "{body}"
        );
        let body = mutate(
            &app,
            "dongchangfu-subsidy-payment",
            "subsidy_review",
            &q,
            json!({"e": "C-5", "c": class_input(&inst.uscc)}),
            None,
        )
        .await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");

        // Enrol, record the result (a new version of the enrolment), issue a certificate.
        let body = enrol(&app, DESK, "E-1", &who, class_id).await;
        let e = receipt(&body, "enrol").clone();
        let enrolment_id = e["recordId"].as_i64().unwrap();
        assert_eq!(e["version"], 1);
        let body = enrol(&app, DESK, "E-x", "37150219900517001", class_id).await;
        assert_eq!(codes(&body), ["INVALID_ID_NUMBER"], "{body}");
        let q = format!(
            "mutation($e: String!, $x: RecordResultInput!) {{ recordResult(externalId: $e, result: $x) {{ {RECEIPT} }} }}"
        );
        let x = json!({"enrolmentId": enrolment_id, "result": "PASSED", "attendedHours": 80, "resultOn": "2026-03-30"});
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "R-1", "x": x}),
            None,
        )
        .await;
        let r = receipt(&body, "recordResult");
        assert_eq!(r["recordId"], enrolment_id);
        assert_eq!(r["version"], 2);
        assert_eq!(r["previousVersionId"], e["versionId"]);
        let early = json!({"enrolmentId": enrolment_id, "result": "PASSED", "attendedHours": 80, "resultOn": "2026-03-09"});
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "R-2", "x": early}),
            None,
        )
        .await;
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "resultOn",
            "{body}"
        );
        let q = format!(
            "mutation($e: String!, $x: IssueCertificateInput!) {{ issueCertificate(externalId: $e, certificate: $x) {{ {RECEIPT} }} }}"
        );
        let mut cert = json!({"idNumber": who, "kind": "SKILL_LEVEL", "certificateNo": "S371502-0001",
            "occupationCode": "4-10-01-02", "occupationName": "育婴员", "level": "LEVEL_4",
            "issuedOn": "2026-04-02", "issuer": "聊城市职业技能鉴定中心", "enrolmentId": enrolment_id});
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "K-1", "x": cert.clone()}),
            None,
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "level", "{body}");
        cert["level"] = json!("LEVEL_5");
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "K-1", "x": cert}),
            None,
        )
        .await;
        receipt(&body, "issueCertificate");

        // A claim pays; the same training claimed again breaks the rules.
        let body = claim(
            &app,
            DESK,
            "subsidy_payment",
            "S-1",
            &who,
            enrolment_id,
            None,
        )
        .await;
        receipt(&body, "claimSubsidy");
        let body = claim(
            &app,
            DESK,
            "subsidy_payment",
            "S-2",
            &who,
            enrolment_id,
            None,
        )
        .await;
        assert_eq!(codes(&body), ["RULE_VIOLATION"], "{body}");
        let rules = body["errors"][0]["extensions"]["rules"]
            .as_array()
            .unwrap()
            .clone();
        assert!(!rules.is_empty());
        // An override needs its purpose …
        let body = claim(
            &app,
            DESK,
            "subsidy_payment",
            "S-2",
            &who,
            enrolment_id,
            Some("复核通过"),
        )
        .await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
        // … and with it the claim is paid, the overridden rules recorded …
        let body = claim(
            &app,
            OVERRIDE,
            "subsidy_override",
            "S-2",
            &who,
            enrolment_id,
            Some("经复核同意发放"),
        )
        .await;
        let o = receipt(&body, "claimSubsidy");
        assert!(
            !o["overriddenRules"].as_array().unwrap().is_empty(),
            "{body}"
        );
        // … and the flag is on the person at once.
        let flags = app
            .gql(
                "query($id: IdNumber!) { person(idNumber: $id) { screening { flags { rule } } } }",
                json!({"id": who}),
            )
            .await;
        let flagged: Vec<&str> = flags["data"]["person"]["screening"]["flags"]
            .as_array()
            .unwrap_or_else(|| panic!("{flags}"))
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        for r in &rules {
            assert!(flagged.contains(&r["rule"].as_str().unwrap()), "{flags}");
        }

        // Corrections: a new version, same record; the corrected report can't be
        // corrected again; the old version stays in the log.
        let q = format!(
            "mutation($e: String!, $c: String!, $r: CorrectedReport!) {{ correctReport(externalId: $e, corrects: $c, reason: \"电话录入错误\", report: $r) {{ {RECEIPT} }} }}"
        );
        let fixed = json!({"enrolment": {"idNumber": who, "traineeName": "张三", "phone": "13900139000",
                          "classId": class_id, "enrolledOn": "2026-03-05"}});
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "E-1c", "c": "E-1", "r": fixed.clone()}),
            None,
        )
        .await;
        let c = receipt(&body, "correctReport");
        assert_eq!(c["recordId"], enrolment_id);
        assert_eq!(c["version"], 3);
        assert_eq!(c["action"], "CORRECT");
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "E-1d", "c": "E-1", "r": fixed}),
            None,
        )
        .await;
        assert_eq!(
            body["errors"][0]["extensions"]["reason"], "SUPERSEDED",
            "{body}"
        );
        let conn = &app.state.dbs.get(Department::HrssTraining).conn.clone();
        let versions = report::Entity::find()
            .filter(report::Column::Record.eq("ENROLMENT"))
            .filter(report::Column::RecordId.eq(enrolment_id))
            .all(conn)
            .await
            .unwrap();
        assert_eq!(versions.len(), 3);
        assert!(versions.iter().any(|v| v
            .snapshot
            .as_deref()
            .unwrap_or("")
            .contains("13800138000")));

        // … and readable through the API, governed and audited like any field: the old
        // version's phone number is still there, beside the correction and its reason.
        let q = "query($id: IdNumber!) { person(idNumber: $id) { reportHistory {
            versionId record recordId version previousVersionId kind action
            correctsVersionId externalId reporter content snapshot reason reportedAt } } }";
        let body = app.gql(q, json!({"id": who})).await;
        let history = body["data"]["person"]["reportHistory"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"));
        let of_enrolment: Vec<&Value> = history
            .iter()
            .filter(|v| v["record"] == "ENROLMENT" && v["recordId"] == enrolment_id)
            .collect();
        assert_eq!(of_enrolment.len(), 3, "{body}");
        let versions: Vec<i64> = of_enrolment
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [1, 2, 3]);
        assert!(of_enrolment[0]["snapshot"]
            .as_str()
            .unwrap()
            .contains("13800138000"));
        let fix = of_enrolment[2];
        assert_eq!(fix["action"], "CORRECT");
        assert_eq!(fix["externalId"], "E-1c");
        assert_eq!(fix["reason"], "电话录入错误");
        assert_eq!(fix["reporter"], DESK);
        assert_eq!(fix["previousVersionId"], of_enrolment[1]["versionId"]);
        assert_eq!(fix["correctsVersionId"], of_enrolment[0]["versionId"]);
        assert!(fix["content"].as_str().unwrap().contains("13900139000"));
        assert!(history
            .iter()
            .any(|v| v["record"] == "SUBSIDY" && v["kind"] == "SUBSIDY"));
        // A consumer granted the trainings but not the history: null in place, audited.
        let toml = "[[consumers]]\nname = \"no-history\"\nkind = \"DEPARTMENT_SYSTEM\"\ndepartment = \"civil_affairs\"\nregions = [\"3715\"]\npurposes = [\"living_allowance_check\"]\n\n[[grants]]\nconsumer = \"no-history\"\npurpose = \"living_allowance_check\"\neffect = \"ALLOW\"\nfields = [\"Person.trainings\", \"Training.*\"]\n";
        app.apply_policy(toml).await.unwrap();
        let (_, denied) = app
            .gql_as(
                "no-history",
                "living_allowance_check",
                q,
                json!({"id": who}),
                None,
            )
            .await;
        assert!(denied["data"]["person"].is_object(), "{denied}");
        assert!(
            denied["data"]["person"]["reportHistory"].is_null(),
            "{denied}"
        );
        assert_eq!(codes(&denied), ["FORBIDDEN"], "{denied}");
        assert!(!denied.to_string().contains("13800138000"), "{denied}");

        // Retractions: a class in use cannot go; a subsidy can, and is no longer current.
        let q = format!(
            "mutation($e: String!, $r: String!) {{ retractReport(externalId: $e, retracts: $r, reason: \"误报\") {{ {RECEIPT} }} }}"
        );
        let body = mutate(
            &app,
            DESK,
            "reporting",
            &q,
            json!({"e": "X-1", "r": "C-1"}),
            None,
        )
        .await;
        assert_eq!(
            body["errors"][0]["extensions"]["reason"], "IN_USE",
            "{body}"
        );
        let body = mutate(
            &app,
            OVERRIDE,
            "subsidy_override",
            &q,
            json!({"e": "X-2", "r": "S-2"}),
            None,
        )
        .await;
        let x = receipt(&body, "retractReport");
        let paid = subsidy::Entity::find()
            .filter(subsidy::Column::IdNumber.eq(who.as_str()))
            .all(conn)
            .await
            .unwrap();
        assert_eq!(paid.len(), 1, "{x}");

        // A training institution: its own classes only, and no certificates.
        let toml = format!(
            "[[consumers]]\nname = \"inst-system\"\nkind = \"TRAINING_INSTITUTION\"\ninstitution = \"{}\"\npurposes = [\"reporting\"]\n",
            inst.uscc
        );
        app.apply_policy(&toml).await.unwrap();
        let mut own = class_input(&inst.uscc);
        own["regionCode"] = json!("371522");
        let body = file_class(&app, "inst-system", "I-1", own).await;
        receipt(&body, "fileClass");
        let body = enrol(&app, "inst-system", "I-2", &person(13), class_id).await;
        receipt(&body, "enrol");
        let q = format!(
            "mutation($e: String!, $x: IssueCertificateInput!) {{ issueCertificate(externalId: $e, certificate: $x) {{ {RECEIPT} }} }}"
        );
        let x = json!({"idNumber": person(13), "kind": "TRAINING_COMPLETION", "certificateNo": "T-1",
            "occupationCode": "4-10-01-02", "occupationName": "育婴员", "level": "LEVEL_5",
            "issuedOn": "2026-04-02", "issuer": "机构"});
        let body = mutate(
            &app,
            "inst-system",
            "reporting",
            &q,
            json!({"e": "I-3", "x": x}),
            None,
        )
        .await;
        assert_eq!(
            body["errors"][0]["extensions"]["reason"], "CONSUMER_KIND",
            "{body}"
        );
        // Its view of the schema has only its mutations.
        let (_, types) = app
            .gql_as(
                "inst-system",
                "reporting",
                "{ __type(name: \"Mutation\") { fields { name } } }",
                json!({}),
                None,
            )
            .await;
        let names: Vec<&str> = types["data"]["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"claimSubsidy"), "{types}");
        assert!(names.contains(&"enrol"), "{types}");

        // Every write is an audit event naming the versions; the trail verifies.
        let audit = app.state.audit.as_ref().unwrap();
        let hub = app.state.dbs.hub();
        let events = entities::hub::audit_event::Entity::find()
            .all(hub)
            .await
            .unwrap();
        let writes: Vec<&str> = events
            .iter()
            .filter(|e| e.fields.contains("\"write\""))
            .map(|e| e.fields.as_str())
            .collect();
        assert!(writes
            .iter()
            .any(|f| f.contains("Mutation.claimSubsidy") && f.contains("\"after\"")));
        assert!(writes.iter().any(|f| f.contains("Mutation.correctReport")));
        assert!(events
            .iter()
            .any(|e| e.fields.contains("Mutation.fileClass") && e.fields.contains("DENIED")));
        // Reading the history is audited too: the versions read, and the refusal.
        assert!(events
            .iter()
            .any(|e| e.fields.contains("ReportVersion.content")));
        assert!(events
            .iter()
            .any(|e| e.fields.contains("Person.reportHistory") && e.fields.contains("DENIED")));
        let report = archive_hub::audit::verify(hub, &audit.verifying_key(), &[])
            .await
            .unwrap();
        assert!(report.first_bad.is_none(), "{report:?}");
        app.cleanup().await;
    }
}

/// Concurrent claims for one person through two hub instances on one PostgreSQL: of five
/// claims for five trainings in one year, exactly three (`ANNUAL_LIMIT`) are paid, every
/// round; the audit trail stays one verifiable chain.
#[tokio::test]
async fn concurrent_claims_through_two_instances_never_pass_a_limit() {
    let Some(backend) = backends()
        .into_iter()
        .find(|b| matches!(b, crate::common::Backend::Postgres(_)))
    else {
        return;
    };
    let app = spawn_app(&backend).await;
    let config = app.state.config.as_ref().clone();
    let second = archive_hub::Application::build(config)
        .await
        .expect("second instance");
    let second_addr = format!("http://{}", second.local_addr().unwrap());
    tokio::spawn(second.run_until_stopped());
    let inst = directory_institution(&app).await;
    let mut classes = Vec::new();
    for m in 1..=5 {
        let mut c = class_input(&inst.uscc);
        c["occupationCode"] = json!(format!("4-10-01-0{m}"));
        c["filedOn"] = json!(format!("2026-0{m}-01"));
        c["startDate"] = json!(format!("2026-0{m}-05"));
        c["endDate"] = json!(format!("2026-0{m}-25"));
        let body = file_class(&app, DESK, &format!("CC-{m}"), c).await;
        classes.push(receipt(&body, "fileClass")["recordId"].as_i64().unwrap());
    }
    let key = app.keys[DESK].clone();
    let q = format!(
        "mutation($e: String!, $c: ClaimSubsidyInput!) {{ claimSubsidy(externalId: $e, claim: $c) {{ {RECEIPT} }} }}"
    );
    for round in 0..20u16 {
        let who = person(100 + round);
        let mut enrolments = Vec::new();
        for (i, class_id) in classes.iter().enumerate() {
            let mut x = json!({"idNumber": who, "traineeName": "李四", "phone": "13800138000",
                               "classId": class_id, "enrolledOn": "2026-01-02"});
            x["enrolledOn"] = json!("2026-01-02");
            let qe = format!(
                "mutation($e: String!, $x: EnrolInput!) {{ enrol(externalId: $e, enrolment: $x) {{ {RECEIPT} }} }}"
            );
            let body = mutate(
                &app,
                DESK,
                "reporting",
                &qe,
                json!({"e": format!("CE-{round}-{i}"), "x": x}),
                None,
            )
            .await;
            enrolments.push(receipt(&body, "enrol")["recordId"].as_i64().unwrap());
        }
        let calls = enrolments.iter().enumerate().map(|(i, e)| {
            let addr = if i % 2 == 0 {
                app.addr.clone()
            } else {
                second_addr.clone()
            };
            let client = app.client.clone();
            let body = json!({"query": q, "variables": {"e": format!("CS-{round}-{i}"), "c": {
                "idNumber": who, "kind": "TRAINING", "amountFen": 60000, "paidOn": "2026-06-01",
                "payingCounty": "371502", "enrolmentId": e}}});
            let key = key.clone();
            async move {
                let resp = client
                    .post(format!("{addr}/graphql"))
                    .header("authorization", format!("Bearer {key}"))
                    .header("x-purpose", "subsidy_payment")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                resp.json::<Value>().await.unwrap()
            }
        });
        let answers = futures::future::join_all(calls).await;
        let paid = answers.iter().filter(|a| a["errors"].is_null()).count();
        let refused: Vec<Vec<String>> = answers
            .iter()
            .filter(|a| !a["errors"].is_null())
            .map(codes)
            .collect();
        assert_eq!(paid, 3, "round {round}: {answers:?}");
        assert!(
            refused.iter().all(|c| c == &["RULE_VIOLATION"]),
            "round {round}: {refused:?}"
        );
    }
    let audit = app.state.audit.as_ref().unwrap();
    let report = archive_hub::audit::verify(app.state.dbs.hub(), &audit.verifying_key(), &[])
        .await
        .unwrap();
    assert!(report.first_bad.is_none(), "{report:?}");
    app.cleanup().await;
}
