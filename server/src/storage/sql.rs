//! The SQL both backends share, written once and compiled for each.
//!
//! Statements use `$1`-style placeholders, which SQLite reads as PostgreSQL does, and
//! [`Statement`] where filters are optional. The backend modules keep only what really differs:
//! how a transaction takes its lock, durability settings, the health check's write, and
//! PostgreSQL's retry when two receivers collide.
//!
//! The functions live in one generic `impl` so that sqlx's trait bounds are written once; the
//! backends call them as `Shared::<Sqlite>::…` and `Shared::<Postgres>::…`.

use std::marker::PhantomData;

use sqlx::migrate::{Migrate, Migrator};
use std::fmt::Write as _;

use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row as _, Type};

use pledge::{Amount, Currency, Frequency, Pledge, SponsorshipOption};

use super::erasure::{erase_personal_data, Erasure};
use super::events::{
    EventKind, EventRow, NewEvent, PledgeEvent, StatusChange, ACTOR_RETENTION, ACTOR_SPAM_CHECK, ACTOR_WIDGET,
};
use super::inbox::{InboxPage, InboxQuery, InboxRow, SearchColumns, LIKE_ESCAPE};
use super::migrations;
use super::outbox::{
    announcement, erasure_announced, ClaimedDelivery, DeliveryPage, DeliveryQuery, DeliveryRecord, DeliveryStatus,
    DeliveryUpdate, Endpoints, RetryOutcome, ERASED_BEFORE_DELIVERY,
};
use super::reporting::{ConvertedWithGiftAid, ReceivedPledge};
use super::staff::{
    NewSession, NewUser, SessionCreated, SessionRecord, SignIn, StaffUser, TokenHash, UserAdded, UserRemoved,
};
use super::webhooks::{
    delivery_targets, NewWebhook, PreviousSecret, SecretReplacement, StoredWebhook, WebhookAdded, WebhookRemoved,
    WebhookSecretReplaced, ENDPOINT_REMOVED,
};
use super::wordings::{Wording, WordingChanged};
use super::{
    page_from_rows, parse_review, ListFilter, NewPledge, PledgePage, Receipt, Recorded, Released, Row, Status,
    StatusFilter, StorageError, StorageResult, StoredPledge, Write, Written,
};
use crate::intake::reference;
use crate::intake::spam::SpamReason;
use crate::notify::{Event, EventId, EventType, PledgeView};
use crate::timestamp::Timestamp;

/// The columns [`Row`] reads.
const ROW_COLUMNS: &str = "id, reference, received_at, status, review_reason, released_at, erased_at, pledge";

/// The columns [`InboxRow`] reads.
const INBOX_COLUMNS: &str = "id, reference, received_at, status, partner, sponsorship_option, frequency, currency, \
     amount_minor, donor_given_name, donor_family_name, donor_email, has_gift_aid, erased_at";

const EVENT_COLUMNS: &str = "id, at, actor, kind, from_status, to_status, note";

/// What shared SQL needs to know about a backend that sqlx's traits do not say.
pub(super) trait Dialect: Database {
    fn rows_affected(result: &Self::QueryResult) -> u64;
    /// Appended to a SELECT whose rows the transaction will update, so that another
    /// receiver's transaction waits for this one. SQLite has one writer at a time already.
    const FOR_UPDATE: &'static str;
    /// Appended to the outbox's claim: PostgreSQL skips the deliveries another receiver's
    /// claim has locked, rather than waiting for them and then finding them leased.
    const CLAIM_LOCK: &'static str;
    /// A query answering one row with one boolean, `present`: whether a table named `$1`
    /// exists in the schema the connection uses.
    const TABLE_EXISTS: &'static str;
}

impl Dialect for sqlx::Sqlite {
    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
    const FOR_UPDATE: &'static str = "";
    const CLAIM_LOCK: &'static str = "";
    const TABLE_EXISTS: &'static str =
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1) AS present";
}

impl Dialect for sqlx::Postgres {
    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const CLAIM_LOCK: &'static str = " FOR UPDATE OF d SKIP LOCKED";
    const TABLE_EXISTS: &'static str =
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1) AS present";
}

/// The statements shared by both backends, for the database `DB`.
pub(super) struct Shared<DB>(PhantomData<DB>);

