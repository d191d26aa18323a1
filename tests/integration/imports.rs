//! Bulk import through the real HTTP API and the real CLI process, on every backend this
//! run has: CSV and Excel files checked row by row exactly like the mutations, written
//! whole or not at all, idempotent on re-import, refused without the purpose, audited.

use entities::hrss_training::subsidy;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::common::{backends, spawn_app, Backend, TestApp, FULL, FULL_PURPOSE};
use crate::reports::{
    class_input, directory_institution, enrol, file_class, person, receipt, DESK,
};
use archive_hub::departments::Department;

async fn upload_as(
    app: &TestApp,
    consumer: &str,
    purpose: &str,
    kind: &str,
    query: &str,
    name: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let boundary = "archivehubboundary7d1";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let resp = app
        .client
        .post(format!("{}/import/{kind}{query}", app.addr))
        .header("authorization", format!("Bearer {}", app.keys[consumer]))
        .header("x-purpose", purpose)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn upload(app: &TestApp, kind: &str, query: &str, name: &str, bytes: &[u8]) -> (u16, Value) {
    upload_as(app, DESK, "reporting", kind, query, name, bytes).await
}

/// A class filed by the county desk; its id.
async fn a_class(app: &TestApp, ext: &str) -> i64 {
    let inst = directory_institution(app).await;
    let body = file_class(app, DESK, ext, class_input(&inst.uscc)).await;
    receipt(&body, "fileClass")["recordId"].as_i64().unwrap()
}

async fn subsidies_of(app: &TestApp, id: &str) -> usize {
    let conn = &app.state.dbs.get(Department::HrssTraining).conn;
    subsidy::Entity::find()
        .filter(subsidy::Column::IdNumber.eq(id))
        .all(conn)
        .await
        .unwrap()
        .len()
}

/// The audit events of writes by `field` (a mutation).
async fn audited(app: &TestApp, field: &str) -> Vec<String> {
    all_audited(app, field)
        .await
        .into_iter()
        .filter(|e| e.contains("\"write\""))
        .collect()
}

/// Every audit event whose fields name `field`, refusals too.
async fn all_audited(app: &TestApp, field: &str) -> Vec<String> {
    use entities::hub::audit_event;
    audit_event::Entity::find()
        .filter(audit_event::Column::Fields.contains(field))
        .all(app.state.dbs.hub())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.fields)
        .collect()
}

/// A county's enrolment sheet over HTTP: a file with a bad row writes nothing (each row
/// listed with its number, column and reason) unless `acceptValid`; importing it again
/// changes nothing; the template downloads; garbage is a clear error.
#[tokio::test]
async fn a_county_file_imports_whole_or_not_at_all() {
    for backend in backends() {
        let app = spawn_app(&backend).await;
        let class_id = a_class(&app, "IC-1").await;
        let csv = format!(
            "业务编号,身份证号码,姓名,联系电话,班级编号,报名日期\nB-1,{},王五,13800138000,{class_id},2026-03-01\nB-2,{},赵六,13800138001,{class_id},2026-03-31\n",
            person(41),
            person(42)
        );
        let (status, r) = upload(&app, "enrolment", "", "报名.csv", csv.as_bytes()).await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["written"], false);
        assert_eq!(r["results"][1]["row"], 3);
        assert_eq!(r["results"][1]["errors"][0]["column"], "报名日期", "{r}");
        assert_eq!(r["results"][0]["status"], "VALID");
        assert!(audited(&app, "Mutation.enrol").await.is_empty());
        let (status, r) = upload(
            &app,
            "enrolment",
            "?acceptValid=true",
            "报名.csv",
            csv.as_bytes(),
        )
        .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["writtenRows"], 1, "{r}");
        let events = audited(&app, "Mutation.enrol").await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].contains("\"record\":\"ENROLMENT\""), "{events:?}");
        let (_, r) = upload(
            &app,
            "enrolment",
            "?acceptValid=true",
            "报名.csv",
            csv.as_bytes(),
        )
        .await;
        assert_eq!(r["replayedRows"], 1, "{r}");
        assert_eq!(r["writtenRows"], 0, "{r}");
        assert_eq!(audited(&app, "Mutation.enrol").await.len(), 1);
        // The same key with other content is a conflict naming the field.
        let changed = format!(
            "业务编号,身份证号码,姓名,联系电话,班级编号,报名日期\nB-1,{},王五,13900139000,{class_id},2026-03-01\n",
            person(41)
        );
        let (status, r) = upload(&app, "enrolment", "", "报名.csv", changed.as_bytes()).await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["results"][0]["errors"][0]["code"], "CONFLICT", "{r}");
        assert_eq!(r["results"][0]["errors"][0]["field"], "phone", "{r}");
        assert_eq!(r["results"][0]["errors"][0]["column"], "联系电话", "{r}");
        let garbage: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let (status, r) = upload(&app, "enrolment", "", "x.xlsx", &garbage).await;
        assert_eq!(status, 400, "{r}");
        assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let t = app
            .client
            .get(format!("{}/import/templates/subsidy.xlsx", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(t.status().as_u16(), 200);
        assert!(t.bytes().await.unwrap().starts_with(b"PK"));
        app.cleanup().await;
    }
}

