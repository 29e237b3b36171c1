//! Idempotency keys, following the IETF `Idempotency-Key` header draft.
//!
//! A key is a lowercase UUID v4, sent in the header and repeated in the body. The stored pledge
//! remembers the canonical hash of the body it was made with, so a retry of the same pledge is
//! recognised however its JSON was spelled, and a different pledge under the same key is not.

use axum::http::HeaderMap;
use pledge::Pledge;
use sha2::{Digest, Sha256};

use super::refusal::Refusal;

pub const HEADER: &str = "idempotency-key";
/// Set to `true` on an answer that repeats the one first given for the key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// What [`key_from_headers`] accepts, as published in the OpenAPI document: a lower-case UUID
/// v4, bare or as a structured-field string.
pub const HEADER_PATTERN: &str = r#"^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")$"#;

/// The key from the `Idempotency-Key` header. The draft defines the value as a structured-field
/// string (`"…"`); the bare UUID is accepted too, since that is what most clients send.
pub fn key_from_headers(headers: &HeaderMap) -> Result<String, Refusal> {
    let mut values = headers.get_all(HEADER).iter();
    let Some(value) = values.next() else {
        return Err(Refusal::MissingKey);
    };
    if values.next().is_some() {
        return Err(Refusal::MalformedKey("Send exactly one Idempotency-Key header."));
    }
    let text = value.to_str().map_err(|_| Refusal::MalformedKey("The Idempotency-Key header must be ASCII."))?.trim();
    let key = text.strip_prefix('"').and_then(|inner| inner.strip_suffix('"')).unwrap_or(text);
    if pledge::is_uuid_v4(key) {
        Ok(key.to_owned())
    } else {
        Err(Refusal::MalformedKey("The Idempotency-Key header must be a lowercase UUID version 4."))
    }
}

/// SHA-256 of the pledge re-serialised from its typed form: field order, white space and
/// string escapes of the original text do not change it; any difference in content does.
pub fn canonical_hash(pledge: &Pledge) -> [u8; 32] {
    let canonical = serde_json::to_vec(pledge).expect("a pledge always serialises");
    Sha256::digest(canonical).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const KEY: &str = "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f";

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(HEADER, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn reads_bare_and_quoted_keys() {
        assert_eq!(key_from_headers(&headers(&[KEY.as_bytes()])).unwrap(), KEY);
        assert_eq!(key_from_headers(&headers(&[format!("\"{KEY}\"").as_bytes()])).unwrap(), KEY);
    }

    #[test]
    fn missing_and_malformed_keys_are_refused() {
        assert_eq!(key_from_headers(&headers(&[])), Err(Refusal::MissingKey));
        for value in [&b"abc"[..], b"3F2B8C1E-9D4A-4C3B-8E2F-1A2B3C4D5E6F", b"\xff\xfe", b"\"unterminated"] {
            let refusal = key_from_headers(&headers(&[value])).unwrap_err();
            assert!(matches!(refusal, Refusal::MalformedKey(_)), "{value:?}: {refusal:?}");
        }
        assert_eq!(
            key_from_headers(&headers(&[KEY.as_bytes(), KEY.as_bytes()])),
            Err(Refusal::MalformedKey("Send exactly one Idempotency-Key header."))
        );
    }

    #[test]
    fn hash_ignores_spelling_but_not_content() {
        let text = r#"{"schema_version":1,"idempotency_key":"3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f","option":"child","frequency":"monthly","amount":{"minor_units":2500,"currency":"GBP"},"donor":{"given_name":"Awa","family_name":"Traoré","email":"awa@example.org","country":"GB"},"consent":{"wording_version":"consent-2026-11","email":false,"post":false,"phone":false},"partner":"st-marys","page_url":"https://example.org/","locale":"en","client_created_at":"2026-11-27T10:00:00Z","anti_spam":{"honeypot":"","fill_ms":9000}}"#;
        let pledge: Pledge = serde_json::from_str(text).unwrap();
        let mut reordered: serde_json::Value = serde_json::from_str(text).unwrap();
        reordered["donor"]["family_name"] = "Traor\u{e9}".into();
        let respelled: Pledge =
            serde_json::from_str(&serde_json::to_string_pretty(&reordered).unwrap().replace("é", "\\u00e9")).unwrap();
        assert_eq!(canonical_hash(&pledge), canonical_hash(&respelled));

        let mut changed = pledge.clone();
        changed.amount.minor_units += 1;
        assert_ne!(canonical_hash(&pledge), canonical_hash(&changed));
    }
}
