//! Starting and stopping the receiver: opening the store, binding, serving the router until
//! asked to stop, then draining in-flight requests and closing the store.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

use crate::config::Settings;
use crate::housekeeping::Chores;
use crate::http::{self, widget};
use crate::notify::mailer::{MailKind, Mailer};
use crate::outbox::directory::Directory;
use crate::outbox::email::{self, EmailChannel};
use crate::outbox::webhook::WebhookChannel;
use crate::outbox::worker::{Channel, Pacing, Worker};
use crate::staff::cookie::SessionCookie;
use crate::staff::session::SessionPolicy;
use crate::storage::{Endpoints, Store, Wording};
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
pub async fn start(settings: Settings, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<Running, Error> {
    let webhooks = &settings.webhooks;
    let endpoints = Endpoints::new(webhooks.endpoints.iter().map(|endpoint| endpoint.name.clone()));
    // E-mail takes part in the outbox when it is on: one endpoint per kind a new pledge causes.
    let mail_kinds = settings.mail.as_ref().map(|mail| email::kinds_for_new_pledges(mail.donor_confirmations));
    let mail_endpoints = mail_kinds.iter().flatten().map(|kind| email::endpoint(*kind).to_owned());
    let endpoints = endpoints.with_created_only(mail_endpoints);
    let store = Store::open_url_with_endpoints(&settings.database_url, endpoints).await?;
    let mut channels: HashMap<String, Arc<dyn Channel>> = HashMap::new();
    for endpoint in &webhooks.endpoints {
        let channel = WebhookChannel::new(endpoint.clone(), webhooks.timeout).map_err(|error| {
            format!("the HTTP client for the webhook `{}` could not be made: {error}", endpoint.name)
        })?;
        channels.insert(endpoint.name.clone(), Arc::new(channel));
    }
    let listener = TcpListener::bind(settings.bind).await?;
    let local_addr = listener.local_addr()?;
    let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{local_addr}"));
    let mut attempt_limit = webhooks.timeout;
    if let Some(mail) = &settings.mail {
        let inbox_origin = Url::parse(&public_url)
            .map_err(|error| format!("the public URL `{public_url}` is not a URL the e-mails can link to: {error}"))?;
        let mailer = Arc::new(Mailer::new(mail, inbox_origin)?);
        // A channel for every kind, not only those new pledges cause: a confirmation still
        // waiting when confirmations were turned off then settles as "not sent", with that
        // reason, instead of failing for days against an endpoint that no longer exists.
        for kind in MailKind::ALL {
            let channel = EmailChannel::new(kind, Arc::clone(&mailer), store.clone());
            channels.insert(email::endpoint(kind).to_owned(), Arc::new(channel));
        }
        attempt_limit = attempt_limit.max(mail.send_timeout);
    }

    if !settings.widget_dist.is_dir() {
        widget::report_missing_dist(&settings.widget_dist);
    }
    if settings.allowed_origins.is_empty() {
        tracing::warn!("no partner origins are allowed: only pages served by this receiver can post pledges");
    }
    if settings.trusted_proxies.trusts_everyone() {
        tracing::warn!(
            "--trusted-proxies trusts every address: any client can choose the address it is limited and logged as"
        );
    }
    if let Err(error) = store.ensure_wordings(&published_wordings()).await {
        return Err(format!("{error}: a published wording's text must never change; publish the new text under a new version in pledge/src/wording.rs").into());
    }
    if SessionCookie::for_public_url(&public_url).is_secure() && public_url.starts_with("http://") {
        tracing::warn!(
            public_url,
            "staff cannot sign in over plain HTTP except on localhost: the session cookie is Secure; serve the receiver over HTTPS and set --public-url"
        );
    }
    tracing::info!(database = store.kind(), address = %local_addr, "receiver started");
    let chores =
        Chores { retention_days: settings.retention_days, sessions: SessionPolicy::default() }.spawn(store.clone());
    // Another receiver's flags may have let the page store an endpoint under one of this
    // receiver's flag names: this receiver then sends that name's deliveries as its flag says.
    match store.webhooks().await {
        Ok(stored) => {
            for clash in stored.iter().filter(|stored| channels.contains_key(&stored.name)) {
                tracing::warn!(
                    endpoint = %clash.name,
                    "an endpoint added on the staff pages has the name of a --webhook; this receiver uses the flag's address and secret for it"
                );
            }
        }
        Err(error) => tracing::warn!(%error, "the stored webhook endpoints could not be read at start"),
    }
    // Always running, even without flag endpoints: staff may add endpoints on the admin pages,
    // on this receiver or on another sharing the database, at any time.
    tracing::info!(operator_endpoints = channels.len(), "delivering outbox events");
    let directory = Directory::with_stored_webhooks(channels, store.clone(), webhooks.timeout);
    let deliveries = Worker::new(store.clone(), directory, Pacing::for_timeout(webhooks.retry, attempt_limit)).spawn();

    let app = http::router(&settings, store.clone(), public_url.clone());
    // Without TCP_NODELAY, small answers can wait for the peer's delayed acknowledgement.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    let server = tokio::spawn(async move {
        let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        chores.abort();
        // An attempt cut short here is not recorded; its lease runs out and it is made again.
        deliveries.abort();
        store.close().await;
        served
    });
    Ok(Running { local_addr, public_url, server })
}

/// Every published wording, as the store keeps them.
fn published_wordings() -> Vec<Wording> {
    pledge::wording::PUBLISHED
        .iter()
        .map(|wording| Wording {
            kind: wording.kind.as_str().to_owned(),
            version: wording.version.to_owned(),
            locale: wording.locale.as_str().to_owned(),
            text: wording.text(),
        })
        .collect()
}
