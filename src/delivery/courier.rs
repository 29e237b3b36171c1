//! The courier: it saves a pledge, sends it, and decides after each attempt what happens next.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use pledge::Pledge;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

use super::answer::{verdict, Verdict};
use super::outbox::{Entry, LEASE_MS};
use super::retry::RetryPolicy;
use super::storage::OutboxStore;
use super::timer::Timer;
use super::{body, transport, DeliveryStatus, FailureReason};
use crate::embed::HostEvents;

thread_local! {
    /// Keys that some courier on this page is delivering. Every widget on a page shares one
    /// outbox; this keeps two of them from sending the same pledge side by side, and from
    /// both announcing it to the page. A page holds a handful of pledges at most, so a list
    /// does; a hash set would bring its hasher and tables into the wasm.
    static CLAIMED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn claim(key: &str) {
    CLAIMED.with(|claimed| {
        let mut claimed = claimed.borrow_mut();
        if !claimed.iter().any(|claimed| claimed == key) {
            claimed.push(key.to_owned());
        }
    });
}

fn release(key: &str) {
    CLAIMED.with(|claimed| claimed.borrow_mut().retain(|claimed| claimed != key));
}

/// Delivers pledges and reports their status. Cheap to clone; every clone drives the same
/// deliveries.
#[derive(Clone)]
pub struct Courier {
    status: RwSignal<DeliveryStatus>,
    // Reactive context asks for Send + Sync; the widget only ever runs on the page's thread.
    engine: SendWrapper<Rc<RefCell<Engine>>>,
}

impl Courier {
    /// Starts delivery for one widget, and resends whatever the outbox holds, now and whenever
    /// the browser comes back online. Call it under the widget's reactive owner: its listener
    /// and timers go when that owner is disposed of.
    pub fn new(endpoint: &str, events: HostEvents) -> Courier {
        Courier::with_policy(endpoint, events, RetryPolicy::default())
    }

    /// [`Courier::new`] with other limits on retrying.
    pub fn with_policy(endpoint: &str, events: HostEvents, policy: RetryPolicy) -> Courier {
        let status = RwSignal::new(DeliveryStatus::Idle);
        let engine = Rc::new(RefCell::new(Engine {
            endpoint: endpoint.to_owned(),
            events,
            store: OutboxStore::local(),
            policy,
            status,
            own_key: None,
            deliveries: Vec::new(),
            online: None,
            lease_check: None,
            stopped: false,
        }));
        let weak = Rc::downgrade(&engine);
        let online = Closure::<dyn FnMut()>::new(move || {
            if let Some(engine) = weak.upgrade() {
                wake(&engine);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        }
        engine.borrow_mut().online = Some(online);
        let stopping = SendWrapper::new(engine.clone());
        on_cleanup(move || stop(&stopping));
        wake(&engine);
        Courier { status, engine: SendWrapper::new(engine) }
    }

    /// Saves `pledge` to the outbox, then sends it. A pledge whose idempotency key is already
    /// being delivered is not sent a second time: submitting it again only retries it now,
    /// with the text saved first.
    pub fn submit(&self, pledge: Pledge) {
        if let Err(errors) = pledge.validate() {
            self.status.set(DeliveryStatus::Rejected { errors, detail: None });
            return;
        }
        let key = pledge.idempotency_key.clone();
        let known = {
            let mut engine = self.engine.borrow_mut();
            engine.own_key = Some(key.clone());
            engine.deliveries.iter().any(|delivery| delivery.key == key)
        };
        if !known {
            let Some(text) = body::encode(&pledge) else {
                let detail = Some("This browser could not write the pledge as JSON.".to_owned());
                self.status.set(DeliveryStatus::Rejected { errors: Vec::new(), detail });
                return;
            };
            let mut delivery = Delivery::new(key.clone(), text, now_ms());
            delivery.save(&self.engine.borrow().store);
            claim(&key);
            self.engine.borrow_mut().deliveries.push(delivery);
        }
        attempt(&self.engine, &key);
    }

    /// The status of the pledge last submitted through this courier during this visit.
    pub fn status(&self) -> Signal<DeliveryStatus> {
        self.status.into()
    }

    /// Tries every waiting pledge again at once, when the donor asks to, instead of waiting for
    /// the next retry. A wait the endpoint asked for with `Retry-After` is still honoured.
    pub fn retry_now(&self) {
        wake(&self.engine);
    }
}

struct Engine {
    endpoint: String,
    events: HostEvents,
    store: OutboxStore,
    policy: RetryPolicy,
    status: RwSignal<DeliveryStatus>,
    /// The key of the pledge the donor submitted through this widget.
    own_key: Option<String>,
    deliveries: Vec<Delivery>,
    online: Option<Closure<dyn FnMut()>>,
    /// Wakes the courier when another tab's lease on a saved pledge runs out.
    lease_check: Option<Timer>,
    stopped: bool,
}

/// One pledge this courier is delivering.
struct Delivery {
    key: String,
    body: String,
    created_at_ms: u64,
    /// Whether the outbox holds it; if not, it lives only as long as this page.
    saved: bool,
    attempts: u32,
    in_flight: bool,
    /// The endpoint's `Retry-After`, as Unix ms.
    not_before_ms: u64,
    retry: Option<Timer>,
}

impl Delivery {
    fn new(key: String, body: String, created_at_ms: u64) -> Delivery {
        Delivery { key, body, created_at_ms, saved: false, attempts: 0, in_flight: false, not_before_ms: 0, retry: None }
    }

    /// Writes the pledge to the outbox. If the outbox already has this key, its text is the
    /// one sent: it may already have reached the receiver.
    fn save(&mut self, store: &OutboxStore) {
        let Some(entry) = Entry::new(&self.key, &self.body, self.created_at_ms) else {
            return;
        };
        if let Ok(saved) = store.save(entry) {
            self.body = saved.body;
            self.created_at_ms = saved.created_at_ms;
            self.saved = true;
        }
    }
}

/// Forgets expired pledges, takes on saved ones that nobody is sending, and sends every
/// pledge that is not already on its way or asked to wait.
fn wake(engine: &Rc<RefCell<Engine>>) {
    let now = now_ms();
    let mut state = engine.borrow_mut();
    if state.stopped {
        return;
    }
    let _ = state.store.remove_expired(now);
    let saved = state.store.entries().unwrap_or_default();
    let mut lease_ends: Option<u64> = None;
    for entry in saved {
        let taken = state.deliveries.iter().any(|delivery| delivery.key == entry.key)
            || CLAIMED.with(|claimed| claimed.borrow().contains(&entry.key));
        if taken {
            continue;
        }
        if entry.is_leased(now) {
            lease_ends = Some(lease_ends.map_or(entry.lease_until_ms, |end| end.min(entry.lease_until_ms)));
            continue;
        }
        claim(&entry.key);
        let mut delivery = Delivery::new(entry.key, entry.body, entry.created_at_ms);
        delivery.saved = true;
        state.deliveries.push(delivery);
    }
    // Another tab is sending those; if it closes mid-attempt, its lease runs out and this
    // courier takes the pledge on then.
    let weak = Rc::downgrade(engine);
    state.lease_check = lease_ends.and_then(|end| Timer::after(end - now + 500, move || upgrade_and(&weak, wake)));
    let due: Vec<String> = state
        .deliveries
        .iter()
        .filter(|delivery| !delivery.in_flight && delivery.not_before_ms <= now)
        .map(|delivery| delivery.key.clone())
        .collect();
    drop(state);
    for key in due {
        attempt(engine, &key);
    }
}

fn attempt(engine: &Rc<RefCell<Engine>>, key: &str) {
    let now = now_ms();
    let mut state = engine.borrow_mut();
    let Engine { deliveries, store, endpoint, own_key, status, .. } = &mut *state;
    let Some(delivery) = deliveries.iter_mut().find(|delivery| delivery.key == key) else {
        return;
    };
    if delivery.in_flight {
        return;
    }
    delivery.in_flight = true;
    delivery.retry = None;
    delivery.attempts += 1;
    if delivery.saved {
        let _ = store.lease(key, now + LEASE_MS);
    }
    let (endpoint, key, body) = (endpoint.clone(), key.to_owned(), delivery.body.clone());
    if own_key.as_deref() == Some(key.as_str()) {
        status.try_set(DeliveryStatus::Sending);
    }
    drop(state);
    let weak = Rc::downgrade(engine);
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = verdict(&transport::post(&endpoint, &key, &body).await, now_ms());
        match weak.upgrade() {
            Some(engine) => settle(&engine, &key, outcome),
            None => settle_unattended(&key, &outcome),
        }
    });
}

fn settle(engine: &Rc<RefCell<Engine>>, key: &str, outcome: Verdict) {
    let now = now_ms();
    let mut state = engine.borrow_mut();
    let Some(index) = state.deliveries.iter().position(|delivery| delivery.key == key) else {
        return;
    };
    let own = state.own_key.as_deref() == Some(key);
    let (events, status) = (state.events.clone(), state.status);
    match outcome {
        Verdict::Received { reference } => {
            let delivery = state.deliveries.remove(index);
            finish(&state.store, key);
            drop(state);
            if own {
                status.try_set(DeliveryStatus::Received { reference: reference.clone() });
            }
            // The text was written from a `Pledge`, so it reads back; were it damaged, the
            // pledge still arrived, and only the page's notice is lost.
            if let Some(outline) = body::outline(&delivery.body) {
                events.pledge(&reference, &outline);
            }
        }
        Verdict::Rejected { status: code, errors, detail } => {
            state.deliveries.remove(index);
            finish(&state.store, key);
            drop(state);
            // Pointers and codes only: the endpoint's own text may quote what the donor typed.
            let fields: Vec<String> = errors.iter().map(|e| format!("{} ({})", e.pointer, e.code.name())).collect();
            let message = format!("The endpoint refused the pledge with HTTP {code}. Refused fields: [{}].", fields.join(", "));
            if own {
                status.try_set(DeliveryStatus::Rejected { errors, detail });
            }
            events.error("rejected", &message);
        }
        Verdict::Retry { reason, retry_after_ms } => {
            let stopped = state.stopped;
            let policy = state.policy;
            let store = state.store.clone();
            let delivery = &mut state.deliveries[index];
            delivery.in_flight = false;
            delivery.not_before_ms = retry_after_ms.map_or(0, |wait| now.saturating_add(wait));
            if delivery.saved {
                // Free for another tab to try while this one waits.
                let _ = store.lease(key, 0);
            } else {
                // Storage may have room again, so try once more to keep the pledge safe.
                delivery.save(&store);
            }
            let saved = delivery.saved;
            let delay = policy.next_delay_ms(delivery.attempts, retry_after_ms, js_sys::Math::random());
            let weak = Rc::downgrade(engine);
            let key_again = key.to_owned();
            delivery.retry = delay
                .filter(|_| !stopped)
                .and_then(|delay| Timer::after(delay, move || upgrade_and(&weak, |engine| attempt(engine, &key_again))));
            drop(state);
            if own {
                status.try_set(if saved { DeliveryStatus::Saved { reason } } else { DeliveryStatus::Unsaved { reason } });
            }
            let kept = if saved {
                "it is saved in this browser and will be sent again"
            } else {
                "this browser would not save it, so it will be sent again only while the page stays open"
            };
            events.error("delivery", &format!("The pledge was not delivered yet ({}); {kept}.", describe(reason)));
        }
    }
}

/// An attempt that ended after its widget was unmounted: the outbox is still kept right.
fn settle_unattended(key: &str, outcome: &Verdict) {
    if !matches!(outcome, Verdict::Retry { .. }) {
        finish(&OutboxStore::local(), key);
    }
}

/// The endpoint gave its final answer: the pledge leaves the outbox and this page's claims.
fn finish(store: &OutboxStore, key: &str) {
    let _ = store.remove(key);
    release(key);
}

/// The widget is going: no more timers or listeners, and other widgets may take its pledges on.
fn stop(engine: &Rc<RefCell<Engine>>) {
    let mut state = engine.borrow_mut();
    state.stopped = true;
    state.lease_check = None;
    if let (Some(online), Some(window)) = (state.online.take(), web_sys::window()) {
        let _ = window.remove_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    }
    for delivery in &mut state.deliveries {
        delivery.retry = None;
        release(&delivery.key);
    }
}

fn upgrade_and(weak: &Weak<RefCell<Engine>>, run: impl FnOnce(&Rc<RefCell<Engine>>)) {
    if let Some(engine) = weak.upgrade() {
        run(&engine);
    }
}

fn describe(reason: FailureReason) -> String {
    match reason {
        FailureReason::Offline => "the endpoint could not be reached".to_owned(),
        FailureReason::Timeout => "no answer within 10 s".to_owned(),
        FailureReason::ServerUnavailable(code) => format!("HTTP {code}"),
        FailureReason::TooManyRequests => "HTTP 429".to_owned(),
        FailureReason::UnexpectedAnswer(code) => format!("HTTP {code} without a reference"),
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
