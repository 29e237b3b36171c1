//! Where pledges are kept: SQLite by default, PostgreSQL when the database URL says so.
//!
//! Both backends share their SQL ([`sql`]), implement the small [`Backend`] trait for what
//! differs, and pass the same test suite. Every write goes through one [`group_commit`] task,
//! which gathers the writes that arrive while the previous transaction is being made durable
//! and commits them together: one fsync acknowledges many pledges, and there is only ever one
//! writer, as SQLite wants. Reads use connections of their own and never wait for it.
//!
//! Nothing a donor sent is thrown away here: pledges that look automated are stored with
//! status `review` and their reason, and a person releases them. Besides pledges, storage keeps
//! what the staff inbox needs: each pledge's history, the wordings donors agreed to, staff
//! accounts and sessions, the webhook endpoints staff added, and the erasure of personal data.

mod erasure;
mod events;
mod group_commit;
mod inbox;
mod migrations;
pub mod outbox;
mod postgres;
mod reporting;
mod sql;
mod sqlite;
mod staff;
mod webhooks;
mod wordings;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;

use pledge::Pledge;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::intake::idempotency::canonical_hash;
use crate::intake::spam::SpamReason;
use crate::timestamp::Timestamp;

pub use erasure::Erasure;
pub use events::{
    EventKind, PledgeEvent, StatusChange, ACTOR_ADMIN_API, ACTOR_RETENTION, ACTOR_SPAM_CHECK, ACTOR_WIDGET,
};
pub use inbox::{InboxPage, InboxQuery, InboxRow, InboxSort, SearchColumns, MAX_INBOX_ROWS};
pub use outbox::{
    ClaimedDelivery, DeliveryPage, DeliveryQuery, DeliveryRecord, DeliveryStatus, DeliveryUpdate, Endpoints,
    RetryOutcome,
};
pub use reporting::{ConvertedWithGiftAid, ReceivedPledge};
pub use sqlx::postgres::PgConnectOptions;
pub use sqlx::sqlite::SqliteConnectOptions;
pub use staff::{
    NewSession, NewUser, SessionCreated, SessionRecord, SignIn, StaffUser, TokenHash, UserAdded, UserRemoved,
};
pub use webhooks::{
    NewWebhook, PreviousSecret, SecretReplacement, StoredWebhook, WebhookAdded, WebhookRemoved, WebhookSecretReplaced,
    ENDPOINT_REMOVED,
};
pub use wordings::{Wording, WordingChanged};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
pub type StorageResult<T> = Result<T, StorageError>;

/// A database failure, already logged-safe: it never contains pledge content.
#[derive(Debug, Clone)]
pub struct StorageError {
    message: String,
    collision: bool,
}

impl StorageError {
    pub fn new(message: impl Into<String>) -> Self {
        StorageError { message: message.into(), collision: false }
    }

    /// PostgreSQL's deadlocks (40P01) and serialization failures (40001): "two transactions
    /// collided, run yours again". Nothing of the failed transaction was committed.
    fn is_collision(&self) -> bool {
        self.collision
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for StorageError {}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        let collision = error
            .as_database_error()
            .and_then(|error| error.code())
            .is_some_and(|code| code == "40P01" || code == "40001");
        StorageError { message: error.to_string(), collision }
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

/// Where a stored pledge stands. Pledges that look automated are kept for review instead of
/// being thrown away, since a false positive would be a donor lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// For the charity to act on: every pledge that was not quarantined, and those released.
    New,
    /// The charity has been in touch with the donor.
    Contacted,
    /// The donor set up the gift: the pledge became a donation.
    Converted,
    /// The donor decided not to go ahead, or could not be reached.
    Declined,
    /// Quarantined as probably automated; kept out of the default list and export until a
    /// person releases it.
    Review,
}

impl Status {
    pub const ALL: [Status; 5] = [Status::New, Status::Contacted, Status::Converted, Status::Declined, Status::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Contacted => "contacted",
            Status::Converted => "converted",
            Status::Declined => "declined",
            Status::Review => "review",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.as_str() == text)
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
    /// Why it goes to review instead of to the charity's list, if it does.
    pub review: Option<SpamReason>,
    pub columns: SearchColumns,
}

impl NewPledge {
    pub fn new(pledge: &Pledge, received_at: Timestamp) -> NewPledge {
        NewPledge {
            partner: pledge.partner.clone(),
            idempotency_key: pledge.idempotency_key.clone(),
            body_hash: canonical_hash(pledge),
            received_at,
            pledge_json: serde_json::to_string(pledge).expect("a pledge always serialises"),
            review: None,
            columns: SearchColumns::of(pledge),
        }
    }

