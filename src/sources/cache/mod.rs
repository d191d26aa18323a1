//! Cache-aside per department and person, as a decorator around a department's source:
//! the raw records (before policy — policy, masks and audit are applied after every
//! read, cached or not, so a policy change takes effect at once and hits are audited).
//! Keys are keyed hashes, never ID numbers. Entries carry the department's generation
//! and the person's version as they were *before* the source was read; a write bumps
//! them ([`CacheHandle::invalidate_all`]), so an entry read before a write is never
//! served after it, on any instance sharing the store.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{DepartmentRecords, DepartmentSource, SourceError};
use crate::departments::Department;
use crate::domain::{Backend, PersonRecords, Section};
use crate::id_number::IdNumber;

pub mod kv;

pub use kv::Kv;

type Encode = fn(&dyn Section) -> Option<Vec<u8>>;
type Decode = fn(&[u8]) -> Option<Arc<dyn Section>>;

macro_rules! cache_codecs {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        fn codec(d: Department) -> (Encode, Decode) {
            match d {
                $( Department::$variant => (
                    encode::<crate::domain::$module::Records>,
                    decode::<crate::domain::$module::Records>,
                ), )*
            }
        }
    };
}

crate::departments!(cache_codecs);

fn encode<T: PersonRecords>(s: &dyn Section) -> Option<Vec<u8>> {
    serde_json::to_vec(s.as_any().downcast_ref::<T>()?).ok()
}

fn decode<T: PersonRecords>(b: &[u8]) -> Option<Arc<dyn Section>> {
    Some(Arc::new(serde_json::from_slice::<T>(b).ok()?))
}

/// The shared store and the key that hashes ID numbers into cache keys.
pub struct CacheHandle {
    kv: Arc<dyn Kv>,
    /// HMAC-SHA256 keyed with the cache key, cloned for every hash (the key's two
    /// blocks are not hashed again per person and department).
    mac: Hmac<Sha256>,
    /// Every key's prefix, derived from the key: deployments with other key files that
    /// share a Redis never read or bump each other's entries.
    space: String,
    /// How long a version or generation counter outlives the entries it guards.
    counter_ttl: Duration,
}

impl CacheHandle {
    pub fn new(kv: Arc<dyn Kv>, key: [u8; 32], longest_ttl: Duration) -> Self {
        let mac = keyed(&key);
        Self {
            kv,
            space: format!("ah:{}", &hex_of(mac.clone(), &[b"namespace"])[..12]),
            mac,
            counter_ttl: longest_ttl.saturating_mul(2).max(Duration::from_secs(60)),
        }
    }

    /// `memory` or `redis`.
    pub fn store(&self) -> &'static str {
        self.kv.name()
    }

    /// The keyed hash of `<department code>:<ID number>`.
    fn hash(&self, d: Department, id: &IdNumber) -> String {
        hex_of(
            self.mac.clone(),
            &[d.code().as_bytes(), b":", id.as_str().as_bytes()],
        )
    }

    fn generation_key(&self, d: Department) -> String {
        format!("{}:{}:gen", self.space, d.code())
    }

    fn version_key(&self, d: Department, hash: &str) -> String {
        format!("{}:{}:v:{hash}", self.space, d.code())
    }

    fn entry_key(&self, d: Department, hash: &str) -> String {
        format!("{}:{}:e:{hash}", self.space, d.code())
    }

    /// Every cached entry of department `d`, on every instance, stops being served.
    pub async fn invalidate_all(&self, d: Department) {
        self.kv
            .incr_many(&[self.generation_key(d)], self.counter_ttl)
            .await;
    }

    /// The cached entries of these persons in department `d` stop being served.
    pub async fn invalidate(&self, d: Department, ids: &[IdNumber]) {
        let keys: Vec<String> = ids
            .iter()
            .map(|id| self.version_key(d, &self.hash(d, id)))
            .collect();
        self.kv.incr_many(&keys, self.counter_ttl).await;
    }
}

/// HMAC-SHA256 keyed with `key`: a key shorter than the hash's block is zero-padded to
/// it (RFC 2104), which is what this does, without the fallible slice constructor.
fn keyed(key: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = hmac::digest::Key::<Hmac<Sha256>>::default();
    block[..key.len()].copy_from_slice(key);
    <Hmac<Sha256> as KeyInit>::new(&block)
}

