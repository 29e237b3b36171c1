//! The inbox: the pledges that match the filters, a page at a time.

use maud::{html, Markup};
use pledge::{Amount, Currency, Frequency, SponsorshipOption};

use super::filters::{format_date, FilterProblem, InboxFilters, Sort, StatusChoice, PAGE_SIZE};
use super::format;
use super::layout::{self, SignedIn};
use crate::storage::Status;
use crate::timestamp::Timestamp;

/// One pledge as the list shows it.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub reference: String,
    pub received_at: Timestamp,
    pub status: Status,
    pub partner: String,
    pub option: SponsorshipOption,
    pub frequency: Frequency,
    pub amount: Amount,
    /// Empty once the donor's details were erased.
    pub donor_name: String,
    pub email: String,
    pub gift_aid: bool,
}

/// What the list page needs.
pub struct ListView<'a> {
    pub filters: &'a InboxFilters,
    pub problems: &'a [FilterProblem],
    pub rows: &'a [ListRow],
    /// How many pledges match, over all pages.
    pub total: u64,
}

impl ListView<'_> {
    fn pages(&self) -> u32 {
        u32::try_from(self.total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(u32::MAX).max(1)
    }
}

/// The path of a pledge's own page.
pub fn pledge_path(reference: &str) -> String {
    format!("/admin/pledges/{reference}")
}

pub fn page(view: &ListView<'_>, signed_in: SignedIn<'_>) -> Markup {
    let content = html! {
        (filter_form(view.filters, view.problems))
        (summary(view))
        @if !view.rows.is_empty() {
            (table(view))
            (pagination(view))
        }
    };
    layout::page("Inbox", Some(signed_in), content)
}

fn filter_form(filters: &InboxFilters, problems: &[FilterProblem]) -> Markup {
    let problem = |field: &str| problems.iter().find(|problem| problem.field == field);
    let statuses = [
        (StatusChoice::Open, "Open (not held for review)"),
        (StatusChoice::Only(Status::New), format::status(Status::New)),
        (StatusChoice::Only(Status::Contacted), format::status(Status::Contacted)),
        (StatusChoice::Only(Status::Converted), format::status(Status::Converted)),
        (StatusChoice::Only(Status::Declined), format::status(Status::Declined)),
        (StatusChoice::Only(Status::Review), format::status(Status::Review)),
        (StatusChoice::Everything, "All, including those held for review"),
    ];
    html! {
        form class="filters" method="get" action="/admin/" aria-label="Filter pledges" {
            @if !problems.is_empty() {
                (layout::notice(layout::NoticeKind::Problem, "Some filters could not be read and are not applied. Each is marked below."))
            }
            div class="fields" {
                (field("status", "Status", problem("status"), html! {
                    select id="status" name="status" aria-invalid=[problem("status").map(|_| "true")]
                        aria-describedby=[problem("status").map(|_| "status-problem")] {
                        @for (choice, label) in statuses {
                            option value=(choice.code()) selected[filters.status == choice] { (label) }
                        }
                    }
                }))
                (field("q", "Name, email or reference", None, html! {
                    input id="q" name="q" type="search" value=[filters.text.as_deref()] spellcheck="false";
                }))
                (field("partner", "Partner id", problem("partner"), html! {
                    input id="partner" name="partner" type="text" value=[filters.partner.as_deref()]
                        spellcheck="false" autocapitalize="none"
                        aria-invalid=[problem("partner").map(|_| "true")]
                        aria-describedby=[problem("partner").map(|_| "partner-problem")];
                }))
                (field("option", "Way of giving", problem("option"), html! {
                    select id="option" name="option" aria-invalid=[problem("option").map(|_| "true")]
                        aria-describedby=[problem("option").map(|_| "option-problem")] {
                        option value="" selected[filters.option.is_none()] { "Any" }
                        @for option in SponsorshipOption::ALL {
                            option value=(option.as_str()) selected[filters.option == Some(option)] { (format::option(option)) }
                        }
                    }
                }))
                (field("currency", "Currency", problem("currency"), html! {
                    select id="currency" name="currency" aria-invalid=[problem("currency").map(|_| "true")]
                        aria-describedby=[problem("currency").map(|_| "currency-problem")] {
                        option value="" selected[filters.currency.is_none()] { "Any" }
                        @for currency in Currency::ALL {
                            option value=(currency.code()) selected[filters.currency == Some(currency)] { (currency.code()) }
                        }
                    }
                }))
                (field("since", "Received from", problem("since"), html! {
                    input id="since" name="since" type="date" value=[filters.since.map(format_date)]
                        aria-invalid=[problem("since").map(|_| "true")]
                        aria-describedby=[problem("since").map(|_| "since-problem")];
                }))
                (field("until", "Received until", problem("until"), html! {
                    input id="until" name="until" type="date" value=[filters.until.map(format_date)]
                        aria-invalid=[problem("until").map(|_| "true")]
                        aria-describedby=[problem("until").map(|_| "until-problem")];
                }))
                (field("sort", "Order", problem("sort"), html! {
                    select id="sort" name="sort" {
                        @for sort in Sort::ALL {
                            option value=(sort.code()) selected[filters.sort == sort] { (sort.label()) }
                        }
                    }
                }))
            }
            p class="actions" {
                button type="submit" { "Show pledges" }
                " "
                a href="/admin/" { "Clear the filters" }
            }
        }
    }
}

