//! Verification of a stored trail: seq contiguity, every hash, every link, every signed
//! checkpoint, and that no checkpoint reaches past the last event.

use ed25519_dalek::{Signature, VerifyingKey};
use entities::hub::{audit_checkpoint, audit_event};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use std::collections::BTreeMap;

use super::chain::{checkpoint_message, event_hash, GENESIS_HASH};
use super::witness::WitnessRecord;
use super::AuditError;

/// Whether `signature` (hex) is `key`'s Ed25519 signature of `message`.
fn signature_verifies(key: &VerifyingKey, signature: &str, message: &str) -> bool {
    hex::decode(signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .is_some_and(|sig| key.verify_strict(message.as_bytes(), &sig).is_ok())
}

/// Rows read per query while verifying.
const PAGE: u64 = 1_000;

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Event rows in the table.
    pub events: u64,
    /// Checkpoint rows in the table.
    pub checkpoints: u64,
    /// The first problem: the lowest seq that cannot be trusted, and why (English).
    pub first_bad: Option<(i64, String)>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// Checkpoints in (seq, id) order, a page at a time.
struct Checkpoints<'a> {
    conn: &'a DatabaseConnection,
    page: std::collections::VecDeque<audit_checkpoint::Model>,
    after: Option<(i64, i64)>,
    done: bool,
}

impl<'a> Checkpoints<'a> {
    fn new(conn: &'a DatabaseConnection) -> Self {
        Self {
            conn,
            page: Default::default(),
            after: None,
            done: false,
        }
    }

    async fn peek(&mut self) -> Result<Option<&audit_checkpoint::Model>, AuditError> {
        if self.page.is_empty() && !self.done {
            let mut q = audit_checkpoint::Entity::find()
                .order_by_asc(audit_checkpoint::Column::Seq)
                .order_by_asc(audit_checkpoint::Column::Id)
                .limit(PAGE);
            if let Some((seq, id)) = self.after {
                q = q.filter(
                    Condition::any()
                        .add(audit_checkpoint::Column::Seq.gt(seq))
                        .add(
                            Condition::all()
                                .add(audit_checkpoint::Column::Seq.eq(seq))
                                .add(audit_checkpoint::Column::Id.gt(id)),
                        ),
                );
            }
            let rows = q.all(self.conn).await.map_err(AuditError::db)?;
            self.done = (rows.len() as u64) < PAGE;
            if let Some(last) = rows.last() {
                self.after = Some((last.seq, last.id));
            }
            self.page.extend(rows);
        }
        Ok(self.page.front())
    }

    async fn next(&mut self) -> Result<Option<audit_checkpoint::Model>, AuditError> {
        self.peek().await?;
        Ok(self.page.pop_front())
    }
}

