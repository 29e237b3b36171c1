//! Where pledges are kept: SQLite by default, PostgreSQL when the database URL says so.
//!
//! Both backends implement the small [`Backend`] trait and pass the same test suite. Every
//! write goes through one [`group_commit`] task, which gathers the writes that arrive while the
//! previous transaction is being made durable and commits them together: one fsync
//! acknowledges many pledges, and there is only ever one writer, as SQLite wants.

mod group_commit;
mod migrations;
mod postgres;
mod sqlite;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;

use pledge::Pledge;

use crate::idempotency::canonical_hash;
use crate::spam::SpamReason;
use crate::timestamp::Timestamp;

pub use sqlx::postgres::PgConnectOptions;
pub use sqlx::sqlite::SqliteConnectOptions;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
pub type StorageResult<T> = Result<T, StorageError>;

/// A database failure, already logged-safe: it never contains pledge content.
#[derive(Debug, Clone)]
pub struct StorageError(String);

impl StorageError {
    pub fn new(message: impl Into<String>) -> Self {
        StorageError(message.into())
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for StorageError {}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        StorageError(error.to_string())
    }
}

/// Which database to open.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

impl Database {
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite:…` a SQLite file.
    pub fn from_url(url: &str) -> StorageResult<Database> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres(PgConnectOptions::from_str(url)?))
        } else if url.starts_with("sqlite:") {
            Ok(Database::Sqlite(SqliteConnectOptions::from_str(url)?))
        } else {
            Err(StorageError::new("the database URL must start with sqlite:, postgres:// or postgresql://"))
        }
    }
}

/// A pledge ready to be stored, with what idempotency needs to recognise it again.
#[derive(Debug, Clone)]
pub struct NewPledge {
    pub partner: String,
    pub idempotency_key: String,
    pub body_hash: [u8; 32],
    pub received_at: Timestamp,
    pub pledge_json: String,
}

impl NewPledge {
    pub fn new(pledge: &Pledge, received_at: Timestamp) -> NewPledge {
        NewPledge {
            partner: pledge.partner.clone(),
            idempotency_key: pledge.idempotency_key.clone(),
            body_hash: canonical_hash(pledge),
            received_at,
            pledge_json: serde_json::to_string(pledge).expect("a pledge always serialises"),
        }
    }
}

/// What the donor is told: the reference and when the pledge was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: String,
    pub received_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new pledge, now durable.
    Created(Receipt),
    /// The same pledge under the same key, already stored: its first answer is repeated.
    Replayed(Receipt),
    /// The key was already used by this partner for a different pledge.
    KeyReused,
}

#[derive(Debug, Clone)]
pub struct SpamAttempt {
    pub partner: String,
    pub reason: SpamReason,
    pub received_at: Timestamp,
}

/// One write in a group commit.
#[derive(Debug, Clone)]
pub enum Write {
    Pledge(NewPledge),
    Spam(SpamAttempt),
}

/// The outcome of one [`Write`], in the order the writes were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Pledge(Recorded),
    SpamCounted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPledge {
    pub id: i64,
    pub reference: String,
    pub received_at: Timestamp,
    pub pledge: Pledge,
}

/// Which pledges to list, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub partner: Option<String>,
    /// Inclusive.
    pub since: Option<Timestamp>,
    /// Exclusive.
    pub until: Option<Timestamp>,
    /// Only pledges stored after the one with this id: keyset pagination, stable while new
    /// pledges arrive.
    pub after_id: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgePage {
    pub pledges: Vec<StoredPledge>,
    /// Present when more pledges match: pass it as `after_id` to read on.
    pub next_after_id: Option<i64>,
}

/// What a database must do for the receiver. Kept small so that a backend is easy to add and
/// the shared test suite covers all of it.
pub trait Backend: Send + Sync + 'static {
    /// Applies the writes in order in one transaction and commits it durably.
    fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>>;
    fn list(&self, filter: ListFilter) -> BoxFuture<'_, StorageResult<PledgePage>>;
    fn spam_attempts(&self) -> BoxFuture<'_, StorageResult<u64>>;
    fn ping(&self) -> BoxFuture<'_, StorageResult<()>>;
    fn close(&self) -> BoxFuture<'_, ()>;
}

/// The receiver's handle on its database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    writer: group_commit::GroupCommit,
    kind: &'static str,
}

impl Store {
    /// Opens the database, runs its pending migrations and starts the writer.
    pub async fn open(database: Database) -> StorageResult<Store> {
        let (backend, kind): (Arc<dyn Backend>, _) = match database {
            Database::Sqlite(options) => (Arc::new(sqlite::SqliteBackend::open(options).await?), "sqlite"),
            Database::Postgres(options) => (Arc::new(postgres::PostgresBackend::open(options).await?), "postgres"),
        };
        let writer = group_commit::GroupCommit::start(Arc::clone(&backend));
        Ok(Store { backend, writer, kind })
    }

    pub async fn open_url(url: &str) -> StorageResult<Store> {
        Store::open(Database::from_url(url)?).await
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Stores the pledge, or recognises it as a retry, once it is durable.
    pub async fn record_pledge(&self, pledge: NewPledge) -> StorageResult<Recorded> {
        match self.writer.submit(Write::Pledge(pledge)).await? {
            Written::Pledge(recorded) => Ok(recorded),
            Written::SpamCounted => Err(StorageError::new("the writer answered a pledge with a spam count")),
        }
    }

    pub async fn count_spam(&self, attempt: SpamAttempt) -> StorageResult<()> {
        self.writer.submit(Write::Spam(attempt)).await.map(drop)
    }

    pub async fn list(&self, filter: ListFilter) -> StorageResult<PledgePage> {
        self.backend.list(filter).await
    }

    pub async fn spam_attempts(&self) -> StorageResult<u64> {
        self.backend.spam_attempts().await
    }

    pub async fn ping(&self) -> StorageResult<()> {
        self.backend.ping().await
    }

    /// Closes the connections once in-flight requests have drained. SQLite checkpoints its
    /// write-ahead log into the main file here.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}

fn parse_stored_pledge(id: i64, reference: String, received_at: i64, json: &str) -> StorageResult<StoredPledge> {
    let pledge = serde_json::from_str(json)
        .map_err(|error| StorageError::new(format!("stored pledge {reference} is unreadable: {error}")))?;
    Ok(StoredPledge { id, reference, received_at: Timestamp::from_micros(received_at), pledge })
}

fn page_from_rows(mut pledges: Vec<StoredPledge>, limit: u32) -> PledgePage {
    // One row more than asked for was read, to know whether another page exists.
    let more = pledges.len() > limit as usize;
    pledges.truncate(limit as usize);
    let next_after_id = if more { pledges.last().map(|pledge| pledge.id) } else { None };
    PledgePage { pledges, next_after_id }
}
