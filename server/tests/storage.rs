//! One storage suite, run against SQLite (a file in a temporary folder) and against PostgreSQL.
//! Each PostgreSQL test works in a schema of its own and drops it afterwards, so runs never see
//! each other's rows.
//!
//! The PostgreSQL half runs when `DATABASE_URL` named a PostgreSQL server when the tests were
//! built (see `build.rs`); otherwise it is reported as ignored, with the reason. Built to run,
//! it fails when the server cannot be reached.

mod common;

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use common::{new_key, pledge_json};
use pledge::{Amount, Currency, Frequency, SponsorshipOption};
use sanankoroba_receiver::intake::spam::SpamReason;
use sanankoroba_receiver::storage::{
    ClaimedDelivery, Database, DeliveryQuery, DeliveryStatus, DeliveryUpdate, Endpoints, Erasure, EventKind, InboxPage,
    InboxQuery, InboxSort, ListFilter, NewPledge, NewSession, NewWebhook, PgConnectOptions, Recorded, RetryOutcome,
    SecretReplacement, SessionCreated, SqliteConnectOptions, Status, StatusChange, StatusFilter, Store, StoredPledge,
    TokenHash, UserAdded, UserRemoved, WebhookAdded, WebhookRemoved, WebhookSecretReplaced, Wording, ACTOR_RETENTION,
    ACTOR_SPAM_CHECK, ACTOR_WIDGET, ENDPOINT_REMOVED, MAX_INBOX_ROWS,
};
use sanankoroba_receiver::timestamp::Timestamp;
use sqlx::{ConnectOptions, Connection};

fn new_pledge(partner: &str, received_at: Timestamp) -> (pledge::Pledge, NewPledge) {
    let mut json = pledge_json(&new_key());
    json["partner"] = partner.into();
    let pledge: pledge::Pledge = serde_json::from_value(json).unwrap();
    let stored = NewPledge::new(&pledge, received_at);
    (pledge, stored)
}

/// A pledge from the common example, edited as JSON first.
fn custom_pledge(received_at: Timestamp, edit: impl FnOnce(&mut serde_json::Value)) -> NewPledge {
    let mut json = pledge_json(&new_key());
    edit(&mut json);
    let pledge: pledge::Pledge = serde_json::from_value(json).unwrap();
    NewPledge::new(&pledge, received_at)
}

/// Stores a new pledge and answers its reference.
async fn created(store: &Store, pledge: NewPledge) -> String {
    match store.record_pledge(pledge).await.unwrap() {
        Recorded::Created(receipt) => receipt.reference,
        other => panic!("a new pledge was answered {other:?}"),
    }
}

fn everything() -> ListFilter {
    ListFilter { limit: 1000, ..ListFilter::default() }
}

/// The cases, each given a freshly opened, empty store and a way to open it again.
mod cases {
    use super::*;

    pub async fn creates_then_replays_then_refuses_reuse(store: Store) {
        let (pledge, new) = new_pledge("st-marys-school", Timestamp::now());
        let Recorded::Created(receipt) = store.record_pledge(new.clone()).await.unwrap() else {
            panic!("the first write creates the pledge")
        };
        assert!(sanankoroba_receiver::intake::reference::is_reference(&receipt.reference));
        let later =
            NewPledge { received_at: Timestamp::from_micros(new.received_at.as_micros() + 5_000_000), ..new.clone() };
        assert_eq!(store.record_pledge(later).await.unwrap(), Recorded::Replayed(receipt.clone()));

        let mut changed = pledge.clone();
        changed.amount.minor_units += 100;
        assert_eq!(store.record_pledge(NewPledge::new(&changed, Timestamp::now())).await.unwrap(), Recorded::KeyReused);

        let listed = store.list(everything()).await.unwrap();
        assert_eq!(listed.pledges.len(), 1);
        assert_eq!(listed.pledges[0].reference, receipt.reference);
        assert_eq!(listed.pledges[0].received_at, receipt.received_at);
        assert_eq!(listed.pledges[0].pledge, pledge);
    }

    pub async fn keys_are_scoped_per_partner(store: Store) {
        let (pledge, new) = new_pledge("st-marys-school", Timestamp::now());
        let mut elsewhere = pledge.clone();
        elsewhere.partner = "lycee-bamako".to_owned();
        assert!(matches!(store.record_pledge(new).await.unwrap(), Recorded::Created(_)));
        assert!(matches!(
            store.record_pledge(NewPledge::new(&elsewhere, Timestamp::now())).await.unwrap(),
            Recorded::Created(_)
        ));
        assert_eq!(store.list(everything()).await.unwrap().pledges.len(), 2);
    }

    pub async fn concurrent_identical_writes_store_one_row(store: Store) {
        let (_, new) = new_pledge("st-marys-school", Timestamp::now());
        let writes = (0..50).map(|_| {
            let store = store.clone();
            let new = new.clone();
            tokio::spawn(async move { store.record_pledge(new).await.unwrap() })
        });
        let mut created = 0;
        let mut references = HashSet::new();
        for write in writes.collect::<Vec<_>>() {
            match write.await.unwrap() {
                Recorded::Created(receipt) => {
                    created += 1;
                    references.insert(receipt.reference);
                }
                Recorded::Replayed(receipt) => {
                    references.insert(receipt.reference);
                }
                Recorded::KeyReused => panic!("the same pledge is never a reuse"),
            }
        }
        assert_eq!(created, 1);
        assert_eq!(references.len(), 1);
        assert_eq!(store.list(everything()).await.unwrap().pledges.len(), 1);
    }

