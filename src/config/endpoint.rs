//! Which endpoints a pledge may be sent to.
//!
//! The endpoint is written by the partner, but a compromised or careless page could point it
//! anywhere, so only URLs that keep donors' details encrypted in transit are accepted.

use super::ConfigProblem;

/// Accepts `https://host/...`, and `http://` only for the loopback hosts used in development.
pub fn check_endpoint(endpoint: &str) -> Result<(), ConfigProblem> {
    let lower = endpoint.to_ascii_lowercase();
    let (secure, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(ConfigProblem::EndpointNotAbsolute);
    };
    if endpoint.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return Err(ConfigProblem::EndpointNotAbsolute);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(ConfigProblem::EndpointHasCredentials);
    }
    let host = host_of(authority);
    if host.is_empty() {
        return Err(ConfigProblem::EndpointNotAbsolute);
    }
    if secure || matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        Ok(())
    } else {
        Err(ConfigProblem::EndpointInsecure)
    }
}

/// The host of `host[:port]`, keeping IPv6 brackets.
fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        authority.find(']').map_or("", |end| &authority[..=end])
    } else {
        authority.split(':').next().unwrap_or_default()
    }
}
