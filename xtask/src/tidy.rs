//! Rules the compiler cannot enforce, checked over the source tree as ordinary tests.

use std::fs;
use std::path::{Path, PathBuf};

use crate::project_root;

fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn widget_sources() -> Vec<(PathBuf, String)> {
    let root = project_root();
    files_under(&root.join("src"), "rs")
        .into_iter()
        .chain(files_under(&root.join("loader"), "js"))
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// Leptos writes fully static `view!` subtrees through `innerHTML`, which pages enforcing
/// Trusted Types block. Starting every `view!` with the global class `class="sk",` makes the
/// macro build those subtrees node by node instead.
#[test]
fn every_view_uses_the_global_class() {
    let mut offenders = Vec::new();
    for (path, text) in widget_sources().into_iter().filter(|(p, _)| p.extension().is_some_and(|e| e == "rs")) {
        for (at, _) in text.match_indices("view!") {
            let rest = text[at + "view!".len()..].trim_start();
            let body = rest.strip_prefix(['{', '(']).map(str::trim_start).unwrap_or("");
            if !body.starts_with("class=\"sk\",") {
                let line = text[..at].lines().count().max(1);
                offenders.push(format!("{}:{line}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "view! without the leading `class=\"sk\",`:\n{}", offenders.join("\n"));
}

/// The widget runs inside other people's pages: it must never parse markup from strings, set
/// cookies, or write inline styles that a strict Content-Security-Policy refuses.
#[test]
fn no_markup_strings_cookies_or_inline_styles() {
    let forbidden = ["inner_html", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "cookie", "<style", " style=", "style:", ".style."];
    let mut offenders = Vec::new();
    for (path, text) in widget_sources() {
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for pattern in forbidden {
                if code.contains(pattern) {
                    offenders.push(format!("{}:{}: {pattern}", path.display(), number + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "forbidden in the widget:\n{}", offenders.join("\n"));
}

/// The loader may define one global and must leave the host page's document alone.
#[test]
fn loader_touches_no_other_global_and_not_the_document_head() {
    let loader = fs::read_to_string(project_root().join("loader/sanankoroba-widget.js")).unwrap();
    let mut globals: Vec<&str> = loader
        .match_indices("window.")
        .map(|(at, _)| {
            let name = &loader[at + "window.".len()..];
            &name[..name.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(name.len())]
        })
        .collect();
    globals.dedup();
    assert_eq!(globals, ["SanankorobaWidget"], "the loader writes only window.SanankorobaWidget");
    for pattern in ["document.head", "documentElement", "globalThis", "localStorage"] {
        assert!(!loader.contains(pattern), "the loader must not use {pattern}");
    }
}

#[test]
fn the_rules_above_catch_what_they_describe() {
    // The checks read text; make sure a violation in that text would be seen.
    let bad = "view! { <p>\"static\"</p> }";
    let body = bad["view!".len()..].trim_start().strip_prefix('{').unwrap().trim_start();
    assert!(!body.starts_with("class=\"sk\","));
    let good = "view! { class=\"sk\", <p/> }";
    assert!(good["view!".len()..].trim_start().strip_prefix('{').unwrap().trim_start().starts_with("class=\"sk\","));
}
