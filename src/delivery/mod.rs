//! Getting a pledge to the charity's endpoint without losing, misrouting or duplicating it.
//!
//! The pledge is written to this browser's outbox, with the endpoint it was made for, before
//! the first attempt. It is sent with its idempotency key, sent again for as long as the page
//! is open until the endpoint gives a final answer, and only then removed from the outbox. A
//! widget resends its own endpoint's saved pledges when it loads, when the browser comes back
//! online and when the page is shown again, so a pledge saved during one visit arrives in a
//! later one, and only ever at the endpoint it was made for.
//!
//! [`dispatch::Dispatch`] makes every decision as a plain state machine; [`Courier`] is the
//! thin browser shell that carries them out with localStorage, timers and `fetch`.

pub mod answer;
pub mod body;
mod courier;
pub mod dispatch;
mod key;
pub mod outbox;
pub mod retry;
pub mod storage;
mod timer;
mod transport;

pub use body::Outline;
pub use courier::Courier;
pub use key::new_idempotency_key;
pub use transport::http_date;

/// Where a pledge stands, as the donor must be told it.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryStatus {
    /// Nothing submitted during this visit.
    Idle,
    /// An attempt is under way; the submit control stays disabled.
    Sending,
    /// Not delivered yet, but saved on this device: the widget keeps trying while the page is
    /// open, and again the next time a page with the widget is opened.
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
    /// A server error (any 5xx, including a CDN's 520 to 526 when the origin is down).
    ServerUnavailable(u16),
    /// The endpoint asked the widget to slow down (429).
    TooManyRequests,
    /// Any other answer that is not the endpoint's final word: a success without a reference
    /// (a captive portal), a proxy's or firewall's 401, 403, 404 or 407, a 4xx without a
    /// problem document. Resending is safe: a pledge that did arrive is not stored twice.
    UnexpectedAnswer(u16),
}
