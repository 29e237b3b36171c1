//! From a submitted request to a recorded pledge: the order of the checks, the spam decision,
//! and what the store's answer means for the donor.

use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderMap;
use pledge::Pledge;

use super::refusal::Refusal;
use super::{decode, idempotency, spam};
use crate::storage::{NewPledge, Receipt, Recorded, Store};
use crate::timestamp::Timestamp;

/// What accepting a pledge needs: the store and the intake settings. Cheap to clone.
#[derive(Clone)]
pub struct Intake {
    store: Store,
    /// Faster than this from first sight of the form to submission is taken for a bot.
    min_fill: Duration,
    /// How long the body may take to arrive.
    body_timeout: Duration,
}

/// A pledge that is durable, and whether this answer repeats an earlier one for its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    Created(Receipt),
    Replayed(Receipt),
}

impl Accepted {
    pub fn receipt(&self) -> &Receipt {
        match self {
            Accepted::Created(receipt) | Accepted::Replayed(receipt) => receipt,
        }
    }

    pub fn is_replay(&self) -> bool {
        matches!(self, Accepted::Replayed(_))
    }
}

impl Intake {
    pub fn new(store: Store, min_fill: Duration, body_timeout: Duration) -> Intake {
        Intake { store, min_fill, body_timeout }
    }

    /// Checks the key before reading the body, so that a request that can never be accepted
    /// costs no upload; then decodes, decides and records the pledge.
    pub async fn submit(&self, headers: &HeaderMap, body: Body) -> Result<Accepted, Refusal> {
        let key = idempotency::key_from_headers(headers)?;
        decode::require_json_content_type(headers)?;
        let bytes = decode::read_body(headers, body, self.body_timeout).await?;
        let pledge = decode::parse_pledge(&bytes)?;
        let new = admit(&key, &pledge, self.min_fill, Timestamp::now())?;
        let review = new.review;

        match self.store.record_pledge(new).await {
            Ok(Recorded::Created(receipt)) => {
                match review {
                    Some(reason) => tracing::info!(
                        reference = %receipt.reference, partner = %pledge.partner, reason = reason.as_str(),
                        "pledge held for review"
                    ),
                    None => {
                        tracing::info!(reference = %receipt.reference, partner = %pledge.partner, "pledge recorded")
                    }
                }
                Ok(Accepted::Created(receipt))
            }
            Ok(Recorded::Replayed(receipt)) => {
                tracing::info!(reference = %receipt.reference, partner = %pledge.partner, "pledge replayed");
                Ok(Accepted::Replayed(receipt))
            }
            Ok(Recorded::KeyReused) => {
                tracing::info!(partner = %pledge.partner, "idempotency key reused for a different pledge");
                Err(Refusal::KeyReused)
            }
            Err(error) => {
                tracing::error!(%error, partner = %pledge.partner, "pledge not stored");
                Err(Refusal::NotStored)
            }
        }
    }
}

/// The record to store for a valid pledge sent under the header's `key`, or why it is refused.
///
/// A pledge that looks automated is held, not refused: the answer is the same as for any
/// pledge, so a bot learns nothing, and a person wrongly taken for one is not lost.
pub fn admit(key: &str, pledge: &Pledge, min_fill: Duration, received_at: Timestamp) -> Result<NewPledge, Refusal> {
    if pledge.idempotency_key != key {
        return Err(Refusal::KeyMismatch);
    }
    let new = NewPledge::new(pledge, received_at);
    Ok(match spam::judge(&pledge.anti_spam, min_fill) {
        Some(reason) => new.for_review(reason),
        None => new,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::spam::SpamReason;
    use axum::http::{header, HeaderValue};

    const KEY: &str = "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f";
    const MIN_FILL: Duration = Duration::from_secs(3);

    fn pledge_json(honeypot: &str, fill_ms: u64) -> serde_json::Value {
        let mut json = crate::intake::fixtures::pledge_json();
        json["idempotency_key"] = KEY.into();
        json["anti_spam"] = serde_json::json!({"honeypot": honeypot, "fill_ms": fill_ms});
        json
    }

    fn pledge(honeypot: &str, fill_ms: u64) -> Pledge {
        serde_json::from_value(pledge_json(honeypot, fill_ms)).unwrap()
    }

    #[test]
    fn a_person_is_recorded_as_new() {
        let new = admit(KEY, &pledge("", 42_000), MIN_FILL, Timestamp::from_micros(7)).unwrap();
        assert_eq!(new.review, None);
        assert_eq!(new.idempotency_key, KEY);
        assert_eq!(new.received_at, Timestamp::from_micros(7));
    }

    #[test]
    fn a_bot_is_held_for_review_with_its_reason() {
        let held = admit(KEY, &pledge("http://spam", 42_000), MIN_FILL, Timestamp::now()).unwrap();
        assert_eq!(held.review, Some(SpamReason::Honeypot));
        let hurried = admit(KEY, &pledge("", 500), MIN_FILL, Timestamp::now()).unwrap();
        assert_eq!(hurried.review, Some(SpamReason::TooFast));
    }

    #[test]
    fn a_body_key_other_than_the_header_key_is_refused() {
        let other = "00000000-0000-4000-8000-000000000000";
        assert_eq!(admit(other, &pledge("", 42_000), MIN_FILL, Timestamp::now()).unwrap_err(), Refusal::KeyMismatch);
    }

    fn request(key: &str, body: &serde_json::Value) -> (HeaderMap, Body) {
        let mut headers = HeaderMap::new();
        headers.insert(idempotency::HEADER, HeaderValue::from_str(key).unwrap());
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        (headers, Body::from(body.to_string()))
    }

    #[tokio::test]
    async fn a_retry_replays_and_a_changed_pledge_under_the_same_key_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open_url(&format!("sqlite://{}", folder.path().join("pledges.db").display())).await.unwrap();
        let intake = Intake::new(store.clone(), MIN_FILL, Duration::from_secs(5));

        let (headers, body) = request(KEY, &pledge_json("", 42_000));
        let first = intake.submit(&headers, body).await.unwrap();
        assert!(!first.is_replay());

        let (headers, body) = request(KEY, &pledge_json("", 42_000));
        let again = intake.submit(&headers, body).await.unwrap();
        assert!(again.is_replay());
        assert_eq!(again.receipt(), first.receipt());

        let (headers, body) = request(KEY, &pledge_json("", 43_000));
        assert_eq!(intake.submit(&headers, body).await, Err(Refusal::KeyReused));

        let (mut headers, body) = request(KEY, &pledge_json("", 42_000));
        headers.remove(idempotency::HEADER);
        assert_eq!(intake.submit(&headers, body).await, Err(Refusal::MissingKey));
        store.close().await;
    }
}
