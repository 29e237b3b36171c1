//! The schema's history, one SQL file per step and per backend, applied in order at start.
//!
//! Each backend keeps the applied versions in a `schema_migrations` table and runs every
//! pending step in one transaction. A database that is newer than this receiver is refused
//! rather than guessed at.

pub(super) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(super) const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "pledges", sql: include_str!("../../migrations/sqlite/0001_pledges.sql") },
    Migration { version: 2, name: "review", sql: include_str!("../../migrations/sqlite/0002_review.sql") },
];

pub(super) const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "pledges", sql: include_str!("../../migrations/postgres/0001_pledges.sql") },
    Migration { version: 2, name: "review", sql: include_str!("../../migrations/postgres/0002_review.sql") },
];

/// The steps still to apply, given the versions the database already has.
pub(super) fn pending<'a>(
    all: &'a [Migration],
    applied: &[i64],
) -> Result<Vec<&'a Migration>, super::StorageError> {
    let known_latest = all.last().map_or(0, |migration| migration.version);
    if let Some(newer) = applied.iter().find(|version| **version > known_latest) {
        return Err(super::StorageError::new(format!(
            "the database has schema version {newer}, newer than this receiver knows ({known_latest})"
        )));
    }
    Ok(all.iter().filter(|migration| !applied.contains(&migration.version)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_backends_agree() {
        for list in [SQLITE, POSTGRES] {
            assert!(list.windows(2).all(|pair| pair[0].version < pair[1].version));
        }
        let versions = |list: &[Migration]| list.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
    }

    #[test]
    fn pending_skips_applied_and_refuses_newer() {
        assert_eq!(pending(SQLITE, &[]).unwrap().len(), SQLITE.len());
        assert_eq!(pending(SQLITE, &[1]).unwrap().iter().map(|m| m.version).collect::<Vec<_>>(), [2]);
        assert!(pending(SQLITE, &[1, 2]).unwrap().is_empty());
        assert!(pending(SQLITE, &[1, 999]).is_err());
    }
}
