//! The charity's access: `GET /v1/pledges` (JSON, paginated), `GET /v1/pledges.csv`,
//! `POST /v1/pledges/{reference}/release` for a pledge held for review, and the webhook
//! deliveries of [`crate::http::deliveries`].
//!
//! All need `Authorization: Bearer <admin token>`: [`routes`] puts the check of
//! [`crate::http::auth`] in front of every route of the group, so no handler here sees a
//! request without it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use pledge::Pledge;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::export::csv::{self as csv_export, PledgesCsv};
use crate::http::auth::RequireAdmin;
use crate::http::deliveries;
use crate::http::problem::Problem;
use crate::http::state::AppState;
use crate::intake::reference;
use crate::intake::spam::SpamReason;
use crate::storage::{ListFilter, Released, Status, StatusFilter, Store, StoredPledge};
use crate::timestamp::Timestamp;

/// The admin API, every route behind the admin token.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/pledges", get(list))
        .route("/v1/pledges.csv", get(csv))
        .route("/v1/pledges/{reference}/release", post(release))
        .route("/v1/deliveries", get(deliveries::list))
        .route("/v1/deliveries/{id}/retry", post(deliveries::retry))
        .route_layer(middleware::from_extractor_with_state::<RequireAdmin, AppState>(state.clone()))
}

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// A `YYYY-MM-DD` date, meaning midnight UTC; the calendar is checked too (no 30 February).
pub const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// An RFC 3339 date-time with `Z` or a numeric offset, and at most nine fraction digits.
pub const DATE_TIME_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

fn instant_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    let format = |known, pattern: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(known)))
            .pattern(Some(pattern.to_owned()))
    };
    OneOfBuilder::new()
        .item(format(KnownFormat::DateTime, DATE_TIME_PATTERN))
        .item(format(KnownFormat::Date, DATE_PATTERN))
        .into()
}

/// Filters shared by the JSON and CSV exports. Any other parameter is a `400`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only this partner's pledges.
    partner: Option<String>,
    /// Received at or after this instant: an RFC 3339 date-time, or a `YYYY-MM-DD` date
    /// meaning midnight UTC.
    #[param(schema_with = instant_schema)]
    since: Option<String>,
    /// Received before this instant: an RFC 3339 date-time, or a `YYYY-MM-DD` date meaning
    /// midnight UTC.
    #[param(schema_with = instant_schema)]
    until: Option<String>,
    /// `new` or `review`. Without it, every pledge except those held for review.
    status: Option<Status>,
    /// Page size for the JSON list, 1 to 1000 (default 100). The CSV export has every match.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page: digits.
    #[param(pattern = "^[0-9]{1,19}$")]
    cursor: Option<String>,
}

impl ExportQuery {
    fn filter(&self) -> Result<ListFilter, Problem> {
        let instant = |name: &str, value: &Option<String>| -> Result<Option<Timestamp>, Problem> {
            value
                .as_deref()
                .map(|text| {
                    Timestamp::parse(text).ok_or_else(|| {
                        Problem::invalid_query(format!("`{name}` must be an RFC 3339 date-time or a YYYY-MM-DD date."))
                    })
                })
                .transpose()
        };
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Problem::invalid_query(format!("`limit` must be between 1 and {MAX_PAGE}.")));
        }
        let after_id = self.cursor.as_deref().map(parse_cursor).transpose()?;
        Ok(ListFilter {
            partner: self.partner.clone(),
            since: instant("since", &self.since)?,
            until: instant("until", &self.until)?,
            status: self.status.map_or(StatusFilter::AllButReview, StatusFilter::Only),
            after_id,
            limit,
        })
    }
}

