//! Witnesses: copies of the trail's signed heads kept **outside** the hub database, the way
//! Certificate Transparency logs publish signed tree heads. Someone who can rewrite the
//! database can then still not shorten, rewind or recompute the trail without `verify`
//! seeing it disagree with a witness.
//!
//! The writer signs the head of every group commit; each signed head is appended to an
//! append-only JSON-lines file (fsync'd before any response waiting on that commit is
//! sent) and, optionally, POSTed to an HTTP witness (for example the big-data bureau's),
//! in the background with retries.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One signed head, as a witness keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessRecord {
    pub seq: i64,
    pub head_hash: String,
    /// RFC 3339, whole seconds, UTC: part of the signed message.
    pub signed_at: String,
    /// Ed25519 over `checkpoint_message(seq, head_hash, signed_at)`, hex.
    pub signature: String,
    /// The signing key's public half, hex.
    pub public_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error("cannot write the audit witness file {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the audit witness file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("line {line} of the audit witness file {} is not a witness record", path.display())]
    Malformed { path: PathBuf, line: usize },
}

/// The append-only witness file.
#[derive(Debug)]
pub struct FileWitness {
    path: PathBuf,
    file: std::fs::File,
}

impl FileWitness {
    /// Opens (creating it and its directory if needed) the file for appending.
    pub fn open(path: &Path) -> Result<Self, WitnessError> {
        let err = |source| WitnessError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(err)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends one record and makes it durable.
    pub fn append(&mut self, record: &WitnessRecord) -> Result<(), WitnessError> {
        let err = |source| WitnessError::Write {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(record)
            .map_err(|e| err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(err)?;
        self.file.sync_data().map_err(err)
    }
}

/// Every record of a witness file, in order.
pub fn read_file(path: &Path) -> Result<Vec<WitnessRecord>, WitnessError> {
    let text = std::fs::read_to_string(path).map_err(|source| WitnessError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|_| WitnessError::Malformed {
                path: path.to_path_buf(),
                line: i + 1,
            })
        })
        .collect()
}

/// Publishes signed heads to an HTTP witness in the background: POST, one JSON record per
/// request, retried with backoff; a witness that stays down is logged, never blocks
/// requests (the file witness is the synchronous one).
#[derive(Debug, Clone)]
pub struct HttpWitness {
    tx: tokio::sync::mpsc::Sender<WitnessRecord>,
}

/// Records waiting for an HTTP witness before the oldest are dropped (and logged).
const HTTP_QUEUE: usize = 10_000;

impl HttpWitness {
    /// Starts the publishing task on the current runtime.
    pub fn start(url: String) -> Self {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<WitnessRecord>(HTTP_QUEUE);
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default();
            while let Some(record) = rx.recv().await {
                let send = || async {
                    client
                        .post(&url)
                        .json(&record)
                        .send()
                        .await
                        .and_then(|r| r.error_for_status())
                };
                let mut delay = Duration::from_millis(200);
                for attempt in 1..=5 {
                    match send().await {
                        Ok(_) => break,
                        Err(e) if attempt == 5 => {
                            tracing::error!(seq = record.seq, error = %e, "HTTP audit witness unreachable; record not witnessed there");
                        }
                        Err(_) => {
                            tokio::time::sleep(delay).await;
                            delay *= 2;
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    pub fn publish(&self, record: WitnessRecord) {
        if self.tx.try_send(record).is_err() {
            tracing::error!("HTTP audit witness queue full; a signed head was not sent");
        }
    }
}
