//! `/widget/*`: the built widget (`cargo xtask dist`), for partner pages to embed.

use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::app::AppState;
use crate::static_files::{self, Audience};

static MISSING_DIST_REPORTED: AtomicBool = AtomicBool::new(false);

pub async fn asset(State(state): State<AppState>, Path(path): Path<String>, headers: HeaderMap) -> Response {
    if let Some(response) = static_files::serve(&state.widget_dist, &path, &headers, Audience::AnyOrigin).await {
        return response;
    }
    if !state.widget_dist.is_dir() && !MISSING_DIST_REPORTED.swap(true, Ordering::Relaxed) {
        report_missing_dist(&state.widget_dist);
    }
    static_files::not_found()
}

pub fn report_missing_dist(dist: &std::path::Path) {
    tracing::warn!(
        dist = %dist.display(),
        "the widget is not built, so /widget/ answers 404: run `cargo xtask dist`"
    );
}
