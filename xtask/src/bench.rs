//! `cargo xtask bench`: figures, not tests. Reports go to `target/bench/`.

use std::process::Command;

use crate::cmd::{self, run_with};
use crate::flags::BenchTarget;
use crate::{dist, project_root, tools, Result};

pub fn run(target: BenchTarget) -> Result {
    if matches!(target, BenchTarget::All | BenchTarget::Widget) {
        widget()?;
    }
    if matches!(target, BenchTarget::All | BenchTarget::Receiver) {
        receiver()?;
    }
    Ok(())
}

fn widget() -> Result {
    tools::chromium()?;
    dist::run()?;
    cmd::run("cargo", &["build", "--package", "sanankoroba-receiver", "--bin", "sanankoroba-receiver"])?;
    run_with(
        Command::new("node")
            .arg("tests/bench/widget.mjs")
            .env("RECEIVER_BIN", project_root().join("target/debug/sanankoroba-receiver"))
            .env("CHROMIUM", tools::CHROMIUM)
            .current_dir(project_root()),
    )
}

fn receiver() -> Result {
    cmd::run("cargo", &["bench", "--package", "sanankoroba-receiver", "--bench", "receiver"])
}
