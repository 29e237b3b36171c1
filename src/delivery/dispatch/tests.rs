use std::collections::HashSet;

use pledge::{ErrorCode, FieldError};
use proptest::prelude::*;

use super::*;
use crate::delivery::outbox::EXPIRY_MS;

const ENDPOINT: &str = "https://charity.example.org/v1/pledges";
const OTHER_ENDPOINT: &str = "https://another-charity.example/pledges";
const PARTNER: &str = "st-marys";
const PAGE: &str = "https://school.example/sponsor";
const NOW: u64 = 1_764_000_000_000;
const BODY: &str = r#"{"donor":{"given_name":"Awa","family_name":"Traoré","email":"awa@example.org"}}"#;
const PERSONAL: [&str; 3] = ["Awa", "Traoré", "awa@example.org"];

fn key(n: u8) -> String {
    format!("3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e{n:02x}")
}

fn dispatch() -> Dispatch {
    Dispatch::new(Setup {
        endpoint: ENDPOINT.into(),
        partner: PARTNER.into(),
        page: PAGE.into(),
        policy: RetryPolicy::default(),
    })
}

fn entry(key: &str, endpoint: Option<&str>, created_at_ms: u64) -> Entry {
    Entry {
        key: key.into(),
        endpoint: endpoint.map(str::to_owned),
        body: BODY.into(),
        created_at_ms,
        lease_until_ms: 0,
    }
}

fn item(entry: Entry) -> OutboxItem {
    OutboxItem { entry, provenance: None }
}

fn made_here() -> Provenance {
    Provenance { partner: PARTNER.into(), page: PAGE.into() }
}

fn legacy(key: &str, provenance: Option<Provenance>) -> OutboxItem {
    OutboxItem { entry: entry(key, None, NOW - 1_000), provenance }
}

fn woken(items: Vec<OutboxItem>) -> Event {
    Event::Woken { items, visible: true, sole_endpoint: true }
}

fn answered(key: &str, verdict: Verdict) -> Event {
    Event::Answered { key: key.into(), verdict, unit: 0.5 }
}

fn retry(reason: FailureReason) -> Verdict {
    Verdict::Retry { reason, retry_after_ms: None }
}

fn received() -> Verdict {
    Verdict::Received { reference: "SK-7Q2M-K9XD".into() }
}

fn send(key: &str) -> Command {
    Command::Send { endpoint: ENDPOINT.into(), key: key.into(), body: BODY.into(), keepalive: false }
}

/// The keys of the pledges `commands` send, with whether each outlives the page.
fn sent(commands: &[Command]) -> Vec<(String, bool)> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Send { key, keepalive, .. } => Some((key.clone(), *keepalive)),
            _ => None,
        })
        .collect()
}

fn removed(commands: &[Command]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Remove { key } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

fn problems(commands: &[Command]) -> Vec<(ProblemKind, String)> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Problem { kind, message } => Some((*kind, message.clone())),
            _ => None,
        })
        .collect()
}

fn scheduled(commands: &[Command]) -> Option<u64> {
    commands.iter().find_map(|command| match command {
        Command::Schedule { delay_ms, .. } => Some(*delay_ms),
        _ => None,
    })
}

/// A courier whose donor submitted `key`, saved and on its way.
fn sending(key: &str) -> Dispatch {
    let mut dispatch = dispatch();
    dispatch.handle(Event::Submitted { key: key.into(), body: BODY.into() }, NOW);
    dispatch.handle(Event::Saved { key: key.into(), entry: Some(entry(key, Some(ENDPOINT), NOW)) }, NOW);
    dispatch
}

#[test]
fn a_pledge_is_saved_before_it_is_sent() {
    let mut dispatch = dispatch();
    let commands = dispatch.handle(Event::Submitted { key: key(1), body: BODY.into() }, NOW);
    assert_eq!(
        commands,
        [Command::Claim { key: key(1) }, Command::Save(Entry::new(&key(1), ENDPOINT, BODY, NOW).unwrap())]
    );
    let commands = dispatch.handle(Event::Saved { key: key(1), entry: Some(entry(&key(1), Some(ENDPOINT), NOW)) }, NOW);
    assert_eq!(
        commands,
        [
            Command::Unschedule { key: key(1) },
            Command::Lease { key: key(1), until_ms: NOW + LEASE_MS },
            send(&key(1)),
            Command::Status(DeliveryStatus::Sending),
        ]
    );
}

