//! Length and character rules shared by every free-text field.

use crate::{ErrorCode, FieldError};

/// Maximum lengths, in characters, of every string in a pledge, and of its one duration.
pub mod limits {
    pub const NAME: usize = 100;
    pub const EMAIL: usize = 254;
    pub const HOME_ADDRESS: usize = 200;
    pub const POSTCODE: usize = 10;
    /// A postcode anywhere in the world, for letters: the longest in use have 10 characters.
    pub const POSTAL_CODE: usize = 16;
    pub const PHONE: usize = 32;
    pub const PARTNER: usize = 64;
    pub const PAGE_URL: usize = 2048;
    pub const HONEYPOT: usize = 200;
    pub const WORDING_VERSION: usize = 32;
    pub const TIMESTAMP: usize = 35;
    /// Thirty days in milliseconds. It keeps the value exact as a JavaScript number and in a
    /// signed 64-bit database column; it is reported as `too_long`, like an over-long string.
    pub const FILL_MS: u64 = 30 * 24 * 60 * 60 * 1000;
    const _: () = assert!(FILL_MS < 1 << 53 && FILL_MS < i64::MAX as u64);
}

/// Checks a required free-text field. Leading and trailing white space does not count as content.
pub(crate) fn check_required(pointer: &str, value: &str, max_chars: usize) -> Option<FieldError> {
    if value.trim().is_empty() {
        Some(FieldError::new(pointer, ErrorCode::Required))
    } else {
        check_optional(pointer, value, max_chars)
    }
}

/// Checks a free-text field that may be empty.
pub(crate) fn check_optional(pointer: &str, value: &str, max_chars: usize) -> Option<FieldError> {
    if value.chars().count() > max_chars {
        Some(FieldError::new(pointer, ErrorCode::TooLong))
    } else if value.chars().any(char::is_control) {
        // Names and addresses never need control characters, and refusing them keeps
        // CSV exports and logs free of line breaks smuggled into a cell.
        Some(FieldError::new(pointer, ErrorCode::ControlCharacters))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_refuses_blank() {
        assert_eq!(check_required("/x", "  ", 5).unwrap().code, ErrorCode::Required);
        assert_eq!(check_required("/x", "", 5).unwrap().code, ErrorCode::Required);
        assert!(check_required("/x", "Awa", 5).is_none());
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(check_optional("/x", "ééééé", 5).is_none());
        assert_eq!(check_optional("/x", "éééééé", 5).unwrap().code, ErrorCode::TooLong);
    }

    #[test]
    fn refuses_control_characters() {
        for value in ["a\nb", "a\rb", "a\u{0}b", "a\tb", "a\u{7f}b"] {
            assert_eq!(check_optional("/x", value, 50).unwrap().code, ErrorCode::ControlCharacters);
        }
        assert!(check_optional("/x", "<img src=x onerror=alert(1)>", 50).is_none());
    }
}
