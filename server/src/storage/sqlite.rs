//! SQLite in one file: write-ahead log, `synchronous=FULL`, one writer connection.
//!
//! In WAL mode `synchronous=FULL` syncs the log at every commit, so an acknowledged pledge
//! survives a power cut, not only a crash. Readers use their own read-only connections and
//! never wait for the writer.

use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Connection, Row as _, Sqlite, Transaction};

use super::migrations::{self, Migration};
use super::{
    page_from_rows, parse_review, Backend, BoxFuture, ListFilter, NewPledge, PledgePage, Receipt, Recorded,
    Released, Row, StorageError, StorageResult, Write, Written, PROBE_BYTES, ROW_COLUMNS,
};
use crate::intake::reference;
use crate::intake::spam::SpamReason;
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
    // IMMEDIATE: a second receiver starting on the same file waits (busy timeout) instead of
    // failing halfway through.
    let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
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
            "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge, status, review_reason)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&reference)
        .bind(&pledge.partner)
        .bind(&pledge.idempotency_key)
        .bind(&pledge.body_hash[..])
        .bind(pledge.received_at.as_micros())
        .bind(&pledge.pledge_json)
        .bind(pledge.status().as_str())
        .bind(pledge.review.map(SpamReason::as_str))
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

async fn release(transaction: &mut Transaction<'_, Sqlite>, reference: &str, at: Timestamp) -> StorageResult<Option<Released>> {
    sqlx::query("UPDATE pledges SET status = 'new', released_at = ? WHERE reference = ? AND status = 'review'")
        .bind(at.as_micros())
        .bind(reference)
        .execute(&mut **transaction)
        .await?;
    let row = sqlx::query("SELECT reference, status, review_reason, released_at FROM pledges WHERE reference = ?")
        .bind(reference)
        .fetch_optional(&mut **transaction)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let reference: String = row.try_get("reference")?;
    let status: String = row.try_get("status")?;
    let reason: Option<String> = row.try_get("review_reason")?;
    let (status, review_reason) = parse_review(&reference, &status, reason.as_deref())?;
    let released_at: Option<i64> = row.try_get("released_at")?;
    Ok(Some(Released { reference, status, review_reason, released_at: released_at.map(Timestamp::from_micros) }))
}

fn read_row(row: &SqliteRow) -> Result<Row, sqlx::Error> {
    Ok(Row {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        received_at: row.try_get("received_at")?,
        status: row.try_get("status")?,
        review_reason: row.try_get("review_reason")?,
        released_at: row.try_get("released_at")?,
        pledge: row.try_get("pledge")?,
    })
}

async fn apply(connection: &mut SqliteConnection, writes: &[Write]) -> StorageResult<Vec<Written>> {
    // IMMEDIATE takes the write lock at once, so that a transaction never has to upgrade from
    // reading to writing halfway through.
    let mut transaction = connection.begin_with("BEGIN IMMEDIATE").await?;
    let mut outcomes = Vec::with_capacity(writes.len());
    for write in writes {
        outcomes.push(match write {
            Write::Pledge(pledge) => Written::Pledge(record(&mut transaction, pledge).await?),
            Write::Release { reference, at } => Written::Released(release(&mut transaction, reference, *at).await?),
        });
    }
    transaction.commit().await?;
    Ok(outcomes)
}

async fn probe(connection: &mut SqliteConnection) -> StorageResult<()> {
    let mut transaction = connection.begin_with("BEGIN IMMEDIATE").await?;
    // zeroblob allocates real pages, as a pledge would, so a database that cannot grow fails
    // here with SQLITE_FULL.
    sqlx::query("INSERT INTO write_probes (payload) VALUES (zeroblob(?))")
        .bind(PROBE_BYTES as i64)
        .execute(&mut *transaction)
        .await?;
    sqlx::query("DELETE FROM write_probes").execute(&mut *transaction).await?;
    transaction.commit().await?;
    Ok(())
}

impl SqliteBackend {
    /// Runs `work` on the writer connection. After a failure the connection is replaced: on a
    /// full disk or an I/O error SQLite rolls the transaction back by itself, and sqlx, which
    /// still counts it as open, would refuse every later transaction on that connection.
    async fn on_writer<T>(
        &self,
        work: impl for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StorageResult<T>>,
    ) -> StorageResult<T> {
        let mut connection = self.writer.acquire().await?;
        let outcome = work(&mut connection).await;
        if outcome.is_err() {
            if let Err(error) = connection.close().await {
                tracing::warn!(%error, "closing the failed writer connection");
            }
        }
        outcome
    }
}

impl Backend for SqliteBackend {
    fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>> {
        Box::pin(async move { self.on_writer(move |connection| Box::pin(async move { apply(connection, &writes).await })).await })
    }

    fn probe(&self) -> BoxFuture<'_, StorageResult<()>> {
        Box::pin(async move { self.on_writer(|connection| Box::pin(probe(connection))).await })
    }

    fn list(&self, filter: ListFilter) -> BoxFuture<'_, StorageResult<PledgePage>> {
        Box::pin(async move {
            let since = filter.since.map(Timestamp::as_micros);
            let until = filter.until.map(Timestamp::as_micros);
            let status = filter.status.only();
            let rows = sqlx::query(&format!(
                "SELECT {ROW_COLUMNS} FROM pledges
                 WHERE (? IS NULL OR partner = ?)
                   AND (? IS NULL OR received_at >= ?)
                   AND (? IS NULL OR received_at < ?)
                   AND ((? IS NULL AND status <> 'review') OR status = ?)
                   AND id > ?
                 ORDER BY id LIMIT ?"
            ))
            .bind(&filter.partner)
            .bind(&filter.partner)
            .bind(since)
            .bind(since)
            .bind(until)
            .bind(until)
            .bind(status)
            .bind(status)
            .bind(filter.after_id.unwrap_or(0))
            .bind(i64::from(filter.limit) + 1)
            .fetch_all(&self.readers)
            .await?;
            let pledges = rows
                .iter()
                .map(|row| read_row(row).map_err(StorageError::from).and_then(Row::into_stored))
                .collect::<StorageResult<Vec<_>>>()?;
            Ok(page_from_rows(pledges, filter.limit))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_writer_is_in_wal_mode_with_full_sync() {
        let folder = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new().filename(folder.path().join("pledges.db"));
        let backend = SqliteBackend::open(options).await.unwrap();
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&backend.writer).await.unwrap();
        assert_eq!(journal_mode, "wal");
        // 2 is FULL: every commit syncs the log (0 OFF, 1 NORMAL, 3 EXTRA).
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&backend.writer).await.unwrap();
        assert_eq!(synchronous, 2);
        let writers = backend.writer.options().get_max_connections();
        assert_eq!(writers, 1, "one writer connection");
        backend.close().await;
    }
}
