//! Cross-site request forgery defences for the staff pages' forms.
//!
//! Two independent checks guard every state-changing request made with the session cookie:
//!
//! - a per-session token, stored with the session and written into each form as a hidden
//!   field, which another site cannot read and so cannot submit;
//! - the browser's own word on where the request came from (`Sec-Fetch-Site`, else `Origin`),
//!   refused unless it is this receiver itself.
//!
//! `SameSite=Strict` on the cookie already keeps it off cross-site requests in current
//! browsers; these checks hold where that does not (older browsers, a sibling subdomain, which
//! counts as the same site).

use std::fmt;

use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, Method};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use subtle::ConstantTimeEq;
use url::Url;

/// The name of the hidden form field that carries the token.
pub const CSRF_FIELD: &str = "csrf_token";

/// A session's anti-forgery token: 32 random bytes, base64url, safe in HTML attributes and
/// form bodies as they are. `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// A fresh token, made when the session is.
    pub fn generate() -> Result<CsrfToken, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(CsrfToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token read back from the session's storage.
    pub fn from_stored(text: impl Into<String>) -> CsrfToken {
        CsrfToken(text.into())
    }

    /// The text to store with the session and to write into forms.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `submitted`, the form field's value, is this token. The comparison takes the
    /// same time wherever the first difference is, so timing does not reveal the token a
    /// character at a time. A missing field and an empty stored token never match.
    pub fn matches(&self, submitted: Option<&str>) -> bool {
        match submitted {
            Some(submitted) if !self.0.is_empty() => bool::from(self.0.as_bytes().ct_eq(submitted.as_bytes())),
            _ => false,
        }
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("CsrfToken([redacted])")
    }
}

/// Why a state-changing request was taken for a cross-site one, for the log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrossSiteRequest {
    /// `Sec-Fetch-Site` said `cross-site` or `same-site` (or something unknown).
    FetchSite(String),
    /// `Origin` named another origin, or was `null` (a sandboxed frame, a local file, a
    /// redirect across origins).
    Origin(String),
}

impl fmt::Display for CrossSiteRequest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrossSiteRequest::FetchSite(value) => {
                write!(formatter, "the browser says the request came from another site (Sec-Fetch-Site: {value})")
            }
            CrossSiteRequest::Origin(value) => {
                write!(formatter, "the request came from another origin (Origin: {value})")
            }
        }
    }
}

impl std::error::Error for CrossSiteRequest {}

/// Refuses a state-changing request that a browser says another origin started.
/// `receiver_origin` is the receiver's public origin (`scheme://host[:port]`).
///
/// Safe methods (GET, HEAD, OPTIONS) always pass: they change nothing. `Sec-Fetch-Site`,
/// which every current browser sends and no page can forge, decides when present: only
/// `same-origin`, or `none` (typed into the address bar, a bookmark), passes. Otherwise
/// `Origin` must be the receiver's own. A request with neither header came from no browser
/// (a script with `curl`) or a very old one, and cannot carry another site's forgery without
/// also knowing the form's token, so it passes this check and is left to that one.
pub fn check_same_origin(method: &Method, headers: &HeaderMap, receiver_origin: &str) -> Result<(), CrossSiteRequest> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(fetch_site) = headers.get("sec-fetch-site") {
        let value = String::from_utf8_lossy(fetch_site.as_bytes()).into_owned();
        return match value.as_str() {
            "same-origin" | "none" => Ok(()),
            _ => Err(CrossSiteRequest::FetchSite(value)),
        };
    }
    let Some(origin) = headers.get(ORIGIN) else { return Ok(()) };
    let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
    if same_origin(&origin, receiver_origin) {
        Ok(())
    } else {
        Err(CrossSiteRequest::Origin(origin))
    }
}