    /// The same pledge, stored with status `review` for `reason`.
    pub fn for_review(self, reason: SpamReason) -> NewPledge {
        NewPledge { review: Some(reason), ..self }
    }

    fn status(&self) -> Status {
        if self.review.is_some() {
            Status::Review
        } else {
            Status::New
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

/// A pledge's review state after a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub reference: String,
    pub status: Status,
    /// Kept after the release, so that the charity can see why it had been held.
    pub review_reason: Option<SpamReason>,
    /// When it was first released; `None` for a pledge that was never in review.
    pub released_at: Option<Timestamp>,
}

/// One write in a group commit.
#[derive(Debug, Clone)]
pub enum Write {
    Pledge(NewPledge),
    /// Moves a pledge from `review` to `new`, once; a pledge already `new` is left as it is.
    Release {
        reference: String,
        at: Timestamp,
        actor: String,
    },
    ChangeStatus {
        reference: String,
        to: Status,
        note: Option<String>,
        actor: String,
        at: Timestamp,
    },
    EnsureWordings(Vec<Wording>),
    AddUser(NewUser),
    RemoveUser {
        username: String,
    },
    CreateSession(NewSession),
    TouchSession {
        token_hash: TokenHash,
        at: Timestamp,
    },
    DeleteSession {
        token_hash: TokenHash,
    },
    DeleteSessionsIdleSince {
        cutoff: Timestamp,
    },
    /// Deletes the events created before `cutoff` whose every delivery was delivered.
    PurgeDeliveredEvents {
        cutoff: Timestamp,
    },
    Erase {
        erasure: Erasure,
        actor: String,
        at: Timestamp,
    },
    AnonymiseUnconverted {
        received_before: Timestamp,
        at: Timestamp,
    },
    /// Leases up to `limit` due outbox deliveries until `lease_until`.
    ClaimDeliveries {
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    },
    /// Settles an attempt made under the lease `lease`.
    RecordDelivery {
        id: i64,
        lease: i64,
        update: DeliveryUpdate,
    },
    /// Makes a pending or dead delivery due at `at`, its attempts kept.
    RetryDelivery {
        id: i64,
        at: Timestamp,
    },
    /// Stores a webhook endpoint added on the admin pages.
    AddWebhook(NewWebhook),
    /// Removes a stored webhook endpoint and gives up its pending deliveries.
    RemoveWebhook {
        name: String,
    },
    /// Gives a stored webhook endpoint a new secret.
    ReplaceWebhookSecret(SecretReplacement),
    /// Deletes the replaced webhook secrets that stopped signing before `now`.
    ForgetReplacedSecrets {
        now: Timestamp,
    },
}

/// The outcome of one [`Write`], in the order the writes were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Pledge(Recorded),
    /// `None` when no pledge has the reference.
    Released(Option<Released>),
    /// `None` when no pledge has the reference.
    StatusChanged(Option<StatusChange>),
    /// The wordings whose stored text differs; nothing was inserted when there are any.
    Wordings(Vec<WordingChanged>),
    UserAdded(UserAdded),
    UserRemoved(UserRemoved),
    SessionCreated(SessionCreated),
    /// Whether a session had the token hash.
    SessionTouched(bool),
    /// Whether a session had the token hash.
    SessionDeleted(bool),
    SessionsDeleted(u64),
    EventsPurged(u64),
    /// The references of the pledges erased or anonymised.
    Erased(Vec<String>),
    Claimed(Vec<ClaimedDelivery>),
    /// Whether the delivery still carried the lease, so that the outcome was recorded.
    DeliveryRecorded(bool),
    DeliveryRetried(RetryOutcome),
    WebhookAdded(WebhookAdded),
    WebhookRemoved(WebhookRemoved),
    WebhookSecretReplaced(WebhookSecretReplaced),
    ReplacedSecretsForgotten(u64),
}

impl Written {
    /// Whether the write may have added outbox deliveries that are due now, so that the
    /// delivery worker is woken rather than left to its next poll.
    fn may_have_queued_deliveries(&self) -> bool {
        match self {
            Written::Pledge(Recorded::Created(_))
            | Written::Released(Some(_))
            | Written::StatusChanged(Some(StatusChange::Changed { .. }))
            | Written::DeliveryRetried(RetryOutcome::Scheduled(_)) => true,
            Written::Erased(references) => !references.is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPledge {
    pub id: i64,
    pub reference: String,
    pub received_at: Timestamp,
    pub status: Status,
    pub review_reason: Option<SpamReason>,
    pub released_at: Option<Timestamp>,
    /// When the donor's details were erased, on request or after the retention period.
    pub erased_at: Option<Timestamp>,
    pub pledge: Pledge,
}

/// Which statuses a list includes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// What the charity acts on: everything except what waits for review.
    #[default]
    AllButReview,
    Only(Status),
    Everything,
}

/// Which pledges to list, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub partner: Option<String>,
    /// Inclusive.
    pub since: Option<Timestamp>,
    /// Exclusive.
    pub until: Option<Timestamp>,
    pub status: StatusFilter,
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

/// The health check's write: as large as the largest pledge body, so that it fails when a
/// pledge would no longer fit, and deleted in the same transaction.
pub const PROBE_BYTES: usize = pledge::MAX_BODY_BYTES;

/// What a database must do for the writer: the transactions, locks and durability that differ
/// between backends. Kept small so that a backend is easy to add; the statements themselves are
/// shared ([`sql`]).
pub trait Backend: Send + Sync + 'static {
    /// Applies the writes in order in one transaction and commits it durably.
    fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>>;
    /// Commits a write transaction of [`PROBE_BYTES`] that leaves nothing behind: proof that
    /// the database takes writes now.
    fn probe(&self) -> BoxFuture<'_, StorageResult<()>>;
    fn close(&self) -> BoxFuture<'_, ()>;
}

/// The connections reads use, which never wait for the writer.
#[derive(Clone)]
enum Readers {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs one shared read, `Shared::<Backend>::$function(connection, $arguments…)`, on a reader
/// connection of whichever backend the store has.
macro_rules! read {
    ($store:expr, $function:ident($($argument:expr),* $(,)?)) => {
        match &$store.readers {
            Readers::Sqlite(pool) => {
                let mut connection = pool.acquire().await?;
                sql::Shared::<sqlx::Sqlite>::$function(&mut connection, $($argument),*).await
            }
            Readers::Postgres(pool) => {
                let mut connection = pool.acquire().await?;
                sql::Shared::<sqlx::Postgres>::$function(&mut connection, $($argument),*).await
            }
        }
    };
}

/// The receiver's handle on its database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    readers: Readers,
    writer: group_commit::GroupCommit,
    deliveries_queued: Arc<tokio::sync::Notify>,
}

impl Store {
    /// Opens the database, runs its pending migrations and starts the writer. No outbox
    /// endpoint is configured: changes write no events.
    pub async fn open(database: Database) -> StorageResult<Store> {
        Store::open_with_endpoints(database, Endpoints::default()).await
    }

