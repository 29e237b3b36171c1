//! The Sanankoroba sponsorship widget.
//!
//! A partner page loads `sanankoroba-widget.js`, which defines `<sanankoroba-widget>` and, when an
//! element comes near the viewport, loads this crate's wasm once and calls [`embed::mount`] for
//! each element. Everything the donor sees renders inside that element's shadow root.

pub mod config;
pub mod delivery;
pub mod embed;
pub mod flow;
pub mod format;
pub mod i18n;
pub mod ui;
