//! `cargo xtask demo`: the widget, the receiver on SQLite and the demo partner page.

use std::process::Command;

use crate::cmd::{self, run_with};
use crate::flags::DemoOptions;
use crate::{dist, project_root, Result};

pub fn run(options: &DemoOptions) -> Result {
    dist::build_for_use()?;
    cmd::run("cargo", &["build", "--package", "sanankoroba-receiver", "--bin", "sanankoroba-receiver"])?;
    let root = project_root();
    std::fs::create_dir_all(root.join("data")).map_err(|e| format!("creating data/: {e}"))?;
    eprintln!("\nStarting the receiver. Open the address it prints; stop it with Ctrl-C.\n");
    run_with(
        Command::new(root.join("target/debug/sanankoroba-receiver"))
            .args(["--bind", &options.bind, "--dist", "dist/widget", "--demo-page", "index.html"])
            .current_dir(&root),
    )
}
