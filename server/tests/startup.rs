//! The real binary: a setting that cannot work is refused at start with `error: …` naming the
//! flag, the variable and the value, and a non-zero exit, never a panic; the request log names
//! the client address the trusted proxy reported, and never a query string, token or donor.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{new_key, pledge_json, ADMIN_TOKEN};

fn receiver() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sanankoroba-receiver"));
    command
        .args(["--dist", "/nonexistent/dist"])
        // The tests' own DATABASE_URL must not leak into the receivers started here.
        .env_remove("DATABASE_URL")
        .env_remove("ADMIN_TOKEN")
        .env_remove("ALLOWED_ORIGINS")
        .env_remove("TRUSTED_PROXIES")
        .env_remove("BIND_ADDR")
        .env_remove("PUBLIC_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Flags, environment variables, and what the message must name.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn settings_that_cannot_work_are_refused_at_start() {
    let folder = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", folder.path().join("pledges.db").display());
    let cases: &[Case] = &[
        (&["--admin-token", "too-short"], &[], &["--admin-token", "ADMIN_TOKEN", "9 characters"]),
        (&[], &[("ADMIN_TOKEN", "too-short-from-env")], &["--admin-token", "ADMIN_TOKEN", "18 characters"]),
        (&["--database-url", "sqlite::memory:"], &[], &["--database-url", "DATABASE_URL", "sqlite::memory:"]),
        (&[], &[("DATABASE_URL", "sqlite://:memory:")], &["--database-url", "DATABASE_URL", "sqlite://:memory:"]),
        (
            &["--allowed-origins", "https://a.example/give"],
            &[],
            &["--allowed-origins", "ALLOWED_ORIGINS", "https://a.example/give"],
        ),
        (&[], &[("ALLOWED_ORIGINS", "*")], &["--allowed-origins", "ALLOWED_ORIGINS", "`*`"]),
        (&["--public-url", "null"], &[], &["--public-url", "PUBLIC_URL", "null"]),
        (&["--trusted-proxies", "10.0.0.0/8,proxy"], &[], &["--trusted-proxies", "TRUSTED_PROXIES", "proxy"]),
        (&[], &[("BIND_ADDR", "everywhere")], &["--bind", "BIND_ADDR", "everywhere"]),
        (
            &["--database-url", "postgres://sk:hunter2@127.0.0.1:1/x?sslmode=bogus"],
            &[],
            &["--database-url", "DATABASE_URL"],
        ),
    ];
    for (args, variables, expected) in cases {
        // Every other setting valid, so that the refusal is about the one under test.
        let given =
            |flag: &str, variable: &str| args.contains(&flag) || variables.iter().any(|(name, _)| *name == variable);
        let mut command = receiver();
        command.args(*args);
        if !given("--admin-token", "ADMIN_TOKEN") {
            command.args(["--admin-token", "0123456789abcdef0123456789abcdef"]);
        }
        if !given("--bind", "BIND_ADDR") {
            command.args(["--bind", "127.0.0.1:0"]);
        }
        if !given("--database-url", "DATABASE_URL") {
            command.args(["--database-url", &database]);
        }
        for (name, value) in *variables {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{args:?} {variables:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        for part in *expected {
            assert!(stderr.contains(part), "{args:?} {variables:?}: `{part}` missing from: {stderr}");
        }
        assert!(!stderr.contains("panicked") && !stderr.contains("hunter2"), "{stderr}");
        assert!(!stdout.contains("listening"), "{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_names_the_proxied_client_and_each_refused_origin_once() {
    let folder = tempfile::tempdir().unwrap();
    let mut child = receiver()
        .args([
            "--bind",
            "127.0.0.1:0",
            "--admin-token",
            ADMIN_TOKEN,
            "--trusted-proxies",
            "127.0.0.1",
            "--allowed-origins",
            "https://partner.example",
        ])
        .arg("--database-url")
        .arg(format!("sqlite://{}", folder.path().join("pledges.db").display()))
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    let base = first.trim().strip_prefix("listening on ").unwrap().to_owned();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let body = pledge_json(&new_key());
    let posted = client
        .post(format!("{base}/v1/pledges"))
        .header("Idempotency-Key", body["idempotency_key"].as_str().unwrap())
        .header("X-Forwarded-For", "6.6.6.6, 198.51.100.7")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    let listed = client
        .get(format!("{base}/v1/pledges?partner=secret-query-value"))
        .header("Forwarded", "for=\"[2001:db8::7]:443\"")
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    for _ in 0..3 {
        let preflight = client
            .request(reqwest::Method::OPTIONS, format!("{base}/v1/pledges"))
            .header("Origin", "https://unlisted-partner.example")
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await
            .unwrap();
        assert!(preflight.headers().get("access-control-allow-origin").is_none());
    }

    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(child.wait().unwrap().success(), "{log}");

    assert!(log.contains("client=198.51.100.7"), "{log}");
    assert!(log.contains("client=2001:db8::7"), "{log}");
    assert!(!log.contains("6.6.6.6"), "the client's own claim is not logged as its address: {log}");
    assert_eq!(log.matches("unlisted-partner.example").count(), 1, "one line per refused origin: {log}");
    for secret in ["secret-query-value", ADMIN_TOKEN, "aissata@example.org", "Coulibaly"] {
        assert!(!log.contains(secret), "`{secret}` is in the log: {log}");
    }
}