    pub async fn concurrent_distinct_writes_are_all_stored(store: Store) {
        let writes: Vec<_> = (0..200)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store.record_pledge(new_pledge("st-marys-school", Timestamp::now()).1).await.unwrap()
                })
            })
            .collect();
        let mut references = HashSet::new();
        for write in writes {
            let Recorded::Created(receipt) = write.await.unwrap() else { panic!("every pledge is new") };
            references.insert(receipt.reference);
        }
        assert_eq!(references.len(), 200);
        let stored: HashSet<String> =
            store.list(everything()).await.unwrap().pledges.into_iter().map(|stored| stored.reference).collect();
        assert_eq!(stored, references);
    }

    pub async fn lists_by_partner_time_and_page(store: Store) {
        let base = Timestamp::parse("2026-11-01T00:00:00Z").unwrap().as_micros();
        let hour = 3_600_000_000;
        let mut references = Vec::new();
        for index in 0..6 {
            let partner = if index % 2 == 0 { "st-marys-school" } else { "lycee-bamako" };
            let (_, new) = new_pledge(partner, Timestamp::from_micros(base + index * hour));
            let Recorded::Created(receipt) = store.record_pledge(new).await.unwrap() else { panic!() };
            references.push(receipt.reference);
        }
        let references_of = |page: &sanankoroba_receiver::storage::PledgePage| {
            page.pledges.iter().map(|stored| stored.reference.clone()).collect::<Vec<_>>()
        };

        let partner = store.list(ListFilter { partner: Some("lycee-bamako".into()), ..everything() }).await.unwrap();
        assert_eq!(references_of(&partner), [references[1].clone(), references[3].clone(), references[5].clone()]);

        let window = store
            .list(ListFilter {
                since: Some(Timestamp::from_micros(base + hour)),
                until: Some(Timestamp::from_micros(base + 4 * hour)),
                ..everything()
            })
            .await
            .unwrap();
        assert_eq!(references_of(&window), references[1..4]);

        let first = store.list(ListFilter { limit: 4, ..everything() }).await.unwrap();
        assert_eq!(references_of(&first), references[..4]);
        let second = store.list(ListFilter { limit: 4, after_id: first.next_after_id, ..everything() }).await.unwrap();
        assert_eq!(references_of(&second), references[4..]);
        assert_eq!(second.next_after_id, None);
    }

    pub async fn holds_for_review_and_releases(store: Store) {
        let (_, person) = new_pledge("st-marys-school", Timestamp::now());
        let (_, bot) = new_pledge("st-marys-school", Timestamp::now());
        let bot = bot.for_review(SpamReason::Honeypot);
        let Recorded::Created(person) = store.record_pledge(person).await.unwrap() else { panic!() };
        let Recorded::Created(held) = store.record_pledge(bot.clone()).await.unwrap() else { panic!() };
        // A replay of a held pledge gets its real reference.
        assert_eq!(store.record_pledge(bot).await.unwrap(), Recorded::Replayed(held.clone()));

        let references = |page: sanankoroba_receiver::storage::PledgePage| {
            page.pledges
                .into_iter()
                .map(|stored| (stored.reference, stored.status, stored.review_reason))
                .collect::<Vec<_>>()
        };
        let only = |status| ListFilter { status: StatusFilter::Only(status), ..everything() };
        assert_eq!(
            references(store.list(everything()).await.unwrap()),
            [(person.reference.clone(), Status::New, None)]
        );
        assert_eq!(
            references(store.list(only(Status::Review)).await.unwrap()),
            [(held.reference.clone(), Status::Review, Some(SpamReason::Honeypot))]
        );

        let released = store.release(&held.reference, "ana").await.unwrap().unwrap();
        assert_eq!((released.status, released.review_reason), (Status::New, Some(SpamReason::Honeypot)));
        let released_at = released.released_at.expect("released now");
        let again = store.release(&held.reference, "ana").await.unwrap().unwrap();
        assert_eq!(again, released, "a second release changes nothing");
        assert_eq!(store.release("SK-0000-0000", "ana").await.unwrap(), None);
        let never_held = store.release(&person.reference, "ana").await.unwrap().unwrap();
        assert_eq!((never_held.status, never_held.released_at), (Status::New, None));

        let listed = store.list(everything()).await.unwrap();
        assert_eq!(listed.pledges.len(), 2);
        assert_eq!(listed.pledges[1].released_at, Some(released_at));
        assert!(store.list(only(Status::Review)).await.unwrap().pledges.is_empty());
    }

    pub async fn keeps_text_verbatim(store: Store) {
        let mut json = pledge_json(&new_key());
        json["donor"]["given_name"] = "<img src=x onerror=alert(1)>".into();
        json["donor"]["family_name"] = "'; DROP TABLE pledges; -- Traoré 🌍".into();
        let pledge: pledge::Pledge = serde_json::from_value(json).unwrap();
        store.record_pledge(NewPledge::new(&pledge, Timestamp::now())).await.unwrap();
        let listed = store.list(everything()).await.unwrap();
        assert_eq!(listed.pledges[0].pledge, pledge);
    }

    pub async fn answers_health_checks_with_a_write_that_leaves_nothing(store: Store) {
        for _ in 0..3 {
            store.probe_writes().await.unwrap();
        }
        assert!(["sqlite", "postgres"].contains(&store.kind()));
        assert!(store.list(everything()).await.unwrap().pledges.is_empty());
    }

    /// The history of one pledge as (kind, actor, from, to, note).
    async fn history_of(
        store: &Store,
        reference: &str,
    ) -> Vec<(EventKind, String, Option<Status>, Option<Status>, Option<String>)> {
        store
            .history(reference)
            .await
            .unwrap()
            .into_iter()
            .map(|event| (event.kind, event.actor, event.from_status, event.to_status, event.note))
            .collect()
    }

    pub async fn releases_record_who_released(store: Store) {
        let (_, bot) = new_pledge("st-marys-school", Timestamp::now());
        let held = created(&store, bot.for_review(SpamReason::TooFast)).await;
        store.release(&held, "ana").await.unwrap().unwrap();
        store.release(&held, "ben").await.unwrap().unwrap();
        assert_eq!(
            history_of(&store, &held).await,
            [
                (EventKind::Received, ACTOR_WIDGET.to_owned(), None, Some(Status::Review), None),
                (
                    EventKind::HeldForReview,
                    ACTOR_SPAM_CHECK.to_owned(),
                    None,
                    Some(Status::Review),
                    Some("too_fast".to_owned())
                ),
                (EventKind::Released, "ana".to_owned(), Some(Status::Review), Some(Status::New), None),
            ],
            "the second release changed nothing and recorded nothing"
        );

        // A person who gives a held pledge any other status has released it too.
        let (_, bot) = new_pledge("st-marys-school", Timestamp::now());
        let declined = created(&store, bot.for_review(SpamReason::TooFast)).await;
        store
            .change_status(&declined, Status::Declined, Some("A real donor, who changed their mind".into()), "ana")
            .await
            .unwrap();
        let listed =
            store.list(ListFilter { status: StatusFilter::Only(Status::Declined), ..everything() }).await.unwrap();
        assert_eq!(listed.pledges.len(), 1);
        assert!(listed.pledges[0].released_at.is_some(), "taken out of review by a status change");
    }

    pub async fn changes_status_with_its_event(store: Store) {
        let reference = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        let Some(StatusChange::Changed { from, to, at }) =
            store.change_status(&reference, Status::Contacted, Some("Left a message".into()), "ana").await.unwrap()
        else {
            panic!("the status changed")
        };
        assert_eq!((from, to), (Status::New, Status::Contacted));
        assert_eq!(
            store.change_status(&reference, Status::Contacted, None, "ben").await.unwrap(),
            Some(StatusChange::Unchanged(Status::Contacted)),
            "the same status again is a no-op"
        );
        assert_eq!(store.change_status("SK-0000-0000", Status::Converted, None, "ana").await.unwrap(), None);
        assert!(store.history("SK-0000-0000").await.unwrap().is_empty());

        let history = store.history(&reference).await.unwrap();
        assert_eq!(history.len(), 2, "received, then the one change: {history:?}");
        assert_eq!(
            (
                history[1].kind,
                history[1].actor.as_str(),
                history[1].from_status,
                history[1].to_status,
                history[1].note.as_deref(),
                history[1].at
            ),
            (EventKind::StatusChanged, "ana", Some(Status::New), Some(Status::Contacted), Some("Left a message"), at)
        );
        let inbox = store.inbox(InboxQuery { limit: 10, ..InboxQuery::default() }).await.unwrap();
        assert_eq!(inbox.rows[0].status, Status::Contacted);
    }

    /// A status change to a missing reference, batched with one to a real pledge, writes
    /// nothing for the first and both the status and the event for the second.
    pub async fn status_and_event_commit_together(store: Store) {
        let reference = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        let changes: Vec<_> = (0..20)
            .map(|index| {
                let store = store.clone();
                let reference = if index % 2 == 0 { reference.clone() } else { format!("SK-0000-{index:04}") };
                let to = if index % 4 == 0 { Status::Contacted } else { Status::Declined };
                tokio::spawn(async move { store.change_status(&reference, to, None, "ana").await.unwrap() })
            })
            .collect();
        let mut changed = 0;
        for (index, change) in changes.into_iter().enumerate() {
            match change.await.unwrap() {
                None => assert_eq!(index % 2, 1),
                Some(StatusChange::Changed { .. }) => changed += 1,
                Some(StatusChange::Unchanged(_)) => {}
            }
        }
        let history = store.history(&reference).await.unwrap();
        assert_eq!(history.len(), 1 + changed, "one event per change, none for the no-ops: {history:?}");
        let last = history.last().unwrap().to_status.unwrap();
        let inbox = store
            .inbox(InboxQuery { status: StatusFilter::Everything, limit: 10, ..InboxQuery::default() })
            .await
            .unwrap();
        assert_eq!((inbox.total, inbox.rows[0].status), (1, last), "the row agrees with its history");
    }

    pub async fn inbox_filters_and_counts(store: Store) {
        let base = Timestamp::parse("2026-11-01T00:00:00Z").unwrap().as_micros();
        let hour = 3_600_000_000;
        let at = |hours: i64| Timestamp::from_micros(base + hours * hour);
        let amina = created(
            &store,
            custom_pledge(at(0), |json| {
                json["donor"]["given_name"] = "Amina".into();
                json["donor"]["family_name"] = "TRAORÉ".into();
                json["donor"]["email"] = "Amina.Traore@Example.ORG".into();
            }),
        )
        .await;
        let lycee = created(
            &store,
            custom_pledge(at(1), |json| {
                json["partner"] = "lycee-bamako".into();
                json["option"] = "one_off".into();
                json["frequency"] = "once".into();
                json["amount"] = serde_json::json!({"minor_units": 10_000, "currency": "XOF"});
                json["donor"]["country"] = "ML".into();
                json.as_object_mut().unwrap().remove("gift_aid");
            }),
        )
        .await;
        let village = created(
            &store,
            custom_pledge(at(2), |json| {
                json["option"] = "village".into();
                json["amount"]["currency"] = "EUR".into();
                json.as_object_mut().unwrap().remove("gift_aid");
            }),
        )
        .await;
        let (_, bot) = new_pledge("st-marys-school", at(3));
        let held = created(&store, bot.for_review(SpamReason::Honeypot)).await;
        store.change_status(&village, Status::Contacted, None, "ana").await.unwrap();

        let references = |page: &InboxPage| page.rows.iter().map(|row| row.reference.clone()).collect::<Vec<_>>();
        let inbox = |query: InboxQuery| {
            let store = store.clone();
            async move { store.inbox(InboxQuery { limit: 50, ..query }).await.unwrap() }
        };

        let default = inbox(InboxQuery::default()).await;
        assert_eq!(references(&default), [village.clone(), lycee.clone(), amina.clone()], "newest first, no review");
        assert_eq!(default.total, 3);
        let row = default.rows.iter().find(|row| row.reference == lycee).unwrap();
        assert_eq!(
            (
                row.partner.as_str(),
                row.option,
                row.frequency,
                row.amount,
                row.has_gift_aid,
                row.status,
                row.received_at
            ),
            (
                "lycee-bamako",
                SponsorshipOption::OneOff,
                Frequency::Once,
                Amount::new(10_000, Currency::XOF),
                false,
                Status::New,
                at(1)
            )
        );
        let row = default.rows.iter().find(|row| row.reference == amina).unwrap();
        assert_eq!(
            (row.given_name.as_str(), row.family_name.as_str(), row.email.as_str(), row.has_gift_aid, row.erased_at),
            ("Amina", "TRAORÉ", "Amina.Traore@Example.ORG", true, None),
            "as given"
        );

        let everything = inbox(InboxQuery { status: StatusFilter::Everything, ..InboxQuery::default() }).await;
        assert_eq!((everything.total, references(&everything)[0].clone()), (4, held.clone()));
        let review = inbox(InboxQuery { status: StatusFilter::Only(Status::Review), ..InboxQuery::default() }).await;
        assert_eq!(references(&review), [held.as_str()]);
        let contacted =
            inbox(InboxQuery { status: StatusFilter::Only(Status::Contacted), ..InboxQuery::default() }).await;
        assert_eq!(references(&contacted), [village.as_str()]);

        let partner = inbox(InboxQuery { partner: Some("lycee-bamako".into()), ..InboxQuery::default() }).await;
        assert_eq!(references(&partner), [lycee.as_str()]);
        let option = inbox(InboxQuery { option: Some(SponsorshipOption::Village), ..InboxQuery::default() }).await;
        assert_eq!(references(&option), [village.as_str()]);
        let currency = inbox(InboxQuery { currency: Some(Currency::GBP), ..InboxQuery::default() }).await;
        assert_eq!(references(&currency), [amina.as_str()]);
        let window = inbox(InboxQuery { since: Some(at(1)), until: Some(at(2)), ..InboxQuery::default() }).await;
        assert_eq!((references(&window), window.total), (vec![lycee.clone()], 1), "since inclusive, until exclusive");

        for text in ["traoré", "AMINA TRA", "mina", "amina.traore@example.org", "Traore@EXAMPLE", &amina.to_lowercase()]
        {
            let found = inbox(InboxQuery { text: Some(text.into()), ..InboxQuery::default() }).await;
            assert_eq!(references(&found), [amina.as_str()], "{text}");
        }
        let nobody = inbox(InboxQuery { text: Some("nobody".into()), ..InboxQuery::default() }).await;
        assert_eq!((nobody.rows.len(), nobody.total), (0, 0));
        let combined =
            inbox(InboxQuery { text: Some("aïssata".into()), currency: Some(Currency::EUR), ..InboxQuery::default() })
                .await;
        assert_eq!(references(&combined), [village.as_str()]);
    }

    pub async fn search_text_takes_like_wildcards_literally(store: Store) {
        let named = |given: &'static str| {
            custom_pledge(Timestamp::now(), move |json| json["donor"]["given_name"] = given.into())
        };
        let underscore = created(&store, named("Jo_n")).await;
        created(&store, named("John")).await;
        let percent = created(&store, named("100%")).await;
        created(&store, named("1000")).await;
        let backslash = created(&store, named("A\\B")).await;
        created(&store, named("AB")).await;
        for (text, expected) in [("o_n", &underscore), ("0%", &percent), ("a\\b", &backslash)] {
            let found =
                store.inbox(InboxQuery { text: Some(text.into()), limit: 10, ..InboxQuery::default() }).await.unwrap();
            assert_eq!(found.rows.iter().map(|row| &row.reference).collect::<Vec<_>>(), [expected], "{text}");
        }
    }

    /// Equal amounts and times everywhere: ties are broken by id, so paging through any sort
    /// visits every row exactly once, in an order that does not change between pages.
    pub async fn inbox_pages_are_stable(store: Store) {
        let same_time = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
        let mut references = Vec::new();
        for index in 0..11 {
            let minor_units = if index % 3 == 0 { 5_000 } else { 2_500 };
            references.push(
                created(&store, custom_pledge(same_time, |json| json["amount"]["minor_units"] = minor_units.into()))
                    .await,
            );
        }
        for sort in [
            InboxSort::NewestFirst,
            InboxSort::OldestFirst,
            InboxSort::AmountHighestFirst,
            InboxSort::AmountLowestFirst,
        ] {
            let whole = store.inbox(InboxQuery { sort, limit: 100, ..InboxQuery::default() }).await.unwrap();
            let mut paged = Vec::new();
            for page in 0..4 {
                let rows = store
                    .inbox(InboxQuery { sort, limit: 3, offset: page * 3, ..InboxQuery::default() })
                    .await
                    .unwrap();
                assert_eq!(rows.total, 11);
                paged.extend(rows.rows);
            }
            assert_eq!(paged, whole.rows, "{sort:?}");
            let beyond = store.inbox(InboxQuery { sort, limit: 3, offset: 30, ..InboxQuery::default() }).await.unwrap();
            assert_eq!((beyond.rows.len(), beyond.total), (0, 11), "a page past the end still says how many there are");
            let ids: Vec<i64> = whole.rows.iter().map(|row| row.id).collect();
            let amounts: Vec<u64> = whole.rows.iter().map(|row| row.amount.minor_units).collect();
            match sort {
                InboxSort::NewestFirst => assert!(ids.windows(2).all(|pair| pair[0] > pair[1]), "{ids:?}"),
                InboxSort::OldestFirst => assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}"),
                InboxSort::AmountHighestFirst => {
                    assert_eq!(amounts[..4], [5_000; 4]);
                    assert!(
                        whole
                            .rows
                            .windows(2)
                            .all(|pair| pair[0].amount.minor_units > pair[1].amount.minor_units
                                || pair[0].id > pair[1].id)
                    );
                }
                InboxSort::AmountLowestFirst => {
                    assert_eq!(amounts[7..], [5_000; 4]);
                    assert!(
                        whole
                            .rows
                            .windows(2)
                            .all(|pair| pair[0].amount.minor_units < pair[1].amount.minor_units
                                || pair[0].id < pair[1].id)
                    );
                }
            }
        }
        let bounded = store.inbox(InboxQuery { limit: 100_000, ..InboxQuery::default() }).await.unwrap();
        assert_eq!(bounded.rows.len(), 11);
        let at_least_one = store.inbox(InboxQuery { limit: 0, ..InboxQuery::default() }).await.unwrap();
        assert_eq!(at_least_one.rows.len(), 1);
        assert_eq!(MAX_INBOX_ROWS, 200);
        assert_eq!(references.len(), 11);
    }

    pub async fn wordings_are_stored_once_and_never_changed(store: Store) {
        let wording = |kind: &str, version: &str, locale: &str, text: &str| Wording {
            kind: kind.into(),
            version: version.into(),
            locale: locale.into(),
            text: text.into(),
        };
        let gift_aid = [
            wording("gift_aid", "gift-aid-2026-11", "fr", "Je suis contribuable au Royaume-Uni…"),
            wording("gift_aid", "gift-aid-2026-11", "en", "I am a UK taxpayer…"),
        ];
        store.ensure_wordings(&gift_aid).await.unwrap();
        store.ensure_wordings(&gift_aid).await.expect("the same texts again are fine");
        assert_eq!(
            store.wording("gift_aid", "gift-aid-2026-11").await.unwrap(),
            [gift_aid[1].clone(), gift_aid[0].clone()]
        );
        assert!(store.wording("gift_aid", "gift-aid-2027-01").await.unwrap().is_empty());

        let consent = wording("consent", "consent-2026-11", "en", "Keep me informed");
        let changed = wording("gift_aid", "gift-aid-2026-11", "fr", "Je paie des impôts…");
        let error = store.ensure_wordings(&[consent.clone(), changed]).await.unwrap_err().to_string();
        assert!(error.contains("gift_aid wording gift-aid-2026-11 (fr)"), "{error}");
        assert!(!error.contains("(en)"), "only the changed one is named: {error}");
        assert_eq!(
            store.wording("gift_aid", "gift-aid-2026-11").await.unwrap()[1],
            gift_aid[0],
            "the stored text stays"
        );
        assert!(store.wording("consent", "consent-2026-11").await.unwrap().is_empty(), "nothing stored on refusal");
        store.ensure_wordings(std::slice::from_ref(&consent)).await.unwrap();
        assert_eq!(store.wording("consent", "consent-2026-11").await.unwrap(), [consent]);
    }

    pub async fn staff_users_and_sessions(store: Store) {
        assert_eq!(store.add_user("ana", "$argon2id$ana").await.unwrap(), UserAdded::Added);
        assert_eq!(store.add_user("ana", "$argon2id$other").await.unwrap(), UserAdded::AlreadyExists);
        assert_eq!(store.add_user("ben", "$argon2id$ben").await.unwrap(), UserAdded::Added);
        let users = store.list_users().await.unwrap();
        assert_eq!(users.iter().map(|user| user.username.as_str()).collect::<Vec<_>>(), ["ana", "ben"]);
        assert!(users[0].created_at <= Timestamp::now());
        let ana = store.user_for_sign_in("ana").await.unwrap().unwrap();
        assert_eq!(ana.password_hash, "$argon2id$ana", "the first hash is kept");
        assert_eq!(store.user_for_sign_in("Ana").await.unwrap(), None);
        let ben = store.user_for_sign_in("ben").await.unwrap().unwrap();

        let start = Timestamp::parse("2026-11-01T09:00:00Z").unwrap();
        let session = |token: &str, user_id: i64, minutes: i64| NewSession {
            token_hash: token_hash(token),
            user_id,
            csrf_token: format!("csrf-{token}"),
            created_at: Timestamp::from_micros(start.as_micros() + minutes * 60_000_000),
        };
        assert_eq!(store.create_session(session("ana-1", ana.user_id, 0)).await.unwrap(), SessionCreated::Created);
        assert_eq!(store.create_session(session("ana-1", ana.user_id, 5)).await.unwrap(), SessionCreated::TokenInUse);
        assert_eq!(store.create_session(session("ana-2", ana.user_id, 10)).await.unwrap(), SessionCreated::Created);
        assert_eq!(store.create_session(session("ben-1", ben.user_id, 0)).await.unwrap(), SessionCreated::Created);
        assert_eq!(store.create_session(session("ghost", 999_999, 0)).await.unwrap(), SessionCreated::NoSuchUser);

        let token = token_hash;
        let found = store.session(&token("ana-1")).await.unwrap().unwrap();
        assert_eq!(
            (found.user_id, found.username.as_str(), found.csrf_token.as_str(), found.created_at, found.last_seen_at),
            (ana.user_id, "ana", "csrf-ana-1", start, start)
        );
        assert_eq!(store.session(&token("ghost")).await.unwrap(), None);

        let later = Timestamp::from_micros(start.as_micros() + 60 * 60_000_000);
        assert!(store.touch_session(&token("ana-1"), later).await.unwrap());
        assert!(!store.touch_session(&token("ghost"), later).await.unwrap());
        assert_eq!(store.session(&token("ana-1")).await.unwrap().unwrap().last_seen_at, later);

        // ana-2 (10 min) and ben-1 (0 min) were idle since before 30 minutes; ana-1 was used at 60.
        let cutoff = Timestamp::from_micros(start.as_micros() + 30 * 60_000_000);
        assert_eq!(store.delete_sessions_idle_since(cutoff).await.unwrap(), 2);
        assert!(store.session(&token("ana-2")).await.unwrap().is_none());
        assert!(store.session(&token("ben-1")).await.unwrap().is_none());
        assert!(store.session(&token("ana-1")).await.unwrap().is_some());

        assert_eq!(store.create_session(session("ben-2", ben.user_id, 70)).await.unwrap(), SessionCreated::Created);
        assert_eq!(store.create_session(session("ana-3", ana.user_id, 70)).await.unwrap(), SessionCreated::Created);
        assert!(store.delete_session(&token("ana-3")).await.unwrap());
        assert!(!store.delete_session(&token("ana-3")).await.unwrap());

        assert_eq!(store.remove_user("ana").await.unwrap(), UserRemoved::Removed);
        assert_eq!(store.remove_user("ana").await.unwrap(), UserRemoved::NoSuchUser);
        assert!(store.session(&token("ana-1")).await.unwrap().is_none(), "removing a user signs them out");
        assert!(store.session(&token("ben-2")).await.unwrap().is_some(), "others stay signed in");
        assert_eq!(store.user_for_sign_in("ana").await.unwrap(), None);
        assert_eq!(store.list_users().await.unwrap().len(), 1);
        assert_eq!(store.add_user("ana", "$argon2id$new").await.unwrap(), UserAdded::Added, "the name is free again");
    }

    pub async fn subject_access_ignores_letter_case(store: Store) {
        let with_email =
            |email: &'static str| custom_pledge(Timestamp::now(), move |json| json["donor"]["email"] = email.into());
        let first = created(&store, with_email("Aissata@Example.org")).await;
        let second = created(&store, with_email("aissata@example.org")).await;
        created(&store, with_email("someone@example.org")).await;
        store.change_status(&second, Status::Contacted, None, "ana").await.unwrap();

        let found = store.subject_access("AISSATA@EXAMPLE.ORG").await.unwrap();
        assert_eq!(found.iter().map(|(pledge, _)| pledge.reference.clone()).collect::<Vec<_>>(), [first, second]);
        assert_eq!(found[0].0.pledge.donor.email, "Aissata@Example.org");
        assert_eq!(found[0].1.iter().map(|event| event.kind).collect::<Vec<_>>(), [EventKind::Received]);
        assert_eq!(
            found[1].1.iter().map(|event| event.kind).collect::<Vec<_>>(),
            [EventKind::Received, EventKind::StatusChanged]
        );
        assert!(store.subject_access("nobody@example.org").await.unwrap().is_empty());
    }

    pub async fn retention_anonymises_only_old_unconverted_pledges(store: Store, database: &TestDatabase) {
        let cutoff = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let old = Timestamp::parse("2025-06-01T00:00:00Z").unwrap();
        let old_new = created(&store, new_pledge("st-marys-school", old).1).await;
        let old_declined = created(&store, new_pledge("st-marys-school", old).1).await;
        let old_converted = created(&store, new_pledge("st-marys-school", old).1).await;
        let old_review = created(&store, new_pledge("st-marys-school", old).1.for_review(SpamReason::Honeypot)).await;
        let recent = created(&store, new_pledge("st-marys-school", cutoff).1).await;
        store.change_status(&old_declined, Status::Declined, None, "ana").await.unwrap();
        store.change_status(&old_converted, Status::Converted, None, "ana").await.unwrap();

        let anonymised = store.anonymise_unconverted(cutoff).await.unwrap();
        assert_eq!(anonymised, [old_new.clone(), old_declined.clone(), old_review.clone()]);
        for reference in &anonymised {
            let last = store.history(reference).await.unwrap().pop().unwrap();
            assert_eq!((last.kind, last.actor.as_str()), (EventKind::Anonymised, ACTOR_RETENTION));
        }
        assert_eq!(
            database.personal_text(&old_converted).await.to_lowercase().matches("coulibaly").count(),
            3,
            "the JSON, the name and its search copy"
        );
        assert!(database.personal_text(&recent).await.contains("aissata@example.org"));
        assert!(!database.personal_text(&old_new).await.to_lowercase().contains("aissata"));
        assert!(store.anonymise_unconverted(cutoff).await.unwrap().is_empty(), "a second run finds nothing");
    }

    pub async fn erasure_removes_personal_data_and_keeps_the_figures(store: Store, database: &TestDatabase) {
        let erased_email = |email: &'static str| {
            custom_pledge(Timestamp::now(), move |json| {
                json["donor"]["email"] = email.into();
                json["donor"]["phone"] = "+44 1865 000000".into();
                json["donor"]["postal_address"] =
                    serde_json::json!({"address": "1 High Street, Oxford", "postcode": "OX1 1AA"});
                json["consent"]["phone"] = true.into();
                json["consent"]["post"] = true.into();
                json["page_url"] = "https://www.stmarys.example/sponsor?who=Coulibaly".into();
            })
        };
        let first = created(&store, erased_email("Aissata@Example.org")).await;
        let second = created(&store, erased_email("aissata@example.org")).await;
        let other = created(
            &store,
            custom_pledge(Timestamp::now(), |json| {
                json["donor"]["given_name"] = "Moussa".into();
                json["donor"]["email"] = "moussa@example.org".into();
            }),
        )
        .await;
        let note = "Called Aïssata Coulibaly on +44 1865 000000";
        store.change_status(&second, Status::Converted, Some(note.into()), "ana").await.unwrap();
        let before: Vec<StoredPledge> =
            store.subject_access("aissata@example.org").await.unwrap().into_iter().map(|(pledge, _)| pledge).collect();

        let erased = store.erase(Erasure::ByEmail("AISSATA@example.ORG".into()), "ana").await.unwrap();
        assert_eq!(erased, [first.clone(), second.clone()]);
        for reference in [&first, &second] {
            let text = database.personal_text(reference).await.to_lowercase();
            for personal in ["aissata", "aïssata", "coulibaly", "1865", "high street", "ox1", "church lane"] {
                assert!(!text.contains(personal), "{personal} is still stored for {reference}: {text}");
            }
            let events = database.event_text(reference).await.to_lowercase();
            for personal in ["aissata", "aïssata", "coulibaly", "1865", "example.org"] {
                assert!(!events.contains(personal), "{personal} is still in the history of {reference}: {events}");
            }
            let last = store.history(reference).await.unwrap().pop().unwrap();
            assert_eq!((last.kind, last.actor.as_str(), last.note), (EventKind::Erased, "ana", None));
        }
        let everything = store.list(ListFilter { status: StatusFilter::Everything, ..everything() }).await.unwrap();
        for (before, after) in before.iter().zip(everything.pledges.iter()) {
            assert_eq!(
                (
                    after.pledge.amount,
                    after.pledge.option,
                    after.pledge.frequency,
                    &after.pledge.partner,
                    after.received_at,
                    after.status
                ),
                (
                    before.pledge.amount,
                    before.pledge.option,
                    before.pledge.frequency,
                    &before.pledge.partner,
                    before.received_at,
                    before.status
                )
            );
            let declaration = after.pledge.gift_aid.as_ref().expect("the fact of a declaration is kept");
            assert_eq!(declaration.wording_version, pledge::GIFT_AID_WORDING_VERSION);
            assert_eq!((after.pledge.donor.phone.as_ref(), after.pledge.donor.postal_address.as_ref()), (None, None));
        }
        let inbox = store
            .inbox(InboxQuery { status: StatusFilter::Everything, limit: 10, ..InboxQuery::default() })
            .await
            .unwrap();
        let row = inbox.rows.iter().find(|row| row.reference == first).unwrap();
        assert_eq!(
            (row.given_name.as_str(), row.family_name.as_str(), row.email.as_str(), row.has_gift_aid),
            ("", "", "", true)
        );
        assert!(row.erased_at.is_some());
        assert!(store.subject_access("aissata@example.org").await.unwrap().is_empty());
        let search = store
            .inbox(InboxQuery { text: Some("coulibaly".into()), limit: 10, ..InboxQuery::default() })
            .await
            .unwrap();
        assert_eq!(
            search.rows.iter().map(|row| &row.reference).collect::<Vec<_>>(),
            [&other],
            "only the other donor is found"
        );

        let events = store.history(&first).await.unwrap().len();
        assert!(store.erase(Erasure::ByEmail("aissata@example.org".into()), "ana").await.unwrap().is_empty());
        assert!(store.erase(Erasure::ByReference(first.clone()), "ana").await.unwrap().is_empty(), "already erased");
        assert_eq!(store.history(&first).await.unwrap().len(), events, "no-ops record nothing");
        assert!(database.personal_text(&other).await.contains("moussa@example.org"), "the other donor is untouched");
        assert_eq!(store.erase(Erasure::ByReference(other.clone()), "ben").await.unwrap(), [other.as_str()]);
        assert!(!database.personal_text(&other).await.contains("moussa"));
    }

    pub async fn reports_received_and_converted_pledges(store: Store) {
        let base = Timestamp::parse("2026-11-01T00:00:00Z").unwrap().as_micros();
        let day = 86_400_000_000;
        let at = |days: i64| Timestamp::from_micros(base + days * day);
        let before = created(&store, new_pledge("st-marys-school", at(-1)).1).await;
        let converted = created(&store, new_pledge("st-marys-school", at(0)).1).await;
        let without_gift_aid = created(
            &store,
            custom_pledge(at(1), |json| {
                json.as_object_mut().unwrap().remove("gift_aid");
            }),
        )
        .await;
        let erased = created(&store, new_pledge("lycee-bamako", at(2)).1).await;
        let held = created(&store, new_pledge("st-marys-school", at(3)).1.for_review(SpamReason::TooFast)).await;
        created(&store, new_pledge("st-marys-school", at(4)).1).await;

        let received = store.pledges_received_between(at(0), at(4)).await.unwrap();
        assert_eq!(received.len(), 4, "since inclusive, until exclusive");
        assert_eq!(
            (
                received[0].received_at,
                received[0].partner.as_str(),
                received[0].option,
                received[0].frequency,
                received[0].amount,
                received[0].status
            ),
            (
                at(0),
                "st-marys-school",
                SponsorshipOption::Child,
                Frequency::Monthly,
                Amount::new(2500, Currency::GBP),
                Status::New
            )
        );
        assert_eq!((received[2].partner.as_str(), received[3].status), ("lycee-bamako", Status::Review));

        for reference in [&before, &converted, &without_gift_aid, &erased] {
            store.change_status(reference, Status::Converted, None, "ana").await.unwrap();
        }
        store.change_status(&before, Status::Contacted, None, "ana").await.unwrap();
        store.change_status(&converted, Status::Contacted, None, "ana").await.unwrap();
        let Some(StatusChange::Changed { at: converted_at, .. }) =
            store.change_status(&converted, Status::Converted, None, "ana").await.unwrap()
        else {
            panic!("converted again")
        };
        store.erase(Erasure::ByReference(erased.clone()), "ana").await.unwrap();
        let claimable = store.converted_with_gift_aid().await.unwrap();
        assert_eq!(claimable.len(), 1, "{claimable:?}");
        assert_eq!(
            (claimable[0].pledge.reference.as_str(), claimable[0].converted_at),
            (converted.as_str(), converted_at)
        );
        assert!(claimable[0].pledge.pledge.gift_aid.is_some());
        assert_eq!(store.history(&held).await.unwrap().len(), 2);
    }

    /// A store on the same database whose changes are announced to two endpoints.
    async fn announcing(database: &TestDatabase) -> Store {
        Store::open_with_endpoints(database.database.clone(), Endpoints::new(["crm".to_owned(), "sheet".to_owned()]))
            .await
            .unwrap()
    }

    /// Every delivery, oldest first, as (reference, event type, endpoint, status).
    async fn deliveries_of(store: &Store) -> Vec<(String, String, String, DeliveryStatus)> {
        let page = store.deliveries(DeliveryQuery { limit: 1000, ..DeliveryQuery::default() }).await.unwrap();
        let mut rows: Vec<_> = page
            .deliveries
            .into_iter()
            .map(|delivery| (delivery.reference, delivery.event_type, delivery.endpoint, delivery.status))
            .collect();
        rows.reverse();
        rows
    }

    fn both(
        reference: &str,
        event_type: &str,
        status: DeliveryStatus,
    ) -> [(String, String, String, DeliveryStatus); 2] {
        ["crm", "sheet"].map(|endpoint| (reference.to_owned(), event_type.to_owned(), endpoint.to_owned(), status))
    }

    pub async fn events_are_written_with_their_changes(store: Store, database: &TestDatabase) {
        // Without endpoints, nothing goes to the outbox, not even the event.
        created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        assert_eq!(database.integers("SELECT count(*) FROM outbox_events").await, [0]);

        let store = announcing(database).await;
        let (_, new) = new_pledge("st-marys-school", Timestamp::now());
        let person = created(&store, new.clone()).await;
        assert!(matches!(store.record_pledge(new).await.unwrap(), Recorded::Replayed(_)), "a replay announces nothing");
        let bot =
            created(&store, new_pledge("st-marys-school", Timestamp::now()).1.for_review(SpamReason::Honeypot)).await;
        let pending = DeliveryStatus::Pending;
        assert_eq!(deliveries_of(&store).await, both(&person, "pledge.created", pending), "the bot is not announced");

        store.change_status(&person, Status::Contacted, Some("Left a message".into()), "ana").await.unwrap();
        store.change_status(&person, Status::Contacted, None, "ana").await.unwrap();
        store.release(&bot, "ana").await.unwrap();
        store.release(&bot, "ana").await.unwrap();
        let mut expected: Vec<_> = both(&person, "pledge.created", pending).into();
        expected.extend(both(&person, "pledge.status_changed", pending));
        expected.extend(both(&bot, "pledge.created", pending));
        assert_eq!(deliveries_of(&store).await, expected, "one event per change, none for the no-ops");

        let payload = database.payload_text();
        let payloads = database.texts(&format!("SELECT {payload} FROM outbox_events ORDER BY id")).await;
        let change: serde_json::Value = serde_json::from_str(&payloads[1]).unwrap();
        assert_eq!(
            (&change["type"], &change["data"]["reference"], &change["data"]["from"], &change["data"]["to"]),
            (&"pledge.status_changed".into(), &person.clone().into(), &"new".into(), &"contacted".into())
        );
        assert_eq!(change["data"]["note"], "Left a message");
        let released: serde_json::Value = serde_json::from_str(&payloads[2]).unwrap();
        assert_eq!((&released["data"]["reference"], &released["data"]["status"]), (&bot.clone().into(), &"new".into()));

        // Erasure gives up what was not sent, clears every payload that held personal data,
        // and announces itself.
        store.erase(Erasure::ByReference(person.clone()), "ana").await.unwrap();
        let dead = DeliveryStatus::Dead;
        let mut expected: Vec<_> = both(&person, "pledge.created", dead).into();
        expected.extend(both(&person, "pledge.status_changed", dead));
        expected.extend(both(&bot, "pledge.created", pending));
        expected.extend(both(&person, "pledge.erased", pending));
        assert_eq!(deliveries_of(&store).await, expected);
        let kept = database.texts(&format!("SELECT {payload} FROM outbox_events WHERE payload IS NOT NULL")).await;
        assert_eq!(kept.len(), 2, "the released pledge's and the erasure's");
        assert!(kept.iter().all(|payload| !payload.contains(&person) || payload.contains("pledge.erased")));
        let errors = store.deliveries(DeliveryQuery { status: Some(dead), limit: 10, ..DeliveryQuery::default() });
        assert!(errors
            .await
            .unwrap()
            .deliveries
            .iter()
            .all(|delivery| delivery.last_error.as_deref()
                == Some("the pledge was erased before this event was delivered")));
        assert!(matches!(store.retry_delivery(1).await.unwrap(), RetryOutcome::Erased));

        // A pledge erased while still in review was never announced, so its erasure is not.
        let held =
            created(&store, new_pledge("st-marys-school", Timestamp::now()).1.for_review(SpamReason::TooFast)).await;
        store.erase(Erasure::ByReference(held.clone()), "ana").await.unwrap();
        assert!(deliveries_of(&store).await.iter().all(|(reference, ..)| reference != &held));

        let oldest = store.oldest_undelivered_event().await.unwrap().expect("deliveries are pending");
        assert!(oldest <= Timestamp::now());
        store.close().await;
    }

    fn new_webhook(name: &str) -> NewWebhook {
        NewWebhook {
            name: name.to_owned(),
            url: format!("https://{name}.example.org/hook"),
            secret: format!("secret-of-{name}-0123456789-abcdefghij"),
            created_at: Timestamp::now(),
            created_by: "amina".to_owned(),
        }
    }

    /// Endpoints added on the admin pages get deliveries from the next change on, beside the
    /// flag endpoints; a flag endpoint's name cannot be taken; removing one gives up what was
    /// waiting for it.
    pub async fn stored_webhooks_get_deliveries_until_removed(store: Store, database: &TestDatabase) {
        drop(store);
        let store = announcing(database).await;
        let before = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        assert_eq!(store.add_webhook(new_webhook("robot")).await.unwrap(), WebhookAdded::Added);
        assert_eq!(store.add_webhook(new_webhook("robot")).await.unwrap(), WebhookAdded::NameTaken);
        assert_eq!(store.add_webhook(new_webhook("crm")).await.unwrap(), WebhookAdded::NameOfFlagEndpoint);
        let stored = store.webhooks().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!((stored[0].name.as_str(), stored[0].created_by.as_str()), ("robot", "amina"));
        assert_eq!(stored[0].secret, "secret-of-robot-0123456789-abcdefghij", "kept as given, to sign with");

        // Another receiver on the database, with no flag endpoint at all, delivers to it too.
        let elsewhere = Store::open(database.database.clone()).await.unwrap();
        let after = created(&elsewhere, new_pledge("st-marys-school", Timestamp::now()).1).await;
        let endpoints_of = |rows: &[(String, String, String, DeliveryStatus)], reference: &str| -> Vec<String> {
            rows.iter().filter(|row| row.0 == reference).map(|row| row.2.clone()).collect()
        };
        let rows = deliveries_of(&store).await;
        assert_eq!(endpoints_of(&rows, &before), ["crm", "sheet"], "an endpoint starts from the next change");
        assert_eq!(endpoints_of(&rows, &after), ["robot"], "stored endpoints on a receiver without flags");
        store.change_status(&before, Status::Contacted, None, "ana").await.unwrap();
        let rows = deliveries_of(&store).await;
        assert_eq!(rows.iter().filter(|row| row.0 == before).count(), 5, "two, then three for the change");

        // One of robot's deliveries is settled first: only the pending ones are given up.
        let claimed = store.claim_deliveries(Duration::from_secs(60), 100).await.unwrap();
        let robot_first = claimed.iter().find(|c| c.endpoint == "robot" && c.reference == after).unwrap();
        let delivered = DeliveryUpdate::Delivered { attempts: 1, at: Timestamp::now(), note: None };
        assert!(store.record_delivery(robot_first, delivered).await.unwrap());
        assert_eq!(store.remove_webhook("robot").await.unwrap(), WebhookRemoved::Removed { given_up: 1 });
        assert_eq!(store.remove_webhook("robot").await.unwrap(), WebhookRemoved::NoSuchEndpoint);
        assert!(store.webhooks().await.unwrap().is_empty());
        let robot: Vec<_> = store
            .deliveries(DeliveryQuery { limit: 100, ..DeliveryQuery::default() })
            .await
            .unwrap()
            .deliveries
            .into_iter()
            .filter(|delivery| delivery.endpoint == "robot")
            .map(|delivery| (delivery.status, delivery.last_error))
            .collect();
        assert_eq!(
            robot,
            [(DeliveryStatus::Dead, Some(ENDPOINT_REMOVED.to_owned())), (DeliveryStatus::Delivered, None),]
        );
        let later = created(&elsewhere, new_pledge("st-marys-school", Timestamp::now()).1).await;
        assert!(endpoints_of(&deliveries_of(&store).await, &later).is_empty(), "nothing for a removed endpoint");
        assert_eq!(
            store.add_webhook(new_webhook("robot")).await.unwrap(),
            WebhookAdded::Added,
            "the name is free again"
        );
        elsewhere.close().await;
        store.close().await;
    }

    /// A replaced secret is kept, with until when it signs, and only the newest two are kept;
    /// one that signs no more is deleted.
    pub async fn webhook_secrets_are_replaced_keeping_the_old_one_for_a_while(store: Store) {
        store.add_webhook(new_webhook("robot")).await.unwrap();
        let replacement = |secret: &str, previous_until| SecretReplacement {
            name: "robot".to_owned(),
            secret: secret.to_owned(),
            previous_until: Timestamp::from_micros(previous_until),
        };
        assert_eq!(
            store.replace_webhook_secret(replacement("second-secret-0123456789-abcdefghij", 7)).await.unwrap(),
            WebhookSecretReplaced::Replaced
        );
        let stored = store.webhooks().await.unwrap();
        assert_eq!(stored[0].secret, "second-secret-0123456789-abcdefghij");
        let previous = stored[0].previous_secret.as_ref().expect("the old secret is kept");
        assert_eq!(
            (previous.secret.as_str(), previous.until),
            ("secret-of-robot-0123456789-abcdefghij", Timestamp::from_micros(7))
        );

        store.replace_webhook_secret(replacement("third-secret-0123456789-abcdefghij", 9)).await.unwrap();
        let stored = store.webhooks().await.unwrap();
        assert_eq!(
            stored[0].signing_secrets(Timestamp::from_micros(8)),
            ["third-secret-0123456789-abcdefghij", "second-secret-0123456789-abcdefghij"],
            "the first secret signs no more"
        );
        assert_eq!(store.forget_replaced_secrets(Timestamp::from_micros(8)).await.unwrap(), 0, "it still signs");
        assert_eq!(store.forget_replaced_secrets(Timestamp::from_micros(9)).await.unwrap(), 1);
        let stored = store.webhooks().await.unwrap();
        assert!(stored[0].previous_secret.is_none(), "deleted once it no longer signs");
        assert_eq!(stored[0].secret, "third-secret-0123456789-abcdefghij");
        assert_eq!(
            store
                .replace_webhook_secret(SecretReplacement { name: "nobody".to_owned(), ..replacement("x", 1) })
                .await
                .unwrap(),
            WebhookSecretReplaced::NoSuchEndpoint
        );
    }

    /// A write that fails leaves neither its change nor its event; one that commits has both.
    pub async fn a_failed_write_writes_no_event(store: Store, database: &TestDatabase) {
        drop(store);
        let store = announcing(database).await;
        let first = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        // From now on, a second delivery to an endpoint fails, and a second event of a pledge.
        database.execute("CREATE UNIQUE INDEX refuse_second_delivery ON outbox_deliveries (endpoint)").await;
        database.execute("CREATE UNIQUE INDEX refuse_second_event ON outbox_events (reference)").await;
        assert!(store.record_pledge(new_pledge("st-marys-school", Timestamp::now()).1).await.is_err());
        assert!(store.change_status(&first, Status::Contacted, None, "ana").await.is_err());
        assert_eq!(store.list(everything()).await.unwrap().pledges.len(), 1, "the failed pledge is not stored");
        assert_eq!(store.pledge(&first).await.unwrap().unwrap().status, Status::New, "the change rolled back");
        assert_eq!(store.history(&first).await.unwrap().len(), 1);
        assert_eq!(database.integers("SELECT count(*) FROM outbox_events").await, [1]);
        assert_eq!(database.integers("SELECT count(*) FROM outbox_deliveries").await, [2]);
        store.close().await;
    }

    /// Events every endpoint received are deleted after a while, with their copy of the donor's
    /// details; an event still pending or dead anywhere is kept for its resend.
    pub async fn delivered_events_are_purged_and_the_rest_kept(store: Store, database: &TestDatabase) {
        drop(store);
        let store = announcing(database).await;
        let delivered = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        let half = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        let claimed = store.claim_deliveries(Duration::from_secs(60), 100).await.unwrap();
        assert_eq!(claimed.len(), 4);
        let half_first = claimed.iter().find(|c| c.reference == half).unwrap();
        for delivery in claimed.iter().filter(|c| c.reference == delivered || c.id == half_first.id) {
            let update = DeliveryUpdate::Delivered { attempts: 1, at: Timestamp::now(), note: None };
            assert!(store.record_delivery(delivery, update).await.unwrap());
        }
        let long_ago = Timestamp::from_micros(0);
        assert_eq!(store.purge_delivered_events(long_ago).await.unwrap(), 0, "nothing is that old");
        let later = Timestamp::from_micros(Timestamp::now().as_micros() + 3_600_000_000);
        assert_eq!(store.purge_delivered_events(later).await.unwrap(), 1);
        assert_eq!(database.integers("SELECT count(*) FROM outbox_events").await, [1]);
        assert_eq!(database.integers("SELECT count(*) FROM outbox_deliveries").await, [2]);
        let kept = format!("SELECT count(*) FROM outbox_events WHERE reference = '{delivered}'");
        assert_eq!(database.integers(&kept).await, [0], "the delivered event and its payload are gone");
        assert_eq!(store.purge_delivered_events(later).await.unwrap(), 0, "the half-delivered event stays");
        store.close().await;
    }

    pub async fn deliveries_are_leased_settled_and_retried(store: Store, database: &TestDatabase) {
        drop(store);
        let store = announcing(database).await;
        let first = created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
        store.change_status(&first, Status::Contacted, None, "ana").await.unwrap();

        let lease = Duration::from_secs(60);
        let claimed = store.claim_deliveries(lease, 100).await.unwrap();
        let claimed_of = |claimed: &[ClaimedDelivery]| -> Vec<(String, String)> {
            claimed.iter().map(|c| (c.reference.clone(), c.event.event_type().as_str().to_owned())).collect()
        };
        // The status change waits for its pledge's creation, endpoint by endpoint.
        assert_eq!(claimed.len(), 4, "{:?}", claimed_of(&claimed));
        assert!(claimed.iter().all(|c| c.event.event_type().as_str() == "pledge.created" && c.attempts == 0));
        assert!(store.claim_deliveries(lease, 100).await.unwrap().is_empty(), "leased rows are not claimed twice");

        let crm_first = claimed.iter().find(|c| c.reference == first && c.endpoint == "crm").unwrap();
        let payload: serde_json::Value = serde_json::from_slice(crm_first.event.payload()).unwrap();
        assert_eq!(payload["id"], crm_first.event.id().as_str());
        let delivered = DeliveryUpdate::Delivered { attempts: 1, at: Timestamp::now(), note: None };
        assert!(store.record_delivery(crm_first, delivered.clone()).await.unwrap());
        assert!(!store.record_delivery(crm_first, delivered).await.unwrap(), "settled once");
        let now_due = store.claim_deliveries(lease, 100).await.unwrap();
        assert_eq!(claimed_of(&now_due), [(first.clone(), "pledge.status_changed".to_owned())]);
        assert_eq!(now_due[0].endpoint, "crm");

        // A lease that runs out (its process was killed) makes the row claimable again, and the
        // old lease can no longer settle it.
        let sheet_first = claimed.iter().find(|c| c.reference == first && c.endpoint == "sheet").unwrap();
        let short = store.claim_deliveries(Duration::ZERO, 100).await.unwrap();
        assert!(short.is_empty(), "every due row is leased");
        let retry = DeliveryUpdate::Retry { attempts: 1, next_attempt_at: Timestamp::now(), error: "HTTP 500".into() };
        assert!(store.record_delivery(sheet_first, retry).await.unwrap());
        let expiring = store.claim_deliveries(Duration::from_millis(1), 100).await.unwrap();
        assert_eq!(expiring.len(), 1);
        assert_eq!((expiring[0].id, expiring[0].attempts), (sheet_first.id, 1));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let reclaimed = store.claim_deliveries(lease, 100).await.unwrap();
        assert_eq!(reclaimed.iter().map(|c| c.id).collect::<Vec<_>>(), [sheet_first.id]);
        assert_eq!(reclaimed[0].event, expiring[0].event, "the same id and bytes on every attempt");
        let dead = DeliveryUpdate::Dead { attempts: 2, error: "HTTP 500".into() };
        assert!(!store.record_delivery(&expiring[0], dead.clone()).await.unwrap(), "the expired lease is void");
        assert!(store.record_delivery(&reclaimed[0], dead).await.unwrap());

        // A dead delivery is resent on request, its attempts kept.
        let RetryOutcome::Scheduled(record) = store.retry_delivery(sheet_first.id).await.unwrap() else { panic!() };
        assert_eq!((record.status, record.attempts), (DeliveryStatus::Pending, 2));
        assert_eq!(record.last_error.as_deref(), Some("HTTP 500"));
        assert!(record.next_attempt_at.is_some());
        assert_eq!(store.retry_delivery(crm_first.id).await.unwrap(), RetryOutcome::AlreadyDelivered);
        assert_eq!(store.retry_delivery(999_999).await.unwrap(), RetryOutcome::NoSuchDelivery);
        let again = store.claim_deliveries(lease, 100).await.unwrap();
        assert!(again.iter().any(|c| c.id == sheet_first.id && c.attempts == 2));

        let page = store.deliveries(DeliveryQuery { limit: 2, ..DeliveryQuery::default() }).await.unwrap();
        assert_eq!(page.deliveries.len(), 2);
        let rest = store
            .deliveries(DeliveryQuery { before_id: page.next_before_id, limit: 100, ..DeliveryQuery::default() })
            .await
            .unwrap();
        assert_eq!(page.deliveries.len() + rest.deliveries.len(), 6);
        assert_eq!(rest.next_before_id, None);
        store.close().await;
    }

    /// Two stores (two receivers) claiming from one database at once never get the same row.
    pub async fn two_stores_never_claim_the_same_row(store: Store, database: &TestDatabase) {
        drop(store);
        let (one, two) = (announcing(database).await, announcing(database).await);
        let writes: Vec<_> = (0..60)
            .map(|index| {
                let store = if index % 2 == 0 { one.clone() } else { two.clone() };
                tokio::spawn(async move { created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await })
            })
            .collect();
        for write in writes {
            write.await.unwrap();
        }
        let claimers: Vec<_> = [one.clone(), two.clone(), one.clone(), two.clone()]
            .into_iter()
            .map(|store| {
                tokio::spawn(async move {
                    let mut ids = Vec::new();
                    loop {
                        let claimed = store.claim_deliveries(Duration::from_secs(60), 7).await.unwrap();
                        if claimed.is_empty() {
                            return ids;
                        }
                        ids.extend(claimed.iter().map(|c| c.id));
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for claimer in claimers {
            all.extend(claimer.await.unwrap());
        }
        let distinct: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "a row was claimed twice");
        assert_eq!(all.len(), 120, "every delivery was claimed");
        one.close().await;
        two.close().await;
    }
}

/// Runs each case against a fresh database, and once more for reopening. `$attr` marks every
/// test of the backend, for the PostgreSQL half's `ignore`.
macro_rules! suite {
    ($backend:ident, $open:path $(, #[$attr:meta])*) => {
        mod $backend {
            use super::*;

            macro_rules! case {
                ($case:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    $(#[$attr])*
                    async fn $case() {
                        let database = $open().await;
                        let store = database.open().await;
                        cases::$case(store.clone()).await;
                        store.close().await;
                        database.dispose().await;
                    }
                };
                ($case:ident, with_database) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    $(#[$attr])*
                    async fn $case() {
                        let database = $open().await;
                        let store = database.open().await;
                        cases::$case(store.clone(), &database).await;
                        store.close().await;
                        database.dispose().await;
                    }
                };
            }

            case!(creates_then_replays_then_refuses_reuse);
            case!(keys_are_scoped_per_partner);
            case!(concurrent_identical_writes_store_one_row);
            case!(concurrent_distinct_writes_are_all_stored);
            case!(lists_by_partner_time_and_page);
            case!(holds_for_review_and_releases);
            case!(keeps_text_verbatim);
            case!(answers_health_checks_with_a_write_that_leaves_nothing);
            case!(releases_record_who_released);
            case!(changes_status_with_its_event);
            case!(status_and_event_commit_together);
            case!(inbox_filters_and_counts);
            case!(search_text_takes_like_wildcards_literally);
            case!(inbox_pages_are_stable);
            case!(wordings_are_stored_once_and_never_changed);
            case!(staff_users_and_sessions);
            case!(subject_access_ignores_letter_case);
            case!(retention_anonymises_only_old_unconverted_pledges, with_database);
            case!(erasure_removes_personal_data_and_keeps_the_figures, with_database);
            case!(reports_received_and_converted_pledges);
            case!(events_are_written_with_their_changes, with_database);
            case!(a_failed_write_writes_no_event, with_database);
            case!(deliveries_are_leased_settled_and_retried, with_database);
            case!(delivered_events_are_purged_and_the_rest_kept, with_database);
            case!(two_stores_never_claim_the_same_row, with_database);
            case!(stored_webhooks_get_deliveries_until_removed, with_database);
            case!(webhook_secrets_are_replaced_keeping_the_old_one_for_a_while);

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$attr])*
            async fn a_migration_changed_after_it_was_applied_stops_the_start() {
                let database = $open().await;
                database.open().await.close().await;
                database.execute("UPDATE _sqlx_migrations SET checksum = checksum || checksum WHERE version = 1").await;
                let Err(error) = Store::open(database.database.clone()).await else {
                    panic!("a database whose first migration changed was opened")
                };
                let message = error.to_string();
                assert!(message.starts_with("migration 1 (pledges) was changed after this database applied it"), "{message}");
                database.dispose().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$attr])*
            async fn a_database_newer_than_the_receiver_is_refused() {
                let database = $open().await;
                database.open().await.close().await;
                database
                    .execute("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) SELECT 9999, 'future', TRUE, checksum, 0 FROM _sqlx_migrations WHERE version = 1")
                    .await;
                let Err(error) = Store::open(database.database.clone()).await else { panic!("a newer database was opened") };
                assert!(error.to_string().contains("schema version 9999, newer than this receiver knows"), "{error}");
                database.dispose().await;
            }

            /// Databases migrated before the receiver used sqlx kept their history in
            /// `schema_migrations`: it is carried over, and the later steps applied.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$attr])*
            async fn a_database_with_the_old_migration_history_is_carried_over() {
                let database = $open().await;
                database.execute(database.migration_sql(1)).await;
                database.execute(database.migration_sql(2)).await;
                database
                    .execute(
                        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);
                         INSERT INTO schema_migrations VALUES (1, 'pledges', 0), (2, 'review', 0)",
                    )
                    .await;
                // Upper-case letters beyond ASCII, which SQL's lower() may leave as they are.
                let mut json = pledge_json(&new_key());
                json["donor"]["given_name"] = "AÏSSATA".into();
                let pledge: pledge::Pledge = serde_json::from_value(json).unwrap();
                let new = NewPledge::new(&pledge, Timestamp::now());
                database
                    .execute(&format!(
                        "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge,
                             review_reason, released_at)
                         VALUES ('SK-OLD0-0001', 'st-marys-school', '{}', {}, {}, '{}', 'honeypot', {});
                         INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge)
                         VALUES ('SK-OLD0-0002', 'st-marys-school', 'deleted', {}, 0, '{{}}');
                         DELETE FROM pledges WHERE reference = 'SK-OLD0-0002'",
                        new.idempotency_key,
                        database.empty_blob(),
                        new.received_at.as_micros(),
                        new.pledge_json.replace('\'', "''"),
                        new.received_at.as_micros() + 1,
                        database.empty_blob(),
                    ))
                    .await;

                let store = database.open().await;
                let listed = store.list(everything()).await.unwrap();
                assert_eq!(listed.pledges.len(), 1);
                assert_eq!(
                    (listed.pledges[0].id, listed.pledges[0].reference.as_str(), &listed.pledges[0].pledge),
                    (1, "SK-OLD0-0001", &pledge)
                );
                // The searchable columns and the history are filled from what was stored.
                let inbox = store.inbox(InboxQuery { text: Some("aïssata coulibaly".into()), limit: 10, ..InboxQuery::default() }).await.unwrap();
                assert_eq!(inbox.rows.len(), 1);
                let row = &inbox.rows[0];
                assert_eq!(
                    (row.option, row.frequency, row.amount, row.given_name.as_str(), row.family_name.as_str(), row.email.as_str(), row.has_gift_aid),
                    (SponsorshipOption::Child, Frequency::Monthly, Amount::new(2500, Currency::GBP), "AÏSSATA", "Coulibaly", "aissata@example.org", true)
                );
                let history: Vec<_> = store
                    .history("SK-OLD0-0001")
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|event| (event.kind, event.actor, event.to_status, event.note))
                    .collect();
                assert_eq!(
                    history,
                    [
                        (EventKind::Received, ACTOR_WIDGET.to_owned(), Some(Status::Review), None),
                        (EventKind::HeldForReview, ACTOR_SPAM_CHECK.to_owned(), Some(Status::Review), Some("honeypot".to_owned())),
                        (EventKind::Released, "admin_api".to_owned(), Some(Status::New), None),
                    ]
                );
                // Ids are never reused, not even those of rows deleted before the migration.
                created(&store, new_pledge("st-marys-school", Timestamp::now()).1).await;
                let ids: Vec<i64> = store.list(everything()).await.unwrap().pledges.iter().map(|stored| stored.id).collect();
                assert_eq!(ids, [1, 3]);
                store.close().await;
                assert_eq!(database.applied_versions().await, migration_versions());
                assert!(database.table_missing("schema_migrations").await, "the old history table is dropped");
                database.dispose().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$attr])*
            async fn pledges_survive_reopening_and_migrations_run_once() {
                let database = $open().await;
                let store = database.open().await;
                let (pledge, new) = new_pledge("st-marys-school", Timestamp::now());
                let Recorded::Created(receipt) = store.record_pledge(new.clone()).await.unwrap() else { panic!() };
                store.close().await;

                let reopened = database.open().await;
                let listed = reopened.list(everything()).await.unwrap();
                assert_eq!(listed.pledges.len(), 1);
                assert_eq!(listed.pledges[0].pledge, pledge);
                assert_eq!(reopened.record_pledge(new).await.unwrap(), Recorded::Replayed(receipt));
                reopened.close().await;
                database.dispose().await;
            }
        }
    };
}

