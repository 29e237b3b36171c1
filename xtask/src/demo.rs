//! `cargo xtask demo`: the widget, the receiver on SQLite, the demo partner page, and a staff
//! account to sign in to the inbox with.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use crate::cmd::{self, run_with};
use crate::flags::DemoOptions;
use crate::{dist, project_root, Result};

/// The demo's staff account. Its password is new at every start and printed once.
const DEMO_USER: &str = "demo";

pub fn run(options: &DemoOptions) -> Result {
    dist::build_for_use()?;
    cmd::run("cargo", &["build", "--package", "sanankoroba-receiver", "--bin", "sanankoroba-receiver"])?;
    let root = project_root();
    std::fs::create_dir_all(root.join("data")).map_err(|e| format!("creating data/: {e}"))?;
    let password = reset_demo_account()?;
    eprintln!("\nStarting the receiver. Open the addresses it prints; stop it with Ctrl-C.");
    eprintln!("Staff inbox: http://{}/admin/", options.bind);
    eprintln!("  sign in as `{DEMO_USER}` with the password {password}");
    eprintln!(
        "  (a new password at every `cargo xtask demo`; more accounts with `sanankoroba-receiver user add NAME`)\n"
    );
    run_with(
        Command::new(root.join("target/debug/sanankoroba-receiver"))
            .args(["--bind", &options.bind, "--dist", "dist/widget", "--demo-page", "index.html"])
            .current_dir(&root),
    )
}

/// Makes the `demo` account again with a fresh random password, through the receiver's own
/// `user` command, on the database the demo uses.
fn reset_demo_account() -> Result<String> {
    let root = project_root();
    let receiver = root.join("target/debug/sanankoroba-receiver");
    // A first demo has no such account yet; `remove` then says so, which is fine.
    let _ = Command::new(&receiver)
        .args(["user", "remove", DEMO_USER])
        .current_dir(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let password = random_password()?;
    let mut child = Command::new(&receiver)
        .args(["user", "add", DEMO_USER, "--password-stdin"])
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", receiver.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{password}").map_err(|e| format!("giving the demo password to `user add`: {e}"))?;
    }
    let status = child.wait().map_err(|e| format!("waiting for `user add`: {e}"))?;
    if !status.success() {
        return Err(format!("`sanankoroba-receiver user add {DEMO_USER}` failed ({status}); its message is above"));
    }
    Ok(password)
}

/// Sixteen random bytes from the operating system, as 32 hexadecimal digits.
fn random_password() -> Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|e| format!("reading /dev/urandom for the demo password: {e}"))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
