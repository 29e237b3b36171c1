//! Pledge references such as `SK-7Q2M-X9D4`: what a donor reads aloud on the phone.
//!
//! Crockford's base 32 leaves out `I`, `L`, `O` and `U`, so a reference survives being read,
//! typed or written by hand. Forty random bits keep references unguessable enough that one
//! donor's reference tells nothing about another's; the store retries on the rare collision.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX: &str = "SK-";

/// A fresh random reference.
pub fn generate() -> String {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    encode(bytes)
}

fn encode(bytes: [u8; 5]) -> String {
    let bits = bytes.iter().fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte));
    let symbols: Vec<char> =
        (0..8).rev().map(|group| ALPHABET[((bits >> (group * 5)) & 31) as usize] as char).collect();
    let (first, second) = symbols.split_at(4);
    format!("{PREFIX}{}-{}", first.iter().collect::<String>(), second.iter().collect::<String>())
}

/// Whether `text` has the shape of a reference this receiver hands out.
pub fn is_reference(text: &str) -> bool {
    let Some(body) = text.strip_prefix(PREFIX) else { return false };
    let bytes = body.as_bytes();
    bytes.len() == 9
        && bytes[4] == b'-'
        && bytes.iter().enumerate().all(|(index, byte)| index == 4 || ALPHABET.contains(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_forty_bits_as_eight_symbols() {
        assert_eq!(encode([0; 5]), "SK-0000-0000");
        assert_eq!(encode([0xff; 5]), "SK-ZZZZ-ZZZZ");
        assert_eq!(encode([0, 0, 0, 0, 33]), "SK-0000-0011");
    }

    #[test]
    fn generated_references_are_well_formed_and_differ() {
        let references: std::collections::HashSet<String> = (0..1000).map(|_| generate()).collect();
        assert_eq!(references.len(), 1000);
        assert!(references.iter().all(|reference| is_reference(reference)));
    }

    #[test]
    fn never_uses_ambiguous_letters() {
        for reference in (0..500).map(|_| generate()) {
            assert!(!reference[3..].contains(['I', 'L', 'O', 'U']), "{reference}");
        }
        assert!(!is_reference("SK-0000-000O"));
        assert!(!is_reference("SK-00000000"));
        assert!(!is_reference("XX-0000-0000"));
    }
}
