//! The staff session cookie: how it is set, removed and read back.
//!
//! The cookie is `HttpOnly`, so a script injected into a page cannot read the token;
//! `SameSite=Strict`, so the browser leaves it off requests started by other sites; and
//! `Path=/` with no `Domain`, so it goes to this receiver's host only. Served over HTTPS it is
//! `Secure` and named with the `__Host-` prefix, which makes browsers refuse it unless it was
//! set exactly like that by this very host, so a sibling subdomain cannot plant one. Browsers
//! accept `__Host-` and `Secure` only from HTTPS pages, and treat `http://localhost` as secure
//! enough to allow neither everywhere, so a receiver run on plain HTTP on the loopback interface
//! (a developer's machine) uses a plain name without `Secure`. Anywhere else, plain HTTP gets
//! the secure cookie, which browsers will not send back: signing in over plain HTTP across a
//! network fails instead of exposing the token.
//!
//! No `Max-Age`: the browser drops the cookie when it closes, and the receiver ends the session
//! itself (see [`super::session::SessionPolicy`]).

use std::net::IpAddr;

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};
use url::{Host, Url};

use super::csrf::CsrfToken;
use super::session::SessionToken;

/// The cookie's name when it is `Secure`.
pub const SECURE_COOKIE_NAME: &str = "__Host-sk_staff";
/// The cookie's name on plain HTTP on the loopback interface, where `__Host-` is not allowed.
pub const LOCAL_COOKIE_NAME: &str = "sk_staff";
/// The sign-in form's token cookie, under the same rules as the session cookie.
pub const SECURE_SIGN_IN_FORM_NAME: &str = "__Host-sk_sign_in";
pub const LOCAL_SIGN_IN_FORM_NAME: &str = "sk_sign_in";

/// The session cookie as this receiver sets it, decided once from its public URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCookie {
    secure: bool,
}

impl SessionCookie {
    /// `Secure` unless `public_url` is `http://` on `localhost` or a loopback address. A URL
    /// that cannot be parsed gets the secure cookie, the choice that never leaks the token.
    pub fn for_public_url(public_url: &str) -> SessionCookie {
        let plain_local =
            Url::parse(public_url).is_ok_and(|url| url.scheme() == "http" && url.host().is_some_and(is_loopback));
        SessionCookie { secure: !plain_local }
    }

    pub fn is_secure(&self) -> bool {
        self.secure
    }

    pub fn name(&self) -> &'static str {
        if self.secure {
            SECURE_COOKIE_NAME
        } else {
            LOCAL_COOKIE_NAME
        }
    }

    /// The `Set-Cookie` value that gives the browser `token`.
    pub fn set(&self, token: &SessionToken) -> HeaderValue {
        header_value(self.cookie(token.as_str().to_owned()))
    }

    /// The `Set-Cookie` value that makes the browser forget the cookie, for signing out. Its
    /// attributes match the cookie's, as browsers require to replace it.
    pub fn remove(&self) -> HeaderValue {
        let mut cookie = self.cookie(String::new());
        cookie.make_removal();
        header_value(cookie)
    }

    /// The session token in a request's `Cookie` headers, if one is there and well formed.
    /// Only this receiver's own name counts: when the cookie is `Secure`, a plain `sk_staff`
    /// could have been planted over HTTP or by a subdomain.
    pub fn read(&self, headers: &HeaderMap) -> Option<SessionToken> {
        cookies_named(headers, self.name()).find_map(|cookie| SessionToken::parse(cookie.value()))
    }

    /// The sign-in form's own token cookie: the form carries the same random value in a hidden
    /// field, so a form posted from another site (which cannot read the cookie) is refused
    /// before any password is checked. It lives only until the next sign-in.
    pub fn sign_in_form_name(&self) -> &'static str {
        if self.secure {
            SECURE_SIGN_IN_FORM_NAME
        } else {
            LOCAL_SIGN_IN_FORM_NAME
        }
    }

    pub fn set_sign_in_form(&self, token: &CsrfToken) -> HeaderValue {
        header_value(self.named(self.sign_in_form_name(), token.as_str().to_owned()))
    }

    pub fn remove_sign_in_form(&self) -> HeaderValue {
        let mut cookie = self.named(self.sign_in_form_name(), String::new());
        cookie.make_removal();
        header_value(cookie)
    }

    /// The sign-in form token from the request's cookies.
    pub fn read_sign_in_form(&self, headers: &HeaderMap) -> Option<CsrfToken> {
        cookies_named(headers, self.sign_in_form_name())
            .find(|cookie| !cookie.value().is_empty())
            .map(|cookie| CsrfToken::from_stored(cookie.value().to_owned()))
    }

    fn cookie(&self, value: String) -> Cookie<'static> {
        self.named(self.name(), value)
    }

    fn named(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value)).http_only(true).same_site(SameSite::Strict).path("/").secure(self.secure).build()
    }
}

