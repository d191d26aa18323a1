//! One round trip for the departments that share a database: inside [`together`] (a
//! batch's department reads, polled by one task), the SQL reads on one pool that start in
//! the same poll go out as one wide union ([`super::wide`]) instead of one statement each.
//!
//! The first read of a pool in a poll leads: it yields once, so that its siblings — polled
//! after it in the same pass — add their parts, then runs the statement for all of them
//! and hands each its rows. Everything happens in the one task, so a cancelled batch drops
//! leader and followers together; a read outside [`together`] (or one a source spawned)
//! reads alone. A failed shared statement is not the followers' failure: unless the
//! database itself is unreachable, each part is read again alone, so a broken table fails
//! only its own department.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::oneshot;

use super::wide::{self, Part, Rows};

tokio::task_local! {
    static ROUND: Round;
}

/// Runs `batch` (the department reads of one batch) so that reads on a shared pool go out
/// together.
pub async fn together<F: Future>(batch: F) -> F::Output {
    ROUND.scope(Round::default(), batch).await
}

/// The parts submitted and not yet taken by a leader.
#[derive(Clone, Default)]
struct Round(Arc<Mutex<Vec<Submission>>>);

struct Submission {
    pool: usize,
    read: &'static wide::Read,
    ids: Vec<String>,
    statements: Arc<AtomicU64>,
    tx: oneshot::Sender<Outcome>,
}

/// What a part of a shared statement gets back.
pub enum Outcome {
    Rows(Rows),
    /// The shared statement failed on something other than reaching the database: read
    /// this part alone.
    Alone,
    Failed(DbErr),
}

/// Where a department's SQL source reads from.
#[derive(Clone)]
pub struct Pool {
    pub conn: DatabaseConnection,
    /// Sources with the same id read one database (one pool).
    pub id: usize,
    /// Statements that read this department (a shared one counts for each of its parts).
    pub statements: Arc<AtomicU64>,
}

/// `read` for `ids` as part of this poll's shared statement on `pool`; `None` outside
/// [`together`] — the caller then reads alone.
pub async fn read(pool: &Pool, read: &'static wide::Read, ids: Vec<String>) -> Option<Outcome> {
    let round = ROUND.try_with(Round::clone).ok()?;
    let (tx, rx) = oneshot::channel();
    let leader = {
        let mut open = round.0.lock().unwrap_or_else(PoisonError::into_inner);
        let leader = !open.iter().any(|s| s.pool == pool.id);
        open.push(Submission {
            pool: pool.id,
            read,
            ids,
            statements: pool.statements.clone(),
            tx,
        });
        leader
    };
    if leader {
        // Taken on drop too: a leader cancelled during its yield must not leave its
        // followers waiting for a statement nobody will run (they then read alone).
        let mut taking = Taking {
            round: &round,
            pool: pool.id,
            taken: false,
        };
        tokio::task::yield_now().await;
        let parts = taking.take();
        run(&pool.conn, parts).await;
    }
    // A leader that was dropped took the sender with it: read alone.
    Some(rx.await.unwrap_or(Outcome::Alone))
}

/// The leader's claim on its pool's submissions.
struct Taking<'a> {
    round: &'a Round,
    pool: usize,
    taken: bool,
}

impl Taking<'_> {
    fn take(&mut self) -> Vec<Submission> {
        self.taken = true;
        let mut open = self.round.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (mine, rest) = std::mem::take(&mut *open)
            .into_iter()
            .partition(|s| s.pool == self.pool);
        *open = rest;
        mine
    }
}

impl Drop for Taking<'_> {
    fn drop(&mut self) {
        if !self.taken {
            drop(self.take());
        }
    }
}

async fn run(conn: &DatabaseConnection, parts: Vec<Submission>) {
    let result = {
        let reads: Vec<Part<'_>> = parts
            .iter()
            .map(|s| Part {
                read: s.read,
                ids: &s.ids,
            })
            .collect();
        wide::read_many(conn, &reads).await
    };
    let alone = parts.len() == 1;
    match result {
        Ok(rows) => {
            // The statement ran on the leader's connection, which counted it for the
            // leader's department; it read the others too.
            for s in parts.iter().skip(1) {
                s.statements.fetch_add(1, Ordering::Relaxed);
            }
            for (s, rows) in parts.into_iter().zip(rows) {
                let _ = s.tx.send(Outcome::Rows(rows));
            }
        }
        Err(e) if alone || unreachable(&e) => {
            for s in parts {
                let _ = s.tx.send(Outcome::Failed(DbErr::Custom(e.to_string())));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, parts = parts.len(), "shared read failed; reading each department alone");
            for s in parts {
                let _ = s.tx.send(Outcome::Alone);
            }
        }
    }
}

/// The database could not be reached: every part would fail alone too, and reading them
/// again would only double the time to fail.
fn unreachable(e: &DbErr) -> bool {
    matches!(e, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}
