//! Content-hashed names and Subresource Integrity for the files the loader fetches.
//!
//! The loader keeps its stable name, so a partner's script tag never changes, and a short cache
//! lifetime. The glue, the wasm and the stylesheet get names that carry a hash of their bytes,
//! so servers may cache them for a year as immutable, and the loader names them together with
//! their integrity, which the browser checks before running any of them. The loader is also
//! written under a hashed name: a snippet that pins the loader with `integrity` must point at
//! a URL whose bytes never change.

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha384};

/// How many hex digits of the SHA-384 digest go into a name: enough that two releases never
/// share one, and at least the 8 the receiver looks for to cache a file for a year.
const NAME_HASH_DIGITS: usize = 12;

/// Where the loader's asset table starts and ends; `dist` fills in what is between.
const ASSETS_START: &str = "/* assets */";
const ASSETS_END: &str = "/* end of assets */";

/// One file of the bundle under its hashed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    /// The stable name the file is built under, and under which its size is reported.
    pub name: String,
    pub hashed_name: String,
    /// The `integrity` value for it: `sha384-` and the digest in base64.
    pub integrity: String,
}

impl Versioned {
    pub fn of(name: &str, bytes: &[u8]) -> Versioned {
        let digest = Sha384::digest(bytes);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        let hashed_name = match name.rsplit_once('.') {
            Some((stem, extension)) => format!("{stem}.{}.{extension}", &hex[..NAME_HASH_DIGITS]),
            None => format!("{name}.{}", &hex[..NAME_HASH_DIGITS]),
        };
        let integrity = format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(digest));
        Versioned { name: name.to_owned(), hashed_name, integrity }
    }
}

/// The loader's source with its asset table naming `glue`, `wasm` and `css`.
pub fn fill_loader(source: &str, glue: &Versioned, wasm: &Versioned, css: &Versioned) -> Result<String, String> {
    let start = source.find(ASSETS_START).ok_or_else(|| format!("the loader has no `{ASSETS_START}` table"))?;
    let end = source[start..]
        .find(ASSETS_END)
        .map(|at| start + at)
        .ok_or_else(|| format!("the loader's asset table has no `{ASSETS_END}`"))?;
    let entry = |file: &Versioned| json!([file.hashed_name, file.integrity]);
    let table = json!({ "glue": entry(glue), "wasm": entry(wasm), "css": entry(css) });
    Ok(format!("{}{table}{}", &source[..start], &source[end + ASSETS_END.len()..]))
}

/// `dist/widget/manifest.json`: what a snippet or a deployment needs to know about a release.
pub fn manifest(loader: &Versioned, others: &[&Versioned]) -> String {
    let entry = |file: &Versioned| json!({ "file": file.hashed_name, "integrity": file.integrity });
    let mut files = serde_json::Map::new();
    for file in std::iter::once(loader).chain(others.iter().copied()) {
        files.insert(file.name.clone(), entry(file));
    }
    let manifest = json!({
        "loader": { "stable": loader.name, "pinned": loader.hashed_name, "integrity": loader.integrity },
        "files": files,
    });
    serde_json::to_string_pretty(&manifest).expect("a JSON value always serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_carries_the_hash_before_the_extension_and_the_integrity_is_sha384() {
        // The digest of "abc" is the example of FIPS 180-2.
        let file = Versioned::of("sanankoroba_widget_bg.wasm", b"abc");
        assert_eq!(file.hashed_name, "sanankoroba_widget_bg.cb00753f45a3.wasm");
        assert_eq!(file.integrity, "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn");
        assert_eq!(Versioned::of("a.js", b"abd").name, "a.js");
        assert_ne!(Versioned::of("a.js", b"abd").hashed_name, Versioned::of("a.js", b"abc").hashed_name);
    }

    #[test]
    fn the_loader_table_is_replaced_and_the_rest_kept() {
        let source =
            "const A = 1;\nconst ASSETS = /* assets */ { glue: [\"g.js\", \"\"] } /* end of assets */;\nrest();\n";
        let (glue, wasm, css) =
            (Versioned::of("g.js", b"1"), Versioned::of("w.wasm", b"2"), Versioned::of("c.css", b"3"));
        let filled = fill_loader(source, &glue, &wasm, &css).unwrap();
        assert!(filled.starts_with("const A = 1;\nconst ASSETS = {\"css\":[\""));
        assert!(filled.ends_with(";\nrest();\n"));
        for file in [&glue, &wasm, &css] {
            assert!(filled.contains(&format!("[\"{}\",\"{}\"]", file.hashed_name, file.integrity)));
        }
        assert!(fill_loader("no table", &glue, &wasm, &css).is_err());
        assert!(fill_loader("/* assets */ unterminated", &glue, &wasm, &css).is_err());
    }
}
