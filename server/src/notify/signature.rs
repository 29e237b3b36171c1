//! Webhook signatures: proof, for the charity's systems, that a delivery came from this receiver
//! and was not changed or replayed.
//!
//! The signature is an HMAC-SHA256, keyed with the endpoint's secret, of the Unix time in seconds,
//! a full stop and the raw body. Both travel in one header:
//!
//! ```text
//! Sanankoroba-Signature: t=1796117405,v1=f23eae00155f9ca3b5b458df1f94b76d4b15bcdfb27f2b37b5fc580ba17a8ffa
//! ```
//!
//! Signing the time lets a receiver refuse a delivery captured and replayed later; signing the raw
//! bytes, not a parsed form, spares both sides from agreeing on a JSON canonical form. While a
//! secret is being replaced, a delivery carries one `v1=` per secret, so that a receiver holding
//! either secret accepts it. Other schemes (`v2=` …) are ignored, so one can be added later.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Sanankoroba-Signature";
/// How far a signature's time may be from the receiver's clock, either way, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// The shortest secret an operator may set: long enough that guessing it is hopeless even when
/// people choose it.
pub const MIN_SECRET_CHARS: usize = 24;
/// The longest: a guard against pasting a whole file by mistake, not a security bound.
pub const MAX_SECRET_CHARS: usize = 512;
/// A generated secret's entropy, in bytes: 256 bits, the HMAC's own strength.
const GENERATED_SECRET_BYTES: usize = 32;
/// A header longer than this is refused before any work: a genuine one has a few signatures.
const MAX_HEADER_BYTES: usize = 2048;
/// More signatures than this are refused, so a header cannot make a receiver compute in bulk.
const MAX_SIGNATURES: usize = 8;

type HmacSha256 = Hmac<Sha256>;

/// A webhook endpoint's signing secret. The HMAC key is the secret's text as UTF-8, exactly as the
/// charity's developers are given it. `Debug` never shows it.
#[derive(Clone)]
pub struct WebhookSecret {
    text: String,
    keyed: HmacSha256,
}

/// Why a secret cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretError {
    /// Fewer than [`MIN_SECRET_CHARS`] characters.
    TooShort,
    /// More than [`MAX_SECRET_CHARS`] characters.
    TooLong,
    /// Leading or trailing white space, or a control character: almost always a copy-and-paste
    /// slip, which would make the two sides' keys differ invisibly.
    StrayCharacters,
    /// The operating system's random source failed while generating one.
    RandomSourceUnavailable,
    /// The HMAC refused the key. HMAC takes keys of any length, so this does not happen; it is
    /// reported rather than assumed.
    KeyRefused,
}

impl fmt::Display for SecretError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            SecretError::TooShort => "the webhook secret must have at least 24 characters",
            SecretError::TooLong => "the webhook secret must have at most 512 characters",
            SecretError::StrayCharacters => {
                "the webhook secret must not start or end with white space or contain control characters"
            }
            SecretError::RandomSourceUnavailable => "the operating system's random source is unavailable",
            SecretError::KeyRefused => "the webhook secret was refused as an HMAC key",
        })
    }
}

impl std::error::Error for SecretError {}

impl WebhookSecret {
    /// A new secret of 32 random bytes, written as 43 characters of URL-safe base64.
    pub fn generate() -> Result<WebhookSecret, SecretError> {
        let mut bytes = [0u8; GENERATED_SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|_| SecretError::RandomSourceUnavailable)?;
        WebhookSecret::keyed(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A secret the operator chose or was given, checked for length and stray characters.
    pub fn from_operator(text: impl Into<String>) -> Result<WebhookSecret, SecretError> {
        let text = text.into();
        let chars = text.chars().count();
        if chars < MIN_SECRET_CHARS {
            Err(SecretError::TooShort)
        } else if chars > MAX_SECRET_CHARS {
            Err(SecretError::TooLong)
        } else if text.trim() != text || text.chars().any(char::is_control) {
            Err(SecretError::StrayCharacters)
        } else {
            WebhookSecret::keyed(text)
        }
    }

    fn keyed(text: String) -> Result<WebhookSecret, SecretError> {
        let keyed = HmacSha256::new_from_slice(text.as_bytes()).map_err(|_| SecretError::KeyRefused)?;
        Ok(WebhookSecret { text, keyed })
    }

    /// The secret's text, to store or to show the charity's developers once. Never log it.
    pub fn expose(&self) -> &str {
        &self.text
    }

    fn tag(&self, timestamp: i64, body: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("WebhookSecret(<redacted>)")
    }
}

/// The [`SIGNATURE_HEADER`] value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    sign_with_each(&[secret], timestamp, body)
}

/// The header value with one `v1=` signature per secret, in the order given: what a delivery
/// carries while an endpoint's secret is being replaced.
pub fn sign_with_each(secrets: &[&WebhookSecret], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex(&secret.tag(timestamp, body)));
    }
    header
}

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// The header is not `t=<seconds>` with at least one `v1=<hex>`, or is too long.
    Malformed,
    /// The signed time is further from now than the tolerance: a replay, or a clock far off.
    OutsideTolerance,
    /// No `v1=` signature matches this secret and body.
    NoMatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            VerifyError::Malformed => "the signature header is malformed",
            VerifyError::OutsideTolerance => "the signature's time is outside the tolerance",
            VerifyError::NoMatch => "no signature matches",
        })
    }
}

