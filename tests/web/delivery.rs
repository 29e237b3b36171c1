//! Delivery in a real browser: the outbox in real localStorage, the courier's answers to what
//! the endpoint says, and the events that reach the host page.
//!
//! HTTP answers come from a stand-in for `window.fetch`, which is what gloo-net calls, so each
//! test decides exactly what the endpoint answers and sees exactly what was sent. The real
//! receiver is exercised by the end-to-end tests.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect, JSON};
use leptos::prelude::*;
use pledge::{
    Amount, AntiSpam, Consent, Currency, Donor, Frequency, GiftAid, Locale, Pledge, SponsorshipOption,
    GIFT_AID_WORDING_VERSION, SCHEMA_VERSION,
};
use sanankoroba_widget::delivery::body;
use sanankoroba_widget::delivery::outbox::{Entry, EXPIRY_MS, KEY_PREFIX, LEGACY_PREFIX};
use sanankoroba_widget::delivery::retry::RetryPolicy;
use sanankoroba_widget::delivery::storage::OutboxStore;
use sanankoroba_widget::delivery::{new_idempotency_key, Courier, DeliveryStatus, FailureReason};
use sanankoroba_widget::embed::{page_address, HostEvents};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{CustomEvent, HtmlElement, ShadowRootInit, ShadowRootMode, Storage};

use crate::support::{document, sleep, tick};

/// Nothing listens on port 9 of the loopback interface: every real attempt fails at once.
const UNREACHABLE: &str = "http://127.0.0.1:9/v1/pledges";
/// The endpoint the stand-in `fetch` answers for.
const ENDPOINT: &str = "https://charity.example.org/v1/pledges";
const PARTNER: &str = "bamako-friends";
const PERSONAL: [&str; 4] = ["Awa", "Traoré", "awa@example.org", "ML"];

fn local_storage() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn a_pledge() -> Pledge {
    Pledge {
        schema_version: SCHEMA_VERSION,
        idempotency_key: new_idempotency_key(),
        option: SponsorshipOption::Child,
        frequency: Frequency::Monthly,
        amount: Amount::new(2_500, Currency::EUR),
        donor: Donor {
            given_name: PERSONAL[0].into(),
            family_name: PERSONAL[1].into(),
            email: PERSONAL[2].into(),
            country: PERSONAL[3].into(),
            ..Donor::default()
        },
        gift_aid: None,
        consent: Consent::default(),
        partner: PARTNER.into(),
        page_url: "https://partner.example/sponsor".into(),
        locale: Locale::Fr,
        client_created_at: "2026-11-27T15:00:00.000Z".into(),
        anti_spam: AntiSpam { honeypot: String::new(), fill_ms: 45_000 },
    }
}

/// Every test starts and ends with the widget's outbox empty, since all widgets in the test
/// page share it.
struct CleanOutbox;

impl CleanOutbox {
    fn new() -> CleanOutbox {
        OutboxStore::local().clear().unwrap();
        CleanOutbox
    }
}

impl Drop for CleanOutbox {
    fn drop(&mut self) {
        let _ = OutboxStore::local().clear();
    }
}

fn saved_pledges() -> Vec<Entry> {
    OutboxStore::local().entries().unwrap()
}

fn saved(key: &str) -> Option<Entry> {
    OutboxStore::local().get(key).unwrap()
}

/// The widget's items in localStorage, readable or not.
fn outbox_items() -> Vec<String> {
    let storage = local_storage();
    (0..storage.length().unwrap())
        .filter_map(|index| storage.key(index).unwrap())
        .filter(|key| key.starts_with(KEY_PREFIX) || key.starts_with(LEGACY_PREFIX))
        .collect()
}

/// A host element in the page, and every event of the widget's dispatched on it.
struct Host {
    element: HtmlElement,
    heard: Rc<RefCell<Vec<CustomEvent>>>,
    listener: Closure<dyn FnMut(web_sys::Event)>,
}

const EVENTS: [&str; 3] = ["sanankoroba:pledge", "sanankoroba:error", "sanankoroba:step"];

