//! How the shipped wasm is compiled.
//!
//! On the pinned nightly the standard library is rebuilt with panics that abort on the spot,
//! without panic locations and without `Debug` formatting: the widget never shows a panic
//! message or a `Debug` string, and these take about a tenth off the wasm. Leptos's
//! `erase_components` takes off a little more on either toolchain. Without the nightly, the
//! stable toolchain builds the same code, larger, and says so.

use std::path::PathBuf;
use std::process::Command;

use crate::cmd::run_with;
use crate::{project_root, tools, Result};

/// Apart from the test builds, so neither rebuilds the other's dependencies.
const TARGET_DIR: &str = "target/bundle";

const SIZE_FLAGS: &[&str] =
    &["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none", "-Zfmt-debug=none"];
const LEPTOS_FLAGS: &[&str] = &["--cfg", "erase_components"];

/// Builds the widget's wasm with `profile` and returns its path. `config` adds `--config`
/// settings, such as a profile that keeps function names.
pub fn build(profile: &str, config: &[String]) -> Result<PathBuf> {
    let nightly = tools::pinned_nightly();
    if nightly.is_none() {
        eprintln!(
            "warning: {} with rust-src could not be installed, so the wasm is built on stable and is about a tenth larger. \
             To build the smaller one: {}",
            tools::PINNED_NIGHTLY,
            tools::pinned_nightly_install()
        );
    }
    let mut cargo = Command::new("cargo");
    let mut rustflags: Vec<&str> = LEPTOS_FLAGS.to_vec();
    if let Some(toolchain) = nightly {
        cargo.arg(format!("+{toolchain}"));
        rustflags.extend_from_slice(SIZE_FLAGS);
    }
    cargo.args([
        "build",
        "--target",
        "wasm32-unknown-unknown",
        "--package",
        "sanankoroba-widget",
        "--lib",
        "--profile",
        profile,
    ]);
    if nightly.is_some() {
        cargo.args(["-Z", "build-std=std,panic_abort"]);
    }
    for setting in config {
        cargo.args(["--config", setting]);
    }
    let root = project_root();
    cargo.arg("--target-dir").arg(root.join(TARGET_DIR)).env("RUSTFLAGS", rustflags.join(" ")).current_dir(&root);
    run_with(&mut cargo)?;
    Ok(root.join(TARGET_DIR).join("wasm32-unknown-unknown").join(profile).join("sanankoroba_widget.wasm"))
}