impl<DB> Shared<DB>
where
    DB: Dialect,
    DB::Connection: Migrate,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<Vec<u8>>: Decode<'q, DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    /// Applies the pending migrations on a connection whose transaction already holds the
    /// backend's migration lock, first carrying over a legacy history if there is one.
    pub(super) async fn migrate(connection: &mut DB::Connection, migrator: &Migrator) -> StorageResult<()> {
        let legacy: bool = sqlx::query(DB::TABLE_EXISTS)
            .bind(migrations::LEGACY_HISTORY_TABLE.to_owned())
            .fetch_one(&mut *connection)
            .await?
            .try_get("present")?;
        if legacy {
            Self::adopt_legacy_history(connection, migrator).await?;
        }
        let explain = |error| migrations::explain(error, migrator);
        connection.ensure_migrations_table().await.map_err(explain)?;
        let applied = connection.list_applied_migrations().await.map_err(explain)?;
        migrator.run_direct(connection).await.map_err(explain)?;
        if !applied.iter().any(|migration| migration.version == migrations::SEARCH_COLUMNS) {
            Self::fold_search_columns(connection).await?;
        }
        Ok(())
    }

    /// The migration that added the search columns lower-cased them with SQL's `lower()`, which
    /// SQLite (and PostgreSQL in the C locale) applies to ASCII letters only; the receiver
    /// folds them as it does for new pledges, so that `É` is found by `é`.
    async fn fold_search_columns(connection: &mut DB::Connection) -> StorageResult<()> {
        let rows = sqlx::query(
            "SELECT id, donor_given_name, donor_family_name, donor_email, donor_name_lower, donor_email_lower FROM pledges",
        )
        .fetch_all(&mut *connection)
        .await?;
        for row in rows {
            let given_name: String = row.try_get("donor_given_name")?;
            let family_name: String = row.try_get("donor_family_name")?;
            let email: String = row.try_get("donor_email")?;
            let name_lower = SearchColumns::name_lower_of(&given_name, &family_name);
            let email_lower = email.to_lowercase();
            let stored: (String, String) = (row.try_get("donor_name_lower")?, row.try_get("donor_email_lower")?);
            if stored != (name_lower.clone(), email_lower.clone()) {
                sqlx::query("UPDATE pledges SET donor_name_lower = $1, donor_email_lower = $2 WHERE id = $3")
                    .bind(name_lower)
                    .bind(email_lower)
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *connection)
                    .await?;
            }
        }
        Ok(())
    }

    async fn adopt_legacy_history(connection: &mut DB::Connection, migrator: &Migrator) -> StorageResult<()> {
        let rows =
            sqlx::query("SELECT version FROM schema_migrations ORDER BY version").fetch_all(&mut *connection).await?;
        let versions = rows.iter().map(|row| row.try_get("version")).collect::<Result<Vec<i64>, _>>()?;
        connection.ensure_migrations_table().await.map_err(|error| migrations::explain(error, migrator))?;
        for (version, description, checksum) in migrations::adopted(migrator, &versions)? {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES ($1, $2, TRUE, $3, -1)",
            )
            .bind(version)
            .bind(description)
            .bind(checksum)
            .execute(&mut *connection)
            .await?;
        }
        sqlx::query("DROP TABLE schema_migrations").execute(&mut *connection).await?;
        tracing::info!(?versions, "carried the schema history over to sqlx's migrations table");
        Ok(())
    }

    /// Applies one write inside the caller's transaction; the events it announces get one
    /// delivery for each of `endpoints`.
    pub(super) async fn apply(
        connection: &mut DB::Connection,
        write: &Write,
        endpoints: &Endpoints,
    ) -> StorageResult<Written> {
        Ok(match write {
            Write::Pledge(pledge) => Written::Pledge(Self::record(connection, pledge, endpoints).await?),
            Write::Release { reference, at, actor } => {
                Written::Released(Self::release(connection, reference, *at, actor, endpoints).await?)
            }
            Write::ChangeStatus { reference, to, note, actor, at } => Written::StatusChanged(
                Self::change_status(connection, reference, *to, note.clone(), actor, *at, endpoints).await?,
            ),
            Write::EnsureWordings(wordings) => Written::Wordings(Self::ensure_wordings(connection, wordings).await?),
            Write::AddUser(user) => Written::UserAdded(Self::add_user(connection, user).await?),
            Write::RemoveUser { username } => Written::UserRemoved(Self::remove_user(connection, username).await?),
            Write::CreateSession(session) => Written::SessionCreated(Self::create_session(connection, session).await?),
            Write::TouchSession { token_hash, at } => {
                let touched = sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(at.as_micros())
                    .bind(token_hash.as_bytes().to_vec())
                    .execute(&mut *connection)
                    .await?;
                Written::SessionTouched(DB::rows_affected(&touched) > 0)
            }
            Write::DeleteSession { token_hash } => {
                let deleted = sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
                    .bind(token_hash.as_bytes().to_vec())
                    .execute(&mut *connection)
                    .await?;
                Written::SessionDeleted(DB::rows_affected(&deleted) > 0)
            }
            Write::PurgeDeliveredEvents { cutoff } => {
                // Only events whose every delivery arrived: a pending or dead one keeps its event,
                // and an event without deliveries is kept only if one is still to be written.
                let settled = "SELECT e.id FROM outbox_events e WHERE e.created_at < $1 AND NOT EXISTS \
                     (SELECT 1 FROM outbox_deliveries d WHERE d.event_row_id = e.id AND d.status <> 'delivered')";
                sqlx::query(&format!("DELETE FROM outbox_deliveries WHERE event_row_id IN ({settled})"))
                    .bind(cutoff.as_micros())
                    .execute(&mut *connection)
                    .await?;
                let purged = sqlx::query(&format!("DELETE FROM outbox_events WHERE id IN ({settled})"))
                    .bind(cutoff.as_micros())
                    .execute(&mut *connection)
                    .await?;
                Written::EventsPurged(DB::rows_affected(&purged))
            }
            Write::DeleteSessionsIdleSince { cutoff } => {
                let deleted = sqlx::query("DELETE FROM staff_sessions WHERE last_seen_at < $1")
                    .bind(cutoff.as_micros())
                    .execute(&mut *connection)
                    .await?;
                Written::SessionsDeleted(DB::rows_affected(&deleted))
            }
            Write::Erase { erasure, actor, at } => {
                let mut targets =
                    Statement::new("SELECT id, reference, pledge FROM pledges WHERE erased_at IS NULL AND ");
                match erasure {
                    Erasure::ByEmail(email) => targets.push("donor_email_lower = ").value(email.to_lowercase()),
                    Erasure::ByReference(reference) => targets.push("reference = ").value(reference.clone()),
                };
                targets.push(" ORDER BY id").push(DB::FOR_UPDATE);
                Written::Erased(Self::erase(connection, &targets, EventKind::Erased, actor, *at, endpoints).await?)
            }
            Write::AnonymiseUnconverted { received_before, at } => {
                let mut targets = Statement::new(
                    "SELECT id, reference, pledge FROM pledges
                     WHERE erased_at IS NULL AND status <> 'converted' AND received_at < ",
                );
                targets.value(received_before.as_micros()).push(" ORDER BY id").push(DB::FOR_UPDATE);
                Written::Erased(
                    Self::erase(connection, &targets, EventKind::Anonymised, ACTOR_RETENTION, *at, endpoints).await?,
                )
            }
            Write::ClaimDeliveries { now, lease_until, limit } => {
                Written::Claimed(Self::claim_deliveries(connection, *now, *lease_until, *limit).await?)
            }
            Write::RecordDelivery { id, lease, update } => {
                Written::DeliveryRecorded(Self::record_delivery(connection, *id, *lease, update).await?)
            }
            Write::RetryDelivery { id, at } => {
                Written::DeliveryRetried(Self::retry_delivery(connection, *id, *at).await?)
            }
            Write::AddWebhook(webhook) => {
                Written::WebhookAdded(Self::add_webhook(connection, webhook, endpoints).await?)
            }
            Write::RemoveWebhook { name } => {
                Written::WebhookRemoved(Self::remove_webhook(connection, name, endpoints).await?)
            }
            Write::ReplaceWebhookSecret(replacement) => {
                Written::WebhookSecretReplaced(Self::replace_webhook_secret(connection, replacement).await?)
            }
            Write::ForgetReplacedSecrets { now } => {
                let forgotten = sqlx::query(
                    "UPDATE webhook_endpoints SET previous_secret = NULL, previous_secret_until = NULL
                     WHERE previous_secret_until <= $1",
                )
                .bind(now.as_micros())
                .execute(&mut *connection)
                .await?;
                Written::ReplacedSecretsForgotten(DB::rows_affected(&forgotten))
            }
        })
    }

    async fn record(
        connection: &mut DB::Connection,
        pledge: &NewPledge,
        endpoints: &Endpoints,
    ) -> StorageResult<Recorded> {
        let columns = &pledge.columns;
        loop {
            let reference = reference::generate();
            // ON CONFLICT DO NOTHING covers both unique constraints without aborting the
            // transaction, which a failed insert would do in PostgreSQL. When another receiver's
            // uncommitted transaction holds the same key, PostgreSQL waits for it to finish.
            let inserted = sqlx::query(
                "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge, status,
                     review_reason, sponsorship_option, frequency, currency, amount_minor, donor_email,
                     donor_email_lower, donor_given_name, donor_family_name, donor_name_lower, has_gift_aid)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                 ON CONFLICT DO NOTHING
                 RETURNING id",
            )
            .bind(reference.clone())
            .bind(pledge.partner.clone())
            .bind(pledge.idempotency_key.clone())
            .bind(pledge.body_hash.to_vec())
            .bind(pledge.received_at.as_micros())
            .bind(pledge.pledge_json.clone())
            .bind(pledge.status().as_str().to_owned())
            .bind(pledge.review.map(|reason| SpamReason::as_str(reason).to_owned()))
            .bind(columns.option.as_str().to_owned())
            .bind(columns.frequency.as_str().to_owned())
            .bind(columns.amount.currency.code().to_owned())
            .bind(amount_column(columns.amount))
            .bind(columns.email.clone())
            .bind(columns.email_lower())
            .bind(columns.given_name.clone())
            .bind(columns.family_name.clone())
            .bind(columns.name_lower())
            .bind(columns.has_gift_aid)
            .fetch_optional(&mut *connection)
            .await?;
            if let Some(row) = inserted {
                let id: i64 = row.try_get("id")?;
                let received = NewEvent {
                    at: pledge.received_at,
                    actor: ACTOR_WIDGET,
                    kind: EventKind::Received,
                    from_status: None,
                    to_status: Some(pledge.status()),
                    note: None,
                };
                Self::add_event(connection, id, received).await?;
                if let Some(reason) = pledge.review {
                    let held = NewEvent {
                        at: pledge.received_at,
                        actor: ACTOR_SPAM_CHECK,
                        kind: EventKind::HeldForReview,
                        from_status: None,
                        to_status: Some(Status::Review),
                        note: Some(reason.as_str().to_owned()),
                    };
                    Self::add_event(connection, id, held).await?;
                }
                let targets = match announcement(false, pledge.status()) {
                    Some(_) => Self::delivery_targets(connection, endpoints).await?,
                    None => Vec::new(),
                };
                if !targets.is_empty() {
                    let stored = parse_pledge(&reference, &pledge.pledge_json)?;
                    let view = PledgeView {
                        reference: &reference,
                        received_at: pledge.received_at,
                        status: pledge.status().as_str(),
                        pledge: &stored,
                    };
                    let event = Event::pledge_created(new_event_id()?, pledge.received_at, view);
                    Self::announce(connection, endpoints, &targets, &reference, event).await?;
                }
                return Ok(Recorded::Created(Receipt { reference, received_at: pledge.received_at }));
            }
            let existing = sqlx::query(
                "SELECT reference, received_at, body_hash FROM pledges WHERE partner = $1 AND idempotency_key = $2",
            )
            .bind(pledge.partner.clone())
            .bind(pledge.idempotency_key.clone())
            .fetch_optional(&mut *connection)
            .await?;
            if let Some(row) = existing {
                let receipt = Receipt {
                    reference: row.try_get("reference")?,
                    received_at: Timestamp::from_micros(row.try_get("received_at")?),
                };
                let body_hash: Vec<u8> = row.try_get("body_hash")?;
                return Ok(if body_hash == pledge.body_hash {
                    Recorded::Replayed(receipt)
                } else {
                    Recorded::KeyReused
                });
            }
            // Otherwise the random reference collided with an older one: draw again.
        }
    }

    async fn add_event(connection: &mut DB::Connection, pledge_id: i64, event: NewEvent<'_>) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO pledge_events (pledge_id, at, actor, kind, from_status, to_status, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(pledge_id)
        .bind(event.at.as_micros())
        .bind(event.actor.to_owned())
        .bind(event.kind.as_str().to_owned())
        .bind(event.from_status.map(|status| status.as_str().to_owned()))
        .bind(event.to_status.map(|status| status.as_str().to_owned()))
        .bind(event.note)
        .execute(&mut *connection)
        .await?;
        Ok(())
    }

    /// Whether the charity's systems were told of the pledge: it has had a status other than
    /// `review` at some point. Read before the change being made is recorded.
    async fn previously_announced(connection: &mut DB::Connection, pledge_id: i64) -> StorageResult<bool> {
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM pledge_events
                 WHERE pledge_id = $1 AND to_status IS NOT NULL AND to_status <> 'review') AS announced",
        )
        .bind(pledge_id)
        .fetch_one(&mut *connection)
        .await?;
        Ok(row.try_get("announced")?)
    }

    async fn previously_announced_by_reference(
        connection: &mut DB::Connection,
        reference: &str,
    ) -> StorageResult<bool> {
        let row = sqlx::query("SELECT id FROM pledges WHERE reference = $1")
            .bind(reference.to_owned())
            .fetch_optional(&mut *connection)
            .await?;
        match row {
            Some(row) => Self::previously_announced(connection, row.try_get("id")?).await,
            None => Ok(false),
        }
    }

    /// Announces the pledge's status as it now stands, after a change from `from`: as
    /// `pledge.created` when the charity's systems have not heard of it, otherwise as
    /// `pledge.status_changed`; nothing for a pledge that stays in review.
    async fn announce_change(
        connection: &mut DB::Connection,
        endpoints: &Endpoints,
        reference: &str,
        announced: bool,
        from: Status,
        note: Option<&str>,
        at: Timestamp,
    ) -> StorageResult<()> {
        let targets = Self::delivery_targets(connection, endpoints).await?;
        if targets.is_empty() {
            return Ok(());
        }
        let Some(stored) = Self::pledge(connection, reference).await? else { return Ok(()) };
        let view = PledgeView::from(&stored);
        let event = match announcement(announced, stored.status) {
            None => return Ok(()),
            Some(EventType::PledgeCreated) => Event::pledge_created(new_event_id()?, at, view),
            Some(_) => Event::pledge_status_changed(new_event_id()?, at, view, from.as_str(), note),
        };
        Self::announce(connection, endpoints, &targets, reference, event).await
    }

    /// The endpoints an event written now is delivered to: the flag endpoints and the stored
    /// ones, read in the transaction that writes the event, so that an endpoint added on any
    /// receiver takes effect at the next change.
    async fn delivery_targets(connection: &mut DB::Connection, endpoints: &Endpoints) -> StorageResult<Vec<String>> {
        let rows = sqlx::query("SELECT name FROM webhook_endpoints ORDER BY id").fetch_all(&mut *connection).await?;
        let stored = rows.iter().map(|row| row.try_get::<String, _>("name")).collect::<Result<Vec<_>, _>>()?;
        Ok(delivery_targets(&endpoints.all_names(), stored))
    }

    /// Writes the event and one delivery, due now, per endpoint in `targets` that takes its
    /// type; nothing when none does.
    async fn announce(
        connection: &mut DB::Connection,
        endpoints: &Endpoints,
        targets: &[String],
        reference: &str,
        event: Result<Event, serde_json::Error>,
    ) -> StorageResult<()> {
        let event = event.map_err(|error| {
            StorageError::new(format!("the event for pledge {reference} does not serialise: {error}"))
        })?;
        let targets: Vec<&String> = targets.iter().filter(|name| endpoints.takes(name, event.event_type())).collect();
        if targets.is_empty() {
            return Ok(());
        }
        let row = sqlx::query(
            "INSERT INTO outbox_events (event_id, event_type, created_at, reference, payload)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(event.id().as_str().to_owned())
        .bind(event.event_type().as_str().to_owned())
        .bind(event.created_at().as_micros())
        .bind(reference.to_owned())
        .bind(event.payload().to_vec())
        .fetch_one(&mut *connection)
        .await?;
        let event_row_id: i64 = row.try_get("id")?;
        for endpoint in targets {
            sqlx::query("INSERT INTO outbox_deliveries (event_row_id, endpoint, next_attempt_at) VALUES ($1, $2, $3)")
                .bind(event_row_id)
                .bind(endpoint.clone())
                .bind(event.created_at().as_micros())
                .execute(&mut *connection)
                .await?;
        }
        Ok(())
    }

    /// On erasure: the pledge's earlier events lose their payloads, and their pending deliveries
    /// are given up, so that nothing erased is kept or sent afterwards.
    async fn forget_outbox_payloads(connection: &mut DB::Connection, reference: &str) -> StorageResult<()> {
        sqlx::query(
            "UPDATE outbox_deliveries SET status = 'dead', last_error = $1
             WHERE status = 'pending' AND event_row_id IN (SELECT id FROM outbox_events WHERE reference = $2)",
        )
        .bind(ERASED_BEFORE_DELIVERY.to_owned())
        .bind(reference.to_owned())
        .execute(&mut *connection)
        .await?;
        sqlx::query("UPDATE outbox_events SET payload = NULL WHERE reference = $1")
            .bind(reference.to_owned())
            .execute(&mut *connection)
            .await?;
        Ok(())
    }

    /// Leases up to `limit` due deliveries until `lease_until`, oldest first. A delivery waits
    /// while an earlier one of the same pledge to the same endpoint is pending or leased.
    async fn claim_deliveries(
        connection: &mut DB::Connection,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StorageResult<Vec<ClaimedDelivery>> {
        let rows = sqlx::query(&format!(
            "SELECT d.id, d.endpoint, d.attempts, e.event_id, e.event_type, e.created_at, e.reference, e.payload
             FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.leased_until <= $1
               AND e.payload IS NOT NULL
               AND NOT EXISTS (
                   SELECT 1 FROM outbox_deliveries b JOIN outbox_events f ON f.id = b.event_row_id
                   WHERE f.reference = e.reference AND b.endpoint = d.endpoint AND b.event_row_id < d.event_row_id
                     AND (b.status = 'pending' OR b.leased_until > $1))
             ORDER BY d.id LIMIT $2{}",
            DB::CLAIM_LOCK
        ))
        .bind(now.as_micros())
        .bind(i64::from(limit))
        .fetch_all(&mut *connection)
        .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let event_id: String = row.try_get("event_id")?;
            let event_type: String = row.try_get("event_type")?;
            let payload: Option<Vec<u8>> = row.try_get("payload")?;
            let (Some(event_id), Some(event_type), Some(payload)) =
                (EventId::parse(&event_id), EventType::parse(&event_type), payload)
            else {
                return Err(StorageError::new(format!("outbox delivery {id} has an unreadable event")));
            };
            sqlx::query("UPDATE outbox_deliveries SET leased_until = $1 WHERE id = $2")
                .bind(lease_until.as_micros())
                .bind(id)
                .execute(&mut *connection)
                .await?;
            let created_at = Timestamp::from_micros(row.try_get("created_at")?);
            claimed.push(ClaimedDelivery {
                id,
                lease: lease_until.as_micros(),
                endpoint: row.try_get("endpoint")?,
                reference: row.try_get("reference")?,
                attempts: count(row.try_get("attempts")?),
                event: Event::from_stored(event_id, event_type, created_at, payload),
            });
        }
        Ok(claimed)
    }

    /// Settles an attempt, if the delivery still carries the lease it was attempted under;
    /// answers whether it did.
    async fn record_delivery(
        connection: &mut DB::Connection,
        id: i64,
        lease: i64,
        update: &DeliveryUpdate,
    ) -> StorageResult<bool> {
        let (status, attempts, next_attempt_at, error, delivered_at) = match update {
            DeliveryUpdate::Delivered { attempts, at, note } => {
                (DeliveryStatus::Delivered, *attempts, at.as_micros(), note.clone(), Some(at.as_micros()))
            }
            DeliveryUpdate::Retry { attempts, next_attempt_at, error } => {
                (DeliveryStatus::Pending, *attempts, next_attempt_at.as_micros(), Some(error.clone()), None)
            }
            DeliveryUpdate::Dead { attempts, error } => (DeliveryStatus::Dead, *attempts, 0, Some(error.clone()), None),
        };
        // A delivery keeps its last failure once delivered: it says why it took several attempts.
        // One settled with nothing to send keeps the reason instead.
        let settled = sqlx::query(
            "UPDATE outbox_deliveries
             SET status = $1, attempts = $2, next_attempt_at = $3, last_error = COALESCE($4, last_error),
                 delivered_at = $5, leased_until = 0
             WHERE id = $6 AND leased_until = $7 AND status = 'pending'",
        )
        .bind(status.as_str().to_owned())
        .bind(i64::from(attempts))
        .bind(next_attempt_at)
        .bind(error)
        .bind(delivered_at)
        .bind(id)
        .bind(lease)
        .execute(&mut *connection)
        .await?;
        // A delivery given up meanwhile (its pledge was erased) keeps its status, but its lease
        // ends now, so that the pledge's later events need not wait for it to run out.
        sqlx::query("UPDATE outbox_deliveries SET leased_until = 0 WHERE id = $1 AND leased_until = $2")
            .bind(id)
            .bind(lease)
            .execute(&mut *connection)
            .await?;
        Ok(DB::rows_affected(&settled) == 1)
    }

    async fn retry_delivery(connection: &mut DB::Connection, id: i64, at: Timestamp) -> StorageResult<RetryOutcome> {
        let row = sqlx::query(&format!(
            "SELECT d.status, e.payload IS NULL AS erased
             FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row_id WHERE d.id = $1{}",
            if DB::FOR_UPDATE.is_empty() { "" } else { " FOR UPDATE OF d" }
        ))
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
        let Some(row) = row else { return Ok(RetryOutcome::NoSuchDelivery) };
        let status: String = row.try_get("status")?;
        if status == DeliveryStatus::Delivered.as_str() {
            return Ok(RetryOutcome::AlreadyDelivered);
        }
        if row.try_get::<bool, _>("erased")? {
            return Ok(RetryOutcome::Erased);
        }
        sqlx::query("UPDATE outbox_deliveries SET status = 'pending', next_attempt_at = $1 WHERE id = $2")
            .bind(at.as_micros())
            .bind(id)
            .execute(&mut *connection)
            .await?;
        let query = DeliveryQuery { status: None, before_id: Some(id.saturating_add(1)), limit: 1 };
        let page = Self::deliveries(connection, &query).await?;
        match page.deliveries.into_iter().next() {
            Some(record) if record.id == id => Ok(RetryOutcome::Scheduled(record)),
            _ => Ok(RetryOutcome::NoSuchDelivery),
        }
    }

    /// Stores an endpoint added on the admin pages, unless its name is taken by a stored one or
    /// by one of this receiver's flag endpoints.
    async fn add_webhook(
        connection: &mut DB::Connection,
        webhook: &NewWebhook,
        endpoints: &Endpoints,
    ) -> StorageResult<WebhookAdded> {
        if endpoints.contains(&webhook.name) {
            return Ok(WebhookAdded::NameOfFlagEndpoint);
        }
        let inserted = sqlx::query(
            "INSERT INTO webhook_endpoints (name, url, secret, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(webhook.name.clone())
        .bind(webhook.url.clone())
        .bind(webhook.secret.clone())
        .bind(webhook.created_at.as_micros())
        .bind(webhook.created_by.clone())
        .execute(&mut *connection)
        .await?;
        Ok(if DB::rows_affected(&inserted) == 1 { WebhookAdded::Added } else { WebhookAdded::NameTaken })
    }

    /// Removes a stored endpoint and marks its pending deliveries dead, so that nothing waits
    /// for an endpoint nobody will send to. A delivery being attempted right now keeps its
    /// dead status: its outcome is recorded only on a pending row.
    async fn remove_webhook(
        connection: &mut DB::Connection,
        name: &str,
        endpoints: &Endpoints,
    ) -> StorageResult<WebhookRemoved> {
        let deleted = sqlx::query("DELETE FROM webhook_endpoints WHERE name = $1")
            .bind(name.to_owned())
            .execute(&mut *connection)
            .await?;
        if DB::rows_affected(&deleted) == 0 {
            return Ok(WebhookRemoved::NoSuchEndpoint);
        }
        // A flag endpoint of the same name (another receiver's flags let the stored one in)
        // still receives its deliveries.
        if endpoints.contains(name) {
            return Ok(WebhookRemoved::Removed { given_up: 0 });
        }
        let given_up = sqlx::query(
            "UPDATE outbox_deliveries SET status = 'dead', last_error = $1 WHERE endpoint = $2 AND status = 'pending'",
        )
        .bind(ENDPOINT_REMOVED.to_owned())
        .bind(name.to_owned())
        .execute(&mut *connection)
        .await?;
        Ok(WebhookRemoved::Removed { given_up: DB::rows_affected(&given_up) })
    }

    /// The current secret becomes the previous one, whatever previous one there was: only the
    /// newest two ever sign.
    async fn replace_webhook_secret(
        connection: &mut DB::Connection,
        replacement: &SecretReplacement,
    ) -> StorageResult<WebhookSecretReplaced> {
        let updated = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $1, secret = $2
             WHERE name = $3",
        )
        .bind(replacement.previous_until.as_micros())
        .bind(replacement.secret.clone())
        .bind(replacement.name.clone())
        .execute(&mut *connection)
        .await?;
        Ok(if DB::rows_affected(&updated) == 1 {
            WebhookSecretReplaced::Replaced
        } else {
            WebhookSecretReplaced::NoSuchEndpoint
        })
    }

    /// The stored endpoints, in the order they were added.
    pub(super) async fn webhooks(connection: &mut DB::Connection) -> StorageResult<Vec<StoredWebhook>> {
        let rows = sqlx::query(
            "SELECT name, url, secret, previous_secret, previous_secret_until, created_at, created_by
             FROM webhook_endpoints ORDER BY id",
        )
        .fetch_all(&mut *connection)
        .await?;
        rows.iter()
            .map(|row| {
                let previous_secret: Option<String> = row.try_get("previous_secret")?;
                let previous_until: Option<i64> = row.try_get("previous_secret_until")?;
                Ok(StoredWebhook {
                    name: row.try_get("name")?,
                    url: row.try_get("url")?,
                    secret: row.try_get("secret")?,
                    previous_secret: previous_secret
                        .zip(previous_until)
                        .map(|(secret, until)| PreviousSecret { secret, until: Timestamp::from_micros(until) }),
                    created_at: Timestamp::from_micros(row.try_get("created_at")?),
                    created_by: row.try_get("created_by")?,
                })
            })
            .collect()
    }

    /// Deliveries newest first, without their payloads.
    pub(super) async fn deliveries(
        connection: &mut DB::Connection,
        query: &DeliveryQuery,
    ) -> StorageResult<DeliveryPage> {
        let mut statement = Statement::new(
            "SELECT d.id, e.event_id, e.event_type, e.created_at, e.reference, d.endpoint, d.status, d.attempts,
                 d.next_attempt_at, d.last_error, d.delivered_at
             FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row_id WHERE d.id < ",
        );
        statement.value(query.before_id.unwrap_or(i64::MAX));
        if let Some(status) = query.status {
            statement.push(" AND d.status = ").value(status.as_str().to_owned());
        }
        statement.push(" ORDER BY d.id DESC LIMIT ").value(i64::from(query.limit) + 1);
        let rows = Self::query(&statement).fetch_all(&mut *connection).await?;
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let status = DeliveryStatus::parse(&status)
                .ok_or_else(|| StorageError::new(format!("outbox delivery {id} has an unknown status")))?;
            let next_attempt_at: i64 = row.try_get("next_attempt_at")?;
            let delivered_at: Option<i64> = row.try_get("delivered_at")?;
            deliveries.push(DeliveryRecord {
                id,
                event_id: row.try_get("event_id")?,
                event_type: row.try_get("event_type")?,
                created_at: Timestamp::from_micros(row.try_get("created_at")?),
                reference: row.try_get("reference")?,
                endpoint: row.try_get("endpoint")?,
                status,
                attempts: count(row.try_get("attempts")?),
                next_attempt_at: (status == DeliveryStatus::Pending).then(|| Timestamp::from_micros(next_attempt_at)),
                last_error: row.try_get("last_error")?,
                delivered_at: delivered_at.map(Timestamp::from_micros),
            });
        }
        // One row more than asked for was read, to know whether another page exists.
        let more = deliveries.len() > query.limit as usize;
        deliveries.truncate(query.limit as usize);
        let next_before_id = if more { deliveries.last().map(|delivery| delivery.id) } else { None };
        Ok(DeliveryPage { deliveries, next_before_id })
    }

    /// When the oldest event with a pending delivery happened; `None` when every delivery is
    /// settled.
    pub(super) async fn oldest_undelivered_event(connection: &mut DB::Connection) -> StorageResult<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT min(e.created_at) AS oldest
             FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row_id WHERE d.status = 'pending'",
        )
        .fetch_one(&mut *connection)
        .await?;
        let oldest: Option<i64> = row.try_get("oldest")?;
        Ok(oldest.map(Timestamp::from_micros))
    }

    async fn release(
        connection: &mut DB::Connection,
        reference: &str,
        at: Timestamp,
        actor: &str,
        endpoints: &Endpoints,
    ) -> StorageResult<Option<Released>> {
        let announced = Self::previously_announced_by_reference(connection, reference).await?;
        let released = sqlx::query(
            "UPDATE pledges SET status = 'new', released_at = $1 WHERE reference = $2 AND status = 'review' RETURNING id",
        )
        .bind(at.as_micros())
        .bind(reference.to_owned())
        .fetch_optional(&mut *connection)
        .await?;
        if let Some(row) = released {
            let event = NewEvent {
                at,
                actor,
                kind: EventKind::Released,
                from_status: Some(Status::Review),
                to_status: Some(Status::New),
                note: None,
            };
            Self::add_event(connection, row.try_get("id")?, event).await?;
            Self::announce_change(connection, endpoints, reference, announced, Status::Review, None, at).await?;
        }
        let row = sqlx::query("SELECT reference, status, review_reason, released_at FROM pledges WHERE reference = $1")
            .bind(reference.to_owned())
            .fetch_optional(&mut *connection)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let reference: String = row.try_get("reference")?;
        let status: String = row.try_get("status")?;
        let reason: Option<String> = row.try_get("review_reason")?;
        let (status, review_reason) = parse_review(&reference, &status, reason.as_deref())?;
        let released_at: Option<i64> = row.try_get("released_at")?;
        Ok(Some(Released { reference, status, review_reason, released_at: released_at.map(Timestamp::from_micros) }))
    }

    async fn change_status(
        connection: &mut DB::Connection,
        reference: &str,
        to: Status,
        note: Option<String>,
        actor: &str,
        at: Timestamp,
        endpoints: &Endpoints,
    ) -> StorageResult<Option<StatusChange>> {
        let current = sqlx::query(&format!("SELECT id, status FROM pledges WHERE reference = $1{}", DB::FOR_UPDATE))
            .bind(reference.to_owned())
            .fetch_optional(&mut *connection)
            .await?;
        let Some(current) = current else { return Ok(None) };
        let id: i64 = current.try_get("id")?;
        let from: String = current.try_get("status")?;
        let from = named(reference, &from, &Status::ALL, Status::as_str)?;
        if from == to {
            return Ok(Some(StatusChange::Unchanged(from)));
        }
        let announced = Self::previously_announced(connection, id).await?;
        // Taking a pledge out of review by giving it another status releases it, as the
        // release button does.
        let released_at = (from == Status::Review).then_some(at.as_micros());
        sqlx::query("UPDATE pledges SET status = $1, released_at = COALESCE($2, released_at) WHERE id = $3")
            .bind(to.as_str().to_owned())
            .bind(released_at)
            .bind(id)
            .execute(&mut *connection)
            .await?;
        let announced_note = note.clone();
        let event =
            NewEvent { at, actor, kind: EventKind::StatusChanged, from_status: Some(from), to_status: Some(to), note };
        Self::add_event(connection, id, event).await?;
        Self::announce_change(connection, endpoints, reference, announced, from, announced_note.as_deref(), at).await?;
        Ok(Some(StatusChange::Changed { from, to, at }))
    }

    /// Checks every wording first and inserts only when none differs, so that a refused start
    /// leaves nothing half-stored.
    async fn ensure_wordings(
        connection: &mut DB::Connection,
        wordings: &[Wording],
    ) -> StorageResult<Vec<WordingChanged>> {
        let mut changed = Vec::new();
        for wording in wordings {
            let stored = sqlx::query("SELECT text FROM wordings WHERE kind = $1 AND version = $2 AND locale = $3")
                .bind(wording.kind.clone())
                .bind(wording.version.clone())
                .bind(wording.locale.clone())
                .fetch_optional(&mut *connection)
                .await?;
            if let Some(stored) = stored {
                let text: String = stored.try_get("text")?;
                if text != wording.text {
                    changed.push(WordingChanged {
                        kind: wording.kind.clone(),
                        version: wording.version.clone(),
                        locale: wording.locale.clone(),
                    });
                }
            }
        }
        if !changed.is_empty() {
            return Ok(changed);
        }
        for wording in wordings {
            sqlx::query(
                "INSERT INTO wordings (kind, version, locale, text) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(wording.kind.clone())
            .bind(wording.version.clone())
            .bind(wording.locale.clone())
            .bind(wording.text.clone())
            .execute(&mut *connection)
            .await?;
        }
        Ok(changed)
    }

    async fn add_user(connection: &mut DB::Connection, user: &NewUser) -> StorageResult<UserAdded> {
        let inserted = sqlx::query(
            "INSERT INTO staff_users (username, password_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(user.username.clone())
        .bind(user.password_hash.clone())
        .bind(user.created_at.as_micros())
        .execute(&mut *connection)
        .await?;
        Ok(if DB::rows_affected(&inserted) == 1 { UserAdded::Added } else { UserAdded::AlreadyExists })
    }

    async fn remove_user(connection: &mut DB::Connection, username: &str) -> StorageResult<UserRemoved> {
        sqlx::query("DELETE FROM staff_sessions WHERE user_id IN (SELECT id FROM staff_users WHERE username = $1)")
            .bind(username.to_owned())
            .execute(&mut *connection)
            .await?;
        let deleted = sqlx::query("DELETE FROM staff_users WHERE username = $1")
            .bind(username.to_owned())
            .execute(&mut *connection)
            .await?;
        Ok(if DB::rows_affected(&deleted) == 1 { UserRemoved::Removed } else { UserRemoved::NoSuchUser })
    }

    async fn create_session(connection: &mut DB::Connection, session: &NewSession) -> StorageResult<SessionCreated> {
        // Selecting the user in the insert stores nothing for a user removed meanwhile, where a
        // plain insert would fail the whole batch on the foreign key.
        let inserted = sqlx::query(
            "INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at)
             SELECT $1, id, $3, $4, $4 FROM staff_users WHERE id = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(session.token_hash.as_bytes().to_vec())
        .bind(session.user_id)
        .bind(session.csrf_token.clone())
        .bind(session.created_at.as_micros())
        .execute(&mut *connection)
        .await?;
        if DB::rows_affected(&inserted) == 1 {
            return Ok(SessionCreated::Created);
        }
        let user = sqlx::query("SELECT id FROM staff_users WHERE id = $1")
            .bind(session.user_id)
            .fetch_optional(&mut *connection)
            .await?;
        Ok(if user.is_some() { SessionCreated::TokenInUse } else { SessionCreated::NoSuchUser })
    }

    /// Erases the pledges `targets` selects (`id, reference, pledge`), recording one event of
    /// `kind` for each; answers their references.
    async fn erase(
        connection: &mut DB::Connection,
        targets: &Statement,
        kind: EventKind,
        actor: &str,
        at: Timestamp,
        endpoints: &Endpoints,
    ) -> StorageResult<Vec<String>> {
        let rows = Self::query(targets).fetch_all(&mut *connection).await?;
        let mut erased = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let reference: String = row.try_get("reference")?;
            let stored: String = row.try_get("pledge")?;
            let mut pledge: Pledge = serde_json::from_str(&stored)
                .map_err(|error| StorageError::new(format!("stored pledge {reference} is unreadable: {error}")))?;
            erase_personal_data(&mut pledge);
            let columns = SearchColumns::of(&pledge);
            let pledge_json = serde_json::to_string(&pledge)
                .map_err(|error| StorageError::new(format!("erased pledge {reference} does not serialise: {error}")))?;
            sqlx::query(
                "UPDATE pledges SET pledge = $1, donor_email = $2, donor_email_lower = $3, donor_given_name = $4,
                     donor_family_name = $5, donor_name_lower = $6, erased_at = $7
                 WHERE id = $8",
            )
            .bind(pledge_json)
            .bind(columns.email.clone())
            .bind(columns.email_lower())
            .bind(columns.given_name.clone())
            .bind(columns.family_name.clone())
            .bind(columns.name_lower())
            .bind(at.as_micros())
            .bind(id)
            .execute(&mut *connection)
            .await?;
            // Staff notes may name or describe the donor; the reasons spam checks wrote do not.
            sqlx::query("UPDATE pledge_events SET note = NULL WHERE pledge_id = $1 AND kind = $2")
                .bind(id)
                .bind(EventKind::StatusChanged.as_str().to_owned())
                .execute(&mut *connection)
                .await?;
            let announced = Self::previously_announced(connection, id).await?;
            let event = NewEvent { at, actor, kind, from_status: None, to_status: None, note: None };
            Self::add_event(connection, id, event).await?;
            Self::forget_outbox_payloads(connection, &reference).await?;
            if erasure_announced(announced) {
                let targets = Self::delivery_targets(connection, endpoints).await?;
                if !targets.is_empty() {
                    let event = Event::pledge_erased(new_event_id()?, at, &reference, at);
                    Self::announce(connection, endpoints, &targets, &reference, event).await?;
                }
            }
            erased.push(reference);
        }
        Ok(erased)
    }

    /// Pledges in the order they were stored, after `filter.after_id`.
    pub(super) async fn list(connection: &mut DB::Connection, filter: &ListFilter) -> StorageResult<PledgePage> {
        let mut statement = Statement::new(&format!("SELECT {ROW_COLUMNS} FROM pledges WHERE id > "));
        statement.value(filter.after_id.unwrap_or(0));
        if let Some(partner) = &filter.partner {
            statement.push(" AND partner = ").value(partner.clone());
        }
        if let Some(since) = filter.since {
            statement.push(" AND received_at >= ").value(since.as_micros());
        }
        if let Some(until) = filter.until {
            statement.push(" AND received_at < ").value(until.as_micros());
        }
        statement.status_filter(filter.status);
        // One row more than asked for, to know whether another page exists.
        statement.push(" ORDER BY id LIMIT ").value(i64::from(filter.limit) + 1);
        let rows = Self::query(&statement).fetch_all(&mut *connection).await?;
        let pledges = rows.iter().map(|row| read_row::<DB>(row)?.into_stored()).collect::<StorageResult<Vec<_>>>()?;
        Ok(page_from_rows(pledges, filter.limit))
    }

    /// The pledge with this reference.
    pub(super) async fn pledge(
        connection: &mut DB::Connection,
        reference: &str,
    ) -> StorageResult<Option<StoredPledge>> {
        let row = sqlx::query(&format!("SELECT {ROW_COLUMNS} FROM pledges WHERE reference = $1"))
            .bind(reference.to_owned())
            .fetch_optional(&mut *connection)
            .await?;
        row.map(|row| read_row::<DB>(&row)?.into_stored()).transpose()
    }

    /// The pledge's history, oldest first; empty when no pledge has this reference.
    pub(super) async fn history(connection: &mut DB::Connection, reference: &str) -> StorageResult<Vec<PledgeEvent>> {
        let rows = sqlx::query(
            "SELECT e.id, e.at, e.actor, e.kind, e.from_status, e.to_status, e.note
             FROM pledge_events e JOIN pledges p ON p.id = e.pledge_id
             WHERE p.reference = $1 ORDER BY e.id",
        )
        .bind(reference.to_owned())
        .fetch_all(&mut *connection)
        .await?;
        rows.iter().map(|row| read_event::<DB>(row)?.into_event()).collect()
    }

    async fn history_of(connection: &mut DB::Connection, pledge_id: i64) -> StorageResult<Vec<PledgeEvent>> {
        let rows = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM pledge_events WHERE pledge_id = $1 ORDER BY id"))
            .bind(pledge_id)
            .fetch_all(&mut *connection)
            .await?;
        rows.iter().map(|row| read_event::<DB>(row)?.into_event()).collect()
    }

    pub(super) async fn inbox(connection: &mut DB::Connection, query: &InboxQuery) -> StorageResult<InboxPage> {
        // The total comes with the page, from the same snapshot: a pledge arriving between two
        // reads cannot make the count and the rows disagree.
        let mut page = Statement::new(&format!("SELECT {INBOX_COLUMNS}, count(*) OVER () AS total FROM pledges"));
        inbox_conditions(&mut page, query);
        page.push(" ORDER BY ")
            .push(query.sort.order_by())
            .push(" LIMIT ")
            .value(i64::from(query.bounded_limit()))
            .push(" OFFSET ")
            .value(i64::from(query.offset));
        let rows = Self::query(&page).fetch_all(&mut *connection).await?;
        let total: i64 = match rows.first() {
            Some(row) => row.try_get("total")?,
            None if query.offset == 0 => 0,
            // A page past the end (an old bookmark) says how many there are now.
            None => {
                let mut count = Statement::new("SELECT count(*) AS total FROM pledges");
                inbox_conditions(&mut count, query);
                Self::query(&count).fetch_one(&mut *connection).await?.try_get("total")?
            }
        };
        Ok(InboxPage {
            rows: rows.iter().map(read_inbox_row::<DB>).collect::<StorageResult<_>>()?,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    pub(super) async fn wording(
        connection: &mut DB::Connection,
        kind: &str,
        version: &str,
    ) -> StorageResult<Vec<Wording>> {
        let rows = sqlx::query(
            "SELECT kind, version, locale, text FROM wordings WHERE kind = $1 AND version = $2 ORDER BY locale",
        )
        .bind(kind.to_owned())
        .bind(version.to_owned())
        .fetch_all(&mut *connection)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Wording {
                    kind: row.try_get("kind")?,
                    version: row.try_get("version")?,
                    locale: row.try_get("locale")?,
                    text: row.try_get("text")?,
                })
            })
            .collect()
    }

    pub(super) async fn list_users(connection: &mut DB::Connection) -> StorageResult<Vec<StaffUser>> {
        let rows = sqlx::query("SELECT username, created_at FROM staff_users ORDER BY username")
            .fetch_all(&mut *connection)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StaffUser {
                    username: row.try_get("username")?,
                    created_at: Timestamp::from_micros(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    pub(super) async fn user_for_sign_in(
        connection: &mut DB::Connection,
        username: &str,
    ) -> StorageResult<Option<SignIn>> {
        let row = sqlx::query("SELECT id, password_hash FROM staff_users WHERE username = $1")
            .bind(username.to_owned())
            .fetch_optional(&mut *connection)
            .await?;
        row.map(|row| Ok(SignIn { user_id: row.try_get("id")?, password_hash: row.try_get("password_hash")? }))
            .transpose()
    }

    pub(super) async fn session(
        connection: &mut DB::Connection,
        token_hash: &TokenHash,
    ) -> StorageResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT s.user_id, u.username, s.csrf_token, s.created_at, s.last_seen_at
             FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
             WHERE s.token_hash = $1",
        )
        .bind(token_hash.as_bytes().to_vec())
        .fetch_optional(&mut *connection)
        .await?;
        row.map(|row| {
            Ok(SessionRecord {
                user_id: row.try_get("user_id")?,
                username: row.try_get("username")?,
                csrf_token: row.try_get("csrf_token")?,
                created_at: Timestamp::from_micros(row.try_get("created_at")?),
                last_seen_at: Timestamp::from_micros(row.try_get("last_seen_at")?),
            })
        })
        .transpose()
    }

    pub(super) async fn subject_access(
        connection: &mut DB::Connection,
        email: &str,
    ) -> StorageResult<Vec<(StoredPledge, Vec<PledgeEvent>)>> {
        let rows = sqlx::query(&format!("SELECT {ROW_COLUMNS} FROM pledges WHERE donor_email_lower = $1 ORDER BY id"))
            .bind(email.to_lowercase())
            .fetch_all(&mut *connection)
            .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let pledge = read_row::<DB>(&row)?.into_stored()?;
            let history = Self::history_of(connection, pledge.id).await?;
            found.push((pledge, history));
        }
        Ok(found)
    }

    pub(super) async fn pledges_received_between(
        connection: &mut DB::Connection,
        since: Timestamp,
        until: Timestamp,
    ) -> StorageResult<Vec<ReceivedPledge>> {
        let rows = sqlx::query(
            "SELECT reference, received_at, partner, sponsorship_option, frequency, currency, amount_minor, status
             FROM pledges WHERE received_at >= $1 AND received_at < $2 ORDER BY received_at, id",
        )
        .bind(since.as_micros())
        .bind(until.as_micros())
        .fetch_all(&mut *connection)
        .await?;
        rows.iter()
            .map(|row| {
                let reference: String = row.try_get("reference")?;
                let text = |column: &str| row.try_get::<String, _>(column);
                Ok(ReceivedPledge {
                    received_at: Timestamp::from_micros(row.try_get("received_at")?),
                    partner: row.try_get("partner")?,
                    option: named(
                        &reference,
                        &text("sponsorship_option")?,
                        &SponsorshipOption::ALL,
                        SponsorshipOption::as_str,
                    )?,
                    frequency: named(&reference, &text("frequency")?, &Frequency::ALL, Frequency::as_str)?,
                    amount: amount(&reference, row.try_get("amount_minor")?, &text("currency")?)?,
                    status: named(&reference, &text("status")?, &Status::ALL, Status::as_str)?,
                })
            })
            .collect()
    }

    pub(super) async fn converted_with_gift_aid(
        connection: &mut DB::Connection,
    ) -> StorageResult<Vec<ConvertedWithGiftAid>> {
        let rows = sqlx::query(
            "SELECT p.id, p.reference, p.received_at, p.status, p.review_reason, p.released_at, p.erased_at, p.pledge,
                 (SELECT e.at FROM pledge_events e
                  WHERE e.pledge_id = p.id AND e.kind = 'status_changed' AND e.to_status = 'converted'
                  ORDER BY e.id DESC LIMIT 1) AS converted_at
             FROM pledges p
             WHERE p.status = 'converted' AND p.has_gift_aid = TRUE AND p.erased_at IS NULL
             ORDER BY p.id",
        )
        .fetch_all(&mut *connection)
        .await?;
        rows.iter()
            .map(|row| {
                let pledge = read_row::<DB>(row)?.into_stored()?;
                let converted_at: Option<i64> = row.try_get("converted_at")?;
                let converted_at = converted_at.map(Timestamp::from_micros).ok_or_else(|| {
                    StorageError::new(format!(
                        "pledge {} is converted but its history has no conversion",
                        pledge.reference
                    ))
                })?;
                Ok(ConvertedWithGiftAid { pledge, converted_at })
            })
            .collect()
    }

    /// The statement with its values bound in order.
    fn query(statement: &Statement) -> Query<'_, DB, DB::Arguments<'_>> {
        statement.values.iter().fold(sqlx::query(&statement.sql), |query, value| match value {
            Value::Integer(value) => query.bind(*value),
            Value::Text(value) => query.bind(value.clone()),
        })
    }
}

/// The inbox's filters, shared by its count and its page.
fn inbox_conditions(statement: &mut Statement, query: &InboxQuery) {
    statement.push(" WHERE 1 = 1");
    statement.status_filter(query.status);
    if let Some(partner) = &query.partner {
        statement.push(" AND partner = ").value(partner.clone());
    }
    if let Some(option) = query.option {
        statement.push(" AND sponsorship_option = ").value(option.as_str().to_owned());
    }
    if let Some(currency) = query.currency {
        statement.push(" AND currency = ").value(currency.code().to_owned());
    }
    if let Some(since) = query.since {
        statement.push(" AND received_at >= ").value(since.as_micros());
    }
    if let Some(until) = query.until {
        statement.push(" AND received_at < ").value(until.as_micros());
    }
    if let Some(pattern) = query.text_pattern() {
        let escape = format!(" ESCAPE '{LIKE_ESCAPE}'");
        statement
            .push(" AND (donor_name_lower LIKE ")
            .value(pattern.clone())
            .push(&escape)
            .push(" OR donor_email_lower LIKE ")
            .value(pattern.clone())
            .push(&escape)
            .push(" OR lower(reference) LIKE ")
            .value(pattern)
            .push(&escape)
            .push(")");
    }
}

/// A fresh event id, or a storage error when the random source fails: the write then fails
/// as a whole, rather than storing a change without its event.
fn new_event_id() -> StorageResult<EventId> {
    EventId::generate().map_err(|error| StorageError::new(format!("no random event id: {error}")))
}

fn parse_pledge(reference: &str, json: &str) -> StorageResult<Pledge> {
    serde_json::from_str(json)
        .map_err(|error| StorageError::new(format!("stored pledge {reference} is unreadable: {error}")))
}

/// A count column, never negative in practice; a negative one reads as zero.
fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(if value < 0 { 0 } else { u32::MAX })
}

