//! The audit trail's two secrets: the HMAC key that turns ID numbers into subjects, and
//! the Ed25519 key that signs checkpoints. Both live in hex files readable by the owner only.

use std::fmt;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use rand::TryRngCore;

use super::AuditError;

/// Length in bytes of both keys.
pub const KEY_LEN: usize = 32;

/// The subject HMAC key and the checkpoint signing key.
pub struct AuditKeys {
    /// HMAC-SHA256 key for [`super::AuditLog::subject`], 32 bytes.
    pub subject_key: Vec<u8>,
    /// Ed25519 key that signs checkpoints.
    pub signing_key: SigningKey,
}

impl fmt::Debug for AuditKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditKeys")
            .field("subject_key", &"<redacted>")
            .field(
                "verifying_key",
                &hex::encode(self.verifying_key().as_bytes()),
            )
            .finish()
    }
}

impl AuditKeys {
    /// Loads the two keys from files (hex), creating them with fresh random keys (file mode
    /// 0600) when missing.
    pub fn load_or_create(
        subject_key_file: &Path,
        signing_key_file: &Path,
    ) -> Result<Self, AuditError> {
        let subject_key = load_or_create_key(subject_key_file)?;
        let seed = load_or_create_key(signing_key_file)?;
        Ok(Self {
            subject_key: subject_key.to_vec(),
            signing_key: SigningKey::from_bytes(&seed),
        })
    }

    /// The existing keys, never creating one: verification must not invent the key it
    /// checks against.
    pub fn load_existing(
        subject_key_file: &Path,
        signing_key_file: &Path,
    ) -> Result<Self, AuditError> {
        let read = |path: &Path| -> Result<[u8; KEY_LEN], AuditError> {
            let text = std::fs::read_to_string(path).map_err(|e| key_io(path, e))?;
            parse_key(path, &text)
        };
        let subject_key = read(subject_key_file)?;
        let seed = read(signing_key_file)?;
        Ok(Self {
            subject_key: subject_key.to_vec(),
            signing_key: SigningKey::from_bytes(&seed),
        })
    }

    /// The public half of the signing key: what [`super::verify`] needs.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing_key.verifying_key()
    }
}

fn key_io(path: &Path, source: std::io::Error) -> AuditError {
    AuditError::KeyFile {
        path: path.to_path_buf(),
        source,
    }
}

fn load_or_create_key(path: &Path) -> Result<[u8; KEY_LEN], AuditError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            parse_key(path, &text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key(path),
        Err(e) => Err(key_io(path, e)),
    }
}

fn parse_key(path: &Path, text: &str) -> Result<[u8; KEY_LEN], AuditError> {
    let bytes = hex::decode(text.trim()).map_err(|_| AuditError::BadKey {
        path: path.to_path_buf(),
        reason: "not hexadecimal",
    })?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| AuditError::BadKey {
        path: path.to_path_buf(),
        reason: "not 32 bytes (64 hex digits)",
    })
}

fn create_key(path: &Path) -> Result<[u8; KEY_LEN], AuditError> {
    let mut key = [0u8; KEY_LEN];
    OsRng.try_fill_bytes(&mut key).map_err(AuditError::Random)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| key_io(parent, e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = match opts.open(path) {
        Ok(f) => f,
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(|e| key_io(path, e))?;
            return parse_key(path, &text);
        }
        Err(e) => return Err(key_io(path, e)),
    };
    file.write_all(format!("{}\n", hex::encode(key)).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| key_io(path, e))?;
    tracing::info!(path = %path.display(), "created a new audit key file");
    Ok(key)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                "audit key file is accessible to other users; it should be mode 0600"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_reloads_the_same_keys() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("keys/subject.key");
        let k = dir.path().join("keys/signing.key");
        let a = AuditKeys::load_or_create(&s, &k).unwrap();
        let b = AuditKeys::load_or_create(&s, &k).unwrap();
        assert_eq!(a.subject_key, b.subject_key);
        assert_eq!(a.subject_key.len(), KEY_LEN);
        assert_eq!(a.verifying_key(), b.verifying_key());
        assert_ne!(a.subject_key, a.signing_key.to_bytes().to_vec());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [&s, &k] {
                let mode = std::fs::metadata(p).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", p.display());
            }
        }
        assert!(!format!("{a:?}").contains(&hex::encode(&a.subject_key)));
    }

    #[test]
    fn rejects_malformed_key_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("subject.key");
        let k = dir.path().join("signing.key");
        std::fs::write(&s, "zz").unwrap();
        assert!(matches!(
            AuditKeys::load_or_create(&s, &k),
            Err(AuditError::BadKey { .. })
        ));
        std::fs::write(&s, "abcd").unwrap();
        assert!(matches!(
            AuditKeys::load_or_create(&s, &k),
            Err(AuditError::BadKey { .. })
        ));
        std::fs::write(&s, format!("  {}\n", "0a".repeat(32))).unwrap();
        let keys = AuditKeys::load_or_create(&s, &k).unwrap();
        assert_eq!(keys.subject_key, vec![0x0a; 32]);
    }
}
