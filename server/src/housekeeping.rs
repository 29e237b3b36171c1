//! The receiver's periodic chores: erasing the donor's details from pledges that never
//! converted once the retention period is over, deleting outbox events that every endpoint
//! received more than 30 days ago, deleting staff sessions that have ended, and deleting the
//! replaced webhook secrets that no longer sign.
//!
//! All run once at start and then every hour. They are idempotent, so with several receivers
//! on one PostgreSQL database each may run them; the second finds nothing left to do.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::staff::session::SessionPolicy;
use crate::storage::Store;
use crate::timestamp::Timestamp;

const EVERY: Duration = Duration::from_secs(60 * 60);
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// How long an event every endpoint received stays listed on the deliveries page before it is
/// deleted with its copy of the donor's details: long enough to answer "did the CRM get it?".
const DELIVERED_EVENTS_KEPT_DAYS: i64 = 30;

/// What the chores need to know.
#[derive(Debug, Clone, Copy)]
pub struct Chores {
    pub retention_days: Option<u32>,
    pub sessions: SessionPolicy,
}

impl Chores {
    /// Pledges received before this instant, and never converted, lose their donor's details.
    pub fn retention_cutoff(&self, now: Timestamp) -> Option<Timestamp> {
        self.retention_days
            .map(|days| Timestamp::from_micros(now.as_micros().saturating_sub(i64::from(days) * MICROS_PER_DAY)))
    }

    /// Sessions last used before this instant have ended.
    pub fn idle_cutoff(&self, now: Timestamp) -> Timestamp {
        let idle = i64::try_from(self.sessions.idle_timeout.as_micros()).unwrap_or(i64::MAX);
        Timestamp::from_micros(now.as_micros().saturating_sub(idle))
    }

    /// One round of the chores. Failures are logged and tried again at the next round.
    pub async fn run_once(&self, store: &Store, now: Timestamp) {
        if let Some(cutoff) = self.retention_cutoff(now) {
            match store.anonymise_unconverted(cutoff).await {
                Ok(erased) if erased.is_empty() => {}
                Ok(erased) => tracing::info!(pledges = erased.len(), "donor details erased after the retention period"),
                Err(error) => {
                    tracing::error!(%error, "the retention period could not be applied; trying again in an hour")
                }
            }
        }
        let delivered_before =
            Timestamp::from_micros(now.as_micros().saturating_sub(DELIVERED_EVENTS_KEPT_DAYS * MICROS_PER_DAY));
        match store.purge_delivered_events(delivered_before).await {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "delivered outbox events deleted"),
            Err(error) => tracing::warn!(%error, "delivered outbox events could not be deleted"),
        }
        match store.delete_sessions_idle_since(self.idle_cutoff(now)).await {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "ended staff sessions deleted"),
            Err(error) => tracing::warn!(%error, "ended staff sessions could not be deleted"),
        }
        match store.forget_replaced_secrets(now).await {
            Ok(0) => {}
            Ok(count) => tracing::debug!(count, "replaced webhook secrets deleted"),
            Err(error) => tracing::warn!(%error, "replaced webhook secrets could not be deleted"),
        }
    }

    /// Runs the chores now and every hour until the task is aborted.
    pub fn spawn(self, store: Store) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                self.run_once(&store, Timestamp::now()).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{NewPledge, NewWebhook, Recorded, SecretReplacement, Status};

    #[test]
    fn the_cutoffs_count_back_from_now() {
        let chores = Chores { retention_days: Some(365), sessions: SessionPolicy::default() };
        let now = Timestamp::from_micros(1_800_000_000_000_000);
        assert_eq!(
            chores.retention_cutoff(now),
            Some(Timestamp::from_micros(1_800_000_000_000_000 - 365 * MICROS_PER_DAY))
        );
        assert_eq!(chores.idle_cutoff(now), Timestamp::from_micros(1_800_000_000_000_000 - 30 * 60 * 1_000_000));
        let off = Chores { retention_days: None, ..chores };
        assert_eq!(off.retention_cutoff(now), None);
    }

    async fn record(store: &Store, key: &str, received_at: Timestamp) -> String {
        let mut pledge: pledge::Pledge =
            serde_json::from_str(include_str!("../../contract/examples/child-gbp-gift-aid.json"))
                .expect("an example pledge");
        pledge.idempotency_key = key.to_owned();
        match store.record_pledge(NewPledge::new(&pledge, received_at)).await.expect("stored") {
            Recorded::Created(receipt) => receipt.reference,
            other => panic!("a new pledge, not {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_round_erases_old_unconverted_pledges_only() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store =
            Store::open_url(&format!("sqlite://{}", dir.path().join("pledges.db").display())).await.expect("opened");
        let now = Timestamp::now();
        let days_ago = |days: i64| Timestamp::from_micros(now.as_micros() - days * MICROS_PER_DAY);
        let old = record(&store, "6f1c2b7e-3d4a-4f8b-9c2d-1e5f7a9b0c31", days_ago(400)).await;
        let old_converted = record(&store, "6f1c2b7e-3d4a-4f8b-9c2d-1e5f7a9b0c32", days_ago(400)).await;
        let recent = record(&store, "6f1c2b7e-3d4a-4f8b-9c2d-1e5f7a9b0c33", days_ago(10)).await;
        store.change_status(&old_converted, Status::Converted, None, "amina").await.expect("converted");

        Chores { retention_days: Some(365), sessions: SessionPolicy::default() }.run_once(&store, now).await;

        let erased = store.pledge(&old).await.expect("read").expect("kept");
        assert!(erased.erased_at.is_some());
        assert_eq!((erased.pledge.donor.email.as_str(), erased.pledge.amount.minor_units), ("", 2500));
        for kept in [old_converted, recent] {
            let stored = store.pledge(&kept).await.expect("read").expect("kept");
            assert_eq!(
                (stored.erased_at, stored.pledge.donor.email.as_str()),
                (None, "amelia.hughes@example.co.uk"),
                "{kept}"
            );
        }
        store.close().await;
    }

    #[tokio::test]
    async fn a_round_deletes_replaced_webhook_secrets_once_they_no_longer_sign() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store =
            Store::open_url(&format!("sqlite://{}", dir.path().join("pledges.db").display())).await.expect("opened");
        let now = Timestamp::now();
        let webhook = NewWebhook {
            name: "robot".into(),
            url: "https://robot.example.org/hook".into(),
            secret: "first-secret-0123456789-abcdefghij".into(),
            created_at: now,
            created_by: "amina".into(),
        };
        store.add_webhook(webhook).await.expect("added");
        let replacement = SecretReplacement {
            name: "robot".into(),
            secret: "second-secret-0123456789-abcdefghij".into(),
            previous_until: now.plus(Duration::from_secs(60)),
        };
        store.replace_webhook_secret(replacement).await.expect("replaced");
        let chores = Chores { retention_days: None, sessions: SessionPolicy::default() };

        chores.run_once(&store, now).await;
        assert!(store.webhooks().await.expect("read")[0].previous_secret.is_some(), "it still signs");
        chores.run_once(&store, now.plus(Duration::from_secs(60))).await;
        let stored = store.webhooks().await.expect("read");
        assert!(stored[0].previous_secret.is_none(), "deleted once its time is over");
        assert_eq!(stored[0].secret, "second-secret-0123456789-abcdefghij");
        store.close().await;
    }
}
