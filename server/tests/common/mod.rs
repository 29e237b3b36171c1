//! What the integration tests share: realistic pledges and a receiver on a loopback port with
//! a SQLite file in a temporary folder.
#![allow(dead_code)]

pub mod hook;
pub mod process;

use std::path::Path;
use std::time::Duration;

use sanankoroba_receiver::{Running, Settings};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const ADMIN_TOKEN: &str = "test-admin-token-6f1d2c-4a5b-9e8f7d6c";
pub const PARTNER: &str = "st-marys-school";

/// A fresh lowercase UUID v4, as `crypto.randomUUID()` makes them.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// A valid pledge as the widget sends it.
pub fn pledge_json(key: &str) -> Value {
    json!({
        "schema_version": pledge::SCHEMA_VERSION,
        "idempotency_key": key,
        "option": "child",
        "frequency": "monthly",
        "amount": {"minor_units": 2500, "currency": "GBP"},
        "donor": {"given_name": "Aïssata", "family_name": "Coulibaly", "email": "aissata@example.org", "country": "GB"},
        "gift_aid": {"wording_version": pledge::GIFT_AID_WORDING_VERSION, "home_address": "12 Church Lane, Oxford", "postcode": "OX1 2AB"},
        "consent": {"wording_version": pledge::CONSENT_WORDING_VERSION, "email": true, "post": false, "phone": false},
        "partner": PARTNER,
        "page_url": "https://www.stmarys.example/sponsor",
        "locale": "en",
        "client_created_at": "2026-11-27T10:00:00.000Z",
        "anti_spam": {"honeypot": "", "fill_ms": 42_000}
    })
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub dir: TempDir,
    pub database_url: String,
    stop: Option<oneshot::Sender<()>>,
    running: Option<Running>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_, _| {}).await
    }

    /// Starts a receiver; `customize` may change the settings, given the temporary folder.
    pub async fn start_with(customize: impl FnOnce(&mut Settings, &Path)) -> TestServer {
        TestServer::start_in_with(tempfile::tempdir().unwrap(), customize).await
    }

    /// Starts a receiver again on the folder (and database) a stopped one left.
    pub async fn start_in(dir: TempDir) -> TestServer {
        TestServer::start_in_with(dir, |_, _| {}).await
    }

    pub async fn start_in_with(dir: TempDir, customize: impl FnOnce(&mut Settings, &Path)) -> TestServer {
        let database = format!("sqlite://{}", dir.path().join("pledges.db").display());
        let mut settings = Settings::new(database.clone(), ADMIN_TOKEN);
        settings.rate_limit_per_minute = 0;
        settings.min_fill = Duration::from_millis(1000);
        settings.widget_dist = dir.path().join("dist/widget");
        settings.demo_page = dir.path().join("index.html");
        customize(&mut settings, dir.path());
        let (stop, stopped) = oneshot::channel::<()>();
        let running = sanankoroba_receiver::start(settings, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
        TestServer {
            base: format!("http://{}", running.local_addr),
            client: reqwest::Client::new(),
            dir,
            database_url: database,
            stop: Some(stop),
            running: Some(running),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` with its own `idempotency_key` in the header.
    pub async fn post(&self, body: &Value) -> reqwest::Response {
        let key = body["idempotency_key"].as_str().unwrap_or_default().to_owned();
        self.client.post(self.url("/v1/pledges")).header("Idempotency-Key", key).json(body).send().await.unwrap()
    }

    /// Every stored pledge, through the admin JSON list.
    pub async fn list_all(&self) -> Vec<Value> {
        list_all_pledges(&self.client, &self.base).await
    }

    /// Asks the receiver to stop, as a stop signal would, without waiting for it.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Stops the receiver and waits until it has; returns its folder, database included.
    pub async fn stop(mut self) -> TempDir {
        self.signal_stop();
        if let Some(running) = self.running.take() {
            running.wait().await.unwrap();
        }
        self.dir
    }
}

/// Asserts an RFC 9457 answer with `status`, and returns its document.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], status);
    assert!(problem["type"].is_string() && problem["title"].is_string() && problem["detail"].is_string());
    problem
}

/// Every pledge stored by the receiver at `base`, following the admin list's cursors.
pub async fn list_all_pledges(client: &reqwest::Client, base: &str) -> Vec<Value> {
    let mut pledges = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = client.get(format!("{base}/v1/pledges?limit=1000")).bearer_auth(ADMIN_TOKEN);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let page: Value = request.send().await.unwrap().json().await.unwrap();
        pledges.extend(page["pledges"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return pledges,
        }
    }
}
