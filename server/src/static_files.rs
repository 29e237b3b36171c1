//! Files from a folder: the built widget under `/widget/`, the demo page's assets under `/demo/`.
//!
//! Precompressed siblings (`name.br`, `name.gz`) are chosen by `Accept-Encoding`. Every answer
//! carries a strong `ETag` made from the file's size and modification time, so a browser
//! revalidates with a `304` instead of downloading again.
//!
//! Caching: the loader's name is stable so that partners' script tags never change, which rules
//! out a year-long lifetime for it (a fix would take a year to reach donors). Files with stable
//! names get five minutes, then revalidation by ETag. Files whose names carry a content hash
//! (`name.0123abcd.ext`: the rest of the widget, and the pinned copy of the loader) can never
//! change under the same name and are cached for a year.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;

const STABLE_NAME_CACHE: &str = "public, max-age=300";
const VERSIONED_NAME_CACHE: &str = "public, max-age=31536000, immutable";

/// Who may load the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Any page: the widget is a public, cookieless asset that partner pages import across
    /// origins, as from a CDN.
    AnyOrigin,
    /// Pages of this origin only.
    SameOrigin,
}

/// Answers a `GET` for `requested` (the path below `root`), or `None` when there is no such
/// file, so the caller can say what is missing.
pub async fn serve(root: &Path, requested: &str, request: &HeaderMap, audience: Audience) -> Option<Response> {
    let relative = safe_relative_path(requested)?;
    let plain = root.join(&relative);
    let name = relative.file_name()?.to_str()?.to_owned();
    let (file, encoding) = choose_variant(&plain, &name, request).await?;
    let metadata = tokio::fs::metadata(&file).await.ok().filter(|metadata| metadata.is_file())?;
    let modified = metadata.modified().ok().and_then(|time| time.duration_since(UNIX_EPOCH).ok()).unwrap_or_default();
    let etag = format!(
        "\"{:x}-{:x}.{:x}-{}\"",
        metadata.len(),
        modified.as_secs(),
        modified.subsec_nanos(),
        encoding.unwrap_or("identity")
    );

    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(&name)));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).ok()?);
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    if audience == Audience::AnyOrigin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("cross-origin"));
    }

    if matches_etag(request, &etag) {
        return Some((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    let bytes = tokio::fs::read(&file).await.ok()?;
    Some((StatusCode::OK, headers, bytes).into_response())
}

/// The 404 answer for a missing file.
pub fn not_found() -> Response {
    Problem::not_found().into_response()
}

/// Only plain names below the root: no `..`, no hidden files, no absolute paths, no
/// characters that a build would not put in a file name.
fn safe_relative_path(requested: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for segment in requested.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// Picks the precompressed file the client accepts best, if one exists, else the plain file.
async fn choose_variant(plain: &Path, name: &str, request: &HeaderMap) -> Option<(PathBuf, Option<&'static str>)> {
    if !name.ends_with(".br") && !name.ends_with(".gz") {
        let accepted = request
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
            if accepts(&accepted, encoding) {
                let mut candidate = plain.as_os_str().to_owned();
                candidate.push(".");
                candidate.push(suffix);
                let candidate = PathBuf::from(candidate);
                if tokio::fs::metadata(&candidate).await.is_ok_and(|metadata| metadata.is_file()) {
                    return Some((candidate, Some(encoding)));
                }
            }
        }
    }
    Some((plain.to_owned(), None))
}

/// Whether `Accept-Encoding` allows `encoding`, honouring `q=0` and the `*` wildcard.
fn accepts(accept_encoding: &str, encoding: &str) -> bool {
    let mut wildcard = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let quality = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .filter_map(|value| value.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case(encoding) {
            return quality > 0.0;
        }
        if coding == "*" {
            wildcard = Some(quality > 0.0);
        }
    }
    wildcard.unwrap_or(false)
}

fn matches_etag(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate == etag || candidate.strip_prefix("W/") == Some(etag))
}

fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension).to_ascii_lowercase();
    match extension.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

fn cache_control(name: &str) -> &'static str {
    let has_content_hash = name
        .split('.')
        .skip(1)
        .any(|part| part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    if has_content_hash {
        VERSIONED_NAME_CACHE
    } else {
        STABLE_NAME_CACHE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        for path in ["../secret", "a/../../b", ".env", "a//b", "", "a/.git/config", "a\\b", "%2e%2e/x"] {
            assert_eq!(safe_relative_path(path), None, "{path}");
        }
        assert_eq!(safe_relative_path("fonts/a-b_c.woff2"), Some(PathBuf::from("fonts/a-b_c.woff2")));
    }

    #[test]
    fn reads_accept_encoding_with_qualities() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("gzip;q=0.5", "gzip"));
        assert!(!accepts("gzip;q=0", "gzip"));
        assert!(!accepts("gzip", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*;q=0, gzip", "br"));
        assert!(!accepts("", "gzip"));
    }

    #[test]
    fn wasm_and_scripts_get_their_types() {
        assert_eq!(content_type("sanankoroba_widget_bg.wasm"), "application/wasm");
        assert_eq!(content_type("sanankoroba-widget.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("sanankoroba-widget.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        assert_eq!(cache_control("sanankoroba_widget_bg.wasm"), STABLE_NAME_CACHE);
        assert_eq!(cache_control("sanankoroba_widget.3f9a0c1d.js"), VERSIONED_NAME_CACHE);
        assert_eq!(cache_control("decade.2026.css"), STABLE_NAME_CACHE);
    }

    #[test]
    fn etags_match_strongly_weakly_and_by_wildcard() {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(matches_etag(&headers, "\"a\""));
        assert!(matches_etag(&headers, "\"b\""));
        assert!(!matches_etag(&headers, "\"c\""));
    }
}
