//! `cargo xtask bench`: figures, not tests. Reports go to `target/bench/`.

use std::process::Command;

use crate::cmd::{self, run_with};
use crate::flags::BenchTarget;
use crate::{dist, project_root, tools, wasm_build, Result};

/// A profile of its own for the build that keeps function names, so that the release build the
/// bundle comes from stays cached.
const NAMES_PROFILE: &str = "wasm-names";

pub fn run(target: BenchTarget) -> Result {
    if matches!(target, BenchTarget::All | BenchTarget::Widget) {
        widget()?;
    }
    if matches!(target, BenchTarget::All | BenchTarget::Receiver) {
        receiver()?;
    }
    if target == BenchTarget::All {
        size_chart()?;
    }
    Ok(())
}

fn widget() -> Result {
    tools::chromium()?;
    // The benchmark measures the bundle as it is.
    dist::build_for_use()?;
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

/// `target/bench/size.svg`: the bundle by file, and its wasm by crate and by module.
fn size_chart() -> Result {
    tools::twiggy()?;
    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    if !project_root().join("dist/size-report.json").exists() {
        dist::build()?;
    }
    let profile = |setting: &str| format!("profile.{NAMES_PROFILE}.{setting}");
    let wasm = wasm_build::build(NAMES_PROFILE, &[profile("inherits=\"release\""), profile("strip=false")])?;
    let root = project_root();
    let names = root.join("target/bench/names");
    // wasm-bindgen keeps the name section, so the crates can be told apart in what it writes.
    run_with(
        Command::new("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&names).arg(&wasm),
    )?;
    run_with(Command::new("node").arg("tests/bench/size-chart.mjs").arg(names.join(dist::WASM)).current_dir(&root))
}