struct TestDatabase {
    database: Database,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(tempfile::TempDir),
    Schema { admin_url: String, schema: String },
}

impl TestDatabase {
    async fn open(&self) -> Store {
        Store::open(self.database.clone()).await.unwrap()
    }

    /// Runs `sql` on a connection of its own, as another program would.
    async fn execute(&self, sql: &str) {
        match &self.database {
            Database::Sqlite(options) => {
                let mut connection = options.clone().create_if_missing(true).connect().await.unwrap();
                sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
                connection.close().await.unwrap();
            }
            Database::Postgres(options) => {
                let mut connection = options.connect().await.unwrap();
                sqlx::raw_sql(sql).execute(&mut connection).await.unwrap();
                connection.close().await.unwrap();
            }
        }
    }

    async fn integers(&self, sql: &str) -> Vec<i64> {
        match &self.database {
            Database::Sqlite(options) => {
                let mut connection = options.connect().await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut connection).await.unwrap()
            }
            Database::Postgres(options) => {
                let mut connection = options.connect().await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut connection).await.unwrap()
            }
        }
    }

    async fn texts(&self, sql: &str) -> Vec<String> {
        match &self.database {
            Database::Sqlite(options) => {
                let mut connection = options.connect().await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut connection).await.unwrap()
            }
            Database::Postgres(options) => {
                let mut connection = options.connect().await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut connection).await.unwrap()
            }
        }
    }

    /// Every column of the pledge's row that may hold personal data, as one text.
    async fn personal_text(&self, reference: &str) -> String {
        self.texts(&format!(
            "SELECT pledge || '|' || donor_email || '|' || donor_email_lower || '|' || donor_given_name || '|' ||
                 donor_family_name || '|' || donor_name_lower
             FROM pledges WHERE reference = '{reference}'"
        ))
        .await
        .concat()
    }

    /// Every text of the pledge's events.
    async fn event_text(&self, reference: &str) -> String {
        self.texts(&format!(
            "SELECT e.actor || '|' || e.kind || '|' || coalesce(e.note, '') FROM pledge_events e
             JOIN pledges p ON p.id = e.pledge_id WHERE p.reference = '{reference}'"
        ))
        .await
        .join("\n")
    }

    async fn applied_versions(&self) -> Vec<i64> {
        self.integers("SELECT version FROM _sqlx_migrations ORDER BY version").await
    }

    async fn table_missing(&self, table: &str) -> bool {
        let probe = match &self.database {
            Database::Sqlite(_) => format!("SELECT count(*) FROM sqlite_master WHERE name = '{table}'"),
            Database::Postgres(_) => format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'"),
        };
        self.integers(&probe).await == [0]
    }

    /// The outbox payload's bytes as text.
    fn payload_text(&self) -> &'static str {
        match &self.database {
            Database::Sqlite(_) => "CAST(payload AS TEXT)",
            Database::Postgres(_) => "convert_from(payload, 'UTF8')",
        }
    }

    /// A BLOB (SQLite) or BYTEA (PostgreSQL) literal.
    fn empty_blob(&self) -> &'static str {
        match &self.database {
            Database::Sqlite(_) => "X''",
            Database::Postgres(_) => "''::bytea",
        }
    }

    /// The text of one migration step for this database's backend.
    fn migration_sql(&self, version: i64) -> &'static str {
        let backend = match &self.database {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        };
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let file = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.file_name().unwrap().to_str().unwrap().starts_with(&format!("{version:04}_")))
            .unwrap();
        String::leak(std::fs::read_to_string(file).unwrap())
    }

    async fn dispose(self) {
        match self.cleanup {
            Cleanup::Folder(folder) => drop(folder),
            Cleanup::Schema { admin_url, schema } => drop_schema(&admin_url, &schema).await,
        }
    }
}