/// The MAC of `parts` (concatenated), its first 16 bytes in hex.
fn hex_of(mut mac: Hmac<Sha256>, parts: &[&[u8]]) -> String {
    for p in parts {
        mac.update(p);
    }
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A department's source with a cache in front.
pub struct CachedSource {
    inner: Arc<dyn DepartmentSource>,
    cache: Arc<CacheHandle>,
    ttl: Duration,
    encode: Encode,
    decode: Decode,
}

impl CachedSource {
    pub fn arc(
        inner: Arc<dyn DepartmentSource>,
        cache: Arc<CacheHandle>,
        ttl: Duration,
    ) -> Arc<dyn DepartmentSource> {
        let (encode, decode) = codec(inner.department());
        Arc::new(Self {
            inner,
            cache,
            ttl,
            encode,
            decode,
        })
    }
}

/// An entry: generation, version, read time (ms since the epoch), then the records.
const HEADER: usize = 24;

fn entry(generation: u64, version: u64, read_at: DateTime<Utc>, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER + body.len());
    v.extend_from_slice(&generation.to_be_bytes());
    v.extend_from_slice(&version.to_be_bytes());
    v.extend_from_slice(&read_at.timestamp_millis().to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn header(v: &[u8]) -> Option<(u64, u64, DateTime<Utc>, &[u8])> {
    let (h, body) = v.split_at_checked(HEADER)?;
    let n = |i: usize| h.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok());
    let read_at = DateTime::from_timestamp_millis(i64::from_be_bytes(n(16)?))?;
    Some((
        u64::from_be_bytes(n(0)?),
        u64::from_be_bytes(n(8)?),
        read_at,
        body,
    ))
}

#[async_trait::async_trait]
impl DepartmentSource for CachedSource {
    fn department(&self) -> Department {
        self.inner.department()
    }

    fn backend(&self) -> Backend {
        self.inner.backend()
    }

    fn system(&self) -> String {
        self.inner.system()
    }

    async fn fetch(&self, ids: &[IdNumber]) -> Result<DepartmentRecords, SourceError> {
        let d = self.department();
        let hashes: Vec<String> = ids.iter().map(|id| self.cache.hash(d, id)).collect();
        let mut keys = Vec::with_capacity(1 + 2 * ids.len());
        keys.push(self.cache.generation_key(d));
        for h in &hashes {
            keys.push(self.cache.version_key(d, h));
            keys.push(self.cache.entry_key(d, h));
        }
        // Counters are read before the source: what is stored below is stamped with them,
        // so a write that lands meanwhile makes it stale at once.
        let got = self.cache.kv.get_many(&keys).await;
        let counter = |i: usize| {
            got.get(i)
                .and_then(Option::as_deref)
                .map_or(0, kv::decode_counter)
        };
        let generation = counter(0);
        let now = Utc::now();
        let mut out = DepartmentRecords::new();
        let mut misses: Vec<(IdNumber, u64, String)> = Vec::new();
        for (i, (id, h)) in ids.iter().zip(hashes).enumerate() {
            let version = counter(1 + 2 * i);
            let hit = got
                .get(2 + 2 * i)
                .and_then(Option::as_deref)
                .and_then(header)
                .filter(|(g, v, at, _)| {
                    *g == generation
                        && *v == version
                        && now
                            .signed_duration_since(*at)
                            .to_std()
                            .is_ok_and(|age| age < self.ttl)
                })
                .and_then(|(_, _, _, body)| (self.decode)(body));
            match hit {
                Some(section) => {
                    out.persons.insert(id.clone(), section);
                }
                None => misses.push((id.clone(), version, h)),
            }
        }
        let hits = out.persons.len();
        metrics::counter!("archive_hub_cache_reads_total", "department" => d.code(), "outcome" => "hit")
            .increment(hits as u64);
        metrics::counter!("archive_hub_cache_reads_total", "department" => d.code(), "outcome" => "miss")
            .increment(misses.len() as u64);
        if !misses.is_empty() {
            let wanted: Vec<IdNumber> = misses.iter().map(|(id, _, _)| id.clone()).collect();
            let fresh = self.inner.fetch(&wanted).await?;
            // Kept only to bound the entry's age: a hit's provenance says when the hub read
            // it for this request, never when it was first read — that would tell a
            // consumer when someone else last looked this person up.
            let read_at = Utc::now();
            let mut entries = Vec::with_capacity(misses.len());
            let by_id: HashMap<&IdNumber, (u64, &String)> =
                misses.iter().map(|(id, v, h)| (id, (*v, h))).collect();
            for (id, section) in &fresh.persons {
                if let (Some((version, h)), Some(body)) =
                    (by_id.get(id), (self.encode)(section.as_ref()))
                {
                    entries.push((
                        self.cache.entry_key(d, h),
                        entry(generation, *version, read_at, &body),
                    ));
                }
            }
            self.cache.kv.set_many(entries, self.ttl).await;
            out.as_of = fresh.as_of;
            out.persons.extend(fresh.persons);
        }
        Ok(out)
    }

    async fn ping(&self) -> Result<(), SourceError> {
        self.inner.ping().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The padded key and the hash over parts give the keys of HMAC over the joined text
    /// (so instances of either build share their entries).
    #[test]
    fn keys_are_hmac_of_department_and_id_number_under_the_cache_key() {
        let key = [7u8; 32];
        let mut plain = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any length");
        plain.update(b"edu:110101199003074258");
        let expected = hex::encode(&plain.finalize().into_bytes()[..16]);
        let got = hex_of(keyed(&key), &[b"edu", b":", b"110101199003074258"]);
        assert_eq!(got, expected);
        assert_eq!(got.len(), 32);
    }
}
