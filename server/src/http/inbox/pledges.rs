//! The inbox list, one pledge's page, and changing a pledge's status.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use pledge::wording::WordingKind;
use serde::Deserialize;

use super::gate::{Staff, StaffForm};
use super::page::{Page, PageError};
use super::signed_in;
use crate::inbox::filters::{InboxFilters, InboxParams, Sort, StatusChoice, PAGE_SIZE};
use crate::inbox::format;
use crate::inbox::layout::{NoticeKind, Section};
use crate::inbox::list::{self, ListRow, ListView};
use crate::inbox::pledge_page::{self, HistoryEntry, PledgeView, MAX_NOTE};
use crate::intake::reference;
use crate::storage::{InboxQuery, InboxRow, InboxSort, PledgeEvent, Status, StatusChange, StatusFilter, Store};
use crate::timestamp::Timestamp;

pub async fn list(
    State(store): State<Store>,
    Extension(staff): Extension<Staff>,
    Query(params): Query<InboxParams>,
) -> Result<Page, PageError> {
    let (filters, problems) = InboxFilters::read(&params);
    let found = store.inbox(inbox_query(&filters)).await.map_err(unavailable)?;
    let rows: Vec<ListRow> = found.rows.into_iter().map(list_row).collect();
    let view = ListView { filters: &filters, problems: &problems, rows: &rows, total: found.total };
    Ok(Page(list::page(&view, signed_in(&staff, Section::Inbox))))
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// Set after a change, to say it was made.
    changed: Option<String>,
}

pub async fn show(
    State(store): State<Store>,
    Extension(staff): Extension<Staff>,
    Path(reference): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Page, PageError> {
    let notice = query.changed.is_some().then_some((NoticeKind::Done, "The status was changed."));
    render(&store, &staff, &reference, notice, None).await
}

async fn render(
    store: &Store,
    staff: &Staff,
    reference: &str,
    notice: Option<(NoticeKind, &str)>,
    form_problem: Option<&str>,
) -> Result<Page, PageError> {
    if !reference::is_reference(reference) {
        return Err(PageError::NoSuchPledge);
    }
    let stored = store.pledge(reference).await.map_err(unavailable)?.ok_or(PageError::NoSuchPledge)?;
    let history = store.history(reference).await.map_err(unavailable)?;
    let pledge = &stored.pledge;
    let gift_aid_wording = match &pledge.gift_aid {
        Some(gift_aid) => wording_text(store, WordingKind::GiftAid, &gift_aid.wording_version, pledge.locale).await?,
        None => None,
    };
    let consent_wording =
        wording_text(store, WordingKind::Consent, &pledge.consent.wording_version, pledge.locale).await?;
    let history: Vec<HistoryEntry> = history.iter().map(history_entry).collect();
    let view = PledgeView {
        reference,
        received_at: stored.received_at,
        status: stored.status,
        review_reason: stored.review_reason,
        erased_at: stored.erased_at,
        pledge,
        gift_aid_wording: gift_aid_wording.as_deref(),
        consent_wording: consent_wording.as_deref(),
        history: &history,
        notice,
        form_problem,
    };
    Ok(Page(pledge_page::page(&view, signed_in(staff, Section::Inbox))))
}

/// The stored text of a wording in the donor's language.
async fn wording_text(
    store: &Store,
    kind: WordingKind,
    version: &str,
    locale: pledge::Locale,
) -> Result<Option<String>, PageError> {
    let wordings = store.wording(kind.as_str(), version).await.map_err(unavailable)?;
    Ok(wordings.into_iter().find(|wording| wording.locale == locale.as_str()).map(|wording| wording.text))
}

fn history_entry(event: &PledgeEvent) -> HistoryEntry {
    HistoryEntry { at: event.at, actor: event.actor.clone(), what: format::event(event), note: event.note.clone() }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: Option<String>,
    note: Option<String>,
}

/// Changes the status and records it with the note; then shows the pledge again, so that a
/// reload does not post twice.
pub async fn change_status(
    State(store): State<Store>,
    Path(reference): Path<String>,
    posted: StaffForm<StatusForm>,
) -> Result<Response, PageError> {
    let StaffForm { staff, form } = posted;
    if !reference::is_reference(&reference) {
        return Err(PageError::NoSuchPledge);
    }
    let Some(status) = form.status.as_deref().and_then(Status::parse) else {
        return render(&store, &staff, &reference, None, Some("Choose the new status."))
            .await
            .map(IntoResponse::into_response);
    };
    let note = form.note.map(|note| note.trim().to_owned()).filter(|note| !note.is_empty());
    if note.as_ref().is_some_and(|note| note.chars().count() > MAX_NOTE) {
        let problem = format!("The note is longer than {MAX_NOTE} characters; shorten it.");
        return render(&store, &staff, &reference, None, Some(&problem)).await.map(IntoResponse::into_response);
    }
    match store.change_status(&reference, status, note, &staff.username).await.map_err(unavailable)? {
        None => Err(PageError::NoSuchPledge),
        Some(StatusChange::Unchanged(_)) => {
            let notice = (NoticeKind::Done, "The pledge already had this status; nothing was changed.");
            render(&store, &staff, &reference, Some(notice), None).await.map(IntoResponse::into_response)
        }
        Some(StatusChange::Changed { .. }) => {
            tracing::info!(user = %staff.username, reference, to = status.as_str(), "pledge status changed");
            Ok(Redirect::to(&format!("{}?changed=1", list::pledge_path(&reference))).into_response())
        }
    }
}

/// The storage query for the list's filters.
fn inbox_query(filters: &InboxFilters) -> InboxQuery {
    let midnight = |date: time::Date| Timestamp::from_micros(date.midnight().assume_utc().unix_timestamp() * 1_000_000);
    InboxQuery {
        status: match filters.status {
            StatusChoice::Open => StatusFilter::AllButReview,
            StatusChoice::Only(status) => StatusFilter::Only(status),
            StatusChoice::Everything => StatusFilter::Everything,
        },
        partner: filters.partner.clone(),
        option: filters.option,
        currency: filters.currency,
        since: filters.since.map(midnight),
        // The last day asked for is included: the query stops at the next midnight.
        until: filters.until.map(|last| last.next_day().map_or(Timestamp::from_micros(i64::MAX), midnight)),
        text: filters.text.clone(),
        sort: match filters.sort {
            Sort::Newest => InboxSort::NewestFirst,
            Sort::Oldest => InboxSort::OldestFirst,
            Sort::AmountHighest => InboxSort::AmountHighestFirst,
            Sort::AmountLowest => InboxSort::AmountLowestFirst,
        },
        offset: u32::try_from(filters.offset()).unwrap_or(u32::MAX),
        limit: PAGE_SIZE,
    }
}

fn list_row(row: InboxRow) -> ListRow {
    let erased = row.erased_at.is_some();
    ListRow {
        reference: row.reference,
        received_at: row.received_at,
        status: row.status,
        partner: row.partner,
        option: row.option,
        frequency: row.frequency,
        amount: row.amount,
        donor_name: if erased {
            String::new()
        } else {
            format!("{} {}", row.given_name, row.family_name).trim().to_owned()
        },
        email: if erased { String::new() } else { row.email },
        gift_aid: row.has_gift_aid,
    }
}

pub(super) fn unavailable(error: crate::storage::StorageError) -> PageError {
    tracing::error!(%error, "a staff page could not reach the database");
    PageError::Unavailable
}
