//! `/kit/`: the partner kit, where a partner's web developer sets the widget up, previews it
//! and copies the code for their page.
//!
//! `cargo xtask dist` writes the kit beside the widget (`dist/kit/` next to `dist/widget/`), as
//! static files a charity can host anywhere; the receiver serves that folder. Its page loads the
//! widget from `../widget/`, so the preview is the bundle partners get. It is served under a
//! strict Content Security Policy with Trusted Types, like the demo page; only its `connect-src`
//! is wider, so that the preview can send a test pledge to any https endpoint a partner enters.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::static_files::{self, Audience};

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; connect-src 'self' https:; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/// The kit's folder: `kit/` beside the widget's.
fn folder(state: &AppState) -> std::path::PathBuf {
    state.widget_dist.parent().unwrap_or(std::path::Path::new(".")).join("kit")
}

/// `/kit`: the page lives at `/kit/`, so that its relative links resolve.
pub async fn redirect() -> Redirect {
    Redirect::permanent("/kit/")
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve(&state, "index.html", &headers).await
}

pub async fn asset(State(state): State<AppState>, Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&state, &path, &headers).await
}

async fn serve(state: &AppState, path: &str, headers: &HeaderMap) -> Response {
    let Some(mut response) = static_files::serve(&folder(state), path, headers, Audience::SameOrigin).await else {
        if !folder(state).is_dir() {
            tracing::warn!(kit = %folder(state).display(), "the partner kit is not built, so /kit/ answers 404: run `cargo xtask dist`");
        }
        return static_files::not_found();
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    response.into_response()
}