/// Amounts are at most millions of minor units; the column is a signed 64-bit integer.
fn amount_column(amount: Amount) -> i64 {
    i64::try_from(amount.minor_units).unwrap_or(i64::MAX)
}

fn amount(reference: &str, minor_units: i64, currency: &str) -> StorageResult<Amount> {
    let currency = named(reference, currency, &Currency::ALL, Currency::code)?;
    let minor_units = u64::try_from(minor_units)
        .map_err(|_| StorageError::new(format!("stored pledge {reference} has a negative amount")))?;
    Ok(Amount::new(minor_units, currency))
}

/// The value of a closed set (`all`) that a column names.
fn named<T: Copy>(reference: &str, text: &str, all: &[T], name: fn(T) -> &'static str) -> StorageResult<T> {
    all.iter()
        .copied()
        .find(|value| name(*value) == text)
        .ok_or_else(|| StorageError::new(format!("stored pledge {reference} has an unknown value {text:?}")))
}

fn read_event<DB>(row: &DB::Row) -> StorageResult<EventRow>
where
    DB: Database,
    for<'q> i64: Decode<'q, DB> + Type<DB>,
    for<'q> String: Decode<'q, DB> + Type<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    Ok(EventRow {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        kind: row.try_get("kind")?,
        from_status: row.try_get("from_status")?,
        to_status: row.try_get("to_status")?,
        note: row.try_get("note")?,
    })
}

