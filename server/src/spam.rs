//! The receiver's spam decision, from the signals the widget reports.
//!
//! A bot is answered exactly like a donor (a `201` with a reference) so that it learns nothing;
//! the attempt is only counted.

use std::time::Duration;

use pledge::AntiSpam;

/// Why a submission was taken for a bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    fn an_instant_fill_is_too_fast() {
        assert_eq!(judge(&signals("", 2_999), Duration::from_secs(3)), Some(SpamReason::TooFast));
        assert_eq!(judge(&signals("", 0), Duration::ZERO), None);
    }
}