impl Host {
    fn new() -> Host {
        let element: HtmlElement = document().create_element("sanankoroba-widget").unwrap().unchecked_into();
        document().body().unwrap().append_child(&element).unwrap();
        let heard = Rc::new(RefCell::new(Vec::new()));
        let sink = heard.clone();
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            sink.borrow_mut().push(event.unchecked_into::<CustomEvent>());
        });
        for name in EVENTS {
            element.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref()).unwrap();
        }
        Host { element, heard, listener }
    }

    fn events(&self) -> HostEvents {
        HostEvents::new(self.element.clone())
    }

    fn heard(&self, name: &str) -> Vec<CustomEvent> {
        self.heard.borrow().iter().filter(|event| event.type_() == name).cloned().collect()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        for name in EVENTS {
            let _ = self.element.remove_event_listener_with_callback(name, self.listener.as_ref().unchecked_ref());
        }
        self.element.remove();
    }
}

fn detail_string(event: &CustomEvent, field: &str) -> Option<String> {
    Reflect::get(&event.detail(), &field.into()).ok()?.as_string()
}

fn detail_keys(event: &CustomEvent) -> Vec<String> {
    let mut keys: Vec<String> =
        Object::keys(event.detail().unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()).collect();
    keys.sort();
    keys
}

/// One answer of the stand-in endpoint: a status, headers and a body, or a network failure.
enum Answer {
    Status(u16, &'static [(&'static str, &'static str)], &'static str),
    NetworkError,
}

/// Replaces `window.fetch` for as long as it lives. It answers with `answers` in turn (then
/// with the last one again) and records each request's method, `Idempotency-Key`,
/// `Content-Type`, credentials mode and body.
struct FakeEndpoint {
    original: JsValue,
    calls: Array,
}

impl FakeEndpoint {
    fn answering(answers: Vec<Answer>) -> FakeEndpoint {
        let window = web_sys::window().unwrap();
        let original = Reflect::get(&window, &"fetch".into()).unwrap();
        let plan = Array::new();
        for answer in answers {
            let item = match answer {
                Answer::NetworkError => JsValue::NULL,
                Answer::Status(status, headers, body) => {
                    let headers_object = Object::new();
                    for (name, value) in headers {
                        Reflect::set(&headers_object, &(*name).into(), &(*value).into()).unwrap();
                    }
                    Array::of3(&status.into(), &headers_object, &body.into()).into()
                }
            };
            plan.push(&item);
        }
        let calls = Array::new();
        let fake = Function::new_with_args(
            "plan, calls, request",
            "return request.text().then(body => {
                calls.push({
                    url: request.url,
                    keepalive: request.keepalive,
                    method: request.method,
                    key: request.headers.get('Idempotency-Key'),
                    type: request.headers.get('Content-Type'),
                    credentials: request.credentials,
                    body,
                });
                const answer = plan.length > 1 ? plan.shift() : plan[0];
                if (answer === null) throw new TypeError('Failed to fetch');
                return new Response(answer[2], { status: answer[0], headers: answer[1] });
            });",
        )
        .bind2(&JsValue::NULL, &plan, &calls);
        Reflect::set(&window, &"fetch".into(), &fake).unwrap();
        FakeEndpoint { original, calls }
    }

    fn calls(&self) -> Vec<JsValue> {
        self.calls.iter().collect()
    }

    fn call_field(&self, index: usize, field: &str) -> String {
        Reflect::get(&self.calls.get(index as u32), &field.into()).unwrap().as_string().unwrap_or_default()
    }
}

impl Drop for FakeEndpoint {
    fn drop(&mut self) {
        let _ = Reflect::set(&web_sys::window().unwrap(), &"fetch".into(), &self.original);
    }
}

const RECEIPT: &str = r#"{"reference":"SK-7Q2M-K9XD","received_at":"2026-11-27T15:00:01Z"}"#;
const CREATED: Answer = Answer::Status(201, &[("Content-Type", "application/json")], RECEIPT);
const UNAVAILABLE: Answer = Answer::Status(
    503,
    &[("Content-Type", "application/problem+json")],
    r#"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"The database is unavailable."}"#,
);

/// A courier under its own reactive owner, as the widget's App creates it.
struct Running {
    owner: Owner,
    courier: Courier,
}

impl Running {
    fn start(endpoint: &str, host: &Host) -> Running {
        let owner = Owner::new();
        let courier = owner.with(|| Courier::new(endpoint, PARTNER, host.events()));
        Running { owner, courier }
    }

    /// A courier whose next attempt after a failure is minutes away, so that within a test
    /// only the trigger under test can send again.
    fn start_without_timers(endpoint: &str, host: &Host) -> Running {
        let owner = Owner::new();
        let policy = RetryPolicy { base_ms: 600_000, cap_ms: 600_000 };
        let courier = owner.with(|| Courier::with_policy(endpoint, PARTNER, host.events(), policy));
        Running { owner, courier }
    }

