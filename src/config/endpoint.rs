//! Which endpoints a pledge may be sent to.
//!
//! The endpoint is written by the partner, but a compromised or careless page could point it
//! anywhere, so only URLs that keep donors' details encrypted in transit are accepted. The
//! address is read by the browser's own URL parser, the one `fetch` uses, so that nothing the
//! widget accepts is refused later when a pledge is sent; the parser's spelling of it is the
//! address every attempt goes to and the outbox records.

use super::ConfigProblem;

/// What a WHATWG URL parser (the browser's `new URL(text)`) makes of an address: the parts the
/// checks read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The whole address as the parser writes it: scheme and host lower-cased, an
    /// international host in punycode, a default port left out.
    pub href: String,
    /// The scheme with its colon, such as `https:`.
    pub protocol: String,
    /// The host without its port; an IPv6 address keeps its brackets.
    pub hostname: String,
    /// Whether the address carries a user name or a password.
    pub has_credentials: bool,
}

/// A URL parser: the browser's in the widget, an equivalent one in native tests.
pub type UrlParser<'a> = &'a dyn Fn(&str) -> Option<ParsedUrl>;

/// Accepts `https://host/...`, and `http://` only for the loopback hosts used in development.
/// Returns the address as the parser writes it.
pub fn check_endpoint(endpoint: &str, parse: UrlParser) -> Result<String, ConfigProblem> {
    // The parser would quietly drop tabs and line breaks and read `\` as `/`; an attribute
    // holding them was not written as the address it would become.
    if endpoint.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return Err(ConfigProblem::EndpointNotAbsolute);
    }
    let url = parse(endpoint).ok_or(ConfigProblem::EndpointNotAbsolute)?;
    if url.has_credentials {
        return Err(ConfigProblem::EndpointHasCredentials);
    }
    if url.hostname.is_empty() {
        return Err(ConfigProblem::EndpointNotAbsolute);
    }
    match url.protocol.as_str() {
        "https:" => Ok(url.href),
        "http:" if matches!(url.hostname.as_str(), "localhost" | "127.0.0.1" | "[::1]") => Ok(url.href),
        "http:" => Err(ConfigProblem::EndpointInsecure),
        _ => Err(ConfigProblem::EndpointNotAbsolute),
    }
}
