//! The reference receiver for sponsorship pledges made with the Sanankoroba widget.
//!
//! It validates each pledge with the `pledge` crate, stores it durably and idempotently in
//! SQLite or PostgreSQL, answers the donor's browser with a reference, and lets the charity
//! export what was pledged. It also serves the built widget and a demo partner page.

pub mod admin;
pub mod app;
pub mod client_address;
pub mod config;
pub mod cors;
pub mod csv_export;
pub mod dashboard;
pub mod decode;
pub mod demo_page;
pub mod export;
pub mod health;
pub mod idempotency;
pub mod logging;
pub mod openapi;
pub mod partner_kit;
pub mod problem;
pub mod rate_limit;
pub mod reference;
pub mod spam;
pub mod static_files;
pub mod storage;
pub mod submit;
pub mod timestamp;
pub mod widget_assets;

pub use app::{start, Running};
pub use config::{Args, Settings, Timeouts};

/// Start-up failures, reported to the operator and ending the process.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
