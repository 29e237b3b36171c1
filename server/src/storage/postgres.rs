//! PostgreSQL, selected by a `postgres://` database URL.
//!
//! The same single writer and group commit apply, so idempotency behaves exactly as on SQLite.
//! Several receivers may share one database: the insert relies on the unique constraints, not
//! on being alone, and migrations take an advisory lock. When two receivers' batches collide
//! (a deadlock or a serialization failure), the batch is run again rather than failed, and
//! batches take their locks in one order so that such collisions stay rare.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Postgres;

use super::sql::Shared;
use super::{migrations, Backend, BoxFuture, Endpoints, Erasure, StorageResult, Write, Written, PROBE_BYTES};

/// An arbitrary constant naming this receiver's migration lock among the database's advisory locks.
const MIGRATION_LOCK: i64 = 0x5341_4e41_4e4b;

pub(super) struct PostgresBackend {
    pool: PgPool,
    endpoints: Endpoints,
}

impl PostgresBackend {
    pub(super) async fn open(options: PgConnectOptions, endpoints: Endpoints) -> StorageResult<PostgresBackend> {
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        migrate(&pool).await?;
        Ok(PostgresBackend { pool, endpoints })
    }
}

async fn migrate(pool: &PgPool) -> StorageResult<()> {
    let mut transaction = pool.begin().await?;
    // Held until the commit, so that a receiver starting meanwhile waits, then finds every
    // step applied.
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *transaction).await?;
    Shared::<Postgres>::migrate(&mut transaction, &migrations::POSTGRES).await?;
    transaction.commit().await?;
    Ok(())
}

/// The order in which a batch takes its locks: pledges by partner and key, then the writes
/// to one pledge by reference, then the rest as they came. Two receivers whose batches share
/// keys then lock them in the same order, which is what keeps them from deadlocking; the
/// answers keep the order the writes came in.
fn lock_order(writes: &[Write]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..writes.len()).collect();
    order.sort_by_key(|&index| lock_key(&writes[index]));
    order
}

fn lock_key(write: &Write) -> (u8, &str, &str) {
    match write {
        Write::Pledge(pledge) => (0, &pledge.partner, &pledge.idempotency_key),
        Write::Release { reference, .. }
        | Write::ChangeStatus { reference, .. }
        | Write::Erase { erasure: Erasure::ByReference(reference), .. } => (1, reference, ""),
        _ => (2, "", ""),
    }
}

/// How often a batch is tried when it keeps colliding with other receivers' batches.
const ATTEMPTS: u32 = 8;

impl PostgresBackend {
    pub(super) fn readers(&self) -> PgPool {
        self.pool.clone()
    }

    async fn try_batch(&self, writes: &[Write], order: &[usize]) -> StorageResult<Vec<Written>> {
        let mut transaction = self.pool.begin().await?;
        let mut outcomes: Vec<Option<Written>> = (0..writes.len()).map(|_| None).collect();
        for &index in order {
            outcomes[index] = Some(Shared::<Postgres>::apply(&mut transaction, &writes[index], &self.endpoints).await?);
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
            loop {
                match self.try_batch(&writes, &order).await {
                    Ok(outcomes) => return Ok(outcomes),
                    Err(error) if attempt < ATTEMPTS && error.is_collision() => {
                        tracing::warn!(%error, attempt, writes = writes.len(), "batch collided with another transaction; running it again");
                        // A short, growing, random pause, so that the two sides do not collide
                        // again in lockstep.
                        let mut jitter = [0u8; 1];
                        let _ = getrandom::fill(&mut jitter);
                        tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 10 + u64::from(jitter[0] % 20)))
                            .await;
                        attempt += 1;
                    }
                    Err(error) => return Err(error),
                }
            }
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

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.pool.close().await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pledge::{Amount, Currency, Frequency, SponsorshipOption};

    use crate::storage::{NewPledge, SearchColumns, Status};
    use crate::timestamp::Timestamp;

    fn pledge(partner: &str, key: &str) -> Write {
        Write::Pledge(NewPledge {
            partner: partner.into(),
            idempotency_key: key.into(),
            body_hash: [0; 32],
            received_at: Timestamp::now(),
            pledge_json: String::new(),
            review: None,
            columns: SearchColumns {
                option: SponsorshipOption::Child,
                frequency: Frequency::Monthly,
                amount: Amount::new(2500, Currency::GBP),
                given_name: String::new(),
                family_name: String::new(),
                email: String::new(),
                has_gift_aid: false,
            },
        })
    }

    #[test]
    fn batches_lock_in_one_order_whatever_order_they_came_in() {
        let writes = vec![
            Write::Release { reference: "SK-0000-0001".into(), at: Timestamp::now(), actor: "ana".into() },
            pledge("b", "1"),
            pledge("a", "2"),
            pledge("a", "1"),
            pledge("a", "1"),
        ];
        assert_eq!(lock_order(&writes), [3, 4, 2, 1, 0], "stable for equal keys, releases last");
    }

    #[test]
    fn writes_to_one_pledge_lock_by_reference_after_pledges_and_the_rest_keep_their_order() {
        let at = Timestamp::now();
        let writes = vec![
            Write::DeleteSessionsIdleSince { cutoff: at },
            Write::ChangeStatus {
                reference: "SK-0000-0002".into(),
                to: Status::Contacted,
                note: None,
                actor: "ana".into(),
                at,
            },
            Write::Erase { erasure: Erasure::ByEmail("a@example.org".into()), actor: "ana".into(), at },
            Write::Erase { erasure: Erasure::ByReference("SK-0000-0001".into()), actor: "ana".into(), at },
            pledge("a", "1"),
        ];
        assert_eq!(lock_order(&writes), [4, 3, 1, 0, 2]);
    }
}
