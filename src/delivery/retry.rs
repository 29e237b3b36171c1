//! When to try again: which answers are temporary, how long to wait, and when to stop for this
//! visit.
//!
//! Waits use exponential backoff with full jitter: a uniformly random wait between zero and a
//! ceiling that doubles with each retry, up to a cap. Spreading retries over the whole range
//! keeps thousands of widgets that failed together from coming back together.

use super::FailureReason;

/// How long one attempt may take before it is abandoned.
pub const ATTEMPT_TIMEOUT_MS: u32 = 10_000;

/// How an HTTP status code answers a pledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusClass {
    /// The endpoint has the pledge (the answer still has to carry a reference).
    Acknowledged,
    /// A temporary failure: sending the same pledge again later may succeed.
    Temporary(FailureReason),
    /// The endpoint's last word on this pledge: sending it again would get the same answer.
    Final,
}

/// Classifies a status code. Only the failures the charity's specification names as
/// temporary are retried; every other 4xx and 5xx is final, so a pledge the endpoint refuses
/// is never hammered at it.
pub fn classify(status: u16) -> StatusClass {
    match status {
        200..=299 => StatusClass::Acknowledged,
        429 => StatusClass::Temporary(FailureReason::TooManyRequests),
        408 | 425 | 500 | 502 | 503 | 504 => StatusClass::Temporary(FailureReason::ServerUnavailable(status)),
        _ => StatusClass::Final,
    }
}

/// The limits of retrying within one page visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first retry's wait; it doubles with each further retry.
    pub base_ms: u64,
    /// No wait is ever longer than this, whatever the retry count.
    pub cap_ms: u64,
    /// Attempts per pledge per page visit, the first one included. The outbox keeps a pledge
    /// that runs out of attempts for the next visit, or for the browser coming back online.
    pub max_attempts: u32,
    /// A `Retry-After` longer than this ends retrying for this visit: the donor is unlikely to
    /// keep the page open that long, and the next visit will send the pledge.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { base_ms: 1_000, cap_ms: 30_000, max_attempts: 8, max_retry_after_ms: 300_000 }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry), given `unit`, a uniformly
    /// random number in `[0, 1)`: `unit × min(cap, base × 2^retry)`.
    pub fn backoff_ms(&self, retry: u32, unit: f64) -> u64 {
        let ceiling = self.base_ms.checked_shl(retry).filter(|c| *c >> retry == self.base_ms).unwrap_or(u64::MAX);
        let ceiling = ceiling.min(self.cap_ms);
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.0 };
        ((ceiling as f64) * unit) as u64
    }

    /// How long to wait before the next attempt after `attempts_made` attempts, or `None` when
    /// this visit should not try again on its own. A `Retry-After` from the endpoint is a
    /// minimum: the jittered backoff applies on top of nothing shorter than it.
    pub fn next_delay_ms(&self, attempts_made: u32, retry_after_ms: Option<u64>, unit: f64) -> Option<u64> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let backoff = self.backoff_ms(attempts_made.saturating_sub(1), unit);
        match retry_after_ms {
            Some(wait) if wait > self.max_retry_after_ms => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// Reads a `Retry-After` value, as delay-seconds or as an HTTP date, into milliseconds from
/// `now_ms` (Unix time). A date in the past means no wait. Anything unreadable is ignored.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 is still a very long wait, not no wait.
        return Some(value.parse::<u64>().map_or(u64::MAX, |seconds| seconds.saturating_mul(1_000)));
    }
    parse_http_date(value).map(|at_ms| at_ms.saturating_sub(now_ms))
}

