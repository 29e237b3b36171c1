//! Per-client rate limiting for pledge submissions, with governor's GCRA (generic cell rate
//! algorithm) keyed by client.
//!
//! Each client may send `per_minute` pledges back to back, then one more each
//! `60 s / per_minute`. The client is the [`ClientAddress`] the proxy rules decided, IPv4 as it
//! is and IPv6 per /64, since one household or phone usually holds a whole /64.
//!
//! governor is used directly rather than through tower_governor: that middleware rounds the
//! wait down to whole seconds (a `Retry-After: 0` under one second) and its key extractors
//! believe `X-Forwarded-For` from anyone.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Gcra};
use ipnet::Ipv6Net;

use crate::http::middleware::client_address::ClientAddress;
use crate::http::problem::Problem;

/// Beyond this many remembered clients, those whose allowance has fully recovered are dropped,
/// so that a flood of addresses costs bounded memory.
const PRUNE_ABOVE: usize = 10_000;
/// How often, in checks, the table's size is looked at.
const PRUNE_EVERY: u64 = 256;

pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: Gcra<IpAddr, DefaultKeyedStateStore<IpAddr>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `None` when `per_minute` is zero: no limit, as for a benchmark or behind a proxy that
    /// limits already.
    pub fn new(per_minute: u32) -> Option<RateLimiter> {
        RateLimiter::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    pub fn with_clock(per_minute: u32, clock: C) -> Option<RateLimiter<C>> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(RateLimiter {
            limiter: Gcra::dashmap_with_clock(Quota::per_minute(per_minute), clock.clone()),
            clock,
            checks: AtomicU64::new(0),
        })
    }

    /// Admits one request from `client`, or says how long to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(PRUNE_EVERY) && self.limiter.len() > PRUNE_ABOVE {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(&client_key(client)).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// How many clients are remembered.
    pub fn remembered(&self) -> usize {
        self.limiter.len()
    }
}

/// IPv6 clients usually hold a whole /64, so they are limited per /64, not per address.
/// IPv4 addresses mapped into IPv6 count as the IPv4 address they are.
pub fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Net::new(v6, 64).map_or(v6, |network| network.network())),
        },
    }
}

/// Whole seconds for `Retry-After`, rounded up so that a client obeying it is admitted.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Middleware on `POST /v1/pledges`: a `429` problem with `Retry-After` once a client has
/// used its allowance, before the body is read.
pub async fn enforce(
    State(limiter): State<Arc<RateLimiter>>,
    client: ClientAddress,
    request: Request,
    next: Next,
) -> Response {
    match limiter.check(client.0) {
        Ok(()) => next.run(request).await,
        Err(wait) => Problem::too_many_requests(retry_after_seconds(wait)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn limiter(per_minute: u32) -> (RateLimiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (RateLimiter::with_clock(per_minute, clock.clone()).unwrap(), clock)
    }

    #[test]
    fn allows_a_burst_then_refuses() {
        let (limiter, _) = limiter(3);
        for _ in 0..3 {
            assert!(limiter.check(ip("192.0.2.1")).is_ok());
        }
        let wait = limiter.check(ip("192.0.2.1")).unwrap_err();
        assert_eq!(wait, Duration::from_secs(20));
        assert_eq!(retry_after_seconds(wait), 20);
    }

    #[test]
    fn recovers_one_request_per_interval() {
        let (limiter, clock) = limiter(6);
        for _ in 0..6 {
            limiter.check(ip("192.0.2.1")).unwrap();
        }
        clock.advance(Duration::from_secs(9));
        let wait = limiter.check(ip("192.0.2.1")).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        clock.advance(Duration::from_millis(999));
        let wait = limiter.check(ip("192.0.2.1")).unwrap_err();
        assert_eq!(retry_after_seconds(wait), 1, "a millisecond to wait is one second, never zero");
        clock.advance(Duration::from_millis(1));
        assert!(limiter.check(ip("192.0.2.1")).is_ok());
        assert!(limiter.check(ip("192.0.2.1")).is_err());
    }

    #[test]
    fn clients_are_independent() {
        let (limiter, _) = limiter(1);
        assert!(limiter.check(ip("192.0.2.1")).is_ok());
        assert!(limiter.check(ip("192.0.2.1")).is_err());
        assert!(limiter.check(ip("192.0.2.2")).is_ok());
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let (limiter, _) = limiter(1);
        assert!(limiter.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(limiter.check(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")).is_err());
        assert!(limiter.check(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(client_key(ip("::ffff:192.0.2.9")), ip("192.0.2.9"));
        assert_eq!(client_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
    }

    #[test]
    fn a_flood_of_addresses_is_forgotten_once_recovered() {
        let (limiter, clock) = limiter(10);
        for index in 0..(PRUNE_ABOVE as u32 + 1_000) {
            let _ = limiter.check(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + index)));
        }
        assert!(limiter.remembered() > PRUNE_ABOVE);
        clock.advance(Duration::from_secs(61));
        for _ in 0..PRUNE_EVERY {
            let _ = limiter.check(ip("192.0.2.1"));
        }
        assert!(limiter.remembered() < 10, "{} clients still remembered", limiter.remembered());
    }

    #[test]
    fn zero_means_unlimited() {
        assert!(RateLimiter::new(0).is_none());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }
}