/// The versions of the migration files, the same for both backends.
fn migration_versions() -> Vec<i64> {
    let mut versions: Vec<i64> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_str().unwrap()[..4].parse().unwrap())
        .collect();
    versions.sort();
    versions
}

async fn sqlite_database() -> TestDatabase {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("pledges.db").display());
    TestDatabase { database: Database::from_url(&url).unwrap(), cleanup: Cleanup::Folder(folder) }
}

/// The `DATABASE_URL` these tests were built for, checked again at run time.
fn postgres_url() -> String {
    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    assert!(
        url.starts_with("postgres://") || url.starts_with("postgresql://"),
        "the PostgreSQL tests were built to run, but DATABASE_URL does not name a PostgreSQL server now"
    );
    url
}

/// A fresh schema on the server `DATABASE_URL` names, and options whose connections use it.
async fn new_schema() -> (String, String, PgConnectOptions) {
    let admin_url = postgres_url();
    let schema = format!("suite_{}", new_key().replace('-', "_"));
    let pool = sqlx::PgPool::connect(&admin_url)
        .await
        .unwrap_or_else(|error| panic!("DATABASE_URL names a PostgreSQL server that cannot be reached: {error}"));
    sqlx::raw_sql(&format!("CREATE SCHEMA \"{schema}\"")).execute(&pool).await.unwrap();
    pool.close().await;
    let options = PgConnectOptions::from_str(&admin_url).unwrap().options([("search_path", schema.as_str())]);
    (admin_url, schema, options)
}

