//! What a page downloads for the widget, raw and compressed as a server would send it, and the
//! ratchet that keeps it from growing.
//!
//! The ratchet is `xtask/size-budget.json`: for every file and for the total, a budget for each
//! figure (raw, gzip, brotli) at the size it had when the budget was last lowered, plus 1 %.
//! The gate fails when any figure is over its budget, so it passes today and fails on growth.
//! `cargo xtask dist --lower-budget` moves the budgets down to what the bundle weighs now (plus
//! 1 %), never up; raising one is a deliberate edit of the file, in a commit that says why.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::Result;

/// The ratchet's file, relative to the workspace root.
pub const BUDGET_FILE: &str = "xtask/size-budget.json";

/// The growth a figure may have over the size it was ratcheted at: rebuilds of unchanged code
/// are byte-identical, so this is room for a small, deliberate change, not for noise.
const SLACK_PERCENT: u64 = 1;

const FIGURES: [&str; 3] = ["raw", "gzip", "brotli"];

pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

pub struct SizeReport {
    pub files: Vec<FileSize>,
}

impl SizeReport {
    pub fn total(&self) -> FileSize {
        FileSize {
            name: "total".to_owned(),
            raw: self.files.iter().map(|f| f.raw).sum(),
            gzip: self.files.iter().map(|f| f.gzip).sum(),
            brotli: self.files.iter().map(|f| f.brotli).sum(),
        }
    }

    pub fn table(&self) -> String {
        let mut table = format!("{:<30} {:>10} {:>10} {:>10}\n", "file", "raw", "gzip -9", "brotli");
        for file in self.files.iter().chain(std::iter::once(&self.total())) {
            table += &format!("{:<30} {:>10} {:>10} {:>10}\n", file.name, file.raw, file.gzip, file.brotli);
        }
        table
    }

    /// Every file and the total, with their figures.
    fn rows(&self) -> Vec<FileSize> {
        let mut rows: Vec<FileSize> = self
            .files
            .iter()
            .map(|f| FileSize { name: f.name.clone(), raw: f.raw, gzip: f.gzip, brotli: f.brotli })
            .collect();
        rows.push(self.total());
        rows
    }

    pub fn to_json(&self, budget: &Budget) -> String {
        let entry =
            |file: &FileSize| json!({ "name": file.name, "raw": file.raw, "gzip": file.gzip, "brotli": file.brotli });
        let total = self.total();
        let report = json!({
            "files": self.files.iter().map(entry).collect::<Vec<_>>(),
            "total": { "raw": total.raw, "gzip": total.gzip, "brotli": total.brotli },
            "gzip_budget": budget.get("total", "gzip"),
            "budget": budget.to_value(),
        });
        serde_json::to_string_pretty(&report).expect("a JSON value always serialises") + "\n"
    }
}

/// The ratchet: a budget in bytes for each figure of each file and of the total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Budget {
    figures: BTreeMap<(String, String), u64>,
}

impl Budget {
    /// A budget at `report`'s sizes plus the slack.
    pub fn at(report: &SizeReport) -> Budget {
        let mut budget = Budget::default();
        for row in report.rows() {
            for (figure, bytes) in FIGURES.into_iter().zip([row.raw, row.gzip, row.brotli]) {
                budget.figures.insert((row.name.clone(), figure.to_owned()), with_slack(bytes));
            }
        }
        budget
    }

    pub fn get(&self, name: &str, figure: &str) -> Option<u64> {
        self.figures.get(&(name.to_owned(), figure.to_owned())).copied()
    }

