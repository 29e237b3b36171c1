//! Who may use the staff pages: the session check every staff route sits behind, and the
//! CSRF check every staff form goes through.
//!
//! [`require_staff`] is a route layer over the whole staff group, so a page added to the group
//! cannot forget it. It reads the session cookie, finds the session, ends it when it has
//! expired, and hands the handler a [`Staff`]. A request without a good session is sent to the
//! sign-in page, which brings the person back afterwards.
//!
//! [`StaffForm`] is how a handler reads a posted form: it refuses the form unless it carries
//! the session's CSRF token and the browser says it was sent from the receiver's own pages.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::page::PageError;
use crate::http::state::AppState;
use crate::staff::cookie::SessionCookie;
use crate::staff::csrf::{check_same_origin, CsrfToken};
use crate::staff::session::{SessionPolicy, SessionState, TokenHash};
use crate::staff::sign_in_limit::SignInLimiter;
use crate::storage::Store;
use crate::timestamp::Timestamp;

/// What the staff pages' checks need. Cheap to clone.
#[derive(Clone)]
pub struct StaffAuth {
    pub cookie: SessionCookie,
    pub policy: SessionPolicy,
    pub limiter: Arc<SignInLimiter>,
    /// The receiver's public origin, which staff forms must come from.
    pub origin: Arc<str>,
}

impl StaffAuth {
    pub fn new(public_url: &str, policy: SessionPolicy) -> StaffAuth {
        StaffAuth {
            cookie: SessionCookie::for_public_url(public_url),
            policy,
            limiter: Arc::new(SignInLimiter::new(Default::default())),
            origin: Arc::from(public_url.trim_end_matches('/')),
        }
    }
}

/// A signed-in member of staff.
#[derive(Clone, Debug)]
pub struct Staff {
    pub username: String,
    pub csrf: CsrfToken,
    pub(super) token_hash: TokenHash,
}

/// The state [`require_staff`] runs with.
#[derive(Clone)]
pub struct Gate {
    pub store: Store,
    pub auth: StaffAuth,
}

impl FromRef<AppState> for Gate {
    fn from_ref(state: &AppState) -> Gate {
        Gate { store: state.store.clone(), auth: state.staff_auth.clone() }
    }
}

/// Lets a request through with its [`Staff`] when it carries a live session; otherwise sends
/// it to the sign-in page.
pub async fn require_staff(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    let back_to = back_to(request.uri());
    let Some(token) = gate.auth.cookie.read(request.headers()) else {
        return to_sign_in(&back_to, None);
    };
    let token_hash = token.hash();
    let session = match gate.store.session(&token_hash).await {
        Ok(Some(session)) => session,
        Ok(None) => return to_sign_in(&back_to, Some(&gate.auth.cookie)),
        Err(error) => {
            tracing::error!(%error, "staff session could not be read");
            return PageError::Unavailable.into_response();
        }
    };
    let now = Timestamp::now();
    match gate.auth.policy.check(session.created_at, session.last_seen_at, now) {
        SessionState::Expired(reason) => {
            tracing::info!(?reason, "staff session ended");
            if let Err(error) = gate.store.delete_session(&token_hash).await {
                tracing::warn!(%error, "an ended staff session could not be deleted");
            }
            to_sign_in_expired(&back_to, &gate.auth.cookie)
        }
        SessionState::Active { touch } => {
            if touch {
                if let Err(error) = gate.store.touch_session(&token_hash, now).await {
                    // The request can still be answered; the session just looks older.
                    tracing::warn!(%error, "a staff session's last use could not be recorded");
                }
            }
            let staff =
                Staff { username: session.username, csrf: CsrfToken::from_stored(session.csrf_token), token_hash };
            request.extensions_mut().insert(staff);
            next.run(request).await
        }
    }
}

/// Where to come back to after signing in: the page asked for, when it was a staff page read
/// with `GET`; the inbox otherwise, since a form's `POST` cannot be replayed.
fn back_to(uri: &axum::http::Uri) -> String {
    let path = uri.path_and_query().map(|path| path.as_str()).unwrap_or("/admin/");
    safe_next(path).to_owned()
}

