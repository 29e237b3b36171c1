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

use super::migrations;
use super::{
    page_from_rows, parse_review, ListFilter, NewPledge, PledgePage, Receipt, Recorded, Released, Row, StatusFilter,
    StorageResult, Write, Written,
};
use crate::reference;
use crate::spam::SpamReason;
use crate::timestamp::Timestamp;

/// What shared SQL needs to know about a backend that sqlx's traits do not say.
pub(super) trait Dialect: Database {
    fn rows_affected(result: &Self::QueryResult) -> u64;
    /// A query answering one row with one boolean, `present`: whether a table named `$1`
    /// exists in the schema the connection uses.
    const TABLE_EXISTS: &'static str;
}

impl Dialect for sqlx::Sqlite {
    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
    const TABLE_EXISTS: &'static str =
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1) AS present";
}

impl Dialect for sqlx::Postgres {
    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
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
        migrator.run_direct(connection).await.map_err(|error| migrations::explain(error, migrator))
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

    /// Applies one write inside the caller's transaction.
    pub(super) async fn apply(connection: &mut DB::Connection, write: &Write) -> StorageResult<Written> {
        Ok(match write {
            Write::Pledge(pledge) => Written::Pledge(Self::record(connection, pledge).await?),
            Write::Release { reference, at } => Written::Released(Self::release(connection, reference, *at).await?),
        })
    }

    async fn record(connection: &mut DB::Connection, pledge: &NewPledge) -> StorageResult<Recorded> {
        loop {
            let reference = reference::generate();
            // ON CONFLICT DO NOTHING covers both unique constraints without aborting the
            // transaction, which a failed insert would do in PostgreSQL. When another receiver's
            // uncommitted transaction holds the same key, PostgreSQL waits for it to finish.
            let inserted = sqlx::query(
                "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge, status, review_reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(reference.clone())
            .bind(pledge.partner.clone())
            .bind(pledge.idempotency_key.clone())
            .bind(pledge.body_hash.to_vec())
            .bind(pledge.received_at.as_micros())
            .bind(pledge.pledge_json.clone())
            .bind(pledge.status().as_str().to_owned())
            .bind(pledge.review.map(|reason| SpamReason::as_str(reason).to_owned()))
            .execute(&mut *connection)
            .await?;
            if DB::rows_affected(&inserted) == 1 {
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

    async fn release(
        connection: &mut DB::Connection,
        reference: &str,
        at: Timestamp,
    ) -> StorageResult<Option<Released>> {
        sqlx::query("UPDATE pledges SET status = 'new', released_at = $1 WHERE reference = $2 AND status = 'review'")
            .bind(at.as_micros())
            .bind(reference.to_owned())
            .execute(&mut *connection)
            .await?;
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

    /// Pledges in the order they were stored, after `filter.after_id`.
    pub(super) async fn list(connection: &mut DB::Connection, filter: &ListFilter) -> StorageResult<PledgePage> {
        let mut statement = Statement::new(
            "SELECT id, reference, received_at, status, review_reason, released_at, pledge FROM pledges WHERE id > ",
        );
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

    /// The statement with its values bound in order.
    fn query(statement: &Statement) -> Query<'_, DB, DB::Arguments<'_>> {
        statement.values.iter().fold(sqlx::query(&statement.sql), |query, value| match value {
            Value::Integer(value) => query.bind(*value),
            Value::Text(value) => query.bind(value.clone()),
        })
    }
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
        pledge: row.try_get("pledge")?,
    })
}
