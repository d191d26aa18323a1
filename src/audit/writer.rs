//! The writer task: it keeps the head of the chain (last seq and its hash), assigns seqs,
//! computes hashes, commits batches (group commit) and writes checkpoints. Several hub
//! instances may each run one on the same trail: a commit that lost the race for a seq is
//! re-chained onto the new head, and on PostgreSQL the writer then takes turns with the
//! others under an advisory lock for a while.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ed25519_dalek::Signer;
use entities::hub::{audit_checkpoint, audit_event};
use sea_orm::{
    ActiveValue::NotSet, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    IntoActiveModel, QueryOrder, Set, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::chain::{checkpoint_message, event_hash, truncate_timestamp, GENESIS_HASH};
use super::witness::{FileWitness, HttpWitness, WitnessRecord};
use super::{AuditError, AuditKeys, AuditSettings, NewAuditEvent};

/// Most events one transaction takes; the writer stops draining the queue past this.
const MAX_BATCH_EVENTS: usize = 5_000;
/// Rows per INSERT statement (11 parameters each, well under every backend's limit).
const ROWS_PER_INSERT: usize = 500;
/// Times a commit is re-chained after another writer moved the head.
const MAX_ATTEMPTS: u32 = 8;
/// The transaction-scoped advisory lock a PostgreSQL writer takes for its commits after it
/// lost a race: the writers of several instances then take turns (optimistic re-chaining
/// alone starved under sustained load from three instances: a writer could lose the race
/// eight times running).
const PG_COMMIT_LOCK: &str = "SELECT pg_advisory_xact_lock(7262651740817)";
/// How long a writer keeps taking the lock after its last lost race.
const CONTENDED_FOR: Duration = Duration::from_secs(60);

/// A commit ready to insert.
struct Built {
    rows: Vec<audit_event::Model>,
    ranges: Vec<std::ops::RangeInclusive<i64>>,
    new_head: Head,
    record: Option<WitnessRecord>,
}

/// What a successful commit leaves: the new head, its witness record, each batch's seqs.
type Committed = (
    Head,
    Option<WitnessRecord>,
    Vec<std::ops::RangeInclusive<i64>>,
);

pub(crate) type AppendReply = oneshot::Sender<Result<Vec<i64>, AuditError>>;
pub(crate) type CheckpointReply = oneshot::Sender<Result<(), AuditError>>;

pub(crate) enum Msg {
    Append {
        events: Vec<NewAuditEvent>,
        reply: AppendReply,
    },
    Checkpoint {
        reply: CheckpointReply,
    },
}

/// The last event of the chain (seq 0 and the genesis hash when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

pub(crate) async fn load_head(conn: &impl ConnectionTrait) -> Result<Head, DbErr> {
    let last = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Seq)
        .one(conn)
        .await?;
    Ok(match last {
        Some(row) => Head {
            seq: row.seq,
            hash: row.hash,
        },
        None => Head {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
        },
    })
}

pub(crate) async fn last_checkpoint_seq(conn: &DatabaseConnection) -> Result<i64, DbErr> {
    let last = audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Seq)
        .one(conn)
        .await?;
    Ok(last.map_or(0, |cp| cp.seq))
}

pub(crate) struct Writer {
    pub conn: DatabaseConnection,
    pub keys: Arc<AuditKeys>,
    pub settings: AuditSettings,
    /// `None` after a failure until the head has been re-read from the database.
    pub head: Option<Head>,
    pub last_checkpoint_seq: i64,
    pub commits: Arc<AtomicU64>,
    pub outage: Arc<super::Outage>,
    pub rx: mpsc::Receiver<Msg>,
    /// The synchronous witness: every signed head is durable here before replies go out.
    pub witness: Option<FileWitness>,
    /// The background witness, started with the writer's runtime.
    pub http_witness: Option<HttpWitness>,
    /// Until when commits take the commit lock (PostgreSQL, after a lost race).
    pub contended_until: Option<std::time::Instant>,
}

fn db_error(e: &Arc<DbErr>) -> AuditError {
    AuditError::Database(e.clone())
}

