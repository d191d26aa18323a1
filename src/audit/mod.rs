//! The tamper-evident audit trail: who read which fields about which subject, why, under
//! which policy version — hash-chained rows in `hub_audit_event` written by one writer task
//! with group commit, signed checkpoints in `hub_audit_checkpoint`, and [`verify`].
//!
//! ID numbers never reach the trail: callers turn them into subjects with
//! [`AuditLog::subject`] (HMAC-SHA256 under a server key), and [`AuditLog::append`] refuses
//! any subject that is not 64 lowercase hex digits.
//!
//! Layout: [`chain`] is the canonical encoding (what is hashed and signed), `keys` the key
//! files, `writer` the single writer task, `verify` the verifier.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use entities::hub::audit_event;
use hmac::{Hmac, Mac};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot};

pub mod chain;
mod keys;
mod verify;
pub mod witness;
mod writer;

pub use chain::{checkpoint_message, event_hash, GENESIS_HASH};
pub use keys::AuditKeys;
pub use verify::{verify, VerifyReport};

/// What the policy decided for one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    Allowed,
    Masked,
    Denied,
}

/// One field of a response and its decision — or one write and its decision.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct FieldAccess {
    /// `"Type.field"`, e.g. `"Person.trainings"`; for a write, the mutation
    /// (`"Mutation.claimSubsidy"`).
    pub field: String,
    pub decision: Decision,
    /// For a write: the record and the versions before and after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<WriteRef>,
}

/// What a write changed: one version of one record. Read events carry none, so their
/// stored (and hashed) encoding is what it always was.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WriteRef {
    /// `CLASS`, `ENROLMENT`, `CERTIFICATE` or `SUBSIDY`.
    pub record: String,
    pub record_id: i64,
    /// The version ids in the record's version log: the one replaced (none for a new
    /// record, or one the hub never versioned) and the new one (none when refused).
    pub before: Option<i64>,
    pub after: Option<i64>,
    /// An authorised override: the rules it overrode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrode: Vec<String>,
}

/// An event to append; the writer assigns `seq`, `prev_hash` and `hash`.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    /// Stored (and hashed) with whole-second precision.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub consumer_id: i64,
    pub consumer_name: String,
    pub consumer_department: Option<String>,
    pub purpose: String,
    pub request_id: String,
    /// From [`AuditLog::subject`]: 64 lowercase hex digits, never an ID number.
    pub subject: String,
    pub fields: Vec<FieldAccess>,
    pub policy_version: i64,
}

/// When the writer stores checkpoints in the checkpoint table (0 turns a trigger off) —
/// every commit's head is signed in its last row regardless — and where signed heads are
/// witnessed outside the database.
#[derive(Debug, Clone)]
pub struct AuditSettings {
    /// After this many events since the last checkpoint, e.g. 1000.
    pub checkpoint_every_events: u64,
    /// Every this many seconds when events arrived since the last checkpoint, e.g. 60.
    pub checkpoint_every_secs: u64,
    /// The append-only witness file (fsync'd per commit); `None` only in tests.
    pub witness_file: Option<std::path::PathBuf>,
    /// A second, HTTP witness (POST per signed head, in the background).
    pub witness_url: Option<String>,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            checkpoint_every_events: 1000,
            checkpoint_every_secs: 60,
            witness_file: None,
            witness_url: None,
        }
    }
}