/// Cursors are the digits of a row id, as `next_cursor` gives them; a sign or anything else
/// is not one. The contract allows up to 19 digits: a number past the largest row id a
/// database can hold is past every row, so it reads as the largest and its page is empty.
fn parse_cursor(cursor: &str) -> Result<i64, Problem> {
    let refuse = || Problem::invalid_query("`cursor` is not one this receiver gave.");
    if !(1..=19).contains(&cursor.len()) || !cursor.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(refuse());
    }
    let id = cursor.parse::<u64>().map_err(|_| refuse())?;
    Ok(i64::try_from(id).unwrap_or(i64::MAX))
}

fn query_problem(rejection: QueryRejection) -> Problem {
    Problem::invalid_query(rejection.body_text())
}

/// One stored pledge, as the charity sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PledgeRecord {
    pub reference: String,
    /// When the receiver accepted it, RFC 3339 in UTC.
    pub received_at: String,
    pub status: Status,
    /// Why it was held for review: `honeypot` or `too_fast`; kept after a release, `null` for
    /// a pledge that was never held.
    pub review_reason: Option<SpamReason>,
    /// When a person released it from review, RFC 3339 in UTC; `null` otherwise.
    pub released_at: Option<String>,
    #[schema(schema_with = pledge_schema_ref)]
    pub pledge: Pledge,
}

fn pledge_schema_ref() -> utoipa::openapi::Ref {
    utoipa::openapi::Ref::from_schema_name("Pledge")
}

impl From<StoredPledge> for PledgeRecord {
    fn from(stored: StoredPledge) -> Self {
        PledgeRecord {
            reference: stored.reference,
            received_at: stored.received_at.to_rfc3339(),
            status: stored.status,
            review_reason: stored.review_reason,
            released_at: stored.released_at.map(Timestamp::to_rfc3339),
            pledge: stored.pledge,
        }
    }
}

/// A page of pledges, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PledgeList {
    pub pledges: Vec<PledgeRecord>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// List stored pledges (admin).
///
/// Without `status`, pledges held for review are left out; `status=review` lists them.
#[utoipa::path(
    get,
    path = "/v1/pledges",
    tag = "admin",
    params(ExportQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of pledges, oldest first.", body = PledgeList),
        (status = 400, description = "Invalid query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"sanankoroba-admin\"`"))),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn list(
    State(store): State<Store>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let filter = query.map_err(query_problem)?.filter()?;
    let page = store.list(filter).await.map_err(|error| {
        tracing::error!(%error, "listing pledges failed");
        Problem::unavailable("The pledges could not be read.")
    })?;
    let list = PledgeList {
        next_cursor: page.next_after_id.map(|id| id.to_string()),
        pledges: page.pledges.into_iter().map(PledgeRecord::from).collect(),
    };
    let mut response = Json(list).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Export stored pledges as CSV (admin).
///
/// Every pledge matching the filters, oldest first, with a header row. Cells that a spreadsheet
/// would run as a formula begin with an apostrophe. New columns are only ever added at the end:
/// after `status`, `review_reason` and `released_at` come `phone`, `postal_address` and
/// `postal_postcode`, empty when the donor gave none.
#[utoipa::path(
    get,
    path = "/v1/pledges.csv",
    tag = "admin",
    params(ExportQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The pledges as CSV.", content_type = "text/csv", body = String),
        (status = 400, description = "Invalid query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"sanankoroba-admin\"`"))),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn csv(
    State(store): State<Store>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let mut filter = query.map_err(query_problem)?.filter()?;
    filter.limit = MAX_PAGE;
    let export_failed = |error: csv::Error| {
        tracing::error!(%error, "writing the CSV export failed");
        Problem::internal()
    };
    let mut export = PledgesCsv::new().map_err(export_failed)?;
    let mut rows = 0usize;
    loop {
        let page = store.list(filter.clone()).await.map_err(|error| {
            tracing::error!(%error, "exporting pledges failed");
            Problem::unavailable("The pledges could not be read.")
        })?;
        rows += page.pledges.len();
        for stored in &page.pledges {
            export.append(stored).map_err(export_failed)?;
        }
        match page.next_after_id {
            Some(id) => filter.after_id = Some(id),
            None => break,
        }
    }
    let text = export.finish().map_err(export_failed)?;
    tracing::info!(rows, "pledges exported as CSV");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(csv_export::CONTENT_TYPE)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"pledges.csv\"")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response())
}

