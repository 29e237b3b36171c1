//! `GET /healthz`: whether the receiver can store a pledge now.
//!
//! A read would pass while the writer is stuck behind a lock or the disk is full, which is
//! exactly when pledges fail. So the check is a write: a transaction as large as the largest
//! pledge, through the same writer and queue as pledges, deleted before it commits. It answers
//! `503` when that write fails or does not finish within a few seconds.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::Timeouts;
use crate::http::problem::Problem;
use crate::http::state::AppState;
use crate::storage::Store;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` in a 200 answer.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// Check that the receiver can store a pledge now.
///
/// Commits a write as large as the largest pledge through the writer that pledges go through,
/// and deletes it in the same transaction.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "A write through the pledge writer committed.", body = Health),
        (status = 503, description = "The write failed (database unreachable, disk full) or the writer did not finish it within 3 s.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before checking again."))),
    )
)]
pub async fn healthz(State(store): State<Store>, State(timeouts): State<Timeouts>) -> Response {
    let limit = timeouts.health;
    match tokio::time::timeout(limit, store.probe_writes()).await {
        Ok(Ok(())) => {
            let mut response =
                Json(Health { status: "ok".to_owned(), database: store.kind().to_owned() }).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "health check: the write failed");
            Problem::unavailable("The database does not take writes.").into_response()
        }
        Err(_) => {
            tracing::error!(seconds = limit.as_secs_f64(), "health check: the writer did not finish a write in time");
            Problem::unavailable(format!("The pledge writer did not finish a write within {} s.", limit.as_secs_f64()))
                .into_response()
        }
    }
}
