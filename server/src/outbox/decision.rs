//! What happens to a delivery after an attempt: delivered, tried again after a wait, or given
//! up. Plain Rust, decided from the attempt's outcome, the number of attempts made and the retry
//! policy, with the random draw for the jitter passed in so that it is tested deterministically.
//!
//! The error kept with a delivery says what failed in terms that carry no personal data: an
//! HTTP status, a timeout, a refused connection. Never the answer's body, which may echo the
//! payload, nor the endpoint's URL, which may carry a token.

use std::fmt;
use std::time::Duration;

use crate::notify::RetryPolicy;
use crate::storage::outbox::NOT_SENT;
use crate::storage::DeliveryUpdate;
use crate::timestamp::Timestamp;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// A 2xx answer.
    Accepted,
    /// Any other answer, with its status code.
    Refused(u16),
    /// No answer.
    Failed(Failure),
    /// There was nothing to send, and there never will be (an e-mail that must not be sent, a
    /// pledge that is gone): settled at once, as delivered, without retries. The text says why,
    /// without personal data, and stays with the delivery so that staff see nothing was sent.
    NothingToSend(String),
    /// Not taken, for a reason that another attempt would not change: given up at once. The
    /// text says what failed without personal data.
    Undeliverable(String),
    /// Not taken this time, for a reason that may pass: tried again. The text says what failed
    /// without personal data.
    Deferred(String),
}

/// Why an attempt got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the attempt's time limit.
    TimedOut,
    /// The connection (name resolution, TCP or TLS) could not be made.
    Unreachable,
    /// The request failed some other way after connecting.
    Broken,
    /// No channel is configured for the delivery's endpoint any more.
    UnknownEndpoint,
}

impl fmt::Display for Attempt {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attempt::Accepted => formatter.write_str("accepted"),
            Attempt::Refused(status) => write!(formatter, "answered HTTP {status}"),
            Attempt::Failed(Failure::TimedOut) => formatter.write_str("no answer in time"),
            Attempt::Failed(Failure::Unreachable) => formatter.write_str("could not connect"),
            Attempt::Failed(Failure::Broken) => formatter.write_str("the request failed"),
            Attempt::Failed(Failure::UnknownEndpoint) => formatter.write_str("no such endpoint is configured"),
            Attempt::NothingToSend(reason) => write!(formatter, "{NOT_SENT}{reason}"),
            Attempt::Undeliverable(detail) | Attempt::Deferred(detail) => formatter.write_str(detail),
        }
    }
}

/// What happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAfter(Duration),
    Dead,
}

/// The next step after an attempt, `attempts` counting every attempt made so far, this one
/// included; `random` is a uniformly random value for the jitter.
pub fn next(attempt: &Attempt, attempts: u32, policy: &RetryPolicy, random: u64) -> Next {
    match attempt {
        Attempt::Accepted | Attempt::NothingToSend(_) => Next::Delivered,
        Attempt::Undeliverable(_) => Next::Dead,
        Attempt::Refused(_) | Attempt::Failed(_) | Attempt::Deferred(_) => match policy.next_delay(attempts, random) {
            Some(delay) => Next::RetryAfter(delay),
            None => Next::Dead,
        },
    }
}

/// The row update for `next`, after the `attempts`-th attempt ended at `now` as `attempt` did.
pub fn update(next: Next, attempt: &Attempt, attempts: u32, now: Timestamp) -> DeliveryUpdate {
    match next {
        Next::Delivered => {
            let note = matches!(attempt, Attempt::NothingToSend(_)).then(|| attempt.to_string());
            DeliveryUpdate::Delivered { attempts, at: now, note }
        }
        Next::RetryAfter(delay) => {
            DeliveryUpdate::Retry { attempts, next_attempt_at: now.plus(delay), error: attempt.to_string() }
        }
        Next::Dead => DeliveryUpdate::Dead { attempts, error: attempt.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy { base: Duration::from_secs(10), max_delay: Duration::from_secs(100), max_attempts: 3 }
    }

    #[test]
    fn an_accepted_attempt_is_delivered_whatever_came_before() {
        for attempts in [1, 3, 50] {
            assert_eq!(next(&Attempt::Accepted, attempts, &policy(), u64::MAX), Next::Delivered);
        }
    }

    #[test]
    fn refusals_and_failures_wait_with_jitter_then_die() {
        let policy = policy();
        let deferred = Attempt::Deferred("the SMTP server deferred the message with a 451 reply".into());
        for failed in [Attempt::Refused(500), Attempt::Refused(404), Attempt::Failed(Failure::TimedOut), deferred] {
            assert_eq!(next(&failed, 1, &policy, 0), Next::RetryAfter(Duration::ZERO));
            assert_eq!(next(&failed, 1, &policy, u64::MAX), Next::RetryAfter(Duration::from_secs(10)));
            assert_eq!(next(&failed, 2, &policy, u64::MAX), Next::RetryAfter(Duration::from_secs(20)));
            assert_eq!(next(&failed, 3, &policy, u64::MAX), Next::Dead, "after the last attempt");
        }
    }

    #[test]
    fn nothing_to_send_settles_at_once_and_the_undeliverable_die_at_once() {
        let nothing = Attempt::NothingToSend("the donor's details were erased".into());
        assert_eq!(next(&nothing, 1, &policy(), u64::MAX), Next::Delivered);
        assert_eq!(
            update(Next::Delivered, &nothing, 1, Timestamp::from_micros(0)),
            DeliveryUpdate::Delivered {
                attempts: 1,
                at: Timestamp::from_micros(0),
                note: Some("not sent: the donor's details were erased".into())
            },
            "settled, with the reason nothing was sent kept for the deliveries page"
        );
        let refused = Attempt::Undeliverable("the SMTP server refused the message with a 550 reply".into());
        assert_eq!(next(&refused, 1, &policy(), u64::MAX), Next::Dead, "no retry for a permanent failure");
        assert_eq!(
            update(Next::Dead, &refused, 1, Timestamp::from_micros(0)),
            DeliveryUpdate::Dead { attempts: 1, error: "the SMTP server refused the message with a 550 reply".into() }
        );
    }

    #[test]
    fn updates_carry_the_attempts_the_due_time_and_a_plain_error() {
        let now = Timestamp::from_micros(1_000_000);
        assert_eq!(
            update(Next::Delivered, &Attempt::Accepted, 2, now),
            DeliveryUpdate::Delivered { attempts: 2, at: now, note: None }
        );
        assert_eq!(
            update(Next::RetryAfter(Duration::from_secs(3)), &Attempt::Refused(503), 1, now),
            DeliveryUpdate::Retry {
                attempts: 1,
                next_attempt_at: Timestamp::from_micros(4_000_000),
                error: "answered HTTP 503".into()
            }
        );
        assert_eq!(
            update(Next::Dead, &Attempt::Failed(Failure::Unreachable), 16, now),
            DeliveryUpdate::Dead { attempts: 16, error: "could not connect".into() }
        );
        let far = update(Next::RetryAfter(Duration::MAX), &Attempt::Refused(500), 1, now);
        assert!(
            matches!(far, DeliveryUpdate::Retry { next_attempt_at, .. } if next_attempt_at.as_micros() == i64::MAX)
        );
    }
}
