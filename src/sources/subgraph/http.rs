//! The HTTP leg of a subgraph read, as a tower service: a JSON body in, the parsed JSON
//! answer out, within a per-attempt timeout and a concurrency limit shared by every
//! clone (the semaphore is one per source).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::Value;
use tower::limit::ConcurrencyLimit;
use tower::timeout::Timeout;
use tower::{BoxError, Service};

use crate::config::SubgraphConfig;
use crate::sources::SourceError;

/// POSTs one GraphQL request to the subgraph and reads its JSON answer.
#[derive(Clone)]
struct Post {
    client: reqwest::Client,
    url: reqwest::Url,
    token: Option<String>,
    max_bytes: usize,
}

impl Service<Value> for Post {
    type Response = Value;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Value, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, body: Value) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let mut req = this
                .client
                .post(this.url.clone())
                .header(
                    "accept",
                    "application/graphql-response+json, application/json",
                )
                .json(&body);
            if let Some(t) = &this.token {
                req = req.bearer_auth(t);
            }
            let mut resp = req.send().await.map_err(Box::new)?;
            let status = resp.status();
            // A GraphQL-over-HTTP server may answer a well-formed refusal as a 4xx with a
            // JSON body; anything else than 2xx is the status.
            if !status.is_success() {
                return Err(Box::new(SourceError::Status(status.as_u16())) as BoxError);
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(Box::new)? {
                if bytes.len() + chunk.len() > this.max_bytes {
                    return Err(
                        Box::new(SourceError::Malformed("answer too large".into())) as BoxError
                    );
                }
                bytes.extend_from_slice(&chunk);
            }
            serde_json::from_slice::<Value>(&bytes)
                .map_err(|_| Box::new(SourceError::Malformed("not JSON".into())) as BoxError)
        })
    }
}

/// The subgraph's HTTP service: concurrency limit around a per-attempt timeout.
#[derive(Clone)]
pub struct Http {
    inner: ConcurrencyLimit<Timeout<Post>>,
}

impl Http {
    pub fn new(g: &SubgraphConfig) -> Result<Self, SourceError> {
        let url = g
            .url
            .as_deref()
            .and_then(|u| reqwest::Url::parse(u).ok())
            .ok_or_else(|| SourceError::Query("subgraph.url is not a URL".into()))?;
        let attempt = Duration::from_millis(g.request_timeout_ms);
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(g.connect_timeout_ms))
            .timeout(attempt)
            // Large batches span several segments; without NODELAY each waits for the
            // peer's delayed ACK.
            .tcp_nodelay(true)
            // An intranet subgraph is reached directly, whatever proxy the host sets.
            .no_proxy()
            .pool_max_idle_per_host(g.max_concurrency)
            .build()
            .map_err(|e| SourceError::Query(e.to_string()))?;
        let post = Post {
            client,
            url,
            token: g.token.clone(),
            max_bytes: g.max_response_bytes,
        };
        Ok(Self {
            inner: ConcurrencyLimit::new(Timeout::new(post, attempt), g.max_concurrency),
        })
    }
}

impl Service<Value> for Http {
    type Response = Value;
    type Error = SourceError;
    type Future = Pin<Box<dyn Future<Output = Result<Value, SourceError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), SourceError>> {
        self.inner.poll_ready(cx).map_err(classify)
    }

    fn call(&mut self, body: Value) -> Self::Future {
        let fut = self.inner.call(body);
        Box::pin(async move { fut.await.map_err(classify) })
    }
}

/// What a failed attempt was, for retries and the log (never sent to consumers).
fn classify(e: BoxError) -> SourceError {
    let e = match e.downcast::<SourceError>() {
        Ok(s) => return *s,
        Err(e) => e,
    };
    if e.is::<tower::timeout::error::Elapsed>() {
        return SourceError::Timeout;
    }
    match e.downcast::<reqwest::Error>() {
        Ok(r) if r.is_timeout() => SourceError::Timeout,
        Ok(r) => SourceError::Unreachable(crate::error::redact(&r.without_url().to_string())),
        Err(e) => SourceError::Unreachable(crate::error::redact(&e.to_string())),
    }
}
