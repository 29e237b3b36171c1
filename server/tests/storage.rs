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
use sanankoroba_receiver::spam::SpamReason;
use sanankoroba_receiver::storage::{
    Database, ListFilter, NewPledge, PgConnectOptions, Recorded, SqliteConnectOptions, Status, StatusFilter, Store,
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

        let released = store.release(&held.reference).await.unwrap().unwrap();
        assert_eq!((released.status, released.review_reason), (Status::New, Some(SpamReason::Honeypot)));
        let released_at = released.released_at.expect("released now");
        let again = store.release(&held.reference).await.unwrap().unwrap();
        assert_eq!(again, released, "a second release changes nothing");
        assert_eq!(store.release("SK-0000-0000").await.unwrap(), None);
        let never_held = store.release(&person.reference).await.unwrap().unwrap();
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
            }

            case!(creates_then_replays_then_refuses_reuse);
            case!(keys_are_scoped_per_partner);
            case!(concurrent_identical_writes_store_one_row);
            case!(concurrent_distinct_writes_are_all_stored);
            case!(lists_by_partner_time_and_page);
            case!(holds_for_review_and_releases);
            case!(keeps_text_verbatim);
            case!(answers_health_checks_with_a_write_that_leaves_nothing);

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
                let (pledge, new) = new_pledge("st-marys-school", Timestamp::now());
                database
                    .execute(&format!(
                        "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge)
                         VALUES ('SK-OLD0-0001', 'st-marys-school', '{}', {}, {}, '{}')",
                        new.idempotency_key,
                        database.empty_blob(),
                        new.received_at.as_micros(),
                        new.pledge_json.replace('\'', "''")
                    ))
                    .await;

                let store = database.open().await;
                let listed = store.list(everything()).await.unwrap();
                assert_eq!(listed.pledges.len(), 1);
                assert_eq!((listed.pledges[0].reference.as_str(), &listed.pledges[0].pledge), ("SK-OLD0-0001", &pledge));
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
    sqlx::query(
        "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(reference)
    .bind(&pledge.partner)
    .bind(&pledge.idempotency_key)
    .bind(&pledge.body_hash[..])
    .bind(pledge.received_at.as_micros())
    .bind(&pledge.pledge_json)
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
    tokio::time::sleep(Duration::from_millis(200)).await;

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