    /// Opens the database as [`Store::open`] does; every event written gets one delivery per
    /// endpoint named here.
    pub async fn open_with_endpoints(database: Database, endpoints: Endpoints) -> StorageResult<Store> {
        let (backend, readers): (Arc<dyn Backend>, _) = match database {
            Database::Sqlite(options) => {
                let backend = sqlite::SqliteBackend::open(options, endpoints).await?;
                let readers = Readers::Sqlite(backend.readers());
                (Arc::new(backend), readers)
            }
            Database::Postgres(options) => {
                let backend = postgres::PostgresBackend::open(options, endpoints).await?;
                let readers = Readers::Postgres(backend.readers());
                (Arc::new(backend), readers)
            }
        };
        let deliveries_queued = Arc::new(tokio::sync::Notify::new());
        let writer = group_commit::GroupCommit::start(Arc::clone(&backend), Arc::clone(&deliveries_queued));
        Ok(Store { backend, readers, writer, deliveries_queued })
    }

    pub async fn open_url(url: &str) -> StorageResult<Store> {
        Store::open(Database::from_url(url)?).await
    }

    pub async fn open_url_with_endpoints(url: &str, endpoints: Endpoints) -> StorageResult<Store> {
        Store::open_with_endpoints(Database::from_url(url)?, endpoints).await
    }

