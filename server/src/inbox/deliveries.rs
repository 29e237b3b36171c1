//! The deliveries page: what was sent to each webhook endpoint, newest first, a page at a time,
//! with a button to resend a delivery that died.
//!
//! Pages go back in time by the last delivery's id (keyset), so that deliveries written while
//! someone reads do not shift the pages under them.

use maud::{html, Markup};

use super::format;
use super::layout::{self, NoticeKind, SignedIn};
use super::list::pledge_path;
use crate::storage::outbox::ERASED_BEFORE_DELIVERY;
use crate::storage::{DeliveryRecord, DeliveryStatus};

/// Deliveries shown per page.
pub const PAGE_SIZE: u32 = 50;

pub struct DeliveriesView<'a> {
    /// The status filter; `None` shows every delivery.
    pub status: Option<DeliveryStatus>,
    /// Set when the status asked for could not be read (and is not applied).
    pub status_problem: bool,
    pub rows: &'a [DeliveryRecord],
    /// The cursor this page was read after; `None` on the newest page.
    pub before: Option<i64>,
    /// The cursor of the next (older) page, when there is one.
    pub next_before: Option<i64>,
    pub notice: Option<(NoticeKind, &'a str)>,
}

/// The query string of the list with `status`, reading after `before`.
pub fn query_string(status: Option<DeliveryStatus>, before: Option<i64>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(status) = status {
        query.append_pair("status", status.as_str());
    }
    if let Some(before) = before {
        query.append_pair("before", &before.to_string());
    }
    query.finish()
}

fn list_path(status: Option<DeliveryStatus>, before: Option<i64>) -> String {
    let query = query_string(status, before);
    if query.is_empty() {
        "/admin/deliveries".to_owned()
    } else {
        format!("/admin/deliveries?{query}")
    }
}

pub fn label(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "Pending",
        DeliveryStatus::Delivered => "Delivered",
        DeliveryStatus::Dead => "Dead",
    }
}

pub fn page(view: &DeliveriesView<'_>, signed_in: SignedIn<'_>) -> Markup {
    let content = html! {
        @if let Some((kind, text)) = view.notice { (layout::notice(kind, text)) }
        p {
            "Each change to a pledge is sent to every "
            a href="/admin/webhooks" { "webhook endpoint" }
            ", and each new pledge is e-mailed (endpoints "
            code { "email:charity" }
            " and "
            code { "email:donor" }
            ") when the receiver sends e-mail. A delivery that fails is tried again, less and less often; once every attempt has failed it is dead, and can be resent here."
        }
        form class="filters" method="get" action="/admin/deliveries" aria-label="Filter deliveries" {
            div class="field" {
                label for="status" { "Status" }
                select id="status" name="status"
                    aria-invalid=[view.status_problem.then_some("true")]
                    aria-describedby=[view.status_problem.then_some("status-problem")] {
                    option value="" selected[view.status.is_none()] { "All" }
                    @for status in DeliveryStatus::ALL {
                        option value=(status.as_str()) selected[view.status == Some(status)] { (label(status)) }
                    }
                }
                @if view.status_problem {
                    p class="field-problem" id="status-problem" { "This status is not one of the list; every delivery is shown." }
                }
            }
            p class="actions" { button type="submit" { "Show deliveries" } }
        }
        @if view.rows.is_empty() {
            p class="summary" {
                @if view.before.is_some() { "No older deliveries." } @else { "No deliveries." }
            }
        } @else {
            (table(view, signed_in))
        }
        @if view.before.is_some() || view.next_before.is_some() {
            nav class="pagination" aria-label="Pages of deliveries" {
                @if view.before.is_some() { a href=(list_path(view.status, None)) { "Newest deliveries" } }
                @if let Some(next) = view.next_before { a rel="next" href=(list_path(view.status, Some(next))) { "Older deliveries" } }
            }
        }
    };
    layout::page("Deliveries", Some(signed_in), content)
}

