//! Sign-in attempts, rate limited per username and per client address, so that guessing
//! passwords online is slow whether one account is attacked from many addresses or many
//! accounts from one address.
//!
//! Both limits use governor's GCRA: a burst for honest mistakes, then attempts refill evenly.
//! A limited attempt is told how long to wait, for `Retry-After` and for the message on the
//! form. The limit slows a guesser down rather than locking the account, so that someone who
//! knows a staff username cannot keep its owner out for long by typing wrong passwords.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use ipnet::Ipv6Net;

use super::username::MAX_USERNAME_CHARS;

/// Beyond this many remembered keys in either table, those whose allowance has fully
/// recovered are dropped, so that attempts with endless made-up usernames cost bounded memory.
const PRUNE_ABOVE: usize = 10_000;
/// How often, in checks, the tables' sizes are looked at.
const PRUNE_EVERY: u64 = 256;

/// Attempts allowed back to back, and how fast they come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub burst: NonZeroU32,
    pub per_minute: NonZeroU32,
}

impl Allowance {
    fn quota(self) -> Quota {
        // per_minute is at least one, so the period is at most a minute and never zero.
        let period = Duration::from_secs(60) / self.per_minute.get();
        Quota::with_period(period).unwrap_or_else(|| Quota::per_minute(self.per_minute)).allow_burst(self.burst)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_username: Allowance,
    pub per_client: Allowance,
}

impl Default for SignInLimits {
    /// Five tries cover a person fumbling their own password; five a minute after that is
    /// 7,200 guesses a day at most for one account, hopeless against a twelve-character
    /// password. Twenty a minute per address leaves room for an office whose staff share one
    /// address while keeping one machine from spraying guesses across usernames.
    fn default() -> Self {
        SignInLimits {
            per_username: Allowance { burst: nonzero(5), per_minute: nonzero(5) },
            per_client: Allowance { burst: nonzero(10), per_minute: nonzero(20) },
        }
    }
}

const fn nonzero(value: u32) -> NonZeroU32 {
    match NonZeroU32::new(value) {
        Some(value) => value,
        None => NonZeroU32::MIN,
    }
}

/// Which limit refused an attempt: for the log, never for the person signing in, who is told
/// only how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedBy {
    Username,
    Client,
}

/// An attempt refused until `wait` has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInRefused {
    pub wait: Duration,
    pub limited_by: LimitedBy,
}

impl SignInRefused {
    /// Whole seconds for `Retry-After`, rounded up so that waiting that long is enough.
    pub fn retry_after_seconds(&self) -> u64 {
        self.wait.as_secs() + u64::from(self.wait.subsec_nanos() > 0)
    }

    /// What the sign-in form says.
    pub fn message(&self) -> String {
        let seconds = self.retry_after_seconds();
        let unit = if seconds == 1 { "second" } else { "seconds" };
        format!("Too many sign-in attempts. Please wait {seconds} {unit} and try again.")
    }
}

type Table<K, C> = RateLimiter<K, DefaultKeyedStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

pub struct SignInLimiter<C: Clock = DefaultClock> {
    by_username: Table<String, C>,
    by_client: Table<IpAddr, C>,
    clock: C,
    checks: AtomicU64,
}

impl SignInLimiter {
    pub fn new(limits: SignInLimits) -> SignInLimiter {
        SignInLimiter::with_clock(limits, DefaultClock::default())
    }
}