/// A label, the control, and the control's problem under it.
fn field(name: &str, label: &str, problem: Option<&FilterProblem>, control: Markup) -> Markup {
    html! {
        div class="field" {
            label for=(name) { (label) }
            (control)
            @if let Some(problem) = problem {
                p class="field-problem" id={ (name) "-problem" } { (problem.message) }
            }
        }
    }
}

fn summary(view: &ListView<'_>) -> Markup {
    let first = view.filters.offset() + 1;
    let last = view.filters.offset() + view.rows.len() as u64;
    html! {
        p class="summary" {
            @match view.total {
                0 => { "No pledges match." }
                1 => { "1 pledge matches." }
                total => {
                    (total) " pledges match."
                    @if !view.rows.is_empty() { " Showing " (first) "–" (last) "." }
                }
            }
            @if view.rows.is_empty() && view.total > 0 {
                " This page is past the last one; "
                a href={ "/admin/?" (view.filters.query_string(1)) } { "go to the first page" }
                "."
            }
        }
    }
}

fn table(view: &ListView<'_>) -> Markup {
    let sort = view.filters.sort;
    let date_sort = match sort {
        Sort::Newest => Some("descending"),
        Sort::Oldest => Some("ascending"),
        _ => None,
    };
    let amount_sort = match sort {
        Sort::AmountHighest => Some("descending"),
        Sort::AmountLowest => Some("ascending"),
        _ => None,
    };
    // Each sortable header links to the other order of its column.
    let mut by_date = view.filters.clone();
    by_date.sort = if sort == Sort::Newest { Sort::Oldest } else { Sort::Newest };
    let mut by_amount = view.filters.clone();
    by_amount.sort = if sort == Sort::AmountHighest { Sort::AmountLowest } else { Sort::AmountHighest };
    html! {
        div class="table-scroll" role="region" aria-labelledby="pledges-caption" tabindex="0" {
            table class="pledges" {
                caption id="pledges-caption" { "Pledges, " (sort.label().to_lowercase()) }
                thead {
                    tr {
                        th scope="col" { "Reference" }
                        th scope="col" aria-sort=[date_sort] {
                            a href={ "/admin/?" (by_date.query_string(1)) } { "Received" span class="visually-hidden" { ", sort by date" } }
                        }
                        th scope="col" { "Donor" }
                        th scope="col" { "Way of giving" }
                        th scope="col" aria-sort=[amount_sort] {
                            a href={ "/admin/?" (by_amount.query_string(1)) } { "Amount" span class="visually-hidden" { ", sort by amount" } }
                        }
                        th scope="col" { "Gift Aid" }
                        th scope="col" { "Partner" }
                        th scope="col" { "Status" }
                    }
                }
                tbody {
                    @for row in view.rows {
                        tr {
                            th scope="row" { a href=(pledge_path(&row.reference)) { (row.reference) } }
                            td { time datetime=(format::datetime_attribute(row.received_at)) { (format::time(row.received_at)) } }
                            td {
                                @if row.donor_name.is_empty() && row.email.is_empty() {
                                    span class="erased" { "Erased" }
                                } @else {
                                    (row.donor_name) br; span class="email" { (row.email) }
                                }
                            }
                            td { (format::option(row.option)) }
                            td class="number" { (format::amount(row.amount, row.frequency)) }
                            td { @if row.gift_aid { "Yes" } @else { "No" } }
                            td { (row.partner) }
                            td { span class={ "status status-" (row.status.as_str()) } { (format::status(row.status)) } }
                        }
                    }
                }
            }
        }
    }
}

