//! What a page downloads for the widget, raw and compressed as a server would send it.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::Result;

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

    pub fn to_json(&self, gzip_budget: u64) -> String {
        let entry = |file: &FileSize| serde_json::json!({ "name": file.name, "raw": file.raw, "gzip": file.gzip, "brotli": file.brotli });
        let total = self.total();
        let report = serde_json::json!({
            "files": self.files.iter().map(entry).collect::<Vec<_>>(),
            "total": { "raw": total.raw, "gzip": total.gzip, "brotli": total.brotli },
            "gzip_budget": gzip_budget,
        });
        serde_json::to_string_pretty(&report).expect("a JSON value always serialises") + "\n"
    }

    pub fn check_budget(&self, gzip_budget: u64) -> Result {
        let total = self.total().gzip;
        if total <= gzip_budget {
            println!("size gate: {total} bytes gzip of {gzip_budget} allowed");
            Ok(())
        } else {
            let largest = self.files.iter().max_by_key(|f| f.gzip).map(|f| f.name.as_str()).unwrap_or("?");
            Err(format!(
                "size gate: a page would download {total} bytes (gzip -9) for the widget, over the budget of {gzip_budget} by {} bytes; the largest file is {largest}",
                total - gzip_budget
            ))
        }
    }
}

pub fn measure(dir: &Path, names: &[&str]) -> Result<SizeReport> {
    let files = names
        .iter()
        .map(|name| {
            let bytes = fs::read(dir.join(name)).map_err(|e| format!("reading {name}: {e}"))?;
            Ok(FileSize { name: (*name).to_owned(), raw: bytes.len() as u64, gzip: gzip(&bytes).len() as u64, brotli: brotli(&bytes).len() as u64 })
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
            files: gzips.iter().enumerate().map(|(i, &gzip)| FileSize { name: format!("f{i}"), raw: gzip * 3, gzip, brotli: gzip - 1 }).collect(),
        }
    }

    #[test]
    fn budget_passes_at_the_limit_and_fails_above_it() {
        assert!(report(&[40_000, 24_000]).check_budget(64_000).is_ok());
        let error = report(&[40_000, 24_001]).check_budget(64_000).unwrap_err();
        assert!(error.contains("64001") && error.contains("by 1 bytes") && error.contains("f0"), "{error}");
    }

    #[test]
    fn totals_add_up_in_the_json_report() {
        let json: serde_json::Value = serde_json::from_str(&report(&[10, 20]).to_json(64_000)).unwrap();
        assert_eq!(json["total"]["gzip"], 30);
        assert_eq!(json["total"]["raw"], 90);
        assert_eq!(json["total"]["brotli"], 28);
        assert_eq!(json["files"][1]["name"], "f1");
        assert_eq!(json["gzip_budget"], 64_000);
    }

    #[test]
    fn compressors_round_trip() {
        let text = "Sanankoroba ".repeat(200);
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzip(text.as_bytes())[..]), &mut decoded).unwrap();
        assert_eq!(decoded, text);
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(text.as_bytes())[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, text.as_bytes());
        assert!(gzip(text.as_bytes()).len() < text.len() / 10);
    }
}
