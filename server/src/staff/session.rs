//! Staff sessions: the random token a signed-in browser holds, the digest of it the receiver
//! keeps, and when a session has expired.
//!
//! Only the SHA-256 digest of a token is stored, so a copy of the database (a backup, a
//! read-only leak) holds nothing that signs anyone in. A token has 256 random bits, so a plain
//! hash is enough: there is nothing to guess that a slow hash would protect, and looking a
//! session up by its digest stays one indexed read.
//!
//! A session ends after a spell of inactivity and, however busy, after a fixed lifetime, so
//! that a browser left signed in on a shared office computer does not stay useful for long.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::timestamp::Timestamp;

/// Random bytes in a session token: 256 bits.
pub const TOKEN_BYTES: usize = 32;

/// A session token as the browser holds it: 32 random bytes, base64url without padding
/// (43 characters), which needs no escaping in a cookie. `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> Result<SessionToken, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(SessionToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token as a browser sent it back, or `None` when it is not one this receiver could
    /// have issued (so that nothing malformed reaches a database query).
    pub fn parse(text: &str) -> Option<SessionToken> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        // The decoder accepts non-canonical trailing bits; requiring the canonical text keeps
        // one token to one spelling.
        (bytes.len() == TOKEN_BYTES && URL_SAFE_NO_PAD.encode(&bytes) == text).then(|| SessionToken(text.to_owned()))
    }

    /// The text for the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest to store and to look the session up by.
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SessionToken([redacted])")
    }
}

/// The SHA-256 digest of a session token: what storage keeps. Not usable to sign in, but it
/// names a live session, so `Debug` leaves it out as well.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn from_bytes(bytes: [u8; 32]) -> TokenHash {
        TokenHash(bytes)
    }

    /// A digest read back from storage, or `None` when it is not 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<TokenHash> {
        bytes.try_into().ok().map(TokenHash)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("TokenHash([redacted])")
    }
}

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long has ended.
    pub idle_timeout: Duration,
    /// A session this old has ended, however recently it was used.
    pub absolute_lifetime: Duration,
}

/// A session's last use is written down only when the one recorded is older than this, so
/// that a page with many requests costs one write, not one per request. The idle timeout is
/// therefore exact to within this much.
pub const TOUCH_AFTER: Duration = Duration::from_secs(60);

