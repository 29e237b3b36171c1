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
use crate::timestamp::Timestamp;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` in a 200 answer.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// How long ago the oldest event still waiting for a webhook delivery happened, in whole
    /// seconds; `null` when no delivery is pending. A figure that keeps growing means an
    /// endpoint is down or deliveries are stuck (see `GET /v1/deliveries`).
    pub oldest_undelivered_event_age_seconds: Option<u64>,
}

/// Check that the receiver can store a pledge now.
///
/// Commits a write as large as the largest pledge through the writer that pledges go through,
/// and deletes it in the same transaction; also says how old the oldest undelivered event is.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "A write through the pledge writer committed.", body = Health),
        (status = 503, description = "The write failed (database unreachable, disk full), the writer did not finish it within 3 s, or the outbox could not be read.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before checking again."))),
    )
)]
pub async fn healthz(State(store): State<Store>, State(timeouts): State<Timeouts>) -> Response {
    let limit = timeouts.health;
    match tokio::time::timeout(limit, store.probe_writes()).await {
        Ok(Ok(())) => {
            let oldest = match store.oldest_undelivered_event().await {
                Ok(oldest) => oldest,
                Err(error) => {
                    tracing::error!(%error, "health check: the outbox could not be read");
                    return Problem::unavailable("The outbox could not be read.").into_response();
                }
            };
            let now = Timestamp::now().as_micros();
            let age = oldest.map(|at| u64::try_from(now.saturating_sub(at.as_micros()) / 1_000_000).unwrap_or(0));
            let health = Health {
                status: "ok".to_owned(),
                database: store.kind().to_owned(),
                oldest_undelivered_event_age_seconds: age,
            };
            let mut response = Json(health).into_response();
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