/// A pledge's review state, as a release answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReleasedPledge {
    pub reference: String,
    /// Always `new` after a release.
    pub status: Status,
    /// Why it had been held, if it had.
    pub review_reason: Option<SpamReason>,
    /// When it was first released, RFC 3339 in UTC; `null` for a pledge that was never held.
    pub released_at: Option<String>,
}

impl From<Released> for ReleasedPledge {
    fn from(released: Released) -> Self {
        ReleasedPledge {
            reference: released.reference,
            status: released.status,
            review_reason: released.review_reason,
            released_at: released.released_at.map(Timestamp::to_rfc3339),
        }
    }
}

/// Release a pledge held for review (admin).
///
/// Moves it from `review` to `new`, so that it appears in the default list and export.
/// Releasing again, or releasing a pledge that was never held, changes nothing and answers
/// `200` with its state.
#[utoipa::path(
    post,
    path = "/v1/pledges/{reference}/release",
    tag = "admin",
    params(("reference" = String, Path, description = "The pledge's reference, as the donor was given it; lower case is accepted too.", pattern = "^[Ss][Kk]-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{4}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The pledge is `new`: released now or earlier, or never held.", body = ReleasedPledge),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json",
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"sanankoroba-admin\"`"))),
        (status = 404, description = "No pledge has this reference.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; releasing again is safe.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub async fn release(State(store): State<Store>, Path(reference): Path<String>) -> Result<Response, Problem> {
    // References are read aloud and typed by staff; lower case is the same reference.
    let reference = reference.to_ascii_uppercase();
    if !reference::is_reference(&reference) {
        return Err(Problem::unknown_reference());
    }
    let released = store.release(&reference, crate::storage::ACTOR_ADMIN_API).await.map_err(|error| {
        tracing::error!(%error, "releasing a pledge failed");
        Problem::unavailable("The pledge could not be released. Releasing again is safe.")
    })?;
    let Some(released) = released else {
        return Err(Problem::unknown_reference());
    };
    tracing::info!(reference = %released.reference, "pledge released from review");
    let mut response = Json(ReleasedPledge::from(released)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked() {
        let query = |since: Option<&str>, limit: Option<u32>, cursor: Option<&str>| ExportQuery {
            since: since.map(str::to_owned),
            limit,
            cursor: cursor.map(str::to_owned),
            ..ExportQuery::default()
        };
        assert_eq!(query(None, None, None).filter().unwrap().limit, DEFAULT_PAGE);
        assert!(query(Some("2026-11-01"), Some(5), Some("12")).filter().is_ok());
        assert!(query(Some("last week"), None, None).filter().is_err());
        assert!(query(None, Some(0), None).filter().is_err());
        assert!(query(None, Some(MAX_PAGE + 1), None).filter().is_err());
        assert!(query(None, None, Some("abc")).filter().is_err());
        for cursor in ["-5", "+5", "", " 5", "99999999999999999999"] {
            assert!(query(None, None, Some(cursor)).filter().is_err(), "{cursor}");
        }
        assert_eq!(query(None, None, Some("0042")).filter().unwrap().after_id, Some(42));
        for beyond in ["9223372036854775808", "9999999999999999999"] {
            assert_eq!(
                query(None, None, Some(beyond)).filter().unwrap().after_id,
                Some(i64::MAX),
                "{beyond}: past every row"
            );
        }
        assert_eq!(query(None, None, None).filter().unwrap().status, StatusFilter::AllButReview);
        let review = ExportQuery { status: Some(Status::Review), ..ExportQuery::default() };
        assert_eq!(review.filter().unwrap().status, StatusFilter::Only(Status::Review));
    }
}
