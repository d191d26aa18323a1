//! Consumer keys: `ahk_<key id>_<secret>`, a 256-bit random secret stored only as its
//! SHA-256 hash and shown once.

use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// A freshly generated key: the full key (shown once) and what is stored.
pub struct NewKey {
    pub key: String,
    pub key_id: String,
    pub key_hash: String,
}

#[derive(Debug, thiserror::Error)]
#[error("no secure random source")]
pub struct RandomError;

pub fn generate() -> Result<NewKey, RandomError> {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    OsRng.try_fill_bytes(&mut id).map_err(|_| RandomError)?;
    OsRng.try_fill_bytes(&mut secret).map_err(|_| RandomError)?;
    let key_id = hex::encode(id);
    let secret = hex::encode(secret);
    Ok(NewKey {
        key: format!("ahk_{key_id}_{secret}"),
        key_hash: hash_secret(&secret),
        key_id,
    })
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Splits a presented key into (key id, secret); `None` when it is not of our form.
pub fn split(key: &str) -> Option<(&str, &str)> {
    let rest = key.trim().strip_prefix("ahk_")?;
    let (id, secret) = rest.split_once('_')?;
    (id.len() == 12 && secret.len() == 64).then_some((id, secret))
}

/// Constant-time comparison of the presented secret's hash with the stored one.
pub fn verify(secret: &str, stored_hash: &str) -> bool {
    let a = hash_secret(secret);
    let (a, b) = (a.as_bytes(), stored_hash.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.key, b.key);
        let (id, secret) = split(&a.key).unwrap();
        assert_eq!(id, a.key_id);
        assert!(verify(secret, &a.key_hash));
        assert!(!verify(secret, &b.key_hash));
        assert!(split("ahk_short_x").is_none());
        assert!(!a.key_hash.contains(secret));
    }
}
