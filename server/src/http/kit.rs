//! `/kit/`: the partner kit, where a partner's web developer sets the widget up, previews it
//! and copies the code for their page.
//!
//! `cargo xtask dist` writes the kit beside the widget (`dist/kit/` next to `dist/widget/`), as
//! static files a charity can host anywhere; the receiver serves that folder. Its page loads the
//! widget from `../widget/`, so the preview is the bundle partners get. It is served under a
//! strict Content Security Policy with Trusted Types, like the demo page; only its `connect-src`
//! is wider, so that the preview can send a test pledge to any https endpoint a partner enters.

use std::path::Path;
use std::sync::Arc;

use axum::http::header;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;

use crate::http::state::AppState;
use crate::http::static_files::{self, Audience, Folder};

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self' https:; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/// `widget_dist` is the widget's folder; the kit's is `kit/` beside it.
pub fn routes(widget_dist: &Path) -> Router<AppState> {
    let root = widget_dist.parent().unwrap_or(Path::new(".")).join("kit");
    let folder = Folder::new("/kit/", root, Audience::SameOrigin)
        .with_index("index.html")
        .with_header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .with_header(header::REFERRER_POLICY, "strict-origin-when-cross-origin")
        .built_by_dist("The partner kit");
    let files = get(static_files::serve).with_state(Arc::new(folder));
    Router::new().route("/kit", get(redirect)).route("/kit/", files.clone()).route("/kit/{*path}", files)
}

/// `/kit`: the page lives at `/kit/`, so that its relative links resolve.
async fn redirect() -> Redirect {
    Redirect::permanent("/kit/")
}
