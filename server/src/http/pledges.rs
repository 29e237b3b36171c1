//! `POST /v1/pledges` and its CORS preflight: what partner pages call, through the widget.
//!
//! The handler hands the request to [`crate::intake`], which decides, and answers with the
//! donor's reference or the problem.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::{middleware, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::middleware::cors;
use crate::http::middleware::rate_limit::{self, RateLimiter};
use crate::http::problem::Problem;
use crate::http::state::AppState;
use crate::intake::{idempotency, Accepted, Intake};
use crate::storage::Receipt;

/// The pledge route, open to the partner origins (`allowed_origins`) and limited per client
/// (`rate_limit_per_minute`, `0` for no limit).
pub fn routes(allowed_origins: &[String], rate_limit_per_minute: u32) -> Router<AppState> {
    let mut submit_route: MethodRouter<AppState> = post(submit);
    if let Some(limiter) = RateLimiter::new(rate_limit_per_minute) {
        // Only the POST: the preflight is not limited.
        submit_route = submit_route.layer(middleware::from_fn_with_state(Arc::new(limiter), rate_limit::enforce));
    }
    // The CORS layer wraps the POST and its OPTIONS preflight, which it answers itself. A 429
    // from the rate limit inside it still carries CORS headers, so the widget can read
    // Retry-After. Other methods on this path (the admin list) stay same-origin only.
    Router::new().route(
        "/v1/pledges",
        submit_route.options(|| async { StatusCode::NO_CONTENT }).layer(cors::pledge_cors(allowed_origins)),
    )
}

/// The answer to an accepted pledge. It holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"reference": "SK-7Q2M-X9D4", "received_at": "2026-11-27T10:15:30.123456Z"}))]
pub struct PledgeReceipt {
    /// What the donor quotes to the charity, `SK-` and eight Crockford base-32 symbols.
    pub reference: String,
    /// When the receiver accepted the pledge, RFC 3339 in UTC.
    pub received_at: String,
}

impl From<&Receipt> for PledgeReceipt {
    fn from(receipt: &Receipt) -> Self {
        PledgeReceipt { reference: receipt.reference.clone(), received_at: receipt.received_at.to_rfc3339() }
    }
}

/// Submit a pledge.
///
/// The `Idempotency-Key` header must be a lowercase UUID v4 equal to the body's
/// `idempotency_key`. Sending the same pledge again with the same key repeats the first answer
/// with `Idempotent-Replayed: true`; the same key with a different pledge is a `422`. A pledge
/// that looks automated (filled honeypot, implausibly fast) gets the same `201` and a real
/// reference, and is held for review.
#[utoipa::path(
    post,
    path = "/v1/pledges",
    tag = "pledges",
    params(
        ("Idempotency-Key" = String, Header, description = "A lowercase UUID v4 (as crypto.randomUUID() writes it), equal to the body's idempotency_key. A structured-field string (the same UUID in double quotes) is accepted too. Exactly one such header.",
            pattern = r#"^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")$"#),
    ),
    request_body(content = ref("#/components/schemas/Pledge"), content_type = "application/json", description = "The pledge, at most 32 KiB (32768 bytes). The media type must be application/json; parameters such as charset=utf-8 are allowed."),
    responses(
        (status = 201, description = "Accepted and durable; or a replay of the first answer for this key.", body = PledgeReceipt,
            headers(("Idempotent-Replayed" = String, description = "`true` when this answer repeats an earlier one."))),
        (status = 400, description = "Missing or malformed Idempotency-Key, or a body that is not well-formed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive within 10 s.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 32 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused fields (with JSON Pointers), differing idempotency keys, or a key reused for another pledge.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many pledges from this client address (IPv6: per /64).", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Whole seconds to wait, rounded up."))),
        (status = 503, description = "The pledge could not be stored, or the request took over 20 s; retry with the same key.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying."))),
    )
)]
pub async fn submit(State(intake): State<Intake>, headers: HeaderMap, body: Body) -> Response {
    match intake.submit(&headers, body).await {
        Ok(accepted) => created(&accepted),
        Err(refusal) => Problem::from(refusal).into_response(),
    }
}

fn created(accepted: &Accepted) -> Response {
    let body = serde_json::to_vec(&PledgeReceipt::from(accepted.receipt())).expect("a receipt always serialises");
    let mut response = (StatusCode::CREATED, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if accepted.is_replay() {
        headers.insert(idempotency::REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}
