//! Every verb and flag, declared once.

pub const USAGE: &str = "\
Usage: cargo xtask <verb>

  dist [--lower-budget]
                       Build the widget into dist/widget/ and write dist/size-report.json.
                       Fails when any figure grew past xtask/size-budget.json (the
                       ratchet); --lower-budget first lowers it to today's sizes + 1 %.
  demo [--bind ADDR]   Build the widget and start the receiver on SQLite with the demo
                       partner page (default 127.0.0.1:8080).
  test [--fuzz-seconds N]
                       Run every test: native, in the browser, end to end, and the fuzzer
                       (N seconds; default 60 when CI is set, otherwise 10; 0 skips it).
  bench [widget|receiver]
                       Measure the widget's cost to a host page and the receiver's
                       throughput; reports go to target/bench/ (widget.md, receiver.json,
                       and, for the whole bench, size.svg: the bundle by file and by crate).
  fuzz [--seconds N]   Fuzz the path from request body to validated pledge (default 60).
  fuzz-api             Fuzz the receiver's HTTP API from contract/openapi.json with
                       schemathesis, as cargo xtask test does.";

pub enum Verb {
    Help,
    Dist(DistOptions),
    Demo(DemoOptions),
    Test(TestOptions),
    Bench(BenchTarget),
    Fuzz { seconds: u64 },
    FuzzApi,
}

pub struct DistOptions {
    pub lower_budget: bool,
}

pub struct DemoOptions {
    pub bind: String,
}

pub struct TestOptions {
    pub fuzz_seconds: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BenchTarget {
    All,
    Widget,
    Receiver,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Verb, String> {
    let verb = args.next();
    let rest: Vec<String> = args.collect();
    let value_of = |flag: &str| -> Result<Option<String>, String> {
        match rest.iter().position(|arg| arg == flag) {
            None => Ok(None),
            Some(at) => rest.get(at + 1).cloned().map(Some).ok_or_else(|| format!("{flag} needs a value")),
        }
    };
    let seconds_of = |flag: &str, default: u64| -> Result<u64, String> {
        value_of(flag)?
            .map_or(Ok(default), |text| text.parse().map_err(|_| format!("{flag} takes a number of seconds")))
    };
    let known = |flags: &[&str]| -> Result<(), String> {
        let mut iter = rest.iter();
        while let Some(arg) = iter.next() {
            if !flags.contains(&arg.as_str()) {
                return Err(format!("unknown argument {arg:?}"));
            }
            iter.next();
        }
        Ok(())
    };
    match verb.as_deref() {
        None | Some("help" | "--help" | "-h") => Ok(Verb::Help),
        Some("dist") => match rest.as_slice() {
            [] => Ok(Verb::Dist(DistOptions { lower_budget: false })),
            [flag] if flag == "--lower-budget" => Ok(Verb::Dist(DistOptions { lower_budget: true })),
            _ => Err("dist takes nothing or --lower-budget".to_owned()),
        },
        Some("demo") => {
            known(&["--bind"])?;
            Ok(Verb::Demo(DemoOptions { bind: value_of("--bind")?.unwrap_or_else(|| "127.0.0.1:8080".to_owned()) }))
        }
        Some("test") => {
            known(&["--fuzz-seconds"])?;
            let default = if std::env::var_os("CI").is_some() { 60 } else { 10 };
            Ok(Verb::Test(TestOptions { fuzz_seconds: seconds_of("--fuzz-seconds", default)? }))
        }
        Some("bench") => match rest.as_slice() {
            [] => Ok(Verb::Bench(BenchTarget::All)),
            [target] if target == "widget" => Ok(Verb::Bench(BenchTarget::Widget)),
            [target] if target == "receiver" => Ok(Verb::Bench(BenchTarget::Receiver)),
            _ => Err("bench takes nothing, `widget` or `receiver`".to_owned()),
        },
        Some("fuzz") => {
            known(&["--seconds"])?;
            Ok(Verb::Fuzz { seconds: seconds_of("--seconds", 60)? })
        }
        Some("fuzz-api") => known(&[]).map(|()| Verb::FuzzApi),
        Some(other) => Err(format!("unknown verb {other:?}")),
    }
}