/// Audit trail failures. `Display` is safe to show callers (no SQL, no key material); the
/// database detail is in [`std::error::Error::source`] for logs.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot read or write the audit key file {}", path.display())]
    KeyFile {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the audit key file {} is malformed: {reason}", path.display())]
    BadKey {
        path: std::path::PathBuf,
        reason: &'static str,
    },
    #[error("cannot generate a random audit key")]
    Random(#[source] rand::rand_core::OsError),
    #[error("invalid audit event: {0}")]
    InvalidEvent(String),
    #[error("the audit database is unavailable or rejected the operation")]
    Database(#[source] Arc<DbErr>),
    #[error("the audit writer has stopped")]
    WriterStopped,
    #[error("the audit witness cannot be written")]
    Witness(#[source] Arc<witness::WitnessError>),
}

impl AuditError {
    fn db(e: DbErr) -> Self {
        Self::Database(Arc::new(e))
    }
}

/// Handle to the single writer task; cheap to clone. The writer stops (after a last
/// checkpoint) when every handle is dropped.
#[derive(Clone)]
pub struct AuditLog {
    conn: DatabaseConnection,
    keys: Arc<AuditKeys>,
    tx: mpsc::Sender<writer::Msg>,
    commits: Arc<AtomicU64>,
    outage: Arc<Outage>,
}

/// The trail's database failing: after a failed commit, appends are refused at once for
/// a short while (nothing can be served without them) instead of every waiting request
/// spending a connection timeout of its own; the first commit after it clears it.
#[derive(Debug, Default)]
pub(crate) struct Outage(std::sync::Mutex<Option<std::time::Instant>>);

/// How long appends are refused after a failed commit before the database is tried again.
const OUTAGE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

impl Outage {
    fn at(&self) -> std::sync::MutexGuard<'_, Option<std::time::Instant>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn failed(&self) {
        *self.at() = Some(std::time::Instant::now());
    }
    pub(crate) fn cleared(&self) {
        *self.at() = None;
    }
    /// Within the pause after a failed commit.
    pub(crate) fn paused(&self) -> bool {
        self.at().is_some_and(|t| t.elapsed() < OUTAGE_PAUSE)
    }
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("commits", &self.commits())
            .finish_non_exhaustive()
    }
}

/// Queue depth (messages) between callers and the writer; callers wait when it is full.
const QUEUE: usize = 4096;

/// Column widths of `hub_audit_event` (characters), checked before queueing so one bad
/// event cannot fail a shared commit.
const MAX_CONSUMER_NAME: usize = 128;
const MAX_DEPARTMENT: usize = 32;
const MAX_PURPOSE: usize = 64;
const MAX_REQUEST_ID: usize = 64;

impl AuditLog {
    /// Spawns the single writer task (one per process) on `conn` (the hub database, already
    /// migrated). Reads the current head (max seq, its hash) at start.
    pub async fn start(
        conn: DatabaseConnection,
        keys: Arc<AuditKeys>,
        settings: AuditSettings,
    ) -> Result<Self, AuditError> {
        Self::start_with(conn, None, keys, settings).await
    }

    /// As [`AuditLog::start`]; with `writer_url`, the writer runs on its own OS thread, with
    /// its own runtime and connection to that database. Every response waits for the
    /// writer's commit, so the writer must not queue behind busy request tasks for CPU or
    /// for the shared I/O driver.
    pub async fn start_with(
        conn: DatabaseConnection,
        writer_url: Option<String>,
        keys: Arc<AuditKeys>,
        settings: AuditSettings,
    ) -> Result<Self, AuditError> {
        let head = writer::load_head(&conn).await.map_err(AuditError::db)?;
        let last_checkpoint_seq = writer::last_checkpoint_seq(&conn)
            .await
            .map_err(AuditError::db)?;
        tracing::info!(
            head_seq = head.seq,
            last_checkpoint_seq,
            "audit writer starting"
        );
        let witness = settings
            .witness_file
            .as_deref()
            .map(witness::FileWitness::open)
            .transpose()
            .map_err(|e| AuditError::Witness(Arc::new(e)))?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let commits = Arc::new(AtomicU64::new(0));
        let outage = Arc::new(Outage::default());
        let w = writer::Writer {
            conn: conn.clone(),
            keys: keys.clone(),
            settings,
            head: Some(head),
            last_checkpoint_seq,
            commits: commits.clone(),
            outage: outage.clone(),
            rx,
            witness,
            http_witness: None,
            contended_until: None,
        };
        match writer_url {
            Some(url) => spawn_dedicated(w, url).await?,
            None => {
                tokio::spawn(w.run());
            }
        }
        Ok(Self {
            conn,
            keys,
            tx,
            commits,
            outage,
        })
    }

    /// Whether the writer task is still taking events.
    pub fn is_running(&self) -> bool {
        !self.tx.is_closed()
    }

    /// A commit just failed (its database is down): appends are refused for a moment, so
    /// callers may refuse at once too (503 with `Retry-After`).
    pub fn is_paused(&self) -> bool {
        self.outage.paused()
    }

    /// HMAC-SHA256(subject_key, id_number) as lowercase hex — the only form of an ID number
    /// the audit trail stores. The number is trimmed and upper-cased first (the check
    /// character `x`), matching [`crate::id_number::IdNumber`]'s normal form.
    pub fn subject(&self, id_number: &str) -> String {
        subject_of(&self.keys.subject_key, id_number)
    }

    /// A key of its own for `purpose`, derived from the subject key (the cache hashes ID
    /// numbers with one: every instance derives the same, and it never leaves the
    /// operator's key files).
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.keys.subject_key) {
            mac.update(b"archive-hub derived key: ");
            mac.update(purpose.as_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }

    /// Appends events; returns only after they are durable (committed). Concurrent callers
    /// share commits (group commit). Returns the assigned seqs in order.
    pub async fn append(&self, events: Vec<NewAuditEvent>) -> Result<Vec<i64>, AuditError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        for ev in &events {
            validate(ev)?;
        }
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(writer::Msg::Append { events, reply })
            .await
            .map_err(|_| AuditError::WriterStopped)?;
        rx.await.map_err(|_| AuditError::WriterStopped)?
    }

    /// Writes a signed checkpoint of the current head now (also done automatically every N
    /// events or T seconds by the writer).
    pub async fn checkpoint(&self) -> Result<(), AuditError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(writer::Msg::Checkpoint { reply })
            .await
            .map_err(|_| AuditError::WriterStopped)?;
        rx.await.map_err(|_| AuditError::WriterStopped)?
    }

    /// Events about one subject, newest first, at most `limit`.
    pub async fn events_for_subject(
        &self,
        subject: &str,
        limit: u64,
    ) -> Result<Vec<audit_event::Model>, AuditError> {
        audit_event::Entity::find()
            .filter(audit_event::Column::Subject.eq(subject))
            .order_by_desc(audit_event::Column::Seq)
            .limit(limit)
            .all(&self.conn)
            .await
            .map_err(AuditError::db)
    }

    /// Batches committed by this writer since it started (each one transaction).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The key that verifies this writer's checkpoints.
    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.keys.verifying_key()
    }
}

