//! `POST /v1/pledges`: from request to durable pledge and the donor's reference.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::problem::Problem;
use crate::storage::{NewPledge, Receipt, Recorded};
use crate::timestamp::Timestamp;
use crate::{decode, idempotency, spam};

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
pub async fn submit(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match accept(&state, &headers, body).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn accept(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Response, Problem> {
    let key = idempotency::key_from_headers(headers)?;
    decode::require_json_content_type(headers)?;
    let bytes = decode::read_body(headers, body, state.timeouts.body).await?;
    let pledge = decode::parse_pledge(&bytes)?;
    if pledge.idempotency_key != key {
        return Err(Problem::idempotency_key_mismatch());
    }
    let mut new = NewPledge::new(&pledge, Timestamp::now());
    // Held, not refused: the answer is the same as for any pledge, so a bot learns nothing,
    // and a person wrongly taken for one is not lost.
    let review = spam::judge(&pledge.anti_spam, state.min_fill);
    if let Some(reason) = review {
        new = new.for_review(reason);
    }

    match state.store.record_pledge(new).await {
        Ok(Recorded::Created(receipt)) => {
            match review {
                Some(reason) => tracing::info!(
                    reference = %receipt.reference, partner = %pledge.partner, reason = reason.as_str(),
                    "pledge held for review"
                ),
                None => tracing::info!(reference = %receipt.reference, partner = %pledge.partner, "pledge recorded"),
            }
            Ok(created(&receipt, false))
        }
        Ok(Recorded::Replayed(receipt)) => {
            tracing::info!(reference = %receipt.reference, partner = %pledge.partner, "pledge replayed");
            Ok(created(&receipt, true))
        }
        Ok(Recorded::KeyReused) => {
            tracing::info!(partner = %pledge.partner, "idempotency key reused for a different pledge");
            Err(Problem::idempotency_key_reused())
        }
        Err(error) => {
            tracing::error!(%error, partner = %pledge.partner, "pledge not stored");
            Err(Problem::unavailable("The pledge could not be stored. Retry with the same Idempotency-Key."))
        }
    }
}

fn created(receipt: &Receipt, replayed: bool) -> Response {
    let body = serde_json::to_vec(&PledgeReceipt::from(receipt)).expect("a receipt always serialises");
    let mut response = (StatusCode::CREATED, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if replayed {
        headers.insert(idempotency::REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}
