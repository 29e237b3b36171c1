//! Idempotency keys: one per pledge, made in the browser before the first attempt.

/// A fresh idempotency key for a new pledge: a lower-case UUID v4.
///
/// `crypto.randomUUID()` exists only on secure (https or localhost) pages, and a partner may
/// still serve plain http; `crypto.getRandomValues()` works everywhere, so it is the fallback.
/// The key only has to be unique, not secret, which is why `Math.random()` is the last resort.
pub fn new_idempotency_key() -> String {
    let crypto = web_sys::window().and_then(|window| window.crypto().ok());
    if let Some(crypto) = &crypto {
        // `randomUUID` is absent from insecure contexts: look before calling.
        let has_random_uuid =
            js_sys::Reflect::get(crypto, &"randomUUID".into()).map(|f| f.is_function()).unwrap_or(false);
        if has_random_uuid {
            let key = crypto.random_uuid();
            if pledge::is_uuid_v4(&key) {
                return key;
            }
        }
    }
    let mut bytes = [0u8; 16];
    let filled = crypto.is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid_v4_from_bytes(bytes)
}

/// Formats 16 random bytes as a UUID v4 (RFC 9562 §5.4), setting its version and variant bits.
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut key = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            key.push('-');
        }
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sets_version_and_variant() {
        assert_eq!(uuid_v4_from_bytes([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4_from_bytes([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    proptest! {
        #[test]
        fn any_bytes_make_a_valid_key(bytes in any::<[u8; 16]>()) {
            prop_assert!(pledge::is_uuid_v4(&uuid_v4_from_bytes(bytes)));
        }
    }
}