    /// How many writes wait for the writer to take them into its next batch.
    pub fn queued_writes(&self) -> usize {
        self.writer.queued()
    }

    /// Notified after a commit that may have queued outbox deliveries, so that the delivery
    /// worker need not wait for its next poll.
    pub fn deliveries_queued(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.deliveries_queued)
    }

    /// Leases up to `limit` due deliveries for `lease`, through the writer: no other store on
    /// the same database claims them until the lease runs out or the outcome is recorded.
    pub async fn claim_deliveries(
        &self,
        lease: std::time::Duration,
        limit: u32,
    ) -> StorageResult<Vec<ClaimedDelivery>> {
        let now = Timestamp::now();
        let lease_until = now.plus(lease);
        match self.writer.submit(Write::ClaimDeliveries { now, lease_until, limit }).await? {
            Written::Claimed(claimed) => Ok(claimed),
            other => Err(unexpected("a claim of deliveries", &other)),
        }
    }

    /// Records how an attempt went; `false` when the delivery no longer carried the lease it
    /// was claimed with (the lease ran out and another worker took it, or it was given up).
    pub async fn record_delivery(&self, claimed: &ClaimedDelivery, update: DeliveryUpdate) -> StorageResult<bool> {
        match self.writer.submit(Write::RecordDelivery { id: claimed.id, lease: claimed.lease, update }).await? {
            Written::DeliveryRecorded(recorded) => Ok(recorded),
            other => Err(unexpected("a delivery's outcome", &other)),
        }
    }

    /// Makes a pending or dead delivery due now, keeping its attempts.
    pub async fn retry_delivery(&self, id: i64) -> StorageResult<RetryOutcome> {
        match self.writer.submit(Write::RetryDelivery { id, at: Timestamp::now() }).await? {
            Written::DeliveryRetried(outcome) => Ok(outcome),
            other => Err(unexpected("a delivery's retry", &other)),
        }
    }

    /// Stores a webhook endpoint added on the admin pages; the next change is delivered to it.
    pub async fn add_webhook(&self, webhook: NewWebhook) -> StorageResult<WebhookAdded> {
        match self.writer.submit(Write::AddWebhook(webhook)).await? {
            Written::WebhookAdded(added) => Ok(added),
            other => Err(unexpected("a new webhook endpoint", &other)),
        }
    }

    /// Removes a stored webhook endpoint; its pending deliveries are marked dead, with
    /// [`ENDPOINT_REMOVED`] as their last error.
    pub async fn remove_webhook(&self, name: &str) -> StorageResult<WebhookRemoved> {
        match self.writer.submit(Write::RemoveWebhook { name: name.to_owned() }).await? {
            Written::WebhookRemoved(removed) => Ok(removed),
            other => Err(unexpected("a removal of a webhook endpoint", &other)),
        }
    }

    /// Gives a stored webhook endpoint a new secret; deliveries carry a signature with the one
    /// it replaces too until `replacement.previous_until`.
    pub async fn replace_webhook_secret(&self, replacement: SecretReplacement) -> StorageResult<WebhookSecretReplaced> {
        match self.writer.submit(Write::ReplaceWebhookSecret(replacement)).await? {
            Written::WebhookSecretReplaced(replaced) => Ok(replaced),
            other => Err(unexpected("a new secret for a webhook endpoint", &other)),
        }
    }

    /// Deletes the replaced webhook secrets whose time to sign is over; answers how many.
    pub async fn forget_replaced_secrets(&self, now: Timestamp) -> StorageResult<u64> {
        match self.writer.submit(Write::ForgetReplacedSecrets { now }).await? {
            Written::ReplacedSecretsForgotten(count) => Ok(count),
            other => Err(unexpected("a deletion of replaced webhook secrets", &other)),
        }
    }

