//! Getting a pledge to the charity's endpoint without losing or duplicating it.
//!
//! The pledge is written to this browser's outbox before the first attempt, sent with its
//! idempotency key, retried while the failure is temporary, and removed from the outbox only
//! once the endpoint has given a final answer. The outbox is resent when the widget loads and
//! when the browser comes back online, so a pledge saved during one visit arrives in a later one.

mod answer;
pub mod body;
mod courier;
mod key;
pub mod outbox;
pub mod retry;
pub mod storage;
mod timer;
mod transport;

pub use body::Outline;
pub use courier::Courier;
pub use key::new_idempotency_key;

/// Where a pledge stands, as the donor must be told it.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryStatus {
    /// Nothing submitted during this visit.
    Idle,
    /// An attempt is under way; the submit control stays disabled.
    Sending,
    /// Not delivered yet, but saved on this device: the widget keeps trying during this visit,
    /// and again the next time a page with the widget is opened.
    Saved { reason: FailureReason },
    /// Not delivered yet, and this browser refused to save it (private mode, storage full):
    /// the widget keeps trying only while this page stays open.
    Unsaved { reason: FailureReason },
    /// The charity has the pledge; `reference` is what the donor quotes to its staff.
    Received { reference: String },
    /// The endpoint refused the pledge for good. `errors` name the fields to fix; `detail` is
    /// the endpoint's English explanation when it gave one.
    Rejected { errors: Vec<pledge::FieldError>, detail: Option<String> },
}

/// Why the last attempt did not deliver the pledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureReason {
    /// The request never reached the endpoint: no connection, or the browser is offline.
    Offline,
    /// No answer within ten seconds.
    Timeout,
    /// The endpoint answered with a temporary failure (408, 425, 500, 502, 503, 504).
    ServerUnavailable(u16),
    /// The endpoint asked the widget to slow down (429).
    TooManyRequests,
    /// The endpoint answered with success but without a reference, as a captive portal or a
    /// misconfigured proxy would. Resending is safe: a pledge that did arrive is not stored twice.
    UnexpectedAnswer(u16),
}