async fn drop_schema(admin_url: &str, schema: &str) {
    let pool = sqlx::PgPool::connect(admin_url).await.unwrap();
    sqlx::raw_sql(&format!("DROP SCHEMA \"{schema}\" CASCADE")).execute(&pool).await.unwrap();
    pool.close().await;
}

async fn postgres_database() -> TestDatabase {
    let (admin_url, schema, options) = new_schema().await;
    TestDatabase { database: Database::Postgres(options), cleanup: Cleanup::Schema { admin_url, schema } }
}

suite!(sqlite, sqlite_database);
suite!(postgres, postgres_database, #[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: build the tests with DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE")]);

/// A disk that fills up, simulated honestly: SQLite's own page limit raises SQLITE_FULL exactly
/// where a full disk does. Pledges and the health check's write fail with errors, never a
/// panic, and what was stored stays readable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_full_disk_fails_pledges_and_the_health_write_with_errors() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("pledges.db");
    let options = SqliteConnectOptions::new().filename(&file);
    Store::open(Database::Sqlite(options.clone())).await.unwrap().close().await;
    let mut connection = options.clone().connect().await.unwrap();
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut connection).await.unwrap();
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(&mut connection).await.unwrap();
    connection.close().await.unwrap();
    // Room for the health check's write and a few dozen pledges, no more.
    let limit = pages + sanankoroba_receiver::storage::PROBE_BYTES as i64 / page_size + 20;
    let store = Store::open(Database::Sqlite(options.pragma("max_page_count", limit.to_string()))).await.unwrap();
    store.probe_writes().await.expect("the health write fits while there is room");

    let mut stored = 0;
    let failure = loop {
        assert!(stored < 2_000, "the page limit was never reached");
        match store.record_pledge(new_pledge("st-marys-school", Timestamp::now()).1).await {
            Ok(Recorded::Created(_)) => stored += 1,
            Ok(other) => panic!("a new pledge was answered {other:?}"),
            Err(error) => break error,
        }
    };
    assert!(stored > 0, "no pledge fitted at all");
    assert!(failure.to_string().contains("full"), "{failure}");
    let health = store.probe_writes().await.expect_err("the health write fails on a full disk");
    assert!(health.to_string().contains("full"), "{health}");
    // The writer goes on answering on a fresh connection, with the same honest error, and what
    // was stored is still there.
    let again = store.record_pledge(new_pledge("st-marys-school", Timestamp::now()).1).await.unwrap_err();
    assert!(again.to_string().contains("full"), "{again}");
    assert_eq!(store.list(everything()).await.unwrap().pledges.len(), stored);
    store.close().await;
}