    /// The webhook endpoints added on the admin pages, in the order they were added, with their
    /// secrets (for signing only).
    pub async fn webhooks(&self) -> StorageResult<Vec<StoredWebhook>> {
        read!(self, webhooks())
    }

    /// Outbox deliveries, newest first, without payloads.
    pub async fn deliveries(&self, query: DeliveryQuery) -> StorageResult<DeliveryPage> {
        read!(self, deliveries(&query))
    }

    /// When the oldest event still waiting for a delivery happened; `None` when none waits.
    pub async fn oldest_undelivered_event(&self) -> StorageResult<Option<Timestamp>> {
        read!(self, oldest_undelivered_event())
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn kind(&self) -> &'static str {
        match self.readers {
            Readers::Sqlite(_) => "sqlite",
            Readers::Postgres(_) => "postgres",
        }
    }

    /// Stores the pledge, or recognises it as a retry, once it is durable.
    pub async fn record_pledge(&self, pledge: NewPledge) -> StorageResult<Recorded> {
        match self.writer.submit(Write::Pledge(pledge)).await? {
            Written::Pledge(recorded) => Ok(recorded),
            other => Err(unexpected("a pledge", &other)),
        }
    }

    /// Releases the pledge from review through the writer, recording who did it; `None` when
    /// no pledge has this reference.
    pub async fn release(&self, reference: &str, actor: &str) -> StorageResult<Option<Released>> {
        let write = Write::Release { reference: reference.to_owned(), at: Timestamp::now(), actor: actor.to_owned() };
        match self.writer.submit(write).await? {
            Written::Released(released) => Ok(released),
            other => Err(unexpected("a release", &other)),
        }
    }

    /// Sets the pledge's status and records the change in its history, in one transaction;
    /// `None` when no pledge has this reference.
    pub async fn change_status(
        &self,
        reference: &str,
        to: Status,
        note: Option<String>,
        actor: &str,
    ) -> StorageResult<Option<StatusChange>> {
        let write = Write::ChangeStatus {
            reference: reference.to_owned(),
            to,
            note,
            actor: actor.to_owned(),
            at: Timestamp::now(),
        };
        match self.writer.submit(write).await? {
            Written::StatusChanged(change) => Ok(change),
            other => Err(unexpected("a change of status", &other)),
        }
    }

    /// The pledge with this reference, if any.
    pub async fn pledge(&self, reference: &str) -> StorageResult<Option<StoredPledge>> {
        read!(self, pledge(reference))
    }

    /// The pledge's history, oldest first; empty when no pledge has this reference.
    pub async fn history(&self, reference: &str) -> StorageResult<Vec<PledgeEvent>> {
        read!(self, history(reference))
    }

    pub async fn inbox(&self, query: InboxQuery) -> StorageResult<InboxPage> {
        read!(self, inbox(&query))
    }

    /// Stores the wordings not stored yet. A wording stored with a different text is an error
    /// naming it, and then nothing is stored: the receiver must not start.
    pub async fn ensure_wordings(&self, wordings: &[Wording]) -> StorageResult<()> {
        match self.writer.submit(Write::EnsureWordings(wordings.to_vec())).await? {
            Written::Wordings(changed) if changed.is_empty() => Ok(()),
            Written::Wordings(changed) => Err(StorageError::new(wordings::changed_message(&changed))),
            other => Err(unexpected("wordings", &other)),
        }
    }

    /// Every locale's text of one wording version.
    pub async fn wording(&self, kind: &str, version: &str) -> StorageResult<Vec<Wording>> {
        read!(self, wording(kind, version))
    }

    /// Adds a staff account; `password_hash` is what the caller's password hashing produced.
    pub async fn add_user(&self, username: &str, password_hash: &str) -> StorageResult<UserAdded> {
        let user = NewUser {
            username: username.to_owned(),
            password_hash: password_hash.to_owned(),
            created_at: Timestamp::now(),
        };
        match self.writer.submit(Write::AddUser(user)).await? {
            Written::UserAdded(added) => Ok(added),
            other => Err(unexpected("a new user", &other)),
        }
    }

