//! Logs: compact lines on standard error, filtered by `RUST_LOG`.
//!
//! Handlers log pledge references, partners and outcomes only; names, emails and bodies are
//! never passed to the logger, so they cannot leak through it.

use std::io::IsTerminal;
use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// sqlx logs every statement at `info`; only its warnings (slow statements) are worth a line.
const DEFAULT_FILTER: &str = "info,sqlx=warn";

pub fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| Targets::from_str(&text).ok())
        .unwrap_or_else(|| Targets::from_str(DEFAULT_FILTER).expect("the default filter parses"));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .compact()
                .with_target(false)
                // Colours only for a person at a terminal, not in files or service journals.
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        )
        .with(filter)
        .init();
}
