//! The courier in the browser: it turns what happens in the page into [`Event`]s for
//! [`Dispatch`], and carries out the [`Command`]s that come back with localStorage, timers and
//! `fetch`. It decides nothing itself.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use pledge::Pledge;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

use super::answer::verdict;
use super::dispatch::{Command, Dispatch, Event, OutboxItem, Setup};
use super::retry::RetryPolicy;
use super::storage::OutboxStore;
use super::timer::Timer;
use super::{body, transport, DeliveryStatus};
use crate::embed::{endpoint_href, page_address, HostEvents};

/// The widget element's tag, to find the other widgets on the page.
const WIDGET_TAG: &str = "sanankoroba-widget";

thread_local! {
    /// Which courier on this page delivers which pledge. Every widget on a page shares one
    /// outbox; this keeps two of them from sending the same pledge side by side, and from
    /// both announcing it to the page. A page holds a handful of pledges at most, so a list
    /// does; a hash map would bring its hasher and tables into the wasm.
    static CLAIMS: RefCell<Vec<(u32, String)>> = const { RefCell::new(Vec::new()) };
    /// The endpoint of every courier alive on this page.
    static LIVE: RefCell<Vec<(u32, String)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// Delivers this widget's pledges and reports the status of the one its donor submitted.
/// Cheap to clone; every clone drives the same deliveries.
#[derive(Clone)]
pub struct Courier {
    status: RwSignal<DeliveryStatus>,
    // Reactive context asks for Send + Sync; the widget only ever runs on the page's thread.
    shell: SendWrapper<Rc<Shell>>,
}

impl Courier {
    /// Starts delivery for the widget whose pledges go to `endpoint` (as the browser's URL
    /// parser writes it) with partner id `partner`, and sends whatever the outbox holds for
    /// it. Call it under the widget's reactive owner: its listeners and timers go when that
    /// owner is disposed of.
    pub fn new(endpoint: &str, partner: &str, events: HostEvents) -> Courier {
        Courier::with_policy(endpoint, partner, events, RetryPolicy::default())
    }

    /// [`Courier::new`] with other waits between attempts.
    pub fn with_policy(endpoint: &str, partner: &str, events: HostEvents, policy: RetryPolicy) -> Courier {
        let setup = Setup { endpoint: endpoint.to_owned(), partner: partner.to_owned(), page: page_address(), policy };
        let status = RwSignal::new(DeliveryStatus::Idle);
        let id = NEXT_ID.with(|next| next.replace(next.get().wrapping_add(1)));
        LIVE.with(|live| live.borrow_mut().push((id, setup.endpoint.clone())));
        let shell = Rc::new(Shell {
            id,
            dispatch: RefCell::new(Dispatch::new(setup)),
            store: OutboxStore::local(),
            status,
            events,
            timers: RefCell::new(Vec::new()),
            lease_watch: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
        });
        listen(&shell);
        let stopping = SendWrapper::new(shell.clone());
        on_cleanup(move || stop(&stopping));
        wake(&shell);
        Courier { status, shell: SendWrapper::new(shell) }
    }

    /// Saves `pledge` to the outbox, then sends it. A pledge whose idempotency key is already
    /// being delivered is not sent a second time: submitting it again only retries it now.
    pub fn submit(&self, pledge: Pledge) {
        if let Err(errors) = pledge.validate() {
            self.status.set(DeliveryStatus::Rejected { errors, detail: None });
            return;
        }
        let Some(body) = body::encode(&pledge) else {
            let detail = Some("This browser could not write the pledge as JSON.".to_owned());
            self.status.set(DeliveryStatus::Rejected { errors: Vec::new(), detail });
            return;
        };
        run(&self.shell, Event::Submitted { key: pledge.idempotency_key, body });
    }

    /// The status of the pledge last submitted through this courier during this visit.
    pub fn status(&self) -> Signal<DeliveryStatus> {
        self.status.into()
    }

    /// Tries every waiting pledge again at once, when the donor asks to, instead of waiting for
    /// the next retry. A wait the endpoint asked for with `Retry-After` is still honoured.
    pub fn retry_now(&self) {
        wake(&self.shell);
    }
}

struct Shell {
    /// This courier among the others on the page, for claims.
    id: u32,
    dispatch: RefCell<Dispatch>,
    store: OutboxStore,
    status: RwSignal<DeliveryStatus>,
    events: HostEvents,
    timers: RefCell<Vec<(String, Timer)>>,
    lease_watch: RefCell<Option<Timer>>,
    listeners: RefCell<Vec<Listener>>,
}

/// A page event listener, removed when the courier stops.
struct Listener {
    target: EventTarget,
    name: &'static str,
    callback: Closure<dyn FnMut()>,
}

/// Hands `event` to the dispatch, then carries out its commands, and those of the events the
/// commands answer with. No borrow is held while a command runs: a host page's listener may
/// unmount the widget from inside an event.
fn run(shell: &Rc<Shell>, event: Event) {
    let mut pending = VecDeque::from([event]);
    while let Some(event) = pending.pop_front() {
        let commands = shell.dispatch.borrow_mut().handle(event, now_ms());
        for command in commands {
            pending.extend(execute(shell, command));
        }
    }
}

fn execute(shell: &Rc<Shell>, command: Command) -> Option<Event> {
    match command {
        Command::Save(entry) => {
            let key = entry.key.clone();
            return Some(Event::Saved { key, entry: shell.store.save(entry).ok() });
        }
        // A write that fails changes nothing the next wake cannot mend: a pledge not taken on
        // stays under its old key, a lease not written lapses, an item not removed is answered
        // as a replay.
        Command::TakeOn(entry) => {
            let _ = shell.store.take_on(&entry);
        }
        Command::Lease { key, until_ms } => {
            let _ = shell.store.lease(&key, until_ms);
        }
        Command::Remove { key } => {
            let _ = shell.store.remove(&key);
        }
        Command::Send { endpoint, key, body, keepalive: true } => transport::post_keepalive(&endpoint, &key, &body),
        Command::Send { endpoint, key, body, keepalive: false } => {
            // The attempt keeps the courier alive until it settles, even if the widget goes
            // meanwhile, so that a final answer still empties the outbox.
            let shell = shell.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let attempt = transport::post(&endpoint, &key, &body).await;
                let verdict = verdict(&attempt, now_ms(), transport::http_date);
                run(&shell, Event::Answered { key, verdict, unit: js_sys::Math::random() });
            });
        }
        Command::Schedule { key, delay_ms } => {
            let weak = Rc::downgrade(shell);
            let fired = key.clone();
            let timer = Timer::after(delay_ms, move || {
                upgrade_and(&weak, |shell| run(shell, Event::TimerFired { key: fired }))
            });
            let mut timers = shell.timers.borrow_mut();
            timers.retain(|(scheduled, _)| *scheduled != key);
            timers.extend(timer.map(|timer| (key, timer)));
        }
        Command::Unschedule { key } => shell.timers.borrow_mut().retain(|(scheduled, _)| *scheduled != key),
        Command::WakeAfter(delay_ms) => {
            let weak = Rc::downgrade(shell);
            let timer = delay_ms.and_then(|delay_ms| Timer::after(delay_ms, move || upgrade_and(&weak, wake)));
            *shell.lease_watch.borrow_mut() = timer;
        }
        Command::Claim { key } => CLAIMS.with(|claims| {
            let mut claims = claims.borrow_mut();
            if !claims.iter().any(|(id, claimed)| *id == shell.id && *claimed == key) {
                claims.push((shell.id, key));
            }
        }),
        Command::Release { key } => {
            CLAIMS.with(|claims| claims.borrow_mut().retain(|(id, claimed)| !(*id == shell.id && *claimed == key)))
        }
        Command::Status(status) => {
            let _ = shell.status.try_set(status);
        }
        Command::Received { reference, body } => {
            // The text was written from a `Pledge`, so it reads back; were it damaged, the
            // pledge still arrived, and only the page's notice is lost.
            if let Some(outline) = body::outline(&body) {
                shell.events.pledge(&reference, &outline);
            }
        }
        Command::Problem { kind, message } => shell.events.error(kind.as_str(), &message),
    }
    None
}