    /// A courier that tries again within a fifth of a second, for tests that go through many
    /// failures.
    fn start_quick(endpoint: &str, host: &Host) -> Running {
        let owner = Owner::new();
        let policy = RetryPolicy { base_ms: 100, cap_ms: 200 };
        let courier = owner.with(|| Courier::with_policy(endpoint, PARTNER, host.events(), policy));
        Running { owner, courier }
    }

    fn status(&self) -> DeliveryStatus {
        self.courier.status().get_untracked()
    }

    /// Waits up to `limit` for the status to satisfy `done`, and returns the status.
    async fn wait_for(&self, limit: Duration, done: impl Fn(&DeliveryStatus) -> bool) -> DeliveryStatus {
        let started = now_ms();
        loop {
            let status = self.status();
            if done(&status) || now_ms() - started > limit.as_millis() as u64 {
                return status;
            }
            sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.owner.cleanup();
    }
}

#[wasm_bindgen_test]
async fn the_outbox_round_trips_through_local_storage() {
    let _clean = CleanOutbox::new();
    local_storage().set_item("partner:basket", "3 items").unwrap();
    let store = OutboxStore::local();
    let pledge = a_pledge();
    let body = "{\"schema_version\":1,\"note\":\"tab\tand line\nbreak\"}";
    let entry = Entry::new(&pledge.idempotency_key, ENDPOINT, body, now_ms()).unwrap();
    assert_eq!(store.save(entry.clone()).unwrap(), entry);

    let raw = local_storage().get_item(&format!("sanankoroba:outbox:v2:{}", pledge.idempotency_key)).unwrap();
    let raw = raw.expect("one item per pledge, under the widget's prefix");
    assert!(raw.ends_with(&format!("\t{ENDPOINT}\t{body}")), "the endpoint it was made for is recorded: {raw}");
    assert_eq!(store.entries().unwrap(), [entry.clone()]);

    // Saving the same key again keeps the first bytes: they may already have been received.
    let changed = Entry::new(&pledge.idempotency_key, ENDPOINT, "{\"changed\":true}", now_ms() + 5).unwrap();
    assert_eq!(store.save(changed).unwrap(), entry);

    store.lease(&entry.key, 42).unwrap();
    assert_eq!(store.get(&entry.key).unwrap().unwrap().lease_until_ms, 42);

    store.remove(&entry.key).unwrap();
    assert!(outbox_items().is_empty(), "a delivered pledge leaves nothing behind");
    store.clear().unwrap();
    assert_eq!(local_storage().get_item("partner:basket").unwrap().as_deref(), Some("3 items"), "only its own items");
    local_storage().remove_item("partner:basket").unwrap();
}

fn go_online() {
    web_sys::window().unwrap().dispatch_event(&web_sys::Event::new("online").unwrap()).unwrap();
}

async fn saved_after_one_failure(endpoint: &FakeEndpoint, running: &Running) {
    running.courier.submit(a_pledge());
    let status = running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Saved { .. })).await;
    assert_eq!(status, DeliveryStatus::Saved { reason: FailureReason::Offline });
    sleep(Duration::from_millis(300)).await;
    assert_eq!(endpoint.calls().len(), 1, "no retry on a timer with this policy");
}

#[wasm_bindgen_test]
async fn coming_back_online_resends_at_once() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![Answer::NetworkError, CREATED]);
    let host = Host::new();
    let running = Running::start_without_timers(ENDPOINT, &host);
    saved_after_one_failure(&endpoint, &running).await;
    go_online();
    let status = running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    assert_eq!(status, DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() });
    assert_eq!(endpoint.calls().len(), 2);
}

#[wasm_bindgen_test]
async fn the_donor_can_try_again_now() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![Answer::NetworkError, CREATED]);
    let host = Host::new();
    let running = Running::start_without_timers(ENDPOINT, &host);
    saved_after_one_failure(&endpoint, &running).await;
    running.courier.retry_now();
    assert_eq!(running.status(), DeliveryStatus::Sending, "at once, not on the next timer");
    let status = running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    assert_eq!(status, DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() });
    assert_eq!(endpoint.calls().len(), 2);
}

