//! Project automation, run as `cargo xtask <verb>`.
//!
//! Every verb installs what it needs on a fresh machine, or says exactly what is missing.

mod api_fuzz;
mod bench;
mod cmd;
mod demo;
mod dist;
mod flags;
mod fuzz;
mod size;
mod test;
mod tools;
mod versioned;
mod wasm_build;

#[cfg(test)]
mod tidy;

use std::path::PathBuf;
use std::process::ExitCode;

pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let verb = match flags::parse(std::env::args().skip(1)) {
        Ok(verb) => verb,
        Err(message) => {
            eprintln!("{message}\n\n{}", flags::USAGE);
            return ExitCode::from(2);
        }
    };
    let result = match verb {
        flags::Verb::Help => {
            println!("{}", flags::USAGE);
            Ok(())
        }
        flags::Verb::Dist(options) => dist::run(&options),
        flags::Verb::Demo(options) => demo::run(&options),
        flags::Verb::Test(options) => test::run(&options),
        flags::Verb::Bench(target) => bench::run(target),
        flags::Verb::Fuzz { seconds } => fuzz::run(seconds),
        flags::Verb::FuzzApi => api_fuzz::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, whatever directory cargo was started from.
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives inside the workspace").to_path_buf()
}
