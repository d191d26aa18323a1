//! The batching gate of a request's loaders: a batched read starts once the request's task
//! has finished the poll in which its keys were asked for, not after a timer.
//!
//! async-graphql's `DataLoader` collects the keys that sibling fields ask for (aliased
//! `person` fields, `reportHistory` of every training in a list) by waiting 1 ms before it
//! reads — on tokio's millisecond timer, 1–2 ms of every request. Those siblings are
//! polled one after another inside the request's one task, each asking for its key in its
//! first poll, so "every key is in" is known exactly: when that poll of the request's
//! future returns. Request loaders are built by [`PollGate::loader`]: no delay, their reads
//! spawned through [`PollGate::spawn`], which holds each one until the request's future is
//! between polls. (`DataLoader` still awaits its delay of zero, which tokio rounds up to
//! the next millisecond tick: at most that, no longer 1–2 ms.)

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use async_graphql::dataloader::{DataLoader, HashMapCache};
use futures::future::BoxFuture;
use tokio::sync::Notify;

/// Shared by a request's future ([`PollGate::wrap`]) and its loaders' reads.
#[derive(Clone, Default)]
pub struct PollGate(Arc<Inner>);

#[derive(Default)]
struct Inner {
    polling: AtomicBool,
    between_polls: Notify,
}

impl std::fmt::Debug for PollGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollGate").finish_non_exhaustive()
    }
}

impl PollGate {
    /// The request's future, marking each of its polls for the gate.
    pub fn wrap<F: Future>(&self, fut: F) -> Gated<F> {
        Gated {
            inner: Box::pin(fut),
            gate: self.clone(),
        }
    }

    /// A request-scoped loader over `loader` whose batches (cut at `max_batch` keys) are
    /// read through this gate instead of after a timer.
    pub fn loader<T: Send + Sync + 'static>(
        &self,
        loader: T,
        max_batch: usize,
    ) -> DataLoader<T, HashMapCache> {
        let gate = self.clone();
        DataLoader::with_cache(
            loader,
            move |read| gate.spawn(read),
            HashMapCache::default(),
        )
        .max_batch_size(max_batch.max(1))
        .delay(std::time::Duration::ZERO)
    }

    /// Spawns a loader's read to start once the wrapped future is between polls (at once
    /// when no wrapped future is being polled: a request not run through `wrap`).
    pub fn spawn(&self, read: BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()> {
        let gate = self.clone();
        tokio::spawn(async move {
            gate.passed().await;
            read.await;
        })
    }

    async fn passed(&self) {
        loop {
            // Interest is registered before the flag is read, so a poll ending in between
            // still wakes this read.
            let ended = self.0.between_polls.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if !self.0.polling.load(Ordering::Acquire) {
                return;
            }
            ended.await;
        }
    }
}

/// A request's future under a [`PollGate`].
pub struct Gated<F> {
    inner: Pin<Box<F>>,
    gate: PollGate,
}

impl<F> std::fmt::Debug for Gated<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gated").finish_non_exhaustive()
    }
}

impl<F: Future> Future for Gated<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        this.gate.0.polling.store(true, Ordering::Release);
        let out = this.inner.as_mut().poll(cx);
        this.gate.0.polling.store(false, Ordering::Release);
        this.gate.0.between_polls.notify_waiters();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Keys asked for by sibling futures in one poll are read together, however long that
    /// poll takes and whichever worker picks the read up.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_waits_for_the_poll_that_asked_for_it_to_end() {
        for _ in 0..50 {
            let gate = PollGate::default();
            let asked = Arc::new(Mutex::new(Vec::new()));
            let read_saw = Arc::new(Mutex::new(None));
            let siblings = (0..20).map(|i| {
                let (gate, asked, read_saw) = (gate.clone(), asked.clone(), read_saw.clone());
                async move {
                    asked.lock().unwrap().push(i);
                    if i == 0 {
                        let (asked, read_saw) = (asked.clone(), read_saw.clone());
                        gate.spawn(Box::pin(async move {
                            *read_saw.lock().unwrap() = Some(asked.lock().unwrap().len());
                        }));
                    }
                    // A sibling that is slow to ask: the poll is long.
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    tokio::task::yield_now().await;
                }
            });
            gate.wrap(futures::future::join_all(siblings)).await;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            assert_eq!(*read_saw.lock().unwrap(), Some(20));
        }
    }

    #[tokio::test]
    async fn a_read_outside_a_wrapped_future_starts_at_once() {
        let gate = PollGate::default();
        let (tx, rx) = tokio::sync::oneshot::channel();
        gate.spawn(Box::pin(async move {
            let _ = tx.send(());
        }));
        tokio::time::timeout(std::time::Duration::from_secs(1), rx)
            .await
            .expect("started")
            .expect("sent");
    }
}
