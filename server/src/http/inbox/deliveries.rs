//! `/admin/deliveries`: the webhook deliveries, newest first, and resending a dead one with the
//! same storage call as `POST /v1/deliveries/{id}/retry`.

use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use axum::Extension;
use serde::Deserialize;

use super::gate::{Staff, StaffForm};
use super::page::{Page, PageError};
use super::pledges::unavailable;
use super::signed_in;
use crate::inbox::deliveries::{self, DeliveriesView, PAGE_SIZE};
use crate::inbox::layout::{NoticeKind, Section};
use crate::storage::{DeliveryQuery, DeliveryStatus, RetryOutcome, Store};

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    before: Option<String>,
    /// Set by a resend, to say how it went.
    notice: Option<String>,
}

pub async fn list(
    State(store): State<Store>,
    Extension(staff): Extension<Staff>,
    Query(params): Query<ListParams>,
) -> Result<Page, PageError> {
    let (status, status_problem) = read_status(params.status.as_deref());
    // A cursor that is not one of ours shows the newest page rather than an error.
    let before = params.before.as_deref().and_then(parse_id);
    let page =
        store.deliveries(DeliveryQuery { status, before_id: before, limit: PAGE_SIZE }).await.map_err(unavailable)?;
    let view = DeliveriesView {
        status,
        status_problem,
        rows: &page.deliveries,
        before,
        next_before: page.next_before_id,
        notice: params.notice.as_deref().and_then(Resent::parse).map(Resent::notice),
    };
    Ok(Page(deliveries::page(&view, signed_in(&staff, Section::Webhooks))))
}

/// The status filter, and whether a status was asked for that is not one.
fn read_status(text: Option<&str>) -> (Option<DeliveryStatus>, bool) {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => (None, false),
        Some(text) => match DeliveryStatus::parse(text) {
            Some(status) => (Some(status), false),
            None => (None, true),
        },
    }
}

/// A delivery id or cursor: the digits of a row id.
fn parse_id(text: &str) -> Option<i64> {
    if !(1..=18).contains(&text.len()) || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// How a resend went, carried to the list in its address so that a reload does not resend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resent {
    Scheduled,
    AlreadyDelivered,
    Erased,
    NoSuchDelivery,
}

impl Resent {
    const ALL: [Resent; 4] = [Resent::Scheduled, Resent::AlreadyDelivered, Resent::Erased, Resent::NoSuchDelivery];

    fn code(self) -> &'static str {
        match self {
            Resent::Scheduled => "resent",
            Resent::AlreadyDelivered => "delivered",
            Resent::Erased => "erased",
            Resent::NoSuchDelivery => "missing",
        }
    }

    fn parse(text: &str) -> Option<Resent> {
        Resent::ALL.into_iter().find(|resent| resent.code() == text)
    }

    fn notice(self) -> (NoticeKind, &'static str) {
        match self {
            Resent::Scheduled => {
                (NoticeKind::Done, "The delivery is pending again and is sent within seconds, with the same event.")
            }
            Resent::AlreadyDelivered => {
                (NoticeKind::Problem, "This delivery was delivered already; nothing was resent.")
            }
            Resent::Erased => (
                NoticeKind::Problem,
                "The pledge was erased before this event was delivered: there is nothing to send.",
            ),
            Resent::NoSuchDelivery => (NoticeKind::Problem, "No delivery has this number; nothing was resent."),
        }
    }
}

impl From<&RetryOutcome> for Resent {
    fn from(outcome: &RetryOutcome) -> Resent {
        match outcome {
            RetryOutcome::Scheduled(_) => Resent::Scheduled,
            RetryOutcome::AlreadyDelivered => Resent::AlreadyDelivered,
            RetryOutcome::Erased => Resent::Erased,
            RetryOutcome::NoSuchDelivery => Resent::NoSuchDelivery,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ResendForm {
    /// The list's filter, to go back to.
    status: Option<String>,
}

/// Makes the delivery due now, then shows the list again with how it went.
pub async fn resend(
    State(store): State<Store>,
    Path(id): Path<String>,
    posted: StaffForm<ResendForm>,
) -> Result<Redirect, PageError> {
    let StaffForm { staff, form } = posted;
    let (status, _) = read_status(form.status.as_deref());
    let resent = match parse_id(&id) {
        None => Resent::NoSuchDelivery,
        Some(id) => {
            let outcome = store.retry_delivery(id).await.map_err(unavailable)?;
            if let RetryOutcome::Scheduled(record) = &outcome {
                tracing::info!(user = %staff.username, delivery = record.id, event_id = %record.event_id, "delivery resent on request");
            }
            Resent::from(&outcome)
        }
    };
    let mut query = deliveries::query_string(status, None);
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("notice=");
    query.push_str(resent.code());
    Ok(Redirect::to(&format!("/admin/deliveries?{query}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_ids_are_read_without_trusting_them() {
        assert_eq!(read_status(None), (None, false));
        assert_eq!(read_status(Some("")), (None, false));
        assert_eq!(read_status(Some("dead")), (Some(DeliveryStatus::Dead), false));
        assert_eq!(read_status(Some("<script>")), (None, true));
        assert_eq!(parse_id("42"), Some(42));
        for bad in ["", "-1", "{id}", "1e3", "9999999999999999999"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn resend_outcomes_read_back_from_the_address() {
        for resent in Resent::ALL {
            assert_eq!(Resent::parse(resent.code()), Some(resent));
        }
        assert_eq!(Resent::parse("anything"), None);
    }
}