impl Writer {
    pub async fn run(mut self) {
        if let Some(url) = self.settings.witness_url.clone() {
            self.http_witness = Some(HttpWitness::start(url));
        }
        let period = Duration::from_secs(self.settings.checkpoint_every_secs.max(1));
        let timed = self.settings.checkpoint_every_secs > 0;
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = self.rx.recv() => match msg {
                    Some(first) => {
                        let batch = self.drain(first);
                        self.process(batch).await;
                    }
                    None => break,
                },
                _ = ticker.tick(), if timed => {
                    if self.head_advanced() {
                        self.auto_checkpoint("timer").await;
                    }
                }
            }
        }
        // Every handle is gone: seal what was written with a last checkpoint.
        if self.head_advanced() {
            self.auto_checkpoint("shutdown").await;
        }
        tracing::debug!("audit writer stopped");
    }

    fn head_advanced(&self) -> bool {
        self.head
            .as_ref()
            .is_some_and(|h| h.seq > self.last_checkpoint_seq)
    }

    /// Takes everything already queued (up to [`MAX_BATCH_EVENTS`]) after `first`.
    fn drain(&mut self, first: Msg) -> Vec<Msg> {
        let mut n = msg_events(&first);
        let mut batch = vec![first];
        while n < MAX_BATCH_EVENTS {
            match self.rx.try_recv() {
                Ok(m) => {
                    n += msg_events(&m);
                    batch.push(m);
                }
                Err(_) => break,
            }
        }
        batch
    }

    async fn ensure_head(&mut self) -> Result<Head, Arc<DbErr>> {
        if let Some(h) = &self.head {
            return Ok(h.clone());
        }
        let h = load_head(&self.conn).await.map_err(Arc::new)?;
        self.head = Some(h.clone());
        Ok(h)
    }

    async fn process(&mut self, batch: Vec<Msg>) {
        let mut appends = Vec::new();
        let mut checkpoints = Vec::new();
        for m in batch {
            match m {
                Msg::Append { events, reply } => appends.push((events, reply)),
                Msg::Checkpoint { reply } => checkpoints.push(reply),
            }
        }
        if !appends.is_empty() {
            self.commit_appends(appends).await;
        }
        if !checkpoints.is_empty() {
            let result = self.write_checkpoint().await;
            for reply in checkpoints {
                let _ = reply.send(result.as_ref().map(|_| ()).map_err(db_error));
            }
        } else if self.settings.checkpoint_every_events > 0
            && self.head.as_ref().is_some_and(|h| {
                u64::try_from(h.seq - self.last_checkpoint_seq)
                    .is_ok_and(|d| d >= self.settings.checkpoint_every_events)
            })
        {
            self.auto_checkpoint("count").await;
        }
    }

    async fn commit_appends(&mut self, appends: Vec<(Vec<NewAuditEvent>, AppendReply)>) {
        let (batches, replies): (Vec<Vec<NewAuditEvent>>, Vec<AppendReply>) =
            appends.into_iter().unzip();
        // Appends queued while a commit was failing are refused without another wait on
        // a database that is down.
        if self.outage.paused() {
            let e = Arc::new(DbErr::Custom("audit database unavailable".into()));
            for reply in replies {
                let _ = reply.send(Err(db_error(&e)));
            }
            return;
        }
        // Several hub instances may append to one trail: each commit chains onto the head
        // it knows, and the primary key on `seq` refuses it when another writer got there
        // first. Then the head is re-read and the batch chained anew (its events unchanged),
        // a bounded number of times; the single-instance case costs nothing extra. On
        // PostgreSQL a lost race also switches this writer to taking the commit lock for
        // a while, so that writers under sustained contention take turns instead.
        let postgres = self.conn.get_database_backend() == DbBackend::Postgres;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let locked = postgres
                && self
                    .contended_until
                    .is_some_and(|t| std::time::Instant::now() < t);
            let result = if locked {
                self.try_locked(&batches).await
            } else {
                self.try_optimistic(&batches).await
            };
            let e = match result {
                Ok((new_head, record, ranges)) => {
                    self.outage.cleared();
                    self.committed(new_head, record, replies.into_iter().zip(ranges).collect());
                    return;
                }
                Err(Failed::Moved(e)) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(
                        attempt,
                        error = %e,
                        "audit head moved under this writer; re-chaining the batch"
                    );
                    if postgres {
                        self.contended_until = Some(std::time::Instant::now() + CONTENDED_FOR);
                    }
                    continue;
                }
                Err(Failed::Moved(e) | Failed::Other(e)) => e,
            };
            self.outage.failed();
            tracing::error!(error = %e, "audit batch failed; every waiter gets an error");
            let e = Arc::new(e);
            for reply in replies {
                let _ = reply.send(Err(db_error(&e)));
            }
            return;
        }
    }

    /// One commit onto the head this writer knows, without a lock.
    async fn try_optimistic(
        &mut self,
        batches: &[Vec<NewAuditEvent>],
    ) -> Result<Committed, Failed> {
        let head = self
            .ensure_head()
            .await
            .map_err(|e| Failed::Other(DbErr::Custom(e.to_string())))?;
        let built = self.build(&head, batches);
        let expected = built.new_head.clone();
        match self.commit(head.clone(), built).await {
            Ok(done) => Ok(done),
            Err(e) => Err(self.after_failed_commit(e, &head, &expected).await),
        }
    }

    /// PostgreSQL under contention: one transaction that takes the commit lock, reads
    /// the head under it and chains the batches onto it (only a writer not yet taking
    /// the lock can still win the race).
    async fn try_locked(&mut self, batches: &[Vec<NewAuditEvent>]) -> Result<Committed, Failed> {
        let txn = self.conn.begin().await.map_err(Failed::Other)?;
        txn.execute_unprepared(PG_COMMIT_LOCK)
            .await
            .map_err(Failed::Other)?;
        let head = load_head(&txn).await.map_err(Failed::Other)?;
        let built = self.build(&head, batches);
        let expected = built.new_head.clone();
        let inserted = commit_with(&head, built, |rows| async move {
            insert_chunks(&txn, rows).await?;
            txn.commit().await
        })
        .await;
        match inserted {
            Ok(done) => Ok(done),
            Err(e) => Err(self.after_failed_commit(e, &head, &expected).await),
        }
    }

    /// After a failed commit onto `head`: the chain may have moved (another writer) or
    /// the commit may have landed despite the error; the head is taken from the database.
    async fn after_failed_commit(&mut self, e: DbErr, head: &Head, expected: &Head) -> Failed {
        match load_head(&self.conn).await {
            // Our own commit is the head: it landed; never append it twice (its waiters
            // still get an error: nothing is lost, a request fails that could have not).
            Ok(h) if h == *expected => {
                tracing::warn!(error = %e, "audit commit reported an error but landed");
                self.head = Some(h);
                Failed::Other(e)
            }
            Ok(h) => {
                let moved = h != *head;
                self.head = Some(h);
                if moved {
                    Failed::Moved(e)
                } else {
                    Failed::Other(e)
                }
            }
            Err(re) => {
                tracing::warn!(error = %re, "cannot re-read the audit head; will retry");
                self.head = None;
                Failed::Other(e)
            }
        }
    }

    /// The rows of `batches` chained onto `head`, the commit's signed head in its last
    /// row, and each batch's seqs.
    fn build(&self, head: &Head, batches: &[Vec<NewAuditEvent>]) -> Built {
        let mut rows = Vec::new();
        let mut ranges = Vec::with_capacity(batches.len());
        let mut prev = head.hash.clone();
        let mut seq = head.seq;
        for events in batches {
            let first = seq + 1;
            for ev in events {
                seq += 1;
                let row = to_row(seq, ev.clone(), prev);
                prev = row.hash.clone();
                rows.push(row);
            }
            ranges.push(first..=seq);
        }
        let new_head = Head { seq, hash: prev };
        // The commit's head is signed in its own last row: no committed event is ever
        // outside a signed checkpoint, and signing costs no extra statement.
        let record = rows.last_mut().map(|last| {
            let message = checkpoint_message(last.seq, &last.hash, &last.occurred_at);
            let signature = hex::encode(self.keys.signing_key.sign(message.as_bytes()).to_bytes());
            last.signature = Some(signature.clone());
            WitnessRecord {
                seq: last.seq,
                head_hash: last.hash.clone(),
                signed_at: super::chain::canonical_time(&last.occurred_at),
                signature,
                public_key: hex::encode(self.keys.verifying_key().as_bytes()),
            }
        });
        Built {
            rows,
            ranges,
            new_head,
            record,
        }
    }

    async fn commit(&mut self, head: Head, built: Built) -> Result<Committed, DbErr> {
        commit_with(&head, built, |rows| insert_rows(&self.conn, rows)).await
    }

    /// After a commit: the new head, the witness, then the replies.
    fn committed(
        &mut self,
        new_head: Head,
        record: Option<WitnessRecord>,
        waiters: Vec<(AppendReply, std::ops::RangeInclusive<i64>)>,
    ) {
        self.head = Some(new_head);
        self.commits.fetch_add(1, Ordering::Relaxed);
        // Witnessed before anyone waiting on this commit is answered; a witness that
        // cannot be written fails the requests (their events stay in the trail, and the
        // next commit's head covers them).
        let witnessed = match (&mut self.witness, &record) {
            (Some(w), Some(r)) => w.append(r).map_err(|e| {
                tracing::error!(error = %e, "audit witness unavailable");
                Arc::new(e)
            }),
            _ => Ok(()),
        };
        if let (Some(h), Some(r)) = (&self.http_witness, record) {
            h.publish(r);
        }
        for (reply, seqs) in waiters {
            let _ = reply.send(match &witnessed {
                Ok(()) => Ok(seqs.collect()),
                Err(e) => Err(AuditError::Witness(e.clone())),
            });
        }
    }

    async fn auto_checkpoint(&mut self, why: &'static str) {
        if let Err(e) = self.write_checkpoint().await {
            tracing::warn!(error = %e, trigger = why, "automatic audit checkpoint failed");
        }
    }

    async fn write_checkpoint(&mut self) -> Result<(), Arc<DbErr>> {
        let head = self.ensure_head().await?;
        let created_at = truncate_timestamp(Utc::now());
        let message = checkpoint_message(head.seq, &head.hash, &created_at);
        let signature = self.keys.signing_key.sign(message.as_bytes());
        let row = audit_checkpoint::ActiveModel {
            id: NotSet,
            seq: Set(head.seq),
            head_hash: Set(head.hash.clone()),
            created_at: Set(created_at),
            signature: Set(hex::encode(signature.to_bytes())),
            public_key: Set(hex::encode(self.keys.verifying_key().as_bytes())),
        };
        let span = tracing::info_span!("audit_checkpoint", seq = head.seq);
        audit_checkpoint::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .instrument(span)
            .await
            .map_err(Arc::new)?;
        self.last_checkpoint_seq = head.seq;
        Ok(())
    }
}

