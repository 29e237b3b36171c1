//! Links to the charity's own pages that a partner may add: its privacy notice, shown where the
//! donor gives their details, and the page where a donor sets up their gift, offered once the
//! pledge is received.
//!
//! Both follow the endpoint's rules: a donor who follows one must land on a page that keeps
//! what they enter there encrypted in transit.

use super::{check_endpoint, ConfigProblem, UrlParser};

/// Where the `continue-url` takes the pledge's reference.
pub const REFERENCE_PLACEHOLDER: &str = "{reference}";

/// A `continue-url`, checked as it will be used: with a reference in its placeholder. The
/// template itself is kept, since the reference is known only once the pledge is received.
pub fn check_continue_url(template: &str, parse: UrlParser) -> Result<String, ConfigProblem> {
    check_endpoint(&template.replace(REFERENCE_PLACEHOLDER, "SK-0000-0000"), parse)?;
    Ok(template.to_owned())
}

/// The `continue-url` for a received pledge. The reference comes from whatever answered at the
/// endpoint, so it is percent-encoded: it can add to the address, never change its shape.
pub fn continue_href(template: &str, reference: &str, parse: UrlParser) -> Option<String> {
    check_endpoint(&template.replace(REFERENCE_PLACEHOLDER, &percent_encoded(reference)), parse).ok()
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn percent_encoded(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.extend(['%', char::from(HEX[usize::from(byte >> 4)]), char::from(HEX[usize::from(byte & 0xF)])]);
        }
    }
    encoded
}
