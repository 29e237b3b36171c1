//! `/`: the demo partner page, a school's page with the widget embedded by its script tag, and
//! `/demo/*`, the files beside it.
//!
//! The page is read at each request, so edits show on reload, and its `{{receiver_origin}}`
//! placeholder becomes this receiver's public URL. It is served with a strict Content Security
//! Policy, which proves that the widget needs nothing looser on a partner's page.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::http::problem::Problem;
use crate::http::state::{AppState, DemoPage};
use crate::http::static_files::{self, Audience, Folder};

pub const PLACEHOLDER: &str = "{{receiver_origin}}";
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";
/// The folder, next to the demo page, whose files are served under `/demo/`.
pub const ASSET_FOLDER: &str = "demo";

pub fn routes(demo_page: &Path) -> Router<AppState> {
    let assets = demo_page.parent().unwrap_or(Path::new(".")).join(ASSET_FOLDER);
    let folder = Folder::new("/demo/", assets, Audience::SameOrigin);
    Router::new().route("/", get(page)).route("/demo/{*path}", get(static_files::serve).with_state(Arc::new(folder)))
}

pub async fn page(State(demo): State<DemoPage>) -> Response {
    match tokio::fs::read_to_string(demo.template.as_path()).await {
        Ok(template) => {
            let html = template.replace(PLACEHOLDER, &demo.public_url);
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
            tracing::warn!(page = %demo.template.display(), %error, "demo page not found; set --demo-page");
            Problem::not_found().into_response()
        }
    }
}
