//! The charity's read access: `GET /v1/pledges` (JSON, paginated) and `GET /v1/pledges.csv`.
//!
//! Both need `Authorization: Bearer <admin token>`. The token is compared through SHA-256
//! digests in constant time, so neither its content nor its length leaks through timing.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pledge::Pledge;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::csv_export;
use crate::problem::Problem;
use crate::storage::{ListFilter, StoredPledge};
use crate::timestamp::Timestamp;

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// Whether the request carries the admin token.
pub fn authorize(headers: &HeaderMap, admin_token: &str) -> Result<(), Problem> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(Problem::unauthorized)?;
    let presented_digest = Sha256::digest(presented.as_bytes());
    let expected_digest = Sha256::digest(admin_token.as_bytes());
    if bool::from(presented_digest.ct_eq(&expected_digest)) {
        Ok(())
    } else {
        Err(Problem::unauthorized())
    }
}

/// Filters shared by the JSON and CSV exports.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only this partner's pledges.
    partner: Option<String>,
    /// Received at or after this instant: RFC 3339, or a date meaning midnight UTC.
    since: Option<String>,
    /// Received before this instant: RFC 3339, or a date meaning midnight UTC.
    until: Option<String>,
    /// Page size for the JSON list, 1 to 1000 (default 100). The CSV export has every match.
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
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
        let after_id = self
            .cursor
            .as_deref()
            .map(|cursor| cursor.parse::<i64>().map_err(|_| Problem::invalid_query("`cursor` is not one this receiver gave.")))
            .transpose()?;
        Ok(ListFilter {
            partner: self.partner.clone(),
            since: instant("since", &self.since)?,
            until: instant("until", &self.until)?,
            after_id,
            limit,
        })
    }
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
    #[schema(schema_with = pledge_schema_ref)]
    pub pledge: Pledge,
}

fn pledge_schema_ref() -> utoipa::openapi::Ref {
    utoipa::openapi::Ref::from_schema_name("Pledge")
}

impl From<StoredPledge> for PledgeRecord {
    fn from(stored: StoredPledge) -> Self {
        PledgeRecord { reference: stored.reference, received_at: stored.received_at.to_rfc3339(), pledge: stored.pledge }
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
#[utoipa::path(
    get,
    path = "/v1/pledges",
    tag = "admin",
    params(ExportQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of pledges, oldest first.", body = PledgeList),
        (status = 400, description = "Invalid query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    authorize(&headers, &state.admin_token)?;
    let filter = query.map_err(query_problem)?.filter()?;
    let page = state.store.list(filter).await.map_err(|error| {
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
/// would run as a formula begin with an apostrophe.
#[utoipa::path(
    get,
    path = "/v1/pledges.csv",
    tag = "admin",
    params(ExportQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The pledges as CSV.", content_type = "text/csv", body = String),
        (status = 400, description = "Invalid query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    authorize(&headers, &state.admin_token)?;
    let mut filter = query.map_err(query_problem)?.filter()?;
    filter.limit = MAX_PAGE;
    let mut text = csv_export::header();
    let mut rows = 0usize;
    loop {
        let page = state.store.list(filter.clone()).await.map_err(|error| {
            tracing::error!(%error, "exporting pledges failed");
            Problem::unavailable("The pledges could not be read.")
        })?;
        rows += page.pledges.len();
        for stored in &page.pledges {
            csv_export::append_pledge(&mut text, stored);
        }
        match page.next_after_id {
            Some(id) => filter.after_id = Some(id),
            None => break,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_passes() {
        assert!(authorize(&with_authorization("Bearer s3cret-token"), "s3cret-token").is_ok());
        assert!(authorize(&with_authorization("bearer s3cret-token"), "s3cret-token").is_ok());
        for value in ["Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token", "s3cret-token", "Bearer "] {
            assert_eq!(authorize(&with_authorization(value), "s3cret-token").unwrap_err().status, 401, "{value}");
        }
        assert_eq!(authorize(&HeaderMap::new(), "s3cret-token").unwrap_err().status, 401);
    }

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
    }
}