/// Origins compared as browsers serialise them, so that `https://Give.example:443` in the
/// configuration matches the `https://give.example` a browser sends.
fn same_origin(sent: &str, receiver_origin: &str) -> bool {
    let serialise = |text: &str| Url::parse(text).ok().map(|url| url.origin()).filter(|origin| origin.is_tuple());
    match (serialise(sent), serialise(receiver_origin)) {
        (Some(sent), Some(receiver)) => sent == receiver,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const RECEIVER: &str = "https://give.example";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn post(pairs: &[(&'static str, &str)]) -> Result<(), CrossSiteRequest> {
        check_same_origin(&Method::POST, &headers(pairs), RECEIVER)
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let first = CsrfToken::generate().unwrap();
        let second = CsrfToken::generate().unwrap();
        assert_ne!(first, second);
        assert_eq!(first.as_str().len(), 43);
        assert!(first.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn only_the_exact_token_matches() {
        let token = CsrfToken::generate().unwrap();
        let stored = CsrfToken::from_stored(token.as_str());
        assert!(stored.matches(Some(token.as_str())));
        assert!(!stored.matches(None));
        assert!(!stored.matches(Some("")));
        assert!(!stored.matches(Some(&token.as_str()[1..])));
        assert!(!stored.matches(Some(&format!("{}x", token.as_str()))));
        let mut last_changed = token.as_str()[..42].to_owned();
        last_changed.push(if token.as_str().ends_with('A') { 'B' } else { 'A' });
        assert!(!stored.matches(Some(&last_changed)));
        assert!(!CsrfToken::generate().unwrap().matches(Some(token.as_str())));
        assert!(!CsrfToken::from_stored("").matches(Some("")), "an empty stored token must not match an empty field");
    }

    #[test]
    fn debug_hides_the_token() {
        let token = CsrfToken::generate().unwrap();
        assert_eq!(format!("{token:?}"), "CsrfToken([redacted])");
    }

    #[test]
    fn fetch_site_decides_when_present() {
        assert_eq!(post(&[("sec-fetch-site", "same-origin")]), Ok(()));
        assert_eq!(post(&[("sec-fetch-site", "none")]), Ok(()));
        assert_eq!(
            post(&[("sec-fetch-site", "cross-site")]),
            Err(CrossSiteRequest::FetchSite("cross-site".to_owned()))
        );
        assert_eq!(post(&[("sec-fetch-site", "same-site")]), Err(CrossSiteRequest::FetchSite("same-site".to_owned())));
        // A cross-site request is refused even with a matching Origin, which it cannot have
        // from a browser, and a same-origin one passes whatever Origin says.
        assert!(post(&[("sec-fetch-site", "cross-site"), ("origin", RECEIVER)]).is_err());
        assert!(post(&[("sec-fetch-site", "same-origin"), ("origin", "https://evil.example")]).is_ok());
    }

    #[test]
    fn origin_decides_without_fetch_site() {
        assert_eq!(post(&[("origin", "https://give.example")]), Ok(()));
        assert_eq!(
            post(&[("origin", "https://evil.example")]),
            Err(CrossSiteRequest::Origin("https://evil.example".to_owned()))
        );
        assert!(post(&[("origin", "null")]).is_err());
        assert!(post(&[("origin", "http://give.example")]).is_err(), "another scheme is another origin");
        assert!(post(&[("origin", "https://give.example:8443")]).is_err(), "another port is another origin");
        assert!(post(&[("origin", "https://sub.give.example")]).is_err(), "a subdomain is another origin");
        assert!(check_same_origin(
            &Method::POST,
            &headers(&[("origin", "https://give.example")]),
            "https://Give.example:443/"
        )
        .is_ok());
    }

    #[test]
    fn requests_without_either_header_are_left_to_the_token() {
        assert_eq!(post(&[]), Ok(()));
    }

    #[test]
    fn safe_methods_always_pass() {
        let cross = headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")]);
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(check_same_origin(&method, &cross, RECEIVER).is_ok(), "{method}");
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(check_same_origin(&method, &cross, RECEIVER).is_err(), "{method}");
        }
    }

    #[test]
    fn the_refusal_explains_itself() {
        let message = post(&[("origin", "https://evil.example")]).unwrap_err().to_string();
        assert!(message.contains("Origin: https://evil.example"), "{message}");
    }
}