#[test]
fn the_bytes_saved_first_are_the_ones_sent() {
    let mut dispatch = dispatch();
    dispatch.handle(Event::Submitted { key: key(1), body: "{\"new\":true}".into() }, NOW);
    let commands =
        dispatch.handle(Event::Saved { key: key(1), entry: Some(entry(&key(1), Some(ENDPOINT), NOW - 5)) }, NOW);
    assert!(commands.contains(&send(&key(1))), "{commands:?}");
}

#[test]
fn a_received_pledge_leaves_the_outbox_and_the_page_hears_of_it() {
    let mut dispatch = sending(&key(1));
    let commands = dispatch.handle(answered(&key(1), received()), NOW + 300);
    assert_eq!(
        commands,
        [
            Command::Unschedule { key: key(1) },
            Command::Remove { key: key(1) },
            Command::Release { key: key(1) },
            Command::Status(DeliveryStatus::Received { reference: "SK-7Q2M-K9XD".into() }),
            Command::Received { reference: "SK-7Q2M-K9XD".into(), body: BODY.into() },
        ]
    );
    assert!(!dispatch.holds(&key(1)));
}

#[test]
fn a_failed_attempt_keeps_the_pledge_and_schedules_the_next() {
    let mut dispatch = sending(&key(1));
    let commands = dispatch.handle(answered(&key(1), retry(FailureReason::ServerUnavailable(520))), NOW + 300);
    assert!(removed(&commands).is_empty(), "the pledge stays saved");
    assert!(commands.contains(&Command::Lease { key: key(1), until_ms: 0 }), "another tab may try meanwhile");
    assert!(
        commands.contains(&Command::Status(DeliveryStatus::Saved { reason: FailureReason::ServerUnavailable(520) }))
    );
    let delay = scheduled(&commands).expect("a next attempt");
    assert!((500..=1_000).contains(&delay), "{delay}");
    let [(kind, message)] = problems(&commands).try_into().unwrap();
    assert_eq!(kind, ProblemKind::Delivery);
    assert!(message.contains("HTTP 520") && message.contains("saved in this browser"), "{message}");
    assert!(PERSONAL.iter().all(|personal| !message.contains(personal)));

    let commands = dispatch.handle(Event::TimerFired { key: key(1) }, NOW + 300 + delay);
    assert_eq!(sent(&commands), [(key(1), false)], "the same pledge, with the same bytes");
    assert!(commands.contains(&send(&key(1))));
}

#[test]
fn there_is_no_last_attempt_only_a_longer_wait() {
    let mut dispatch = sending(&key(1));
    let mut now = NOW;
    for failure in 1..=500u32 {
        let commands = dispatch.handle(answered(&key(1), retry(FailureReason::Offline)), now);
        let delay = scheduled(&commands).unwrap_or_else(|| panic!("no next attempt after {failure} failures"));
        assert!(delay <= RetryPolicy::default().cap_ms);
        if failure > 10 {
            assert!(
                delay >= RetryPolicy::default().cap_ms / 2,
                "a page on a dead endpoint knocks at most once per half cap"
            );
        }
        now += delay;
        assert_eq!(sent(&dispatch.handle(Event::TimerFired { key: key(1) }, now)), [(key(1), false)]);
    }
}

#[test]
fn a_retry_after_is_waited_out_even_when_woken() {
    let mut dispatch = sending(&key(1));
    let wait = Verdict::Retry { reason: FailureReason::TooManyRequests, retry_after_ms: Some(60_000) };
    let commands = dispatch.handle(answered(&key(1), wait), NOW);
    assert!(scheduled(&commands).unwrap() >= 60_000);
    let saved = item(entry(&key(1), Some(ENDPOINT), NOW));
    assert!(sent(&dispatch.handle(woken(vec![saved.clone()]), NOW + 59_000)).is_empty());
    assert_eq!(sent(&dispatch.handle(woken(vec![saved]), NOW + 60_000)), [(key(1), false)]);
}

