//! The receiver's HTTP API against its own published contract. Schemathesis draws requests from
//! `contract/openapi.json`, valid and invalid, sends them to the receiver as built, and checks
//! every answer against the document: no server error, only documented statuses, content types
//! and headers, bodies that match their schemas, valid requests accepted and invalid ones
//! refused. Part of `cargo xtask test`; any finding fails it.

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::cmd::{self, output, run_with};
use crate::{project_root, Result};

/// Test cases per operation in the fuzzing phase, on top of the coverage phase's boundary
/// values: every kind of answer shows up, and the whole run stays near half a minute on two
/// cores.
const EXAMPLES_PER_OPERATION: u32 = 100;

pub fn run() -> Result {
    let schemathesis = schemathesis()?;
    cmd::run("cargo", &["build", "--package", "sanankoroba-receiver", "--bin", "sanankoroba-receiver"])?;
    let receiver = Receiver::start()?;
    let outcome = fuzz(&schemathesis, &receiver);
    receiver.stop();
    outcome
}

fn work_dir() -> PathBuf {
    project_root().join("target/api-fuzz")
}

fn fuzz(schemathesis: &Path, receiver: &Receiver) -> Result {
    let root = project_root();
    // Schemathesis keeps its example database and crash cache in the folder it runs in, and
    // replays what failed before first.
    let run_dir = work_dir().join("run");
    fs::create_dir_all(&run_dir).map_err(|e| format!("creating {}: {e}", run_dir.display()))?;
    let report = work_dir().join("report.json");
    let _ = fs::remove_file(&report);
    let examples = EXAMPLES_PER_OPERATION.to_string();
    let mut command = Command::new(schemathesis);
    command
        .arg("run")
        .arg(root.join("contract/openapi.json"))
        .args(["--url", &receiver.origin])
        .args(["--checks", "all"])
        .args(["--max-examples", &examples])
        // Every case is sent even after a finding, so that one run lists every problem.
        .arg("--continue-on-failure")
        // Schemathesis' workers are threads, and two threads asking hypothesis to describe its
        // filters at once can trip CPython 3.11's "AST constructor recursion depth mismatch"
        // (python/cpython#106905). The receiver has the other core.
        .args(["--workers", "1"])
        // A pledge's consents decide which contact details it carries (if/then/else in the
        // schema), which the generator meets by drawing and discarding: enough, at times, for
        // hypothesis to call the drawing too slow and stop with an error that is no finding.
        .arg("--suppress-health-check=filter_too_much")
        .args(["--report", "json", "--report-json-path"])
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", root.join("tests/api"))
        .current_dir(&run_dir);
    // Last, so that the command echoed below can leave the token out.
    let echoed = format!("$ {} --header 'Authorization: Bearer …'", describe(&command));
    command.args(["--header", &format!("Authorization: Bearer {}", receiver.admin_token)]);
    eprintln!("{echoed}");
    let status = command.status().map_err(|e| format!("could not start {}: {e}", schemathesis.display()))?;
    let summary = summarise(&report);
    match &summary {
        Ok(lines) => lines.iter().for_each(|line| println!("{line}")),
        Err(reason) => eprintln!("no report from schemathesis: {reason}"),
    }
    if !status.success() {
        return Err(format!(
            "schemathesis found problems in the receiver's API (listed above; the receiver's log is {}) ({status})",
            receiver.log.display()
        ));
    }
    summary.map(|_| ())
}

