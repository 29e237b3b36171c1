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
    let offenders: Vec<String> = widget_sources()
        .into_iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "rs"))
        .flat_map(|(path, text)| {
            views_without_global_class(&text).into_iter().map(move |line| format!("{}:{line}", path.display()))
        })
        .collect();
    assert!(offenders.is_empty(), "view! without the leading `class=\"sk\",`:\n{}", offenders.join("\n"));
}

/// The lines of `text` where a `view!` does not start with the global class.
fn views_without_global_class(text: &str) -> Vec<usize> {
    text.match_indices("view!")
        .filter(|(at, _)| {
            let rest = text[at + "view!".len()..].trim_start();
            let body = rest.strip_prefix(['{', '(']).map(str::trim_start).unwrap_or("");
            !body.starts_with("class=\"sk\",")
        })
        .map(|(at, _)| text[..at].lines().count().max(1))
        .collect()
}

/// What the widget must never contain: markup parsed from strings, cookies, and inline styles
/// that a strict Content-Security-Policy refuses.
const FORBIDDEN: [&str; 10] = [
    "inner_html",
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "cookie",
    "<style",
    " style=",
    "style:",
    ".style.",
];

/// The widget runs inside other people's pages: it must never parse markup from strings, set
/// cookies, or write inline styles that a strict Content-Security-Policy refuses.
#[test]
fn no_markup_strings_cookies_or_inline_styles() {
    let offenders: Vec<String> = widget_sources()
        .into_iter()
        .flat_map(|(path, text)| {
            forbidden_uses(&text)
                .into_iter()
                .map(move |(line, pattern)| format!("{}:{line}: {pattern}", path.display()))
        })
        .collect();
    assert!(offenders.is_empty(), "forbidden in the widget:\n{}", offenders.join("\n"));
}

/// Each line of `text` that uses a [`FORBIDDEN`] pattern outside a `//` comment, with the
/// pattern.
fn forbidden_uses(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for pattern in FORBIDDEN {
            if code.contains(pattern) {
                found.push((number + 1, pattern));
            }
        }
    }
    found
}

/// The partner kit runs under Trusted Types: it builds its page with DOM calls, never from
/// markup strings. (Unlike the widget, it may set its own elements' styles through the CSSOM,
/// which a strict policy allows: it is the kit's page, not a partner's.)
#[test]
fn the_partner_kit_parses_no_markup_strings() {
    let offenders: Vec<String> = files_under(&project_root().join("kit"), "js")
        .into_iter()
        .flat_map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            forbidden_uses(&text)
                .into_iter()
                .filter(|(_, pattern)| MARKUP.contains(pattern))
                .map(|(line, pattern)| format!("{}:{line}: {pattern}", path.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "markup parsed from strings in the partner kit:\n{}", offenders.join("\n"));
}

/// The [`FORBIDDEN`] patterns that parse markup from strings.
const MARKUP: [&str; 4] = ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"];

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
    for pattern in ["document.head", "globalThis", "localStorage"] {
        assert!(!loader.contains(pattern), "the loader must not use {pattern}");
    }
    // The page's language is read for the placeholder, and nothing else of the root element.
    for (at, _) in loader.match_indices("documentElement") {
        let rest = &loader[at + "documentElement".len()..];
        assert!(
            rest.starts_with(".lang") && !rest[".lang".len()..].trim_start().starts_with('='),
            "the loader only reads documentElement.lang"
        );
    }
}

/// The checks above read text: the same functions, given text that breaks each rule, must see it.
#[test]
fn the_rules_above_catch_what_they_describe() {
    let views = "fn a() -> impl IntoView {\n    view! { <p>\"static\"</p> }\n}\nfn b() -> impl IntoView { view! { class=\"sk\", <p/> } }\nfn c() { view!(<b/>) }\n";
    assert_eq!(views_without_global_class(views), [2, 5]);
    assert!(views_without_global_class("view! { class=\"sk\", <p/> }").is_empty());

    let sources = "let a = el.set_inner_html(&text);\n// innerHTML in a comment is fine\ndocument.cookie = \"x\";\nlet ok = 1; // .style. after code\n<div style=\"color:red\">\n";
    assert_eq!(forbidden_uses(sources), [(1, "inner_html"), (3, "cookie"), (5, " style=")]);
    for pattern in FORBIDDEN {
        assert_eq!(forbidden_uses(&format!("x {pattern} y")).len(), 1, "{pattern}");
    }
}

/// The loader shows words before the widget is there (its title, that it is loading, that it
/// could not load): the same words as the catalogues, in each language.
#[test]
fn the_loader_words_are_the_catalogues_words() {
    let root = project_root();
    let loader = fs::read_to_string(root.join("loader/sanankoroba-widget.js")).unwrap();
    for (language, catalogue) in [("en", "src/i18n/en.rs"), ("fr", "src/i18n/fr.rs")] {
        let catalogue = fs::read_to_string(root.join(catalogue)).unwrap();
        for (constant, key) in [("TITLES", "title"), ("BUSY", "loader_busy"), ("FAILED", "loader_failed")] {
            let text = catalogue_text(&catalogue, key).unwrap_or_else(|| panic!("the catalogue has no {key}"));
            let words = loader_words(&loader, constant).unwrap_or_else(|| panic!("the loader has no {constant}"));
            assert!(
                words.contains(&format!("{language}: \"{text}\"")),
                "the loader's {constant}.{language} is not \"{text}\""
            );
        }
    }
}

/// The text of `key` in a catalogue's source.
fn catalogue_text<'a>(catalogue: &'a str, key: &str) -> Option<&'a str> {
    catalogue.split(&format!("\n    {key}: \"")).nth(1)?.split('"').next()
}

/// The object literal of the loader's `const {constant} = { ... };`.
fn loader_words<'a>(loader: &'a str, constant: &str) -> Option<&'a str> {
    loader.split(&format!("const {constant} = {{")).nth(1)?.split("};").next()
}