/// Why a commit failed: another writer moved the head first, or anything else.
enum Failed {
    Moved(DbErr),
    Other(DbErr),
}

/// Commits `built` onto `head` with `insert` (on its own or inside a locked transaction).
async fn commit_with<F, Fut>(head: &Head, built: Built, insert: F) -> Result<Committed, DbErr>
where
    F: FnOnce(Vec<audit_event::Model>) -> Fut,
    Fut: std::future::Future<Output = Result<(), DbErr>>,
{
    let Built {
        rows,
        ranges,
        new_head,
        record,
    } = built;
    let (waiters, events) = (ranges.len(), rows.len());
    timed_commit(head, &new_head, waiters, events, insert(rows)).await?;
    Ok((new_head, record, ranges))
}

/// Runs one commit's statements in its span, recording its duration and size.
async fn timed_commit(
    head: &Head,
    new_head: &Head,
    waiters: usize,
    events: usize,
    statements: impl std::future::Future<Output = Result<(), DbErr>>,
) -> Result<(), DbErr> {
    let span = tracing::info_span!(
        "audit_commit",
        events,
        waiters,
        first_seq = head.seq + 1,
        last_seq = new_head.seq,
    );
    let start = std::time::Instant::now();
    let result = statements.instrument(span.clone()).await;
    metrics::histogram!("archive_hub_audit_commit_seconds").record(start.elapsed().as_secs_f64());
    metrics::histogram!("archive_hub_audit_batch_events").record(events as f64);
    if result.is_ok() {
        span.in_scope(|| tracing::debug!("audit batch committed"));
    }
    result
}

