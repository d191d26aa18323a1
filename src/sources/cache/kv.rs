//! Where cached records live: Redis (shared by every instance) or, without `REDIS_URL`,
//! an in-process moka cache. Redis failing is never the hub failing: every call has a
//! short timeout and sits behind a circuit breaker, and a failed call is a miss (get) or
//! skipped (set) — the records then come from the source.

use std::time::{Duration, Instant};

use bytes::Bytes;
use failsafe::backoff::Constant;
use failsafe::failure_policy::ConsecutiveFailures;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

/// A key-value store for cache entries (bytes, with a time to live).
#[async_trait::async_trait]
pub trait Kv: Send + Sync + 'static {
    /// The values of `keys`, in order (`None`: absent, expired or unreachable).
    async fn get_many(&self, keys: &[String]) -> Vec<Option<Bytes>>;
    async fn set_many(&self, entries: Vec<(String, Vec<u8>)>, ttl: Duration);
    /// Adds one to each counter (absent: becomes 1), each living `ttl`.
    async fn incr_many(&self, keys: &[String], ttl: Duration);
    /// Whether the store answers (for `/readyz` and tests).
    fn name(&self) -> &'static str;
}

/// The in-process store: one process, no sharing. Values are shared, not copied, on a
/// hit, and keys (already keyed hashes) use a fast hasher: a 1,000-person batch makes
/// two look-ups per person and department here, some 18,000.
pub struct Memory {
    cache: moka::future::Cache<String, Bytes, foldhash::fast::RandomState>,
}

impl Memory {
    pub fn new(max_entries: u64, ttl: Duration) -> Self {
        Self {
            cache: moka::future::Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(ttl)
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
    }
}

#[async_trait::async_trait]
impl Kv for Memory {
    async fn get_many(&self, keys: &[String]) -> Vec<Option<Bytes>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.cache.get(k).await);
        }
        out
    }

    // One time to live for the whole store (the longest a department asks for); the
    // entry itself says when it was read, and the reader drops it when too old.
    async fn set_many(&self, entries: Vec<(String, Vec<u8>)>, _ttl: Duration) {
        for (k, v) in entries {
            self.cache.insert(k, Bytes::from(v)).await;
        }
    }

    async fn incr_many(&self, keys: &[String], _ttl: Duration) {
        for k in keys {
            let next = match self.cache.get(k).await {
                Some(v) => decode_counter(&v).wrapping_add(1),
                None => 1,
            };
            self.cache
                .insert(k.clone(), Bytes::from(next.to_string().into_bytes()))
                .await;
        }
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

/// A counter as Redis stores it (decimal text).
pub fn decode_counter(v: &[u8]) -> u64 {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

type Breaker = failsafe::StateMachine<ConsecutiveFailures<Constant>, ()>;

/// Redis, shared by every instance. The connection is made (and remade) in the
/// background of calls: a Redis that is down at start-up is a cache that starts later.
pub struct Redis {
    client: redis::Client,
    manager: std::sync::RwLock<Option<ConnectionManager>>,
    /// Held while a connection is being made, with when the last attempt began.
    connecting: Mutex<Option<Instant>>,
    timeout: Duration,
    breaker: Breaker,
}

impl Redis {
    pub fn new(url: &str, timeout: Duration) -> Result<Self, redis::RedisError> {
        let policy = failsafe::failure_policy::consecutive_failures(
            3,
            failsafe::backoff::constant(Duration::from_secs(1)),
        );
        Ok(Self {
            client: redis::Client::open(url)?,
            manager: std::sync::RwLock::new(None),
            connecting: Mutex::new(None),
            timeout,
            breaker: failsafe::Config::new().failure_policy(policy).build(),
        })
    }

    /// A connection, when one is had (it reconnects by itself once made). Without one, a
    /// single caller at a time — at most once a second — tries to make it; the others
    /// read the sources meanwhile rather than wait.
    async fn connection(&self) -> Option<ConnectionManager> {
        if let Some(c) = self
            .manager
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            return Some(c.clone());
        }
        let Ok(mut last) = self.connecting.try_lock() else {
            return None;
        };
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
            return None;
        }
        *last = Some(Instant::now());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout * 4))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        match tokio::time::timeout(
            self.timeout * 8,
            self.client.get_connection_manager_with_config(config),
        )
        .await
        {
            Ok(Ok(c)) => {
                *self.manager.write().unwrap_or_else(|p| p.into_inner()) = Some(c.clone());
                Some(c)
            }
            Ok(Err(e)) => self.failed("connection", Some(e)),
            Err(_) => self.failed("connection", None),
        }
    }

    /// A connection attempt or call that failed (`None`: timed out): said, and counted
    /// against the breaker; the caller reads the sources instead.
    fn failed<T>(&self, what: &'static str, error: Option<redis::RedisError>) -> Option<T> {
        match error {
            Some(e) => {
                tracing::warn!(error = %e, "cache (Redis) {what} failed; reading the sources")
            }
            None => tracing::warn!("cache (Redis) {what} timed out; reading the sources"),
        }
        self.breaker.on_error();
        None
    }

    /// Makes the first connection (at start-up; a Redis that is down then is tried again
    /// by later calls).
    pub async fn warm_up(&self) {
        let _ = self.connection().await;
    }

    /// Runs one pipeline within the timeout and the breaker; `None` on any failure.
    async fn run<T: redis::FromRedisValue>(&self, pipe: redis::Pipeline) -> Option<T> {
        if !self.breaker.is_call_permitted() {
            return None;
        }
        // No connection yet: a miss (a failed attempt to make one counts against the
        // breaker; another caller making it does not).
        let mut conn = self.connection().await?;
        match tokio::time::timeout(self.timeout, pipe.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => {
                self.breaker.on_success();
                Some(v)
            }
            Ok(Err(e)) => self.failed("call", Some(e)),
            Err(_) => self.failed("call", None),
        }
    }
}

#[async_trait::async_trait]
impl Kv for Redis {
    async fn get_many(&self, keys: &[String]) -> Vec<Option<Bytes>> {
        if keys.is_empty() {
            return Vec::new();
        }
        let mut pipe = redis::pipe();
        pipe.mget(keys);
        match self.run::<(Vec<Option<Vec<u8>>>,)>(pipe).await {
            Some((v,)) if v.len() == keys.len() => {
                v.into_iter().map(|v| v.map(Bytes::from)).collect()
            }
            _ => vec![None; keys.len()],
        }
    }

    async fn set_many(&self, entries: Vec<(String, Vec<u8>)>, ttl: Duration) {
        if entries.is_empty() {
            return;
        }
        let secs = ttl.as_secs().max(1);
        let mut pipe = redis::pipe();
        for (k, v) in entries {
            pipe.set_ex(k, v, secs).ignore();
        }
        let _ = self.run::<()>(pipe).await;
    }

    async fn incr_many(&self, keys: &[String], ttl: Duration) {
        if keys.is_empty() {
            return;
        }
        let secs = i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX);
        let mut pipe = redis::pipe();
        for k in keys {
            pipe.incr(k, 1).ignore().expire(k, secs).ignore();
        }
        if self.run::<()>(pipe).await.is_none() {
            // A write's invalidation that did not reach Redis: entries about these
            // persons may be served until their time to live ends. Said loudly.
            tracing::error!(keys = keys.len(), "cache invalidation did not reach Redis");
        }
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}