enum V {
    S(String),
    N(f64),
    D(u16, u8, u8),
    F(&'static str, &'static str),
}

fn sheet(rows: &[Vec<V>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v {
                V::S(s) => sheet.write_string(r, c, s).map(|_| ()),
                V::N(n) => sheet.write_number(r, c, *n).map(|_| ()),
                V::D(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    sheet
                        .write_datetime_with_format(r, c, &dt, &date)
                        .map(|_| ())
                }
                V::F(f, cached) => sheet
                    .write_formula(r, c, Formula::new(*f).set_result(*cached))
                    .map(|_| ()),
            }
            .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn s(v: &str) -> V {
    V::S(v.to_string())
}

/// A county's Excel sheet of subsidy claims over HTTP: dates as date cells, every row
/// screened — a second claim for one training in the same file is refused because the
/// first counts as paid — a formula cell refused with its column; nothing written until
/// `acceptValid`; the payments audited; without the purpose or the right, `FORBIDDEN`.
#[tokio::test]
async fn an_excel_sheet_of_claims_is_screened_row_by_row() {
    for backend in backends() {
        let app = spawn_app(&backend).await;
        let class_id = a_class(&app, "XC-1").await;
        let (a, b) = (person(51), person(52));
        let ea = enrol(&app, DESK, "XE-1", &a, class_id).await;
        let ea = receipt(&ea, "enrol")["recordId"].as_i64().unwrap();
        let eb = enrol(&app, DESK, "XE-2", &b, class_id).await;
        let eb = receipt(&eb, "enrol")["recordId"].as_i64().unwrap();
        let header = [
            "业务编号",
            "身份证号码",
            "补贴类型",
            "金额(分)",
            "发放日期",
            "发放县区代码",
            "报名编号",
        ]
        .map(s)
        .into();
        let claim = |ext: &str, id: &str, amount: V, enrolment: i64| {
            vec![
                s(ext),
                s(id),
                s("职业培训补贴"),
                amount,
                V::D(2026, 4, 10),
                s("371502"),
                V::N(enrolment as f64),
            ]
        };
        let bytes = sheet(&[
            header,
            claim("XS-1", &a, V::N(80000.0), ea),
            claim("XS-2", &a, V::N(80000.0), ea),
            claim("XS-3", &b, V::F("=800*100", "80000"), eb),
        ]);
        // Claims are paid under subsidy_payment, not reporting; and not by an analyst.
        let (status, r) = upload(&app, "subsidy", "", "补贴.xlsx", &bytes).await;
        assert_eq!(status, 403, "{r}");
        assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
        let (status, r) =
            upload_as(&app, FULL, FULL_PURPOSE, "subsidy", "", "补贴.xlsx", &bytes).await;
        assert_eq!(status, 403, "{r}");
        assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
        let refusals = all_audited(&app, "Mutation.claimSubsidy").await;
        assert_eq!(refusals.len(), 2, "{refusals:?}");
        assert!(
            refusals.iter().all(|e| e.contains("DENIED")),
            "{refusals:?}"
        );

        let pay = |q: &'static str| {
            upload_as(
                &app,
                DESK,
                "subsidy_payment",
                "subsidy",
                q,
                "补贴.xlsx",
                &bytes,
            )
        };
        let (status, r) = pay("").await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["written"], false, "{r}");
        assert_eq!(r["results"][0]["status"], "VALID", "{r}");
        assert_eq!(r["results"][1]["row"], 3, "{r}");
        let refused = r["results"][1]["errors"].as_array().unwrap();
        assert!(
            refused.iter().any(|e| e["code"] == "RULE_VIOLATION"
                && e["rule"] == "DUPLICATE_SUBSIDY"
                && e["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("DUPLICATE_SUBSIDY: ")),
            "{r}"
        );
        assert_eq!(r["results"][2]["errors"][0]["column"], "金额(分)", "{r}");
        assert_eq!(r["results"][2]["errors"][0]["code"], "FORMULA", "{r}");
        assert_eq!(subsidies_of(&app, &a).await, 0);
        assert!(audited(&app, "Mutation.claimSubsidy").await.is_empty());

        let (status, r) = pay("?acceptValid=true").await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["writtenRows"], 1, "{r}");
        assert_eq!(r["rejectedRows"], 2, "{r}");
        assert_eq!(subsidies_of(&app, &a).await, 1);
        assert_eq!(subsidies_of(&app, &b).await, 0);
        let events = audited(&app, "Mutation.claimSubsidy").await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].contains("\"record\":\"SUBSIDY\""), "{events:?}");
        // Again: the paid row replays, the refused one is still refused.
        let (_, r) = pay("?acceptValid=true").await;
        assert_eq!(r["replayedRows"], 1, "{r}");
        assert_eq!(r["writtenRows"], 0, "{r}");
        assert_eq!(subsidies_of(&app, &a).await, 1);

        let hub = app.state.dbs.hub();
        let audit = app.state.audit.as_ref().unwrap();
        let report = archive_hub::audit::verify(hub, &audit.verifying_key(), &[])
            .await
            .unwrap();
        assert!(report.first_bad.is_none(), "{report:?}");
        app.cleanup().await;
    }
}

