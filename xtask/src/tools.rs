//! The tools the verbs need, installed when missing where that is possible, and otherwise named
//! exactly, with the command that installs them.

use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use crate::cmd::{exists, output, run};
use crate::{project_root, Result};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"])
        .ok_or("rustup is missing: install Rust with rustup (https://rustup.rs), then run this again")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    run("rustup", &["target", "add", WASM_TARGET])
}

/// Room on the disk for what a verb builds under target/. A disk that fills up halfway fails a
/// link with "No space left on device" after minutes of work; this says at once how much is
/// needed. What target/ already holds counts towards it, so a second run needs little room.
pub fn disk_space(needed_mib: u64, verb: &str) -> Result {
    let root = project_root();
    let target = root.join("target");
    let used_kib = output("du", &["-sk", &target.to_string_lossy()])
        .and_then(|out| out.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0);
    let holder = if target.exists() { target } else { root };
    let free_kib = output("df", &["-Pk", &holder.to_string_lossy()])
        .and_then(|out| out.lines().nth(1)?.split_whitespace().nth(3)?.parse::<u64>().ok());
    // Where df cannot tell, the build goes ahead and the disk answers for itself.
    let Some(free_kib) = free_kib else { return Ok(()) };
    let missing_kib = (needed_mib * 1024).saturating_sub(used_kib);
    if free_kib >= missing_kib {
        return Ok(());
    }
    let gib = |kib: u64| kib as f64 / (1024.0 * 1024.0);
    Err(format!(
        "`cargo xtask {verb}` needs about {:.1} GB under target/, which holds {:.1} GB, and only {:.1} GB are free on its disk: free another {:.1} GB and run it again",
        gib(needed_mib * 1024),
        gib(used_kib),
        gib(free_kib),
        gib(missing_kib - free_kib)
    ))
}

/// rustfmt, for the formatting check; rustup's default profile has it, the minimal one not.
pub fn rustfmt() -> Result {
    if output("cargo", &["fmt", "--version"]).is_some() {
        return Ok(());
    }
    run("rustup", &["component", "add", "rustfmt"])
}

/// wasm-bindgen-cli must be exactly the version of the `wasm-bindgen` crate in Cargo.lock:
/// both the glue it writes and the test runner's handshake depend on it.
pub fn wasm_bindgen_cli() -> Result {
    let wanted = locked_version("wasm-bindgen")?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(wanted.as_str()) {
        return Ok(());
    }
    eprintln!("wasm-bindgen-cli {wanted} is needed (found {:?}); installing, which takes a few minutes", have);
    // Not --locked: the CLI's own lock file names a release of one of its dependencies that
    // the registry no longer serves.
    run("cargo", &["install", "wasm-bindgen-cli", "--version", &format!("={wanted}")])
}

/// `npm ci` from the committed lock file, when node_modules does not already match it.
pub fn npm_packages() -> Result {
    output("node", &["--version"])
        .ok_or("Node.js is missing: install Node.js 20 or newer (Debian: apt-get install nodejs npm)")?;
    let root = project_root();
    let lock = fs::read(root.join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp = root.join("node_modules/.installed-from-lock");
    if fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    run("npm", &["ci", "--no-audit", "--no-fund"])?;
    fs::write(&stamp, lock).map_err(|e| format!("writing {}: {e}", stamp.display()))
}

pub fn npm_bin(name: &str) -> String {
    project_root().join("node_modules/.bin").join(name).to_string_lossy().into_owned()
}

/// Debian's Chromium and ChromeDriver, for the browser and end-to-end tests.
pub fn chromium() -> Result {
    if exists(CHROMIUM) && exists(CHROMEDRIVER) {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

/// A PostgreSQL server on loopback for the receiver's PostgreSQL tests, as a `DATABASE_URL`.
/// An existing `DATABASE_URL` is used as it is when it names a PostgreSQL server; any other
/// (a `sqlite:` URL left in the shell) is refused, since those tests would then be reported
/// as ignored: `cargo xtask test` makes that an error in CI and a warning elsewhere.
pub fn postgres() -> Result<String> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(url);
        }
        let scheme = url.split_once(':').map_or(url.as_str(), |(scheme, _)| scheme);
        return Err(format!(
            "DATABASE_URL is set but is not a postgres:// or postgresql:// URL (its scheme is `{scheme}`), so the receiver's PostgreSQL tests cannot run; unset it to have a local server set up, or point it at a PostgreSQL server"
        ));
    }
    if !exists("/usr/bin/pg_ctlcluster") {
        apt_install(&["postgresql"])?;
    }
    let clusters = output("pg_lsclusters", &["--no-header"]).unwrap_or_default();
    let (version, cluster) = clusters
        .lines()
        .find_map(|line| {
            let mut fields = line.split_whitespace();
            Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
        })
        .ok_or("PostgreSQL is installed but has no cluster: run `pg_createcluster 15 main`")?;
    if !clusters.contains("online") {
        run("pg_ctlcluster", &[&version, &cluster, "start"])?;
    }
    let psql = |sql: &str| run("su", &["postgres", "-c", &format!("psql -v ON_ERROR_STOP=1 -qc \"{sql}\"")]);
    let has_role =
        output("su", &["postgres", "-c", "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='sanankoroba'\""])
            .is_some_and(|out| out == "1");
    if !has_role {
        psql("CREATE ROLE sanankoroba LOGIN CREATEDB PASSWORD 'sanankoroba'")?;
    }
    let has_db =
        output("su", &["postgres", "-c", "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='sanankoroba_test'\""])
            .is_some_and(|out| out == "1");
    if !has_db {
        psql("CREATE DATABASE sanankoroba_test OWNER sanankoroba")?;
    }
    Ok("postgres://sanankoroba:sanankoroba@127.0.0.1:5432/sanankoroba_test".to_owned())
}

