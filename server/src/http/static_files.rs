//! Files from a folder under a URL prefix: the built widget under `/widget/`, the partner kit
//! under `/kit/`, the demo page's assets under `/demo/`. tower-http's `ServeDir` reads them;
//! this module adds what the receiver promises on top.
//!
//! `ServeDir` picks the precompressed sibling (`name.br`, `name.gz`) that `Accept-Encoding`
//! allows, refuses paths that leave the folder, and answers `If-Modified-Since` with a `304`
//! from the file's `Last-Modified`. Here, hidden files are refused too, text types are marked
//! UTF-8 (a stylesheet without a charset would be decoded in the partner page's encoding), and
//! a missing file is a problem+json `404` that says when the whole folder was never built.
//!
//! Caching: the loader's name is stable so that partners' script tags never change, which rules
//! out a year-long lifetime for it (a fix would take a year to reach donors). Files with stable
//! names get five minutes, then revalidation. Files whose names carry a content hash
//! (`name.0123abcd.ext`: the rest of the widget, and the pinned copy of the loader) can never
//! change under the same name and are cached for a year.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::http::problem::Problem;

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

/// One folder served below one URL prefix.
pub struct Folder {
    prefix: &'static str,
    root: PathBuf,
    files: ServeDir,
    audience: Audience,
    /// The file answered for the prefix itself, if any.
    index: Option<&'static str>,
    extra_headers: Vec<(HeaderName, HeaderValue)>,
    /// What the folder holds once `cargo xtask dist` has written it ("The widget"); `None` for
    /// a folder that is not built.
    built_by_dist: Option<&'static str>,
    reported_unbuilt: AtomicBool,
}

impl Folder {
    /// Serves `root` below `prefix`, which ends with a slash.
    pub fn new(prefix: &'static str, root: PathBuf, audience: Audience) -> Folder {
        let files =
            ServeDir::new(&root).precompressed_br().precompressed_gzip().append_index_html_on_directories(false);
        Folder {
            prefix,
            root,
            files,
            audience,
            index: None,
            extra_headers: Vec::new(),
            built_by_dist: None,
            reported_unbuilt: AtomicBool::new(false),
        }
    }

    pub fn with_index(self, index: &'static str) -> Folder {
        Folder { index: Some(index), ..self }
    }

    /// Adds a header to every file answered.
    pub fn with_header(mut self, name: HeaderName, value: &'static str) -> Folder {
        self.extra_headers.push((name, HeaderValue::from_static(value)));
        self
    }

    /// Marks the folder as written by `cargo xtask dist`, naming what it holds.
    pub fn built_by_dist(self, what: &'static str) -> Folder {
        Folder { built_by_dist: Some(what), ..self }
    }

    async fn answer(&self, request: Request) -> Response {
        let Some(relative) = request.uri().path().strip_prefix(self.prefix) else {
            return self.missing();
        };
        let relative = match (relative, self.index) {
            ("", Some(index)) => index.to_owned(),
            _ => relative.to_owned(),
        };
        if !is_plain_path(&relative) {
            return self.missing();
        }
        let name = relative.rsplit('/').next().unwrap_or_default().to_owned();
        let Ok(uri) = Uri::try_from(format!("/{relative}")) else {
            return self.missing();
        };
        let (mut parts, body) = request.into_parts();
        parts.uri = uri;
        let Ok(response) = self.files.clone().oneshot(Request::from_parts(parts, body)).await;
        let mut response = response.map(Body::new);
        match response.status() {
            StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED => {
                self.add_headers(&name, &mut response);
                response
            }
            StatusCode::NOT_FOUND => self.missing(),
            _ => response,
        }
    }

    fn add_headers(&self, name: &str, response: &mut Response) {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(name)));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if let Some(with_charset) =
            headers.get(header::CONTENT_TYPE).and_then(|value| with_utf8_charset(value.to_str().ok()?))
        {
            headers.insert(header::CONTENT_TYPE, with_charset);
        }
        if self.audience == Audience::AnyOrigin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            headers.insert(
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            );
        }
        for (name, value) in &self.extra_headers {
            headers.insert(name.clone(), value.clone());
        }
    }

    /// The `404`, which says so when the folder was never built, and logs that once.
    fn missing(&self) -> Response {
        match self.built_by_dist {
            Some(what) if !self.root.is_dir() => {
                if !self.reported_unbuilt.swap(true, Ordering::Relaxed) {
                    report_unbuilt(what, &self.root, self.prefix);
                }
                Problem::not_built(what).into_response()
            }
            _ => Problem::not_found().into_response(),
        }
    }
}

/// Logs that a folder `cargo xtask dist` writes is missing, so its prefix answers `404`.
pub fn report_unbuilt(what: &str, root: &std::path::Path, prefix: &str) {
    tracing::warn!(folder = %root.display(), "{what} is not built, so {prefix} answers 404: run `cargo xtask dist`");
}

/// The handler for a folder's routes.
pub async fn serve(State(folder): State<Arc<Folder>>, request: Request) -> Response {
    folder.answer(request).await
}

/// Only plain names below the root, as a build writes them: no empty segments, no `..`, no
/// hidden files, no backslashes, judged on the path as `ServeDir` decodes it.
fn is_plain_path(requested: &str) -> bool {
    let Ok(decoded) = percent_decode_str(requested).decode_utf8() else {
        return false;
    };
    decoded.split('/').all(|segment| {
        !segment.is_empty() && !segment.starts_with('.') && !segment.contains(['\\', '\0']) && !segment.contains(':')
    })
}

/// `text/…` types as `ServeDir` guesses them carry no charset; the build writes UTF-8.
fn with_utf8_charset(content_type: &str) -> Option<HeaderValue> {
    let is_text = content_type.starts_with("text/");
    let has_charset = content_type.to_ascii_lowercase().contains("charset=");
    (is_text && !has_charset).then(|| HeaderValue::from_str(&format!("{content_type}; charset=utf-8")).ok()).flatten()
}

fn cache_control(name: &str) -> &'static str {
    let has_content_hash =
        name.split('.').skip(1).any(|part| part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()));
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
    fn refuses_paths_that_leave_the_folder_or_are_hidden() {
        for path in [
            "../secret",
            "a/../../b",
            ".env",
            "a//b",
            "",
            "a/.git/config",
            "a\\b",
            "%2e%2e/x",
            "%2Eenv",
            "..%2fx",
            "c:/x",
            "%ff",
        ] {
            assert!(!is_plain_path(path), "{path}");
        }
        assert!(is_plain_path("fonts/a-b_c.woff2"));
        assert!(is_plain_path("sanankoroba_widget.3f9a0c1d.js"));
    }

    #[test]
    fn text_types_are_marked_utf8_once() {
        assert_eq!(with_utf8_charset("text/css").unwrap(), "text/css; charset=utf-8");
        assert_eq!(with_utf8_charset("text/javascript").unwrap(), "text/javascript; charset=utf-8");
        assert_eq!(with_utf8_charset("text/html; charset=utf-8"), None);
        assert_eq!(with_utf8_charset("application/wasm"), None);
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        assert_eq!(cache_control("sanankoroba_widget_bg.wasm"), STABLE_NAME_CACHE);
        assert_eq!(cache_control("sanankoroba_widget.3f9a0c1d.js"), VERSIONED_NAME_CACHE);
        assert_eq!(cache_control("decade.2026.css"), STABLE_NAME_CACHE);
    }
}
