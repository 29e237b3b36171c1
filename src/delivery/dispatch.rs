//! Every decision the courier makes, as a plain state machine: an [`Event`] goes in, and the
//! [`Command`]s that carry it out come back.
//!
//! Nothing here touches the browser. [`super::Courier`] turns what happens in the page (a
//! pledge confirmed, an answer, a timer, the page hidden, shown or left, the browser back
//! online) into events, and executes the commands with localStorage, timers and `fetch`. Every
//! rule of delivery is therefore tested natively, as the donor's flow is:
//!
//! - a pledge is saved before its first attempt, and leaves the outbox only on a final answer;
//! - it is only ever sent to the endpoint it was made for;
//! - while the page is open there is no last attempt, only a longer wait, and nothing is sent
//!   while the page is hidden;
//! - when the page goes away, each pledge gets one last attempt that outlives the page;
//! - a pledge saved more than a week ago is deleted, and the page is told.

use super::answer::Verdict;
use super::outbox::{Entry, LEASE_MS};
use super::retry::RetryPolicy;
use super::{DeliveryStatus, FailureReason};

/// After another tab's lease runs out, wait this much longer before taking its pledge on, so
/// that a tab which is still answering can remove it first.
pub const LEASE_GRACE_MS: u64 = 500;

const DAY_MS: u64 = 24 * 60 * 60 * 1_000;

/// What the courier knows about its widget and the page it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Where this widget's pledges go, as the browser's URL parser writes it.
    pub endpoint: String,
    /// The partner id this widget puts in its pledges.
    pub partner: String,
    /// The origin and path of this page.
    pub page: String,
    pub policy: RetryPolicy,
}

/// Where a pledge was made: its partner id and the origin and path of its page, read from its
/// body. Only items saved before endpoints were recorded need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub partner: String,
    pub page: String,
}

/// One item of the outbox, as the courier is shown it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub entry: Entry,
    /// For a legacy item (no endpoint recorded), where its pledge was made, when its body says.
    pub provenance: Option<Provenance>,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The donor confirmed a valid pledge, written as `body`.
    Submitted { key: String, body: String },
    /// The outbox's answer to [`Command::Save`]: what it holds for the pledge now (the first
    /// saved bytes win), or `None` when the browser would not store it.
    Saved { key: String, entry: Option<Entry> },
    /// The outbox as it is now. The shell reads it when the widget starts, when the browser
    /// comes back online, when the page is shown again, when the donor asks to try again and
    /// when another tab's lease has run out. Items other widgets on this page are delivering
    /// are left out.
    Woken {
        items: Vec<OutboxItem>,
        /// Whether the page is visible.
        visible: bool,
        /// Whether every widget on this page sends to this widget's endpoint. Only then may a
        /// legacy item, which does not say where it was going, be sent from this page.
        sole_endpoint: bool,
    },
    /// An attempt ended. `unit` is a uniformly random number in `[0, 1)` for the next wait.
    Answered { key: String, verdict: Verdict, unit: f64 },
    /// The wait [`Command::Schedule`] asked for is over.
    TimerFired { key: String },
    /// The page was hidden: another tab, a minimised window, a locked phone.
    Hidden,
    /// The page is going away, or into the browser's back-forward cache.
    Leaving,
    /// The widget was removed from the page.
    Stopped,
}

/// What to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Write the entry to the outbox unless its key is there already, and answer with
    /// [`Event::Saved`].
    Save(Entry),
    /// Rewrite a legacy item as this entry, which records its endpoint.
    TakeOn(Entry),
    /// Mark the saved pledge as being sent by this tab until `until_ms`; 0 frees it.
    Lease { key: String, until_ms: u64 },
    /// Delete the pledge from the outbox.
    Remove { key: String },
    /// POST `body` to `endpoint` and answer with [`Event::Answered`]; with `keepalive`, as a
    /// request that outlives the page, whose answer nobody waits for.
    Send { endpoint: String, key: String, body: String, keepalive: bool },
    /// Fire [`Event::TimerFired`] for `key` after `delay_ms`, replacing its earlier timer.
    Schedule { key: String, delay_ms: u64 },
    /// Cancel `key`'s timer.
    Unschedule { key: String },
    /// Read the outbox again after this long (another tab's lease ends); `None` cancels.
    WakeAfter(Option<u64>),
    /// Tell the other widgets on this page that this one is delivering `key`.
    Claim { key: String },
    /// Withdraw that claim.
    Release { key: String },
    /// What the donor is told about the pledge they submitted through this widget.
    Status(DeliveryStatus),
    /// Tell the host page that the pledge in `body` was received as `reference`.
    Received { reference: String, body: String },
    /// Tell the host page's developers what went wrong. Never carries personal data.
    Problem { kind: ProblemKind, message: String },
}

