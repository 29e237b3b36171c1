//! The outbox's records: the events written in the same transaction as the change they report,
//! and one delivery per event and endpoint, which a worker leases, attempts and settles.
//!
//! What is announced, and when, is decided here as plain Rust ([`announcement`]):
//!
//! - A pledge held for review (a suspected bot) is not announced when it arrives: a bot must not
//!   be able to push content into the charity's systems before a person looked at it. It is
//!   announced as `pledge.created` when it leaves review (released, or given another status by
//!   staff), since that is when the charity's systems first hear of it.
//! - Once announced, every change of status is a `pledge.status_changed`, and an erasure a
//!   `pledge.erased`. A pledge that never left review is erased without announcement: nobody
//!   outside holds anything to erase.
//! - The endpoints are the operator's flag endpoints and those staff added on the admin pages,
//!   read in the transaction that writes the event.
//! - With no endpoint configured, nothing is written at all, not even the event: its payload is a
//!   copy of the donor's personal data that nobody would ever receive, and an endpoint added later
//!   starts from that moment (the CSV export covers what came before).
//! - An erasure clears the payloads of the pledge's earlier events and gives up their pending
//!   deliveries, so that the outbox keeps no copy of erased data and sends none afterwards.
//!
//! A delivery is claimed with a lease (`leased_until`): the claim is a write through the writer,
//! and on PostgreSQL it skips rows that another receiver's claim has locked, so two processes
//! never attempt the same row at once. The lease's instant is also its token: an outcome is
//! written only while the row still carries the lease it was attempted under. A lease that runs
//! out (the process was killed) makes the row due again. The deliveries of one pledge to one
//! endpoint go out in order: a delivery waits while an earlier one for the same pledge and
//! endpoint is pending or leased, so a CRM never hears of a status change before the pledge.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Status;
use crate::notify::{Event, EventType};
use crate::timestamp::Timestamp;

/// The operator's endpoints, by name, one delivery row each: those that take every event
/// (webhooks from the flags), and those that take only `pledge.created` (e-mail, which tells of a
/// new pledge and of nothing that happens to it afterwards). Endpoints stored on the admin pages
/// come besides them and take every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    every_event: Arc<[String]>,
    created_only: Arc<[String]>,
}

impl Endpoints {
    pub fn new(names: impl IntoIterator<Item = String>) -> Endpoints {
        Endpoints { every_event: names.into_iter().collect(), created_only: Arc::new([]) }
    }

    /// These endpoints, and `names` for `pledge.created` events only.
    pub fn with_created_only(self, names: impl IntoIterator<Item = String>) -> Endpoints {
        Endpoints { created_only: names.into_iter().collect(), ..self }
    }

    /// The endpoints that take every event.
    pub fn names(&self) -> &[String] {
        &self.every_event
    }

    /// The endpoints an event of `event_type` is delivered to. When there are none, the event
    /// is not written either: nobody would ever receive its copy of the donor's data.
    pub fn for_event(&self, event_type: EventType) -> impl Iterator<Item = &String> {
        let created = event_type == EventType::PledgeCreated;
        self.every_event.iter().chain(self.created_only.iter().filter(move |_| created))
    }

    pub fn is_empty(&self) -> bool {
        self.every_event.is_empty() && self.created_only.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.every_event.iter().chain(self.created_only.iter()).any(|known| known == name)
    }

    /// Every name, those for all events first.
    pub fn all_names(&self) -> Vec<String> {
        self.every_event.iter().chain(self.created_only.iter()).cloned().collect()
    }

    /// Whether the endpoint called `name` takes events of `event_type`. Every endpoint takes
    /// `pledge.created`; only those for `pledge.created` alone skip the others. An endpoint
    /// stored on the admin pages is not named here and takes everything.
    pub fn takes(&self, name: &str, event_type: EventType) -> bool {
        event_type == EventType::PledgeCreated || !self.created_only.iter().any(|only| only == name)
    }
}

/// What, if anything, to announce when a pledge moves to `to`, given whether the charity's
/// systems have already been told of it (it has been out of review before).
pub fn announcement(previously_announced: bool, to: Status) -> Option<EventType> {
    match (previously_announced, to) {
        (true, _) => Some(EventType::PledgeStatusChanged),
        (false, Status::Review) => None,
        (false, _) => Some(EventType::PledgeCreated),
    }
}

