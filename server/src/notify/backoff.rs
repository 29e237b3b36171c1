//! When to try a failed delivery again, and when to give up on it.
//!
//! The wait grows exponentially, so that an endpoint that is down is not hammered, up to a cap,
//! so that it is retried often enough once it is back. Each wait is drawn uniformly between zero
//! and that ceiling ("full jitter"): deliveries that failed together, when an endpoint went down,
//! then spread out instead of all arriving again at the same moment. The random value is a
//! parameter, so that the schedule is deterministic under test and the caller chooses the source.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the wait after the first failure; it doubles with each failure after that.
    pub base: Duration,
    /// The ceiling never grows past this.
    pub max_delay: Duration,
    /// How many attempts a delivery gets in all, the first included. After the last one fails,
    /// the delivery is dead: kept for a person to look at and resend, not retried.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// Sixteen attempts, the waits' ceilings rising from one minute to six hours: an endpoint may
    /// be down for about two days before a delivery dies, and for about one day on average.
    fn default() -> RetryPolicy {
        RetryPolicy { base: Duration::from_secs(60), max_delay: Duration::from_secs(6 * 60 * 60), max_attempts: 16 }
    }
}

impl RetryPolicy {
    /// How long to wait after the `failed_attempts`-th attempt failed (counting from 1), drawn
    /// with `random`, a uniformly random `u64` (0 gives no wait, `u64::MAX` the whole ceiling);
    /// `None` once the delivery has had all its attempts.
    pub fn next_delay(&self, failed_attempts: u32, random: u64) -> Option<Duration> {
        if failed_attempts >= self.max_attempts {
            return None;
        }
        let ceiling = self.ceiling(failed_attempts).as_nanos();
        // ceiling × random / u64::MAX, split so that no product passes u128 even for the longest
        // `Duration`: the quotient's product is at most the result, the remainder's below 2^128.
        let (whole, part) = (ceiling / u128::from(u64::MAX), ceiling % u128::from(u64::MAX));
        let nanos = whole * u128::from(random) + part * u128::from(random) / u128::from(u64::MAX);
        Some(duration_from_nanos(nanos))
    }

    /// The longest wait after the `failed_attempts`-th failure: `base` doubled for each failure
    /// after the first, at most `max_delay`. Attempt 0 is treated as the first.
    pub fn ceiling(&self, failed_attempts: u32) -> Duration {
        let doublings = failed_attempts.saturating_sub(1);
        // 2^64 times any base of at least a nanosecond already passes any `Duration`.
        let factor = 1u128 << doublings.min(64);
        let grown = self.base.as_nanos().saturating_mul(factor);
        duration_from_nanos(grown.min(self.max_delay.as_nanos()))
    }
}

fn duration_from_nanos(nanos: u128) -> Duration {
    const NANOS_PER_SECOND: u128 = 1_000_000_000;
    let seconds = u64::try_from(nanos / NANOS_PER_SECOND).unwrap_or(u64::MAX);
    let subsecond = u32::try_from(nanos % NANOS_PER_SECOND).unwrap_or(0);
    Duration::new(seconds, subsecond)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy { base: Duration::from_secs(10), max_delay: Duration::from_secs(100), max_attempts: 5 }
    }

    #[test]
    fn ceilings_double_from_the_base_up_to_the_cap() {
        let ceilings: Vec<u64> = (1..=6).map(|attempt| policy().ceiling(attempt).as_secs()).collect();
        assert_eq!(ceilings, [10, 20, 40, 80, 100, 100]);
        assert_eq!(policy().ceiling(0), policy().ceiling(1));
        assert_eq!(policy().ceiling(u32::MAX), Duration::from_secs(100));
    }

    #[test]
    fn the_random_value_spans_zero_to_the_ceiling() {
        let policy = policy();
        for attempt in 1..policy.max_attempts {
            let ceiling = policy.ceiling(attempt);
            assert_eq!(policy.next_delay(attempt, 0), Some(Duration::ZERO));
            assert_eq!(policy.next_delay(attempt, u64::MAX), Some(ceiling));
            let middle = policy.next_delay(attempt, u64::MAX / 2).unwrap();
            let half = ceiling / 2;
            assert!(half - Duration::from_nanos(1) <= middle && middle <= half, "{middle:?} for {ceiling:?}");
        }
    }

    #[test]
    fn the_same_random_value_gives_the_same_delay() {
        let policy = policy();
        let random = 0x1234_5678_9abc_def0;
        assert_eq!(policy.next_delay(3, random), policy.next_delay(3, random));
        assert!(policy.next_delay(3, random) < policy.next_delay(3, random + 1_000_000_000_000));
    }

    #[test]
    fn a_delivery_dies_after_its_last_attempt() {
        let policy = policy();
        assert!(policy.next_delay(4, u64::MAX).is_some());
        assert_eq!(policy.next_delay(5, u64::MAX), None);
        assert_eq!(policy.next_delay(u32::MAX, 0), None);
        let never_retried = RetryPolicy { max_attempts: 1, ..policy };
        assert_eq!(never_retried.next_delay(1, 0), None);
    }

    #[test]
    fn the_default_schedule_spans_about_two_days_at_most() {
        let policy = RetryPolicy::default();
        let longest: Duration = (1..policy.max_attempts).map(|attempt| policy.ceiling(attempt)).sum();
        let hours = longest.as_secs() / 3600;
        assert!((40..=48).contains(&hours), "{hours} hours");
        assert_eq!(policy.next_delay(1, u64::MAX), Some(Duration::from_secs(60)));
        assert_eq!(policy.next_delay(policy.max_attempts, 0), None);
    }

    #[test]
    fn huge_settings_do_not_overflow() {
        let policy = RetryPolicy { base: Duration::MAX, max_delay: Duration::MAX, max_attempts: u32::MAX };
        assert_eq!(policy.next_delay(200, u64::MAX), Some(Duration::MAX));
    }
}
