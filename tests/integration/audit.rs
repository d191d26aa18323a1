//! The audit trail on a real hub database: group commit under concurrency, verification,
//! the five tamper cases, the append-only triggers, restarts, competing writers, an
//! unavailable database, and timestamps that round-trip on every backend.

use std::sync::Arc;
use std::time::Duration;

use archive_hub::audit::{
    self, checkpoint_message, event_hash, AuditError, AuditKeys, AuditLog, AuditSettings, Decision,
    FieldAccess, NewAuditEvent, GENESIS_HASH,
};
use archive_hub::departments::Department;
use chrono::{DateTime, TimeZone, Utc};
use ed25519_dalek::{Signer, SigningKey};
use entities::hub::{audit_checkpoint, audit_event};
use migrations::{HubMigrator, MigratorTrait};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, Database, DatabaseBackend,
    DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use crate::common::{backends, drop_databases, fresh_config, Backend};

const ID_A: &str = "37152419731109066X";
const ID_B: &str = "110101199003077777";

/// A fresh, migrated hub database on one backend.
struct HubDb {
    conn: DatabaseConnection,
    url: String,
    label: &'static str,
    created: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

impl HubDb {
    async fn new(b: &Backend) -> Self {
        let (config, created, dir) = fresh_config(b).await;
        let (url, label) = match b {
            Backend::Sqlite => (
                format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display()),
                "sqlite",
            ),
            Backend::Postgres(_) => (
                config.database_url.clone().expect("postgres url"),
                "postgres",
            ),
            Backend::Mixed { .. } => (config.source_url(Department::CivilAffairs), "mariadb"),
        };
        let conn = Database::connect(url.as_str()).await.expect("connect");
        HubMigrator::up(&conn, None).await.expect("migrate hub");
        Self {
            conn,
            url,
            label,
            created,
            dir,
        }
    }

    fn keys(&self) -> Arc<AuditKeys> {
        Arc::new(
            AuditKeys::load_or_create(
                &self.dir.path().join("audit-subject.key"),
                &self.dir.path().join("audit-signing.key"),
            )
            .expect("keys"),
        )
    }

    fn witness_path(&self) -> std::path::PathBuf {
        self.dir.path().join("audit-witness.jsonl")
    }

    fn witnessed(&self) -> Vec<audit::witness::WitnessRecord> {
        audit::witness::read_file(&self.witness_path()).expect("witness file")
    }

    fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// What an attacker with DB rights does first.
    async fn drop_triggers(&self) {
        let stmts: &[&str] = match self.backend() {
            DatabaseBackend::Postgres => &[
                "DROP TRIGGER hub_audit_no_update ON hub_audit_event",
                "DROP TRIGGER hub_audit_no_truncate ON hub_audit_event",
                "DROP TRIGGER hub_checkpoint_no_update ON hub_audit_checkpoint",
                "DROP TRIGGER hub_checkpoint_no_truncate ON hub_audit_checkpoint",
            ],
            _ => &[
                "DROP TRIGGER hub_audit_no_update",
                "DROP TRIGGER hub_audit_no_delete",
                "DROP TRIGGER hub_checkpoint_no_update",
                "DROP TRIGGER hub_checkpoint_no_delete",
            ],
        };
        for s in stmts {
            self.conn.execute_unprepared(s).await.expect(s);
        }
    }

    async fn rows(&self) -> Vec<audit_event::Model> {
        audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Seq)
            .all(&self.conn)
            .await
            .expect("rows")
    }

    async fn cleanup(self) {
        self.conn.close().await.ok();
        drop_databases(self.created).await;
    }
}

const MANUAL: AuditSettings = AuditSettings {
    checkpoint_every_events: 0,
    checkpoint_every_secs: 0,
    witness_file: None,
    witness_url: None,
};

