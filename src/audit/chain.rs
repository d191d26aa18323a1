//! The canonical encoding of audit rows and checkpoints: what is hashed and what is signed.
//!
//! A row's hash is SHA-256 over a domain tag followed by every column except `hash`, each
//! length-prefixed (8-byte big-endian length, then the UTF-8 bytes), in a fixed order:
//! `seq, occurred_at, consumer_id, consumer_name, consumer_department, purpose, request_id,
//! subject, fields, policy_version, prev_hash`. Integers are written in decimal; the
//! optional department is a presence byte (`0` or `1`) followed, when present, by its
//! length-prefixed value; timestamps are RFC 3339 in UTC with a `Z` suffix.
//!
//! Timestamps are stored with whole-second precision: MariaDB's `timestamp` column keeps
//! no fraction, so the writer truncates before hashing and the same text comes back from
//! SQLite, PostgreSQL and MariaDB. A stored value with a fraction (which the writer never
//! produces) is encoded with its fraction, so altering it still changes the hash.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use entities::hub::audit_event;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event (seq 1): 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const EVENT_DOMAIN: &[u8] = b"archive-hub/audit-event/v1";

/// Drops the sub-second part: the precision every supported backend round-trips.
pub fn truncate_timestamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// The canonical text of a timestamp: RFC 3339, UTC, `Z`, whole seconds (a fraction only if
/// the value has one, which the writer never stores).
pub fn canonical_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn put(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

/// The bytes that are hashed for `row` (every column but `hash`).
pub fn canonical_event_bytes(row: &audit_event::Model) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256 + row.fields.len());
    put(&mut buf, EVENT_DOMAIN);
    put(&mut buf, row.seq.to_string().as_bytes());
    put(&mut buf, canonical_time(&row.occurred_at).as_bytes());
    put(&mut buf, row.consumer_id.to_string().as_bytes());
    put(&mut buf, row.consumer_name.as_bytes());
    match &row.consumer_department {
        None => buf.push(0),
        Some(d) => {
            buf.push(1);
            put(&mut buf, d.as_bytes());
        }
    }
    put(&mut buf, row.purpose.as_bytes());
    put(&mut buf, row.request_id.as_bytes());
    put(&mut buf, row.subject.as_bytes());
    put(&mut buf, row.fields.as_bytes());
    put(&mut buf, row.policy_version.to_string().as_bytes());
    put(&mut buf, row.prev_hash.as_bytes());
    buf
}

/// The hash a row must carry: lowercase hex SHA-256 of [`canonical_event_bytes`]. The
/// row's own `hash` column is ignored.
pub fn event_hash(row: &audit_event::Model) -> String {
    hex::encode(Sha256::digest(canonical_event_bytes(row)))
}

/// The message a checkpoint signs: `"{seq}|{head_hash}|{created_at}"`, with `created_at` in
/// the canonical RFC 3339 form.
pub fn checkpoint_message(seq: i64, head_hash: &str, created_at: &DateTime<Utc>) -> String {
    format!("{seq}|{head_hash}|{}", canonical_time(created_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row() -> audit_event::Model {
        audit_event::Model {
            seq: 1,
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 30, 5).unwrap(),
            consumer_id: 7,
            consumer_name: "社保系统".into(),
            consumer_department: Some("hrss_social".into()),
            purpose: "ELIGIBILITY".into(),
            request_id: "req-1".into(),
            subject: "ab".repeat(32),
            fields: r#"[{"field":"Person.trainings","decision":"ALLOWED"}]"#.into(),
            policy_version: 3,
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
            signature: None,
        }
    }

    #[test]
    fn known_answer_guards_the_encoding() {
        // Computed independently (Python: sha256 over the documented length-prefixed
        // encoding). If this changes, every stored trail stops verifying.
        assert_eq!(
            event_hash(&row()),
            "69dce1a30a6555450ae81098d42611808e60db39e0514ac97bbc8c5ee1b87abe"
        );
    }

    #[test]
    fn every_column_changes_the_hash() {
        let base = event_hash(&row());
        let mut variants = Vec::new();
        let mut r = row();
        r.seq = 2;
        variants.push(r);
        let mut r = row();
        r.occurred_at += chrono::Duration::seconds(1);
        variants.push(r);
        let mut r = row();
        r.occurred_at += chrono::Duration::milliseconds(1);
        variants.push(r);
        let mut r = row();
        r.consumer_id = 8;
        variants.push(r);
        let mut r = row();
        r.consumer_name.push('x');
        variants.push(r);
        let mut r = row();
        r.consumer_department = None;
        variants.push(r);
        let mut r = row();
        r.consumer_department = Some(String::new());
        variants.push(r);
        let mut r = row();
        r.purpose.push('x');
        variants.push(r);
        let mut r = row();
        r.request_id.push('x');
        variants.push(r);
        let mut r = row();
        r.subject = "cd".repeat(32);
        variants.push(r);
        let mut r = row();
        r.fields = "[]".into();
        variants.push(r);
        let mut r = row();
        r.policy_version = 4;
        variants.push(r);
        let mut r = row();
        r.prev_hash = "1".repeat(64);
        variants.push(r);
        let mut seen = std::collections::HashSet::new();
        seen.insert(base.clone());
        for v in &variants {
            assert!(seen.insert(event_hash(v)), "collision for {v:?}");
        }
        // The stored hash column itself is not part of the encoding.
        let mut r = row();
        r.hash = "f".repeat(64);
        assert_eq!(event_hash(&r), base);
    }

    #[test]
    fn length_prefixes_keep_adjacent_fields_apart() {
        let mut a = row();
        a.purpose = "AB".into();
        a.request_id = "C".into();
        let mut b = row();
        b.purpose = "A".into();
        b.request_id = "BC".into();
        assert_ne!(event_hash(&a), event_hash(&b));
    }

    #[test]
    fn timestamps_have_fixed_precision() {
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let t = truncate_timestamp(t);
        assert_eq!(canonical_time(&t), "2026-01-02T03:04:05Z");
        assert_eq!(checkpoint_message(9, "ab", &t), "9|ab|2026-01-02T03:04:05Z");
    }
}
