//! Screening through GraphQL: planted anomalies flagged and audited, rules withheld from
//! consumers without their grant, eligibility answers under the owners' policy, and the
//! claim pre-check on a person written for the purpose.

use archive_hub::departments::Department;
use archive_hub::seed::Anomaly;
use chrono::NaiveDate;
use entities::hrss_training::{
    class, enrolment, institution, subsidy, CreditGrade, InstitutionKind, SkillLevel, SubsidyKind,
    TrainingResult, TrainingType,
};
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use serde_json::{json, Value};

use crate::common::{backends, codes, spawn_app, TestApp, FULL, FULL_PURPOSE};

const SCREENING: &str = "query($id: IdNumber!) { person(idNumber: $id) { screening {
    flags { rule severity clause explanation year evidence { department record id } }
    unjudged { rule department } withheld { rule departments } } } }";

fn rules(body: &Value) -> Vec<String> {
    body["data"]["person"]["screening"]["flags"]
        .as_array()
        .unwrap_or_else(|| panic!("no flags: {body}"))
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_planted_anomaly_is_flagged_through_graphql_and_the_rules_read_are_audited() {
    for b in backends() {
        planted_anomalies_are_flagged(&b).await;
    }
}

async fn planted_anomalies_are_flagged(b: &crate::common::Backend) {
    let app = spawn_app(b).await;
    assert!(!app.report.anomalies.is_empty());
    for (id, anomaly) in &app.report.anomalies {
        let (status, body) = app
            .gql_as(
                FULL,
                FULL_PURPOSE,
                SCREENING,
                json!({ "id": id.as_str() }),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let rule = anomaly.rule();
        let flags = &body["data"]["person"]["screening"]["flags"];
        let flag = flags
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule.id())
            .unwrap_or_else(|| panic!("{anomaly:?} not flagged: {body}"));
        assert!(!flag["evidence"].as_array().unwrap().is_empty());
        assert!(flag["clause"].as_str().is_some_and(|c| !c.is_empty()));
        assert_eq!(
            flag["year"].is_null(),
            *anomaly != Anomaly::TooManySubsidisedTrainingsInYear
        );
        assert!(
            !body.to_string().contains(id.as_str()),
            "an ID in the screening: {body}"
        );
        assert!(body["data"]["person"]["screening"]["withheld"]
            .as_array()
            .unwrap()
            .is_empty());
    }
    // Explanations are Chinese, English on `Accept-Language: en`.
    let (id, anomaly) = &app.report.anomalies[0];
    let explanation = |body: &Value| {
        body["data"]["person"]["screening"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == anomaly.rule().id())
            .map(|f| f["explanation"].as_str().unwrap().to_string())
            .unwrap()
    };
    let vars = json!({ "id": id.as_str() });
    let (_, zh) = app
        .gql_as(FULL, FULL_PURPOSE, SCREENING, vars.clone(), None)
        .await;
    let (_, en) = app
        .gql_as(FULL, FULL_PURPOSE, SCREENING, vars, Some("en"))
        .await;
    let (zh, en) = (explanation(&zh), explanation(&en));
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{zh}"
    );
    assert!(en.split(' ').count() > 3 && en != zh, "{en}");
    // The rules read are in the audit trail, per person.
    let (_, log) = app
        .gql_as(
            "city-audit",
            "audit",
            "query($id: IdNumber!) { accessLog(idNumber: $id) { consumerName fields { field decision } } }",
            json!({ "id": id.as_str() }),
            None,
        )
        .await;
    let entries = log["data"]["accessLog"].as_array().unwrap();
    let fields: Vec<&str> = entries
        .iter()
        .filter(|e| e["consumerName"] == FULL)
        .flat_map(|e| e["fields"].as_array().unwrap())
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    let key = format!("ScreeningRule.{}", anomaly.rule().id());
    assert!(fields.contains(&key.as_str()), "{key} not audited: {log}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_consumer_without_a_rules_grant_sees_it_withheld_and_never_its_flags() {
    let app = spawn_app(&backends()[0]).await;
    // Shen county civil affairs has no grant on any rule: all twelve are withheld, with
    // their owners, the same for every person (so nothing about the person shows).
    let in_scope: Vec<String> = archive_hub::seed::sample_ids(
        crate::common::PERSONS,
        crate::common::SEED,
        crate::common::PERSONS,
    )
    .iter()
    .filter(|i| i.region_code() == "371522")
    .take(3)
    .map(|i| i.to_string())
    .collect();
    assert!(!in_scope.is_empty());
    let mut lists = Vec::new();
    for id in &in_scope {
        let (status, body) = app
            .gql_as(
                "shenxian-civil-affairs",
                "living_allowance_check",
                SCREENING,
                json!({ "id": id }),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        if body["data"]["person"].is_null() {
            continue;
        }
        assert!(rules(&body).is_empty(), "{body}");
        let withheld = body["data"]["person"]["screening"]["withheld"].clone();
        assert_eq!(withheld.as_array().unwrap().len(), 12, "{body}");
        lists.push(withheld);
    }
    assert!(!lists.is_empty());
    assert!(lists.windows(2).all(|w| w[0] == w[1]));
    assert!(lists[0].to_string().contains("\"BLACKLISTED_SUBSIDISED\""));
    // The HRSS archive desk owns HRSS training: rules reading only it are its own; the
    // others come from its grant.
    let (_, body) = app
        .gql_as(
            "hrss-archive-desk",
            "subsidy_review",
            SCREENING,
            json!({ "id": in_scope[0] }),
            None,
        )
        .await;
    assert!(
        body["data"]["person"]["screening"]["withheld"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{body}"
    );
    app.cleanup().await;
}

/// Writes a person into the HRSS training database: four subsidised offline trainings in
/// 2024 (already over the limit), and a fifth enrolment in 2025 not yet paid.
async fn write_trainee(app: &TestApp, id: &str) -> Vec<i64> {
    let db = &app.state.dbs.get(Department::HrssTraining).conn;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let inst = institution::Model {
        id: 900_001,
        uscc: "91371502MA99999991".into(),
        name: "测试培训学校".into(),
        kind: InstitutionKind::PrivateTrainingSchool,
        in_directory: true,
        credit_grade: CreditGrade::A,
        region_code: "371502".into(),
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    let mut enrolments = Vec::new();
    for (i, (start, end)) in [
        ("2024-02-01", "2024-02-20"),
        ("2024-04-01", "2024-04-20"),
        ("2024-06-01", "2024-06-20"),
        ("2024-08-01", "2024-08-20"),
        ("2025-03-01", "2025-03-20"),
    ]
    .iter()
    .enumerate()
    {
        let n = i as i64;
        let c = class::Model {
            id: 900_100 + n,
            institution_id: inst.id,
            occupation_code: format!("4-99-0{i}"),
            occupation_name: "测试工种".into(),
            level: SkillLevel::Level5,
            training_type: TrainingType::EmploymentSkills,
            living_allowance_eligible: false,
            online: false,
            filed_on: day(start),
            start_date: day(start),
            end_date: day(end),
            hours: 60,
            region_code: "371502".into(),
        }
        .into_active_model()
        .insert(db)
        .await
        .unwrap();
        let e = enrolment::Model {
            id: 900_200 + n,
            id_number: id.into(),
            class_id: c.id,
            trainee_name: "测试学员".into(),
            phone: "13900000000".into(),
            enrolled_on: day(start),
            result: TrainingResult::Passed,
            attended_hours: 60,
        }
        .into_active_model()
        .insert(db)
        .await
        .unwrap();
        if i < 4 {
            subsidy::Model {
                id: 900_300 + n,
                id_number: id.into(),
                kind: SubsidyKind::Training,
                amount_fen: 80_000,
                paid_on: day(end) + chrono::Days::new(10),
                paying_county: "371502".into(),
                enrolment_id: Some(e.id),
                certificate_id: None,
                employer_uscc: None,
                months: None,
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
        }
        enrolments.push(e.id);
    }
    enrolments
}

const CHECK: &str = "query($c: ClaimInput!) { checkClaim(claim: $c) { allowed
    violations { rule year evidence { department record id } } unjudged { rule department }
    withheld { rule departments } } }";

#[tokio::test]
async fn check_claim_refuses_a_claim_on_a_broken_limit_and_old_flags_do_not_block() {
    for b in backends() {
        check_claim_on(&b).await;
    }
}

async fn check_claim_on(b: &crate::common::Backend) {
    let app = spawn_app(b).await;
    let id = "371502198505051235";
    let enrolments = write_trainee(&app, id).await;
    let claim = |enrolment: i64, paid_on: &str| {
        json!({ "c": { "idNumber": id, "kind": "TRAINING", "amountFen": 80000,
            "paidOn": paid_on, "payingCounty": "371502", "enrolmentId": enrolment } })
    };
    // The person already has an ANNUAL_LIMIT flag for 2024.
    let (_, body) = app
        .gql_as(FULL, FULL_PURPOSE, SCREENING, json!({ "id": id }), None)
        .await;
    assert!(rules(&body).contains(&"ANNUAL_LIMIT".to_string()), "{body}");
    // Paying another 2024 training's subsidy again breaks the limit already broken (and is
    // a duplicate): refused, the claimed subsidy in the evidence with a null id.
    let (status, body) = app
        .gql_as(
            FULL,
            FULL_PURPOSE,
            CHECK,
            claim(enrolments[3], "2024-12-01"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let check = &body["data"]["checkClaim"];
    assert_eq!(check["allowed"], false, "{body}");
    let violated: Vec<&str> = check["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert!(violated.contains(&"ANNUAL_LIMIT"), "{body}");
    assert!(
        check["violations"].to_string().contains("\"id\":null"),
        "{body}"
    );
    // The 2025 training: the old 2024 flag is not this claim's business.
    let (_, body) = app
        .gql_as(
            FULL,
            FULL_PURPOSE,
            CHECK,
            claim(enrolments[4], "2025-04-01"),
            None,
        )
        .await;
    let check = &body["data"]["checkClaim"];
    assert_eq!(check["violations"], json!([]), "{body}");
    assert_eq!(check["unjudged"], json!([]), "{body}");
    assert_eq!(check["withheld"], json!([]), "{body}");
    assert_eq!(check["allowed"], true, "{body}");
    // A claim check wrote no subsidy.
    let (_, body) = app
        .gql_as(
            FULL,
            FULL_PURPOSE,
            "query($id: IdNumber!) { person(idNumber: $id) { subsidies { id } } }",
            json!({ "id": id }),
            None,
        )
        .await;
    assert_eq!(
        body["data"]["person"]["subsidies"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // An enrolment of someone else, or a missing one, is BAD_USER_INPUT naming the field.
    let (_, body) = app
        .gql_as(
            FULL,
            FULL_PURPOSE,
            CHECK,
            claim(12345678, "2025-04-01"),
            None,
        )
        .await;
    assert_eq!(codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "enrolmentId",
        "{body}"
    );
    let (_, body) = app
        .gql_as(FULL, FULL_PURPOSE, CHECK, json!({ "c": { "idNumber": id, "kind": "WORK_FOR_TRAINING", "amountFen": 100, "paidOn": "2025-01-01", "payingCounty": "371502" } }), Some("en"))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "employerUscc",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("employerUscc"),
        "{body}"
    );
    // A consumer that may not read the person's trainings learns nothing about whether an
    // enrolment is theirs: the same refusal for theirs and for someone else's.
    let mut seen = Vec::new();
    for e in [enrolments[0], 12345678] {
        let (status, body) = app
            .gql_as("city-audit", "audit", CHECK, claim(e, "2025-04-01"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["checkClaim"]["allowed"], false, "{body}");
        assert!(
            body["errors"].to_string().contains("Person.trainings"),
            "{body}"
        );
        seen.push(body.to_string());
    }
    assert_eq!(seen[0], seen[1], "an enrolment-ownership oracle");
    // A consumer without the rules' grants is never told it may pay.
    let (_, body) = app
        .gql_as(
            "liaocheng-hrss-subsidy-review",
            "subsidy_review",
            CHECK,
            claim(enrolments[4], "2025-04-01"),
            None,
        )
        .await;
    let check = &body["data"]["checkClaim"];
    assert_eq!(check["allowed"], false, "{body}");
    assert!(!check["withheld"].as_array().unwrap().is_empty(), "{body}");
    app.cleanup().await;
}

#[tokio::test]
async fn eligibility_answers_are_governed_by_the_departments_that_decide_them() {
    let app = spawn_app(&backends()[0]).await;
    let id = "371502198505051235";
    write_trainee(&app, id).await;
    let q = "query($id: IdNumber!) { person(idNumber: $id) { eligibility(asOf: \"2024-12-31\") {
        poverty civilAffairs hrssSocial veterans education receivesPension blacklisted
        trainingsLeft usedOccupationLevels { occupationCode level } } } }";
    let (_, body) = app
        .gql_as(FULL, FULL_PURPOSE, q, json!({ "id": id }), None)
        .await;
    let e = &body["data"]["person"]["eligibility"];
    assert_eq!(e["trainingsLeft"], 0, "{body}");
    assert_eq!(
        e["usedOccupationLevels"].as_array().unwrap().len(),
        4,
        "{body}"
    );
    assert_eq!(e["blacklisted"], false, "{body}");
    assert_eq!(e["poverty"], json!([]), "{body}");
    let (_, body) = app
        .gql_as(
            FULL,
            FULL_PURPOSE,
            &q.replace("2024-12-31", "2025-01-01"),
            json!({ "id": id }),
            None,
        )
        .await;
    assert_eq!(
        body["data"]["person"]["eligibility"]["trainingsLeft"], 3,
        "{body}"
    );
    // The Dongchangfu payment desk is granted the answers, not the records.
    let (_, body) = app
        .gql_as("dongchangfu-subsidy-payment", "subsidy_review",
            "query($id: IdNumber!) { person(idNumber: $id) { eligibility(asOf: \"2024-12-31\") { receivesPension blacklisted } socialInsurance { records { kind } } } }",
            json!({ "id": id }), None)
        .await;
    let p = &body["data"]["person"];
    assert_eq!(p["eligibility"]["receivesPension"], false, "{body}");
    assert!(p["socialInsurance"]["records"].is_null(), "{body}");
    // A consumer without the answers' grants gets null in place and FORBIDDEN.
    let (_, body) = app
        .gql_as("bigdata-analytics", "statistics", "query($id: IdNumber!) { person(idNumber: $id) { eligibility(asOf: \"2024-12-31\") { blacklisted trainingsLeft } } }", json!({ "id": id }), None)
        .await;
    let e = &body["data"]["person"]["eligibility"];
    assert!(
        e["blacklisted"].is_null() && e["trainingsLeft"].is_null(),
        "{body}"
    );
    assert!(codes(&body).contains(&"FORBIDDEN".to_string()), "{body}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_rule_whose_department_is_down_is_unjudged_never_clean_and_blocks_the_claim() {
    let app = crate::common::spawn_app_with(&backends()[0], |c| {
        c.source_mut(Department::Credit).url = Some("postgres://nobody@127.0.0.1:1/none".into());
        c.source_mut(Department::Credit).connect_timeout_secs = 1;
    })
    .await;
    let id = "371502198505051235";
    let enrolments = write_trainee(&app, id).await;
    let (_, body) = app
        .gql_as(FULL, FULL_PURPOSE, SCREENING, json!({ "id": id }), None)
        .await;
    let unjudged = &body["data"]["person"]["screening"]["unjudged"];
    assert_eq!(
        unjudged,
        &json!([{ "rule": "BLACKLISTED_SUBSIDISED", "department": "CREDIT" }]),
        "{body}"
    );
    assert!(
        rules(&body).contains(&"ANNUAL_LIMIT".to_string()),
        "the others still judged: {body}"
    );
    let claim = json!({ "c": { "idNumber": id, "kind": "TRAINING", "amountFen": 80000,
        "paidOn": "2025-04-01", "payingCounty": "371502", "enrolmentId": enrolments[4] } });
    let (_, body) = app.gql_as(FULL, FULL_PURPOSE, CHECK, claim, None).await;
    let check = &body["data"]["checkClaim"];
    assert_eq!(check["allowed"], false, "{body}");
    assert_eq!(
        check["unjudged"],
        json!([{ "rule": "BLACKLISTED_SUBSIDISED", "department": "CREDIT" }]),
        "{body}"
    );
    let (_, body) = app
        .gql_as(FULL, FULL_PURPOSE, "query($id: IdNumber!) { person(idNumber: $id) { eligibility(asOf: \"2025-01-01\") { blacklisted trainingsLeft } } }", json!({ "id": id }), None)
        .await;
    let e = &body["data"]["person"]["eligibility"];
    assert!(e["blacklisted"].is_null(), "{body}");
    assert_eq!(e["trainingsLeft"], 3, "{body}");
    assert!(
        codes(&body).contains(&"SOURCE_UNAVAILABLE".to_string()),
        "{body}"
    );
    app.cleanup().await;
}

const REPORT: &str = "query($rule: ScreeningRule, $region: String, $year: Int, $after: String) {
    screeningReport(rule: $rule, region: $region, year: $year, first: 100, after: $after) {
        rows { idNumber rule year severity } pageInfo { hasNextPage endCursor }
        countsByRule { rule count } lastRun } }";

/// Every row of the report for `consumer`, page by page.
async fn report_rows(app: &TestApp, consumer: &str, vars: Value) -> (Vec<(String, String)>, Value) {
    let mut rows = Vec::new();
    let mut after = Value::Null;
    loop {
        let mut v = vars.clone();
        v["after"] = after;
        let (status, body) = app
            .gql_as(consumer, "screening_supervision", REPORT, v, None)
            .await;
        assert_eq!(status, 200, "{body}");
        let r = &body["data"]["screeningReport"];
        assert!(r.is_object(), "{body}");
        for row in r["rows"].as_array().unwrap() {
            rows.push((
                row["idNumber"].as_str().unwrap().to_string(),
                row["rule"].as_str().unwrap().to_string(),
            ));
        }
        if r["pageInfo"]["hasNextPage"] != true {
            return (rows, r["countsByRule"].clone());
        }
        after = r["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn the_screening_report_finds_every_planted_anomaly_and_audits_who_it_lists() {
    for b in backends() {
        report_on(&b).await;
    }
}

async fn report_on(b: &crate::common::Backend) {
    let app = spawn_app(b).await;
    // Before any run: an empty report.
    let (_, body) = app
        .gql_as(
            "city-screening-supervision",
            "screening_supervision",
            REPORT,
            json!({}),
            None,
        )
        .await;
    assert_eq!(body["data"]["screeningReport"]["rows"], json!([]), "{body}");
    assert!(
        body["data"]["screeningReport"]["lastRun"].is_null(),
        "{body}"
    );
    let dbs = &app.state.dbs;
    let run = archive_hub::screening::population::run(
        dbs.hub(),
        &dbs.get(Department::HrssTraining).conn,
        app.state.sources.clone(),
        37,
        3,
    )
    .await
    .unwrap();
    assert!(run.persons > 0 && run.flags > 0, "{run:?}");
    let (rows, counts) = report_rows(&app, "city-screening-supervision", json!({})).await;
    assert_eq!(rows.len() as u64, run.flags, "every flag listed once");
    for (id, anomaly) in &app.report.anomalies {
        let rule = anomaly.rule().id();
        assert!(
            rows.iter().any(|(i, r)| i == id.as_str() && r == rule),
            "{b:?}: {anomaly:?} of a planted person not in the report"
        );
    }
    let total: u64 = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, run.flags, "{counts}");
    // Filters: one rule; a region prefix; a year.
    let (one, _) = report_rows(
        &app,
        "city-screening-supervision",
        json!({ "rule": "ANNUAL_LIMIT" }),
    )
    .await;
    assert!(one.iter().all(|(_, r)| r == "ANNUAL_LIMIT"));
    let (liaocheng, _) = report_rows(
        &app,
        "city-screening-supervision",
        json!({ "region": "3715" }),
    )
    .await;
    assert!(liaocheng.len() < rows.len());
    // Every listed person is an access event of the supervision consumer.
    let listed = &rows[0].0;
    let (_, log) = app
        .gql_as("city-audit", "audit",
            "query($id: IdNumber!) { accessLog(idNumber: $id) { consumerName purpose fields { field decision } } }",
            json!({ "id": listed }), None)
        .await;
    let entry = log["data"]["accessLog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["consumerName"] == "city-screening-supervision")
        .unwrap_or_else(|| panic!("the listing is not audited: {log}"));
    assert_eq!(entry["purpose"], "screening_supervision");
    assert!(
        entry["fields"]
            .to_string()
            .contains("Query.screeningReport"),
        "{log}"
    );
    // Liaocheng's own supervision: its region only, and only the rules it may see (those
    // reading HRSS training alone, which it owns).
    let (mine, counts) = report_rows(&app, "liaocheng-screening-supervision", json!({})).await;
    let ids = archive_hub::seed::sample_ids(
        crate::common::PERSONS,
        crate::common::SEED,
        crate::common::PERSONS,
    );
    for (id, rule) in &mine {
        let archive = ids.iter().find(|i| i.as_str() == id);
        assert!(archive.is_some());
        assert!(
            ![
                "PENSIONER_SUBSIDISED",
                "LIVING_ALLOWANCE_INELIGIBLE",
                "WORK_FOR_TRAINING_NOT_NEW_HIRE",
                "BLACKLISTED_SUBSIDISED"
            ]
            .contains(&rule.as_str()),
            "{rule} needs another department's grant"
        );
    }
    assert!(
        !counts.to_string().contains("BLACKLISTED_SUBSIDISED"),
        "{counts}"
    );
    // Without the purpose, or without the grant: refused.
    let (_, body) = app
        .gql_as(FULL, FULL_PURPOSE, REPORT, json!({}), None)
        .await;
    assert!(
        body["data"].is_null() || body["data"]["screeningReport"].is_null(),
        "{body}"
    );
    assert_eq!(codes(&body), vec!["FORBIDDEN"], "{body}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_rule_grant_limited_to_other_regions_refuses_that_rule_for_the_person() {
    let mut app = spawn_app(&backends()[0]).await;
    // A reviewer whose grant on the blacklist rule covers Jinan only; the HRSS-only rules
    // are its department's own.
    app.apply_policy(
        "[[consumers]]\nname = \"rule-scoped\"\nkind = \"DEPARTMENT_SYSTEM\"\ndepartment = \"hrss_training\"\npurposes = [\"subsidy_review\"]\n\n\
         [[grants]]\nconsumer = \"rule-scoped\"\npurpose = \"subsidy_review\"\neffect = \"ALLOW\"\nfields = [\"ScreeningRule.BLACKLISTED_SUBSIDISED\"]\nregions = [\"3701\"]\n",
    )
    .await
    .unwrap();
    let id = "371502198505051235";
    write_trainee(&app, id).await;
    let (status, body) = app
        .gql_as(
            "rule-scoped",
            "subsidy_review",
            SCREENING,
            json!({ "id": id }),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let screening = &body["data"]["person"]["screening"];
    // Not withheld (a live grant exists), but refused for this Liaocheng person.
    let withheld = screening["withheld"].to_string();
    assert!(!withheld.contains("BLACKLISTED_SUBSIDISED"), "{body}");
    assert!(withheld.contains("PENSIONER_SUBSIDISED"), "{body}");
    assert!(
        rules(&body).contains(&"ANNUAL_LIMIT".to_string()),
        "its own rules: {body}"
    );
    let refused = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["extensions"]["field"] == "ScreeningRule.BLACKLISTED_SUBSIDISED")
        .unwrap_or_else(|| panic!("no refusal: {body}"));
    assert_eq!(refused["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        refused["extensions"]["reason"], "GRANT_OUT_OF_SCOPE",
        "{body}"
    );
    app.cleanup().await;
}
