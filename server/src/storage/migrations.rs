//! The schema's history: one SQL file per step and per backend in `server/migrations/`, embedded
//! with their checksums by `sqlx::migrate!` and applied in order at start.
//!
//! Each backend runs every pending step inside one transaction that it opens with its own lock
//! (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock), so that receivers starting together
//! on one database wait for each other instead of failing halfway, and a failed step leaves the
//! schema as it was. sqlx's own session lock is therefore switched off.
//!
//! A step that was edited after a database applied it, or a database migrated by a newer
//! receiver, stops the start with a message that says which step and what to do.

use sqlx::migrate::{MigrateError, Migrator};

use super::StorageError;

pub(super) static SQLITE: Migrator = Migrator { locking: false, ..sqlx::migrate!("migrations/sqlite") };
pub(super) static POSTGRES: Migrator = Migrator { locking: false, ..sqlx::migrate!("migrations/postgres") };

/// The step that added the inbox's search columns.
pub(super) const SEARCH_COLUMNS: i64 = 3;

/// Databases migrated before the receiver used sqlx kept the applied versions here; they are
/// carried over into sqlx's `_sqlx_migrations` once, and the table dropped.
pub(super) const LEGACY_HISTORY_TABLE: &str = "schema_migrations";

/// Says what went wrong in terms of the migration files, for the person starting the receiver.
pub(super) fn explain(error: MigrateError, migrator: &Migrator) -> StorageError {
    let step = |version: i64| match migrator.iter().find(|migration| migration.version == version) {
        Some(migration) => format!("migration {version} ({})", migration.description),
        None => format!("migration {version}"),
    };
    let latest = migrator.iter().map(|migration| migration.version).max().unwrap_or(0);
    StorageError::new(match error {
        MigrateError::VersionMismatch(version) => format!(
            "{} was changed after this database applied it (its checksum differs); restore the file as it was \
             released and put schema changes in a new migration",
            step(version)
        ),
        MigrateError::VersionMissing(version) => format!(
            "the database has schema version {version}, newer than this receiver knows ({latest}); run a receiver \
             at least as new as the one that migrated it"
        ),
        MigrateError::Dirty(version) => {
            format!("{} was left partly applied; restore the database from a backup", step(version))
        }
        MigrateError::ExecuteMigration(error, version) => format!("{} failed: {error}", step(version)),
        other => format!("migrating the database failed: {other}"),
    })
}

/// The versions carried over from a legacy history, each with the description and checksum of
/// the embedded step, or the error naming a version this receiver does not know.
pub(super) fn adopted(
    migrator: &Migrator,
    legacy_versions: &[i64],
) -> Result<Vec<(i64, String, Vec<u8>)>, StorageError> {
    legacy_versions
        .iter()
        .map(|&version| {
            migrator
                .iter()
                .find(|migration| migration.version == version)
                .map(|migration| (version, migration.description.to_string(), migration.checksum.to_vec()))
                .ok_or_else(|| explain(MigrateError::VersionMissing(version), migrator))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_have_the_same_steps_in_order() {
        let steps = |migrator: &Migrator| {
            migrator.iter().map(|migration| (migration.version, migration.description.to_string())).collect::<Vec<_>>()
        };
        assert_eq!(steps(&SQLITE), steps(&POSTGRES));
        assert!(steps(&SQLITE).windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert_eq!(
            steps(&SQLITE)[..3],
            [(1, "pledges".to_owned()), (2, "review".to_owned()), (SEARCH_COLUMNS, "staff inbox".to_owned())]
        );
    }

    #[test]
    fn errors_name_the_step_and_what_to_do() {
        let changed = explain(MigrateError::VersionMismatch(2), &SQLITE).to_string();
        assert!(changed.starts_with("migration 2 (review) was changed after this database applied it"), "{changed}");
        let newer = explain(MigrateError::VersionMissing(999), &POSTGRES).to_string();
        assert!(newer.contains("schema version 999, newer than this receiver knows"), "{newer}");
    }

    #[test]
    fn legacy_versions_take_the_embedded_checksums_and_unknown_ones_are_refused() {
        let adopted = adopted(&SQLITE, &[1, 2]).unwrap();
        assert_eq!(adopted.iter().map(|(version, ..)| *version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(adopted[1].2, SQLITE.iter().nth(1).unwrap().checksum.to_vec());
        let refused = super::adopted(&SQLITE, &[1, 999]).unwrap_err().to_string();
        assert!(refused.contains("schema version 999"), "{refused}");
    }
}
