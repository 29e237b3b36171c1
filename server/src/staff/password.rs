//! Staff passwords: the rule for new ones, hashing them for storage, and checking a sign-in
//! against what is stored.
//!
//! Hashes are Argon2id in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so
//! each stored hash carries its own algorithm, parameters and salt, and hashes made with older
//! parameters keep verifying after the parameters are raised ([`needs_rehash`] says which to
//! replace at the next successful sign-in).
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory on purpose: callers on the
//! async runtime run [`hash_password`] and [`verify_password`] in `spawn_blocking`.

use std::fmt;

use argon2::password_hash::{PasswordHash as PhcString, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shorter passwords fall to offline guessing if the database is ever copied; twelve characters
/// is where NIST SP 800-63B's and OWASP's advice for accounts without a second factor meets.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer input buys nothing and lets a sign-in form make the server hash megabytes.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// OWASP's Password Storage Cheat Sheet recommends, for Argon2id, 19 MiB of memory, two passes
/// and one lane as the minimum configuration: memory-hard enough that guessing on GPUs costs
/// about as much per guess as on the server, while a sign-in still takes only tens of
/// milliseconds on one core of a small machine. These are also the argon2 crate's defaults,
/// written out so that a change in the crate cannot weaken them unnoticed.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// A well-formed hash with the parameters above whose salt and output are random bytes, so no
/// password is known to match it. A sign-in for an unknown username is verified against it, so
/// that the answer takes as long as for a known one and the time taken does not tell which
/// usernames exist.
const UNKNOWN_USER_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$R0zP8XQmUfcpd2+l4hTZ8w$K9YvFvFwNl7m2f8CQ7S0jR3e+2o8I2B1k8m8dVqf3rU";

/// A password as typed. It never appears in `Debug` output, so a stray `{:?}` in a log line
/// or a panic message cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Password {
        Password(text.into())
    }

    /// The password itself, for hashing and verifying only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Password([redacted])")
    }
}

/// A new password that breaks the rule, with a message for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordRuleBroken {
    TooShort { chars: usize },
    TooLong { chars: usize },
}

impl fmt::Display for PasswordRuleBroken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordRuleBroken::TooShort { chars } => write!(
                formatter,
                "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS} (a few unrelated words make a long password that is easy to remember)"
            ),
            PasswordRuleBroken::TooLong { chars } => {
                write!(formatter, "the password has {chars} characters; use at most {MAX_PASSWORD_CHARS}")
            }
        }
    }
}

impl std::error::Error for PasswordRuleBroken {}

/// Whether `password` may be chosen as a new password. Only length is ruled on: composition
/// rules (a digit, a symbol) make passwords harder to remember without making them harder to
/// guess.
pub fn check_new_password(password: &Password) -> Result<(), PasswordRuleBroken> {
    let chars = password.0.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordRuleBroken::TooShort { chars });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordRuleBroken::TooLong { chars });
    }
    Ok(())
}

/// A password hash as stored: a PHC string. Not a secret like the password, but enough for an
/// offline guessing attack, so `Debug` leaves it out too.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// A hash read back from storage. It is not checked here: one that cannot be parsed simply
    /// never verifies.
    pub fn from_phc(phc: impl Into<String>) -> PasswordHash {
        PasswordHash(phc.into())
    }

    /// The PHC string to store.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("PasswordHash([redacted])")
    }
}

/// Hashing failed: the operating system gave no random salt, or Argon2 refused its input.
#[derive(Debug)]
pub struct HashingFailed(String);

impl fmt::Display for HashingFailed {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "the password could not be hashed: {}", self.0)
    }
}

impl std::error::Error for HashingFailed {}

fn argon2() -> Argon2<'static> {
    // The parameters are constants within Argon2's limits, so building them cannot fail; the
    // crate's defaults are the same values should that ever change.
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a fresh 128-bit random salt. Apply [`check_new_password`] first to a
/// password being chosen.
pub fn hash_password(password: &Password) -> Result<PasswordHash, HashingFailed> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| HashingFailed(error.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| HashingFailed(error.to_string()))?;
    let hash =
        argon2().hash_password(password.0.as_bytes(), &salt).map_err(|error| HashingFailed(error.to_string()))?;
    Ok(PasswordHash(hash.to_string()))
}

/// Whether `password` is the one behind `stored`, the user's hash, or `None` when no user has
/// the username given. Either way one Argon2 hash is computed with the same parameters, so the
/// time taken does not tell whether the username exists. A stored hash that cannot be parsed
/// never verifies, and costs the same time too.
pub fn verify_password(password: &Password, stored: Option<&PasswordHash>) -> bool {
    let parsed = stored.and_then(|stored| PhcString::new(&stored.0).ok());
    let (hash, known) = match parsed {
        Some(hash) => (hash, true),
        None => match PhcString::new(UNKNOWN_USER_HASH) {
            Ok(hash) => (hash, false),
            Err(_) => return false,
        },
    };
    // Overlong input is still hashed (truncated), so that refusing it takes the usual time.
    let input = truncate_chars(&password.0, MAX_PASSWORD_CHARS);
    let matches = argon2().verify_password(input.as_bytes(), &hash).is_ok();
    matches && known && password.0.chars().count() <= MAX_PASSWORD_CHARS
}