/// Parses the preferred HTTP date format (IMF-fixdate, RFC 9110 §5.6.7), such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`, into Unix milliseconds. The obsolete formats are not read:
/// servers must not send them.
fn parse_http_date(value: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (_weekday, rest) = value.split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let number = |text: &str, digits: usize| -> Option<u64> {
        (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
    };
    let day = number(day, 2)?;
    let month = MONTHS.iter().position(|m| m == month)? as u64 + 1;
    let year = number(year, 4)?;
    let mut clock = time.split(':');
    let (hour, minute, second) = (number(clock.next()?, 2)?, number(clock.next()?, 2)?, number(clock.next()?, 2)?);
    if clock.next().is_some() || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 || year < 1970 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1_000)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar, for years from 1970.
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    // Counting years from March puts the leap day last, so month lengths follow a fixed pattern.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn retries_exactly_the_temporary_statuses() {
        for status in [408, 425, 500, 502, 503, 504] {
            assert_eq!(classify(status), StatusClass::Temporary(FailureReason::ServerUnavailable(status)));
        }
        assert_eq!(classify(429), StatusClass::Temporary(FailureReason::TooManyRequests));
        for status in [201, 200, 202] {
            assert_eq!(classify(status), StatusClass::Acknowledged);
        }
    }

    #[test]
    fn never_retries_other_client_errors() {
        for status in [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 451, 501, 505] {
            assert_eq!(classify(status), StatusClass::Final, "{status}");
        }
    }

    proptest! {
        #[test]
        fn only_the_named_statuses_are_temporary(status in 100u16..600) {
            let named = [408u16, 425, 429, 500, 502, 503, 504].contains(&status);
            prop_assert_eq!(matches!(classify(status), StatusClass::Temporary(_)), named);
            if (400..500).contains(&status) && !named {
                prop_assert_eq!(classify(status), StatusClass::Final);
            }
        }

        #[test]
        fn backoff_stays_within_its_ceiling(retry in 0u32..200, unit in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let ceiling = policy.cap_ms.min(policy.base_ms.saturating_mul(1u64.checked_shl(retry).unwrap_or(u64::MAX)));
            let wait = policy.backoff_ms(retry, unit);
            prop_assert!(wait <= ceiling, "{} > {}", wait, ceiling);
            prop_assert!(wait <= policy.cap_ms);
        }

        #[test]
        fn backoff_grows_with_the_random_unit(retry in 0u32..64, a in 0.0f64..1.0, b in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(policy.backoff_ms(retry, low) <= policy.backoff_ms(retry, high));
        }

        #[test]
        fn retry_after_is_a_minimum(attempts in 1u32..8, seconds in 0u64..300, unit in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let wait = policy.next_delay_ms(attempts, Some(seconds * 1_000), unit).unwrap();
            prop_assert!(wait >= seconds * 1_000);
            prop_assert!(wait <= (seconds * 1_000).max(policy.cap_ms));
        }

        #[test]
        fn attempts_per_visit_are_bounded(attempts in 0u32..1_000, unit in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let next = policy.next_delay_ms(attempts, None, unit);
            prop_assert_eq!(next.is_some(), attempts < policy.max_attempts);
        }

        #[test]
        fn delay_seconds_read_as_milliseconds(seconds in 0u64..10_000_000, now in 0u64..4_000_000_000_000) {
            prop_assert_eq!(parse_retry_after(&seconds.to_string(), now), Some(seconds * 1_000));
        }

        #[test]
        fn retry_after_never_panics(text in "\\PC{0,40}", now in any::<u64>()) {
            let _ = parse_retry_after(&text, now);
        }
    }

    #[test]
    fn first_retry_waits_at_most_the_base() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay_ms(1, None, 0.999_999), Some(999));
        assert_eq!(policy.next_delay_ms(2, None, 0.5), Some(1_000));
        assert_eq!(policy.next_delay_ms(7, None, 0.5), Some(15_000));
        assert_eq!(policy.next_delay_ms(1, None, 0.0), Some(0));
        assert_eq!(policy.backoff_ms(40, 1.0), policy.cap_ms);
    }

    #[test]
    fn a_very_long_retry_after_ends_retrying_for_this_visit() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay_ms(1, Some(policy.max_retry_after_ms + 1), 0.5), None);
        assert_eq!(policy.next_delay_ms(1, Some(policy.max_retry_after_ms), 0.0), Some(policy.max_retry_after_ms));
    }

    #[test]
    fn reads_http_dates() {
        // 1994-11-06T08:49:37Z, the example of RFC 9110.
        let at = 784_111_777_000;
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(at));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at - 5_000), Some(5_000));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at + 5_000), Some(0));
        // 2024 is a leap year: 2024-03-01T00:00:00Z.
        assert_eq!(parse_http_date("Fri, 01 Mar 2024 00:00:00 GMT"), Some(1_709_251_200_000));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    }

    #[test]
    fn ignores_what_it_cannot_read() {
        for value in ["", "soon", "-5", "1.5", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(value, 0), None, "{value:?}");
        }
        assert_eq!(parse_retry_after(" 120 ", 0), Some(120_000));
        assert_eq!(parse_retry_after("99999999999999999999999", 0), Some(u64::MAX));
    }
}