fn event(log: &AuditLog, id_number: &str, n: usize) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: Utc::now(),
        consumer_id: 1 + (n % 3) as i64,
        consumer_name: format!("consumer {}", n % 3),
        consumer_department: n.is_multiple_of(2).then(|| "hrss_social".to_string()),
        purpose: "ELIGIBILITY_CHECK".into(),
        request_id: format!("req-{n}"),
        subject: log.subject(id_number),
        fields: vec![
            FieldAccess {
                field: "Person.trainings".into(),
                decision: Decision::Allowed,
                write: None,
            },
            FieldAccess {
                field: "Identity.age".into(),
                decision: if n.is_multiple_of(2) {
                    Decision::Masked
                } else {
                    Decision::Denied
                },
                write: None,
            },
        ],
        policy_version: 1,
    }
}

async fn verify_clean(db: &HubDb, key: &ed25519_dalek::VerifyingKey) -> audit::VerifyReport {
    let report = audit::verify(&db.conn, key, &[]).await.expect("verify");
    assert_eq!(report.first_bad, None, "{}", db.label);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_share_commits_and_verify() {
    for b in backends() {
        let db = HubDb::new(&b).await;
        let keys = db.keys();
        let settings = AuditSettings {
            checkpoint_every_events: 100,
            checkpoint_every_secs: 60,
            ..MANUAL
        };
        let log = AuditLog::start(db.conn.clone(), keys.clone(), settings)
            .await
            .expect("start");
        let mut tasks = Vec::new();
        for t in 0..50 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                for i in 0..20 {
                    let seqs = log
                        .append(vec![event(&log, ID_A, t * 20 + i)])
                        .await
                        .expect("append");
                    assert_eq!(seqs.len(), 1);
                    mine.extend(seqs);
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            let mine = t.await.expect("task");
            assert!(mine.windows(2).all(|w| w[0] < w[1]), "a task's seqs go up");
            all.extend(mine);
        }
        all.sort_unstable();
        assert_eq!(all, (1..=1000).collect::<Vec<i64>>(), "{}", db.label);
        let commits = log.commits();
        eprintln!("{}: 1000 concurrent appends in {commits} commits", db.label);
        assert!(
            commits < 1000,
            "{}: 1000 appends took {commits} commits: no group commit",
            db.label
        );
        let report = verify_clean(&db, &keys.verifying_key()).await;
        assert_eq!(report.events, 1000);
        assert!(
            report.checkpoints >= 1,
            "{}: automatic checkpoints",
            db.label
        );
        // Count-triggered checkpoints come no later than 100 events (plus one batch).
        let cps = audit_checkpoint::Entity::find()
            .all(&db.conn)
            .await
            .expect("checkpoints");
        assert!(cps.iter().any(|c| c.seq >= 100), "{}", db.label);
        drop(log);
        db.cleanup().await;
    }
}

/// 30 events with signed checkpoints at seq 10, 20 and 30.
async fn trail(b: &Backend) -> (HubDb, Arc<AuditKeys>) {
    let db = HubDb::new(b).await;
    let keys = db.keys();
    let settings = AuditSettings {
        witness_file: Some(db.witness_path()),
        ..MANUAL
    };
    let log = AuditLog::start(db.conn.clone(), keys.clone(), settings)
        .await
        .expect("start");
    for chunk in 0..3 {
        let events = (0..10).map(|i| event(&log, ID_A, chunk * 10 + i)).collect();
        let seqs = log.append(events).await.expect("append");
        assert_eq!(seqs.first(), Some(&(chunk as i64 * 10 + 1)));
        log.checkpoint().await.expect("checkpoint");
    }
    drop(log);
    let report = verify_clean(&db, &keys.verifying_key()).await;
    assert_eq!((report.events, report.checkpoints), (30, 3), "{}", db.label);
    (db, keys)
}

fn assert_bad(report: &audit::VerifyReport, seq: i64, why: &str, label: &str) {
    let (bad, reason) = report
        .first_bad
        .as_ref()
        .unwrap_or_else(|| panic!("{label}: tampering went unnoticed"));
    assert_eq!(*bad, seq, "{label}: {reason}");
    assert!(reason.contains(why), "{label}: {reason:?} lacks {why:?}");
}

#[tokio::test]
async fn untouched_trail_verifies_clean() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        let report = audit::verify(&db.conn, &keys.verifying_key(), &[])
            .await
            .expect("verify");
        assert!(report.is_ok());
        // Another key does not accept the checkpoints.
        let other = SigningKey::from_bytes(&[9; 32]).verifying_key();
        let report = audit::verify(&db.conn, &other, &[]).await.expect("verify");
        assert_bad(
            &report,
            10,
            "does not verify with the trusted key",
            db.label,
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_modified_byte_is_detected() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        let row = audit_event::Entity::find_by_id(15)
            .one(&db.conn)
            .await
            .expect("row")
            .expect("seq 15");
        // One byte of the fields JSON ("Identity.age" -> "Identitz.age").
        let fields = row.fields.replacen("Identity", "Identitz", 1);
        assert_eq!(fields.len(), row.fields.len());
        assert_ne!(fields, row.fields);
        let mut am = row.into_active_model();
        am.fields = Set(fields);
        am.update(&db.conn).await.expect("tamper update");
        let report = audit::verify(&db.conn, &keys.verifying_key(), &[])
            .await
            .expect("verify");
        assert_bad(&report, 15, "does not match the row's content", db.label);
        assert_eq!(report.events, 30);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_deleted_row_is_detected() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        audit_event::Entity::delete_by_id(15)
            .exec(&db.conn)
            .await
            .expect("tamper delete");
        let report = audit::verify(&db.conn, &keys.verifying_key(), &[])
            .await
            .expect("verify");
        assert_bad(&report, 15, "seq 15 is missing", db.label);
        assert_eq!(report.events, 29);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_swapped_rows_are_detected() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        for (from, to) in [(12, -12), (17, 12), (-12, 17)] {
            audit_event::Entity::update_many()
                .col_expr(audit_event::Column::Seq, Expr::value(to))
                .filter(audit_event::Column::Seq.eq(from))
                .exec(&db.conn)
                .await
                .expect("tamper swap");
        }
        let report = audit::verify(&db.conn, &keys.verifying_key(), &[])
            .await
            .expect("verify");
        assert_bad(&report, 12, "seq 11", db.label);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_recomputed_chain_is_caught_by_the_checkpoint() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        // Rewrite seq 15 (hide that a field was read) and recompute every hash after it:
        // the chain is internally consistent again, but no longer matches what was signed.
        let prev = rewrite_seq_15(&db, false).await;
        let key = keys.verifying_key();
        // The head signed in the commit's last row (seq 20) no longer verifies.
        let report = audit::verify(&db.conn, &key, &[]).await.expect("verify");
        assert_bad(
            &report,
            20,
            "does not verify with the trusted key",
            db.label,
        );

        // Replacing the checkpoints with ones signed by the attacker's own key fails too.
        let attacker = SigningKey::from_bytes(&[7; 32]);
        audit_checkpoint::Entity::delete_many()
            .exec(&db.conn)
            .await
            .expect("delete checkpoints");
        let created_at = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
            id: NotSet,
            seq: Set(30),
            head_hash: Set(prev.clone()),
            created_at: Set(created_at),
            signature: Set(hex::encode(
                attacker
                    .sign(checkpoint_message(30, &prev, &created_at).as_bytes())
                    .to_bytes(),
            )),
            public_key: Set(hex::encode(attacker.verifying_key().as_bytes())),
        })
        .exec_without_returning(&db.conn)
        .await
        .expect("forged checkpoint");
        let report = audit::verify(&db.conn, &key, &[]).await.expect("verify");
        assert_bad(
            &report,
            20,
            "does not verify with the trusted key",
            db.label,
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_truncated_tail_is_detected() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        audit_event::Entity::delete_many()
            .filter(audit_event::Column::Seq.gt(25))
            .exec(&db.conn)
            .await
            .expect("tamper truncate");
        let report = audit::verify(&db.conn, &keys.verifying_key(), &[])
            .await
            .expect("verify");
        assert_bad(&report, 26, "truncated tail", db.label);
        assert_eq!((report.events, report.checkpoints), (25, 3));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn triggers_reject_update_and_delete() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        let mut attempts = vec![
            "UPDATE hub_audit_event SET consumer_name = 'x' WHERE seq = 3",
            "DELETE FROM hub_audit_event WHERE seq = 30",
            "DELETE FROM hub_audit_event",
        ];
        if db.backend() == DatabaseBackend::Postgres {
            attempts.push("TRUNCATE hub_audit_event");
        }
        for sql in attempts {
            let err = db.conn.execute_unprepared(sql).await;
            assert!(err.is_err(), "{}: {sql} was accepted", db.label);
        }
        let report = verify_clean(&db, &keys.verifying_key()).await;
        assert_eq!(report.events, 30);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn events_survive_a_restart() {
    for b in backends() {
        let db = HubDb::new(&b).await;
        let keys = db.keys();
        let log = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .expect("start");
        let first = log
            .append((0..7).map(|i| event(&log, ID_A, i)).collect())
            .await
            .expect("append");
        assert_eq!(first, (1..=7).collect::<Vec<_>>());
        drop(log);
        // Keys reloaded from their files, writer restarted on the same database.
        let keys = db.keys();
        let log = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .expect("restart");
        let second = log
            .append((7..12).map(|i| event(&log, ID_B, i)).collect())
            .await
            .expect("append after restart");
        assert_eq!(second, (8..=12).collect::<Vec<_>>(), "{}", db.label);
        log.checkpoint().await.expect("checkpoint");
        let report = verify_clean(&db, &keys.verifying_key()).await;
        assert_eq!(report.events, 12);
        let rows = db.rows().await;
        assert_eq!(
            rows[7].prev_hash, rows[6].hash,
            "one chain across the restart"
        );

        // events_for_subject: newest first, limited, only that subject.
        let a = log.events_for_subject(&log.subject(ID_A), 5).await.unwrap();
        assert_eq!(
            a.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![7, 6, 5, 4, 3]
        );
        let b_rows = log
            .events_for_subject(&log.subject(ID_B), 100)
            .await
            .unwrap();
        assert_eq!(b_rows.len(), 5);
        assert_eq!(b_rows[0].seq, 12);
        // No column anywhere holds a raw ID number.
        for r in &rows {
            assert!(!format!("{r:?}").contains(ID_A) && !format!("{r:?}").contains(ID_B));
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_competing_writer_neither_forks_nor_skips() {
    for b in backends() {
        let db = HubDb::new(&b).await;
        let keys = db.keys();
        let one = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .unwrap();
        // A second writer (a second hub instance) started while the trail was empty: its
        // head is 0 and stale once the first has appended.
        let two = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .unwrap();
        assert_eq!(one.append(vec![event(&one, ID_A, 0)]).await.unwrap(), [1]);
        // Its commit at seq 1 is refused by the key; it re-reads the head and re-chains.
        assert_eq!(two.append(vec![event(&two, ID_A, 1)]).await.unwrap(), [2]);
        assert_eq!(one.append(vec![event(&one, ID_A, 2)]).await.unwrap(), [3]);
        two.checkpoint().await.unwrap();
        let report = verify_clean(&db, &keys.verifying_key()).await;
        assert_eq!(report.events, 3);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn append_fails_cleanly_when_the_database_is_unavailable() {
    for b in backends() {
        // A dropped table: the writer answers Err, keeps running, and says no SQL.
        let db = HubDb::new(&b).await;
        let keys = db.keys();
        let log = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .unwrap();
        log.append(vec![event(&log, ID_A, 0)]).await.unwrap();
        db.conn
            .execute_unprepared("DROP TABLE hub_audit_event")
            .await
            .expect("drop table");
        for _ in 0..2 {
            let err = log.append(vec![event(&log, ID_A, 1)]).await.unwrap_err();
            assert!(matches!(err, AuditError::Database(_)), "{err:?}");
            let shown = err.to_string();
            assert!(
                !shown.contains("hub_audit_event") && !shown.to_uppercase().contains("INSERT"),
                "{shown}"
            );
            assert!(
                std::error::Error::source(&err).is_some(),
                "detail kept for logs"
            );
        }
        assert!(log.checkpoint().await.is_err());

        // A closed connection pool.
        let db2 = HubDb::new(&b).await;
        let log2 = AuditLog::start(db2.conn.clone(), keys.clone(), MANUAL)
            .await
            .unwrap();
        db2.conn.clone().close().await.expect("close");
        let err = log2.append(vec![event(&log2, ID_A, 0)]).await.unwrap_err();
        assert!(matches!(err, AuditError::Database(_)), "{err:?}");
        assert!(log2
            .events_for_subject(&log2.subject(ID_A), 1)
            .await
            .is_err());
        db.cleanup().await;
        db2.cleanup().await;
    }
}

#[tokio::test]
async fn invalid_events_are_refused_before_they_reach_a_shared_commit() {
    let db = HubDb::new(&Backend::Sqlite).await;
    let keys = db.keys();
    let log = AuditLog::start(db.conn.clone(), keys, MANUAL)
        .await
        .unwrap();
    let mut raw = event(&log, ID_A, 0);
    raw.subject = ID_A.to_string();
    let err = log.append(vec![raw]).await.unwrap_err();
    assert!(matches!(err, AuditError::InvalidEvent(_)));
    assert!(!err.to_string().contains(ID_A));
    let mut long = event(&log, ID_A, 0);
    long.consumer_name = "x".repeat(129);
    assert!(log.append(vec![long]).await.is_err());
    assert_eq!(log.append(vec![]).await.unwrap(), Vec::<i64>::new());
    assert_eq!(log.append(vec![event(&log, ID_A, 1)]).await.unwrap(), [1]);
    db.cleanup().await;
}

#[tokio::test]
async fn timestamps_round_trip_identically_on_every_backend() {
    let at: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap()
        + chrono::Duration::nanoseconds(987_654_321);
    for b in backends() {
        let db = HubDb::new(&b).await;
        let keys = db.keys();
        let log = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .unwrap();
        let mut ev = event(&log, ID_A, 0);
        ev.occurred_at = at;
        log.append(vec![ev]).await.unwrap();
        log.checkpoint().await.unwrap();
        let row = &db.rows().await[0];
        assert_eq!(
            audit::chain::canonical_time(&row.occurred_at),
            "2026-03-04T05:06:07Z",
            "{}",
            db.label
        );
        assert_eq!(event_hash(row), row.hash, "{}", db.label);
        let cp = audit_checkpoint::Entity::find()
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cp.created_at.timestamp_subsec_nanos(), 0, "{}", db.label);
        verify_clean(&db, &keys.verifying_key()).await;
        db.cleanup().await;
    }
}

async fn checkpoint_seqs(conn: &DatabaseConnection) -> Vec<i64> {
    audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Seq)
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.seq)
        .collect()
}

/// Polls (bounded) until the newest checkpoint has `seq`.
async fn wait_for_checkpoint(conn: &DatabaseConnection, seq: i64) -> bool {
    for _ in 0..100 {
        if checkpoint_seqs(conn).await.first() == Some(&seq) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn the_writer_checkpoints_by_itself() {
    // Every 5 events, and a last one when the writer shuts down.
    let db = HubDb::new(&Backend::Sqlite).await;
    let keys = db.keys();
    let by_count = AuditSettings {
        checkpoint_every_events: 5,
        checkpoint_every_secs: 0,
        ..MANUAL
    };
    let log = AuditLog::start(db.conn.clone(), keys.clone(), by_count)
        .await
        .unwrap();
    for i in 0..6 {
        log.append(vec![event(&log, ID_A, i)]).await.unwrap();
    }
    assert_eq!(checkpoint_seqs(&db.conn).await, [5], "count-triggered");
    drop(log);
    assert!(
        wait_for_checkpoint(&db.conn, 6).await,
        "shutdown checkpoint"
    );
    verify_clean(&db, &keys.verifying_key()).await;
    db.cleanup().await;

    // Every second, when events arrived since the last checkpoint.
    let db = HubDb::new(&Backend::Sqlite).await;
    let keys = db.keys();
    let by_time = AuditSettings {
        checkpoint_every_events: 0,
        checkpoint_every_secs: 1,
        ..MANUAL
    };
    let log = AuditLog::start(db.conn.clone(), keys.clone(), by_time)
        .await
        .unwrap();
    log.append(vec![event(&log, ID_A, 0)]).await.unwrap();
    assert!(wait_for_checkpoint(&db.conn, 1).await, "time-triggered");
    verify_clean(&db, &keys.verifying_key()).await;
    drop(log);
    db.cleanup().await;
}

/// Empties seq 15's fields and recomputes the chain from there (every row's in-row
/// signature cleared too when `unsign`); returns the new head hash. Needs the triggers
/// dropped.
async fn rewrite_seq_15(db: &HubDb, unsign: bool) -> String {
    let mut prev = GENESIS_HASH.to_string();
    for mut row in db.rows().await {
        if row.seq == 15 {
            row.fields = "[]".into();
        }
        if row.seq >= 15 || unsign {
            row.prev_hash = prev.clone();
            row.hash = event_hash(&row);
            let mut am = row.clone().into_active_model();
            am.fields = Set(row.fields.clone());
            am.prev_hash = Set(row.prev_hash.clone());
            am.hash = Set(row.hash.clone());
            if unsign {
                am.signature = Set(None);
            }
            am.update(&db.conn).await.expect("tamper update");
        }
        prev = row.hash;
    }
    prev
}

/// Re-signs nothing: what an attacker with database rights (but not the signing key)
/// can do to rows.
async fn delete_where(db: &HubDb, events_after: i64) {
    audit_event::Entity::delete_many()
        .filter(audit_event::Column::Seq.gt(events_after))
        .exec(&db.conn)
        .await
        .expect("delete events");
    audit_checkpoint::Entity::delete_many()
        .filter(audit_checkpoint::Column::Seq.gt(events_after))
        .exec(&db.conn)
        .await
        .expect("delete checkpoints");
}

#[tokio::test]
async fn every_commit_is_witnessed_outside_the_database() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        let witnessed = db.witnessed();
        // Three commits of ten events: three signed heads.
        let seqs: Vec<i64> = witnessed.iter().map(|w| w.seq).collect();
        assert_eq!(seqs, vec![10, 20, 30], "{}", db.label);
        let report = audit::verify(&db.conn, &keys.verifying_key(), &witnessed)
            .await
            .expect("verify");
        assert!(report.is_ok(), "{}: {report:?}", db.label);
        // An altered witness record is itself caught.
        let mut forged = witnessed.clone();
        forged[1].head_hash = "0".repeat(64);
        let report = audit::verify(&db.conn, &keys.verifying_key(), &forged)
            .await
            .expect("verify");
        assert_bad(&report, 20, "witness altered", db.label);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_forged_event_is_detected() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        let last = db.rows().await.pop().expect("rows");
        // A well-formed event chained onto the head, unsigned.
        let mut row = last.clone();
        row.seq = 31;
        row.prev_hash = last.hash.clone();
        row.signature = None;
        row.hash = event_hash(&row);
        audit_event::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&db.conn)
            .await
            .expect("forged insert");
        let key = keys.verifying_key();
        let report = audit::verify(&db.conn, &key, &[]).await.expect("verify");
        assert_bad(&report, 31, "covered by no signed head", db.label);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_recomputed_chain_with_checkpoints_and_signatures_removed_is_detected() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        rewrite_seq_15(&db, true).await;
        audit_checkpoint::Entity::delete_many()
            .exec(&db.conn)
            .await
            .expect("delete checkpoints");
        let key = keys.verifying_key();
        let report = audit::verify(&db.conn, &key, &[]).await.expect("verify");
        assert_bad(&report, 1, "covered by no signed head", db.label);
        let report = audit::verify(&db.conn, &key, &db.witnessed())
            .await
            .expect("verify");
        assert_bad(&report, 20, "differs from the witnessed head", db.label);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_truncation_with_later_checkpoints_deleted_is_caught_by_the_witness() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        delete_where(&db, 20).await;
        let key = keys.verifying_key();
        // Inside the database alone the trail now ends at a signed head: this is what the
        // witness is for.
        let alone = audit::verify(&db.conn, &key, &[]).await.expect("verify");
        assert!(alone.is_ok(), "{}: {alone:?}", db.label);
        let report = audit::verify(&db.conn, &key, &db.witnessed())
            .await
            .expect("verify");
        assert_bad(&report, 21, "ends at seq 20", db.label);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_everything_deleted_is_caught_by_the_witness() {
    for b in backends() {
        let (db, keys) = trail(&b).await;
        db.drop_triggers().await;
        delete_where(&db, 0).await;
        let report = audit::verify(&db.conn, &keys.verifying_key(), &db.witnessed())
            .await
            .expect("verify");
        assert_eq!(report.events, 0);
        assert_bad(&report, 1, "ends at seq 0", db.label);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn tamper_replaced_key_is_caught_by_the_witness() {
    for b in backends() {
        let (db, _keys) = trail(&b).await;
        db.drop_triggers().await;
        // The attacker has the database and replaces the key file: every head re-signed.
        let attacker = SigningKey::from_bytes(&[7; 32]);
        for row in db.rows().await {
            if row.signature.is_some() {
                let message = checkpoint_message(row.seq, &row.hash, &row.occurred_at);
                let mut am = row.clone().into_active_model();
                am.signature = Set(Some(hex::encode(
                    attacker.sign(message.as_bytes()).to_bytes(),
                )));
                am.update(&db.conn).await.expect("re-sign");
            }
        }
        audit_checkpoint::Entity::delete_many()
            .exec(&db.conn)
            .await
            .expect("delete checkpoints");
        let key = attacker.verifying_key();
        let alone = audit::verify(&db.conn, &key, &[]).await.expect("verify");
        assert!(alone.is_ok(), "{}: {alone:?}", db.label);
        let report = audit::verify(&db.conn, &key, &db.witnessed())
            .await
            .expect("verify");
        assert_bad(&report, 10, "different key", db.label);
        db.cleanup().await;
    }
}

/// Two hub instances on one trail: two writers, each with its own connection and its own
/// idea of the head, appending at once. One chain comes out — every seq once, in order,
/// verifying — over 20 rounds. (SQLite is the embedded single-process store: one hub.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_writers_on_one_trail_keep_one_chain() {
    for b in backends() {
        if matches!(b, Backend::Sqlite) {
            continue;
        }
        let db = HubDb::new(&b).await;
        let keys = db.keys();
        let other = Database::connect(db.url.as_str())
            .await
            .expect("second connection");
        let one = AuditLog::start(db.conn.clone(), keys.clone(), MANUAL)
            .await
            .expect("start");
        let two = AuditLog::start(other, keys.clone(), MANUAL)
            .await
            .expect("start");
        let mut expected = 0i64;
        for round in 0..20 {
            let mut tasks = Vec::new();
            for (w, log) in [(0, one.clone()), (1, two.clone())] {
                for t in 0..4 {
                    let log = log.clone();
                    tasks.push(tokio::spawn(async move {
                        let n = round * 100 + w * 10 + t;
                        log.append(vec![event(&log, ID_A, n), event(&log, ID_A, n + 1000)])
                            .await
                    }));
                }
            }
            for t in tasks {
                let seqs = t.await.expect("task").expect("append on either instance");
                assert_eq!(seqs.len(), 2);
                assert_eq!(seqs[1], seqs[0] + 1, "a request's events stay together");
            }
            expected += 16;
        }
        let seqs: Vec<i64> = audit_event::Entity::find()
            .all(&db.conn)
            .await
            .expect("events")
            .into_iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs.len() as i64, expected, "{}", db.label);
        let mut sorted = seqs.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=expected).collect::<Vec<_>>(), "{}", db.label);
        let report = verify_clean(&db, &keys.verifying_key()).await;
        assert_eq!(report.events as i64, expected);
        drop((one, two));
        db.cleanup().await;
    }
}
