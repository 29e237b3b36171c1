//! `cargo xtask test`: every test, fastest feedback first.

use std::process::Command;

use crate::cmd::{self, run_with};
use crate::flags::TestOptions;
use crate::{dist, fuzz, project_root, tools, Result};

/// What a clean run leaves under target/: 3.4 GB, measured on a fresh clone, with room to spare.
const TARGET_MIB: u64 = 4 * 1024;

pub fn run(options: &TestOptions) -> Result {
    tools::disk_space(TARGET_MIB, "test")?;
    tools::rustfmt()?;
    section("formatting (rustfmt.toml)");
    // First, as it takes a second: code that is not formatted fails here with the diff to apply.
    cmd::run("cargo", &["fmt", "--all", "--check"])?;
    let fuzz_targets = fuzz_target_sources()?;
    let mut rustfmt_args = vec!["--edition", "2021", "--check"];
    rustfmt_args.extend(fuzz_targets.iter().map(String::as_str));
    cmd::run("rustfmt", &rustfmt_args)?;

    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    tools::npm_packages()?;
    tools::chromium()?;
    let database_url = match tools::postgres() {
        Ok(url) => Some(url),
        Err(reason) if std::env::var_os("CI").is_some() => return Err(format!("PostgreSQL is needed in CI: {reason}")),
        Err(reason) => {
            eprintln!("warning: the receiver's PostgreSQL tests will be reported as ignored: {reason}");
            None
        }
    };

    // For every cargo run below, not only the tests: the receiver's build script reads it, and a
    // build that saw a different value would compile the receiver again.
    if let Some(url) = &database_url {
        std::env::set_var("DATABASE_URL", url);
    }

    section("native tests");
    run_with(Command::new("cargo").args(["test", "--workspace"]).current_dir(project_root()))?;
    cmd::run("cargo", &["test", "--package", "pledge", "--all-features"])?;

    section("component tests in headless Chromium");
    // The test runner ends ChromeDriver without closing its session, which leaves Chromium's
    // profile behind (tens of MB a run): it goes into a folder of ours, emptied afterwards.
    let browser_temp = project_root().join("target/tmp/component-tests");
    std::fs::create_dir_all(&browser_temp).map_err(|error| format!("{}: {error}", browser_temp.display()))?;
    let component_tests = run_with(
        Command::new("cargo")
            .args(["test", "--package", "sanankoroba-widget", "--target", "wasm32-unknown-unknown", "--tests"])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("TMPDIR", &browser_temp)
            .current_dir(project_root()),
    );
    let _ = std::fs::remove_dir_all(&browser_temp);
    component_tests?;

    section("bundle");
    // Judged once everything else has run, so that a size regression does not hide a failure.
    let bundle = dist::build_and_report()?;

    section("benchmark arithmetic");
    cmd::run("node", &["--test", "--test-reporter=spec", "tests/bench/"])?;

    section("end-to-end tests");
    cmd::run("cargo", &["build", "--package", "sanankoroba-receiver", "--bin", "sanankoroba-receiver"])?;
    run_with(
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .arg("tests/e2e/")
            .env("RECEIVER_BIN", project_root().join("target/debug/sanankoroba-receiver"))
            .env("CHROMIUM", tools::CHROMIUM)
            .current_dir(project_root()),
    )?;
    section("HTTP API against contract/openapi.json (schemathesis)");
    crate::api_fuzz::run()?;

    if options.fuzz_seconds > 0 {
        section("fuzzing");
        fuzz::run(options.fuzz_seconds)?;
    }
    section("size ratchet");
    dist::gate(&bundle)?;
    println!("\nAll tests passed.");
    Ok(())
}

/// The fuzz targets, which live in a workspace of their own that `cargo fmt --all` does not see.
fn fuzz_target_sources() -> Result<Vec<String>> {
    let folder = project_root().join("fuzz/fuzz_targets");
    let entries = std::fs::read_dir(&folder).map_err(|e| format!("reading {}: {e}", folder.display()))?;
    let mut sources: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
        .map(|path| path.display().to_string())
        .collect();
    sources.sort();
    Ok(sources)
}

fn section(title: &str) {
    eprintln!("\n==== {title} ====");
}
