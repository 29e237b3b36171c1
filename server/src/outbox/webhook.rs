//! The webhook channel: each delivery is a `POST` of the event's stored bytes to the endpoint's
//! URL, signed with the endpoint's secrets at the moment of sending.
//!
//! Redirects are not followed (a 3xx is a failed attempt): the signed body must reach the address
//! the charity configured and no other. Each attempt has a time limit, so that a stuck endpoint
//! holds a delivery for no longer than its lease.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE, USER_AGENT};
use url::{Host, Url};

use super::decision::{Attempt, Failure};
use super::worker::Channel;
use crate::notify::signature::{sign_with_each, WebhookSecret, SIGNATURE_HEADER};
use crate::storage::{BoxFuture, ClaimedDelivery};

/// The header naming the event, so that a receiver can de-duplicate before parsing the body.
pub const EVENT_ID_HEADER: &str = "Sanankoroba-Event-Id";
pub const EVENT_TYPE_HEADER: &str = "Sanankoroba-Event-Type";
pub const USER_AGENT_VALUE: &str = concat!("sanankoroba-receiver/", env!("CARGO_PKG_VERSION"), " (webhooks)");

/// One configured endpoint: its name (what deliveries are stored under), where it is, and the
/// secrets its deliveries are signed with (two while one replaces the other).
#[derive(Clone)]
pub struct WebhookEndpoint {
    pub name: String,
    pub url: Url,
    pub secrets: Vec<WebhookSecret>,
}

impl WebhookEndpoint {
    /// An endpoint's name: lower-case letters, digits, `-` and `_`, at most 40, as it appears
    /// in the delivery list.
    pub fn check_name(name: &str) -> Result<(), String> {
        let valid = (1..=40).contains(&name.len())
            && name
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_');
        if valid {
            Ok(())
        } else {
            Err(format!("`{name}` is not an endpoint name: use 1 to 40 lower-case letters, digits, - or _"))
        }
    }

    /// An endpoint's URL: absolute `https`, or `http` to a loopback address only (a receiver on
    /// the same machine, or a test), with no user name or password (the secret signs instead).
    pub fn parse_url(text: &str) -> Result<Url, String> {
        let refuse = |why: &str| Err(format!("`{text}` is not a webhook URL: {why}"));
        let url = match Url::parse(text) {
            Ok(url) => url,
            Err(error) => return refuse(&error.to_string()),
        };
        let loopback = match url.host() {
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
            Some(Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
            None => return refuse("it has no host"),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return refuse("use https; plain http is allowed only to a loopback address"),
            _ => return refuse("the scheme must be https"),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("it has a user name or password; the signature proves the sender instead");
        }
        if url.fragment().is_some() {
            return refuse("it has a fragment");
        }
        Ok(url)
    }
}

/// Shows where the endpoint is without its query, which may carry a token, and never the secrets.
impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.url.clone();
        if shown.query().is_some() {
            shown.set_query(Some("[redacted]"));
        }
        formatter
            .debug_struct("WebhookEndpoint")
            .field("name", &self.name)
            .field("url", &shown.as_str())
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

/// Sends deliveries to one endpoint.
pub struct WebhookChannel {
    client: reqwest::Client,
    endpoint: WebhookEndpoint,
}

impl WebhookChannel {
    /// A channel whose attempts each end after `timeout`.
    pub fn new(endpoint: WebhookEndpoint, timeout: Duration) -> Result<WebhookChannel, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(WebhookChannel { client, endpoint })
    }

    async fn post(&self, delivery: &ClaimedDelivery) -> Attempt {
        let event = &delivery.event;
        let now = crate::timestamp::Timestamp::now().as_micros().div_euclid(1_000_000);
        let secrets: Vec<&WebhookSecret> = self.endpoint.secrets.iter().collect();
        let signature = sign_with_each(&secrets, now, event.payload());
        let sent = self
            .client
            .post(self.endpoint.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, event.id().as_str())
            .header(EVENT_TYPE_HEADER, event.event_type().as_str())
            .body(event.payload().to_vec())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt::Accepted,
            Ok(response) => Attempt::Refused(response.status().as_u16()),
            Err(error) if error.is_timeout() => Attempt::Failed(Failure::TimedOut),
            Err(error) if error.is_connect() => Attempt::Failed(Failure::Unreachable),
            Err(_) => Attempt::Failed(Failure::Broken),
        }
    }
}

impl Channel for WebhookChannel {
    fn attempt<'a>(&'a self, delivery: &'a ClaimedDelivery) -> BoxFuture<'a, Attempt> {
        Box::pin(self.post(delivery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_to_loopback() {
        for good in [
            "https://crm.example.org/hooks/sanankoroba",
            "https://crm.example.org:8443/hooks?source=sk",
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://[::1]:8080/",
        ] {
            assert!(WebhookEndpoint::parse_url(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("http://crm.example.org/hook", "loopback"),
            ("ftp://crm.example.org/hook", "https"),
            ("crm.example.org/hook", "relative URL"),
            ("https://user:pw@crm.example.org/hook", "password"),
            ("https://crm.example.org/hook#top", "fragment"),
            ("http://10.0.0.1/hook", "loopback"),
        ] {
            let error = WebhookEndpoint::parse_url(bad).unwrap_err();
            assert!(error.contains(why) && error.contains(bad), "{bad}: {error}");
        }
    }

    #[test]
    fn names_are_short_and_plain() {
        for good in ["crm", "sheet-robot", "crm_2"] {
            assert!(WebhookEndpoint::check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "CRM", "crm robot", "crm=1", &"x".repeat(41)] {
            assert!(WebhookEndpoint::check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_leaves_out_the_secrets_and_the_query() {
        let endpoint = WebhookEndpoint {
            name: "crm".into(),
            url: Url::parse("https://crm.example.org/hook?token=hunter2").unwrap(),
            secrets: vec![WebhookSecret::from_operator("correct horse battery staple 42").unwrap()],
        };
        let debug = format!("{endpoint:?}");
        assert!(!debug.contains("hunter2") && !debug.contains("staple"), "{debug}");
        assert!(debug.contains("crm.example.org/hook"), "{debug}");
    }
}