/// Why `cp` cannot be trusted as a statement about `head_hash` (the chain's hash at
/// `cp.seq`, or `None` when the chain ends at `last_seq < cp.seq`): the first seq it puts in
/// doubt, and the reason.
fn checkpoint_problem(
    cp: &audit_checkpoint::Model,
    key: &VerifyingKey,
    head_hash: Option<&str>,
    last_seq: i64,
) -> Option<(i64, String)> {
    let message = checkpoint_message(cp.seq, &cp.head_hash, &cp.created_at);
    let signed = hex::decode(&cp.signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .is_some_and(|sig| key.verify_strict(message.as_bytes(), &sig).is_ok());
    if !signed {
        let other_key = if cp.public_key != hex::encode(key.as_bytes()) {
            " (it names a different public key)"
        } else {
            ""
        };
        return Some((
            cp.seq.max(0),
            format!(
                "checkpoint #{} at seq {} does not verify with the trusted key{other_key}: \
                 it was forged or altered",
                cp.id, cp.seq
            ),
        ));
    }
    match head_hash {
        None => Some((
            last_seq + 1,
            format!(
                "signed checkpoint #{} covers seq {} but the trail ends at seq {last_seq}: \
                 events {}..={} were removed (truncated tail)",
                cp.id,
                cp.seq,
                last_seq + 1,
                cp.seq
            ),
        )),
        Some(h) if h != cp.head_hash => Some((
            cp.seq,
            format!(
                "the chain's hash at seq {} differs from the one signed in checkpoint #{}: \
                 events up to seq {} were altered and the chain recomputed",
                cp.seq, cp.id, cp.seq
            ),
        )),
        Some(_) => None,
    }
}

/// Verifies the whole trail: contiguity of seq from 1, every row's hash recomputed, every
/// `prev_hash` link, every checkpoint's signature (with `key`) and that the chain at each
/// checkpoint's seq has that head hash, and that no checkpoint's seq exceeds the last event
/// (truncated tail). Returns the counts and the first problem found; `Err` only when the
/// database cannot be read.
///
/// Every group commit signs its head in its last row, so an event after the last signature
/// was cut from a commit or forged. Each `witnesses` record (a signed head kept outside the
/// database) must verify with `key` and match the trail's hash at its seq; a trail shorter
/// than any witnessed head — empty included — fails.
pub async fn verify(
    conn: &DatabaseConnection,
    key: &VerifyingKey,
    witnesses: &[WitnessRecord],
) -> Result<VerifyReport, AuditError> {
    let mut report = VerifyReport {
        events: 0,
        checkpoints: 0,
        first_bad: None,
    };
    let trusted = hex::encode(key.as_bytes());
    let mut witnessed: BTreeMap<i64, &WitnessRecord> = BTreeMap::new();
    for w in witnesses {
        // The same message the writer signed, rebuilt from the record's own fields.
        let signed = chrono::DateTime::parse_from_rfc3339(&w.signed_at)
            .ok()
            .map(|t| checkpoint_message(w.seq, &w.head_hash, &t.with_timezone(&chrono::Utc)))
            .is_some_and(|message| signature_verifies(key, &w.signature, &message));
        if !signed {
            let why = if w.public_key != trusted {
                "was signed by a different key than the trusted one (key replaced?)"
            } else {
                "does not verify with the trusted key (witness altered)"
            };
            return Ok(VerifyReport {
                first_bad: Some((
                    w.seq.max(0),
                    format!("the witnessed head at seq {} {why}", w.seq),
                )),
                ..report
            });
        }
        witnessed.insert(w.seq, w);
    }
    let mut last_signed: i64 = 0;
    let mut cps = Checkpoints::new(conn);
    let mut expected: i64 = 1;
    let mut prev_hash = GENESIS_HASH.to_string();

    // Checkpoints before the first event (seq 0 or, invalidly, negative).
    while let Some(cp) = cps.peek().await? {
        if cp.seq > 0 {
            break;
        }
        let Some(cp) = cps.next().await? else { break };
        report.checkpoints += 1;
        if report.first_bad.is_none() {
            report.first_bad = if cp.seq < 0 {
                Some((0, format!("checkpoint #{} has a negative seq", cp.id)))
            } else {
                checkpoint_problem(&cp, key, Some(GENESIS_HASH), 0)
            };
        }
    }

    let mut after: i64 = i64::MIN;
    loop {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after))
            .order_by_asc(audit_event::Column::Seq)
            .limit(PAGE)
            .all(conn)
            .await
            .map_err(AuditError::db)?;
        let full = rows.len() as u64 == PAGE;
        for row in rows {
            after = row.seq;
            report.events += 1;
            if report.first_bad.is_some() {
                continue;
            }
            if row.seq != expected {
                let why = if row.seq > expected {
                    format!(
                        "seq {expected} is missing (the next row has seq {})",
                        row.seq
                    )
                } else {
                    format!("unexpected seq {} where seq {expected} was due", row.seq)
                };
                report.first_bad = Some((expected, why));
                continue;
            }
            if row.prev_hash != prev_hash {
                report.first_bad = Some((
                    row.seq,
                    format!(
                        "prev_hash does not match the hash of seq {} (broken link)",
                        row.seq - 1
                    ),
                ));
                continue;
            }
            if event_hash(&row) != row.hash {
                report.first_bad = Some((
                    row.seq,
                    "the stored hash does not match the row's content (row altered)".to_string(),
                ));
                continue;
            }
            if let Some(sig) = &row.signature {
                let message = checkpoint_message(row.seq, &row.hash, &row.occurred_at);
                if !signature_verifies(key, sig, &message) {
                    report.first_bad = Some((
                        row.seq,
                        "the head signed at this event does not verify with the trusted key"
                            .to_string(),
                    ));
                    continue;
                }
                last_signed = row.seq;
            }
            if let Some(w) = witnessed.get(&row.seq) {
                if w.head_hash != row.hash {
                    report.first_bad = Some((
                        row.seq,
                        format!(
                            "the chain's hash at seq {} differs from the witnessed head: the \
                             trail was rewritten",
                            row.seq
                        ),
                    ));
                    continue;
                }
            }
            prev_hash = row.hash;
            expected += 1;
            // Checkpoints signed at this seq.
            while let Some(cp) = cps.peek().await? {
                if cp.seq > row.seq {
                    break;
                }
                let Some(cp) = cps.next().await? else { break };
                report.checkpoints += 1;
                if report.first_bad.is_none() {
                    report.first_bad = checkpoint_problem(&cp, key, Some(&prev_hash), row.seq);
                    if report.first_bad.is_none() && cp.seq == row.seq {
                        last_signed = row.seq;
                    }
                }
            }
        }
        if !full {
            break;
        }
    }

    // Checkpoints past the last event: a truncated tail (or a forged checkpoint).
    let last_seq = expected - 1;
    while let Some(cp) = cps.next().await? {
        report.checkpoints += 1;
        if report.first_bad.is_none() {
            report.first_bad = checkpoint_problem(&cp, key, None, last_seq);
        }
    }
    if report.first_bad.is_none() {
        if let Some((&seq, _)) = witnessed.range(last_seq + 1..).next() {
            report.first_bad = Some((
                last_seq + 1,
                format!(
                    "a witness holds the signed head at seq {seq}, but the trail ends at seq \
                     {last_seq}: events were removed"
                ),
            ));
        } else if last_seq > last_signed {
            report.first_bad = Some((
                last_signed + 1,
                format!(
                    "events {}..={last_seq} are covered by no signed head: cut from their \
                     commit or forged",
                    last_signed + 1
                ),
            ));
        }
    }
    Ok(report)
}
