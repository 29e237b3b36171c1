//! When to try again: which answers end a pledge, and how long to wait before the next attempt.
//!
//! Only a definitive answer ends a pledge. A `201` with a reference means received; a problem
//! document (`application/problem+json`) with `400`, `409`, `413`, `415` or `422` is the
//! endpoint's refusal under the pledge contract. Every other answer (any other 2xx, every 5xx,
//! the 401/403/404/405/407 of proxies and firewalls, a 4xx without a problem document, an HTML
//! error page) comes from something between the widget and the endpoint, or from an endpoint
//! that is not ready: the pledge stays saved and is sent again.
//!
//! Waits use exponential backoff with "equal jitter": a random wait between half and all of a
//! ceiling that doubles with each failure, up to a cap. The random half spreads retries so that
//! many widgets that failed together do not come back together; the fixed half bounds how
//! often one page can knock on an endpoint that is down (at most once per half a cap).

use super::FailureReason;

/// How long one attempt may take before it is abandoned.
pub const ATTEMPT_TIMEOUT_MS: u32 = 10_000;

/// The statuses that refuse a pledge for good, when they come with a problem document.
pub const REFUSALS: [u16; 5] = [400, 409, 413, 415, 422];

/// How an HTTP answer bears on a pledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusClass {
    /// The endpoint has the pledge (the answer still has to carry a reference).
    Acknowledged,
    /// The endpoint's refusal: sending the same pledge again would get the same answer.
    Refused,
    /// Not delivered yet: the same pledge, sent again later, may get through.
    NotYet(FailureReason),
}

/// Classifies an answer by its status and whether its body is a problem document.
pub fn classify(status: u16, problem_document: bool) -> StatusClass {
    match status {
        201 => StatusClass::Acknowledged,
        _ if problem_document && REFUSALS.contains(&status) => StatusClass::Refused,
        429 => StatusClass::NotYet(FailureReason::TooManyRequests),
        500..=599 => StatusClass::NotYet(FailureReason::ServerUnavailable(status)),
        _ => StatusClass::NotYet(FailureReason::UnexpectedAnswer(status)),
    }
}

/// How quickly to try again while the page stays open. There is no last attempt: a pledge is
/// tried until it gets a final answer or the donor leaves, and the outbox carries it over to
/// the next visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first retry's wait; it doubles with each further failure.
    pub base_ms: u64,
    /// No ceiling is higher than this, however many attempts have failed.
    pub cap_ms: u64,
}

impl Default for RetryPolicy {
    /// Half a second to a second for the first retry; after five failures, every 15 to 30
    /// seconds. An endpoint that comes back after an outage sees each open page again within
    /// half a minute, and a page left open on a dead endpoint makes at most four attempts a
    /// minute.
    fn default() -> Self {
        RetryPolicy { base_ms: 1_000, cap_ms: 30_000 }
    }
}

impl RetryPolicy {
    /// The wait after failure number `failures` (1 for the first), given `unit`, a uniformly
    /// random number in `[0, 1)`: between half and all of `min(cap, base × 2^(failures − 1))`.
    pub fn backoff_ms(&self, failures: u32, unit: f64) -> u64 {
        let retry = failures.saturating_sub(1);
        let ceiling = self.base_ms.checked_shl(retry).filter(|c| *c >> retry == self.base_ms).unwrap_or(u64::MAX);
        let ceiling = ceiling.min(self.cap_ms);
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.0 };
        let half = ceiling / 2;
        half + ((ceiling - half) as f64 * unit) as u64
    }

    /// How long to wait before the next attempt after `failures` failed ones. A `Retry-After`
    /// from the endpoint is a minimum: the backoff applies on top of nothing shorter than it.
    pub fn next_delay_ms(&self, failures: u32, retry_after_ms: Option<u64>, unit: f64) -> u64 {
        let backoff = self.backoff_ms(failures, unit);
        retry_after_ms.map_or(backoff, |wait| wait.max(backoff))
    }
}