#[test]
fn nothing_is_sent_while_the_page_is_hidden() {
    let mut dispatch = sending(&key(1));
    dispatch.handle(answered(&key(1), retry(FailureReason::Offline)), NOW);
    assert!(dispatch.handle(Event::Hidden, NOW + 1).is_empty());
    assert!(dispatch.handle(Event::TimerFired { key: key(1) }, NOW + 5_000).is_empty(), "the timer came while hidden");
    let shown =
        Event::Woken { items: vec![item(entry(&key(1), Some(ENDPOINT), NOW))], visible: true, sole_endpoint: true };
    assert_eq!(sent(&dispatch.handle(shown, NOW + 60_000)), [(key(1), false)], "sent once shown again");
}

#[test]
fn a_page_opened_in_the_background_takes_its_pledges_on_and_sends_them_when_shown() {
    let mut dispatch = dispatch();
    let saved = item(entry(&key(2), Some(ENDPOINT), NOW - 60_000));
    let hidden = Event::Woken { items: vec![saved.clone()], visible: false, sole_endpoint: true };
    let commands = dispatch.handle(hidden, NOW);
    assert!(commands.contains(&Command::Claim { key: key(2) }));
    assert!(sent(&commands).is_empty());
    assert_eq!(sent(&dispatch.handle(woken(vec![saved]), NOW + 10)), [(key(2), false)]);
}

#[test]
fn a_refusal_is_final() {
    let mut dispatch = sending(&key(1));
    let errors = vec![FieldError::new("/donor/email", ErrorCode::InvalidEmail)];
    let refusal =
        Verdict::Rejected { status: 422, errors: errors.clone(), detail: Some("1 field was refused.".into()) };
    let commands = dispatch.handle(answered(&key(1), refusal), NOW);
    assert_eq!(removed(&commands), [key(1)]);
    assert_eq!(scheduled(&commands), None, "never sent again");
    assert!(commands
        .contains(&Command::Status(DeliveryStatus::Rejected { errors, detail: Some("1 field was refused.".into()) })));
    let [(kind, message)] = problems(&commands).try_into().unwrap();
    assert_eq!(kind, ProblemKind::Rejected);
    assert_eq!(
        message,
        "The endpoint refused the pledge with HTTP 422. Refused fields: [/donor/email (invalid_email)]."
    );
    assert!(!dispatch.holds(&key(1)));
}

#[test]
fn a_browser_that_will_not_save_still_sends_and_tries_to_save_again() {
    let mut dispatch = dispatch();
    dispatch.handle(Event::Submitted { key: key(1), body: BODY.into() }, NOW);
    let commands = dispatch.handle(Event::Saved { key: key(1), entry: None }, NOW);
    assert_eq!(sent(&commands), [(key(1), false)]);
    assert!(!commands.iter().any(|command| matches!(command, Command::Lease { .. })), "nothing to lease");

    let commands = dispatch.handle(answered(&key(1), retry(FailureReason::Offline)), NOW + 10);
    assert!(commands.contains(&Command::Save(Entry::new(&key(1), ENDPOINT, BODY, NOW + 10).unwrap())));
    assert!(commands.contains(&Command::Status(DeliveryStatus::Unsaved { reason: FailureReason::Offline })));
    assert!(problems(&commands)[0].1.contains("would not save"));

    let commands =
        dispatch.handle(Event::Saved { key: key(1), entry: Some(entry(&key(1), Some(ENDPOINT), NOW + 10)) }, NOW + 11);
    assert_eq!(commands, [Command::Status(DeliveryStatus::Saved { reason: FailureReason::Offline })]);
}

#[test]
fn a_double_submit_sends_once() {
    let mut dispatch = sending(&key(1));
    assert!(sent(&dispatch.handle(Event::Submitted { key: key(1), body: BODY.into() }, NOW + 1)).is_empty());
}

