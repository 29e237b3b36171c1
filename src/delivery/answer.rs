//! What one attempt's outcome means for the pledge: delivered, worth another try, or refused.

use pledge::{ErrorCode, FieldError};

use super::retry::{classify, parse_retry_after, StatusClass};
use super::FailureReason;

/// How one attempt ended, as the transport saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum Attempt {
    /// The request failed before any answer: no connection, DNS, CORS, or the browser offline.
    Unreachable,
    /// No complete answer within the attempt's time limit.
    TimedOut,
    Answered(Reply),
}

/// An HTTP answer, reduced to what delivery needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    pub status: u16,
    /// Whether the body is a problem document: `application/problem+json` that reads as a
    /// JSON object. Only such an answer can refuse a pledge.
    pub problem: bool,
    /// The raw `Retry-After` header.
    pub retry_after: Option<String>,
    /// The `reference` of a `201` body.
    pub reference: Option<String>,
    /// The `detail` of a problem+json body.
    pub detail: Option<String>,
    /// The `errors` of a problem+json body, as `(pointer, code)`.
    pub errors: Vec<(String, String)>,
}

/// What to do with the pledge after an attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Received { reference: String },
    Retry { reason: FailureReason, retry_after_ms: Option<u64> },
    Rejected { status: u16, errors: Vec<FieldError>, detail: Option<String> },
}

/// The verdict on `attempt`, made at `now_ms`. `http_date` reads a `Retry-After` date (see
/// [`parse_retry_after`]).
pub fn verdict(attempt: &Attempt, now_ms: u64, http_date: impl Fn(&str) -> Option<u64>) -> Verdict {
    let reply = match attempt {
        Attempt::Unreachable => return Verdict::Retry { reason: FailureReason::Offline, retry_after_ms: None },
        Attempt::TimedOut => return Verdict::Retry { reason: FailureReason::Timeout, retry_after_ms: None },
        Attempt::Answered(reply) => reply,
    };
    let retry_after_ms = reply.retry_after.as_deref().and_then(|value| parse_retry_after(value, now_ms, http_date));
    match classify(reply.status, reply.problem) {
        StatusClass::Acknowledged => match reply.reference.as_deref().filter(|r| is_reference(r)) {
            Some(reference) => Verdict::Received { reference: reference.to_owned() },
            // A success without a reference did not come from the receiver; resending is safe
            // because a pledge that did arrive is answered again with its first reference.
            None => Verdict::Retry { reason: FailureReason::UnexpectedAnswer(reply.status), retry_after_ms },
        },
        StatusClass::NotYet(reason) => Verdict::Retry { reason, retry_after_ms },
        StatusClass::Refused => Verdict::Rejected {
            status: reply.status,
            errors: reply.errors.iter().filter_map(|(pointer, code)| field_error(pointer, code)).collect(),
            detail: reply.detail.clone(),
        },
    }
}

/// A reference as the receiver makes them, such as `SK-7Q2M-K9XD`: short printable ASCII that
/// is safe to show the donor and to put in an event.
fn is_reference(reference: &str) -> bool {
    (1..=64).contains(&reference.len()) && reference.bytes().all(|b| b.is_ascii_graphic())
}

