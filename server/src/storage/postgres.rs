//! PostgreSQL, selected by a `postgres://` database URL.
//!
//! The same single writer and group commit apply, so idempotency behaves exactly as on SQLite.
//! Several receivers may share one database: the insert relies on the unique constraints, not
//! on being alone, and migrations take an advisory lock.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row, Transaction};

use super::migrations::{self, Migration};
use super::{
    page_from_rows, parse_stored_pledge, Backend, BoxFuture, ListFilter, NewPledge, PledgePage, Receipt,
    Recorded, SpamAttempt, StorageResult, Write, Written,
};
use crate::reference;
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

async fn record(transaction: &mut Transaction<'_, Postgres>, pledge: &NewPledge) -> StorageResult<Recorded> {
    loop {
        let reference = reference::generate();
        // ON CONFLICT DO NOTHING covers both unique constraints without aborting the
        // transaction, which a failed insert would do in PostgreSQL.
        let inserted = sqlx::query(
            "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
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

async fn count_spam(transaction: &mut Transaction<'_, Postgres>, attempt: &SpamAttempt) -> StorageResult<()> {
    sqlx::query("INSERT INTO spam_attempts (partner, reason, received_at) VALUES ($1, $2, $3)")
        .bind(&attempt.partner)
        .bind(attempt.reason.as_str())
        .bind(attempt.received_at.as_micros())
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

impl Backend for PostgresBackend {
    fn write_batch(&self, writes: Vec<Write>) -> BoxFuture<'_, StorageResult<Vec<Written>>> {
        Box::pin(async move {
            let mut transaction = self.pool.begin().await?;
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
            let rows = sqlx::query(
                "SELECT id, reference, received_at, pledge FROM pledges
                 WHERE ($1::TEXT IS NULL OR partner = $1)
                   AND ($2::BIGINT IS NULL OR received_at >= $2)
                   AND ($3::BIGINT IS NULL OR received_at < $3)
                   AND id > $4
                 ORDER BY id LIMIT $5",
            )
            .bind(&filter.partner)
            .bind(filter.since.map(Timestamp::as_micros))
            .bind(filter.until.map(Timestamp::as_micros))
            .bind(filter.after_id.unwrap_or(0))
            .bind(i64::from(filter.limit) + 1)
            .fetch_all(&self.pool)
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
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spam_attempts").fetch_one(&self.pool).await?;
            Ok(count.max(0) as u64)
        })
    }

    fn ping(&self) -> BoxFuture<'_, StorageResult<()>> {
        Box::pin(async move {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.pool.close().await })
    }
}
