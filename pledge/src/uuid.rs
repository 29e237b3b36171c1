/// Whether `key` is a UUID version 4 in its canonical lowercase hyphenated form, as
/// `crypto.randomUUID()` produces it. Being strict keeps one key from having two spellings.
pub fn is_uuid_v4(key: &str) -> bool {
    let bytes = key.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    bytes.iter().enumerate().all(|(index, &byte)| match index {
        8 | 13 | 18 | 23 => byte == b'-',
        14 => byte == b'4',
        19 => matches!(byte, b'8' | b'9' | b'a' | b'b'),
        _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_canonical_v4() {
        assert!(is_uuid_v4("3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f"));
        assert!(is_uuid_v4("00000000-0000-4000-a000-000000000000"));
    }

    #[test]
    fn refuses_other_versions_variants_and_spellings() {
        for key in [
            "",
            "3f2b8c1e-9d4a-1c3b-8e2f-1a2b3c4d5e6f",
            "3f2b8c1e-9d4a-4c3b-7e2f-1a2b3c4d5e6f",
            "3F2B8C1E-9D4A-4C3B-8E2F-1A2B3C4D5E6F",
            "3f2b8c1e9d4a4c3b8e2f1a2b3c4d5e6f",
            "{3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f}",
            "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6g",
            "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f\r\nX-Evil: 1",
        ] {
            assert!(!is_uuid_v4(key), "{key:?} was accepted");
        }
    }
}
