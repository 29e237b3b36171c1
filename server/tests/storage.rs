//! One storage suite, run against SQLite (a file in a temporary folder) and against PostgreSQL
//! when `DATABASE_URL` names a PostgreSQL server. Each PostgreSQL test works in a schema of its
//! own and drops it afterwards, so runs never see each other's rows.

mod common;

use std::collections::HashSet;
use std::io::Write as _;
use std::str::FromStr;
use std::sync::Once;

use common::{new_key, pledge_json};
use sanankoroba_receiver::spam::SpamReason;
use sanankoroba_receiver::storage::{
    Database, ListFilter, NewPledge, PgConnectOptions, Recorded, SpamAttempt, Store,
};
use sanankoroba_receiver::timestamp::Timestamp;

fn new_pledge(partner: &str, received_at: Timestamp) -> (pledge::Pledge, NewPledge) {
    let mut json = pledge_json(&new_key());
    json["partner"] = partner.into();
    let pledge: pledge::Pledge = serde_json::from_value(json).unwrap();
    let stored = NewPledge::new(&pledge, received_at);
    (pledge, stored)
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
        assert!(sanankoroba_receiver::reference::is_reference(&receipt.reference));
        let later = NewPledge { received_at: Timestamp::from_micros(new.received_at.as_micros() + 5_000_000), ..new.clone() };
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
                tokio::spawn(async move { store.record_pledge(new_pledge("st-marys-school", Timestamp::now()).1).await.unwrap() })
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

        let partner = store
            .list(ListFilter { partner: Some("lycee-bamako".into()), ..everything() })
            .await
            .unwrap();
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

    pub async fn counts_spam_without_storing_pledges(store: Store) {
        for reason in [SpamReason::Honeypot, SpamReason::TooFast, SpamReason::Honeypot] {
            store
                .count_spam(SpamAttempt { partner: "st-marys-school".into(), reason, received_at: Timestamp::now() })
                .await
                .unwrap();
        }
        assert_eq!(store.spam_attempts().await.unwrap(), 3);
        assert!(store.list(everything()).await.unwrap().pledges.is_empty());
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

    pub async fn answers_health_checks(store: Store) {
        store.ping().await.unwrap();
        assert!(["sqlite", "postgres"].contains(&store.kind()));
    }
}

/// Runs each case against a fresh database, and once more for reopening.
macro_rules! suite {
    ($backend:ident, $open:path) => {
        mod $backend {
            use super::*;

            macro_rules! case {
                ($case:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let Some(database) = $open().await else { return };
                        let store = database.open().await;
                        cases::$case(store.clone()).await;
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
            case!(counts_spam_without_storing_pledges);
            case!(keeps_text_verbatim);
            case!(answers_health_checks);

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn pledges_survive_reopening_and_migrations_run_once() {
                let Some(database) = $open().await else { return };
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

    async fn dispose(self) {
        match self.cleanup {
            Cleanup::Folder(folder) => drop(folder),
            Cleanup::Schema { admin_url, schema } => {
                let pool = sqlx::PgPool::connect(&admin_url).await.unwrap();
                sqlx::raw_sql(&format!("DROP SCHEMA \"{schema}\" CASCADE")).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }
}

async fn sqlite_database() -> Option<TestDatabase> {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("pledges.db").display());
    Some(TestDatabase { database: Database::from_url(&url).unwrap(), cleanup: Cleanup::Folder(folder) })
}

static SKIP_NOTICE: Once = Once::new();

async fn postgres_database() -> Option<TestDatabase> {
    let url = std::env::var("DATABASE_URL").ok().filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"));
    let Some(admin_url) = url else {
        SKIP_NOTICE.call_once(|| {
            // Written past the test harness's capture, so that the skip is seen in every run.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: the PostgreSQL storage suite; set DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE to run it"
            );
        });
        return None;
    };
    let schema = format!("suite_{}", new_key().replace('-', "_"));
    let pool = sqlx::PgPool::connect(&admin_url).await.expect("DATABASE_URL names a reachable PostgreSQL server");
    sqlx::raw_sql(&format!("CREATE SCHEMA \"{schema}\"")).execute(&pool).await.unwrap();
    pool.close().await;
    let options = PgConnectOptions::from_str(&admin_url).unwrap().options([("search_path", schema.as_str())]);
    Some(TestDatabase { database: Database::Postgres(options), cleanup: Cleanup::Schema { admin_url, schema } })
}

suite!(sqlite, sqlite_database);
suite!(postgres, postgres_database);