/// Whether an erasure is announced: only to systems that were told of the pledge.
pub fn erasure_announced(previously_announced: bool) -> bool {
    previously_announced
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Due now or at `next_attempt_at`.
    Pending,
    /// An attempt was answered with a 2xx.
    Delivered,
    /// Every attempt failed, or the pledge was erased first; kept for a person to resend.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// A delivery leased to one worker for one attempt. Its `Debug` leaves the payload out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: i64,
    /// The lease's end, in microseconds: the token an outcome must present.
    pub lease: i64,
    pub endpoint: String,
    pub reference: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub event: Event,
}

/// How an attempt settles its delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryUpdate {
    /// Settled: sent and accepted, or, with a note saying why, settled with nothing to send.
    Delivered {
        attempts: u32,
        at: Timestamp,
        note: Option<String>,
    },
    Retry {
        attempts: u32,
        next_attempt_at: Timestamp,
        error: String,
    },
    Dead {
        attempts: u32,
        error: String,
    },
}

/// A delivery as the admin API lists it: no payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub created_at: Timestamp,
    pub reference: String,
    pub endpoint: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// When a pending delivery is due; `None` once it is delivered or dead.
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
}

impl DeliveryRecord {
    /// Settled without anything sent, its note saying why: the deliveries page must not call
    /// it delivered.
    pub fn settled_without_sending(&self) -> bool {
        self.status == DeliveryStatus::Delivered
            && self.last_error.as_deref().is_some_and(|note| note.starts_with(NOT_SENT))
    }
}

/// Which deliveries to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatus>,
    /// Only deliveries older than the one with this id: keyset pagination.
    pub before_id: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPage {
    pub deliveries: Vec<DeliveryRecord>,
    /// Present when more match: pass it as `before_id` to read on.
    pub next_before_id: Option<i64>,
}

/// The outcome of asking for a delivery to be attempted again now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryOutcome {
    NoSuchDelivery,
    /// It was delivered; sending it again is for the receiving side to ask.
    AlreadyDelivered,
    /// The pledge was erased, and the event's payload with it: there is nothing left to send.
    Erased,
    /// Pending and due now, its attempts kept.
    Scheduled(DeliveryRecord),
}

/// How the note of a delivery settled with nothing to send begins.
pub const NOT_SENT: &str = "not sent: ";

/// The text stored as a delivery's last error when an erasure gives it up.
pub const ERASED_BEFORE_DELIVERY: &str = "the pledge was erased before this event was delivered";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pledge_held_for_review_is_announced_only_when_it_leaves_review() {
        assert_eq!(announcement(false, Status::Review), None, "held on arrival: not announced");
        assert_eq!(announcement(false, Status::New), Some(EventType::PledgeCreated), "arrived or released");
        assert_eq!(announcement(false, Status::Declined), Some(EventType::PledgeCreated), "left review by staff");
        assert_eq!(announcement(true, Status::Contacted), Some(EventType::PledgeStatusChanged));
        assert_eq!(announcement(true, Status::Review), Some(EventType::PledgeStatusChanged), "sent back to review");
        assert!(!erasure_announced(false));
        assert!(erasure_announced(true));
    }

    #[test]
    fn endpoints_for_new_pledges_only_take_no_later_event() {
        let names = |endpoints: &Endpoints, event_type| endpoints.for_event(event_type).cloned().collect::<Vec<_>>();
        let endpoints = Endpoints::new(["crm".to_owned()]).with_created_only(["email:charity".to_owned()]);
        assert_eq!(names(&endpoints, EventType::PledgeCreated), ["crm", "email:charity"]);
        assert_eq!(names(&endpoints, EventType::PledgeStatusChanged), ["crm"]);
        assert_eq!(names(&endpoints, EventType::PledgeErased), ["crm"]);
        let mail_only = Endpoints::default().with_created_only(["email:charity".to_owned()]);
        assert!(!mail_only.is_empty());
        assert!(names(&mail_only, EventType::PledgeStatusChanged).is_empty(), "the event is not even written");
    }

    #[test]
    fn statuses_read_back_what_they_write() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeliveryStatus::parse("sent"), None);
    }
}