/// Whether `stored` was made with other parameters or another algorithm than new hashes are,
/// so that it should be replaced by a fresh hash of the password just verified.
pub fn needs_rehash(stored: &PasswordHash) -> bool {
    let Ok(hash) = PhcString::new(&stored.0) else { return true };
    let Ok(params) = Params::try_from(&hash) else { return true };
    hash.algorithm != Algorithm::Argon2id.ident()
        || hash.version != Some(Version::V0x13.into())
        || params.m_cost() != MEMORY_KIB
        || params.t_cost() != PASSES
        || params.p_cost() != LANES
}

fn truncate_chars(text: &str, limit: usize) -> &str {
    match text.char_indices().nth(limit) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_another_does_not() {
        let password = Password::new("correct horse battery staple");
        let hash = hash_password(&password).unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_phc());
        assert!(verify_password(&password, Some(&hash)));
        assert!(!verify_password(&Password::new("correct horse battery stapler"), Some(&hash)));
        assert!(!needs_rehash(&hash));
        // Read back from storage, the hash is the same.
        assert!(verify_password(&password, Some(&PasswordHash::from_phc(hash.as_phc()))));
    }

    #[test]
    fn each_hash_has_its_own_salt() {
        let password = Password::new("the same password twice");
        assert_ne!(hash_password(&password).unwrap(), hash_password(&password).unwrap());
    }

    #[test]
    fn an_unknown_user_never_verifies_and_is_checked_like_a_known_one() {
        assert!(!verify_password(&Password::new("whatever was typed"), None));
        assert!(!verify_password(&Password::new(""), None));
        // The stand-in hash is a well-formed hash with today's parameters, so verifying against
        // it costs what verifying against a real user's hash costs.
        assert!(!needs_rehash(&PasswordHash::from_phc(UNKNOWN_USER_HASH)));
    }

    #[test]
    fn a_damaged_stored_hash_never_verifies() {
        let damaged = PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$not-base64!");
        assert!(!verify_password(&Password::new("anything at all"), Some(&damaged)));
        assert!(!verify_password(&Password::new("anything at all"), Some(&PasswordHash::from_phc(""))));
        assert!(needs_rehash(&damaged));
    }

    #[test]
    fn an_overlong_password_never_verifies() {
        let long = Password::new("x".repeat(MAX_PASSWORD_CHARS + 1));
        // A hash of its first MAX_PASSWORD_CHARS characters, which is what verifying hashes.
        let truncated = hash_password(&Password::new("x".repeat(MAX_PASSWORD_CHARS))).unwrap();
        assert!(!verify_password(&long, Some(&truncated)));
    }

    #[test]
    fn older_parameters_ask_for_a_rehash() {
        let weaker = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap());
        let salt = SaltString::encode_b64(&[7u8; 16]).unwrap();
        let old = PasswordHash(weaker.hash_password(b"an old but fine password", &salt).unwrap().to_string());
        assert!(needs_rehash(&old));
        // It still verifies: its parameters travel with it.
        assert!(verify_password(&Password::new("an old but fine password"), Some(&old)));
        let argon2i =
            Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap());
        let other_algorithm =
            PasswordHash(argon2i.hash_password(b"an old but fine password", &salt).unwrap().to_string());
        assert!(needs_rehash(&other_algorithm));
    }

    #[test]
    fn new_passwords_need_twelve_characters() {
        assert_eq!(check_new_password(&Password::new("elevenchars")), Err(PasswordRuleBroken::TooShort { chars: 11 }));
        assert_eq!(check_new_password(&Password::new("twelve chars")), Ok(()));
        // Characters, not bytes: twelve accented letters are enough, eleven are not.
        assert_eq!(check_new_password(&Password::new("é".repeat(12))), Ok(()));
        assert!(check_new_password(&Password::new("é".repeat(11))).is_err());
        assert_eq!(
            check_new_password(&Password::new("y".repeat(MAX_PASSWORD_CHARS + 1))),
            Err(PasswordRuleBroken::TooLong { chars: MAX_PASSWORD_CHARS + 1 })
        );
        let message = check_new_password(&Password::new("short")).unwrap_err().to_string();
        assert!(message.contains("5 characters") && message.contains("at least 12"), "{message}");
    }

    #[test]
    fn debug_shows_neither_password_nor_hash() {
        let password = Password::new("hunter2hunter2");
        let hash = hash_password(&password).unwrap();
        let text = format!("{password:?} {hash:?}");
        assert!(!text.contains("hunter2") && !text.contains("argon2") && !text.contains(hash.as_phc()), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}