impl Default for SessionPolicy {
    /// Thirty minutes idle covers reading through a day's pledges with pauses; twelve hours is
    /// a working day, after which signing in again is a small price for a stolen cookie's
    /// short life.
    fn default() -> Self {
        SessionPolicy {
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_lifetime: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// What to do with a session presented at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Let the request through; when `touch`, record `now` as the session's last use.
    Active { touch: bool },
    /// Refuse the session and delete it.
    Expired(ExpiryReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryReason {
    /// Unused for the idle timeout.
    Idle,
    /// Older than the absolute lifetime.
    LifetimeOver,
}

impl SessionPolicy {
    /// Whether a session created at `created_at` and last used at `last_seen_at` is still
    /// good at `now`. A session ends at the very instant a limit is reached. Times in the
    /// future (a clock stepped back) count as now, so a session never lives longer for it.
    pub fn check(&self, created_at: Timestamp, last_seen_at: Timestamp, now: Timestamp) -> SessionState {
        if elapsed(created_at, now) >= self.absolute_lifetime {
            return SessionState::Expired(ExpiryReason::LifetimeOver);
        }
        let idle = elapsed(last_seen_at, now);
        if idle >= self.idle_timeout {
            return SessionState::Expired(ExpiryReason::Idle);
        }
        SessionState::Active { touch: idle >= TOUCH_AFTER }
    }

    /// When a session ends if it is not used again: for deleting ended sessions in bulk.
    pub fn expires_at(&self, created_at: Timestamp, last_seen_at: Timestamp) -> Timestamp {
        let lifetime_over = plus(created_at, self.absolute_lifetime);
        let idle = plus(last_seen_at, self.idle_timeout);
        lifetime_over.min(idle)
    }
}

fn elapsed(since: Timestamp, now: Timestamp) -> Duration {
    let micros = now.as_micros().saturating_sub(since.as_micros()).max(0);
    Duration::from_micros(micros.unsigned_abs())
}

fn plus(instant: Timestamp, duration: Duration) -> Timestamp {
    let micros = i64::try_from(duration.as_micros()).unwrap_or(i64::MAX);
    Timestamp::from_micros(instant.as_micros().saturating_add(micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000_000;

    fn at_minute(minute: i64) -> Timestamp {
        Timestamp::from_micros(1_700_000_000_000_000 + minute * MINUTE)
    }

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let first = SessionToken::generate().unwrap();
        let second = SessionToken::generate().unwrap();
        assert_ne!(first, second);
        assert_eq!(first.as_str().len(), 43);
        assert!(
            first.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{}",
            first.as_str()
        );
        assert_eq!(SessionToken::parse(first.as_str()), Some(first));
    }

    #[test]
    fn only_tokens_this_receiver_could_issue_parse() {
        let token = SessionToken::generate().unwrap();
        let text = token.as_str();
        assert!(SessionToken::parse(&text[1..]).is_none(), "too short");
        assert!(SessionToken::parse(&format!("{text}A")).is_none(), "too long");
        assert!(SessionToken::parse(&format!("{text}=")).is_none(), "padded");
        assert!(SessionToken::parse(&text.replace(|c: char| c.is_ascii_alphanumeric(), "+")).is_none(), "not URL-safe");
        assert!(SessionToken::parse("").is_none());
        assert!(SessionToken::parse(&"A".repeat(43)).is_some());
        // 43 characters carry 258 bits; the last two must be zero in the canonical spelling.
        assert!(SessionToken::parse(&format!("{}B", "A".repeat(42))).is_none());
    }

    #[test]
    fn the_stored_digest_is_sha256_of_the_token_text() {
        let token = SessionToken::parse(&"A".repeat(43)).unwrap();
        let expected: [u8; 32] = Sha256::digest("A".repeat(43).as_bytes()).into();
        assert_eq!(token.hash(), TokenHash::from_bytes(expected));
        assert_eq!(TokenHash::from_slice(&expected), Some(token.hash()));
        assert_eq!(TokenHash::from_slice(&expected[1..]), None);
        assert_ne!(SessionToken::generate().unwrap().hash(), token.hash());
    }

    #[test]
    fn debug_shows_neither_token_nor_digest() {
        let token = SessionToken::generate().unwrap();
        let text = format!("{token:?} {:?}", token.hash());
        assert!(!text.contains(token.as_str()), "{text}");
        assert_eq!(text, "SessionToken([redacted]) TokenHash([redacted])");
    }

    #[test]
    fn defaults_are_thirty_minutes_idle_and_twelve_hours_in_all() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.idle_timeout, Duration::from_secs(1800));
        assert_eq!(policy.absolute_lifetime, Duration::from_secs(43_200));
    }

    #[test]
    fn a_session_in_use_is_touched_at_most_once_a_minute() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.check(at_minute(0), at_minute(0), at_minute(0)), SessionState::Active { touch: false });
        let just_under_a_minute = Timestamp::from_micros(at_minute(1).as_micros() - 1);
        assert_eq!(
            policy.check(at_minute(0), at_minute(0), just_under_a_minute),
            SessionState::Active { touch: false }
        );
        assert_eq!(policy.check(at_minute(0), at_minute(0), at_minute(1)), SessionState::Active { touch: true });
        assert_eq!(policy.check(at_minute(0), at_minute(10), at_minute(10)), SessionState::Active { touch: false });
    }

    #[test]
    fn a_session_unused_for_the_idle_timeout_has_ended() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.check(at_minute(0), at_minute(5), at_minute(34)), SessionState::Active { touch: true });
        assert_eq!(policy.check(at_minute(0), at_minute(5), at_minute(35)), SessionState::Expired(ExpiryReason::Idle));
    }

    #[test]
    fn a_session_used_all_day_ends_after_its_lifetime() {
        let policy = SessionPolicy::default();
        let twelve_hours = 12 * 60;
        assert_eq!(
            policy.check(at_minute(0), at_minute(twelve_hours - 1), at_minute(twelve_hours - 1)),
            SessionState::Active { touch: false }
        );
        assert_eq!(
            policy.check(at_minute(0), at_minute(twelve_hours - 1), at_minute(twelve_hours)),
            SessionState::Expired(ExpiryReason::LifetimeOver)
        );
    }

    #[test]
    fn times_in_the_future_count_as_now() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.check(at_minute(10), at_minute(10), at_minute(0)), SessionState::Active { touch: false });
        let far_past = Timestamp::from_micros(i64::MIN);
        assert_eq!(
            policy.check(far_past, at_minute(0), at_minute(0)),
            SessionState::Expired(ExpiryReason::LifetimeOver)
        );
    }

    #[test]
    fn a_session_expires_at_the_earlier_limit() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.expires_at(at_minute(0), at_minute(0)), at_minute(30));
        assert_eq!(policy.expires_at(at_minute(0), at_minute(700)), at_minute(720));
        assert_eq!(policy.expires_at(Timestamp::from_micros(i64::MAX), at_minute(0)), at_minute(30));
    }
}
