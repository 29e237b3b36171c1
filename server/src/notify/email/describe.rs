//! A pledge in words, in English or French: what was chosen, how much and how often, and when.
//!
//! Amounts keep the currency's code rather than a symbol: `GBP 25.00` means one thing to every
//! reader, where `$` does not, and the charity's staff compare it with the export's columns.

use pledge::{Amount, Frequency, Locale, Pledge, SponsorshipOption};
use time::{Month, OffsetDateTime};

use crate::timestamp::Timestamp;

/// The option as the widget names it, without the frequency, which the amount states.
pub fn option_name(option: SponsorshipOption, locale: Locale) -> &'static str {
    match (locale, option) {
        (Locale::En, SponsorshipOption::Child) => "Sponsor a child",
        (Locale::En, SponsorshipOption::Village) => "Sponsor the village",
        (Locale::En, SponsorshipOption::OneOff) => "One-off gift",
        (Locale::Fr, SponsorshipOption::Child) => "Parrainer un enfant",
        (Locale::Fr, SponsorshipOption::Village) => "Parrainer le village",
        (Locale::Fr, SponsorshipOption::OneOff) => "Don ponctuel",
    }
}

/// `GBP 25.00 a month` or `GBP 50.00`; in French `25,00 GBP par mois` or `50,00 GBP`.
pub fn amount(amount: Amount, frequency: Frequency, locale: Locale) -> String {
    let code = amount.currency.code();
    let decimal = amount.to_decimal_string();
    match (locale, frequency) {
        (Locale::En, Frequency::Monthly) => format!("{code} {decimal} a month"),
        (Locale::En, Frequency::Once) => format!("{code} {decimal}"),
        (Locale::Fr, Frequency::Monthly) => format!("{}\u{a0}{code} par mois", decimal.replace('.', ",")),
        (Locale::Fr, Frequency::Once) => format!("{}\u{a0}{code}", decimal.replace('.', ",")),
    }
}

/// What was pledged in one phrase: `Sponsor a child, GBP 25.00 a month`.
pub fn pledged(pledge: &Pledge, locale: Locale) -> String {
    format!("{}, {}", option_name(pledge.option, locale), amount(pledge.amount, pledge.frequency, locale))
}

/// The day in UTC, as people write it: `27 November 2026`, `1er décembre 2026`.
pub fn date(at: Timestamp, locale: Locale) -> String {
    let Ok(moment) = OffsetDateTime::from_unix_timestamp(at.as_micros().div_euclid(1_000_000)) else {
        // Outside the years `time` handles, which no stored pledge is; the ISO date still reads.
        return at.to_rfc3339().chars().take(10).collect();
    };
    let (year, month, day) = (moment.year(), moment.month(), moment.day());
    match locale {
        Locale::En => format!("{day} {} {year}", english_month(month)),
        Locale::Fr if day == 1 => format!("1er {} {year}", french_month(month)),
        Locale::Fr => format!("{day} {} {year}", french_month(month)),
    }
}

/// The minute in UTC, for staff: `2026-11-27 14:03 UTC`.
pub fn minute_utc(at: Timestamp) -> String {
    let text = at.to_rfc3339();
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(minute)) => format!("{day} {minute} UTC"),
        _ => text,
    }
}

/// The language's own name, in English, for the charity's staff.
pub fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "English",
        Locale::Fr => "French",
    }
}

fn english_month(month: Month) -> &'static str {
    match month {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

fn french_month(month: Month) -> &'static str {
    match month {
        Month::January => "janvier",
        Month::February => "février",
        Month::March => "mars",
        Month::April => "avril",
        Month::May => "mai",
        Month::June => "juin",
        Month::July => "juillet",
        Month::August => "août",
        Month::September => "septembre",
        Month::October => "octobre",
        Month::November => "novembre",
        Month::December => "décembre",
    }
}

#[cfg(test)]
mod tests {
    use pledge::Currency;

    use super::*;

    #[test]
    fn amounts_read_naturally_in_each_language() {
        let monthly = Amount::new(2500, Currency::GBP);
        assert_eq!(amount(monthly, Frequency::Monthly, Locale::En), "GBP 25.00 a month");
        assert_eq!(amount(monthly, Frequency::Monthly, Locale::Fr), "25,00\u{a0}GBP par mois");
        let once = Amount::new(10_000, Currency::XOF);
        assert_eq!(amount(once, Frequency::Once, Locale::En), "XOF 10000");
        assert_eq!(amount(once, Frequency::Once, Locale::Fr), "10000\u{a0}XOF");
    }

    #[test]
    fn dates_are_written_out() {
        // 2026-11-27T23:59:59Z and 2026-12-01T00:00:00Z.
        let late = Timestamp::from_micros(1_795_823_999_000_000);
        assert_eq!(date(late, Locale::En), "27 November 2026");
        assert_eq!(date(late, Locale::Fr), "27 novembre 2026");
        let first = Timestamp::from_micros(1_796_083_200_000_000);
        assert_eq!(date(first, Locale::En), "1 December 2026");
        assert_eq!(date(first, Locale::Fr), "1er décembre 2026");
        assert_eq!(minute_utc(late), "2026-11-27 23:59 UTC");
    }

    #[test]
    fn dates_beyond_the_calendar_do_not_panic() {
        assert_eq!(date(Timestamp::from_micros(i64::MAX), Locale::En).len(), 10);
    }
}