fn msg_events(m: &Msg) -> usize {
    match m {
        Msg::Append { events, .. } => events.len(),
        Msg::Checkpoint { .. } => 0,
    }
}

/// Builds the stored row for `ev` at `seq`, chained to `prev_hash`.
pub(crate) fn to_row(seq: i64, ev: NewAuditEvent, prev_hash: String) -> audit_event::Model {
    let fields = super::fields_json(&ev.fields);
    let mut row = audit_event::Model {
        seq,
        occurred_at: truncate_timestamp(ev.occurred_at),
        consumer_id: ev.consumer_id,
        consumer_name: ev.consumer_name,
        consumer_department: ev.consumer_department,
        purpose: ev.purpose,
        request_id: ev.request_id,
        subject: ev.subject,
        fields,
        policy_version: ev.policy_version,
        prev_hash,
        hash: String::new(),
        signature: None,
    };
    row.hash = event_hash(&row);
    row
}

async fn insert_rows(
    conn: &DatabaseConnection,
    rows: Vec<audit_event::Model>,
) -> Result<(), DbErr> {
    // One multi-row INSERT is atomic by itself: a batch that fits in one statement needs
    // no BEGIN/COMMIT round trips, which is most of a small batch's latency.
    if rows.len() <= ROWS_PER_INSERT {
        let all: Vec<audit_event::ActiveModel> = rows
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect();
        return audit_event::Entity::insert_many(all)
            .exec_without_returning(conn)
            .await
            .map(|_| ());
    }
    let txn = conn.begin().await?;
    insert_chunks(&txn, rows).await?;
    txn.commit().await
}

/// The rows, [`ROWS_PER_INSERT`] per statement, on `conn` (a transaction).
async fn insert_chunks(
    conn: &impl ConnectionTrait,
    rows: Vec<audit_event::Model>,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<audit_event::ActiveModel> = rows
            .by_ref()
            .take(ROWS_PER_INSERT)
            .map(IntoActiveModel::into_active_model)
            .collect();
        audit_event::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
