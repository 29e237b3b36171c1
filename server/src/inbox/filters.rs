//! What the inbox list shows: its filters, order and page, read from the query string of a
//! plain `GET` form, so that a filtered list is a link staff can bookmark or share.
//!
//! A value that cannot be read is not an error page: the list is shown without that filter,
//! and the field says what was wrong, so a typo never hides the pledges behind it.

use pledge::{Currency, SponsorshipOption};
use serde::Deserialize;
use time::macros::format_description;
use time::Date;

use crate::storage::Status;

/// Rows on one page of the list.
pub const PAGE_SIZE: u32 = 25;
/// The longest free-text search kept; longer text is cut, not refused.
const MAX_TEXT: usize = 100;
/// Partner ids are at most 64 characters in the contract.
const MAX_PARTNER: usize = 64;

/// The query string as sent; every field is optional and free text until checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InboxParams {
    pub status: Option<String>,
    pub partner: Option<String>,
    pub option: Option<String>,
    pub currency: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

/// Which statuses the list includes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusChoice {
    /// Everything staff act on: all but the pledges held for review.
    #[default]
    Open,
    Only(Status),
    Everything,
}

impl StatusChoice {
    pub fn code(self) -> &'static str {
        match self {
            StatusChoice::Open => "",
            StatusChoice::Only(status) => status.as_str(),
            StatusChoice::Everything => "all",
        }
    }
}

/// The order of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    AmountHighest,
    AmountLowest,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Newest, Sort::Oldest, Sort::AmountHighest, Sort::AmountLowest];

    pub fn code(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::AmountHighest => "amount-desc",
            Sort::AmountLowest => "amount-asc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "Newest first",
            Sort::Oldest => "Oldest first",
            Sort::AmountHighest => "Highest amount first",
            Sort::AmountLowest => "Lowest amount first",
        }
    }
}

/// A filter value that could not be read, for the field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterProblem {
    /// The query parameter and form field's name.
    pub field: &'static str,
    pub message: String,
}

/// The checked filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilters {
    pub status: StatusChoice,
    pub partner: Option<String>,
    pub option: Option<SponsorshipOption>,
    pub currency: Option<Currency>,
    /// The first day included.
    pub since: Option<Date>,
    /// The last day included.
    pub until: Option<Date>,
    pub text: Option<String>,
    pub sort: Sort,
    /// Counted from 1.
    pub page: u32,
}

impl InboxFilters {
    /// Reads what it can and says what it could not.
    pub fn read(params: &InboxParams) -> (InboxFilters, Vec<FilterProblem>) {
        let mut problems = Vec::new();
        let mut problem = |field: &'static str, message: String| problems.push(FilterProblem { field, message });

        let status = match given(&params.status) {
            None => StatusChoice::Open,
            Some("all") => StatusChoice::Everything,
            Some(code) => match Status::parse(code) {
                Some(status) => StatusChoice::Only(status),
                None => {
                    problem("status", "Choose a status from the list.".to_owned());
                    StatusChoice::Open
                }
            },
        };
        let partner = given(&params.partner).and_then(|partner| {
            if partner.chars().count() > MAX_PARTNER {
                problem("partner", format!("A partner id has at most {MAX_PARTNER} characters."));
                None
            } else {
                Some(partner.to_owned())
            }
        });
        let option = given(&params.option).and_then(|code| {
            let option = SponsorshipOption::ALL.into_iter().find(|option| option.as_str() == code);
            if option.is_none() {
                problem("option", "Choose a way of giving from the list.".to_owned());
            }
            option
        });
        let currency = given(&params.currency).and_then(|code| {
            let currency = Currency::from_code(code);
            if currency.is_none() {
                problem("currency", "Choose a currency from the list.".to_owned());
            }
            currency
        });
        let mut date = |field: &'static str, value: &Option<String>| {
            given(value).and_then(|text| {
                let date = parse_date(text);
                if date.is_none() {
                    problem(field, "Write the date as YYYY-MM-DD, for example 2026-03-31.".to_owned());
                }
                date
            })
        };
        let since = date("since", &params.since);
        let mut until = date("until", &params.until);
        if let (Some(first), Some(last)) = (since, until) {
            if last < first {
                problems.push(FilterProblem {
                    field: "until",
                    message: "The last day is before the first day.".to_owned(),
                });
                until = None;
            }
        }
        let text = given(&params.q).map(|text| text.chars().take(MAX_TEXT).collect());
        let sort = match given(&params.sort) {
            None => Sort::Newest,
            Some(code) => Sort::ALL.into_iter().find(|sort| sort.code() == code).unwrap_or_else(|| {
                problems.push(FilterProblem { field: "sort", message: "Choose an order from the list.".to_owned() });
                Sort::Newest
            }),
        };
        // A page number out of range is not worth a message: the first page is shown.
        let page = given(&params.page).and_then(|page| page.parse::<u32>().ok()).filter(|page| *page >= 1).unwrap_or(1);