/// The `kind` of a `sanankoroba:error` event about delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The endpoint refused a pledge for good.
    Rejected,
    /// An attempt failed; the pledge will be sent again.
    Delivery,
    /// A pledge saved a week ago or more was deleted unsent.
    Expired,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Rejected => "rejected",
            ProblemKind::Delivery => "delivery",
            ProblemKind::Expired => "expired",
        }
    }
}

/// One pledge this courier is delivering.
#[derive(Clone, Debug, PartialEq)]
struct Parcel {
    key: String,
    body: String,
    /// Whether the outbox holds it; if not, it lives only as long as this page.
    saved: bool,
    failures: u32,
    last_failure: Option<FailureReason>,
    in_flight: bool,
    /// The endpoint's `Retry-After`, as Unix ms: nothing is sent before it.
    not_before_ms: u64,
}

impl Parcel {
    fn new(key: String, body: String, saved: bool) -> Parcel {
        Parcel { key, body, saved, failures: 0, last_failure: None, in_flight: false, not_before_ms: 0 }
    }
}

/// The courier's state and rules. See the module documentation.
#[derive(Clone, Debug)]
pub struct Dispatch {
    setup: Setup,
    /// The key of the pledge the donor submitted through this widget.
    own_key: Option<String>,
    parcels: Vec<Parcel>,
    visible: bool,
    stopped: bool,
}

impl Dispatch {
    pub fn new(setup: Setup) -> Dispatch {
        Dispatch { setup, own_key: None, parcels: Vec::new(), visible: true, stopped: false }
    }

    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Whether this courier is delivering the pledge with key `key`.
    pub fn holds(&self, key: &str) -> bool {
        self.parcels.iter().any(|parcel| parcel.key == key)
    }

    /// Applies `event`, which happened at `now_ms` (Unix ms), and returns what to do, in order.
    pub fn handle(&mut self, event: Event, now_ms: u64) -> Vec<Command> {
        if self.stopped && !matches!(event, Event::Answered { .. }) {
            return Vec::new();
        }
        match event {
            Event::Submitted { key, body } => self.submitted(key, body, now_ms),
            Event::Saved { key, entry } => self.saved(&key, entry, now_ms),
            Event::Woken { items, visible, sole_endpoint } => self.woken(items, visible, sole_endpoint, now_ms),
            Event::Answered { key, verdict, unit } => self.answered(&key, verdict, unit, now_ms),
            Event::TimerFired { key } if self.visible => self.attempt(&key, now_ms),
            // A hidden page sends nothing; it sends whatever is due once it is shown again.
            Event::TimerFired { .. } => Vec::new(),
            Event::Hidden => {
                self.visible = false;
                Vec::new()
            }
            Event::Leaving => self.leaving(),
            Event::Stopped => self.stop(),
        }
    }

    fn submitted(&mut self, key: String, body: String, now_ms: u64) -> Vec<Command> {
        self.own_key = Some(key.clone());
        // Submitting a pledge that is already on its way only tries it again now.
        if self.holds(&key) {
            return self.attempt(&key, now_ms);
        }
        self.parcels.push(Parcel::new(key.clone(), body.clone(), false));
        let mut commands = vec![Command::Claim { key: key.clone() }];
        match Entry::new(&key, &self.setup.endpoint, &body, now_ms) {
            // Sent once the outbox has answered.
            Some(entry) => commands.push(Command::Save(entry)),
            None => commands.extend(self.attempt(&key, now_ms)),
        }
        commands
    }

    fn saved(&mut self, key: &str, entry: Option<Entry>, now_ms: u64) -> Vec<Command> {
        let own = self.is_own(key);
        let Some(parcel) = self.parcel_mut(key) else {
            return Vec::new();
        };
        let was_saved = parcel.saved;
        if let Some(entry) = entry {
            parcel.saved = true;
            // The saved bytes may already have reached the endpoint: they are what is sent.
            parcel.body = entry.body;
        }
        if parcel.failures == 0 && !parcel.in_flight {
            return self.attempt(key, now_ms);
        }
        match (parcel.last_failure, own && parcel.saved != was_saved) {
            (Some(reason), true) => vec![Command::Status(DeliveryStatus::Saved { reason })],
            _ => Vec::new(),
        }
    }

