//! The delivery loop: claim what is due, attempt each delivery on its endpoint's channel, and
//! record what happened, then wait for the next commit that queued deliveries or the next poll.
//!
//! Attempts of one claim run concurrently, each bounded by its channel's time limit, so a batch
//! ends well within the lease it was claimed for. Outcomes go through the writer like every
//! other write. A failure to reach the database is logged and the loop carries on at the next
//! poll: the rows are still there, and leases run out by themselves.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};

use super::decision::{self, Attempt, Failure, Next};
use super::directory::Directory;
use crate::notify::RetryPolicy;
use crate::storage::{BoxFuture, ClaimedDelivery, Store};
use crate::timestamp::Timestamp;

/// A way of delivering an event: a webhook endpoint, or one kind of e-mail. Given a
/// claimed delivery, it makes one attempt and says how it went; it never panics and never waits
/// without a bound.
pub trait Channel: Send + Sync + 'static {
    fn attempt<'a>(&'a self, delivery: &'a ClaimedDelivery) -> BoxFuture<'a, Attempt>;
}

/// How the worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    pub retry: RetryPolicy,
    /// How long a claim keeps other workers off its deliveries; longer than an attempt takes.
    pub lease: Duration,
    /// How often to look for due deliveries when no commit has said there are new ones.
    pub poll: Duration,
    /// The most deliveries claimed, and attempted at once, per round.
    pub batch: u32,
}

impl Pacing {
    /// The lease for attempts bounded by `timeout`: three of them, so that a claimed batch,
    /// whose attempts run together, is settled long before another worker may take it.
    pub fn for_timeout(retry: RetryPolicy, timeout: Duration) -> Pacing {
        Pacing { retry, lease: timeout.saturating_mul(3), poll: Duration::from_secs(1), batch: 32 }
    }
}

/// Delivers the outbox of one store through the channels its directory finds by endpoint.
pub struct Worker {
    store: Store,
    directory: Directory,
    pacing: Pacing,
}

impl Worker {
    pub fn new(store: Store, directory: Directory, pacing: Pacing) -> Worker {
        Worker { store, directory, pacing }
    }

    /// Claims one batch of due deliveries, attempts them and records the outcomes; answers how
    /// many were claimed.
    pub async fn run_once(&self) -> usize {
        let claimed = match self.store.claim_deliveries(self.pacing.lease, self.pacing.batch).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(%error, "claiming outbox deliveries failed; trying again at the next poll");
                return 0;
            }
        };
        let count = claimed.len();
        if count == 0 {
            return 0;
        }
        let names: Vec<&str> = claimed.iter().map(|delivery| delivery.endpoint.as_str()).collect();
        let channels = match self.directory.channels(&names).await {
            Ok(channels) => channels,
            Err(error) => {
                // Nothing is attempted, nor counted as failed: the leases run out and the
                // deliveries are claimed again.
                tracing::error!(%error, "the stored webhook endpoints could not be read; trying again when the leases end");
                return count;
            }
        };
        let mut attempts = JoinSet::new();
        for delivery in claimed {
            let channel = channels.get(&delivery.endpoint).cloned();
            let (store, retry) = (self.store.clone(), self.pacing.retry);
            attempts.spawn(async move { settle(&store, channel, delivery, retry).await });
        }
        while attempts.join_next().await.is_some() {}
        count
    }

    /// Runs until the task is aborted: a round whenever a commit queued deliveries, at every
    /// poll, and at once again after a full batch.
    pub fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(async move {
            let queued = self.store.deliveries_queued();
            loop {
                let claimed = self.run_once().await;
                if claimed >= self.pacing.batch as usize {
                    continue;
                }
                tokio::select! {
                    () = queued.notified() => {}
                    () = tokio::time::sleep(self.pacing.poll) => {}
                }
            }
        })
    }
}

/// One attempt and its record.
async fn settle(store: &Store, channel: Option<Arc<dyn Channel>>, delivery: ClaimedDelivery, retry: RetryPolicy) {
    let attempt = match &channel {
        Some(channel) => channel.attempt(&delivery).await,
        None => Attempt::Failed(Failure::UnknownEndpoint),
    };
    let attempts = delivery.attempts.saturating_add(1);
    let next = decision::next(&attempt, attempts, &retry, random());
    let (event_id, event_type) = (delivery.event.id().as_str(), delivery.event.event_type().as_str());
    let (reference, endpoint) = (delivery.reference.as_str(), delivery.endpoint.as_str());
    match next {
        Next::Delivered => tracing::debug!(event_id, event_type, reference, endpoint, attempts, "event delivered"),
        Next::RetryAfter(delay) => tracing::warn!(
            event_id, event_type, reference, endpoint, attempts, outcome = %attempt, retry_in_seconds = delay.as_secs_f64(),
            "event delivery failed; it will be tried again"
        ),
        Next::Dead => tracing::error!(
            event_id, event_type, reference, endpoint, attempts, outcome = %attempt,
            "event delivery failed for the last time; resend it from the delivery list once the endpoint works"
        ),
    }
    let update = decision::update(next, &attempt, attempts, Timestamp::now());
    match store.record_delivery(&delivery, update).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            event_id,
            reference,
            endpoint,
            "the delivery's lease ended before its outcome was recorded; another attempt may repeat it"
        ),
        Err(error) => tracing::error!(
            %error, event_id, reference, endpoint,
            "recording a delivery's outcome failed; it will be attempted again when its lease ends"
        ),
    }
}

/// A uniformly random value for the retry jitter. Should the random source fail, the jitter
/// takes the whole ceiling: the retry still happens, only less spread out.
fn random() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => u64::MAX,
    }
}