fn pagination(view: &ListView<'_>) -> Markup {
    let page = view.filters.page;
    let pages = view.pages();
    html! {
        nav class="pagination" aria-label="Pages of pledges" {
            @if page > 1 {
                a rel="prev" href={ "/admin/?" (view.filters.query_string(page - 1)) } { "Previous page" }
            }
            span { "Page " (page) " of " (pages) }
            @if page < pages {
                a rel="next" href={ "/admin/?" (view.filters.query_string(page + 1)) } { "Next page" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::filters::InboxParams;
    use crate::inbox::layout::Section;

    fn row(reference: &str, name: &str) -> ListRow {
        ListRow {
            reference: reference.to_owned(),
            received_at: Timestamp::from_micros(1_780_000_000_000_000),
            status: Status::New,
            partner: "st-marys".to_owned(),
            option: SponsorshipOption::Child,
            frequency: Frequency::Monthly,
            amount: Amount::new(2500, Currency::GBP),
            donor_name: name.to_owned(),
            email: "a@example.org".to_owned(),
            gift_aid: true,
        }
    }

    fn render(filters: &InboxFilters, problems: &[FilterProblem], rows: &[ListRow], total: u64) -> String {
        let signed_in = SignedIn { username: "amina", csrf_token: "t", section: Section::Inbox };
        page(&ListView { filters, problems, rows, total }, signed_in).into_string()
    }

    #[test]
    fn rows_link_to_their_pledge_and_escape_what_donors_typed() {
        let filters = InboxFilters { page: 1, ..InboxFilters::default() };
        let text = render(&filters, &[], &[row("SK-AAAA-BBBB", "<img src=x onerror=alert(1)>")], 1);
        assert!(text.contains(r#"<a href="/admin/pledges/SK-AAAA-BBBB">SK-AAAA-BBBB</a>"#));
        assert!(text.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!text.contains("<img"));
        assert!(text.contains("GBP 25.00 a month"));
        assert!(text.contains("1 pledge matches."));
    }

    #[test]
    fn pages_link_to_their_neighbours_with_the_same_filters() {
        let (filters, _) = InboxFilters::read(&InboxParams {
            partner: Some("st-marys".to_owned()),
            page: Some("2".to_owned()),
            ..InboxParams::default()
        });
        let rows: Vec<_> = (0..PAGE_SIZE).map(|index| row(&format!("SK-AAAA-{index:04}"), "A")).collect();
        let text = render(&filters, &[], &rows, 80);
        assert!(
            text.contains(r#"href="/admin/?partner=st-marys" rel="prev""#)
                || text.contains(r#"rel="prev" href="/admin/?partner=st-marys""#),
            "{text}"
        );
        assert!(text.contains("partner=st-marys&amp;page=3"));
        assert!(text.contains("Page 2 of 4"));
        assert!(text.contains("80 pledges match. Showing 26–50."));
    }

    #[test]
    fn the_sorted_column_says_so() {
        let filters = InboxFilters { page: 1, sort: Sort::AmountLowest, ..InboxFilters::default() };
        let text = render(&filters, &[], &[row("SK-AAAA-BBBB", "A")], 1);
        assert_eq!(text.matches("aria-sort").count(), 1);
        assert!(text.contains(r#"aria-sort="ascending""#));
    }

    #[test]
    fn a_field_that_could_not_be_read_is_marked_and_described() {
        let (filters, problems) =
            InboxFilters::read(&InboxParams { since: Some("31/03/2026".to_owned()), ..InboxParams::default() });
        let text = render(&filters, &problems, &[], 0);
        assert!(text.contains(r#"aria-describedby="since-problem""#));
        assert!(text.contains(r#"id="since-problem""#));
        assert!(text.contains("No pledges match."));
    }

    #[test]
    fn erased_donors_are_shown_as_erased() {
        let filters = InboxFilters { page: 1, ..InboxFilters::default() };
        let mut erased = row("SK-AAAA-BBBB", "");
        erased.email.clear();
        let text = render(&filters, &[], &[erased], 1);
        assert!(text.contains(r#"<span class="erased">Erased</span>"#));
    }
}
