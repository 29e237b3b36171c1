//! The reference receiver for sponsorship pledges made with the Sanankoroba widget.
//!
//! It validates each pledge with the `pledge` crate, stores it durably and idempotently in
//! SQLite or PostgreSQL, answers the donor's browser with a reference, and lets the charity
//! export what was pledged. It also serves the built widget and a demo partner page.
//!
//! The parts, from the outside in:
//!
//! - [`server`]: opening the store, binding, serving until a stop, draining.
//! - [`http`]: the router, one module per route group, the cross-cutting layers, the admin
//!   token check and the problem+json error type. Handlers only extract, call and answer.
//! - [`intake`]: what is decided about an incoming pledge (decoding, idempotency, spam,
//!   references), as plain Rust tested without a network.
//! - [`export`]: the charity's file formats: the CSV of pledges and the HMRC Gift Aid schedule.
//! - [`dashboard`]: the figures and charts of the staff dashboard.
//! - [`notify`]: signed webhook events, their retry schedule, and the staff's and donors' e-mails.
//! - [`outbox`]: delivering the events storage wrote with each change, with leases and retries.
//! - [`storage`] and [`timestamp`]: the durable record and its clock.
//! - [`staff`]: staff accounts, sessions, CSRF tokens and the sign-in limit.
//! - [`inbox`]: the staff pages' markup, rendered from plain view data.
//! - [`housekeeping`]: the hourly retention erasure and session clean-up.
//! - [`config`] and [`logging`]: the operator's settings and the log output.

pub mod config;
pub mod dashboard;
pub mod export;
pub mod housekeeping;
pub mod http;
pub mod inbox;
pub mod intake;
pub mod logging;
pub mod notify;
pub mod outbox;
pub mod server;
pub mod staff;
pub mod storage;
pub mod timestamp;

pub use config::{Args, Settings, Timeouts, Webhooks};
pub use server::{start, Running};

/// Start-up failures, reported to the operator and ending the process.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