#[test]
fn each_widget_sends_only_its_own_endpoints_pledges() {
    let mut dispatch = dispatch();
    let items = vec![
        item(entry(&key(1), Some(ENDPOINT), NOW - 1_000)),
        item(entry(&key(2), Some(OTHER_ENDPOINT), NOW - 1_000)),
        legacy(&key(3), None),
    ];
    let commands = dispatch.handle(woken(items), NOW);
    assert_eq!(sent(&commands), [(key(1), false)]);
    assert!(!dispatch.holds(&key(2)) && !dispatch.holds(&key(3)));
    assert!(removed(&commands).is_empty(), "the others' pledges are left for their own widgets");
}

#[test]
fn a_legacy_pledge_is_taken_on_only_on_its_own_page_by_its_only_endpoint() {
    let taken_on = |item: OutboxItem, sole_endpoint: bool| {
        let mut dispatch = dispatch();
        let commands = dispatch.handle(Event::Woken { items: vec![item], visible: true, sole_endpoint }, NOW);
        (commands.iter().find(|command| matches!(command, Command::TakeOn(_))).cloned(), sent(&commands))
    };
    let (command, sends) = taken_on(legacy(&key(3), Some(made_here())), true);
    assert_eq!(command, Some(Command::TakeOn(entry(&key(3), Some(ENDPOINT), NOW - 1_000))));
    assert_eq!(sends, [(key(3), false)]);

    let elsewhere = [
        Some(Provenance { page: "https://school.example/other-campaign".into(), ..made_here() }),
        Some(Provenance { partner: "other-partner".into(), ..made_here() }),
        None,
    ];
    for provenance in elsewhere {
        assert_eq!(taken_on(legacy(&key(3), provenance.clone()), true), (None, vec![]), "{provenance:?}");
    }
    assert_eq!(taken_on(legacy(&key(3), Some(made_here())), false), (None, vec![]), "a page with two endpoints");
}

#[test]
fn a_week_old_pledge_is_deleted_wherever_it_was_going_and_the_page_is_told() {
    let mut dispatch = dispatch();
    let old = NOW - EXPIRY_MS - 1;
    let items = vec![
        item(entry(&key(1), Some(ENDPOINT), old)),
        item(entry(&key(2), Some(OTHER_ENDPOINT), NOW - 8 * 24 * 3_600_000)),
        OutboxItem { entry: entry(&key(3), None, old), provenance: Some(made_here()) },
    ];
    let commands = dispatch.handle(woken(items), NOW);
    assert_eq!(removed(&commands), [key(1), key(2), key(3)]);
    assert!(sent(&commands).is_empty(), "nothing expired is sent");
    let problems = problems(&commands);
    assert_eq!(problems.iter().map(|(kind, _)| *kind).collect::<Vec<_>>(), [ProblemKind::Expired; 3]);
    assert_eq!(
        problems[0].1,
        format!("A pledge saved in this browser 7 days ago was never delivered to {ENDPOINT}; it has been deleted unsent, since pledges are kept for at most 7 days.")
    );
    assert!(problems[1].1.contains("8 days ago") && problems[1].1.contains(OTHER_ENDPOINT));
    assert!(problems[2].1.contains("was never delivered;"), "{}", problems[2].1);
    for (_, message) in &problems {
        assert!(PERSONAL.iter().all(|personal| !message.contains(personal)), "{message}");
    }
}

#[test]
fn another_tabs_lease_is_waited_out() {
    let mut dispatch = dispatch();
    let mut leased = entry(&key(1), Some(ENDPOINT), NOW - 1_000);
    leased.lease_until_ms = NOW + 4_000;
    let commands = dispatch.handle(woken(vec![item(leased.clone())]), NOW);
    assert!(sent(&commands).is_empty());
    assert!(commands.contains(&Command::WakeAfter(Some(4_000 + LEASE_GRACE_MS))));
    let commands = dispatch.handle(woken(vec![item(leased)]), NOW + 4_000 + LEASE_GRACE_MS);
    assert_eq!(sent(&commands), [(key(1), false)]);
    assert!(commands.contains(&Command::WakeAfter(None)));
}