/// The cookies called `name` in a request's `Cookie` headers, in order.
fn cookies_named<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = Cookie<'a>> + 'a {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(move |cookie| cookie.name() == name)
}

fn header_value(cookie: Cookie<'static>) -> HeaderValue {
    // The name is a constant and the value base64url or empty: always a valid header value.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn is_loopback(host: Host<&str>) -> bool {
    match host {
        Host::Domain(domain) => domain.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(address) => IpAddr::V4(address).is_loopback(),
        Host::Ipv6(address) => IpAddr::V6(address).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> SessionToken {
        SessionToken::generate().unwrap()
    }

    fn request_with(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        headers
    }

    #[test]
    fn plain_http_on_loopback_only_gets_the_local_cookie() {
        for url in [
            "http://localhost:8080",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://LOCALHOST",
            "http://127.0.0.2",
        ] {
            let cookie = SessionCookie::for_public_url(url);
            assert!(!cookie.is_secure(), "{url}");
            assert_eq!(cookie.name(), "sk_staff", "{url}");
        }
        for url in [
            "https://localhost:8443",
            "https://give.example",
            "http://give.example",
            "http://192.168.1.10:8080",
            "http://localhost.give.example",
            "not a url",
            "",
        ] {
            let cookie = SessionCookie::for_public_url(url);
            assert!(cookie.is_secure(), "{url}");
            assert_eq!(cookie.name(), "__Host-sk_staff", "{url}");
        }
    }

    #[test]
    fn the_secure_cookie_has_every_protection() {
        let token = token();
        let header = SessionCookie::for_public_url("https://give.example").set(&token);
        let text = header.to_str().unwrap();
        assert!(text.starts_with(&format!("__Host-sk_staff={};", token.as_str())), "{text}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
            assert!(text.split("; ").any(|part| part == attribute), "{attribute} missing: {text}");
        }
        assert!(!text.contains("Domain") && !text.contains("Max-Age"), "{text}");
    }

    #[test]
    fn the_local_cookie_is_not_secure_but_otherwise_the_same() {
        let token = token();
        let text = SessionCookie::for_public_url("http://127.0.0.1:8080").set(&token).to_str().unwrap().to_owned();
        assert!(text.starts_with(&format!("sk_staff={};", token.as_str())), "{text}");
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict") && text.contains("Path=/"), "{text}");
        assert!(!text.contains("Secure"), "{text}");
    }

    #[test]
    fn removal_empties_and_expires_the_same_cookie() {
        let text = SessionCookie::for_public_url("https://give.example").remove().to_str().unwrap().to_owned();
        assert!(text.starts_with("__Host-sk_staff=;"), "{text}");
        assert!(text.contains("Max-Age=0") && text.contains("Path=/") && text.contains("Secure"), "{text}");
    }

    #[test]
    fn the_token_is_read_back_from_the_cookie_header() {
        let cookie = SessionCookie::for_public_url("https://give.example");
        let token = token();
        let other = format!("theme=dark; __Host-sk_staff={}; lang=fr", token.as_str());
        assert_eq!(cookie.read(&request_with(&[&other])), Some(token.clone()));
        // Browsers over HTTP/2 may send one Cookie header per cookie.
        let separate = format!("__Host-sk_staff={}", token.as_str());
        assert_eq!(cookie.read(&request_with(&["theme=dark", &separate])), Some(token));
    }

    #[test]
    fn a_missing_malformed_or_misnamed_cookie_reads_as_none() {
        let secure = SessionCookie::for_public_url("https://give.example");
        let token = token();
        assert_eq!(secure.read(&HeaderMap::new()), None);
        assert_eq!(secure.read(&request_with(&["__Host-sk_staff=not-a-token"])), None);
        assert_eq!(secure.read(&request_with(&["__Host-sk_staff="])), None);
        // A plain-named cookie might have been planted by a subdomain; it does not count.
        assert_eq!(secure.read(&request_with(&[&format!("sk_staff={}", token.as_str())])), None);
        let local = SessionCookie::for_public_url("http://localhost:8080");
        assert_eq!(local.read(&request_with(&[&format!("__Host-sk_staff={}", token.as_str())])), None);
        assert_eq!(local.read(&request_with(&[&format!("sk_staff={}", token.as_str())])), Some(token));
    }

    #[test]
    fn a_bad_cookie_before_a_good_one_does_not_hide_it() {
        let cookie = SessionCookie::for_public_url("https://give.example");
        let token = token();
        let header = format!("__Host-sk_staff=garbage; __Host-sk_staff={}", token.as_str());
        assert_eq!(cookie.read(&request_with(&[&header])), Some(token));
    }
}
