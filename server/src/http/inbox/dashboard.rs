//! `/admin/dashboard`.

use axum::extract::{Query, State};
use axum::Extension;
use serde::Deserialize;
use time::OffsetDateTime;

use super::gate::Staff;
use super::page::{Page, PageError};
use super::pledges::unavailable;
use super::signed_in;
use crate::dashboard::figures::{figures, DateRange, PledgeFacts};
use crate::inbox::dashboard;
use crate::inbox::filters::{parse_date, FilterProblem};
use crate::inbox::layout::Section;
use crate::storage::Store;
use crate::timestamp::Timestamp;

/// Eight weeks, ending today, unless other dates are asked for.
const DEFAULT_DAYS: i64 = 56;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    since: Option<String>,
    until: Option<String>,
}

pub async fn show(
    State(store): State<Store>,
    Extension(staff): Extension<Staff>,
    Query(query): Query<DashboardQuery>,
) -> Result<Page, PageError> {
    let (range, problems) = date_range(&query, OffsetDateTime::now_utc().date());
    let since = Timestamp::from_micros(range.first().midnight().assume_utc().unix_timestamp() * 1_000_000);
    let until = Timestamp::from_micros(
        range.last().next_day().unwrap_or(range.last()).midnight().assume_utc().unix_timestamp() * 1_000_000,
    );
    let facts: Vec<PledgeFacts> = store
        .pledges_received_between(since, until)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(PledgeFacts::from)
        .collect();
    let figures = figures(&facts, range);
    Ok(Page(dashboard::page(&figures, &problems, signed_in(&staff, Section::Dashboard))))
}

/// The dates asked for, or the default range with a message for each date that could not be
/// used.
fn date_range(query: &DashboardQuery, today: time::Date) -> (DateRange, Vec<FilterProblem>) {
    let mut problems = Vec::new();
    let mut read = |field: &'static str, value: &Option<String>| {
        let text = value.as_deref().map(str::trim).filter(|text| !text.is_empty())?;
        let date = parse_date(text);
        if date.is_none() {
            problems.push(FilterProblem {
                field,
                message: "Write the date as YYYY-MM-DD, for example 2026-03-31.".to_owned(),
            });
        }
        date
    };
    let until = read("until", &query.until).unwrap_or(today);
    let since = read("since", &query.since);
    let Some(since) = since else { return (DateRange::ending(until, DEFAULT_DAYS), problems) };
    match DateRange::new(since, until) {
        Ok(range) => (range, problems),
        Err(error) => {
            problems.push(FilterProblem { field: "since", message: error.message() });
            (DateRange::ending(today, DEFAULT_DAYS), problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_is_the_last_eight_weeks() {
        let (range, problems) = date_range(&DashboardQuery::default(), date!(2026 - 12 - 06));
        assert_eq!((range.first(), range.last()), (date!(2026 - 10 - 12), date!(2026 - 12 - 06)));
        assert!(problems.is_empty());
    }

    #[test]
    fn a_range_that_cannot_be_shown_falls_back_with_a_message() {
        let query = DashboardQuery { since: Some("2026-12-10".to_owned()), until: Some("2026-12-01".to_owned()) };
        let (range, problems) = date_range(&query, date!(2026 - 12 - 06));
        assert_eq!(range.last(), date!(2026 - 12 - 06));
        assert_eq!(problems.len(), 1);
        let query = DashboardQuery { since: Some("yesterday".to_owned()), until: None };
        assert_eq!(date_range(&query, date!(2026 - 12 - 06)).1[0].field, "since");
    }
}