/// Shows the dispatch the outbox as it is now, without the pledges other widgets on this page
/// are delivering.
fn wake(shell: &Rc<Shell>) {
    let items = shell
        .store
        .entries()
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| !claimed_by_another(shell.id, &entry.key))
        .map(|entry| {
            let provenance = entry.endpoint.is_none().then(|| body::provenance(&entry.body)).flatten();
            OutboxItem { entry, provenance }
        })
        .collect();
    let visible = !document_hidden();
    let endpoint = shell.dispatch.borrow().setup().endpoint.clone();
    run(shell, Event::Woken { items, visible, sole_endpoint: sole_endpoint(&endpoint) });
}

fn claimed_by_another(own: u32, key: &str) -> bool {
    CLAIMS.with(|claims| claims.borrow().iter().any(|(id, claimed)| *id != own && claimed == key))
}

/// Whether every widget on this page, mounted or still waiting to load, sends to `endpoint`.
fn sole_endpoint(endpoint: &str) -> bool {
    let mounted_agree = LIVE.with(|live| live.borrow().iter().all(|(_, other)| other == endpoint));
    let Ok(elements) = document().query_selector_all(WIDGET_TAG) else {
        return false;
    };
    let elements_agree = (0..elements.length())
        .filter_map(|index| elements.item(index)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|element| element.get_attribute("endpoint"))
        .all(|other| endpoint_href(&other).as_deref() == Some(endpoint));
    mounted_agree && elements_agree
}

/// Sends what is due when the browser comes back online or the page is shown again, stops
/// sending while it is hidden, and makes one last attempt when it goes away.
fn listen(shell: &Rc<Shell>) {
    let Some(window) = web_sys::window() else { return };
    let document = document();
    let weak = Rc::downgrade(shell);
    let on = |target: &EventTarget, name: &'static str, react: fn(&Rc<Shell>)| {
        let weak: Weak<Shell> = weak.clone();
        let callback = Closure::<dyn FnMut()>::new(move || upgrade_and(&weak, react));
        let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
        Listener { target: target.clone(), name, callback }
    };
    let listeners = vec![
        on(&window, "online", wake),
        // A page restored from the back-forward cache is shown again without loading.
        on(&window, "pageshow", wake),
        on(&window, "pagehide", |shell| run(shell, Event::Leaving)),
        on(&document, "visibilitychange", |shell| match document_hidden() {
            true => run(shell, Event::Hidden),
            false => wake(shell),
        }),
    ];
    *shell.listeners.borrow_mut() = listeners;
}

/// The widget is going: no more listeners or timers, and other widgets may take its pledges on.
fn stop(shell: &Rc<Shell>) {
    run(shell, Event::Stopped);
    for Listener { target, name, callback } in shell.listeners.take() {
        let _ = target.remove_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
    }
    shell.timers.borrow_mut().clear();
    LIVE.with(|live| live.borrow_mut().retain(|(id, _)| *id != shell.id));
}

fn upgrade_and(weak: &Weak<Shell>, run: impl FnOnce(&Rc<Shell>)) {
    if let Some(shell) = weak.upgrade() {
        run(&shell);
    }
}

fn document_hidden() -> bool {
    document().hidden()
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
