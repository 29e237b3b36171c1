//! `/widget/*`: the built widget (`cargo xtask dist`), for partner pages to embed from any
//! origin.

use std::path::Path;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::http::state::AppState;
use crate::http::static_files::{self, Audience, Folder};

const WHAT: &str = "The widget";
const PREFIX: &str = "/widget/";

pub fn routes(dist: &Path) -> Router<AppState> {
    let folder = Folder::new(PREFIX, dist.to_owned(), Audience::AnyOrigin).built_by_dist(WHAT);
    Router::new().route("/widget/{*path}", get(static_files::serve).with_state(Arc::new(folder)))
}

/// Tells the operator at start that the widget is missing and how to build it.
pub fn report_missing_dist(dist: &Path) {
    static_files::report_unbuilt(WHAT, dist, PREFIX);
}
