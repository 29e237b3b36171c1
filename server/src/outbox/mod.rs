//! Delivering the outbox: a worker that claims due deliveries, hands each to the channel its
//! endpoint names, and records the outcome, retrying with backoff until a delivery succeeds or
//! dies.
//!
//! The rows themselves are written by storage in the same transaction as the change they report
//! (see [`crate::storage::outbox`]); everything here happens afterwards, so a slow or broken
//! endpoint never slows a pledge down. All state is in the database, so a restart, or a process
//! killed mid-attempt, loses nothing: a delivery whose lease runs out is claimed again. Delivery
//! is therefore at least once, and receivers de-duplicate by event id.
//!
//! - [`decision`]: given an attempt's outcome and the attempts so far, what happens next.
//! - [`directory`]: which channel an endpoint's deliveries go through, from the flags or from
//!   the endpoints stored on the admin pages.
//! - [`email`]: the charity's notification and the donor's confirmation of a new pledge.
//! - [`webhook`]: the signed HTTP POST to a charity's endpoint.
//! - [`worker`]: the loop, and the [`worker::Channel`] trait that webhooks and e-mail implement.

pub mod decision;
pub mod directory;
pub mod email;
pub mod webhook;
pub mod worker;

pub use decision::{Attempt, Failure, Next};
pub use directory::Directory;
pub use email::EmailChannel;
pub use webhook::{WebhookChannel, WebhookEndpoint};
pub use worker::{Channel, Worker};