    pub fn read(path: &Path) -> Result<Budget> {
        let text = fs::read_to_string(path).map_err(|e| format!("reading the size budget {}: {e}", path.display()))?;
        Budget::parse(&text).map_err(|why| format!("{}: {why}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Budget> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let files = value.as_object().ok_or("expected an object of files")?;
        let mut budget = Budget::default();
        for (name, figures) in files {
            for figure in FIGURES {
                let bytes = figures
                    .get(figure)
                    .and_then(Value::as_u64)
                    .ok_or_else(|| format!("\"{name}\" has no whole number for \"{figure}\""))?;
                budget.figures.insert((name.clone(), figure.to_owned()), bytes);
            }
        }
        Ok(budget)
    }

    fn to_value(&self) -> Value {
        let mut files = serde_json::Map::new();
        for ((name, figure), bytes) in &self.figures {
            let entry = files.entry(name.clone()).or_insert_with(|| json!({}));
            entry[figure.as_str()] = json!(bytes);
        }
        Value::Object(files)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).expect("a JSON value always serialises") + "\n"
    }

    /// This budget with every figure that `report` has shrunk below moved down to it (plus the
    /// slack). No figure goes up; a figure without a budget gets one at its size now.
    pub fn lowered(&self, report: &SizeReport) -> Budget {
        let mut lowered = self.clone();
        for (key, bytes) in Budget::at(report).figures {
            let entry = lowered.figures.entry(key).or_insert(bytes);
            *entry = (*entry).min(bytes);
        }
        lowered
    }

    /// Passes when no figure of `report` is over its budget; otherwise names each one.
    pub fn check(&self, report: &SizeReport) -> Result {
        let mut over = Vec::new();
        let mut room = Vec::new();
        for row in report.rows() {
            for (figure, bytes) in FIGURES.into_iter().zip([row.raw, row.gzip, row.brotli]) {
                match self.get(&row.name, figure) {
                    None => over.push(format!("{} has no {figure} budget in {BUDGET_FILE}", row.name)),
                    Some(allowed) if bytes > allowed => over.push(format!(
                        "{} {figure} is {bytes} bytes, {} over its budget of {allowed}",
                        row.name,
                        bytes - allowed
                    )),
                    Some(allowed) if with_slack(bytes) < allowed => {
                        room.push(format!("{} {figure} by {}", row.name, allowed - with_slack(bytes)))
                    }
                    Some(_) => {}
                }
            }
        }
        if !room.is_empty() {
            println!(
                "size gate: smaller than the ratchet ({}); `cargo xtask dist --lower-budget` lowers it",
                room.join(", ")
            );
        }
        if over.is_empty() {
            let total = report.total();
            println!("size gate: within {BUDGET_FILE} (total {} bytes gzip, {} brotli)", total.gzip, total.brotli);
            return Ok(());
        }
        Err(format!(
            "size gate: the widget grew.\n  {}\nFind what grew with `cargo xtask bench` (target/bench/size.svg). If the growth is worth it, raise the figure in {BUDGET_FILE} in a commit that says why.",
            over.join("\n  ")
        ))
    }
}

fn with_slack(bytes: u64) -> u64 {
    bytes + (bytes * SLACK_PERCENT).div_ceil(100)
}

pub fn measure(dir: &Path, names: &[&str]) -> Result<SizeReport> {
    let files = names
        .iter()
        .map(|name| {
            let bytes = fs::read(dir.join(name)).map_err(|e| format!("reading {name}: {e}"))?;
            Ok(FileSize {
                name: (*name).to_owned(),
                raw: bytes.len() as u64,
                gzip: gzip(&bytes).len() as u64,
                brotli: brotli(&bytes).len() as u64,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SizeReport { files })
}

/// Writes `name.gz` and `name.br` beside each file, for servers that send precompressed files.
pub fn write_precompressed(dir: &Path, names: &[&str]) -> Result {
    for name in names {
        let bytes = fs::read(dir.join(name)).map_err(|e| format!("reading {name}: {e}"))?;
        for (extension, compressed) in [("gz", gzip(&bytes)), ("br", brotli(&bytes))] {
            let path = dir.join(format!("{name}.{extension}"));
            fs::write(&path, compressed).map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut output = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut output, &params).expect("compressing in memory cannot fail");
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(gzips: &[u64]) -> SizeReport {
        SizeReport {
            files: gzips
                .iter()
                .enumerate()
                .map(|(i, &gzip)| FileSize { name: format!("f{i}"), raw: gzip * 3, gzip, brotli: gzip - 1 })
                .collect(),
        }
    }

    #[test]
    fn the_ratchet_passes_today_and_fails_on_growth() {
        let today = report(&[40_000, 24_000]);
        let budget = Budget::at(&today);
        assert_eq!(budget.get("f0", "gzip"), Some(40_400), "today's size plus 1 %");
        assert_eq!(budget.get("total", "raw"), Some(193_920));
        assert!(budget.check(&today).is_ok());
        assert!(budget.check(&report(&[40_000, 24_241])).is_err(), "one file grew past its slack");
        assert!(budget.check(&report(&[40_400, 23_600])).is_ok(), "a file within its slack, the total unchanged");

        let grown = report(&[40_401, 23_000]);
        let error = budget.check(&grown).unwrap_err();
        assert!(error.contains("f0 gzip is 40401 bytes, 1 over its budget of 40400"), "{error}");
        assert!(!error.contains("f1 gzip") && !error.contains("total gzip"), "only what grew: {error}");
    }

    #[test]
    fn a_file_without_a_budget_fails() {
        let budget = Budget::at(&report(&[100]));
        let error = budget.check(&report(&[100, 5])).unwrap_err();
        assert!(error.contains("f1 has no raw budget"), "{error}");
    }

    #[test]
    fn lowering_moves_figures_down_and_never_up() {
        let budget = Budget::at(&report(&[40_000, 24_000]));
        let lowered = budget.lowered(&report(&[30_000, 30_000]));
        assert_eq!(lowered.get("f0", "gzip"), Some(30_300));
        assert_eq!(lowered.get("f1", "gzip"), Some(24_240), "a file that grew keeps its budget");
        assert!(lowered.check(&report(&[30_000, 30_000])).is_err(), "and still fails on its growth");
    }

    #[test]
    fn the_budget_file_round_trips() {
        let budget = Budget::at(&report(&[10, 20]));
        assert_eq!(Budget::parse(&budget.to_json()).unwrap(), budget);
        assert!(Budget::parse("{\"f0\": {\"raw\": 1, \"gzip\": 1}}").unwrap_err().contains("\"brotli\""));
        assert!(Budget::parse("[]").is_err());
    }

    #[test]
    fn the_checked_in_budget_covers_every_file_the_bundle_has() {
        let budget = Budget::read(&crate::project_root().join(BUDGET_FILE)).unwrap();
        for name in crate::dist::FILES.into_iter().chain(["total"]) {
            for figure in FIGURES {
                assert!(budget.get(name, figure).is_some(), "{name} {figure}");
            }
        }
    }

    #[test]
    fn totals_add_up_in_the_json_report() {
        let sizes = report(&[10, 20]);
        let json: serde_json::Value = serde_json::from_str(&sizes.to_json(&Budget::at(&sizes))).unwrap();
        assert_eq!(json["total"]["gzip"], 30);
        assert_eq!(json["total"]["raw"], 90);
        assert_eq!(json["total"]["brotli"], 28);
        assert_eq!(json["files"][1]["name"], "f1");
        assert_eq!(json["gzip_budget"], 31);
        assert_eq!(json["budget"]["f1"]["gzip"], 21);
    }

    #[test]
    fn compressors_round_trip() {
        let text = "Sanankoroba ".repeat(200);
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzip(text.as_bytes())[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(text.as_bytes())[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, text.as_bytes());
        assert!(gzip(text.as_bytes()).len() < text.len() / 10);
    }
}
