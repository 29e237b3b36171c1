//! The receiver as one axum application: its routes, its shared state, and starting and
//! stopping it.

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::client_address::{self, ClientAddress, TrustedProxies};
use crate::config::{Settings, Timeouts};
use crate::problem::Problem;
use crate::rate_limit::{self, RateLimiter};
use crate::storage::Store;
use crate::{admin, cors, demo_page, health, openapi, partner_kit, submit, widget_assets, Error};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Store,
    pub admin_token: String,
    pub min_fill: Duration,
    pub timeouts: Timeouts,
    pub widget_dist: PathBuf,
    pub demo_page: PathBuf,
    pub public_url: String,
    pub openapi: String,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(settings: &Settings, store: Store, public_url: String) -> AppState {
        AppState(Arc::new(Shared {
            store,
            admin_token: settings.admin_token.clone(),
            min_fill: settings.min_fill,
            timeouts: settings.timeouts,
            widget_dist: settings.widget_dist.clone(),
            demo_page: settings.demo_page.clone(),
            public_url,
            openapi: openapi::document_text(),
        }))
    }
}

/// What the router needs besides the handlers' state: the cross-cutting layers' settings.
pub struct Layers {
    pub allowed_origins: Vec<String>,
    pub trusted_proxies: TrustedProxies,
    pub rate_limit_per_minute: u32,
}

impl Layers {
    pub fn from_settings(settings: &Settings) -> Layers {
        Layers {
            allowed_origins: settings.allowed_origins.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            rate_limit_per_minute: settings.rate_limit_per_minute,
        }
    }
}

pub fn router(state: AppState, layers: Layers) -> Router {
    let request_timeout = state.timeouts.request;
    let mut submit_route: MethodRouter<AppState> = post(submit::submit);
    if let Some(limiter) = RateLimiter::new(layers.rate_limit_per_minute) {
        // Only the POST: the preflight and the admin reads are not limited.
        submit_route = submit_route.layer(middleware::from_fn_with_state(Arc::new(limiter), rate_limit::enforce));
    }
    Router::new()
        // The CORS layer wraps the POST and its OPTIONS preflight, which it answers itself;
        // the admin GET, added after the layer, stays same-origin only. A 429 from the rate
        // limit inside it still carries CORS headers, so the widget can read Retry-After.
        .route(
            "/v1/pledges",
            submit_route
                .options(|| async { StatusCode::NO_CONTENT })
                .layer(cors::pledge_cors(&layers.allowed_origins))
                .get(admin::list),
        )
        .route("/v1/pledges.csv", get(admin::csv))
        .route("/v1/pledges/{reference}/release", post(admin::release))
        .route("/healthz", get(health::healthz))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/", get(demo_page::page))
        .route("/demo/{*path}", get(demo_page::asset))
        .route("/widget/{*path}", get(widget_assets::asset))
        .route("/kit", get(partner_kit::redirect))
        .route("/kit/", get(partner_kit::page))
        .route("/kit/{*path}", get(partner_kit::asset))
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .layer(middleware::from_fn(move |request, next| guard(request_timeout, request, next)))
        // Outermost: the client address is decided once, before the log line and the limit.
        .layer(middleware::from_fn_with_state(Arc::new(layers.trusted_proxies), client_address::resolve))
        .with_state(state)
}

/// Bounds every request's time, marks every answer `nosniff`, and logs one line per request:
/// method, path, status, client address and duration, never bodies or query strings.
async fn guard(timeout: Duration, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path: String = request.uri().path().chars().take(200).collect();
    let client = request.extensions().get::<ClientAddress>().map(|ClientAddress(address)| *address);
    let started = Instant::now();
    let mut response = match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::unavailable("The request took too long.").into_response(),
    };
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        client = %client.map_or_else(|| "-".to_owned(), |address| address.to_string()),
        elapsed = ?started.elapsed(),
        "request"
    );
    response
}

/// A receiver that is listening.
pub struct Running {
    /// The address actually bound, with the port chosen when port 0 was asked for.
    pub local_addr: SocketAddr,
    /// The origin written into the demo page.
    pub public_url: String,
    server: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Waits until the server has stopped, its in-flight requests have been answered and the
    /// database is closed.
    pub async fn wait(self) -> Result<(), Error> {
        Ok(self.server.await??)
    }
}

/// Opens the database (running migrations), binds, and serves until `shutdown` completes;
/// then stops accepting, drains in-flight requests and closes the database.
pub async fn start(
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Running, Error> {
    let store = Store::open_url(&settings.database_url).await?;
    let listener = TcpListener::bind(settings.bind).await?;
    let local_addr = listener.local_addr()?;
    let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{local_addr}"));

    if !settings.widget_dist.is_dir() {
        widget_assets::report_missing_dist(&settings.widget_dist);
    }
    if settings.allowed_origins.is_empty() {
        tracing::warn!("no partner origins are allowed: only pages served by this receiver can post pledges");
    }
    if settings.trusted_proxies.trusts_everyone() {
        tracing::warn!("--trusted-proxies trusts every address: any client can choose the address it is limited and logged as");
    }
    tracing::info!(database = store.kind(), address = %local_addr, "receiver started");

    let app = router(AppState::new(&settings, store.clone(), public_url.clone()), Layers::from_settings(&settings));
    // Without TCP_NODELAY, small answers can wait for the peer's delayed acknowledgement.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    let server = tokio::spawn(async move {
        let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        store.close().await;
        served
    });
    Ok(Running { local_addr, public_url, server })
}