    /// Removes the account and signs it out everywhere.
    pub async fn remove_user(&self, username: &str) -> StorageResult<UserRemoved> {
        match self.writer.submit(Write::RemoveUser { username: username.to_owned() }).await? {
            Written::UserRemoved(removed) => Ok(removed),
            other => Err(unexpected("a removal of a user", &other)),
        }
    }

    /// Every staff account by username, without its password hash.
    pub async fn list_users(&self) -> StorageResult<Vec<StaffUser>> {
        read!(self, list_users())
    }

    pub async fn user_for_sign_in(&self, username: &str) -> StorageResult<Option<SignIn>> {
        read!(self, user_for_sign_in(username))
    }

    pub async fn create_session(&self, session: NewSession) -> StorageResult<SessionCreated> {
        match self.writer.submit(Write::CreateSession(session)).await? {
            Written::SessionCreated(created) => Ok(created),
            other => Err(unexpected("a new session", &other)),
        }
    }

    pub async fn session(&self, token_hash: &TokenHash) -> StorageResult<Option<SessionRecord>> {
        read!(self, session(token_hash))
    }

    /// Records that the session was used at `now`; `false` when there is no such session.
    pub async fn touch_session(&self, token_hash: &TokenHash, now: Timestamp) -> StorageResult<bool> {
        match self.writer.submit(Write::TouchSession { token_hash: *token_hash, at: now }).await? {
            Written::SessionTouched(found) => Ok(found),
            other => Err(unexpected("a session's use", &other)),
        }
    }

    /// Signs the session out; `false` when there was no such session.
    pub async fn delete_session(&self, token_hash: &TokenHash) -> StorageResult<bool> {
        match self.writer.submit(Write::DeleteSession { token_hash: *token_hash }).await? {
            Written::SessionDeleted(found) => Ok(found),
            other => Err(unexpected("a sign-out", &other)),
        }
    }

    /// Deletes the outbox events created before `cutoff` that every endpoint has received, with
    /// their deliveries, and says how many events there were. Their payloads are copies of the
    /// donor's details that nobody needs once delivered; dead and pending ones are kept for
    /// staff to resend.
    pub async fn purge_delivered_events(&self, cutoff: Timestamp) -> StorageResult<u64> {
        match self.writer.submit(Write::PurgeDeliveredEvents { cutoff }).await? {
            Written::EventsPurged(count) => Ok(count),
            other => Err(unexpected("a purge of delivered events", &other)),
        }
    }

    /// Deletes the sessions last used before `cutoff`, and says how many there were.
    pub async fn delete_sessions_idle_since(&self, cutoff: Timestamp) -> StorageResult<u64> {
        match self.writer.submit(Write::DeleteSessionsIdleSince { cutoff }).await? {
            Written::SessionsDeleted(count) => Ok(count),
            other => Err(unexpected("an expiry of sessions", &other)),
        }
    }

    /// Erases the donor's personal data from the matching pledges not erased yet, recording
    /// an `erased` event for each; answers their references.
    pub async fn erase(&self, erasure: Erasure, actor: &str) -> StorageResult<Vec<String>> {
        match self.writer.submit(Write::Erase { erasure, actor: actor.to_owned(), at: Timestamp::now() }).await? {
            Written::Erased(references) => Ok(references),
            other => Err(unexpected("an erasure", &other)),
        }
    }

    /// Everything stored about the donor with this email address, in any letter case: each
    /// pledge with its history.
    pub async fn subject_access(&self, email: &str) -> StorageResult<Vec<(StoredPledge, Vec<PledgeEvent>)>> {
        read!(self, subject_access(email))
    }

    /// Erases the personal data of every pledge received before `received_before` that was
    /// never converted, as the retention rule says (event `anonymised`, actor `retention`).
    pub async fn anonymise_unconverted(&self, received_before: Timestamp) -> StorageResult<Vec<String>> {
        match self.writer.submit(Write::AnonymiseUnconverted { received_before, at: Timestamp::now() }).await? {
            Written::Erased(references) => Ok(references),
            other => Err(unexpected("an anonymisation", &other)),
        }
    }

