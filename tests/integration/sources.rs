//! The archive core: a department served through the `DepartmentSource` trait from
//! something other than its SQL database, the source contract, and the injectable clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use archive_hub::clock::Clock;
use archive_hub::departments::Department;
use archive_hub::domain::veterans::{VeteranCategory, VeteranRecord, VeteransRecords};
use archive_hub::domain::Section;
use archive_hub::id_number::IdNumber;
use archive_hub::sources::{DepartmentRecords, DepartmentSource, SourceError};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;

use crate::common::{backends, codes, spawn_app_custom};

/// Veterans affairs served from memory.
#[derive(Default)]
struct MemoryVeterans {
    records: HashMap<IdNumber, VeteransRecords>,
    calls: AtomicUsize,
    /// Answers for no ID at all: a source breaking its contract.
    forgetful: bool,
    failing: bool,
}

#[async_trait::async_trait]
impl DepartmentSource for MemoryVeterans {
    fn department(&self) -> Department {
        Department::Veterans
    }

    async fn fetch(&self, ids: &[IdNumber]) -> Result<DepartmentRecords, SourceError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failing {
            return Err(SourceError::Query("memory source switched off".into()));
        }
        if self.forgetful {
            return Ok(DepartmentRecords::new());
        }
        Ok(ids
            .iter()
            .map(|id| {
                let r = self.records.get(id).cloned().unwrap_or_default();
                (id.clone(), Arc::new(r) as Arc<dyn Section>)
            })
            .collect())
    }

    async fn ping(&self) -> Result<(), SourceError> {
        Ok(())
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Born 2 June 2000, in a region the seed population does not use.
fn veteran() -> IdNumber {
    IdNumber::from_parts(110105, date(2000, 6, 2), 11)
}

fn memory() -> MemoryVeterans {
    let id = veteran();
    let mut m = MemoryVeterans::default();
    m.records.insert(
        id.clone(),
        VeteransRecords {
            records: vec![VeteranRecord {
                id: 1,
                id_number: id.to_string(),
                category: VeteranCategory::SelfEmployedSoldier,
                discharged_on: date(2022, 9, 1),
                region_code: "110105".into(),
            }],
        },
    );
    m
}

#[tokio::test]
async fn a_department_served_from_memory_joins_the_archive() {
    for b in backends() {
        let source = Arc::new(memory());
        let injected = source.clone();
        let app = spawn_app_custom(&b, |_| {}, move |a| a.replace_source(injected)).await;
        let before = app.statements();
        let known = app.report.samples[0].to_string();
        let q = "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber veterans { records { category dischargedOn regionCode } } trainings { enrolmentId } } }";
        let body = app
            .gql(q, json!({ "ids": [veteran().to_string(), known] }))
            .await;
        assert!(body["errors"].is_null(), "{b:?}: {body}");
        let persons = &body["data"]["persons"];
        // Known only to the memory source, and served from it.
        assert_eq!(persons[0]["idNumber"], veteran().to_string());
        assert_eq!(
            persons[0]["veterans"]["records"],
            json!([{ "category": "SELF_EMPLOYED_SOLDIER", "dischargedOn": "2022-09-01", "regionCode": "110105" }])
        );
        assert_eq!(persons[0]["trainings"], json!([]));
        // The seeded person still comes from SQL for every other department.
        assert!(persons[1]["trainings"].is_array(), "{body}");
        // One call for the whole batch; the veterans database was never read.
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        let after = app.statements();
        for ((d, x), (_, y)) in before.iter().zip(&after) {
            let expected = match d {
                Department::Veterans => 0,
                _ => 1,
            };
            assert_eq!(y - x, expected, "{b:?}: {d:?}");
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_source_that_fails_or_breaks_its_contract_is_unavailable_not_empty() {
    let b = &backends()[0];
    for (name, source) in [
        (
            "failing",
            MemoryVeterans {
                failing: true,
                ..memory()
            },
        ),
        (
            "forgetful",
            MemoryVeterans {
                forgetful: true,
                ..memory()
            },
        ),
    ] {
        let source = Arc::new(source);
        let app = spawn_app_custom(b, |_| {}, move |a| a.replace_source(source)).await;
        let known = app.report.samples[0].to_string();
        let q = "query($id: IdNumber!) { person(idNumber: $id) { idNumber veterans { records { category } } trainings { enrolmentId } } }";
        let body = app.gql(q, json!({ "id": known })).await;
        let p = &body["data"]["person"];
        assert_eq!(p["idNumber"], known, "{name}: {body}");
        assert!(p["veterans"].is_null(), "{name}: {body}");
        assert!(p["trainings"].is_array(), "{name}: {body}");
        assert_eq!(codes(&body), vec!["SOURCE_UNAVAILABLE"], "{name}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["department"], "veterans");
        assert_eq!(body["errors"][0]["path"], json!(["person", "veterans"]));
        // A person no readable department knows may still be known to the broken one:
        // they are not declared unknown.
        let body = app.gql(q, json!({ "id": veteran().to_string() })).await;
        assert_eq!(
            body["data"]["person"]["idNumber"],
            veteran().to_string(),
            "{name}: {body}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn today_is_the_request_date_in_china_standard_time() {
    let b = &backends()[0];
    // 16:30 UTC on 1 June 2030 is already 2 June in Beijing: the veteran turns 30; a
    // second before 16:00 UTC it is still 1 June there.
    for (utc, age) in [
        (Utc.with_ymd_and_hms(2030, 6, 1, 16, 30, 0).unwrap(), 30),
        (Utc.with_ymd_and_hms(2030, 6, 1, 15, 59, 59).unwrap(), 29),
    ] {
        let source = Arc::new(memory());
        let app = spawn_app_custom(
            b,
            |_| {},
            move |a| {
                a.replace_source(source);
                a.set_clock(Clock::Fixed(utc));
            },
        )
        .await;
        let q = "query($id: IdNumber!) { person(idNumber: $id) { identity { age } } }";
        let body = app.gql(q, json!({ "id": veteran().to_string() })).await;
        assert_eq!(
            body["data"]["person"]["identity"]["age"], age,
            "{utc}: {body}"
        );
        app.cleanup().await;
    }
}

/// HRSS training's three data sets come back from one statement, each list by date then
/// id (stored here newest first, with two records on one day in reverse id order), the
/// enrolment with its class and institution — on every backend.
#[tokio::test]
async fn hrss_training_reads_its_three_data_sets_in_one_statement_each_in_date_then_id_order() {
    use archive_hub::domain::hrss_training::TrainingFile;
    use archive_hub::sources::sql::hrss_training;
    use entities::hrss_training::{
        certificate, class, enrolment, institution, subsidy, CertificateKind, CreditGrade,
        InstitutionKind, SkillLevel, SubsidyKind, TrainingResult, TrainingType,
    };
    use sea_orm::{ActiveModelTrait, IntoActiveModel};

    for b in backends() {
        let app = crate::common::spawn_app(&b).await;
        let db = &app.state.dbs.get(Department::HrssTraining).conn;
        let id = IdNumber::from_parts(110105, date(1950, 1, 2), 3).to_string();
        institution::Model {
            id: 910_001,
            uscc: "91110105MA99999992".into(),
            name: "顺序测试学校".into(),
            kind: InstitutionKind::TechnicalCollege,
            in_directory: true,
            credit_grade: CreditGrade::B,
            region_code: "110105".into(),
        }
        .into_active_model()
        .insert(db)
        .await
        .unwrap();
        // (record id, day): newest first; the last two share a day, higher id first.
        let rows = [
            (3, date(2025, 5, 1)),
            (2, date(2024, 3, 1)),
            (1, date(2024, 3, 1)),
        ];
        for (n, day) in rows {
            class::Model {
                id: 910_100 + n,
                institution_id: 910_001,
                occupation_code: "4-99-01".into(),
                occupation_name: "顺序测试".into(),
                level: SkillLevel::Level4,
                training_type: TrainingType::JobSkillsUpgrade,
                living_allowance_eligible: n == 2,
                online: false,
                filed_on: day,
                start_date: day,
                end_date: day,
                hours: 40 + n as i32,
                region_code: "110105".into(),
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
            enrolment::Model {
                id: 910_200 + n,
                id_number: id.clone(),
                class_id: 910_100 + n,
                trainee_name: "顺序".into(),
                phone: "13900000001".into(),
                enrolled_on: day,
                result: TrainingResult::Passed,
                attended_hours: 40,
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
            certificate::Model {
                id: 910_300 + n,
                id_number: id.clone(),
                kind: CertificateKind::SkillLevel,
                certificate_no: format!("S-910-{n}"),
                occupation_code: "4-99-01".into(),
                occupation_name: "顺序测试".into(),
                level: SkillLevel::Level4,
                issued_on: day,
                issuer: "测试鉴定站".into(),
                enrolment_id: (n != 3).then_some(910_200 + n),
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
            subsidy::Model {
                id: 910_400 + n,
                id_number: id.clone(),
                kind: SubsidyKind::SkillAssessment,
                amount_fen: 1_000 * n,
                paid_on: day,
                paying_county: "110105".into(),
                enrolment_id: None,
                certificate_id: Some(910_300 + n),
                employer_uscc: (n == 1).then(|| "91110105MA99999993".into()),
                months: (n == 2).then_some(3),
            }
            .into_active_model()
            .insert(db)
            .await
            .unwrap();
        }
        let before = app.state.dbs.get(Department::HrssTraining).statements();
        let mut out = HashMap::from([(id.clone(), TrainingFile::default())]);
        hrss_training::read(db, vec![id.clone()], &mut out)
            .await
            .unwrap();
        let after = app.state.dbs.get(Department::HrssTraining).statements();
        assert_eq!(
            after - before,
            1,
            "{b:?}: one statement for three data sets"
        );

        let file = &out[&id];
        let enrolments: Vec<i64> = file.trainings.iter().map(|t| t.enrolment_id).collect();
        let certificates: Vec<i64> = file.certificates.iter().map(|c| c.id).collect();
        let subsidies: Vec<i64> = file.subsidies.iter().map(|s| s.id).collect();
        assert_eq!(enrolments, [910_201, 910_202, 910_203], "{b:?}");
        assert_eq!(certificates, [910_301, 910_302, 910_303], "{b:?}");
        assert_eq!(subsidies, [910_401, 910_402, 910_403], "{b:?}");
        // Every column decodes, joined and nullable ones included.
        let t = &file.trainings[1];
        let class = t.class.as_ref().expect("class joined");
        assert_eq!(
            (class.id, class.hours, class.living_allowance_eligible),
            (910_102, 42, true)
        );
        let inst = class.institution.as_ref().expect("institution joined");
        assert_eq!(inst.name, "顺序测试学校", "{b:?}");
        assert_eq!(file.certificates[2].enrolment_id, None);
        assert_eq!(file.certificates[0].issued_on, date(2024, 3, 1));
        assert_eq!(
            file.subsidies[0].employer_uscc.as_deref(),
            Some("91110105MA99999993")
        );
        assert_eq!(file.subsidies[1].months, Some(3));
        assert_eq!(file.subsidies[2].amount_fen, 3_000);
        app.cleanup().await;
    }
}
