//! Starting and stopping the receiver: opening the store, binding, serving the router until
//! asked to stop, then draining in-flight requests and closing the store.

use std::future::Future;
use std::net::SocketAddr;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::Settings;
use crate::http::{self, widget};
use crate::storage::Store;
use crate::Error;

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
        widget::report_missing_dist(&settings.widget_dist);
    }
    if settings.allowed_origins.is_empty() {
        tracing::warn!("no partner origins are allowed: only pages served by this receiver can post pledges");
    }
    if settings.trusted_proxies.trusts_everyone() {
        tracing::warn!("--trusted-proxies trusts every address: any client can choose the address it is limited and logged as");
    }
    tracing::info!(database = store.kind(), address = %local_addr, "receiver started");

    let app = http::router(&settings, store.clone(), public_url.clone());
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