    /// Every pledge received in `[since, until)`, oldest first, as the dashboard counts it.
    pub async fn pledges_received_between(
        &self,
        since: Timestamp,
        until: Timestamp,
    ) -> StorageResult<Vec<ReceivedPledge>> {
        read!(self, pledges_received_between(since, until))
    }

    /// Every converted pledge with a Gift Aid declaration whose personal data is still there.
    pub async fn converted_with_gift_aid(&self) -> StorageResult<Vec<ConvertedWithGiftAid>> {
        read!(self, converted_with_gift_aid())
    }

    /// A write through the same writer and queue as pledges, so that a stuck writer or a full
    /// disk shows here. The caller bounds how long it waits.
    pub async fn probe_writes(&self) -> StorageResult<()> {
        self.writer.probe().await
    }

    pub async fn list(&self, filter: ListFilter) -> StorageResult<PledgePage> {
        read!(self, list(&filter))
    }

    /// Closes the connections once in-flight requests have drained. SQLite checkpoints its
    /// write-ahead log into the main file here.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}

/// A stored row's columns, as both backends read them.
struct Row {
    id: i64,
    reference: String,
    received_at: i64,
    status: String,
    review_reason: Option<String>,
    released_at: Option<i64>,
    erased_at: Option<i64>,
    pledge: String,
}

impl Row {
    fn into_stored(self) -> StorageResult<StoredPledge> {
        let Row { id, reference, received_at, status, review_reason, released_at, erased_at, pledge } = self;
        let (status, review_reason) = parse_review(&reference, &status, review_reason.as_deref())?;
        let pledge = serde_json::from_str(&pledge)
            .map_err(|error| StorageError::new(format!("stored pledge {reference} is unreadable: {error}")))?;
        Ok(StoredPledge {
            id,
            reference,
            received_at: Timestamp::from_micros(received_at),
            status,
            review_reason,
            released_at: released_at.map(Timestamp::from_micros),
            erased_at: erased_at.map(Timestamp::from_micros),
            pledge,
        })
    }
}

/// The writer answers every write with the outcome of its kind; anything else is a bug.
fn unexpected(asked: &str, answer: &Written) -> StorageError {
    let answer = match answer {
        Written::Pledge(_) => "a pledge",
        Written::Released(_) => "a release",
        Written::StatusChanged(_) => "a change of status",
        Written::Wordings(_) => "wordings",
        Written::UserAdded(_) => "a new user",
        Written::UserRemoved(_) => "a removal of a user",
        Written::SessionCreated(_) => "a new session",
        Written::SessionTouched(_) => "a session's use",
        Written::SessionDeleted(_) => "a sign-out",
        Written::SessionsDeleted(_) => "an expiry of sessions",
        Written::EventsPurged(_) => "a purge of delivered events",
        Written::Erased(_) => "an erasure",
        Written::Claimed(_) => "claimed deliveries",
        Written::DeliveryRecorded(_) => "a delivery's outcome",
        Written::DeliveryRetried(_) => "a delivery's retry",
        Written::WebhookAdded(_) => "a new webhook endpoint",
        Written::WebhookRemoved(_) => "a removal of a webhook endpoint",
        Written::WebhookSecretReplaced(_) => "a new secret for a webhook endpoint",
        Written::ReplacedSecretsForgotten(_) => "a deletion of replaced webhook secrets",
    };
    StorageError::new(format!("the writer answered {asked} with {answer}"))
}

fn parse_review(reference: &str, status: &str, reason: Option<&str>) -> StorageResult<(Status, Option<SpamReason>)> {
    let status = Status::parse(status)
        .ok_or_else(|| StorageError::new(format!("stored pledge {reference} has an unknown status")))?;
    let reason = reason
        .map(|reason| {
            SpamReason::parse(reason)
                .ok_or_else(|| StorageError::new(format!("stored pledge {reference} has an unknown review reason")))
        })
        .transpose()?;
    Ok((status, reason))
}

fn page_from_rows(mut pledges: Vec<StoredPledge>, limit: u32) -> PledgePage {
    // One row more than asked for was read, to know whether another page exists.
    let more = pledges.len() > limit as usize;
    pledges.truncate(limit as usize);
    let next_after_id = if more { pledges.last().map(|pledge| pledge.id) } else { None };
    PledgePage { pledges, next_after_id }
}
