//! `/`: the demo partner page, a school's page with the widget embedded by its script tag.
//!
//! The page is read at each request, so edits show on reload, and its `{{receiver_origin}}`
//! placeholder becomes this receiver's public URL. It is served with a strict Content Security
//! Policy, which proves that the widget needs nothing looser on a partner's page.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::problem::Problem;
use crate::static_files::{self, Audience};

pub const PLACEHOLDER: &str = "{{receiver_origin}}";
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";
/// The folder, next to the demo page, whose files are served under `/demo/`.
pub const ASSET_FOLDER: &str = "demo";

pub async fn page(State(state): State<AppState>) -> Response {
    match tokio::fs::read_to_string(&state.demo_page).await {
        Ok(template) => {
            let html = template.replace(PLACEHOLDER, &state.public_url);
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                    (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                    (header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")),
                    (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
                ],
                html,
            )
                .into_response()
        }
        Err(error) => {
            tracing::warn!(page = %state.demo_page.display(), %error, "demo page not found; set --demo-page");
            Problem::not_found().into_response()
        }
    }
}

pub async fn asset(State(state): State<AppState>, Path(path): Path<String>, headers: HeaderMap) -> Response {
    let folder = state.demo_page.parent().unwrap_or(std::path::Path::new(".")).join(ASSET_FOLDER);
    static_files::serve(&folder, &path, &headers, Audience::SameOrigin)
        .await
        .unwrap_or_else(static_files::not_found)
}