#[test]
fn leaving_the_page_sends_every_pledge_once_more_in_requests_that_outlive_it() {
    let mut dispatch = sending(&key(1));
    dispatch.handle(woken(vec![item(entry(&key(2), Some(ENDPOINT), NOW - 50))]), NOW);
    dispatch.handle(answered(&key(2), retry(FailureReason::Timeout)), NOW + 10_000);
    let commands = dispatch.handle(Event::Leaving, NOW + 10_001);
    assert_eq!(sent(&commands), [(key(1), true), (key(2), true)], "the one in flight too: the key makes it safe");
    assert!(commands.contains(&Command::Lease { key: key(1), until_ms: 0 }));
    assert!(commands.contains(&Command::Lease { key: key(2), until_ms: 0 }));
    assert!(
        dispatch.handle(Event::TimerFired { key: key(2) }, NOW + 20_000).is_empty(),
        "nothing more from a page going away"
    );
}

#[test]
fn a_removed_widget_settles_the_outbox_but_starts_nothing() {
    let mut dispatch = sending(&key(1));
    dispatch.handle(woken(vec![item(entry(&key(2), Some(ENDPOINT), NOW - 50))]), NOW);
    let commands = dispatch.handle(Event::Stopped, NOW + 1);
    assert_eq!(
        commands,
        [
            Command::WakeAfter(None),
            Command::Unschedule { key: key(1) },
            Command::Release { key: key(1) },
            Command::Unschedule { key: key(2) },
            Command::Release { key: key(2) },
        ]
    );
    assert_eq!(
        dispatch.handle(answered(&key(1), received()), NOW + 2),
        [Command::Unschedule { key: key(1) }, Command::Remove { key: key(1) }, Command::Release { key: key(1) }],
        "a final answer still empties the outbox, and nobody is told on a page the widget left"
    );
    assert_eq!(
        dispatch.handle(answered(&key(2), retry(FailureReason::Offline)), NOW + 3),
        [Command::Lease { key: key(2), until_ms: 0 }]
    );
    for event in [
        woken(vec![]),
        Event::Submitted { key: key(5), body: BODY.into() },
        Event::TimerFired { key: key(2) },
        Event::Leaving,
    ] {
        assert!(dispatch.handle(event.clone(), NOW + 4).is_empty(), "{event:?}");
    }
}

#[test]
fn a_pledge_another_tab_finished_is_let_go_but_the_donors_own_is_followed() {
    let mut dispatch = sending(&key(1));
    dispatch.handle(woken(vec![item(entry(&key(2), Some(ENDPOINT), NOW - 50))]), NOW);
    dispatch.handle(answered(&key(1), retry(FailureReason::Offline)), NOW + 10);
    dispatch.handle(answered(&key(2), retry(FailureReason::Offline)), NOW + 10);
    let commands = dispatch.handle(woken(vec![]), NOW + 60_000);
    assert!(commands.contains(&Command::Release { key: key(2) }));
    assert_eq!(sent(&commands), [(key(1), false)], "the donor waits for their own pledge's answer");
    assert!(!dispatch.holds(&key(2)));
}

#[test]
fn every_problem_kind_has_its_wire_name() {
    let names: Vec<&str> =
        [ProblemKind::Rejected, ProblemKind::Delivery, ProblemKind::Expired].map(ProblemKind::as_str).to_vec();
    assert_eq!(names, ["rejected", "delivery", "expired"]);
}

/// Where the pledge with a generated key belongs. Keys 0 to 7 stand for saved items: their
/// destination follows from the key, as a real pledge's endpoint is fixed when it is made.
/// Keys from 100 are pledges the donor submits through this widget.
fn destination(key: u8) -> (Option<&'static str>, Option<Provenance>) {
    match key % 4 {
        0 => (Some(ENDPOINT), None),
        1 => (Some(OTHER_ENDPOINT), None),
        2 => (None, Some(made_here())),
        _ => (None, Some(Provenance { page: "https://school.example/other".into(), ..made_here() })),
    }
}