        (InboxFilters { status, partner, option, currency, since, until, text, sort, page }, problems)
    }

    /// The query string that shows these filters on `page`, for links to other pages.
    pub fn query_string(&self, page: u32) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if self.status != StatusChoice::Open {
            query.append_pair("status", self.status.code());
        }
        if let Some(partner) = &self.partner {
            query.append_pair("partner", partner);
        }
        if let Some(option) = self.option {
            query.append_pair("option", option.as_str());
        }
        if let Some(currency) = self.currency {
            query.append_pair("currency", currency.code());
        }
        if let Some(since) = self.since {
            query.append_pair("since", &format_date(since));
        }
        if let Some(until) = self.until {
            query.append_pair("until", &format_date(until));
        }
        if let Some(text) = &self.text {
            query.append_pair("q", text);
        }
        if self.sort != Sort::Newest {
            query.append_pair("sort", self.sort.code());
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        query.finish()
    }

    /// The rows to skip for this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(PAGE_SIZE)
    }
}

/// A trimmed, non-empty value.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty())
}

pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> InboxParams {
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        serde_urlencoded_like(&query)
    }

    /// The query string read the way axum's `Query` reads it.
    fn serde_urlencoded_like(query: &str) -> InboxParams {
        let mut params = InboxParams::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = Some(value.into_owned());
            match key.as_ref() {
                "status" => params.status = value,
                "partner" => params.partner = value,
                "option" => params.option = value,
                "currency" => params.currency = value,
                "since" => params.since = value,
                "until" => params.until = value,
                "q" => params.q = value,
                "sort" => params.sort = value,
                "page" => params.page = value,
                _ => {}
            }
        }
        params
    }

    #[test]
    fn no_parameters_show_the_open_pledges_newest_first() {
        let (filters, problems) = InboxFilters::read(&InboxParams::default());
        assert_eq!(filters, InboxFilters { page: 1, ..InboxFilters::default() });
        assert!(problems.is_empty());
        assert_eq!(filters.query_string(1), "");
    }

    #[test]
    fn every_filter_is_read_and_written_back_the_same() {
        let sent = [
            ("status", "contacted"),
            ("partner", "st-marys"),
            ("option", "village"),
            ("currency", "GBP"),
            ("since", "2026-03-01"),
            ("until", "2026-03-31"),
            ("q", "Diarra & co"),
            ("sort", "amount-desc"),
            ("page", "3"),
        ];
        let (filters, problems) = InboxFilters::read(&params(&sent));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(filters.status, StatusChoice::Only(Status::Contacted));
        assert_eq!(filters.option, Some(SponsorshipOption::Village));
        assert_eq!(filters.offset(), 50);
        let again = serde_urlencoded_like(&filters.query_string(3));
        assert_eq!(InboxFilters::read(&again).0, filters);
    }

    #[test]
    fn unreadable_values_are_dropped_with_a_message_each() {
        let (filters, problems) = InboxFilters::read(&params(&[
            ("status", "paid"),
            ("option", "goat"),
            ("currency", "BTC"),
            ("since", "2026-02-30"),
            ("sort", "random"),
        ]));
        assert_eq!(filters.status, StatusChoice::Open);
        assert_eq!((filters.option, filters.currency, filters.since), (None, None, None));
        let fields: Vec<_> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["status", "option", "currency", "since", "sort"]);
    }

    #[test]
    fn a_range_that_ends_before_it_starts_keeps_only_its_start() {
        let (filters, problems) = InboxFilters::read(&params(&[("since", "2026-03-10"), ("until", "2026-03-01")]));
        assert_eq!(filters.since, parse_date("2026-03-10"));
        assert_eq!(filters.until, None);
        assert_eq!(problems[0].field, "until");
    }

    #[test]
    fn blank_fields_are_no_filter_and_pages_start_at_one() {
        let (filters, problems) = InboxFilters::read(&params(&[("partner", "  "), ("q", ""), ("page", "0")]));
        assert_eq!((filters.partner, filters.text, filters.page), (None, None, 1));
        assert!(problems.is_empty());
        let (filters, _) = InboxFilters::read(&params(&[("page", "99999999999")]));
        assert_eq!(filters.page, 1);
    }

    #[test]
    fn review_and_everything_are_choices_of_their_own() {
        assert_eq!(InboxFilters::read(&params(&[("status", "review")])).0.status, StatusChoice::Only(Status::Review));
        assert_eq!(InboxFilters::read(&params(&[("status", "all")])).0.status, StatusChoice::Everything);
    }
}
