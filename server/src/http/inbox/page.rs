//! How staff pages are answered: HTML with the headers every staff page carries, and the
//! pages shown when something goes wrong.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use crate::inbox::layout;
use crate::inbox::CONTENT_SECURITY_POLICY;

/// A rendered staff page.
pub struct Page(pub Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        html_response(StatusCode::OK, self.0)
    }
}

/// HTML with the staff pages' headers: a strict policy, and no caching, since the pages carry
/// donors' personal details.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    protect(response.headers_mut());
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// The headers of every staff answer, pages and downloads alike.
pub fn protect(headers: &mut axum::http::HeaderMap) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    headers.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
}

/// Why a staff page could not be shown. Each is a page of its own with a way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    /// No pledge has this reference.
    NoSuchPledge,
    /// A form without its CSRF token, or sent from another site.
    FormExpired,
    /// A form that could not be read.
    BadForm,
    TooLarge,
    /// A staff handler reached without a session: the route is missing its layer.
    Forbidden,
    /// The database did not answer.
    Unavailable,
}

impl PageError {
    fn status(self) -> StatusCode {
        match self {
            PageError::NoSuchPledge => StatusCode::NOT_FOUND,
            PageError::FormExpired | PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::BadForm => StatusCode::BAD_REQUEST,
            PageError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn title(self) -> &'static str {
        match self {
            PageError::NoSuchPledge => "No such pledge",
            PageError::FormExpired => "The form has expired",
            PageError::BadForm => "The form could not be read",
            PageError::TooLarge => "The form is too large",
            PageError::Forbidden => "Not allowed",
            PageError::Unavailable => "The pledges cannot be reached",
        }
    }

    fn explanation(self) -> &'static str {
        match self {
            PageError::NoSuchPledge => "No pledge has this reference. Check it, or search for the donor in the inbox.",
            PageError::FormExpired => {
                "Nothing was changed. The form was sent without the token that proves it came from these pages, \
                 or from another site. Go back, reload the page and try again."
            }
            PageError::BadForm => "Nothing was changed. Go back, reload the page and try again.",
            PageError::TooLarge => "Nothing was changed. Shorten the note and try again.",
            PageError::Forbidden => "Sign in to use the staff pages.",
            PageError::Unavailable => {
                "The receiver could not reach its database. Nothing was changed. Try again in a minute; if it \
                 goes on, tell whoever runs the receiver."
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let content = html! {
            p { (self.explanation()) }
            p { a href="/admin/" { "Go to the inbox" } }
        };
        html_response(self.status(), layout::page(self.title(), None, content))
    }
}