#[wasm_bindgen_test]
async fn an_unmounted_widget_stops_listening_and_leaves_its_pledge_saved() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![Answer::NetworkError, CREATED]);
    let host = Host::new();
    let running = Running::start_without_timers(ENDPOINT, &host);
    saved_after_one_failure(&endpoint, &running).await;
    drop(running);
    go_online();
    sleep(Duration::from_millis(300)).await;
    assert_eq!(endpoint.calls().len(), 1, "the disposed widget sent nothing more");
    assert_eq!(saved_pledges().len(), 1, "its pledge waits for the next widget");
}

#[wasm_bindgen_test]
fn a_saved_pledge_outlines_its_gift() {
    let with_gift_aid = Pledge {
        amount: Amount::new(3_000, Currency::GBP),
        donor: Donor { country: "GB".into(), ..a_pledge().donor },
        gift_aid: Some(GiftAid {
            wording_version: GIFT_AID_WORDING_VERSION.into(),
            home_address: "1 \"High\" Street\\Flat 2\nBack door".into(),
            postcode: "SW1A 1AA".into(),
        }),
        ..a_pledge()
    };
    let village_once = Pledge { option: SponsorshipOption::OneOff, frequency: Frequency::Once, ..a_pledge() };
    for pledge in [a_pledge(), with_gift_aid, village_once] {
        let text = body::encode(&pledge).unwrap();
        assert_eq!(body::outline(&text), Some(body::Outline::of(&pledge)));
    }
    let text = body::encode(&a_pledge()).unwrap();
    for damaged in [
        String::new(),
        "null".into(),
        text.replace("\"child\"", "\"kitten\""),
        text.replace("2500", "25.5"),
        text.replace("\"EUR\"", "\"ECU\""),
        text[..text.len() - 1].to_owned(),
    ] {
        assert_eq!(body::outline(&damaged), None, "{damaged}");
    }
}

#[wasm_bindgen_test]
async fn a_pledge_is_saved_before_the_first_attempt_and_kept_when_it_fails() {
    let _clean = CleanOutbox::new();
    let host = Host::new();
    let running = Running::start(UNREACHABLE, &host);
    let pledge = a_pledge();
    running.courier.submit(pledge.clone());

    // Synchronously, before any answer could have come back.
    assert_eq!(running.status(), DeliveryStatus::Sending);
    let entry = saved(&pledge.idempotency_key).expect("saved before sending");
    let json = JSON::parse(&entry.body).unwrap();
    assert_eq!(
        Reflect::get(&json, &"idempotency_key".into()).unwrap().as_string(),
        Some(pledge.idempotency_key.clone())
    );

    let status = running.wait_for(Duration::from_secs(5), |s| matches!(s, DeliveryStatus::Saved { .. })).await;
    assert_eq!(status, DeliveryStatus::Saved { reason: FailureReason::Offline });
    assert!(saved(&pledge.idempotency_key).is_some(), "still saved after the failure");
    let errors = host.heard("sanankoroba:error");
    assert!(!errors.is_empty(), "the page hears about the failed attempt");
    assert_eq!(detail_string(&errors[0], "kind").as_deref(), Some("delivery"));
    assert!(host.heard("sanankoroba:pledge").is_empty());
}

#[wasm_bindgen_test]
async fn retries_a_temporary_failure_with_the_same_key_and_bytes_until_received() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![UNAVAILABLE, Answer::NetworkError, CREATED]);
    let host = Host::new();
    let running = Running::start(ENDPOINT, &host);
    let pledge = a_pledge();
    running.courier.submit(pledge.clone());

    // Backoff waits at most 1 s and then 2 s.
    let status = running.wait_for(Duration::from_secs(6), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    assert_eq!(status, DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() });
    assert_eq!(endpoint.calls().len(), 3);
    for call in 0..3 {
        assert_eq!(endpoint.call_field(call, "method"), "POST");
        assert_eq!(endpoint.call_field(call, "key"), pledge.idempotency_key);
        assert_eq!(endpoint.call_field(call, "type"), "application/json");
        assert_eq!(endpoint.call_field(call, "credentials"), "omit");
        assert_eq!(
            endpoint.call_field(call, "body"),
            endpoint.call_field(0, "body"),
            "every attempt sends the same bytes"
        );
    }
    assert!(outbox_items().is_empty(), "removed after the final answer");
    assert_eq!(host.heard("sanankoroba:pledge").len(), 1);
    assert_eq!(host.heard("sanankoroba:error").len(), 2, "one notice per failed attempt");
}

