//! `/admin/data-protection`: erasing a donor and the subject-access export.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::{Deserialize, Serialize};

use super::gate::{Staff, StaffForm};
use super::page::{protect, Page, PageError};
use super::pledges::unavailable;
use super::signed_in;
use crate::http::state::Retention;
use crate::inbox::data_protection::{self, Outcome};
use crate::inbox::layout::Section;
use crate::intake::reference;
use crate::storage::{Erasure, Store};

pub async fn show(State(retention): State<Retention>, Extension(staff): Extension<Staff>) -> Page {
    Page(data_protection::page(None, &retention.view(), signed_in(&staff, Section::DataProtection)))
}

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    subject: Option<String>,
    confirm: Option<String>,
}

/// What an erase form names: a reference when it has a reference's shape, an email otherwise.
pub fn erasure(subject: &str) -> Option<Erasure> {
    let subject = subject.trim();
    if subject.is_empty() {
        None
    } else if reference::is_reference(&subject.to_ascii_uppercase()) {
        Some(Erasure::ByReference(subject.to_ascii_uppercase()))
    } else if subject.contains('@') {
        Some(Erasure::ByEmail(subject.to_owned()))
    } else {
        None
    }
}

pub async fn erase(
    State(store): State<Store>,
    State(retention): State<Retention>,
    posted: StaffForm<EraseForm>,
) -> Result<Response, PageError> {
    let StaffForm { staff, form } = posted;
    let signed_in = signed_in(&staff, Section::DataProtection);
    let retention = retention.view();
    let problem = |field, message| {
        let outcome = Outcome::Problem { field, message };
        Ok(Page(data_protection::page(Some(&outcome), &retention, signed_in)).into_response())
    };
    let Some(erasure) = form.subject.as_deref().and_then(erasure) else {
        return problem("subject", "Write the donor's email address, or a pledge reference such as SK-7Q2M-X9D4.");
    };
    if form.confirm.as_deref() != Some("yes") {
        return problem("confirm", "Tick the box to confirm that the erasure cannot be undone.");
    }
    let erased = store.erase(erasure, &staff.username).await.map_err(unavailable)?;
    // The log names the pledges, never the email that was erased.
    tracing::info!(user = %staff.username, pledges = ?erased, "donor details erased");
    let outcome = if erased.is_empty() { Outcome::NothingMatched } else { Outcome::Erased(&erased) };
    Ok(Page(data_protection::page(Some(&outcome), &retention, signed_in)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AccessForm {
    email: Option<String>,
}

/// One pledge in a subject-access export: the pledge as stored, its status and history, and
/// the words the donor agreed to.
#[derive(Serialize)]
struct HeldPledge {
    reference: String,
    received_at: String,
    status: &'static str,
    erased_at: Option<String>,
    pledge: pledge::Pledge,
    history: Vec<HeldEvent>,
}

#[derive(Serialize)]
struct HeldEvent {
    at: String,
    actor: String,
    what: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct SubjectAccess<'a> {
    email: &'a str,
    exported_at: String,
    controller_note: &'static str,
    pledges: Vec<HeldPledge>,
}

pub async fn access(
    State(store): State<Store>,
    State(retention): State<Retention>,
    posted: StaffForm<AccessForm>,
) -> Result<Response, PageError> {
    let StaffForm { staff, form } = posted;
    let email = form.email.as_deref().map(str::trim).unwrap_or_default();
    if pledge::validate_email(email).is_err() {
        let outcome =
            Outcome::Problem { field: "email", message: "Write the donor's email address, such as name@example.org." };
        let page = data_protection::page(Some(&outcome), &retention.view(), signed_in(&staff, Section::DataProtection));
        return Ok(Page(page).into_response());
    }
    let held = store.subject_access(email).await.map_err(unavailable)?;
    let export = SubjectAccess {
        email,
        exported_at: crate::timestamp::Timestamp::now().to_rfc3339(),
        controller_note: "Everything this receiver holds about pledges made with this email address.",
        pledges: held
            .into_iter()
            .map(|(stored, events)| HeldPledge {
                reference: stored.reference,
                received_at: stored.received_at.to_rfc3339(),
                status: stored.status.as_str(),
                erased_at: stored.erased_at.map(|at| at.to_rfc3339()),
                pledge: stored.pledge,
                history: events
                    .iter()
                    .map(|event| HeldEvent {
                        at: event.at.to_rfc3339(),
                        actor: event.actor.clone(),
                        what: crate::inbox::format::event(event),
                        note: event.note.clone(),
                    })
                    .collect(),
            })
            .collect(),
    };
    tracing::info!(user = %staff.username, pledges = export.pledges.len(), "subject-access export made");
    let body = match serde_json::to_vec_pretty(&export) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "a subject-access export could not be written");
            return Err(PageError::Unavailable);
        }
    };
    let mut response = (StatusCode::OK, body).into_response();
    protect(response.headers_mut());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"subject-access.json\""));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_a_reference_when_it_looks_like_one_and_an_email_otherwise() {
        assert!(
            matches!(erasure(" sk-7q2m-x9d4 "), Some(Erasure::ByReference(reference)) if reference == "SK-7Q2M-X9D4")
        );
        assert!(matches!(erasure("Awa@Example.org"), Some(Erasure::ByEmail(email)) if email == "Awa@Example.org"));
        assert!(erasure("   ").is_none());
        assert!(erasure("Awa Diarra").is_none());
    }
}
