//! The outbox as the charity's admin sees it: `GET /v1/deliveries` lists webhook deliveries,
//! newest first, with what happened to each (never the payload, which holds personal data), and
//! `POST /v1/deliveries/{id}/retry` makes a dead or pending delivery due now.
//!
//! Both are in the admin API group, behind the admin bearer token.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::problem::Problem;
use crate::storage::{DeliveryQuery, DeliveryRecord, DeliveryStatus, RetryOutcome, Store};
use crate::timestamp::Timestamp;

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// Which deliveries to list. Any other parameter is a `400`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries with this status.
    status: Option<DeliveryStatus>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page: digits.
    #[param(pattern = "^[0-9]{1,19}$")]
    cursor: Option<String>,
}

impl DeliveriesQuery {
    fn query(&self) -> Result<DeliveryQuery, Problem> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Problem::invalid_query(format!("`limit` must be between 1 and {MAX_PAGE}.")));
        }
        let before_id = self.cursor.as_deref().map(parse_id).transpose()?;
        Ok(DeliveryQuery { status: self.status, before_id, limit })
    }
}

/// Ids and cursors are the digits of a row id; anything else is refused.
fn parse_id(text: &str) -> Result<i64, Problem> {
    let refuse = || Problem::invalid_query("`cursor` is not one this receiver gave.");
    if !(1..=19).contains(&text.len()) || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(refuse());
    }
    Ok(text.parse::<u64>().map_err(|_| refuse())?.try_into().unwrap_or(i64::MAX))
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// The delivery's id, for a retry.
    pub id: i64,
    /// The event's id, the same on every attempt: what the endpoint de-duplicates by.
    pub event_id: String,
    /// `pledge.created`, `pledge.status_changed` or `pledge.erased`.
    pub event_type: String,
    /// When the event happened, RFC 3339 in UTC.
    pub created_at: String,
    /// The pledge's reference.
    pub reference: String,
    /// The endpoint's name, as `--webhook NAME=URL` or the staff's webhooks page gave it.
    pub endpoint: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When a pending delivery is next attempted, RFC 3339 in UTC; `null` once delivered or dead.
    pub next_attempt_at: Option<String>,
    /// How the last failed attempt went, such as `answered HTTP 500`, kept once delivered;
    /// for a delivery settled with nothing to send, why (`not sent: the donor's details were
    /// erased`); `null` when no attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered, RFC 3339 in UTC; `null` until then.
    pub delivered_at: Option<String>,
}

impl From<DeliveryRecord> for Delivery {
    fn from(record: DeliveryRecord) -> Self {
        Delivery {
            id: record.id,
            event_id: record.event_id,
            event_type: record.event_type,
            created_at: record.created_at.to_rfc3339(),
            reference: record.reference,
            endpoint: record.endpoint,
            status: record.status,
            attempts: record.attempts,
            next_attempt_at: record.next_attempt_at.map(Timestamp::to_rfc3339),
            last_error: record.last_error,
            delivered_at: record.delivered_at.map(Timestamp::to_rfc3339),
        }
    }
}

/// A page of deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<Delivery>,
    /// Pass as `cursor` to read the next (older) page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// List webhook deliveries (admin).
///
/// Newest first, without payloads. A dead delivery had every attempt fail, or its pledge was
/// erased before it went out; resend one with `POST /v1/deliveries/{id}/retry`.
#[utoipa::path(
    get,
    path = "/v1/deliveries",
    tag = "admin",
    params(DeliveriesQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of deliveries, newest first.", body = DeliveryList),
        (status = 400, description = "Invalid query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"sanankoroba-admin\"`"))),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn list(
    State(store): State<Store>,
    query: Result<Query<DeliveriesQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = query.map_err(|rejection| Problem::invalid_query(rejection.body_text()))?.query()?;
    let page = store.deliveries(query).await.map_err(|error| {
        tracing::error!(%error, "listing deliveries failed");
        Problem::unavailable("The deliveries could not be read.")
    })?;
    let list = DeliveryList {
        next_cursor: page.next_before_id.map(|id| id.to_string()),
        deliveries: page.deliveries.into_iter().map(Delivery::from).collect(),
    };
    Ok(no_store(Json(list).into_response()))
}

/// Resend a webhook delivery now (admin).
///
/// Makes a dead or pending delivery due at once, keeping its attempts; it then gets the
/// attempts left to it (one, for a delivery that had them all), with the same event id and body.
#[utoipa::path(
    post,
    path = "/v1/deliveries/{id}/retry",
    tag = "admin",
    params(("id" = String, Path, description = "The delivery's id, as the list gives it.", pattern = "^[0-9]{1,19}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The delivery is pending and due now.", body = Delivery),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"sanankoroba-admin\"`"))),
        (status = 404, description = "No delivery has this id.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It was delivered already, or its pledge was erased and there is nothing left to send.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retrying again is safe.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn retry(State(store): State<Store>, Path(id): Path<String>) -> Result<Response, Problem> {
    let Ok(id) = parse_id(&id) else { return Err(no_such_delivery()) };
    let outcome = store.retry_delivery(id).await.map_err(|error| {
        tracing::error!(%error, "resending a delivery failed");
        Problem::unavailable("The delivery could not be resent. Asking again is safe.")
    })?;
    match outcome {
        RetryOutcome::Scheduled(record) => {
            tracing::info!(delivery = record.id, event_id = %record.event_id, "delivery resent on request");
            Ok(no_store(Json(Delivery::from(record)).into_response()))
        }
        RetryOutcome::NoSuchDelivery => Err(no_such_delivery()),
        RetryOutcome::AlreadyDelivered => Err(Problem::conflict("This delivery was delivered already.")),
        RetryOutcome::Erased => {
            Err(Problem::conflict("The pledge was erased before this event was delivered: there is nothing to send."))
        }
    }
}

fn no_such_delivery() -> Problem {
    Problem::unknown_delivery()
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_checked() {
        let query = |limit: Option<u32>, cursor: Option<&str>| DeliveriesQuery {
            limit,
            cursor: cursor.map(str::to_owned),
            ..DeliveriesQuery::default()
        };
        assert_eq!(query(None, None).query().unwrap().limit, DEFAULT_PAGE);
        assert_eq!(query(Some(5), Some("0042")).query().unwrap().before_id, Some(42));
        for limit in [0, MAX_PAGE + 1] {
            assert!(query(Some(limit), None).query().is_err(), "{limit}");
        }
        for cursor in ["", "-1", "1e3", "12345678901234567890"] {
            assert!(query(None, Some(cursor)).query().is_err(), "{cursor}");
        }
    }
}
