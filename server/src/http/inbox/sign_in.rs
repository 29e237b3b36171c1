//! `/admin/sign-in` and `/admin/sign-out`.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::gate::{safe_next, StaffAuth, StaffForm};
use super::page::{html_response, PageError};
use crate::http::middleware::client_address::ClientAddress;
use crate::inbox::sign_in::{self, SignInNotice};
use crate::staff::csrf::{check_same_origin, CsrfToken};
use crate::staff::password::{verify_password, Password, PasswordHash};
use crate::staff::session::SessionToken;
use crate::staff::username::Username;
use crate::storage::{NewSession, Store};
use crate::timestamp::Timestamp;

#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    expired: Option<String>,
    signed_out: Option<String>,
}

/// The form, with a fresh form token in its cookie and its hidden field.
pub async fn show(State(auth): State<StaffAuth>, Query(query): Query<SignInQuery>) -> Response {
    let notice = if query.expired.is_some() {
        Some(SignInNotice::Expired)
    } else if query.signed_out.is_some() {
        Some(SignInNotice::SignedOut)
    } else {
        None
    };
    let next = safe_next(query.next.as_deref().unwrap_or("/admin/"));
    form(&auth, StatusCode::OK, notice.as_ref(), "", next)
}

fn form(auth: &StaffAuth, status: StatusCode, notice: Option<&SignInNotice>, username: &str, next: &str) -> Response {
    let Ok(token) = CsrfToken::generate() else {
        return PageError::Unavailable.into_response();
    };
    let mut response = html_response(status, sign_in::page(notice, username, token.as_str(), next));
    response.headers_mut().append(header::SET_COOKIE, auth.cookie.set_sign_in_form(&token));
    response
}

#[derive(Deserialize)]
pub struct Credentials {
    csrf_token: Option<String>,
    username: String,
    password: String,
    next: Option<String>,
}

/// Checks the form's origin and token, then the rate limit, then the password; on success
/// starts a session and goes where the person was headed.
pub async fn sign_in(
    State(auth): State<StaffAuth>,
    State(store): State<Store>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    method: Method,
    headers: HeaderMap,
    Form(credentials): Form<Credentials>,
) -> Response {
    let next = safe_next(credentials.next.as_deref().unwrap_or("/admin/")).to_owned();
    let typed = credentials.username.trim().chars().take(64).collect::<String>();
    let form_token = auth.cookie.read_sign_in_form(&headers);
    let same_site = check_same_origin(&method, &headers, &auth.origin).is_ok();
    if !same_site || !form_token.is_some_and(|token| token.matches(credentials.csrf_token.as_deref())) {
        tracing::warn!("a sign-in form without its token, or from another site, was refused");
        return form(&auth, StatusCode::FORBIDDEN, Some(&SignInNotice::FormExpired), &typed, &next);
    }
    if let Err(refused) = auth.limiter.check(&typed, client) {
        tracing::warn!(limited_by = ?refused.limited_by, "sign-in attempts throttled");
        let notice = SignInNotice::Throttled { retry_after_seconds: refused.retry_after_seconds() };
        let mut response = form(&auth, StatusCode::TOO_MANY_REQUESTS, Some(&notice), &typed, &next);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(refused.retry_after_seconds()));
        return response;
    }

    let username = Username::parse(&credentials.username).ok();
    let account = match &username {
        Some(username) => match store.user_for_sign_in(username.as_str()).await {
            Ok(account) => account,
            Err(error) => {
                tracing::error!(%error, "staff accounts could not be read");
                return PageError::Unavailable.into_response();
            }
        },
        None => None,
    };
    let password = Password::new(credentials.password);
    let stored = account.as_ref().map(|account| PasswordHash::from_phc(account.password_hash.clone()));
    // Argon2 takes tens of milliseconds of CPU: off the async workers. An unknown username is
    // checked against a stand-in hash, so it takes as long as a known one.
    let verified =
        tokio::task::spawn_blocking(move || verify_password(&password, stored.as_ref())).await.unwrap_or(false);
    let Some(account) = account.filter(|_| verified) else {
        tracing::info!("a sign-in was refused");
        return form(&auth, StatusCode::UNAUTHORIZED, Some(&SignInNotice::Refused), &typed, &next);
    };

    let (Ok(token), Ok(csrf)) = (SessionToken::generate(), CsrfToken::generate()) else {
        return PageError::Unavailable.into_response();
    };
    let session = NewSession {
        token_hash: token.hash(),
        user_id: account.user_id,
        csrf_token: csrf.as_str().to_owned(),
        created_at: Timestamp::now(),
    };
    if let Err(error) = store.create_session(session).await {
        tracing::error!(%error, "a staff session could not be stored");
        return PageError::Unavailable.into_response();
    }
    tracing::info!(user = username.as_ref().map_or("", |username| username.as_str()), "staff signed in");
    let mut response = Redirect::to(&next).into_response();
    response.headers_mut().append(header::SET_COOKIE, auth.cookie.set(&token));
    response.headers_mut().append(header::SET_COOKIE, auth.cookie.remove_sign_in_form());
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
pub struct Nothing {}

/// Ends the session on the server as well as in the browser.
pub async fn sign_out(
    State(auth): State<StaffAuth>,
    State(store): State<Store>,
    signed_out: StaffForm<Nothing>,
) -> Response {
    if let Err(error) = store.delete_session(&signed_out.staff.token_hash).await {
        tracing::error!(%error, "a staff session could not be deleted at sign-out");
        return PageError::Unavailable.into_response();
    }
    tracing::info!(user = %signed_out.staff.username, "staff signed out");
    let mut response = Redirect::to("/admin/sign-in?signed_out=1").into_response();
    response.headers_mut().append(header::SET_COOKIE, auth.cookie.remove());
    response
}