fn read_inbox_row<DB>(row: &DB::Row) -> StorageResult<InboxRow>
where
    DB: Database,
    for<'q> i64: Decode<'q, DB> + Type<DB>,
    for<'q> String: Decode<'q, DB> + Type<DB>,
    for<'q> bool: Decode<'q, DB> + Type<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    let reference: String = row.try_get("reference")?;
    let text = |column: &str| row.try_get::<String, _>(column);
    let erased_at: Option<i64> = row.try_get("erased_at")?;
    Ok(InboxRow {
        id: row.try_get("id")?,
        received_at: Timestamp::from_micros(row.try_get("received_at")?),
        status: named(&reference, &text("status")?, &Status::ALL, Status::as_str)?,
        partner: text("partner")?,
        option: named(&reference, &text("sponsorship_option")?, &SponsorshipOption::ALL, SponsorshipOption::as_str)?,
        frequency: named(&reference, &text("frequency")?, &Frequency::ALL, Frequency::as_str)?,
        amount: amount(&reference, row.try_get("amount_minor")?, &text("currency")?)?,
        given_name: text("donor_given_name")?,
        family_name: text("donor_family_name")?,
        email: text("donor_email")?,
        has_gift_aid: row.try_get("has_gift_aid")?,
        erased_at: erased_at.map(Timestamp::from_micros),
        reference,
    })
}