#[wasm_bindgen_test]
async fn a_double_submit_sends_one_pledge() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![CREATED]);
    let host = Host::new();
    let running = Running::start(ENDPOINT, &host);
    let pledge = a_pledge();
    running.courier.submit(pledge.clone());
    running.courier.submit(pledge.clone());
    running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    sleep(Duration::from_millis(100)).await;
    assert_eq!(endpoint.calls().len(), 1);
    assert_eq!(host.heard("sanankoroba:pledge").len(), 1);
}

#[wasm_bindgen_test]
async fn refused_fields_come_back_and_the_pledge_leaves_the_outbox() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![Answer::Status(
        422,
        &[("Content-Type", "application/problem+json")],
        r#"{"type":"/problems/invalid-pledge","title":"The pledge has invalid fields","status":422,"detail":"1 field was refused.","errors":[{"pointer":"/donor/email","code":"invalid_email","detail":"This is not a valid email address."}]}"#,
    )]);
    let host = Host::new();
    let running = Running::start(ENDPOINT, &host);
    running.courier.submit(a_pledge());
    let status = running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Rejected { .. })).await;
    assert_eq!(
        status,
        DeliveryStatus::Rejected {
            errors: vec![pledge::FieldError::new("/donor/email", pledge::ErrorCode::InvalidEmail)],
            detail: Some("1 field was refused.".into()),
        }
    );
    sleep(Duration::from_millis(1_500)).await;
    assert_eq!(endpoint.calls().len(), 1, "a refusal is never retried");
    assert!(outbox_items().is_empty());
    let errors = host.heard("sanankoroba:error");
    assert_eq!(errors.len(), 1);
    assert_eq!(detail_string(&errors[0], "kind").as_deref(), Some("rejected"));
    let message = detail_string(&errors[0], "message").unwrap();
    assert!(message.contains("422") && message.contains("/donor/email"), "{message}");
}

#[wasm_bindgen_test]
async fn an_invalid_pledge_is_refused_without_being_sent_or_saved() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![CREATED]);
    let host = Host::new();
    let running = Running::start(ENDPOINT, &host);
    let mut pledge = a_pledge();
    pledge.donor.email = "not an address".into();
    running.courier.submit(pledge);
    assert!(
        matches!(running.status(), DeliveryStatus::Rejected { ref errors, .. } if errors[0].pointer == "/donor/email")
    );
    tick().await;
    assert!(endpoint.calls().is_empty());
    assert!(outbox_items().is_empty());
}

/// Writes `entry` to localStorage as an earlier visit would have.
fn save_as_earlier_visit(entry: &Entry) {
    local_storage().set_item(&entry.location(), &entry.encode()).unwrap();
}

#[wasm_bindgen_test]
async fn a_saved_pledge_is_sent_once_when_widgets_load_and_expired_ones_are_deleted_and_announced() {
    let _clean = CleanOutbox::new();
    let waiting = a_pledge();
    let expired = a_pledge();
    let body = body::encode(&waiting).unwrap();
    // An earlier visit saved `waiting` a day ago, and `expired` eight days ago.
    save_as_earlier_visit(&Entry::new(&waiting.idempotency_key, ENDPOINT, &body, now_ms() - 86_400_000).unwrap());
    let old = Entry::new(
        &expired.idempotency_key,
        ENDPOINT,
        &body::encode(&expired).unwrap(),
        now_ms() - EXPIRY_MS - 86_400_000,
    )
    .unwrap();
    save_as_earlier_visit(&old);

    let endpoint = FakeEndpoint::answering(vec![CREATED]);
    let host = Host::new();
    // Two widgets on one page both look at the outbox when they load.
    let first = Running::start(ENDPOINT, &host);
    let second = Running::start(ENDPOINT, &host);
    assert!(saved(&expired.idempotency_key).is_none(), "a week-old pledge is deleted unsent");
    let started = now_ms();
    while !outbox_items().is_empty() && now_ms() - started < 3_000 {
        sleep(Duration::from_millis(20)).await;
    }
    sleep(Duration::from_millis(100)).await;
    assert!(outbox_items().is_empty(), "removed once received");
    assert_eq!(endpoint.calls().len(), 1, "one of the two widgets sent it");
    assert_eq!(endpoint.call_field(0, "key"), waiting.idempotency_key);
    assert_eq!(endpoint.call_field(0, "body"), body, "the saved bytes are what is sent");
    let pledges = host.heard("sanankoroba:pledge");
    assert_eq!(pledges.len(), 1, "the page hears of it once");
    assert_eq!(detail_string(&pledges[0], "reference").as_deref(), Some("SK-7Q2M-K9XD"));
    assert_eq!(detail_string(&pledges[0], "option").as_deref(), Some("child"), "read back from the saved text");
    assert_eq!(detail_string(&pledges[0], "currency").as_deref(), Some("EUR"));

    let expiries: Vec<CustomEvent> = host
        .heard("sanankoroba:error")
        .into_iter()
        .filter(|event| detail_string(event, "kind").as_deref() == Some("expired"))
        .collect();
    assert_eq!(expiries.len(), 1, "the page hears of the deleted pledge once");
    assert_eq!(detail_keys(&expiries[0]), ["kind", "message"]);
    let message = detail_string(&expiries[0], "message").unwrap();
    assert!(message.contains("8 days ago") && message.contains(ENDPOINT), "{message}");
    for personal in [PERSONAL.as_slice(), &[expired.idempotency_key.as_str()]].concat() {
        assert!(!message.contains(personal), "{personal} leaked into {message}");
    }
    // Neither courier's donor submitted anything during this visit.
    assert_eq!(first.status(), DeliveryStatus::Idle);
    assert_eq!(second.status(), DeliveryStatus::Idle);
}

