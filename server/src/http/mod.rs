//! The receiver's HTTP side: one router made of one route group per module, the layers every
//! request passes through, and the one error type every route answers with.
//!
//! Handlers are thin: they extract what they need from the request and from their part of
//! [`state::AppState`], call the code that decides, and turn the outcome into an answer.

pub mod admin_api;
pub mod auth;
pub mod deliveries;
pub mod demo;
pub mod health;
pub mod inbox;
pub mod kit;
pub mod middleware;
pub mod openapi;
pub mod pledges;
pub mod problem;
pub mod state;
pub mod static_files;
pub mod widget;

use std::sync::Arc;

use axum::Router;

use crate::config::Settings;
use crate::storage::Store;
use problem::Problem;
use state::AppState;

/// Every route of the receiver, with its layers, for `public_url` (the origin written into the
/// demo page).
pub fn router(settings: &Settings, store: Store, public_url: String) -> Router {
    let state = AppState::new(settings, store, public_url);
    let request_timeout = settings.timeouts.request;
    Router::new()
        .merge(pledges::routes(&settings.allowed_origins, settings.rate_limit_per_minute))
        .merge(admin_api::routes(&state))
        .merge(inbox::routes(&state))
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(widget::routes(&settings.widget_dist))
        .merge(kit::routes(&settings.widget_dist))
        .merge(demo::routes(&settings.demo_page))
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .layer(axum::middleware::from_fn(move |request, next| middleware::guard(request_timeout, request, next)))
        // Outermost: the client address is decided once, before the log line and the limit.
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(settings.trusted_proxies.clone()),
            middleware::client_address::resolve,
        ))
        .with_state(state)
}
