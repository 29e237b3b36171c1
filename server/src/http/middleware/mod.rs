//! The layers that every request, or a whole route group, passes through: deciding who the
//! client is, bounding and logging each request, CORS for the pledge API, and the rate limit.

pub mod client_address;
pub mod cors;
pub mod rate_limit;

use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::problem::Problem;
use client_address::ClientAddress;

/// Bounds every request's time, marks every answer `nosniff`, and logs one line per request:
/// method, path, status, client address and duration, never bodies or query strings.
pub async fn guard(timeout: Duration, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path: String = request.uri().path().chars().take(200).collect();
    let client = request.extensions().get::<ClientAddress>().map(|ClientAddress(address)| *address);
    let started = Instant::now();
    let mut response = match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::unavailable("The request took too long.").into_response(),
    };
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        client = %client.map_or_else(|| "-".to_owned(), |address| address.to_string()),
        elapsed = ?started.elapsed(),
        "request"
    );
    response
}