/// A statement grown piece by piece, its `$n` placeholders numbered as values are added.
///
/// sqlx's `QueryBuilder` does the same for one known backend, but in code generic over the
/// database its SQLite arguments would have to stay borrowed for the builder's whole life.
struct Statement {
    sql: String,
    values: Vec<Value>,
}

enum Value {
    Integer(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Integer(value)
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl Statement {
    fn new(sql: &str) -> Statement {
        Statement { sql: sql.to_owned(), values: Vec::new() }
    }

    fn push(&mut self, sql: &str) -> &mut Statement {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    fn value(&mut self, value: impl Into<Value>) -> &mut Statement {
        self.values.push(value.into());
        let _ = write!(self.sql, "${}", self.values.len());
        self
    }

    fn status_filter(&mut self, status: StatusFilter) -> &mut Statement {
        match status {
            StatusFilter::AllButReview => self.push(" AND status <> 'review'"),
            StatusFilter::Only(status) => self.push(" AND status = ").value(status.as_str().to_owned()),
            StatusFilter::Everything => self,
        }
    }
}

fn read_row<DB>(row: &DB::Row) -> StorageResult<Row>
where
    DB: Database,
    for<'q> i64: Decode<'q, DB> + Type<DB>,
    for<'q> String: Decode<'q, DB> + Type<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    Ok(Row {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        received_at: row.try_get("received_at")?,
        status: row.try_get("status")?,
        review_reason: row.try_get("review_reason")?,
        released_at: row.try_get("released_at")?,
        erased_at: row.try_get("erased_at")?,
        pledge: row.try_get("pledge")?,
    })
}