/// What was tested, in numbers, and what was not, from schemathesis' JSON report.
fn summarise(report: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(report).map_err(|e| format!("{}: {e}", report.display()))?;
    let report: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", report.display()))?;
    let number = |pointer: &str| report.pointer(pointer).and_then(Value::as_u64).unwrap_or(0);
    // The seed is a 128-bit integer, which serde_json would round to a double; it is read as
    // written, since `--seed` needs it exactly.
    let seed: String = text
        .split_once("\"seed\":")
        .map(|(_, rest)| rest.trim_start().chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    let mut lines = vec![format!(
        "API fuzzing: {} of {} operations tested, {} test cases ({} without a check), {} with findings ({} unique), {} errors; seed {seed}",
        number("/operations/tested"),
        number("/operations/total"),
        number("/test_cases/generated"),
        number("/test_cases/without_checks"),
        number("/test_cases/with_failures"),
        number("/test_cases/unique_failures"),
        report.pointer("/errors").and_then(Value::as_array).map_or(0, Vec::len),
    )];
    if let Some(phases) = report.pointer("/phases").and_then(Value::as_object) {
        for (phase, outcome) in phases {
            if outcome["status"] == "skip" {
                let reason = outcome["skip_reason"].as_str().unwrap_or("no reason given");
                lines.push(format!("API fuzzing: the {phase} phase was skipped ({reason})"));
            }
        }
    }
    let skipped = number("/operations/skipped") + number("/operations/errored");
    if skipped > 0 {
        lines.push(format!(
            "API fuzzing: {skipped} operations were skipped or errored: {}",
            report["operations"]["skip_reasons"]
        ));
    }
    Ok(lines)
}

/// The pinned schemathesis in its own virtualenv, installed when missing or when
/// tests/api/requirements.txt has changed.
fn schemathesis() -> Result<PathBuf> {
    let root = project_root();
    let requirements_path = root.join("tests/api/requirements.txt");
    let requirements = fs::read(&requirements_path).map_err(|e| format!("{}: {e}", requirements_path.display()))?;
    let venv = work_dir().join("venv");
    let schemathesis = venv.join("bin/st");
    let stamp = venv.join(".installed-from-requirements");
    if schemathesis.exists() && fs::read(&stamp).ok().as_deref() == Some(requirements.as_slice()) {
        return Ok(schemathesis);
    }
    let python = python()?;
    eprintln!("Installing schemathesis from tests/api/requirements.txt into {}", venv.display());
    run_with(Command::new(&python).args(["-m", "venv", "--clear"]).arg(&venv))
        .map_err(|error| format!("{error}; on Debian the venv module comes with `apt-get install python3-venv`"))?;
    run_with(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "--no-input", "--requirement"])
            .arg(&requirements_path),
    )?;
    fs::write(&stamp, &requirements).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    Ok(schemathesis)
}

/// A Python that the pinned schemathesis supports.
fn python() -> Result<String> {
    let supported = |program: &str| {
        output(program, &["-c", "import sys; print(sys.version_info >= (3, 11))"])
            .is_some_and(|answer| answer == "True")
    };
    ["python3", "python3.11", "python3.12", "python3.13"]
        .into_iter()
        .find(|program| supported(program))
        .map(str::to_owned)
        .ok_or_else(|| {
            "schemathesis needs Python 3.11 or newer: install it (Debian: `apt-get install python3 python3-venv`)"
                .to_owned()
        })
}

/// The receiver binary on a fresh SQLite file and a free port, as the end-to-end tests start
/// it, with neither the rate limit (a 429 would stand in for the answer under test) nor the
/// spam timer (generated pledges are filled in no time).
struct Receiver {
    child: Child,
    origin: String,
    admin_token: String,
    data_dir: PathBuf,
    log: PathBuf,
}

impl Receiver {
    fn start() -> Result<Receiver> {
        let root = project_root();
        let data_dir = std::env::temp_dir().join(format!("sanankoroba-api-fuzz-{}", std::process::id()));
        fs::create_dir_all(&data_dir).map_err(|e| format!("creating {}: {e}", data_dir.display()))?;
        let log = work_dir().join("receiver.log");
        let log_file = fs::File::create(&log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let admin_token = random_token();
        let mut child = Command::new(root.join("target/debug/sanankoroba-receiver"))
            .args(["--bind", "127.0.0.1:0"])
            .arg("--database-url")
            .arg(format!("sqlite://{}", data_dir.join("pledges.db").display()))
            .args(["--admin-token", &admin_token])
            .args(["--rate-limit-per-minute", "0"])
            .args(["--min-fill-ms", "0"])
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("could not start the receiver: {e}"))?;
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let origin = lines
            .by_ref()
            .map_while(std::io::Result::ok)
            .find_map(|line| line.strip_prefix("listening on ").map(|origin| origin.trim().to_owned()));
        // What it prints later is of no interest, but a full pipe would stall it.
        std::thread::spawn(move || lines.for_each(drop));
        let receiver = Receiver { child, origin: origin.unwrap_or_default(), admin_token, data_dir, log };
        if receiver.origin.is_empty() {
            let log = fs::read_to_string(&receiver.log).unwrap_or_default();
            receiver.stop();
            return Err(format!("the receiver stopped before it was listening:\n{log}"));
        }
        Ok(receiver)
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.data_dir);
    }
}

/// 64 hexadecimal digits from the standard library's randomly seeded hash keys: a fresh admin
/// token for each run, which no output shows.
fn random_token() -> String {
    (0..4).map(|_| format!("{:016x}", RandomState::new().build_hasher().finish())).collect()
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program().to_string_lossy().into_owned())
        .chain(command.get_args().map(|arg| arg.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}
