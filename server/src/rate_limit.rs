//! Per-client rate limiting for pledge submissions (GCRA, the generic cell rate algorithm).
//!
//! Each client may send `per_minute` pledges back to back, then one more each
//! `60 s / per_minute`. One instant per client is all the state this needs, so a flood of
//! addresses costs little memory, and idle clients are forgotten.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beyond this many remembered clients, those whose allowance has fully recovered are dropped.
const PRUNE_ABOVE: usize = 10_000;

pub struct RateLimiter {
    interval: Duration,
    burst_tolerance: Duration,
    earliest_next: Mutex<HashMap<IpAddr, Instant>>,
}

impl RateLimiter {
    /// `None` when `per_minute` is zero: no limit, as for a benchmark or behind a proxy that
    /// limits already.
    pub fn new(per_minute: u32) -> Option<RateLimiter> {
        if per_minute == 0 {
            return None;
        }
        let interval = Duration::from_secs(60) / per_minute;
        Some(RateLimiter {
            interval,
            burst_tolerance: interval * (per_minute - 1),
            earliest_next: Mutex::new(HashMap::new()),
        })
    }

    /// Admits one request from `client` at `now`, or says how long to wait.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = client_key(client);
        let mut table = self.earliest_next.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if table.len() > PRUNE_ABOVE {
            table.retain(|_, theoretical_arrival| *theoretical_arrival > now);
        }
        let theoretical_arrival = table.get(&key).copied().unwrap_or(now).max(now);
        let ahead = theoretical_arrival - now;
        if ahead > self.burst_tolerance {
            return Err(ahead - self.burst_tolerance);
        }
        table.insert(key, theoretical_arrival + self.interval);
        Ok(())
    }
}

/// IPv6 clients usually hold a whole /64, so they are limited per /64, not per address.
/// IPv4 addresses mapped into IPv6 count as the IPv4 address they are.
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let segments = v6.segments();
                IpAddr::from([segments[0], segments[1], segments[2], segments[3], 0, 0, 0, 0])
            }
        },
    }
}

/// Whole seconds for `Retry-After`, rounded up so that a client obeying it is admitted.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn allows_a_burst_then_refuses() {
        let limiter = RateLimiter::new(3).unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(ip("192.0.2.1"), start).is_ok());
        }
        let wait = limiter.check(ip("192.0.2.1"), start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(20));
        assert_eq!(retry_after_seconds(wait), 20);
    }

    #[test]
    fn recovers_one_request_per_interval() {
        let limiter = RateLimiter::new(6).unwrap();
        let start = Instant::now();
        for _ in 0..6 {
            limiter.check(ip("192.0.2.1"), start).unwrap();
        }
        assert!(limiter.check(ip("192.0.2.1"), start + Duration::from_secs(9)).is_err());
        assert!(limiter.check(ip("192.0.2.1"), start + Duration::from_secs(10)).is_ok());
        assert!(limiter.check(ip("192.0.2.1"), start + Duration::from_secs(10)).is_err());
    }

    #[test]
    fn clients_are_independent() {
        let limiter = RateLimiter::new(1).unwrap();
        let now = Instant::now();
        assert!(limiter.check(ip("192.0.2.1"), now).is_ok());
        assert!(limiter.check(ip("192.0.2.1"), now).is_err());
        assert!(limiter.check(ip("192.0.2.2"), now).is_ok());
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let limiter = RateLimiter::new(1).unwrap();
        let now = Instant::now();
        assert!(limiter.check(ip("2001:db8:1:2::1"), now).is_ok());
        assert!(limiter.check(ip("2001:db8:1:2::ffff"), now).is_err());
        assert!(limiter.check(ip("2001:db8:1:3::1"), now).is_ok());
        assert_eq!(client_key(ip("::ffff:192.0.2.9")), ip("192.0.2.9"));
    }

    #[test]
    fn zero_means_unlimited() {
        assert!(RateLimiter::new(0).is_none());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
    }
}