impl std::error::Error for VerifyError {}

/// Checks a delivery as a receiver should: the header's time within `tolerance` of `now` (Unix
/// seconds) and one of its `v1=` signatures equal, in constant time, to this secret's signature
/// of the raw body.
pub fn verify(
    secret: &WebhookSecret,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let parsed = parse_header(header)?;
    let distance = (i128::from(now) - i128::from(parsed.timestamp)).unsigned_abs();
    if distance > u128::from(tolerance.as_secs()) {
        return Err(VerifyError::OutsideTolerance);
    }
    let expected = secret.tag(parsed.timestamp, body);
    // Every candidate is compared in full, so the time taken does not say how much of one matched.
    let matched = parsed
        .signatures
        .iter()
        .filter_map(|candidate| unhex(candidate))
        .fold(false, |matched, candidate| matched | bool::from(candidate.ct_eq(&expected)));
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

struct ParsedHeader<'a> {
    timestamp: i64,
    signatures: Vec<&'a str>,
}

fn parse_header(header: &str) -> Result<ParsedHeader<'_>, VerifyError> {
    if header.len() > MAX_HEADER_BYTES {
        return Err(VerifyError::Malformed);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.trim().split_once('=').ok_or(VerifyError::Malformed)?;
        match key {
            "t" if timestamp.is_none() && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                timestamp = Some(value.parse::<i64>().map_err(|_| VerifyError::Malformed)?);
            }
            "t" => return Err(VerifyError::Malformed),
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if (1..=MAX_SIGNATURES).contains(&signatures.len()) => {
            Ok(ParsedHeader { timestamp, signatures })
        }
        _ => Err(VerifyError::Malformed),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// 64 hex digits, either case, as 32 bytes; anything else is no signature at all.
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's example, computed independently with Python's `hmac` module (the snippet is
    /// in contract/README.md).
    const EXAMPLE_SECRET: &str = "contract-example-secret-2026";
    const EXAMPLE_TIME: i64 = 1_796_117_405;
    const EXAMPLE_BODY: &str = r#"{"id":"0f8b6f1e-6c1d-4b7e-9a51-3c2d4e5f6a7b","type":"pledge.erased","api_version":1,"created_at":"2026-12-01T09:30:00.000000Z","data":{"reference":"SK-7Q2M-X9D4","erased_at":"2026-12-01T09:30:00.000000Z"}}"#;
    const EXAMPLE_HEADER: &str = "t=1796117405,v1=f23eae00155f9ca3b5b458df1f94b76d4b15bcdfb27f2b37b5fc580ba17a8ffa";

    fn example_secret() -> WebhookSecret {
        WebhookSecret::from_operator(EXAMPLE_SECRET).unwrap()
    }

    fn other_secret() -> WebhookSecret {
        WebhookSecret::from_operator("another-secret-of-enough-length").unwrap()
    }

    #[test]
    fn signs_the_known_answer() {
        assert_eq!(sign(&example_secret(), EXAMPLE_TIME, EXAMPLE_BODY.as_bytes()), EXAMPLE_HEADER);
    }

    #[test]
    fn verifies_the_known_answer_within_the_tolerance() {
        let secret = example_secret();
        let body = EXAMPLE_BODY.as_bytes();
        for now in [EXAMPLE_TIME, EXAMPLE_TIME + 300, EXAMPLE_TIME - 300] {
            assert_eq!(verify(&secret, EXAMPLE_HEADER, body, now, DEFAULT_TOLERANCE), Ok(()), "{now}");
        }
        let upper_case = EXAMPLE_HEADER.to_ascii_uppercase().replace("T=", "t=").replace("V1=", "v1=");
        assert_eq!(verify(&secret, &upper_case, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), Ok(()));
        let spaced = EXAMPLE_HEADER.replace(',', " , ");
        assert_eq!(verify(&secret, &spaced, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), Ok(()));
    }

    #[test]
    fn refuses_old_and_future_timestamps() {
        let secret = example_secret();
        let body = EXAMPLE_BODY.as_bytes();
        let refused = Err(VerifyError::OutsideTolerance);
        assert_eq!(verify(&secret, EXAMPLE_HEADER, body, EXAMPLE_TIME + 301, DEFAULT_TOLERANCE), refused);
        assert_eq!(verify(&secret, EXAMPLE_HEADER, body, EXAMPLE_TIME - 301, DEFAULT_TOLERANCE), refused);
        assert_eq!(verify(&secret, EXAMPLE_HEADER, body, i64::MAX, DEFAULT_TOLERANCE), refused);
        assert_eq!(verify(&secret, EXAMPLE_HEADER, body, i64::MIN, DEFAULT_TOLERANCE), refused);
    }

    #[test]
    fn refuses_a_changed_body_a_changed_time_or_another_secret() {
        let secret = example_secret();
        let body = EXAMPLE_BODY.as_bytes();
        let changed_body = EXAMPLE_BODY.replace("SK-7Q2M-X9D4", "SK-7Q2M-X9D5");
        let no_match = Err(VerifyError::NoMatch);
        assert_eq!(verify(&secret, EXAMPLE_HEADER, changed_body.as_bytes(), EXAMPLE_TIME, DEFAULT_TOLERANCE), no_match);
        let moved = EXAMPLE_HEADER.replace("t=1796117405", "t=1796117406");
        assert_eq!(verify(&secret, &moved, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), no_match);
        assert_eq!(verify(&other_secret(), EXAMPLE_HEADER, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), no_match);
        let not_hex = "t=1796117405,v1=zz3eae00155f9ca3b5b458df1f94b76d4b15bcdfb27f2b37b5fc580ba17a8ffa";
        assert_eq!(verify(&secret, not_hex, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), no_match);
        let truncated = &EXAMPLE_HEADER[..EXAMPLE_HEADER.len() - 2];
        assert_eq!(verify(&secret, truncated, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), no_match);
    }

    #[test]
    fn accepts_any_of_several_signatures_during_a_rotation() {
        let (old, new) = (other_secret(), example_secret());
        let body = EXAMPLE_BODY.as_bytes();
        let header = sign_with_each(&[&new, &old], EXAMPLE_TIME, body);
        assert!(header.starts_with(EXAMPLE_HEADER), "{header}");
        assert_eq!(header.matches(",v1=").count(), 2);
        for secret in [&old, &new] {
            assert_eq!(verify(secret, &header, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), Ok(()));
        }
        let third = WebhookSecret::from_operator("a-third-secret-nobody-uses-here").unwrap();
        assert_eq!(verify(&third, &header, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), Err(VerifyError::NoMatch));
        let with_future_scheme = format!("{header},v2=abc");
        assert_eq!(verify(&old, &with_future_scheme, body, EXAMPLE_TIME, DEFAULT_TOLERANCE), Ok(()));
    }

    #[test]
    fn refuses_malformed_headers() {
        let secret = example_secret();
        let body = EXAMPLE_BODY.as_bytes();
        let signature = "v1=f23eae00155f9ca3b5b458df1f94b76d4b15bcdfb27f2b37b5fc580ba17a8ffa";
        let too_many = format!("t=1796117405{}", format!(",{signature}").repeat(MAX_SIGNATURES + 1));
        let too_long = format!("t=1796117405,{signature},x={}", "a".repeat(MAX_HEADER_BYTES));
        for header in [
            String::new(),
            "t=1796117405".to_owned(),
            signature.to_owned(),
            format!("t=,{signature}"),
            format!("t=-5,{signature}"),
            format!("t=17961174O5,{signature}"),
            format!("t=99999999999999999999,{signature}"),
            format!("t=1796117405,t=1796117405,{signature}"),
            format!("t=1796117405;{signature}"),
            format!("1796117405,{signature}"),
            too_many,
            too_long,
        ] {
            assert_eq!(
                verify(&secret, &header, body, EXAMPLE_TIME, DEFAULT_TOLERANCE),
                Err(VerifyError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn generated_secrets_carry_32_random_bytes() {
        let first = WebhookSecret::generate().unwrap();
        let second = WebhookSecret::generate().unwrap();
        assert_ne!(first.expose(), second.expose());
        assert_eq!(URL_SAFE_NO_PAD.decode(first.expose()).unwrap().len(), 32);
        assert!(WebhookSecret::from_operator(first.expose()).is_ok());
    }

    #[test]
    fn operator_secrets_need_24_characters_and_no_stray_ones() {
        assert_eq!(WebhookSecret::from_operator("a".repeat(23)).err(), Some(SecretError::TooShort));
        assert!(WebhookSecret::from_operator("a".repeat(24)).is_ok());
        // Characters, not bytes: 23 accented letters are still too short.
        assert_eq!(WebhookSecret::from_operator("é".repeat(23)).err(), Some(SecretError::TooShort));
        assert_eq!(WebhookSecret::from_operator("a".repeat(513)).err(), Some(SecretError::TooLong));
        for stray in
            [" leading-space-secret-value-x", "trailing-newline-secret-value\n", "tab\tinside-the-secret-value-x"]
        {
            assert_eq!(WebhookSecret::from_operator(stray).err(), Some(SecretError::StrayCharacters), "{stray:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = example_secret();
        let debug = format!("{secret:?} {:?}", Some(&secret));
        assert!(!debug.contains(EXAMPLE_SECRET), "{debug}");
        assert!(debug.contains("redacted"), "{debug}");
    }
}