/// Receivers starting together on a fresh database: the advisory lock lets one migrate while
/// the others wait, and none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: build the tests with DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE"
)]
async fn postgres_concurrent_migrations_do_not_fail() {
    let (admin_url, schema, options) = new_schema().await;
    let open = || Store::open(Database::Postgres(options.clone()));
    // Polled together, each on its own connection, so the four migrations really overlap.
    let (a, b, c, d) = tokio::join!(open(), open(), open(), open());
    for store in [a, b, c, d] {
        store.expect("every receiver starts").close().await;
    }
    let mut connection = options.connect().await.unwrap();
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut connection)
        .await
        .unwrap();
    assert_eq!(versions, migration_versions(), "each step applied exactly once");
    connection.close().await.unwrap();
    drop_schema(&admin_url, &schema).await;
}

/// The same on one SQLite file: the first receiver's `BEGIN IMMEDIATE` makes the others wait
/// (busy timeout) until every step is committed, and they find nothing left to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_migrations_do_not_fail() {
    let database = sqlite_database().await;
    let open = || Store::open(database.database.clone());
    let (a, b, c, d) = tokio::join!(open(), open(), open(), open());
    for store in [a, b, c, d] {
        store.expect("every receiver starts").close().await;
    }
    assert_eq!(database.applied_versions().await, migration_versions(), "each step applied exactly once");
    database.dispose().await;
}