/// Runs the writer on a dedicated thread with its own current-thread runtime and its own
/// connection; returns once that connection is open.
async fn spawn_dedicated(mut w: writer::Writer, url: String) -> Result<(), AuditError> {
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<(), AuditError>>();
    let spawned = std::thread::Builder::new()
        .name("audit-writer".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(_) => {
                    let _ = ready_tx.send(Err(AuditError::WriterStopped));
                    return;
                }
            };
            rt.block_on(async move {
                let mut opts = sea_orm::ConnectOptions::new(url);
                // A database that is down fails a batch within 750 ms (503 with
                // Retry-After) rather than holding every waiting request for sqlx's default
                // 30 s; the pool reconnects by itself once the database is back.
                opts.max_connections(2)
                    .min_connections(1)
                    .acquire_timeout(std::time::Duration::from_millis(750))
                    .connect_timeout(std::time::Duration::from_millis(750))
                    .test_before_acquire_if_idle_for(crate::sources::sql::PING_IF_IDLE)
                    .set_application_name("archive-hub audit")
                    .sqlx_logging(false);
                match sea_orm::Database::connect(opts).await {
                    Ok(conn) => {
                        w.conn = conn;
                        let _ = ready_tx.send(Ok(()));
                        w.run().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(AuditError::db(e)));
                    }
                }
            });
        });
    if spawned.is_err() {
        return Err(AuditError::WriterStopped);
    }
    ready_rx.await.map_err(|_| AuditError::WriterStopped)?
}

/// The audit subject of an ID number under a subject key: what [`AuditLog::subject`]
/// computes, for callers without a running trail (binding a citizen portal from the CLI).
pub fn subject_hash(key: &[u8], id_number: &str) -> String {
    subject_of(key, id_number)
}

fn subject_of(key: &[u8], id_number: &str) -> String {
    let normal = id_number.trim().to_ascii_uppercase();
    // HMAC accepts keys of any length, so this cannot fail.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(normal.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The stored form of `fields`: a JSON array of `{"field","decision"}` in the given order.
pub(crate) fn fields_json(fields: &[FieldAccess]) -> String {
    serde_json::to_string(fields).unwrap_or_else(|_| "[]".to_string())
}

fn validate(ev: &NewAuditEvent) -> Result<(), AuditError> {
    let bad = |what: String| Err(AuditError::InvalidEvent(what));
    if ev.subject.len() != 64
        || !ev
            .subject
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        // Never echo the value: it might be a raw ID number.
        return bad(
            "subject must be AuditLog::subject(..) output (64 lowercase hex digits)".into(),
        );
    }
    let checks = [
        (
            "consumer_name",
            ev.consumer_name.as_str(),
            MAX_CONSUMER_NAME,
        ),
        (
            "consumer_department",
            ev.consumer_department.as_deref().unwrap_or(""),
            MAX_DEPARTMENT,
        ),
        ("purpose", ev.purpose.as_str(), MAX_PURPOSE),
        ("request_id", ev.request_id.as_str(), MAX_REQUEST_ID),
    ];
    for (name, value, max) in checks {
        if value.chars().count() > max {
            return bad(format!("{name} is longer than {max} characters"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(subject: String) -> NewAuditEvent {
        NewAuditEvent {
            occurred_at: chrono::Utc::now(),
            consumer_id: 1,
            consumer_name: "c".into(),
            consumer_department: None,
            purpose: "P".into(),
            request_id: "r".into(),
            subject,
            fields: vec![],
            policy_version: 1,
        }
    }

    #[test]
    fn subject_is_keyed_and_normalised() {
        let a = subject_of(&[1; 32], "37152419731109066x");
        assert_eq!(a, subject_of(&[1; 32], " 37152419731109066X "));
        assert_ne!(a, subject_of(&[2; 32], "37152419731109066X"));
        assert_eq!(a.len(), 64);
        assert!(validate(&event(a)).is_ok());
    }

    #[test]
    fn raw_id_numbers_are_refused_as_subjects() {
        let e = validate(&event("37152419731109066X".into())).unwrap_err();
        assert!(!e.to_string().contains("37152419731109066X"));
        assert!(validate(&event("A".repeat(64))).is_err());
        let mut long = event("a".repeat(64));
        long.request_id = "r".repeat(65);
        assert!(validate(&long).is_err());
    }

    #[test]
    fn fields_are_stored_as_the_documented_json() {
        let f = vec![
            FieldAccess {
                field: "Person.trainings".into(),
                decision: Decision::Allowed,
                write: None,
            },
            FieldAccess {
                field: "Identity.age".into(),
                decision: Decision::Masked,
                write: None,
            },
        ];
        assert_eq!(
            fields_json(&f),
            r#"[{"field":"Person.trainings","decision":"ALLOWED"},{"field":"Identity.age","decision":"MASKED"}]"#
        );
    }
}
