//! Telling others about pledges: signed webhooks to the charity's systems, and e-mails to the
//! charity's staff and to donors. Most of this part decides what is said and how it is
//! protected, and makes no network call, so that it is tested as plain Rust; only [`mailer`]
//! talks to a server, an SMTP relay, and it is tested against a real one on loopback.
//!
//! The design these parts serve:
//!
//! - **An outbox.** A notification is written as a row in the same transaction as the change it
//!   reports, so that a pledge is never stored without its notification, nor announced without
//!   being stored. A worker delivers the rows afterwards.
//! - **At least once.** A delivery that fails, or whose answer is lost, is tried again, so a
//!   receiver may see an event more than once. Every event has a stable id, and receivers
//!   de-duplicate by it. The payload is serialised once and stored as bytes, so every attempt
//!   sends the same body.
//! - **Signatures.** Each webhook delivery is signed with the endpoint's secret over the time and
//!   the raw body, so a receiver can tell it came from here, unchanged, and recently.
//! - **Backoff.** Retries wait exponentially longer, with jitter, and stop after a set number of
//!   attempts; a dead delivery is kept for a person to resend.
//! - **Only what is needed.** A webhook carries what the charity's export carries and no more;
//!   the staff e-mail carries no personal data at all, only a link to the staff inbox.
//!
//! The modules:
//!
//! - [`event`]: the event types, their ids and their versioned JSON payloads.
//! - [`signature`]: webhook secrets, and signing and verifying the `Sanankoroba-Signature` header.
//! - [`backoff`]: the retry schedule.
//! - [`email`]: the staff notification and the donor's confirmation, composed with lettre.
//! - [`mailer`]: sending those e-mails over SMTP, when an SMTP host is configured, and telling
//!   a failure worth retrying from one that is not.
//! - [`view`]: the stored pledge as these parts read it.

pub mod backoff;
pub mod email;
pub mod event;
pub mod mailer;
pub mod signature;
#[cfg(test)]
mod test_support;
pub mod view;

pub use backoff::RetryPolicy;
pub use email::{charity_notification, donor_confirmation, Charity, EmailError};
pub use event::{Event, EventId, EventType, API_VERSION};
pub use mailer::{DeliverError, MailKind, MailSettings, Mailer};
pub use signature::{sign, sign_with_each, verify, VerifyError, WebhookSecret, SIGNATURE_HEADER};
pub use view::PledgeView;