/// Waits until some connection is blocked by the backend `blocker`.
async fn wait_until_blocked_by(monitor: &mut sqlx::PgConnection, blocker: i32) {
    for _ in 0..500 {
        let blocked: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))")
                .bind(blocker)
                .fetch_one(&mut *monitor)
                .await
                .unwrap();
        if blocked > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the receiver's writer never waited for the other transaction");
}

async fn insert_row(
    connection: &mut sqlx::PgConnection,
    pledge: &NewPledge,
    reference: &str,
) -> Result<(), sqlx::Error> {
    let columns = &pledge.columns;
    sqlx::query(
        "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge, sponsorship_option,
             frequency, currency, amount_minor, donor_email, donor_email_lower, donor_given_name, donor_family_name,
             donor_name_lower, has_gift_aid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, lower($11), $12, $13, lower($12 || ' ' || $13), $14)",
    )
    .bind(reference)
    .bind(&pledge.partner)
    .bind(&pledge.idempotency_key)
    .bind(&pledge.body_hash[..])
    .bind(pledge.received_at.as_micros())
    .bind(&pledge.pledge_json)
    .bind(columns.option.as_str())
    .bind(columns.frequency.as_str())
    .bind(columns.amount.currency.code())
    .bind(columns.amount.minor_units as i64)
    .bind(&columns.email)
    .bind(&columns.given_name)
    .bind(&columns.family_name)
    .bind(columns.has_gift_aid)
    .execute(connection)
    .await
    .map(drop)
}

