//! `cargo xtask dist`: the embeddable bundle in `dist/widget/` (the loader under its stable
//! name, which partners' script tags use, and every file under a content-hashed name, see
//! [`crate::versioned`]), and `dist/size-report.json`, gated by the size ratchet
//! ([`crate::size`]).
//!
//! cargo (see [`crate::wasm_build`]) → wasm-bindgen (`--target web`) → wasm-opt (binaryen
//! 132 from npm; Debian's 108 writes modules that crash in Chromium) → terser for the
//! JavaScript, csso for the CSS.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::run_with;
use crate::flags::DistOptions;
use crate::size::{self, Budget, SizeReport, BUDGET_FILE};
use crate::versioned::{self, Versioned};
use crate::{project_root, tools, wasm_build, Result};

pub const LOADER: &str = "sanankoroba-widget.js";
pub const GLUE: &str = "sanankoroba_widget.js";
pub const WASM: &str = "sanankoroba_widget_bg.wasm";
pub const CSS: &str = "sanankoroba-widget.css";
/// Everything a page downloads for the widget, by the names the sizes are reported under. In
/// `dist/widget/` all but the loader carry a content hash (see [`crate::versioned`]).
pub const FILES: [&str; 4] = [LOADER, GLUE, WASM, CSS];
/// What `dist/widget/manifest.json` holds: each file's hashed name and integrity.
pub const MANIFEST: &str = "manifest.json";

/// Size first, but functions with a single caller are inlined only when small (10 instructions
/// at most), and the passes run until nothing changes. Inlining every single-caller function,
/// as plain `-Oz` does, merges code that gzip and brotli would otherwise find repeated. Measured
/// on this widget (binaryen 132, gzip -9 of the wasm): `-Oz` 138,450 B; `-Oz -ocimfs 5`
/// 127,977 B; `-Os -ocimfs 10 --converge` 127,088 B but 27 KB more raw wasm to compile;
/// this, 127,154 B with the raw size of `-Oz`.
const WASM_OPT_PASSES: &[&str] = &["-Oz", "--one-caller-inline-max-function-size", "10", "--converge"];

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

pub fn run(options: &DistOptions) -> Result {
    let report = build()?;
    println!("{}", report.table());
    if options.lower_budget {
        let path = project_root().join(BUDGET_FILE);
        let lowered = budget_so_far()?.lowered(&report);
        fs::write(&path, lowered.to_json()).map_err(|e| format!("writing {}: {e}", path.display()))?;
        println!("lowered {BUDGET_FILE} to the bundle as built, plus 1 %, where it was higher");
    }
    budget()?.check(&report)
}

/// Builds the bundle and prints its size; [`gate`] then judges it.
pub fn build_and_report() -> Result<SizeReport> {
    let report = build()?;
    println!("{}", report.table());
    Ok(report)
}

/// The size ratchet: fails when any figure of `report` grew past its budget.
pub fn gate(report: &SizeReport) -> Result {
    budget()?.check(report)
}

/// Builds the bundle for a verb that uses it (demo, bench): prints its size and names growth
/// without failing, since a demo or a measurement is worth having either way.
pub fn build_for_use() -> Result {
    let report = build()?;
    println!("{}", report.table());
    if let Err(growth) = budget()?.check(&report) {
        eprintln!("warning: {growth}");
    }
    Ok(())
}

fn budget() -> Result<Budget> {
    Budget::read(&project_root().join(BUDGET_FILE))
}

/// The ratchet, or none yet: a file without a budget starts at today's size when lowered.
fn budget_so_far() -> Result<Budget> {
    if project_root().join(BUDGET_FILE).exists() {
        budget()
    } else {
        Ok(Budget::default())
    }
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
        Command::new("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&staging).arg(&wasm),
    )?;

    let mut wasm_opt = Command::new(tools::npm_bin("wasm-opt"));
    wasm_opt.args(WASM_OPT_PASSES).args(WASM_OPT_FEATURES).arg(staging.join(WASM)).arg("-o").arg(out.join(WASM));
    run_with(&mut wasm_opt)?;

    minify_js(&staging.join(GLUE), &out.join(GLUE), true)?;
    run_with(
        Command::new(tools::npm_bin("csso"))
            .arg("--input")
            .arg(root.join("style/widget.css"))
            .arg("--output")
            .arg(out.join(CSS)),
    )?;
    let version = |name: &str| -> Result<Versioned> {
        fs::read(out.join(name)).map(|bytes| Versioned::of(name, &bytes)).map_err(|e| format!("reading {name}: {e}"))
    };
    let (glue, wasm, css) = (version(GLUE)?, version(WASM)?, version(CSS)?);
    let loader_source =
        fs::read_to_string(root.join("loader").join(LOADER)).map_err(|e| format!("reading the loader: {e}"))?;
    let filled = staging.join(LOADER);
    fs::write(&filled, versioned::fill_loader(&loader_source, &glue, &wasm, &css)?)
        .map_err(|e| format!("writing {}: {e}", filled.display()))?;
    minify_js(&filled, &out.join(LOADER), false)?;

    // Sizes are reported under the stable names, so the ratchet follows a file across releases.
    let report = size::measure(&out, &FILES)?;
    for file in [&glue, &wasm, &css] {
        fs::rename(out.join(&file.name), out.join(&file.hashed_name))
            .map_err(|e| format!("renaming {}: {e}", file.name))?;
    }
    let loader = version(LOADER)?;
    fs::copy(out.join(LOADER), out.join(&loader.hashed_name)).map_err(|e| format!("copying the loader: {e}"))?;
    let shipped =
        [&loader.name, &loader.hashed_name, &glue.hashed_name, &wasm.hashed_name, &css.hashed_name].map(String::as_str);
    size::write_precompressed(&out, &shipped)?;
    fs::write(out.join(MANIFEST), versioned::manifest(&loader, &[&glue, &wasm, &css]))
        .map_err(|e| format!("writing {MANIFEST}: {e}"))?;

    copy_partner_kit(&root)?;

    let path = root.join("dist/size-report.json");
    fs::write(&path, report.to_json(&budget_so_far()?)).map_err(|e| format!("writing {}: {e}", path.display()))?;
    eprintln!("wrote {} and {}", out.display(), path.display());
    Ok(report)
}

/// The partner kit (`kit/`), beside the widget whose bundle its preview loads: `dist/kit/`.
/// It is plain files, so a charity can host it anywhere next to the widget's folder.
fn copy_partner_kit(root: &Path) -> Result {
    let kit = root.join("dist/kit");
    let _ = fs::remove_dir_all(&kit);
    fs::create_dir_all(&kit).map_err(|e| format!("creating {}: {e}", kit.display()))?;
    for name in ["index.html", "kit.js", "kit.css"] {
        fs::copy(root.join("kit").join(name), kit.join(name)).map_err(|e| format!("copying kit/{name}: {e}"))?;
    }
    Ok(())
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