/// A problem's field error, if its code is one the widget knows. Codes about the shape of the
/// body (`unknown_field` and the like) name no field the donor can fix, so they are left to
/// the problem's `detail`.
fn field_error(pointer: &str, code: &str) -> Option<FieldError> {
    Some(FieldError { pointer: pointer.to_owned(), code: ErrorCode::from_name(code)? })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn no_date(_: &str) -> Option<u64> {
        None
    }

    fn answered(status: u16, problem: bool) -> Attempt {
        Attempt::Answered(Reply { status, problem, ..Reply::default() })
    }

    #[test]
    fn a_201_with_a_reference_means_received() {
        let reply = Reply { status: 201, reference: Some("SK-7Q2M-K9XD".into()), ..Reply::default() };
        assert_eq!(
            verdict(&Attempt::Answered(reply), 0, no_date),
            Verdict::Received { reference: "SK-7Q2M-K9XD".into() }
        );
    }

    #[test]
    fn a_success_without_a_reference_or_another_2xx_is_sent_again() {
        for (status, reference) in [
            (201, None),
            (201, Some(String::new())),
            (201, Some("<html>".repeat(20))),
            (201, Some("SK 1".into())),
            (200, Some("SK-7Q2M-K9XD".into())),
            (204, None),
        ] {
            let reply = Reply { status, reference, ..Reply::default() };
            assert_eq!(
                verdict(&Attempt::Answered(reply), 0, no_date),
                Verdict::Retry { reason: FailureReason::UnexpectedAnswer(status), retry_after_ms: None }
            );
        }
    }

    #[test]
    fn network_failures_timeouts_and_proxy_answers_are_sent_again() {
        assert_eq!(
            verdict(&Attempt::Unreachable, 0, no_date),
            Verdict::Retry { reason: FailureReason::Offline, retry_after_ms: None }
        );
        assert_eq!(
            verdict(&Attempt::TimedOut, 0, no_date),
            Verdict::Retry { reason: FailureReason::Timeout, retry_after_ms: None }
        );
        for status in [500, 502, 503, 520, 522, 526] {
            assert_eq!(
                verdict(&answered(status, true), 0, no_date),
                Verdict::Retry { reason: FailureReason::ServerUnavailable(status), retry_after_ms: None }
            );
        }
        for status in [400, 401, 403, 404, 405, 407, 409, 413, 415, 422] {
            assert_eq!(
                verdict(&answered(status, false), 0, no_date),
                Verdict::Retry { reason: FailureReason::UnexpectedAnswer(status), retry_after_ms: None },
                "{status} without a problem document"
            );
        }
    }

    #[test]
    fn a_wait_the_endpoint_asks_for_is_carried() {
        let reply = Reply { status: 429, retry_after: Some("7".into()), ..Reply::default() };
        assert_eq!(
            verdict(&Attempt::Answered(reply), 0, no_date),
            Verdict::Retry { reason: FailureReason::TooManyRequests, retry_after_ms: Some(7_000) }
        );
        let reply = Reply { status: 503, problem: true, retry_after: Some("5".into()), ..Reply::default() };
        assert_eq!(
            verdict(&Attempt::Answered(reply), 0, no_date),
            Verdict::Retry { reason: FailureReason::ServerUnavailable(503), retry_after_ms: Some(5_000) }
        );
    }

    #[test]
    fn refused_fields_come_back_with_their_codes() {
        let reply = Reply {
            status: 422,
            problem: true,
            detail: Some("2 fields were refused.".into()),
            errors: vec![
                ("/donor/email".into(), "invalid_email".into()),
                ("/extra".into(), "unknown_field".into()),
                ("/amount/minor_units".into(), "amount_below_minimum".into()),
            ],
            ..Reply::default()
        };
        assert_eq!(
            verdict(&Attempt::Answered(reply), 0, no_date),
            Verdict::Rejected {
                status: 422,
                errors: vec![
                    FieldError::new("/donor/email", ErrorCode::InvalidEmail),
                    FieldError::new("/amount/minor_units", ErrorCode::AmountBelowMinimum),
                ],
                detail: Some("2 fields were refused.".into()),
            }
        );
    }

    #[test]
    fn every_known_code_is_read() {
        for code in ErrorCode::ALL {
            assert_eq!(field_error("/x", code.name()), Some(FieldError::new("/x", code)), "{}", code.name());
        }
        assert_eq!(field_error("/x", "unknown_field"), None);
    }

    #[test]
    fn the_contract_refusals_are_final() {
        for status in [400, 409, 413, 415, 422] {
            assert_eq!(
                verdict(&answered(status, true), 0, no_date),
                Verdict::Rejected { status, errors: vec![], detail: None }
            );
        }
    }
}
