//! SQLite in one file: write-ahead log, `synchronous=FULL`, one writer connection.
//!
//! In WAL mode `synchronous=FULL` syncs the log at every commit, so an acknowledged pledge
//! survives a power cut, not only a crash. Readers use their own read-only connections and
//! never wait for the writer.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, Transaction};

use super::migrations::{self, Migration};
use super::{
    page_from_rows, parse_stored_pledge, Backend, BoxFuture, ListFilter, NewPledge, PledgePage, Receipt,
    Recorded, SpamAttempt, StorageError, StorageResult, Write, Written,
};
use crate::reference;
use crate::timestamp::Timestamp;

const READERS: u32 = 4;

pub(super) struct SqliteBackend {
    writer: SqlitePool,
    readers: SqlitePool,
}

impl SqliteBackend {
    pub(super) async fn open(options: SqliteConnectOptions) -> StorageResult<SqliteBackend> {
        let file = options.get_filename().to_owned();
        if let Some(folder) = file.parent().filter(|folder| !folder.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .map_err(|error| StorageError::new(format!("cannot create {}: {error}", folder.display())))?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        migrate(&writer).await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteBackend { writer, readers })
    }
}

async fn migrate(pool: &SqlitePool) -> StorageResult<()> {
    let mut transaction = pool.begin().await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .execute(&mut *transaction)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *transaction)
        .await?;
    for Migration { version, name, sql } in migrations::pending(migrations::SQLITE, &applied)? {
        sqlx::raw_sql(sql).execute(&mut *transaction).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(version)
            .bind(name)
            .bind(Timestamp::now().as_micros())
            .execute(&mut *transaction)
            .await?;
        tracing::info!(version, name, "applied SQLite migration");
    }
    transaction.commit().await?;
    Ok(())
}

async fn record(transaction: &mut Transaction<'_, Sqlite>, pledge: &NewPledge) -> StorageResult<Recorded> {
    loop {
        let reference = reference::generate();
        let inserted = sqlx::query(
            "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&reference)
        .bind(&pledge.partner)
        .bind(&pledge.idempotency_key)
        .bind(&pledge.body_hash[..])
        .bind(pledge.received_at.as_micros())
        .bind(&pledge.pledge_json)
        .execute(&mut **transaction)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Recorded::Created(Receipt { reference, received_at: pledge.received_at }));
        }
        let existing = sqlx::query(
            "SELECT reference, received_at, body_hash FROM pledges WHERE partner = ? AND idempotency_key = ?",
        )
        .bind(&pledge.partner)
        .bind(&pledge.idempotency_key)
        .fetch_optional(&mut **transaction)
        .await?;
        if let Some(row) = existing {
            let receipt = Receipt {
                reference: row.try_get("reference")?,
                received_at: Timestamp::from_micros(row.try_get("received_at")?),
            };
            let body_hash: Vec<u8> = row.try_get("body_hash")?;
            return Ok(if body_hash == pledge.body_hash { Recorded::Replayed(receipt) } else { Recorded::KeyReused });
        }
        // Otherwise the random reference collided with an older one: draw again.
    }
}

async fn count_spam(transaction: &mut Transaction<'_, Sqlite>, attempt: &SpamAttempt) -> StorageResult<()> {
    sqlx::query("INSERT INTO spam_attempts (partner, reason, received_at) VALUES (?, ?, ?)")
        .bind(&attempt.partner)
        .bind(attempt.reason.as_str())
        .bind(attempt.received_at.as_micros())
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

impl Backend for SqliteBackend {
    fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>> {
        Box::pin(async move {
            let mut transaction = self.writer.begin().await?;
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in &writes {
                outcomes.push(match write {
                    Write::Pledge(pledge) => Written::Pledge(record(&mut transaction, pledge).await?),
                    Write::Spam(attempt) => {
                        count_spam(&mut transaction, attempt).await?;
                        Written::SpamCounted
                    }
                });
            }
            transaction.commit().await?;
            Ok(outcomes)
        })
    }

    fn list(&self, filter: ListFilter) -> BoxFuture<'_, StorageResult<PledgePage>> {
        Box::pin(async move {
            let since = filter.since.map(Timestamp::as_micros);
            let until = filter.until.map(Timestamp::as_micros);
            let rows = sqlx::query(
                "SELECT id, reference, received_at, pledge FROM pledges
                 WHERE (? IS NULL OR partner = ?)
                   AND (? IS NULL OR received_at >= ?)
                   AND (? IS NULL OR received_at < ?)
                   AND id > ?
                 ORDER BY id LIMIT ?",
            )
            .bind(&filter.partner)
            .bind(&filter.partner)
            .bind(since)
            .bind(since)
            .bind(until)
            .bind(until)
            .bind(filter.after_id.unwrap_or(0))
            .bind(i64::from(filter.limit) + 1)
            .fetch_all(&self.readers)
            .await?;
            let pledges = rows
                .iter()
                .map(|row| {
                    parse_stored_pledge(
                        row.try_get("id")?,
                        row.try_get("reference")?,
                        row.try_get("received_at")?,
                        row.try_get("pledge")?,
                    )
                })
                .collect::<StorageResult<Vec<_>>>()?;
            Ok(page_from_rows(pledges, filter.limit))
        })
    }

    fn spam_attempts(&self) -> BoxFuture<'_, StorageResult<u64>> {
        Box::pin(async move {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spam_attempts").fetch_one(&self.readers).await?;
            Ok(count.max(0) as u64)
        })
    }

    fn ping(&self) -> BoxFuture<'_, StorageResult<()>> {
        Box::pin(async move {
            sqlx::query("SELECT 1").execute(&self.readers).await?;
            Ok(())
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Readers first: the last connection to close checkpoints the log, and only the
            // writer may.
            self.readers.close().await;
            self.writer.close().await;
        })
    }
}