#[wasm_bindgen_test]
async fn a_widget_sends_only_the_pledges_made_for_its_own_endpoint() {
    let _clean = CleanOutbox::new();
    let theirs = a_pledge();
    let other_endpoint = "https://another-charity.example/pledges";
    save_as_earlier_visit(
        &Entry::new(&theirs.idempotency_key, other_endpoint, &body::encode(&theirs).unwrap(), now_ms() - 1_000)
            .unwrap(),
    );

    let endpoint = FakeEndpoint::answering(vec![CREATED]);
    let host = Host::new();
    let _running = Running::start(ENDPOINT, &host);
    sleep(Duration::from_millis(300)).await;
    assert!(endpoint.calls().is_empty(), "another campaign's pledge is not sent here");
    assert!(saved(&theirs.idempotency_key).is_some(), "and it is left for its own widget");
    assert!(host.heard("sanankoroba:error").is_empty());
}

#[wasm_bindgen_test]
async fn a_pledge_saved_before_endpoints_were_recorded_is_sent_only_from_its_own_page() {
    let _clean = CleanOutbox::new();
    // Made on this very page, with this widget's partner id, and on another page.
    let here = Pledge { page_url: format!("{}?campaign=spring#form", page_address()), ..a_pledge() };
    let elsewhere = Pledge { page_url: "https://partner.example/another-campaign".into(), ..a_pledge() };
    let mut keys = Vec::new();
    for pledge in [&here, &elsewhere] {
        let body = body::encode(pledge).unwrap();
        local_storage()
            .set_item(
                &format!("{LEGACY_PREFIX}{}", pledge.idempotency_key),
                &format!("{}\t0\t{body}", now_ms() - 60_000),
            )
            .unwrap();
        keys.push(pledge.idempotency_key.clone());
    }

    let endpoint = FakeEndpoint::answering(vec![CREATED]);
    let host = Host::new();
    let _running = Running::start(ENDPOINT, &host);
    let started = now_ms();
    while endpoint.calls().is_empty() && now_ms() - started < 3_000 {
        sleep(Duration::from_millis(20)).await;
    }
    sleep(Duration::from_millis(200)).await;
    assert_eq!(endpoint.calls().len(), 1);
    assert_eq!(endpoint.call_field(0, "key"), here.idempotency_key, "only the one made on this page");
    assert_eq!(endpoint.call_field(0, "url"), ENDPOINT);
    assert!(saved(&here.idempotency_key).is_none(), "received, so removed");
    let left = saved(&elsewhere.idempotency_key).expect("the other page's pledge waits for its own page");
    assert_eq!(left.endpoint, None, "untouched");
    assert_eq!(outbox_items(), [format!("{LEGACY_PREFIX}{}", keys[1])]);
}

#[wasm_bindgen_test]
async fn nothing_is_sent_while_the_page_is_hidden_and_everything_due_once_it_is_shown() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![Answer::NetworkError, CREATED]);
    let host = Host::new();
    let running = Running::start(ENDPOINT, &host);
    running.courier.submit(a_pledge());
    running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Saved { .. })).await;
    let visibility = PageVisibility::hide();
    // The first retry is due within a second; a hidden page lets it pass.
    sleep(Duration::from_millis(1_500)).await;
    assert_eq!(endpoint.calls().len(), 1, "nothing sent while hidden");
    drop(visibility);
    let status = running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    assert_eq!(status, DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() });
    assert_eq!(endpoint.calls().len(), 2, "sent as soon as the page was shown again");
}