/// Reads a `Retry-After` value, as delay-seconds or as an HTTP date, into milliseconds from
/// `now_ms` (Unix time). `http_date` reads a date into Unix milliseconds: the browser's own
/// `Date.parse` in the widget, which costs the wasm nothing. A date in the past means no wait.
/// Anything unreadable is ignored.
pub fn parse_retry_after(value: &str, now_ms: u64, http_date: impl Fn(&str) -> Option<u64>) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 is still a very long wait, not no wait.
        return Some(value.parse::<u64>().map_or(u64::MAX, |seconds| seconds.saturating_mul(1_000)));
    }
    // Only the form servers must send (IMF-fixdate, RFC 9110 §5.6.7) goes to the date parser,
    // which would read much else as some date.
    if !value.ends_with(" GMT") {
        return None;
    }
    http_date(value).map(|at_ms| at_ms.saturating_sub(now_ms))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use FailureReason::{ServerUnavailable, TooManyRequests, UnexpectedAnswer};

    /// What each answer means, by status range: with a problem document, and without one.
    /// Together the rows cover every status from 100 to 599 exactly once.
    #[rustfmt::skip]
    const TABLE: &[(u16, u16, Expected, Expected)] = &[
        // from, to,  with a problem document, without one
        (100, 199, Expected::Unexpected,  Expected::Unexpected),  // informational: never final
        (200, 200, Expected::Unexpected,  Expected::Unexpected),  // a captive portal's page
        (201, 201, Expected::Acknowledged, Expected::Acknowledged),
        (202, 299, Expected::Unexpected,  Expected::Unexpected),
        (300, 399, Expected::Unexpected,  Expected::Unexpected),  // a redirect fetch did not follow
        (400, 400, Expected::Refused,     Expected::Unexpected),  // a proxy's own 400 is no refusal
        (401, 408, Expected::Unexpected,  Expected::Unexpected),  // proxies, firewalls, half-deployed routes
        (409, 409, Expected::Refused,     Expected::Unexpected),
        (410, 412, Expected::Unexpected,  Expected::Unexpected),
        (413, 413, Expected::Refused,     Expected::Unexpected),
        (414, 414, Expected::Unexpected,  Expected::Unexpected),
        (415, 415, Expected::Refused,     Expected::Unexpected),
        (416, 421, Expected::Unexpected,  Expected::Unexpected),
        (422, 422, Expected::Refused,     Expected::Unexpected),
        (423, 428, Expected::Unexpected,  Expected::Unexpected),
        (429, 429, Expected::Busy,        Expected::Busy),
        (430, 499, Expected::Unexpected,  Expected::Unexpected),
        (500, 599, Expected::Unavailable, Expected::Unavailable), // 520-526 from CDNs included
    ];

    #[derive(Clone, Copy, Debug)]
    enum Expected {
        Acknowledged,
        Refused,
        Busy,
        Unavailable,
        Unexpected,
    }

    impl Expected {
        fn class(self, status: u16) -> StatusClass {
            match self {
                Expected::Acknowledged => StatusClass::Acknowledged,
                Expected::Refused => StatusClass::Refused,
                Expected::Busy => StatusClass::NotYet(TooManyRequests),
                Expected::Unavailable => StatusClass::NotYet(ServerUnavailable(status)),
                Expected::Unexpected => StatusClass::NotYet(UnexpectedAnswer(status)),
            }
        }
    }

    #[test]
    fn every_status_from_100_to_599_is_classified_as_the_table_says() {
        let mut covered = Vec::new();
        for &(from, to, with_problem, without_problem) in TABLE {
            for status in from..=to {
                covered.push(status);
                assert_eq!(classify(status, true), with_problem.class(status), "{status} with a problem document");
                assert_eq!(classify(status, false), without_problem.class(status), "{status} without one");
            }
        }
        assert_eq!(covered, (100..=599).collect::<Vec<u16>>(), "the table covers each status once, in order");
    }

    #[test]
    fn only_a_problem_document_with_a_contract_status_refuses() {
        let refusing: Vec<u16> = (100..=599).filter(|&status| classify(status, true) == StatusClass::Refused).collect();
        assert_eq!(refusing, REFUSALS);
        assert!((100..=599).all(|status| classify(status, false) != StatusClass::Refused));
    }

    proptest! {
        #[test]
        fn a_wait_lies_between_half_and_all_of_its_ceiling(failures in 1u32..200, unit in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let ceiling = policy.cap_ms.min(policy.base_ms.saturating_mul(1u64.checked_shl(failures - 1).unwrap_or(u64::MAX)));
            let wait = policy.backoff_ms(failures, unit);
            prop_assert!(wait <= ceiling, "{} > {}", wait, ceiling);
            prop_assert!(wait >= ceiling / 2, "{} < {}", wait, ceiling / 2);
        }

        #[test]
        fn a_wait_grows_with_the_random_unit(failures in 1u32..64, a in 0.0f64..1.0, b in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(policy.backoff_ms(failures, low) <= policy.backoff_ms(failures, high));
        }

        #[test]
        fn retry_after_is_a_minimum(failures in 1u32..20, seconds in 0u64..100_000, unit in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            let wait = policy.next_delay_ms(failures, Some(seconds * 1_000), unit);
            prop_assert!(wait >= seconds * 1_000);
            prop_assert!(wait <= (seconds * 1_000).max(policy.cap_ms));
        }

        #[test]
        fn there_is_always_a_next_attempt(failures in 0u32..10_000, unit in 0.0f64..1.0) {
            let policy = RetryPolicy::default();
            prop_assert!(policy.next_delay_ms(failures, None, unit) <= policy.cap_ms);
        }

        #[test]
        fn delay_seconds_read_as_milliseconds(seconds in 0u64..10_000_000, now in 0u64..4_000_000_000_000) {
            prop_assert_eq!(parse_retry_after(&seconds.to_string(), now, no_date), Some(seconds * 1_000));
        }

        #[test]
        fn retry_after_never_panics(text in "\\PC{0,40}", now in any::<u64>()) {
            let _ = parse_retry_after(&text, now, |_| Some(u64::MAX));
        }
    }

    #[test]
    fn waits_double_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff_ms(1, 0.0), 500);
        assert_eq!(policy.backoff_ms(1, 0.999_999), 999);
        assert_eq!(policy.backoff_ms(2, 0.0), 1_000);
        assert_eq!(policy.backoff_ms(5, 0.5), 12_000);
        assert_eq!(policy.backoff_ms(6, 0.0), 15_000);
        assert_eq!(policy.backoff_ms(40, 1.0), policy.cap_ms);
        assert_eq!(policy.backoff_ms(u32::MAX, 1.0), policy.cap_ms);
        // No attempt made yet counts as the first failure's wait, never as no wait.
        assert_eq!(policy.backoff_ms(0, 0.0), 500);
    }

    #[test]
    fn a_long_retry_after_is_honoured() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay_ms(1, Some(3_600_000), 0.5), 3_600_000);
        assert_eq!(policy.next_delay_ms(9, Some(1_000), 0.0), 15_000, "backoff wins when longer");
    }

    /// A date parser that reads nothing.
    fn no_date(_: &str) -> Option<u64> {
        None
    }

    #[test]
    fn an_http_date_is_a_wait_until_then() {
        // 1994-11-06T08:49:37Z, the example of RFC 9110.
        let at = 784_111_777_000;
        let parser = |value: &str| (value == "Sun, 06 Nov 1994 08:49:37 GMT").then_some(at);
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at - 5_000, parser), Some(5_000));
        assert_eq!(
            parse_retry_after(" Sun, 06 Nov 1994 08:49:37 GMT ", at + 5_000, parser),
            Some(0),
            "a date past is no wait"
        );
        assert_eq!(parse_retry_after("Sun, 32 Nov 1994 08:49:37 GMT", 0, parser), None, "what the parser refuses");
    }

    #[test]
    fn only_the_servers_date_form_reaches_the_date_parser() {
        let asked = std::cell::RefCell::new(Vec::new());
        let parser = |value: &str| {
            asked.borrow_mut().push(value.to_owned());
            Some(0)
        };
        for value in ["", "soon", "-5", "1.5", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC"] {
            assert_eq!(parse_retry_after(value, 0, parser), None, "{value:?}");
        }
        assert!(asked.borrow().is_empty(), "{:?}", asked.borrow());
        assert_eq!(parse_retry_after(" 120 ", 0, no_date), Some(120_000));
        assert_eq!(parse_retry_after("99999999999999999999999", 0, no_date), Some(u64::MAX));
    }
}