/// Another receiver's transaction and this receiver's batch lock two keys in opposite orders:
/// PostgreSQL breaks the deadlock by aborting the batch (40P01), which is run again instead of
/// failing its pledges with a 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: build the tests with DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE"
)]
async fn postgres_a_deadlocked_batch_is_run_again() {
    let (admin_url, schema, options) = new_schema().await;
    let store = Store::open(Database::Postgres(options.clone())).await.unwrap();
    let mut pledges: Vec<NewPledge> = (0..3).map(|_| new_pledge("st-marys-school", Timestamp::now()).1).collect();
    // The batch locks keys in order; the other transaction takes the last one first.
    pledges.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    let (first, second, third) = (pledges[0].clone(), pledges[1].clone(), pledges[2].clone());

    let mut other = options.connect().await.unwrap();
    let mut monitor = options.connect().await.unwrap();
    let other_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut other).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut other).await.unwrap();
    insert_row(&mut other, &third, "SK-TEST-0003").await.unwrap();
    sqlx::raw_sql("SAVEPOINT before_first").execute(&mut other).await.unwrap();
    insert_row(&mut other, &first, "SK-TEST-0001").await.unwrap();

    // The writer's first batch, the first pledge alone, waits for the other transaction;
    // meanwhile the second and third queue up and will form the next batch together.
    let spawn = |pledge: NewPledge| {
        let store = store.clone();
        tokio::spawn(async move { store.record_pledge(pledge).await })
    };
    let first_write = spawn(first);
    wait_until_blocked_by(&mut monitor, other_pid).await;
    let second_write = spawn(second.clone());
    let third_write = spawn(third);
    // Both must wait in the queue, to be taken into one batch, before the first is let through.
    let started = std::time::Instant::now();
    while store.queued_writes() < 2 {
        assert!(started.elapsed() < Duration::from_secs(60), "the second and third writes never reached the queue");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Let the first batch through; the next one takes the second key, then waits for the third.
    sqlx::raw_sql("ROLLBACK TO SAVEPOINT before_first").execute(&mut other).await.unwrap();
    wait_until_blocked_by(&mut monitor, other_pid).await;
    // Now the other transaction wants the second key, which the batch holds: a deadlock. The
    // batch waited first, so PostgreSQL's check aborts the batch and this insert goes through.
    insert_row(&mut other, &second, "SK-TEST-0002")
        .await
        .expect("PostgreSQL chose the batch, not this transaction, to break the deadlock");
    sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();

    for write in [first_write, second_write, third_write] {
        let recorded = write.await.unwrap().expect("the deadlocked batch was run again, not failed");
        assert!(matches!(recorded, Recorded::Created(_)), "{recorded:?}");
    }
    assert_eq!(store.list(everything()).await.unwrap().pledges.len(), 3);
    store.close().await;
    other.close().await.unwrap();
    monitor.close().await.unwrap();
    drop_schema(&admin_url, &schema).await;
}

/// A session token's digest, as the receiver stores it, for a readable token name.
fn token_hash(token: &str) -> TokenHash {
    use sha2::{Digest, Sha256};
    TokenHash::from_bytes(Sha256::digest(token.as_bytes()).into())
}