/// `next` when it is a staff page of this receiver, and the inbox otherwise, so that the
/// sign-in page can never send anyone to another site.
pub fn safe_next(next: &str) -> &str {
    // Visible ASCII only: the value becomes a `Location` header, which cannot carry control
    // characters, and a real staff page's path never needs anything else.
    let printable = next.bytes().all(|byte| byte.is_ascii_graphic());
    let own_page = printable && next.starts_with("/admin/") && !next.contains('\\');
    if own_page && !next.starts_with("/admin/sign-") {
        next
    } else {
        "/admin/"
    }
}

fn sign_in_location(back_to: &str, expired: bool) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if back_to != "/admin/" {
        query.append_pair("next", back_to);
    }
    if expired {
        query.append_pair("expired", "1");
    }
    let query = query.finish();
    if query.is_empty() {
        "/admin/sign-in".to_owned()
    } else {
        format!("/admin/sign-in?{query}")
    }
}

fn to_sign_in(back_to: &str, forget: Option<&SessionCookie>) -> Response {
    let mut response = Redirect::to(&sign_in_location(back_to, false)).into_response();
    if let Some(cookie) = forget {
        response.headers_mut().append(header::SET_COOKIE, cookie.remove());
    }
    no_store(response)
}

fn to_sign_in_expired(back_to: &str, cookie: &SessionCookie) -> Response {
    let mut response = Redirect::to(&sign_in_location(back_to, true)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie.remove());
    no_store(response)
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A posted staff form whose CSRF token and origin were checked.
pub struct StaffForm<T> {
    pub staff: Staff,
    pub form: T,
}

#[derive(Deserialize)]
struct WithToken<T> {
    csrf_token: Option<String>,
    #[serde(flatten)]
    form: T,
}

impl<S, T> FromRequest<S> for StaffForm<T>
where
    S: Send + Sync,
    StaffAuth: FromRef<S>,
    T: DeserializeOwned + Send,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let auth = StaffAuth::from_ref(state);
        let (parts, body): (Parts, _) = request.into_parts();
        let staff = parts.extensions.get::<Staff>().cloned().ok_or(PageError::Forbidden)?;
        if let Err(refused) = check_same_origin(&parts.method, &parts.headers, &auth.origin) {
            tracing::warn!(%refused, "a staff form from another site was refused");
            return Err(PageError::FormExpired);
        }
        let request = Request::from_parts(parts, body);
        let Form(WithToken { csrf_token, form }) =
            Form::<WithToken<T>>::from_request(request, state).await.map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => PageError::TooLarge,
                _ => PageError::BadForm,
            })?;
        if !staff.csrf.matches(csrf_token.as_deref()) {
            tracing::warn!("a staff form without its CSRF token was refused");
            return Err(PageError::FormExpired);
        }
        Ok(StaffForm { staff, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_staff_pages_are_returned_to_after_signing_in() {
        assert_eq!(safe_next("/admin/pledges/SK-AAAA-BBBB"), "/admin/pledges/SK-AAAA-BBBB");
        assert_eq!(safe_next("/admin/?status=new&page=2"), "/admin/?status=new&page=2");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/admin/",
            "/admin\\..\\x",
            "/admin/\\evil.example",
            "/v1/pledges",
            "/admin/sign-out",
            "/admin/\r\nSet-Cookie: a=b",
            "/admin/ x",
            "/admin/é",
            "",
        ] {
            assert_eq!(safe_next(elsewhere), "/admin/", "{elsewhere}");
        }
    }

    #[test]
    fn the_sign_in_address_keeps_where_to_return_and_why() {
        assert_eq!(sign_in_location("/admin/", false), "/admin/sign-in");
        assert_eq!(sign_in_location("/admin/dashboard", true), "/admin/sign-in?next=%2Fadmin%2Fdashboard&expired=1");
    }
}