#[wasm_bindgen_test]
async fn leaving_the_page_sends_each_waiting_pledge_once_more_with_keepalive() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![Answer::NetworkError, UNAVAILABLE]);
    let host = Host::new();
    let running = Running::start_without_timers(ENDPOINT, &host);
    saved_after_one_failure(&endpoint, &running).await;
    let key = endpoint.call_field(0, "key");
    let window = web_sys::window().unwrap();
    window.dispatch_event(&web_sys::Event::new("pagehide").unwrap()).unwrap();
    let started = now_ms();
    while endpoint.calls().len() < 2 && now_ms() - started < 3_000 {
        sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(endpoint.calls().len(), 2);
    let keepalive = Reflect::get(&endpoint.calls()[1], &"keepalive".into()).unwrap();
    assert_eq!(keepalive.as_bool(), Some(true), "a request that outlives the page");
    assert_eq!(endpoint.call_field(1, "key"), key);
    assert_eq!(endpoint.call_field(1, "body"), endpoint.call_field(0, "body"));
    assert_eq!(endpoint.call_field(1, "credentials"), "omit");
    assert_eq!(saved(&key).map(|entry| entry.lease_until_ms), Some(0), "saved, and free for the next page");
    // A page restored from the back-forward cache goes on where it left off.
    window.dispatch_event(&web_sys::Event::new("pageshow").unwrap()).unwrap();
    sleep(Duration::from_millis(300)).await;
    assert_eq!(endpoint.calls().len(), 3);
}

/// Makes the page report itself hidden, as a background tab does, until dropped.
struct PageVisibility;

impl PageVisibility {
    fn hide() -> PageVisibility {
        PageVisibility::set(true);
        PageVisibility
    }

    fn set(hidden: bool) {
        let descriptor = Object::new();
        Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
        Reflect::set(&descriptor, &"value".into(), &JsValue::from_bool(hidden)).unwrap();
        Object::define_property(document().unchecked_ref::<Object>(), &"hidden".into(), &descriptor);
        document().dispatch_event(&web_sys::Event::new("visibilitychange").unwrap()).unwrap();
    }
}

impl Drop for PageVisibility {
    fn drop(&mut self) {
        // The page's own property, on its prototype, shows through again.
        Reflect::delete_property(document().unchecked_ref::<Object>(), &"hidden".into()).unwrap();
        document().dispatch_event(&web_sys::Event::new("visibilitychange").unwrap()).unwrap();
    }
}

#[wasm_bindgen_test]
async fn answers_from_proxies_and_cdns_keep_the_pledge_until_the_endpoint_answers() {
    let _clean = CleanOutbox::new();
    let endpoint = FakeEndpoint::answering(vec![
        Answer::Status(520, &[("Content-Type", "text/html")], "<h1>Web server is down</h1>"),
        Answer::Status(404, &[("Content-Type", "text/html")], "<h1>Not Found</h1>"),
        Answer::Status(422, &[("Content-Type", "text/html")], "<p>Unprocessable</p>"),
        Answer::Status(200, &[("Content-Type", "text/html")], "<html>Wi-Fi login</html>"),
        CREATED,
    ]);
    let host = Host::new();
    let running = Running::start_quick(ENDPOINT, &host);
    let pledge = a_pledge();
    running.courier.submit(pledge.clone());
    let status = running.wait_for(Duration::from_secs(5), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    assert_eq!(status, DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() });
    assert_eq!(endpoint.calls().len(), 5);
    let kinds: Vec<Option<String>> =
        host.heard("sanankoroba:error").iter().map(|event| detail_string(event, "kind")).collect();
    assert_eq!(kinds, vec![Some("delivery".to_owned()); 4], "none of them was a refusal");
    assert!(outbox_items().is_empty());
}

