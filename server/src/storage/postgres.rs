//! PostgreSQL, selected by a `postgres://` database URL.
//!
//! The same single writer and group commit apply, so idempotency behaves exactly as on SQLite.
//! Several receivers may share one database: the insert relies on the unique constraints, not
//! on being alone, and migrations take an advisory lock. When two receivers' batches collide
//! (a deadlock or a serialization failure), the batch is run again rather than failed, and
//! batches take their locks in one order so that such collisions stay rare.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row as _, Transaction};

use super::migrations::{self, Migration};
use super::{
    page_from_rows, parse_review, Backend, BoxFuture, ListFilter, NewPledge, PledgePage, Receipt, Recorded,
    Released, Row, StorageError, StorageResult, Write, Written, PROBE_BYTES, ROW_COLUMNS,
};
use crate::intake::reference;
use crate::intake::spam::SpamReason;
use crate::timestamp::Timestamp;

/// An arbitrary constant naming this receiver's migration lock among the database's advisory locks.
const MIGRATION_LOCK: i64 = 0x5341_4e41_4e4b;

pub(super) struct PostgresBackend {
    pool: PgPool,
}

impl PostgresBackend {
    pub(super) async fn open(options: PgConnectOptions) -> StorageResult<PostgresBackend> {
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        migrate(&pool).await?;
        Ok(PostgresBackend { pool })
    }
}

async fn migrate(pool: &PgPool) -> StorageResult<()> {
    let mut transaction = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *transaction).await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *transaction)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *transaction)
        .await?;
    for Migration { version, name, sql } in migrations::pending(migrations::POSTGRES, &applied)? {
        sqlx::raw_sql(sql).execute(&mut *transaction).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(version)
            .bind(name)
            .bind(Timestamp::now().as_micros())
            .execute(&mut *transaction)
            .await?;
        tracing::info!(version, name, "applied PostgreSQL migration");
    }
    transaction.commit().await?;
    Ok(())
}

