//! A charity's webhook endpoint, for tests: it verifies each delivery's signature, answers as
//! told (a script of statuses, then a steady answer, after an optional delay), and
//! de-duplicates by event id as the contract asks receivers to.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use sanankoroba_receiver::notify::signature::{verify, WebhookSecret, DEFAULT_TOLERANCE};
use serde_json::Value;

pub const HOOK_SECRET: &str = "whsec-test-0123456789-abcdefghij";

/// One request the endpoint received.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub header_event_id: String,
    pub event_type: String,
    pub reference: String,
    pub verified: bool,
    /// The `Sanankoroba-Signature` header as sent.
    pub signature: String,
    pub content_type: String,
    pub user_agent: String,
    pub answered: u16,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<u16>,
    steady: u16,
    delay: Duration,
    /// The secret signatures are checked with, when not [`HOOK_SECRET`].
    secret: Option<String>,
    received: Vec<Received>,
    /// Event ids answered 2xx, with when they were first accepted.
    accepted: HashMap<String, Instant>,
}

#[derive(Clone)]
pub struct Hook {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl Hook {
    /// Starts the endpoint on a free loopback port; it answers `script` in order, then `steady`.
    pub async fn start(script: &[u16], steady: u16) -> Hook {
        let inner =
            Arc::new(Mutex::new(Inner { script: script.iter().copied().collect(), steady, ..Inner::default() }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = Router::new().route("/hook", post(receive)).with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Hook { inner, url }
    }

    /// Answers `steady` from now on, after `delay`.
    pub fn answer(&self, steady: u16, delay: Duration) {
        let mut inner = self.inner.lock().unwrap();
        inner.steady = steady;
        inner.delay = delay;
    }

    /// Checks signatures with `secret` from now on, as an endpoint given a generated secret does.
    pub fn use_secret(&self, secret: &str) {
        self.inner.lock().unwrap().secret = Some(secret.to_owned());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Event ids accepted (answered 2xx the first time), with when.
    pub fn accepted(&self) -> HashMap<String, Instant> {
        self.inner.lock().unwrap().accepted.clone()
    }

    /// Waits until `done` holds for what was received, or panics after `limit`.
    pub async fn wait_for(&self, limit: Duration, what: &str, done: impl Fn(&[Received]) -> bool) {
        let started = Instant::now();
        loop {
            if done(&self.received()) {
                return;
            }
            assert!(started.elapsed() < limit, "waited {limit:?} for {what}; received {:#?}", self.received().len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn receive(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
    let secret = inner.lock().unwrap().secret.clone().unwrap_or_else(|| HOOK_SECRET.to_owned());
    let secret = WebhookSecret::from_operator(secret).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let verified = verify(&secret, &header("sanankoroba-signature"), &body, now, DEFAULT_TOLERANCE).is_ok();
    let payload: Value = serde_json::from_slice(&body).unwrap_or_default();
    let delay = inner.lock().unwrap().delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut inner = inner.lock().unwrap();
    let answered = if !verified { 401 } else { inner.script.pop_front().unwrap_or(inner.steady) };
    let event_id = payload["id"].as_str().unwrap_or_default().to_owned();
    let at = Instant::now();
    if (200..300).contains(&answered) {
        // A de-duplicating receiver: a repeat is acknowledged and not acted on again.
        inner.accepted.entry(event_id.clone()).or_insert(at);
    }
    inner.received.push(Received {
        event_id,
        header_event_id: header("sanankoroba-event-id"),
        event_type: header("sanankoroba-event-type"),
        reference: payload["data"]["reference"].as_str().unwrap_or_default().to_owned(),
        verified,
        signature: header("sanankoroba-signature"),
        content_type: header("content-type"),
        user_agent: header("user-agent"),
        answered,
        at,
    });
    StatusCode::from_u16(answered).unwrap()
}
