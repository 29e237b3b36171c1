//! `cargo xtask fuzz`: libFuzzer on the path from request body to validated pledge.

use std::process::Command;

use crate::cmd::run_with;
use crate::{project_root, tools, Result};

pub const TARGET: &str = "body_to_pledge";

pub fn run(seconds: u64) -> Result {
    let toolchain = tools::cargo_fuzz()?;
    run_with(
        Command::new("cargo")
            .arg(format!("+{toolchain}"))
            .args(["fuzz", "run", TARGET, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .current_dir(project_root()),
    )
}