async fn record(transaction: &mut Transaction<'_, Postgres>, pledge: &NewPledge) -> Result<Recorded, sqlx::Error> {
    loop {
        let reference = reference::generate();
        // ON CONFLICT DO NOTHING covers both unique constraints without aborting the
        // transaction, which a failed insert would do in PostgreSQL. When another receiver's
        // uncommitted transaction holds the same key, it waits for that one to finish.
        let inserted = sqlx::query(
            "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge, status, review_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
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
            "SELECT reference, received_at, body_hash FROM pledges WHERE partner = $1 AND idempotency_key = $2",
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

/// The columns of a release's answer, read as they are stored.
type ReleasedRow = (String, String, Option<String>, Option<i64>);

async fn release(transaction: &mut Transaction<'_, Postgres>, reference: &str, at: Timestamp) -> Result<Option<ReleasedRow>, sqlx::Error> {
    sqlx::query("UPDATE pledges SET status = 'new', released_at = $1 WHERE reference = $2 AND status = 'review'")
        .bind(at.as_micros())
        .bind(reference)
        .execute(&mut **transaction)
        .await?;
    sqlx::query_as("SELECT reference, status, review_reason, released_at FROM pledges WHERE reference = $1")
        .bind(reference)
        .fetch_optional(&mut **transaction)
        .await
}

fn released(row: Option<ReleasedRow>) -> StorageResult<Option<Released>> {
    let Some((reference, status, reason, released_at)) = row else { return Ok(None) };
    let (status, review_reason) = parse_review(&reference, &status, reason.as_deref())?;
    Ok(Some(Released { reference, status, review_reason, released_at: released_at.map(Timestamp::from_micros) }))
}

/// What one attempt at a batch produced, before the rows are interpreted.
enum Outcome {
    Pledge(Recorded),
    Released(Option<ReleasedRow>),
}

/// The order in which a batch takes its locks: pledges by partner and key, then releases by
/// reference. Two receivers whose batches share keys then lock them in the same order, which
/// is what keeps them from deadlocking; the answers keep the order the writes came in.
fn lock_order(writes: &[Write]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..writes.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |write: &Write| match write {
            Write::Pledge(pledge) => (0, pledge.partner.clone(), pledge.idempotency_key.clone()),
            Write::Release { reference, .. } => (1, reference.clone(), String::new()),
        };
        key(&writes[a]).cmp(&key(&writes[b]))
    });
    order
}

/// Deadlocks (40P01) and serialization failures (40001) are PostgreSQL's way of saying "two
/// transactions collided, run yours again"; nothing of the batch was committed.
fn is_collision(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

/// How often a batch is tried when it keeps colliding with other receivers' batches.
const ATTEMPTS: u32 = 8;

impl PostgresBackend {
    async fn try_batch(&self, writes: &[Write], order: &[usize]) -> Result<Vec<Outcome>, sqlx::Error> {
        let mut transaction = self.pool.begin().await?;
        let mut outcomes: Vec<Option<Outcome>> = (0..writes.len()).map(|_| None).collect();
        for &index in order {
            outcomes[index] = Some(match &writes[index] {
                Write::Pledge(pledge) => Outcome::Pledge(record(&mut transaction, pledge).await?),
                Write::Release { reference, at } => Outcome::Released(release(&mut transaction, reference, *at).await?),
            });
        }
        transaction.commit().await?;
        Ok(outcomes.into_iter().flatten().collect())
    }
}

impl Backend for PostgresBackend {
    fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>> {
        Box::pin(async move {
            let order = lock_order(&writes);
            let mut attempt = 1;
            let outcomes = loop {
                match self.try_batch(&writes, &order).await {
                    Ok(outcomes) => break outcomes,
                    Err(error) if attempt < ATTEMPTS && is_collision(&error) => {
                        tracing::warn!(%error, attempt, writes = writes.len(), "batch collided with another transaction; running it again");
                        // A short, growing, random pause, so that the two sides do not collide
                        // again in lockstep.
                        let mut jitter = [0u8; 1];
                        let _ = getrandom::fill(&mut jitter);
                        tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 10 + u64::from(jitter[0] % 20))).await;
                        attempt += 1;
                    }
                    Err(error) => return Err(error.into()),
                }
            };
            outcomes
                .into_iter()
                .map(|outcome| match outcome {
                    Outcome::Pledge(recorded) => Ok(Written::Pledge(recorded)),
                    Outcome::Released(row) => released(row).map(Written::Released),
                })
                .collect()
        })
    }

    fn probe(&self) -> BoxFuture<'_, StorageResult<()>> {
        Box::pin(async move {
            let mut transaction = self.pool.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO write_probes (payload) VALUES ($1) RETURNING id")
                .bind(vec![0u8; PROBE_BYTES])
                .fetch_one(&mut *transaction)
                .await?;
            sqlx::query("DELETE FROM write_probes WHERE id = $1").bind(id).execute(&mut *transaction).await?;
            transaction.commit().await?;
            Ok(())
        })
    }

    fn list(&self, filter: ListFilter) -> BoxFuture<'_, StorageResult<PledgePage>> {
        Box::pin(async move {
            let rows = sqlx::query(&format!(
                "SELECT {ROW_COLUMNS} FROM pledges
                 WHERE ($1::TEXT IS NULL OR partner = $1)
                   AND ($2::BIGINT IS NULL OR received_at >= $2)
                   AND ($3::BIGINT IS NULL OR received_at < $3)
                   AND (($4::TEXT IS NULL AND status <> 'review') OR status = $4)
                   AND id > $5
                 ORDER BY id LIMIT $6"
            ))
            .bind(&filter.partner)
            .bind(filter.since.map(Timestamp::as_micros))
            .bind(filter.until.map(Timestamp::as_micros))
            .bind(filter.status.only())
            .bind(filter.after_id.unwrap_or(0))
            .bind(i64::from(filter.limit) + 1)
            .fetch_all(&self.pool)
            .await?;
            let pledges = rows
                .iter()
                .map(|row| read_row(row).map_err(StorageError::from).and_then(Row::into_stored))
                .collect::<StorageResult<Vec<_>>>()?;
            Ok(page_from_rows(pledges, filter.limit))
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.pool.close().await })
    }
}

fn read_row(row: &PgRow) -> Result<Row, sqlx::Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pledge(partner: &str, key: &str) -> Write {
        Write::Pledge(NewPledge {
            partner: partner.into(),
            idempotency_key: key.into(),
            body_hash: [0; 32],
            received_at: Timestamp::now(),
            pledge_json: String::new(),
            review: None,
        })
    }

    #[test]
    fn batches_lock_in_one_order_whatever_order_they_came_in() {
        let writes = vec![
            Write::Release { reference: "SK-0000-0001".into(), at: Timestamp::now() },
            pledge("b", "1"),
            pledge("a", "2"),
            pledge("a", "1"),
            pledge("a", "1"),
        ];
        assert_eq!(lock_order(&writes), [3, 4, 2, 1, 0], "stable for equal keys, releases last");
    }
}