    fn woken(&mut self, items: Vec<OutboxItem>, visible: bool, sole_endpoint: bool, now_ms: u64) -> Vec<Command> {
        self.visible = visible;
        let mut commands = Vec::new();

        // A saved pledge the outbox no longer has was finished by another tab, or cleared by
        // the donor. Only the donor's own is followed here to its answer, which they await.
        let own_key = self.own_key.clone();
        self.parcels.retain(|parcel| {
            let keep = parcel.in_flight
                || !parcel.saved
                || own_key.as_deref() == Some(parcel.key.as_str())
                || items.iter().any(|item| item.entry.key == parcel.key);
            if !keep {
                commands.push(Command::Unschedule { key: parcel.key.clone() });
                commands.push(Command::Release { key: parcel.key.clone() });
            }
            keep
        });

        let mut next_lease_end: Option<u64> = None;
        for item in items {
            let entry = item.entry;
            if self.holds(&entry.key) {
                continue;
            }
            // Whichever widget finds it first: personal data must not outlive the week
            // wherever the pledge was going.
            if entry.is_expired(now_ms) {
                commands.push(Command::Remove { key: entry.key.clone() });
                commands
                    .push(Command::Problem { kind: ProblemKind::Expired, message: expired_message(&entry, now_ms) });
                continue;
            }
            let legacy = match &entry.endpoint {
                Some(endpoint) if *endpoint == self.setup.endpoint => false,
                Some(_) => continue,
                None if sole_endpoint && item.provenance.as_ref().is_some_and(|made| self.made_here(made)) => true,
                None => continue,
            };
            if entry.is_leased(now_ms) {
                next_lease_end = Some(next_lease_end.map_or(entry.lease_until_ms, |end| end.min(entry.lease_until_ms)));
                continue;
            }
            if legacy {
                let Some(taken_on) = entry.for_endpoint(&self.setup.endpoint) else { continue };
                commands.push(Command::TakeOn(taken_on));
            }
            commands.push(Command::Claim { key: entry.key.clone() });
            self.parcels.push(Parcel::new(entry.key, entry.body, true));
        }
        commands.push(Command::WakeAfter(next_lease_end.map(|end| end - now_ms + LEASE_GRACE_MS)));

        if visible {
            let due: Vec<String> = self
                .parcels
                .iter()
                .filter(|parcel| !parcel.in_flight && parcel.not_before_ms <= now_ms)
                .map(|parcel| parcel.key.clone())
                .collect();
            for key in due {
                commands.extend(self.attempt(&key, now_ms));
            }
        }
        commands
    }

    fn answered(&mut self, key: &str, verdict: Verdict, unit: f64, now_ms: u64) -> Vec<Command> {
        let own = self.is_own(key);
        let Some(index) = self.parcels.iter().position(|parcel| parcel.key == key) else {
            return Vec::new();
        };
        let stopped = self.stopped;
        let finished = |key: &str| {
            vec![
                Command::Unschedule { key: key.to_owned() },
                Command::Remove { key: key.to_owned() },
                Command::Release { key: key.to_owned() },
            ]
        };
        match verdict {
            Verdict::Received { reference } => {
                let parcel = self.parcels.remove(index);
                let mut commands = finished(key);
                if !stopped {
                    if own {
                        commands.push(Command::Status(DeliveryStatus::Received { reference: reference.clone() }));
                    }
                    commands.push(Command::Received { reference, body: parcel.body });
                }
                commands
            }
            Verdict::Rejected { status, errors, detail } => {
                self.parcels.remove(index);
                let mut commands = finished(key);
                if !stopped {
                    // Pointers and codes only: the endpoint's own text may quote what the donor typed.
                    let fields: Vec<String> =
                        errors.iter().map(|e| format!("{} ({})", e.pointer, e.code.name())).collect();
                    let message = format!(
                        "The endpoint refused the pledge with HTTP {status}. Refused fields: [{}].",
                        fields.join(", ")
                    );
                    if own {
                        commands.push(Command::Status(DeliveryStatus::Rejected { errors, detail }));
                    }
                    commands.push(Command::Problem { kind: ProblemKind::Rejected, message });
                }
                commands
            }
            Verdict::Retry { reason, retry_after_ms } => {
                let (endpoint, policy) = (self.setup.endpoint.clone(), self.setup.policy);
                let parcel = &mut self.parcels[index];
                parcel.in_flight = false;
                parcel.failures = parcel.failures.saturating_add(1);
                parcel.last_failure = Some(reason);
                parcel.not_before_ms = retry_after_ms.map_or(0, |wait| now_ms.saturating_add(wait));
                let mut commands = Vec::new();
                if parcel.saved {
                    // Free for another tab to try while this one waits.
                    commands.push(Command::Lease { key: key.to_owned(), until_ms: 0 });
                } else if !stopped {
                    // Storage may have room again: try once more to keep the pledge safe.
                    commands.extend(Entry::new(key, &endpoint, &parcel.body, now_ms).map(Command::Save));
                }
                if stopped {
                    return commands;
                }
                let delay_ms = policy.next_delay_ms(parcel.failures, retry_after_ms, unit);
                commands.push(Command::Schedule { key: key.to_owned(), delay_ms });
                let saved = parcel.saved;
                if own {
                    let status =
                        if saved { DeliveryStatus::Saved { reason } } else { DeliveryStatus::Unsaved { reason } };
                    commands.push(Command::Status(status));
                }
                let kept = if saved {
                    "it is saved in this browser and will be sent again while this page is open, and the next time a page with the widget is opened"
                } else {
                    "this browser would not save it, so it will be sent again only while this page stays open"
                };
                let message = format!("The pledge was not delivered yet ({}); {kept}.", describe(reason));
                commands.push(Command::Problem { kind: ProblemKind::Delivery, message });
                commands
            }
        }
    }

