//! The receiver's spam decision, from the signals the widget reports.
//!
//! A bot is answered exactly like a donor (a `201` with a real reference) so that it learns
//! nothing. Its pledge is stored all the same, with status `review` and the reason, because
//! the signals can be wrong about a person: quarantined, never discarded.

use std::time::Duration;

use pledge::AntiSpam;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a submission was taken for a bot and held for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpamReason {
    /// The hidden field, which people never see, was filled in.
    Honeypot,
    /// The form was completed faster than a person can read and type it.
    TooFast,
}

impl SpamReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SpamReason::Honeypot => "honeypot",
            SpamReason::TooFast => "too_fast",
        }
    }

    pub fn parse(text: &str) -> Option<SpamReason> {
        [SpamReason::Honeypot, SpamReason::TooFast].into_iter().find(|reason| reason.as_str() == text)
    }
}

pub fn judge(signals: &AntiSpam, minimum_fill: Duration) -> Option<SpamReason> {
    if !signals.honeypot.is_empty() {
        Some(SpamReason::Honeypot)
    } else if u128::from(signals.fill_ms) < minimum_fill.as_millis() {
        Some(SpamReason::TooFast)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(honeypot: &str, fill_ms: u64) -> AntiSpam {
        AntiSpam { honeypot: honeypot.to_owned(), fill_ms }
    }

    #[test]
    fn a_person_passes() {
        assert_eq!(judge(&signals("", 45_000), Duration::from_secs(3)), None);
        assert_eq!(judge(&signals("", 3_000), Duration::from_secs(3)), None);
    }

    #[test]
    fn the_honeypot_wins_over_timing() {
        assert_eq!(judge(&signals("http://spam", 45_000), Duration::from_secs(3)), Some(SpamReason::Honeypot));
        assert_eq!(judge(&signals(" ", 10), Duration::from_secs(3)), Some(SpamReason::Honeypot));
    }

    #[test]
    fn reasons_read_back_as_they_are_written() {
        for reason in [SpamReason::Honeypot, SpamReason::TooFast] {
            assert_eq!(SpamReason::parse(reason.as_str()), Some(reason));
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
        assert_eq!(SpamReason::parse("Honeypot"), None);
    }

    #[test]
    fn an_instant_fill_is_too_fast() {
        assert_eq!(judge(&signals("", 2_999), Duration::from_secs(3)), Some(SpamReason::TooFast));
        assert_eq!(judge(&signals("", 0), Duration::ZERO), None);
    }
}