#[derive(Clone, Debug)]
enum Step {
    Submit(u8),
    Save(u8, bool),
    Wake { keys: Vec<(u8, u64)>, visible: bool, sole_endpoint: bool },
    Answer(u8, u8, u64),
    Timer(u8),
    Hide,
    Leave,
    Stop,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let saved_key = 0u8..8;
    let submitted = 100u8..103;
    let key = prop_oneof![saved_key.clone(), submitted.clone()];
    let step = prop_oneof![
        submitted.prop_map(Step::Submit),
        (100u8..103, any::<bool>()).prop_map(|(key, stored)| Step::Save(key, stored)),
        (prop::collection::vec((saved_key, 0u64..10 * 24 * 3_600_000), 0..6), any::<bool>(), any::<bool>())
            .prop_map(|(keys, visible, sole_endpoint)| Step::Wake { keys, visible, sole_endpoint }),
        (key.clone(), 0u8..4, 0u64..120_000).prop_map(|(key, verdict, later)| Step::Answer(key, verdict, later)),
        key.prop_map(Step::Timer),
        Just(Step::Hide),
        Just(Step::Leave),
        Just(Step::Stop),
    ];
    prop::collection::vec(step, 1..60)
}

proptest! {
    /// Whatever happens, in whatever order: a pledge is only sent if it was made for this
    /// widget's endpoint (or is a legacy pledge made on this page while no other endpoint is
    /// here), and leaves the outbox only on a final answer or after a week.
    #[test]
    fn a_pledge_is_never_sent_elsewhere_nor_dropped_unanswered(steps in steps()) {
        let mut dispatch = dispatch();
        let mut allowed: HashSet<String> = HashSet::new();
        let mut now = NOW;
        for step in steps {
            now += 1_000;
            let mut may_remove: HashSet<String> = HashSet::new();
            let event = match step {
                Step::Submit(n) => {
                    allowed.insert(key(n));
                    Event::Submitted { key: key(n), body: BODY.into() }
                }
                Step::Save(n, stored) => Event::Saved { key: key(n), entry: stored.then(|| entry(&key(n), Some(ENDPOINT), now)) },
                Step::Wake { keys, visible, sole_endpoint } => {
                    let items = keys
                        .into_iter()
                        .map(|(n, age)| {
                            let (endpoint, provenance) = destination(n);
                            let saved = entry(&key(n), endpoint, now.saturating_sub(age));
                            if saved.is_expired(now) {
                                may_remove.insert(key(n));
                            } else if endpoint == Some(ENDPOINT) || (sole_endpoint && provenance == Some(made_here())) {
                                allowed.insert(key(n));
                            }
                            OutboxItem { entry: saved, provenance }
                        })
                        .collect();
                    Event::Woken { items, visible, sole_endpoint }
                }
                Step::Answer(n, verdict, later) => {
                    now += later;
                    let verdict = match verdict {
                        0 => received(),
                        1 => Verdict::Rejected { status: 422, errors: vec![], detail: None },
                        2 => retry(FailureReason::ServerUnavailable(503)),
                        _ => Verdict::Retry { reason: FailureReason::TooManyRequests, retry_after_ms: Some(later) },
                    };
                    if matches!(verdict, Verdict::Received { .. } | Verdict::Rejected { .. }) {
                        may_remove.insert(key(n));
                    }
                    answered(&key(n), verdict)
                }
                Step::Timer(n) => Event::TimerFired { key: key(n) },
                Step::Hide => Event::Hidden,
                Step::Leave => Event::Leaving,
                Step::Stop => Event::Stopped,
            };
            for command in dispatch.handle(event, now) {
                match command {
                    Command::Send { endpoint, key, .. } => {
                        prop_assert_eq!(endpoint, ENDPOINT);
                        prop_assert!(allowed.contains(&key), "{} was sent but belongs elsewhere", key);
                    }
                    Command::Remove { key } => prop_assert!(may_remove.contains(&key), "{} was removed unanswered", key),
                    Command::TakeOn(entry) => prop_assert_eq!(entry.endpoint.as_deref(), Some(ENDPOINT)),
                    Command::Save(entry) => prop_assert_eq!(entry.endpoint.as_deref(), Some(ENDPOINT)),
                    _ => {}
                }
            }
        }
    }
}
