//! The command line, run as a real process: schema, catalog, policy check, consumers and
//! audit verify (with its exit code).

use std::process::Command;

use archive_hub::audit::{
    AuditKeys, AuditLog, AuditSettings, Decision, FieldAccess, NewAuditEvent,
};
use archive_hub::config::Config;
use archive_hub::db::Databases;
use sea_orm::ConnectionTrait;

fn hub(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_archive-hub"))
        .args(args)
        .current_dir(dir)
        .env("ARCHIVE_HUB_DATA_DIR", dir.join("data"))
        .env("ARCHIVE_HUB_LOG__FILTER", "error")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run archive-hub")
}

#[test]
fn schema_and_catalog_commands_print_the_generated_artefacts() {
    let dir = tempfile::tempdir().unwrap();
    let out = hub(dir.path(), &["schema"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        archive_hub::graphql::sdl()
    );
    let csv = hub(dir.path(), &["catalog", "--format", "csv"]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("type,field,owner,class,sensitive,mask"));
    assert!(csv.contains("Training,traineeName,hrss_training,CONDITIONAL,true,NAME"));
    assert!(csv.contains("AssistanceRecord,householdNo,civil_affairs,NONE,true,NONE"));
    let md = String::from_utf8(hub(dir.path(), &["catalog"]).stdout).unwrap();
    assert!(md.contains("| Training | traineeName |"));
}

#[test]
fn policy_check_names_an_unknown_field_and_consumers_are_managed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[grants]]\nconsumer = \"x\"\npurpose = \"audit\"\neffect = \"ALLOW\"\nfields = [\"Subsidy.bankAccount\"]\n",
    )
    .unwrap();
    let out = hub(dir.path(), &["policy", "check", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Subsidy.bankAccount"));
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/demo.toml");
    assert!(
        hub(dir.path(), &["policy", "check", demo.to_str().unwrap()])
            .status
            .success()
    );

    let applied = hub(dir.path(), &["policy", "apply", demo.to_str().unwrap()]);
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let added = hub(
        dir.path(),
        &[
            "consumer",
            "add",
            "--name",
            "zibo-union",
            "--kind",
            "DEPARTMENT_SYSTEM",
            "--department",
            "trade_union",
            "--regions",
            "3703",
            "--purposes",
            "statistics",
        ],
    );
    let text = String::from_utf8(added.stdout).unwrap();
    assert!(text.contains("ahk_"), "{text}");
    let list = String::from_utf8(hub(dir.path(), &["consumer", "list"]).stdout).unwrap();
    assert!(list.contains("zibo-union"));
    // Kinds as the README and policy files name them.
    assert!(
        list.lines()
            .any(|l| l.contains("zibo-union") && l.contains("DEPARTMENT_SYSTEM")),
        "{list}"
    );
    let key = text.split_whitespace().last().unwrap();
    assert!(!list.contains(key), "keys are never listed");
    let id = list
        .lines()
        .find(|l| l.contains("zibo-union"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(hub(dir.path(), &["consumer", "revoke", id])
        .status
        .success());
    let list = String::from_utf8(hub(dir.path(), &["consumer", "list"]).stdout).unwrap();
    assert!(list
        .lines()
        .any(|l| l.contains("zibo-union") && l.contains("REVOKED")));
    let unknown_purpose = hub(
        dir.path(),
        &[
            "consumer",
            "add",
            "--name",
            "y",
            "--kind",
            "ANALYST",
            "--purposes",
            "fishing",
        ],
    );
    assert!(!unknown_purpose.status.success());
}

#[tokio::test]
async fn audit_verify_exits_non_zero_at_the_first_bad_event() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().join("data"),
        ..Config::default()
    };
    let dbs = Databases::connect(&config).await.unwrap();
    dbs.migrate().await.unwrap();
    let keys =
        AuditKeys::load_or_create(&config.subject_key_file(), &config.signing_key_file()).unwrap();
    let log = AuditLog::start(
        dbs.hub().clone(),
        std::sync::Arc::new(keys),
        AuditSettings {
            witness_file: Some(config.witness_file()),
            ..AuditSettings::default()
        },
    )
    .await
    .unwrap();
    let events = (0..10)
        .map(|i| NewAuditEvent {
            occurred_at: chrono::Utc::now(),
            consumer_id: 1,
            consumer_name: "c".into(),
            consumer_department: None,
            purpose: "audit".into(),
            request_id: format!("r{i}"),
            subject: log.subject("11010519491231002X"),
            fields: vec![FieldAccess {
                field: "Training.result".into(),
                decision: Decision::Allowed,
                write: None,
            }],
            policy_version: 1,
        })
        .collect();
    log.append(events).await.unwrap();
    log.checkpoint().await.unwrap();
    let ok = hub(dir.path(), &["audit", "verify"]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("OK: 10 events"));

    let hubdb = dbs.hub();
    hubdb
        .execute_unprepared("DROP TRIGGER hub_audit_no_update")
        .await
        .unwrap();
    hubdb
        .execute_unprepared("UPDATE hub_audit_event SET purpose = 'other' WHERE seq = 4")
        .await
        .unwrap();
    let broken = hub(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("BROKEN at seq 4"));

    // Verification never creates keys: a missing key is a failure that says so.
    let signing = config.signing_key_file();
    std::fs::remove_file(&signing).unwrap();
    let keyless = hub(dir.path(), &["audit", "verify"]);
    assert_eq!(keyless.status.code(), Some(2));
    let out = String::from_utf8_lossy(&keyless.stdout);
    assert!(
        out.contains("CANNOT BE VERIFIED") && out.contains("key"),
        "{out}"
    );
    assert!(!signing.exists(), "verify created a key");

    // An emptied trail fails against the witness file the writer kept.
    std::fs::write(&signing, "00".repeat(32)).unwrap();
    let other_key = hub(dir.path(), &["audit", "verify"]);
    assert_eq!(other_key.status.code(), Some(2));
    hubdb
        .execute_unprepared("DROP TRIGGER hub_audit_no_delete")
        .await
        .unwrap();
    hubdb
        .execute_unprepared("DELETE FROM hub_audit_event")
        .await
        .unwrap();
    let emptied = hub(
        dir.path(),
        &[
            "audit",
            "verify",
            "--witness",
            config.witness_file().to_str().unwrap(),
        ],
    );
    assert_eq!(emptied.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&emptied.stdout).contains("BROKEN"));
}