    /// Sends a pledge now, unless it is already on its way.
    fn attempt(&mut self, key: &str, now_ms: u64) -> Vec<Command> {
        let own = self.is_own(key);
        let endpoint = self.setup.endpoint.clone();
        let Some(parcel) = self.parcel_mut(key).filter(|parcel| !parcel.in_flight) else {
            return Vec::new();
        };
        parcel.in_flight = true;
        let mut commands = vec![Command::Unschedule { key: key.to_owned() }];
        if parcel.saved {
            commands.push(Command::Lease { key: key.to_owned(), until_ms: now_ms + LEASE_MS });
        }
        commands.push(Command::Send { endpoint, key: key.to_owned(), body: parcel.body.clone(), keepalive: false });
        if own {
            commands.push(Command::Status(DeliveryStatus::Sending));
        }
        commands
    }

    /// One last attempt for each pledge, in requests that outlive the page. Sending one that is
    /// in flight again is safe: the endpoint recognises its idempotency key. Leases are freed so
    /// that the next page with the widget sends at once whatever is still saved.
    fn leaving(&mut self) -> Vec<Command> {
        self.visible = false;
        let mut commands = Vec::new();
        for parcel in &self.parcels {
            commands.push(Command::Send {
                endpoint: self.setup.endpoint.clone(),
                key: parcel.key.clone(),
                body: parcel.body.clone(),
                keepalive: true,
            });
            if parcel.saved {
                commands.push(Command::Lease { key: parcel.key.clone(), until_ms: 0 });
            }
        }
        commands
    }

    /// No more timers or claims; attempts under way still settle the outbox when they end.
    fn stop(&mut self) -> Vec<Command> {
        self.stopped = true;
        let mut commands = vec![Command::WakeAfter(None)];
        for parcel in &self.parcels {
            commands.push(Command::Unschedule { key: parcel.key.clone() });
            commands.push(Command::Release { key: parcel.key.clone() });
        }
        commands
    }

    fn made_here(&self, provenance: &Provenance) -> bool {
        provenance.partner == self.setup.partner && provenance.page == self.setup.page
    }

    fn is_own(&self, key: &str) -> bool {
        self.own_key.as_deref() == Some(key)
    }

    fn parcel_mut(&mut self, key: &str) -> Option<&mut Parcel> {
        self.parcels.iter_mut().find(|parcel| parcel.key == key)
    }
}

/// The developer message for an expired pledge: its age and where it was going, nothing the
/// donor typed.
fn expired_message(entry: &Entry, now_ms: u64) -> String {
    let days = now_ms.saturating_sub(entry.created_at_ms) / DAY_MS;
    let destination = entry.endpoint.as_deref().map(|endpoint| format!(" to {endpoint}")).unwrap_or_default();
    format!("A pledge saved in this browser {days} days ago was never delivered{destination}; it has been deleted unsent, since pledges are kept for at most 7 days.")
}

fn describe(reason: FailureReason) -> String {
    match reason {
        FailureReason::Offline => "the endpoint could not be reached".to_owned(),
        FailureReason::Timeout => "no answer within 10 s".to_owned(),
        FailureReason::ServerUnavailable(code) => format!("HTTP {code}"),
        FailureReason::UnexpectedAnswer(code) => format!("HTTP {code}, which is not the endpoint's final answer"),
        FailureReason::TooManyRequests => "HTTP 429".to_owned(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