#[wasm_bindgen_test]
async fn the_pledge_event_crosses_shadow_boundaries_without_personal_data() {
    // A partner's own component wraps the widget: the event must leave its shadow root too.
    let outer: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&outer).unwrap();
    let outer_shadow = outer.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).unwrap();
    let widget: HtmlElement = document().create_element("sanankoroba-widget").unwrap().unchecked_into();
    outer_shadow.append_child(&widget).unwrap();
    let heard = Rc::new(RefCell::new(Vec::<CustomEvent>::new()));
    let sink = heard.clone();
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        sink.borrow_mut().push(event.unchecked_into());
    });
    outer.add_event_listener_with_callback("sanankoroba:pledge", listener.as_ref().unchecked_ref()).unwrap();

    let pledge = a_pledge();
    HostEvents::new(widget.clone()).pledge("SK-7Q2M-K9XD", &body::Outline::of(&pledge));

    let heard = heard.borrow();
    assert_eq!(heard.len(), 1, "the listener outside both shadow roots heard it");
    let event = &heard[0];
    assert!(event.bubbles() && event.composed());
    assert_eq!(detail_keys(event), ["amount_minor_units", "currency", "frequency", "option", "reference"]);
    assert_eq!(detail_string(event, "reference").as_deref(), Some("SK-7Q2M-K9XD"));
    assert_eq!(detail_string(event, "option").as_deref(), Some("child"));
    assert_eq!(detail_string(event, "frequency").as_deref(), Some("monthly"));
    assert_eq!(detail_string(event, "currency").as_deref(), Some("EUR"));
    assert_eq!(Reflect::get(&event.detail(), &"amount_minor_units".into()).unwrap().as_f64(), Some(2_500.0));
    let detail = JSON::stringify(&event.detail()).unwrap().as_string().unwrap();
    let private =
        [PERSONAL.as_slice(), &[pledge.idempotency_key.as_str(), "partner.example", "bamako-friends"]].concat();
    for personal in private {
        assert!(!detail.contains(personal), "{personal} leaked into {detail}");
    }
    outer.remove();
}

#[wasm_bindgen_test]
async fn a_full_storage_still_sends_and_says_the_pledge_is_not_saved() {
    let _clean = CleanOutbox::new();
    let filler = FillStorage::until_full();
    let endpoint = FakeEndpoint::answering(vec![UNAVAILABLE, CREATED]);
    let host = Host::new();
    let running = Running::start(ENDPOINT, &host);
    running.courier.submit(a_pledge());
    let status = running.wait_for(Duration::from_secs(3), |s| matches!(s, DeliveryStatus::Unsaved { .. })).await;
    assert_eq!(status, DeliveryStatus::Unsaved { reason: FailureReason::ServerUnavailable(503) });
    assert!(outbox_items().is_empty());
    let message = detail_string(&host.heard("sanankoroba:error")[0], "message").unwrap();
    assert!(message.contains("would not save"), "{message}");
    drop(filler);
    let status = running.wait_for(Duration::from_secs(4), |s| matches!(s, DeliveryStatus::Received { .. })).await;
    assert_eq!(status, DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() });
    assert_eq!(endpoint.calls().len(), 2);
}

/// Fills this origin's localStorage to the last character, so the next write fails with a
/// quota error as it does on a full or restricted browser; empties it again when dropped.
struct FillStorage {
    keys: Vec<String>,
}

impl FillStorage {
    fn until_full() -> FillStorage {
        let storage = local_storage();
        let mut keys = Vec::new();
        let mut chunk = 1 << 20;
        while chunk > 0 {
            let key = format!("sk-test-filler-{}", keys.len());
            if storage.set_item(&key, &"x".repeat(chunk)).is_ok() {
                keys.push(key);
            } else {
                chunk /= 2;
            }
        }
        FillStorage { keys }
    }
}

impl Drop for FillStorage {
    fn drop(&mut self) {
        for key in &self.keys {
            let _ = local_storage().remove_item(key);
        }
    }
}

#[wasm_bindgen_test]
fn a_retry_after_date_is_read_by_the_browser() {
    use sanankoroba_widget::delivery::http_date;
    // 1994-11-06T08:49:37Z, the example of RFC 9110.
    assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
    assert_eq!(http_date("Fri, 01 Mar 2024 00:00:00 GMT"), Some(1_709_251_200_000), "after a leap day");
    assert_eq!(http_date("not a date GMT"), None);
    let verdict = sanankoroba_widget::delivery::answer::verdict(
        &sanankoroba_widget::delivery::answer::Attempt::Answered(sanankoroba_widget::delivery::answer::Reply {
            status: 503,
            problem: true,
            retry_after: Some("Sun, 06 Nov 1994 08:50:37 GMT".into()),
            ..Default::default()
        }),
        784_111_777_000,
        http_date,
    );
    assert_eq!(
        verdict,
        sanankoroba_widget::delivery::answer::Verdict::Retry {
            reason: FailureReason::ServerUnavailable(503),
            retry_after_ms: Some(60_000)
        }
    );
}