/// `archive-hub import` as a real process beside the running hub, on its databases: the
/// same checks and the same whole-or-nothing transaction, exit status 1 when rows are
/// rejected, a re-import replays, and the trail the two processes wrote verifies.
#[tokio::test]
async fn the_import_command_writes_like_the_upload() {
    for backend in backends() {
        if matches!(backend, Backend::Mixed { .. }) {
            continue;
        }
        let app = spawn_app(&backend).await;
        let class_id = a_class(&app, "CLI-C").await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("报名.csv");
        let good = format!(
            "B-1,{},王五,13800138000,{class_id},2026-03-01\n",
            person(61)
        );
        let bad = format!(
            "B-2,{},赵六,13800138001,{class_id},2026-13-01\n",
            person(62)
        );
        let head = "业务编号,身份证号码,姓名,联系电话,班级编号,报名日期\n";
        std::fs::write(&file, format!("{head}{good}{bad}")).unwrap();
        let run = |extra: &[&str]| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_archive-hub"));
            cmd.args(["import", "enrolment"])
                .arg(&file)
                .args(["--consumer", DESK, "--purpose", "reporting", "--json"])
                .args(extra)
                .current_dir(dir.path())
                .env("ARCHIVE_HUB_DATA_DIR", &app.state.config.data_dir)
                .env("ARCHIVE_HUB_LOG__FILTER", "error")
                .env_remove("DATABASE_URL");
            if let Some(url) = &app.state.config.database_url {
                cmd.env("DATABASE_URL", url);
            }
            let out = cmd.output().expect("run archive-hub import");
            let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            (
                out.status.code(),
                json,
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        };
        let (code, r, err) = run(&[]);
        assert_eq!(code, Some(1), "{r} {err}");
        assert_eq!(r["written"], false, "{r}");
        assert_eq!(r["results"][1]["errors"][0]["column"], "报名日期", "{r}");
        let (code, r, err) = run(&["--accept-valid"]);
        assert_eq!(code, Some(0), "{r} {err}");
        assert_eq!(r["writtenRows"], 1, "{r}");
        std::fs::write(&file, format!("{head}{good}")).unwrap();
        let (code, r, err) = run(&[]);
        assert_eq!(code, Some(0), "{r} {err}");
        assert_eq!(r["replayedRows"], 1, "{r}");
        // Without the purpose the consumer may use, nothing runs.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_archive-hub"))
            .args(["import", "enrolment"])
            .arg(&file)
            .args(["--consumer", DESK, "--purpose", "statistics"])
            .current_dir(dir.path())
            .env("ARCHIVE_HUB_DATA_DIR", &app.state.config.data_dir)
            .env("ARCHIVE_HUB_LOG__FILTER", "error")
            .envs(
                app.state
                    .config
                    .database_url
                    .as_ref()
                    .map(|u| ("DATABASE_URL", u)),
            )
            .output()
            .unwrap();
        assert!(!out.status.success());
        // The trail the two processes appended to is one chain, and it verifies.
        let events = audited(&app, "Mutation.enrol").await;
        assert_eq!(events.len(), 1, "{events:?}");
        let audit = app.state.audit.as_ref().unwrap();
        let report = archive_hub::audit::verify(app.state.dbs.hub(), &audit.verifying_key(), &[])
            .await
            .unwrap();
        assert!(report.first_bad.is_none(), "{report:?}");
        app.cleanup().await;
    }
}
