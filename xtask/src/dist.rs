//! `cargo xtask dist`: the embeddable bundle in `dist/widget/`, with stable file names so a
//! partner can pin a URL, and `dist/size-report.json`.
//!
//! cargo (see [`crate::wasm_build`]) → wasm-bindgen (`--target web`) → wasm-opt -Oz (binaryen
//! 132 from npm; Debian's 108 writes modules that crash in Chromium) → terser for the
//! JavaScript, csso for the CSS.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::run_with;
use crate::size::{self, SizeReport};
use crate::{project_root, tools, wasm_build, Result};

/// The most a page may download for the widget (loader, glue, wasm and CSS, gzip -9), in bytes.
pub const GZIP_BUDGET: u64 = 64_000;

pub const LOADER: &str = "sanankoroba-widget.js";
pub const GLUE: &str = "sanankoroba_widget.js";
pub const WASM: &str = "sanankoroba_widget_bg.wasm";
pub const CSS: &str = "sanankoroba-widget.css";

/// The features current rustc output uses. `-all` would enable ones the browser rejects.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn dist_dir() -> PathBuf {
    project_root().join("dist/widget")
}

pub fn run() -> Result {
    let report = build()?;
    println!("{}", report.table());
    report.check_budget(GZIP_BUDGET)
}

/// Builds the bundle for a verb that uses it (demo, test, bench): prints its size and names an
/// overrun without failing, since the budget is the gate of `cargo xtask dist` itself.
pub fn build_for_use() -> Result {
    let report = build()?;
    println!("{}", report.table());
    if let Err(overrun) = report.check_budget(GZIP_BUDGET) {
        eprintln!("warning: {overrun}");
    }
    Ok(())
}

/// Builds the bundle and writes the size report, without judging it.
pub fn build() -> Result<SizeReport> {
    tools::wasm_target()?;
    tools::wasm_bindgen_cli()?;
    tools::npm_packages()?;
    let root = project_root();
    let out = dist_dir();
    let staging = root.join("target/widget-bindgen");
    for dir in [&out, &staging] {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }

    let wasm = wasm_build::build("release", &[])?;
    run_with(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&staging)
            .arg(&wasm),
    )?;

    let mut wasm_opt = Command::new(tools::npm_bin("wasm-opt"));
    wasm_opt.arg("-Oz").args(WASM_OPT_FEATURES).arg(staging.join(WASM)).arg("-o").arg(out.join(WASM));
    run_with(&mut wasm_opt)?;

    minify_js(&staging.join(GLUE), &out.join(GLUE), true)?;
    minify_js(&root.join("loader").join(LOADER), &out.join(LOADER), false)?;
    run_with(Command::new(tools::npm_bin("csso")).arg("--input").arg(root.join("style/widget.css")).arg("--output").arg(out.join(CSS)))?;

    let report = size::measure(&out, &[LOADER, GLUE, WASM, CSS])?;
    size::write_precompressed(&out, &[LOADER, GLUE, WASM, CSS])?;
    let path = root.join("dist/size-report.json");
    fs::write(&path, report.to_json(GZIP_BUDGET)).map_err(|e| format!("writing {}: {e}", path.display()))?;
    eprintln!("wrote {} and {}", out.display(), path.display());
    Ok(report)
}

fn minify_js(input: &Path, output: &Path, module: bool) -> Result {
    let mut terser = Command::new(tools::npm_bin("terser"));
    terser.arg(input).args(["--compress", "--mangle", "--ecma", "2020", "--output"]).arg(output);
    if module {
        terser.arg("--module");
    } else {
        // Keep the leading `/*!` notice so a partner reading the file knows what it is.
        terser.args(["--comments", "/^!/"]);
    }
    run_with(&mut terser)
}