/// The nightly that builds the shipped wasm and runs the fuzzer. Pinned, since the flags the
/// wasm is built with are unstable.
pub const PINNED_NIGHTLY: &str = "nightly-2026-05-19";

/// [`PINNED_NIGHTLY`] with the standard library's source, installed through rustup when
/// missing; `None` when rustup cannot install it.
pub fn pinned_nightly() -> Option<&'static str> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ready = *READY.get_or_init(|| {
        let has_source = || {
            output("rustup", &["component", "list", "--installed", "--toolchain", PINNED_NIGHTLY])
                .is_some_and(|components| components.lines().any(|line| line.starts_with("rust-src")))
        };
        has_source()
            || run(
                "rustup",
                &[
                    "toolchain",
                    "install",
                    PINNED_NIGHTLY,
                    "--profile",
                    "minimal",
                    "--component",
                    "rust-src",
                    "--no-self-update",
                ],
            )
            .is_ok_and(|()| has_source())
    });
    ready.then_some(PINNED_NIGHTLY)
}

/// How to get [`PINNED_NIGHTLY`] by hand, for messages about it.
pub fn pinned_nightly_install() -> String {
    format!("rustup toolchain install {PINNED_NIGHTLY} --profile minimal --component rust-src")
}

/// cargo-fuzz, and the nightly it runs on: the pinned one, or else any nightly the machine has.
pub fn cargo_fuzz() -> Result<String> {
    let toolchain = match pinned_nightly() {
        Some(pinned) => pinned.to_owned(),
        None => output("rustup", &["toolchain", "list"])
            .unwrap_or_default()
            .lines()
            .find(|line| line.starts_with("nightly"))
            .and_then(|line| line.split_whitespace().next())
            .map(str::to_owned)
            .ok_or_else(|| format!("fuzzing needs a nightly toolchain: run `{}`", pinned_nightly_install()))?,
    };
    if output("cargo", &["fuzz", "--version"]).is_none() {
        run("cargo", &["install", "cargo-fuzz"])?;
    }
    Ok(toolchain)
}

/// twiggy, which attributes the wasm's bytes to crates for the size chart.
pub fn twiggy() -> Result {
    if output("twiggy", &["--version"]).is_some() {
        return Ok(());
    }
    eprintln!("twiggy is missing; installing it, which takes a few minutes");
    run("cargo", &["install", "twiggy"])
}

fn apt_install(packages: &[&str]) -> Result {
    let list = packages.join(" ");
    let is_root = output("id", &["-u"]).is_some_and(|uid| uid == "0");
    if !is_root || !exists("/usr/bin/apt-get") {
        return Err(format!(
            "missing: {list}. Install them (Debian: `sudo apt-get install -y {list}`), then run this again"
        ));
    }
    static UPDATED: AtomicBool = AtomicBool::new(false);
    if !UPDATED.swap(true, Ordering::SeqCst) {
        run("apt-get", &["update", "-qq"])?;
    }
    let mut args = vec!["install", "-y", "-qq"];
    args.extend_from_slice(packages);
    run("apt-get", &args)
}

/// The version of `package` that Cargo.lock resolved.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = fs::read_to_string(project_root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let header = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&header).ok_or_else(|| format!("{package} is not in Cargo.lock"))? + header.len();
    Ok(lock[start..].split('"').next().unwrap_or_default().to_owned())
}
