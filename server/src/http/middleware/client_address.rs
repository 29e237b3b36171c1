//! Who the client is: the address that keys the rate limit and the request log.
//!
//! Without trusted proxies it is the socket's peer, whatever the headers say. Behind a reverse
//! proxy listed in `--trusted-proxies`, the forwarding headers are read from the right, the
//! proxy nearest to the receiver first: each hop that is itself a trusted proxy is skipped,
//! and the first address that is not one is the client. Everything to the left of it was
//! written by the client and is never believed. `Forwarded` (RFC 7239) is read in preference
//! to `X-Forwarded-For` when a request carries it.
//!
//! An entry that is not an address (`unknown`, an obfuscated `_name`, garbage) stops the walk
//! at the proxy that wrote it, so that the request counts against that proxy and the client
//! cannot pick a bucket of its own choosing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::http::problem::Problem;

const FORWARDED: HeaderName = HeaderName::from_static("forwarded");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// At most this many hops are read from the forwarding headers; a longer chain is a client
/// padding the header, and the walk stops at the nearest trusted proxy instead.
const MAX_HOPS: usize = 32;

/// The client's address as this receiver decided it, available to handlers as an extractor
/// and to middleware as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<ClientAddress>().copied().ok_or_else(|| {
            tracing::error!("the client address layer is missing from the router");
            Problem::internal()
        })
    }
}

/// The proxies whose forwarding headers are believed, from `--trusted-proxies`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(networks.into_iter().map(|network| network.trunc()).collect())
    }

    /// Parses a comma-separated list of CIDR blocks or single addresses; empty items are
    /// ignored. The error names the item that is neither.
    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for item in items.into_iter().flat_map(|item| item.split(',')).map(str::trim).filter(|item| !item.is_empty()) {
            let network = IpNet::from_str(item).or_else(|_| IpAddr::from_str(item).map(IpNet::from)).map_err(|_| {
                format!("`{item}` is neither an IP address nor a CIDR block such as 10.0.0.0/8 or fd00::/8")
            })?;
            networks.push(network);
        }
        Ok(TrustedProxies::new(networks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether some block trusts every address, which lets any client name its own address.
    pub fn trusts_everyone(&self) -> bool {
        self.0.iter().any(|network| network.prefix_len() == 0)
    }

    pub fn networks(&self) -> &[IpNet] {
        &self.0
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }
}

/// The client's address, from the socket's peer, the request's headers and the trusted
/// proxies. Pure, so that every rule is tested without a network.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.trusts(peer) {
        return peer;
    }
    let hops = if headers.contains_key(FORWARDED) {
        forwarded_hops(headers)
    } else if headers.contains_key(X_FORWARDED_FOR) {
        x_forwarded_for_hops(headers)
    } else {
        return peer;
    };
    let mut nearest_trusted = peer;
    for hop in hops.iter().rev().take(MAX_HOPS) {
        match hop.map(canonical) {
            Some(address) if trusted.trusts(address) => nearest_trusted = address,
            Some(address) => return address,
            // The proxy that wrote this entry does not know the client either.
            None => return nearest_trusted,
        }
    }
    nearest_trusted
}

/// IPv4 clients reached over an IPv6 socket (`::ffff:192.0.2.1`) are the IPv4 address they are.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The `for=` node of every element of every `Forwarded` header, in order; `None` for an
/// element without one or with a node that is not an address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let mut hops = Vec::new();
    for value in headers.get_all(FORWARDED) {
        let Ok(text) = value.to_str() else {
            hops.push(None);
            continue;
        };
        for element in split_outside_quotes(text, ',') {
            let node = split_outside_quotes(element, ';').into_iter().find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim().eq_ignore_ascii_case("for").then(|| value.trim())
            });
            hops.push(node.and_then(unquote).and_then(|node| parse_node(&node)));
        }
    }
    hops
}

/// Every entry of every `X-Forwarded-For` header, in order; `None` for one that is not an
/// address.
fn x_forwarded_for_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        match value.to_str() {
            Ok(text) => hops.extend(text.split(',').map(|entry| parse_node(entry.trim()))),
            Err(_) => hops.push(None),
        }
    }
    hops
}

/// Splits at `separator` where it is not inside a quoted string (RFC 7230 `quoted-string`,
/// with backslash escapes).
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (index, character) in text.char_indices() {
        match character {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            _ if character == separator && !quoted => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A token as it is, or a quoted string without its quotes and escapes; `None` when a quote
/// is unbalanced.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return (!value.contains('"')).then(|| value.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut text = String::with_capacity(inner.len());
    let mut characters = inner.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => text.push(characters.next()?),
            '"' => return None,
            _ => text.push(character),
        }
    }
    Some(text)
}

/// A node as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`. `unknown`, obfuscated identifiers and anything
/// else are not addresses.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return Ipv6Addr::from_str(address).ok().map(IpAddr::V6);
    }
    if let Ok(address) = IpAddr::from_str(node) {
        return Some(address);
    }
    let (address, port) = node.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    Ipv4Addr::from_str(address).ok().map(IpAddr::V4)
}

