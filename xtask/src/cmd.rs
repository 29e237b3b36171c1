//! Running programs, with the command echoed so a failure points at the step that failed.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::{project_root, Result};

/// Runs a program to completion in the project root, inheriting the terminal.
pub fn run(program: &str, args: &[&str]) -> Result {
    run_with(Command::new(program).args(args).current_dir(project_root()))
}

pub fn run_with(command: &mut Command) -> Result {
    eprintln!("$ {}", describe(command));
    let status = command.status().map_err(|error| format!("could not start `{}`: {error}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// The program's standard output, or `None` when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

pub fn exists(path: &str) -> bool {
    Path::new(path).exists()
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program().to_string_lossy().into_owned())
        .chain(command.get_args().map(|arg| arg.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}