impl<C: Clock + Clone> SignInLimiter<C> {
    pub fn with_clock(limits: SignInLimits, clock: C) -> SignInLimiter<C> {
        SignInLimiter {
            by_username: RateLimiter::dashmap_with_clock(limits.per_username.quota(), clock.clone()),
            by_client: RateLimiter::dashmap_with_clock(limits.per_client.quota(), clock.clone()),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Admits one sign-in attempt for `username` (as typed) from `client`, or says how long to
    /// wait. Call it before verifying the password, for known and unknown usernames alike, so
    /// that the limit does not tell which exist. The client's allowance is checked first: an
    /// attempt it refuses does not use up the username's, so that one address cannot spend a
    /// user's allowance beyond its own.
    pub fn check(&self, username: &str, client: IpAddr) -> Result<(), SignInRefused> {
        self.prune_now_and_then();
        let now = self.clock.now();
        self.by_client.check_key(&client_key(client)).map_err(|not_until| SignInRefused {
            wait: not_until.wait_time_from(now),
            limited_by: LimitedBy::Client,
        })?;
        self.by_username
            .check_key(&username_key(username))
            .map_err(|not_until| SignInRefused { wait: not_until.wait_time_from(now), limited_by: LimitedBy::Username })
    }

    fn prune_now_and_then(&self) {
        if !self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(PRUNE_EVERY) {
            return;
        }
        if self.by_username.len() > PRUNE_ABOVE {
            self.by_username.retain_recent();
            self.by_username.shrink_to_fit();
        }
        if self.by_client.len() > PRUNE_ABOVE {
            self.by_client.retain_recent();
            self.by_client.shrink_to_fit();
        }
    }

    /// How many usernames and clients are remembered.
    pub fn remembered(&self) -> (usize, usize) {
        (self.by_username.len(), self.by_client.len())
    }
}

/// Usernames are compared as accounts are named (see [`super::username::Username`]):
/// trimmed and in lower case, so `Amina` and `amina ` share one allowance. Longer input than
/// any username is cut, so a key stays small whatever is typed.
fn username_key(username: &str) -> String {
    username.trim().chars().take(MAX_USERNAME_CHARS + 1).collect::<String>().to_lowercase()
}

/// IPv6 clients usually hold a whole /64, so they are limited per /64; IPv4 addresses mapped
/// into IPv6 count as the IPv4 address they are. The same rule as for pledge submissions.
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Net::new(v6, 64).map_or(v6, |network| network.network())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn limiter() -> (SignInLimiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (SignInLimiter::with_clock(SignInLimits::default(), clock.clone()), clock)
    }

    #[test]
    fn five_tries_for_a_username_then_one_every_twelve_seconds() {
        let (limiter, clock) = limiter();
        // From different addresses, so that only the username's limit is in play.
        for index in 0..5 {
            assert!(limiter.check("amina", ip(&format!("192.0.2.{index}"))).is_ok(), "attempt {index}");
        }
        let refused = limiter.check("amina", ip("192.0.2.9")).unwrap_err();
        assert_eq!(refused, SignInRefused { wait: Duration::from_secs(12), limited_by: LimitedBy::Username });
        clock.advance(Duration::from_secs(11));
        assert_eq!(limiter.check("amina", ip("192.0.2.10")).unwrap_err().wait, Duration::from_secs(1));
        clock.advance(Duration::from_secs(1));
        assert!(limiter.check("amina", ip("192.0.2.11")).is_ok());
        assert!(limiter.check("amina", ip("192.0.2.12")).is_err());
    }

    #[test]
    fn one_address_gets_ten_tries_across_usernames_then_one_every_three_seconds() {
        let (limiter, clock) = limiter();
        for index in 0..10 {
            assert!(limiter.check(&format!("user{index}"), ip("198.51.100.7")).is_ok(), "attempt {index}");
        }
        let refused = limiter.check("someone-else", ip("198.51.100.7")).unwrap_err();
        assert_eq!(refused, SignInRefused { wait: Duration::from_secs(3), limited_by: LimitedBy::Client });
        clock.advance(Duration::from_secs(3));
        assert!(limiter.check("someone-else", ip("198.51.100.7")).is_ok());
        // Another address is not held back.
        assert!(limiter.check("user0", ip("198.51.100.8")).is_ok());
    }

    #[test]
    fn an_attempt_refused_for_its_address_leaves_the_username_alone() {
        let (limiter, _) = limiter();
        for index in 0..10 {
            limiter.check(&format!("user{index}"), ip("198.51.100.7")).unwrap();
        }
        for _ in 0..20 {
            assert_eq!(limiter.check("amina", ip("198.51.100.7")).unwrap_err().limited_by, LimitedBy::Client);
        }
        for index in 0..5 {
            assert!(limiter.check("amina", ip(&format!("203.0.113.{index}"))).is_ok(), "attempt {index}");
        }
    }

    #[test]
    fn case_and_surrounding_spaces_do_not_make_another_username() {
        let (limiter, _) = limiter();
        for (index, spelling) in ["amina", "Amina", " AMINA", "amina ", "aMiNa"].iter().enumerate() {
            limiter.check(spelling, ip(&format!("192.0.2.{index}"))).unwrap();
        }
        assert_eq!(limiter.check("amina", ip("192.0.2.99")).unwrap_err().limited_by, LimitedBy::Username);
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let (limiter, _) = limiter();
        for index in 0..10 {
            limiter.check(&format!("user{index}"), ip(&format!("2001:db8:1:2::{index:x}"))).unwrap();
        }
        assert!(limiter.check("other", ip("2001:db8:1:2:ffff::1")).is_err());
        assert!(limiter.check("other", ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(client_key(ip("::ffff:192.0.2.9")), ip("192.0.2.9"));
    }

    #[test]
    fn the_wait_is_rounded_up_and_explained() {
        let refused = SignInRefused { wait: Duration::from_millis(11_001), limited_by: LimitedBy::Username };
        assert_eq!(refused.retry_after_seconds(), 12);
        assert_eq!(refused.message(), "Too many sign-in attempts. Please wait 12 seconds and try again.");
        let short = SignInRefused { wait: Duration::from_millis(1), limited_by: LimitedBy::Client };
        assert_eq!(short.retry_after_seconds(), 1);
        assert_eq!(short.message(), "Too many sign-in attempts. Please wait 1 second and try again.");
    }

    #[test]
    fn made_up_usernames_are_forgotten_once_recovered() {
        let clock = FakeRelativeClock::default();
        // One address with no limit of its own, so that every made-up username is tried.
        let limits = SignInLimits {
            per_client: Allowance { burst: NonZeroU32::MAX, per_minute: NonZeroU32::MAX },
            ..SignInLimits::default()
        };
        let limiter = SignInLimiter::with_clock(limits, clock.clone());
        for index in 0..(PRUNE_ABOVE + 1_000) {
            let _ = limiter.check(&format!("guess{index}"), ip("192.0.2.1"));
        }
        assert!(limiter.remembered().0 > PRUNE_ABOVE);
        clock.advance(Duration::from_secs(61));
        for _ in 0..PRUNE_EVERY {
            let _ = limiter.check("amina", ip("192.0.2.1"));
        }
        assert!(limiter.remembered().0 < 10, "{:?} remembered", limiter.remembered());
    }

    #[test]
    fn overlong_usernames_make_small_keys() {
        let key = username_key(&"X".repeat(100_000));
        assert_eq!(key.len(), MAX_USERNAME_CHARS + 1);
        assert_eq!(key, "x".repeat(MAX_USERNAME_CHARS + 1));
    }
}