fn table(view: &DeliveriesView<'_>, signed_in: SignedIn<'_>) -> Markup {
    html! {
        div class="table-scroll" role="region" aria-labelledby="deliveries-caption" tabindex="0" {
            table class="deliveries" {
                caption id="deliveries-caption" {
                    "Deliveries, newest first"
                    @if let Some(status) = view.status { ": " (label(status).to_lowercase()) " only" }
                }
                thead {
                    tr {
                        th scope="col" { "Event" }
                        th scope="col" { "Pledge" }
                        th scope="col" { "Endpoint" }
                        th scope="col" { "Status" }
                        th scope="col" class="number" { "Attempts" }
                        th scope="col" { "Next attempt" }
                        th scope="col" { "Last error or note" }
                        th scope="col" { span class="visually-hidden" { "Action" } }
                    }
                }
                tbody {
                    @for row in view.rows {
                        tr {
                            th scope="row" {
                                code { (row.event_type) } br;
                                time datetime=(format::datetime_attribute(row.created_at)) { (format::time(row.created_at)) }
                            }
                            td { a href=(pledge_path(&row.reference)) { (row.reference) } }
                            td { (row.endpoint) }
                            td {
                                @if row.settled_without_sending() {
                                    span class="status delivery-not-sent" { "Not sent" }
                                } @else {
                                    span class={ "status delivery-" (row.status.as_str()) } { (label(row.status)) }
                                }
                            }
                            td class="number" { (row.attempts) }
                            td {
                                @if let Some(at) = row.next_attempt_at {
                                    time datetime=(format::datetime_attribute(at)) { (format::time(at)) }
                                } @else { "–" }
                            }
                            td { @if let Some(error) = &row.last_error { (error) } @else { "–" } }
                            td {
                                @if resendable(row) {
                                    form method="post" action={ "/admin/deliveries/" (row.id) "/retry" } {
                                        (layout::csrf_field(signed_in.csrf_token))
                                        @if let Some(status) = view.status { input type="hidden" name="status" value=(status.as_str()); }
                                        button type="submit" class="secondary" {
                                            "Resend"
                                            span class="visually-hidden" { " " (row.event_type) " of " (row.reference) " to " (row.endpoint) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A dead delivery can be resent, unless its pledge was erased: then nothing is left to send.
fn resendable(row: &DeliveryRecord) -> bool {
    row.status == DeliveryStatus::Dead && row.last_error.as_deref() != Some(ERASED_BEFORE_DELIVERY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::layout::Section;
    use crate::timestamp::Timestamp;

    fn row(id: i64, status: DeliveryStatus, last_error: Option<&str>) -> DeliveryRecord {
        DeliveryRecord {
            id,
            event_id: "e".into(),
            event_type: "pledge.created".into(),
            created_at: Timestamp::from_micros(1_780_000_000_000_000),
            reference: "SK-AAAA-BBBB".into(),
            endpoint: "crm".into(),
            status,
            attempts: 3,
            next_attempt_at: None,
            last_error: last_error.map(str::to_owned),
            delivered_at: None,
        }
    }

    fn render(view: &DeliveriesView<'_>) -> String {
        page(view, SignedIn { username: "amina", csrf_token: "t", section: Section::Webhooks }).into_string()
    }

    #[test]
    fn only_dead_deliveries_that_can_be_sent_again_have_a_resend_button() {
        let rows = [
            row(7, DeliveryStatus::Dead, Some("answered HTTP 500")),
            row(6, DeliveryStatus::Dead, Some(ERASED_BEFORE_DELIVERY)),
            row(5, DeliveryStatus::Delivered, None),
            row(4, DeliveryStatus::Delivered, Some("not sent: donor confirmations are turned off")),
        ];
        let view = DeliveriesView {
            status: None,
            status_problem: false,
            rows: &rows,
            before: None,
            next_before: Some(5),
            notice: None,
        };
        let text = render(&view);
        assert_eq!(text.matches("/retry").count(), 1, "{text}");
        assert!(text.contains(r#"action="/admin/deliveries/7/retry""#));
        assert!(text.contains(r#"<a href="/admin/pledges/SK-AAAA-BBBB">SK-AAAA-BBBB</a>"#));
        assert!(text.contains(r#"href="/admin/deliveries?before=5""#));
        assert!(!text.contains("Newest deliveries"), "the first page links only onwards");
        assert_eq!(text.matches(">Delivered</span>").count(), 1, "{text}");
        assert_eq!(text.matches(r#"<span class="status delivery-not-sent">Not sent</span>"#).count(), 1, "{text}");
    }

    #[test]
    fn the_filter_is_kept_across_pages_and_a_bad_one_is_described() {
        let view = DeliveriesView {
            status: Some(DeliveryStatus::Dead),
            status_problem: false,
            rows: &[],
            before: Some(9),
            next_before: None,
            notice: None,
        };
        let text = render(&view);
        assert!(text.contains(r#"<a href="/admin/deliveries?status=dead">Newest deliveries</a>"#), "{text}");
        assert!(text.contains("No older deliveries."));
        let view = DeliveriesView { status: None, status_problem: true, before: None, ..view };
        let text = render(&view);
        assert!(text.contains(r#"aria-describedby="status-problem""#));
        assert!(text.contains(r#"id="status-problem""#));
    }
}