/// A port number, or an obfuscated port (`_abc`) as RFC 7239 allows.
fn is_port(text: &str) -> bool {
    (!text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u16>().is_ok())
        || (text.len() > 1
            && text.starts_with('_')
            && text[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'))
}

/// Middleware: decides the client address once per request and stores it as a request
/// extension for the log line, the rate limit and the handlers.
pub async fn resolve(State(trusted): State<Arc<TrustedProxies>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    if let Some(peer) = peer {
        let address = client_address(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientAddress(address));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_str(name).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn trusted(list: &str) -> TrustedProxies {
        TrustedProxies::parse_list([list]).unwrap()
    }

    /// Peer, headers, trusted proxies, the expected client, and why.
    type Row<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);

    #[test]
    fn the_client_address_table() {
        let cases: &[Row] = &[
            ("203.0.113.7", &[], "", "203.0.113.7", "no proxies: the peer"),
            (
                "203.0.113.7",
                &[("x-forwarded-for", "198.51.100.1")],
                "",
                "203.0.113.7",
                "untrusted peer: headers ignored",
            ),
            (
                "203.0.113.7",
                &[("forwarded", "for=198.51.100.1")],
                "10.0.0.0/8",
                "203.0.113.7",
                "peer outside the trusted block",
            ),
            ("10.0.0.2", &[], "10.0.0.0/8", "10.0.0.2", "trusted peer without headers: the proxy itself"),
            ("10.0.0.2", &[("x-forwarded-for", "198.51.100.1")], "10.0.0.0/8", "198.51.100.1", "one trusted proxy"),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6, 198.51.100.1")],
                "10.0.0.0/8",
                "198.51.100.1",
                "the client's own entry on the left is not believed",
            ),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6, 198.51.100.1, 10.0.0.9")],
                "10.0.0.0/8",
                "198.51.100.1",
                "trusted hops are skipped from the right",
            ),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.1, 10.1.1.1")],
                "10.0.0.0/8",
                "198.51.100.1",
                "several headers form one chain",
            ),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "10.0.0.3, 10.0.0.4")],
                "10.0.0.0/8",
                "10.0.0.3",
                "all trusted: the farthest",
            ),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6, unknown")],
                "10.0.0.0/8",
                "10.0.0.2",
                "unknown stops at the proxy",
            ),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6, not-an-ip, 10.0.0.7")],
                "10.0.0.0/8",
                "10.0.0.7",
                "garbage stops at the trusted hop that wrote it",
            ),
            ("10.0.0.2", &[("x-forwarded-for", "")], "10.0.0.0/8", "10.0.0.2", "an empty header is the proxy"),
            ("10.0.0.2", &[("x-forwarded-for", "6.6.6.6,")], "10.0.0.0/8", "10.0.0.2", "a trailing empty entry"),
            ("10.0.0.2", &[("x-forwarded-for", "198.51.100.1:4711")], "10.0.0.0/8", "198.51.100.1", "IPv4 with a port"),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "[2001:db8::1]:4711")],
                "10.0.0.0/8",
                "2001:db8::1",
                "bracketed IPv6 with a port",
            ),
            ("10.0.0.2", &[("x-forwarded-for", "2001:db8::1")], "10.0.0.0/8", "2001:db8::1", "bare IPv6"),
            (
                "10.0.0.2",
                &[("x-forwarded-for", "::ffff:198.51.100.1")],
                "10.0.0.0/8",
                "198.51.100.1",
                "IPv4-mapped IPv6",
            ),
            ("10.0.0.2", &[("forwarded", "for=198.51.100.1")], "10.0.0.0/8", "198.51.100.1", "Forwarded, token"),
            (
                "10.0.0.2",
                &[("forwarded", "For=\"198.51.100.1:80\"")],
                "10.0.0.0/8",
                "198.51.100.1",
                "Forwarded, quoted, with a port",
            ),
            (
                "10.0.0.2",
                &[("forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.2")],
                "10.0.0.0/8",
                "2001:db8:cafe::17",
                "Forwarded, quoted IPv6 with brackets and a port, other parameters",
            ),
            (
                "10.0.0.2",
                &[("forwarded", "for=6.6.6.6, for=198.51.100.1;proto=https, for=10.9.9.9")],
                "10.0.0.0/8",
                "198.51.100.1",
                "Forwarded, walked from the right",
            ),
            (
                "10.0.0.2",
                &[("forwarded", "for=198.51.100.1"), ("x-forwarded-for", "6.6.6.6")],
                "10.0.0.0/8",
                "198.51.100.1",
                "Forwarded is preferred over X-Forwarded-For",
            ),
            ("10.0.0.2", &[("forwarded", "for=6.6.6.6, for=unknown")], "10.0.0.0/8", "10.0.0.2", "Forwarded unknown"),
            ("10.0.0.2", &[("forwarded", "for=6.6.6.6, for=_hidden")], "10.0.0.0/8", "10.0.0.2", "obfuscated node"),
            (
                "10.0.0.2",
                &[("forwarded", "for=6.6.6.6, proto=https")],
                "10.0.0.0/8",
                "10.0.0.2",
                "an element without for=",
            ),
            ("10.0.0.2", &[("forwarded", "for=\"6.6.6.6")], "10.0.0.0/8", "10.0.0.2", "an unbalanced quote"),
            (
                "10.0.0.2",
                &[("forwarded", "for=\"6.6.6.6, for=7.7.7.7\"")],
                "10.0.0.0/8",
                "10.0.0.2",
                "a comma inside quotes does not split",
            ),
            ("10.0.0.2", &[("forwarded", "for=[2001:db8::1]")], "10.0.0.0/8", "2001:db8::1", "brackets without quotes"),
            (
                "10.0.0.2",
                &[("forwarded", "for=\"[2001:db8::1]:99999\"")],
                "10.0.0.0/8",
                "10.0.0.2",
                "a port out of range",
            ),
            ("10.0.0.2", &[("forwarded", "for=\"[not-v6]\"")], "10.0.0.0/8", "10.0.0.2", "brackets around garbage"),
            (
                "::ffff:10.0.0.2",
                &[("x-forwarded-for", "198.51.100.1")],
                "10.0.0.0/8",
                "198.51.100.1",
                "a mapped peer is trusted",
            ),
            ("fd00::5", &[("x-forwarded-for", "2001:db8::9")], "fd00::/8", "2001:db8::9", "an IPv6 proxy"),
            (
                "127.0.0.1",
                &[("x-forwarded-for", "198.51.100.1")],
                "127.0.0.1",
                "198.51.100.1",
                "a single trusted address",
            ),
        ];
        for (peer, pairs, list, expected, why) in cases {
            assert_eq!(client_address(ip(peer), &headers(pairs), &trusted(list)), ip(expected), "{why}");
        }
    }

    #[test]
    fn non_ascii_headers_count_as_unknown() {
        let mut map = HeaderMap::new();
        map.insert(X_FORWARDED_FOR, HeaderValue::from_bytes(b"6.6.6.6, \xff").unwrap());
        assert_eq!(client_address(ip("10.0.0.2"), &map, &trusted("10.0.0.0/8")), ip("10.0.0.2"));
        let mut map = HeaderMap::new();
        map.insert(FORWARDED, HeaderValue::from_bytes(b"for=\xff").unwrap());
        assert_eq!(client_address(ip("10.0.0.2"), &map, &trusted("10.0.0.0/8")), ip("10.0.0.2"));
    }

    #[test]
    fn a_padded_chain_stops_at_the_nearest_trusted_proxy() {
        let padding = vec!["10.0.0.5"; MAX_HOPS + 5].join(", ");
        let map = headers(&[("x-forwarded-for", &format!("6.6.6.6, {padding}"))]);
        assert_eq!(client_address(ip("10.0.0.2"), &map, &trusted("10.0.0.0/8")), ip("10.0.0.5"));
    }

    #[test]
    fn a_client_cannot_choose_its_own_address_through_garbage() {
        // Whatever a client writes to the left of, or instead of, what the proxy appends, the
        // answer is either the address the proxy saw or the proxy itself.
        let proxy = ip("10.0.0.2");
        for spoof in ["6.6.6.6", "unknown", "for=6.6.6.6", "\"6.6.6.6\"", "[6.6.6.6]", "6.6.6.6:80:80", " , ,", "_x"] {
            let map = headers(&[("x-forwarded-for", &format!("{spoof}, 198.51.100.1"))]);
            assert_eq!(client_address(proxy, &map, &trusted("10.0.0.0/8")), ip("198.51.100.1"), "{spoof}");
            let map = headers(&[("x-forwarded-for", spoof)]);
            let chosen = client_address(proxy, &map, &trusted("10.0.0.0/8"));
            assert!(chosen == proxy || spoof == "6.6.6.6", "{spoof} chose {chosen}");
        }
    }

    #[test]
    fn trusted_lists_parse_and_refuse_garbage() {
        let list = TrustedProxies::parse_list(["10.0.0.0/8, 192.0.2.7", "fd00::/8,,"]).unwrap();
        assert_eq!(list.networks().len(), 3);
        assert!(list.trusts(ip("10.200.0.1")) && list.trusts(ip("192.0.2.7")) && list.trusts(ip("fd12::1")));
        assert!(!list.trusts(ip("192.0.2.8")));
        assert!(!list.trusts_everyone());
        assert!(TrustedProxies::parse_list(["0.0.0.0/0"]).unwrap().trusts_everyone());
        // Host bits are cleared: 10.1.2.3/8 is 10.0.0.0/8.
        assert_eq!(TrustedProxies::parse_list(["10.1.2.3/8"]).unwrap().networks()[0].to_string(), "10.0.0.0/8");
        for bad in ["10.0.0.0/33", "localhost", "10.0.0", "*", "10.0.0.0/8/8", "fd00::/129"] {
            let error = TrustedProxies::parse_list([bad]).unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
        assert!(TrustedProxies::parse_list([""]).unwrap().is_empty());
    }
}
