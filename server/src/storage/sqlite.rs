//! SQLite in one file: write-ahead log, `synchronous=FULL`, one writer connection.
//!
//! In WAL mode `synchronous=FULL` syncs the log at every commit, so an acknowledged pledge
//! survives a power cut, not only a crash. Readers use their own read-only connections and
//! never wait for the writer.

use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite};

use super::sql::Shared;
use super::{migrations, Backend, BoxFuture, Endpoints, StorageError, StorageResult, Write, Written, PROBE_BYTES};

const READERS: u32 = 4;
/// How long a start keeps trying while other receivers prepare the same file.
const START_RACE_LIMIT: Duration = Duration::from_secs(30);

pub(super) struct SqliteBackend {
    writer: SqlitePool,
    readers: SqlitePool,
    endpoints: Endpoints,
}

impl SqliteBackend {
    pub(super) async fn open(options: SqliteConnectOptions, endpoints: Endpoints) -> StorageResult<SqliteBackend> {
        // Receivers starting together on a new file race to switch it to write-ahead logging
        // and to migrate it. SQLite answers some of those races with "database is locked" at
        // once, without waiting out the busy timeout, so a start that loses one tries again.
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            match SqliteBackend::open_once(options.clone(), endpoints.clone()).await {
                Err(error)
                    if error.to_string().contains("database is locked") && started.elapsed() < START_RACE_LIMIT =>
                {
                    attempt += 1;
                    tracing::debug!(attempt, "another receiver is preparing the SQLite file; trying again");
                    tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt.min(20)))).await;
                }
                outcome => return outcome,
            }
        }
    }

    async fn open_once(options: SqliteConnectOptions, endpoints: Endpoints) -> StorageResult<SqliteBackend> {
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
        let readers = SqlitePoolOptions::new().max_connections(READERS).connect_with(options.read_only(true)).await?;
        Ok(SqliteBackend { writer, readers, endpoints })
    }
}

async fn migrate(pool: &SqlitePool) -> StorageResult<()> {
    // IMMEDIATE: a second receiver starting on the same file waits (busy timeout) until the
    // first has committed every step, then finds nothing left to do.
    let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
    Shared::<Sqlite>::migrate(&mut transaction, &migrations::SQLITE).await?;
    transaction.commit().await?;
    Ok(())
}

async fn apply(
    connection: &mut SqliteConnection,
    writes: &[Write],
    endpoints: &Endpoints,
) -> StorageResult<Vec<Written>> {
    // IMMEDIATE takes the write lock at once, so that a transaction never has to upgrade from
    // reading to writing halfway through.
    let mut transaction = connection.begin_with("BEGIN IMMEDIATE").await?;
    let mut outcomes = Vec::with_capacity(writes.len());
    for write in writes {
        outcomes.push(Shared::<Sqlite>::apply(&mut transaction, write, endpoints).await?);
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
    pub(super) fn readers(&self) -> SqlitePool {
        self.readers.clone()
    }

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
        Box::pin(async move {
            let endpoints = self.endpoints.clone();
            self.on_writer(move |connection| Box::pin(async move { apply(connection, &writes, &endpoints).await }))
                .await
        })
    }

    fn probe(&self) -> BoxFuture<'_, StorageResult<()>> {
        Box::pin(async move { self.on_writer(|connection| Box::pin(probe(connection))).await })
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
        let backend = SqliteBackend::open(options, Endpoints::default()).await.unwrap();
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
