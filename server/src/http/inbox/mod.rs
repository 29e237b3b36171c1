//! `/admin/…`: the charity staff's pages.
//!
//! The pages behind a session are listed once, in [`STAFF_ROUTES`]; [`routes`] builds them
//! from that table and puts [`gate::require_staff`] in front of all of them, and a test walks
//! the same table to check that each refuses a request without a session. A page added
//! anywhere else would not be reachable under `/admin/` at all.
//!
//! Only the sign-in page, its form, the stylesheet and the icon are open.

pub mod dashboard;
pub mod data_protection;
pub mod deliveries;
pub mod gate;
pub mod gift_aid;
pub mod page;
pub mod pledges;
pub mod sign_in;
pub mod webhooks;

use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{middleware, Router};

use crate::http::state::AppState;
use crate::inbox::layout::{Section, SignedIn};
use crate::inbox::{ICON, ICON_PATH, STYLESHEET, STYLESHEET_PATH};
use gate::Staff;

/// A staff page: its path, the methods it answers, and its handlers.
pub struct StaffRoute {
    pub path: &'static str,
    pub methods: &'static [Method],
    handlers: fn() -> MethodRouter<AppState>,
}

/// Every route behind a staff session.
pub const STAFF_ROUTES: &[StaffRoute] = &[
    StaffRoute { path: "/admin/", methods: &[Method::GET], handlers: || get(pledges::list) },
    StaffRoute { path: "/admin/pledges/{reference}", methods: &[Method::GET], handlers: || get(pledges::show) },
    StaffRoute {
        path: "/admin/pledges/{reference}/status",
        methods: &[Method::POST],
        handlers: || post(pledges::change_status),
    },
    StaffRoute { path: "/admin/dashboard", methods: &[Method::GET], handlers: || get(dashboard::show) },
    StaffRoute { path: "/admin/gift-aid", methods: &[Method::GET], handlers: || get(gift_aid::show) },
    StaffRoute { path: "/admin/gift-aid.csv", methods: &[Method::GET], handlers: || get(gift_aid::download) },
    StaffRoute { path: "/admin/data-protection", methods: &[Method::GET], handlers: || get(data_protection::show) },
    StaffRoute {
        path: "/admin/data-protection/erase",
        methods: &[Method::POST],
        handlers: || post(data_protection::erase),
    },
    StaffRoute {
        path: "/admin/data-protection/access",
        methods: &[Method::POST],
        handlers: || post(data_protection::access),
    },
    StaffRoute { path: "/admin/webhooks", methods: &[Method::GET], handlers: || get(webhooks::show) },
    StaffRoute { path: "/admin/webhooks/add", methods: &[Method::POST], handlers: || post(webhooks::add) },
    StaffRoute {
        path: "/admin/webhooks/replace-secret",
        methods: &[Method::POST],
        handlers: || post(webhooks::replace_secret),
    },
    StaffRoute { path: "/admin/webhooks/remove", methods: &[Method::POST], handlers: || post(webhooks::remove) },
    StaffRoute { path: "/admin/deliveries", methods: &[Method::GET], handlers: || get(deliveries::list) },
    StaffRoute {
        path: "/admin/deliveries/{id}/retry",
        methods: &[Method::POST],
        handlers: || post(deliveries::resend),
    },
    StaffRoute { path: "/admin/sign-out", methods: &[Method::POST], handlers: || post(sign_in::sign_out) },
];

pub fn routes(state: &AppState) -> Router<AppState> {
    let staff = STAFF_ROUTES
        .iter()
        .fold(Router::new(), |router, route| router.route(route.path, (route.handlers)()))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate::require_staff));
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/sign-in", get(sign_in::show).post(sign_in::sign_in))
        .route(STYLESHEET_PATH, get(stylesheet))
        .route(ICON_PATH, get(icon))
        .merge(staff)
}

/// The navigation's view of who is signed in.
pub(crate) fn signed_in(staff: &Staff, section: Section) -> SignedIn<'_> {
    SignedIn { username: &staff.username, csrf_token: staff.csrf.as_str(), section }
}

async fn stylesheet() -> Response {
    static_text(STYLESHEET, "text/css; charset=utf-8")
}

async fn icon() -> Response {
    static_text(ICON, "image/svg+xml")
}

/// A file compiled into the receiver, open to anyone: it holds nothing about pledges.
fn static_text(text: &'static str, content_type: &'static str) -> Response {
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}
