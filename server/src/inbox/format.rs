//! How the staff pages write amounts, times, options and statuses: for people in an office in
//! the UK, in English, with times in UTC said as such.

use pledge::{Amount, Frequency, SponsorshipOption};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::storage::{EventKind, PledgeEvent, Status};
use crate::timestamp::Timestamp;

/// `GBP 25.00 a month`, `XOF 10000 once`: the code rather than a symbol, so that euros and
/// dollars are never mistaken for pounds.
pub fn amount(amount: Amount, frequency: Frequency) -> String {
    let per = match frequency {
        Frequency::Monthly => "a month",
        Frequency::Once => "once",
    };
    format!("{} {} {per}", amount.currency.code(), amount.to_decimal_string())
}

/// `2026-12-06 14:03 UTC`.
pub fn time(at: Timestamp) -> String {
    let nanos = i128::from(at.as_micros()) * 1_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|at| at.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).ok())
        .unwrap_or_else(|| at.to_rfc3339())
}

/// The machine-readable form for `<time datetime>`.
pub fn datetime_attribute(at: Timestamp) -> String {
    at.to_rfc3339()
}

pub fn option(option: SponsorshipOption) -> &'static str {
    match option {
        SponsorshipOption::Child => "Sponsor a child",
        SponsorshipOption::Village => "Sponsor the village",
        SponsorshipOption::OneOff => "One-off gift",
    }
}

pub fn status(status: Status) -> &'static str {
    match status {
        Status::New => "New",
        Status::Contacted => "Contacted",
        Status::Converted => "Converted",
        Status::Declined => "Declined",
        Status::Review => "Held for review",
    }
}

/// What an event in a pledge's history did, in a sentence.
pub fn event(event: &PledgeEvent) -> String {
    let status = |status: Option<Status>| status.map_or("unknown", self::status);
    match event.kind {
        EventKind::Received => "Received from the widget".to_owned(),
        EventKind::HeldForReview => "Held for review as possibly automated".to_owned(),
        EventKind::Released => "Released from review".to_owned(),
        EventKind::StatusChanged => {
            format!("Status changed from {} to {}", status(event.from_status), status(event.to_status))
        }
        EventKind::Erased => "The donor's details were erased on request".to_owned(),
        EventKind::Anonymised => "The donor's details were erased at the end of the retention period".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pledge::Currency;

    #[test]
    fn amounts_name_their_currency_and_frequency() {
        assert_eq!(amount(Amount::new(2500, Currency::GBP), Frequency::Monthly), "GBP 25.00 a month");
        assert_eq!(amount(Amount::new(10000, Currency::XOF), Frequency::Once), "XOF 10000 once");
    }

    #[test]
    fn times_are_said_in_utc_to_the_minute() {
        let at = Timestamp::parse("2026-12-06T14:03:59.5Z").map(time);
        assert_eq!(at.as_deref(), Some("2026-12-06 14:03 UTC"));
    }
}
