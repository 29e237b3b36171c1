//! `/admin/gift-aid` and its download, `/admin/gift-aid.csv`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::gate::Staff;
use super::page::{protect, Page, PageError};
use super::pledges::unavailable;
use super::signed_in;
use crate::export::gift_aid::{ClaimCandidate, GiftAidSchedule};
use crate::inbox::gift_aid;
use crate::inbox::layout::Section;
use crate::storage::Store;

async fn schedule(store: &Store) -> Result<GiftAidSchedule, PageError> {
    let claims = store.converted_with_gift_aid().await.map_err(unavailable)?;
    let candidates: Vec<ClaimCandidate> = claims
        .into_iter()
        .map(|claim| ClaimCandidate {
            reference: claim.pledge.reference,
            converted_at: claim.converted_at,
            pledge: claim.pledge.pledge,
        })
        .collect();
    Ok(GiftAidSchedule::build(&candidates))
}

pub async fn show(State(store): State<Store>, Extension(staff): Extension<Staff>) -> Result<Page, PageError> {
    let schedule = schedule(&store).await?;
    Ok(Page(gift_aid::page(&schedule, signed_in(&staff, Section::GiftAid))))
}

pub async fn download(State(store): State<Store>, Extension(staff): Extension<Staff>) -> Result<Response, PageError> {
    let schedule = schedule(&store).await?;
    let mut body = Vec::new();
    if let Err(error) = schedule.write_csv(&mut body) {
        tracing::error!(%error, "the Gift Aid schedule could not be written");
        return Err(PageError::Unavailable);
    }
    tracing::info!(user = %staff.username, rows = schedule.rows.len(), "Gift Aid schedule downloaded");
    let mut response = (StatusCode::OK, body).into_response();
    protect(response.headers_mut());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"gift-aid-schedule.csv\""),
    );
    Ok(response)
}
