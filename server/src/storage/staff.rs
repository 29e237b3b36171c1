//! Staff accounts and their sign-in sessions, as storage keeps them.
//!
//! Storage never sees a password or a session token: callers hash them first. The hashes and
//! the CSRF token still stay out of `Debug`, so that no log line can carry them.

use std::fmt;

use crate::timestamp::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub username: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAdded {
    Added,
    /// Someone has that username already; nothing was changed.
    AlreadyExists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRemoved {
    /// Removed, with every session of theirs.
    Removed,
    NoSuchUser,
}

/// What signing in needs to check a password.
#[derive(Clone, PartialEq, Eq)]
pub struct SignIn {
    pub user_id: i64,
    /// The password hash in PHC string format, as the caller stored it.
    pub password_hash: String,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("SignIn").field("user_id", &self.user_id).finish_non_exhaustive()
    }
}

/// Sessions are found by the SHA-256 digest of their token; the token itself is never stored.
pub use crate::staff::session::TokenHash;

/// A session to store when someone signs in.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: TokenHash,
    pub user_id: i64,
    pub csrf_token: String,
    /// Also its first `last_seen_at`.
    pub created_at: Timestamp,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("NewSession")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCreated {
    Created,
    /// The user was removed meanwhile; no session was stored.
    NoSuchUser,
    /// Another session has the same token hash; no session was stored.
    TokenInUse,
}

/// A stored session and whose it is.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: i64,
    pub username: String,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

impl fmt::Debug for SessionRecord {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

/// A staff account to add.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub created_at: Timestamp,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("NewUser").field("username", &self.username).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_hashes_or_csrf_tokens() {
        let token_hash = TokenHash::from_bytes([7; 32]);
        let printed = [
            format!("{:?}", SignIn { user_id: 1, password_hash: "$argon2id$v=19$secret-hash".into() }),
            format!("{token_hash:?}"),
            format!(
                "{:?}",
                NewSession {
                    token_hash,
                    user_id: 1,
                    csrf_token: "csrf-secret".into(),
                    created_at: Timestamp::from_micros(0)
                }
            ),
            format!(
                "{:?}",
                SessionRecord {
                    user_id: 1,
                    username: "ana".into(),
                    csrf_token: "csrf-secret".into(),
                    created_at: Timestamp::from_micros(0),
                    last_seen_at: Timestamp::from_micros(0)
                }
            ),
            format!(
                "{:?}",
                NewUser {
                    username: "ana".into(),
                    password_hash: "$argon2id$v=19$secret-hash".into(),
                    created_at: Timestamp::from_micros(0)
                }
            ),
        ];
        for text in printed {
            assert!(!text.contains("secret") && !text.contains("7, 7"), "{text}");
            assert!(text.contains("..") || text.contains("[redacted]"), "{text}");
        }
    }
}
