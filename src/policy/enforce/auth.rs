//! Authentication: which registered consumer a presented key belongs to, and whether the
//! declared purpose is one it may use. Runs before the request body is even read.

use std::sync::Arc;

use super::super::{Consumer, PolicySnapshot};
use crate::error::{ForbiddenReason, HubError};

/// Finds the (unrevoked) consumer a presented key belongs to.
pub fn authenticate_key(
    snapshot: &PolicySnapshot,
    key: Option<&str>,
) -> Result<Arc<Consumer>, HubError> {
    let (key_id, secret) = key
        .and_then(super::super::keys::split)
        .ok_or(HubError::Unauthenticated)?;
    snapshot
        .consumers
        .get(key_id)
        .filter(|c| !c.revoked && super::super::keys::verify(secret, &c.key_hash))
        .cloned()
        .ok_or(HubError::Unauthenticated)
}

/// Finds the consumer for a presented key and checks the declared purpose; returns the
/// consumer and the purpose, trimmed.
pub fn authenticate(
    snapshot: &PolicySnapshot,
    key: Option<&str>,
    purpose: Option<&str>,
) -> Result<(Arc<Consumer>, String), HubError> {
    let consumer = authenticate_key(snapshot, key)?;
    let purpose = declared_purpose(snapshot, &consumer, purpose)?;
    Ok((consumer, purpose))
}

/// Checks the purpose a consumer declares (trimmed): one the policy knows and allows it.
pub fn declared_purpose(
    snapshot: &PolicySnapshot,
    consumer: &Consumer,
    purpose: Option<&str>,
) -> Result<String, HubError> {
    let purpose = purpose
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or(HubError::forbidden(ForbiddenReason::PurposeMissing))?;
    if !snapshot.purposes.contains_key(purpose) || !consumer.purposes.iter().any(|p| p == purpose) {
        // Echo back only a short, printable form of what the caller sent.
        let shown: String = purpose
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .take(64)
            .collect();
        return Err(HubError::Forbidden {
            reason: ForbiddenReason::PurposeNotAllowed,
            field: None,
            consumer: None,
            purpose: Some(shown),
            seen: None,
        });
    }
    Ok(purpose.to_string())
}
