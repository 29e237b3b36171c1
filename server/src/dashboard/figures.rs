//! The dashboard's figures: how many pledges came in and for how much, per day and per ISO
//! week, and how each partner and each sponsorship option is doing.
//!
//! Money is kept per currency and never added across currencies: the receiver knows no
//! exchange rates, and a total in mixed currencies would be a number nobody can act on.
//! Monthly and one-off pledges are kept apart too, as one month of a sponsorship and a single
//! gift are different promises.
//!
//! Pledges held for review (probably automated) are left out of every figure and only counted,
//! so that a burst of spam neither inflates the charts nor drags the conversion rates down.
//!
//! Days are UTC calendar days, as every instant the receiver stores is in UTC.

use pledge::{Currency, Frequency, SponsorshipOption};
use time::{Date, Duration};

use crate::timestamp::Timestamp;

pub use crate::storage::Status;

/// What the figures need to know about one stored pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeFacts {
    pub received_at: Timestamp,
    pub partner: String,
    pub option: SponsorshipOption,
    pub frequency: Frequency,
    pub currency: Currency,
    pub amount_minor: i64,
    pub status: Status,
}

impl From<crate::storage::ReceivedPledge> for PledgeFacts {
    fn from(received: crate::storage::ReceivedPledge) -> PledgeFacts {
        PledgeFacts {
            received_at: received.received_at,
            partner: received.partner,
            option: received.option,
            frequency: received.frequency,
            currency: received.amount.currency,
            amount_minor: i64::try_from(received.amount.minor_units).unwrap_or(i64::MAX),
            status: received.status,
        }
    }
}

/// Whole UTC days from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    first: Date,
    last: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    EndsBeforeItStarts,
    /// Longer than [`DateRange::MAX_DAYS`]; a request cannot make the server build an
    /// arbitrarily long list of days.
    TooLong,
}

impl RangeError {
    /// What the dashboard's form says.
    pub fn message(self) -> String {
        match self {
            RangeError::EndsBeforeItStarts => "The last day is before the first day.".to_owned(),
            RangeError::TooLong => format!("Choose at most {} days.", DateRange::MAX_DAYS),
        }
    }
}

impl DateRange {
    /// A little over three years, enough to compare a season with the same one two years ago.
    pub const MAX_DAYS: i64 = 1_100;

    pub fn new(first: Date, last: Date) -> Result<DateRange, RangeError> {
        let days = (last - first).whole_days() + 1;
        if days < 1 {
            Err(RangeError::EndsBeforeItStarts)
        } else if days > DateRange::MAX_DAYS {
            Err(RangeError::TooLong)
        } else {
            Ok(DateRange { first, last })
        }
    }

    /// The `days` days that end with `last` (at least one, at most [`DateRange::MAX_DAYS`]).
    pub fn ending(last: Date, days: i64) -> DateRange {
        let days = days.clamp(1, DateRange::MAX_DAYS);
        let first = last.checked_sub(time::Duration::days(days - 1)).unwrap_or(last);
        DateRange { first, last }
    }

    pub fn first(self) -> Date {
        self.first
    }

    pub fn last(self) -> Date {
        self.last
    }

    pub fn contains(self, date: Date) -> bool {
        (self.first..=self.last).contains(&date)
    }

    fn day_count(self) -> usize {
        usize::try_from((self.last - self.first).whole_days() + 1).unwrap_or(0)
    }
}

/// The UTC calendar day of an instant, or `None` beyond the years a `Date` can hold.
pub fn utc_day(at: Timestamp) -> Option<Date> {
    const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
    let julian_day = at.as_micros().div_euclid(86_400_000_000) + UNIX_EPOCH_JULIAN_DAY;
    Date::from_julian_day(i32::try_from(julian_day).ok()?).ok()
}

/// The Monday that starts the ISO week of `date`.
pub fn week_start(date: Date) -> Date {
    date - Duration::days(i64::from(date.weekday().number_days_from_monday()))
}

/// Pledged money in one currency, monthly and one-off apart, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyValue {
    pub currency: Currency,
    pub monthly_minor: i64,
    pub one_off_minor: i64,
}

/// Pledged money per currency, in [`Currency::ALL`] order, listing only currencies that
/// occurred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueByCurrency(Vec<CurrencyValue>);

impl ValueByCurrency {
    pub fn get(&self, currency: Currency) -> Option<&CurrencyValue> {
        self.0.iter().find(|value| value.currency == currency)
    }

    pub fn iter(&self) -> impl Iterator<Item = &CurrencyValue> {
        self.0.iter()
    }

    /// The monthly and one-off amounts in `currency`, zero where there were none.
    pub fn split(&self, currency: Currency) -> (i64, i64) {
        self.get(currency).map_or((0, 0), |value| (value.monthly_minor, value.one_off_minor))
    }

    fn add(&mut self, currency: Currency, frequency: Frequency, amount_minor: i64) {
        let position = match self.0.iter().position(|value| value.currency == currency) {
            Some(position) => position,
            None => {
                self.0.push(CurrencyValue { currency, monthly_minor: 0, one_off_minor: 0 });
                self.0.sort_by_key(|value| currency_rank(value.currency));
                self.0.iter().position(|value| value.currency == currency).unwrap_or_default()
            }
        };
        let value = &mut self.0[position];
        // Saturating rather than overflowing: a clamped figure is visibly absurd, a panic takes
        // the whole dashboard down.
        match frequency {
            Frequency::Monthly => value.monthly_minor = value.monthly_minor.saturating_add(amount_minor),
            Frequency::Once => value.one_off_minor = value.one_off_minor.saturating_add(amount_minor),
        }
    }
}

fn currency_rank(currency: Currency) -> usize {
    Currency::ALL.iter().position(|known| *known == currency).unwrap_or(usize::MAX)
}

/// Pledges in a run of days: one day, or the part of an ISO week inside the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub first_day: Date,
    pub last_day: Date,
    pub pledges: u64,
    pub value: ValueByCurrency,
}

impl Period {
    fn empty(first_day: Date, last_day: Date) -> Period {
        Period { first_day, last_day, pledges: 0, value: ValueByCurrency::default() }
    }

    fn add(&mut self, facts: &PledgeFacts) {
        self.pledges += 1;
        self.value.add(facts.currency, facts.frequency, facts.amount_minor);
    }

    /// The ISO week-numbering year and week of the period's first day.
    pub fn iso_week(&self) -> (i32, u8) {
        let (year, week, _) = self.first_day.to_iso_week_date();
        (year, week)
    }
}

/// How the pledges of one partner or one option fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown<K> {
    pub key: K,
    pub pledges: u64,
    pub value: ValueByCurrency,
    /// How many of the pledges reached `converted`.
    pub converted: u64,
}

impl<K> Breakdown<K> {
    fn empty(key: K) -> Breakdown<K> {
        Breakdown { key, pledges: 0, value: ValueByCurrency::default(), converted: 0 }
    }

    fn add(&mut self, facts: &PledgeFacts) {
        self.pledges += 1;
        self.value.add(facts.currency, facts.frequency, facts.amount_minor);
        if facts.status == Status::Converted {
            self.converted += 1;
        }
    }

    /// Converted pledges as a share of all counted ones, between 0 and 1; `None` when there
    /// were none, which is not the same as a rate of zero.
    pub fn conversion_rate(&self) -> Option<f64> {
        (self.pledges > 0).then(|| self.converted as f64 / self.pledges as f64)
    }
}

/// Everything the dashboard shows for one date range.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub range: DateRange,
    /// Every day of the range, in order, days without pledges included.
    pub days: Vec<Period>,
    /// Every ISO week (Monday to Sunday) that touches the range, clipped to it.
    pub weeks: Vec<Period>,
    pub total: Breakdown<()>,
    /// Partners with at least one pledge, most pledges first, then by id.
    pub by_partner: Vec<Breakdown<String>>,
    /// Every option, in [`SponsorshipOption::ALL`] order, with zeros where none came in.
    pub by_option: Vec<Breakdown<SponsorshipOption>>,
    /// Pledges in the range held for review, left out of every other figure.
    pub in_review: u64,
}

impl Figures {
    /// The currencies pledged in the range, in [`Currency::ALL`] order.
    pub fn currencies(&self) -> Vec<Currency> {
        self.total.value.iter().map(|value| value.currency).collect()
    }
}

/// Counts `pledges` received within `range`; pledges outside it are ignored.
pub fn figures(pledges: &[PledgeFacts], range: DateRange) -> Figures {
    let mut days: Vec<Period> = (0..range.day_count())
        .filter_map(|offset| range.first.checked_add(Duration::days(offset as i64)))
        .map(|day| Period::empty(day, day))
        .collect();
    let first_monday = week_start(range.first);
    let mut weeks = Vec::new();
    let mut monday = first_monday;
    while monday <= range.last {
        let sunday = monday.checked_add(Duration::days(6)).unwrap_or(range.last);
        weeks.push(Period::empty(monday.max(range.first), sunday.min(range.last)));
        match monday.checked_add(Duration::weeks(1)) {
            Some(next) => monday = next,
            None => break,
        }
    }
    let mut total = Breakdown::empty(());
    let mut by_partner: Vec<Breakdown<String>> = Vec::new();
    let mut by_option: Vec<_> = SponsorshipOption::ALL.into_iter().map(Breakdown::empty).collect();
    let mut in_review = 0;

    for facts in pledges {
        let Some(day) = utc_day(facts.received_at).filter(|day| range.contains(*day)) else {
            continue;
        };
        if facts.status == Status::Review {
            in_review += 1;
            continue;
        }
        let day_index = usize::try_from((day - range.first).whole_days()).unwrap_or(usize::MAX);
        if let Some(period) = days.get_mut(day_index) {
            period.add(facts);
        }
        let week_index = usize::try_from((week_start(day) - first_monday).whole_weeks()).unwrap_or(usize::MAX);
        if let Some(period) = weeks.get_mut(week_index) {
            period.add(facts);
        }
        total.add(facts);
        match by_partner.iter_mut().find(|breakdown| breakdown.key == facts.partner) {
            Some(breakdown) => breakdown.add(facts),
            None => {
                let mut breakdown = Breakdown::empty(facts.partner.clone());
                breakdown.add(facts);
                by_partner.push(breakdown);
            }
        }
        if let Some(breakdown) = by_option.iter_mut().find(|breakdown| breakdown.key == facts.option) {
            breakdown.add(facts);
        }
    }
    by_partner.sort_by(|a, b| b.pledges.cmp(&a.pledges).then_with(|| a.key.cmp(&b.key)));

    Figures { range, days, weeks, total, by_partner, by_option, in_review }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use time::macros::date;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("a valid timestamp")
    }

    /// A new pledge's facts, for the dashboard's tests.
    pub(in crate::dashboard) fn facts(
        received_at: &str,
        partner: &str,
        option: SponsorshipOption,
        currency: Currency,
        amount_minor: i64,
    ) -> PledgeFacts {
        PledgeFacts {
            received_at: at(received_at),
            partner: partner.to_owned(),
            option,
            frequency: option.frequency(),
            currency,
            amount_minor,
            status: Status::New,
        }
    }

    fn with_status(mut facts: PledgeFacts, status: Status) -> PledgeFacts {
        facts.status = status;
        facts
    }

    fn range(first: Date, last: Date) -> DateRange {
        DateRange::new(first, last).expect("a valid range")
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Converted"), None);
        assert_eq!(Status::parse(""), None);
    }

    #[test]
    fn ranges_refuse_backwards_and_overlong_spans() {
        assert_eq!(DateRange::new(date!(2026 - 11 - 02), date!(2026 - 11 - 01)), Err(RangeError::EndsBeforeItStarts));
        assert!(DateRange::new(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).is_ok());
        let last_allowed = date!(2026 - 01 - 01) + Duration::days(DateRange::MAX_DAYS - 1);
        assert!(DateRange::new(date!(2026 - 01 - 01), last_allowed).is_ok());
        assert_eq!(DateRange::new(date!(2026 - 01 - 01), last_allowed + Duration::days(1)), Err(RangeError::TooLong));
    }

    #[test]
    fn utc_days_and_week_starts() {
        assert_eq!(utc_day(at("2026-11-27T23:59:59.999999Z")), Some(date!(2026 - 11 - 27)));
        assert_eq!(utc_day(at("2026-11-28T00:00:00Z")), Some(date!(2026 - 11 - 28)));
        assert_eq!(utc_day(Timestamp::from_micros(-1)), Some(date!(1969 - 12 - 31)));
        assert_eq!(utc_day(Timestamp::from_micros(i64::MAX)), None);
        // 2026-11-27 is a Friday; 2026-11-23 a Monday.
        assert_eq!(week_start(date!(2026 - 11 - 27)), date!(2026 - 11 - 23));
        assert_eq!(week_start(date!(2026 - 11 - 23)), date!(2026 - 11 - 23));
        assert_eq!(week_start(date!(2026 - 11 - 29)), date!(2026 - 11 - 23));
    }

    #[test]
    fn every_day_appears_with_zeros_where_nothing_came_in() {
        let pledges = [
            facts("2026-11-02T09:00:00Z", "school", SponsorshipOption::Child, Currency::GBP, 2500),
            facts("2026-11-02T21:00:00Z", "school", SponsorshipOption::OneOff, Currency::GBP, 5000),
            facts("2026-11-04T12:00:00Z", "church", SponsorshipOption::Village, Currency::GBP, 1000),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 01), date!(2026 - 11 - 05)));
        let counts: Vec<_> = figures.days.iter().map(|day| (day.first_day, day.pledges)).collect();
        assert_eq!(
            counts,
            [
                (date!(2026 - 11 - 01), 0),
                (date!(2026 - 11 - 02), 2),
                (date!(2026 - 11 - 03), 0),
                (date!(2026 - 11 - 04), 1),
                (date!(2026 - 11 - 05), 0),
            ]
        );
        assert_eq!(figures.days[1].value.split(Currency::GBP), (2500, 5000));
        assert_eq!(figures.days[0].value, ValueByCurrency::default());
    }

    #[test]
    fn weeks_start_on_monday_and_are_clipped_to_the_range() {
        // Sunday 1 November to Tuesday 10 November 2026: three ISO weeks (44, 45, 46).
        let pledges = [
            facts("2026-11-01T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 100),
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 200),
            facts("2026-11-08T23:59:00Z", "a", SponsorshipOption::Child, Currency::GBP, 300),
            facts("2026-11-09T00:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 400),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 01), date!(2026 - 11 - 10)));
        let weeks: Vec<_> =
            figures.weeks.iter().map(|week| (week.first_day, week.last_day, week.iso_week().1, week.pledges)).collect();
        assert_eq!(
            weeks,
            [
                (date!(2026 - 11 - 01), date!(2026 - 11 - 01), 44, 1),
                (date!(2026 - 11 - 02), date!(2026 - 11 - 08), 45, 2),
                (date!(2026 - 11 - 09), date!(2026 - 11 - 10), 46, 1),
            ]
        );
        assert_eq!(figures.weeks[1].value.split(Currency::GBP), (500, 0));
    }

    #[test]
    fn iso_weeks_cross_the_new_year() {
        // 2026-12-28 is the Monday of ISO week 53 of 2026; 2027-01-04 starts week 1 of 2027.
        let figures = figures(&[], range(date!(2026 - 12 - 30), date!(2027 - 01 - 05)));
        let weeks: Vec<_> = figures.weeks.iter().map(Period::iso_week).collect();
        assert_eq!(weeks, [(2026, 53), (2027, 1)]);
        assert_eq!(figures.days.len(), 7);
    }

    #[test]
    fn currencies_are_never_added_together() {
        let pledges = [
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::XOF, 15_000),
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 2500),
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::OneOff, Currency::EUR, 3000),
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 500),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 02), date!(2026 - 11 - 02)));
        let values: Vec<_> = figures.days[0].value.iter().copied().collect();
        assert_eq!(
            values,
            [
                CurrencyValue { currency: Currency::GBP, monthly_minor: 3000, one_off_minor: 0 },
                CurrencyValue { currency: Currency::EUR, monthly_minor: 0, one_off_minor: 3000 },
                CurrencyValue { currency: Currency::XOF, monthly_minor: 15_000, one_off_minor: 0 },
            ]
        );
        assert_eq!(figures.currencies(), [Currency::GBP, Currency::EUR, Currency::XOF]);
    }

    #[test]
    fn review_pledges_are_counted_apart_and_nowhere_else() {
        let pledges = [
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 2500),
            with_status(
                facts("2026-11-02T10:00:00Z", "spam", SponsorshipOption::Child, Currency::GBP, 9999),
                Status::Review,
            ),
            with_status(
                facts("2026-11-02T11:00:00Z", "a", SponsorshipOption::OneOff, Currency::USD, 9999),
                Status::Review,
            ),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 02), date!(2026 - 11 - 02)));
        assert_eq!(figures.in_review, 2);
        assert_eq!(figures.days[0].pledges, 1);
        assert_eq!(figures.weeks[0].pledges, 1);
        assert_eq!(figures.total.pledges, 1);
        assert_eq!(figures.currencies(), [Currency::GBP]);
        assert_eq!(figures.by_partner.len(), 1);
        assert_eq!(figures.by_option[2].pledges, 0);
    }

    #[test]
    fn pledges_outside_the_range_are_ignored() {
        let pledges = [
            facts("2026-10-31T23:59:59Z", "a", SponsorshipOption::Child, Currency::GBP, 2500),
            with_status(
                facts("2026-11-03T00:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 2500),
                Status::Review,
            ),
            facts("2026-11-01T00:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, 2500),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 01), date!(2026 - 11 - 02)));
        assert_eq!(figures.total.pledges, 1);
        assert_eq!(figures.in_review, 0);
    }

    #[test]
    fn partners_and_options_report_counts_values_and_conversion() {
        let pledges = [
            with_status(
                facts("2026-11-02T10:00:00Z", "school", SponsorshipOption::Child, Currency::GBP, 2500),
                Status::Converted,
            ),
            with_status(
                facts("2026-11-02T10:00:00Z", "school", SponsorshipOption::Child, Currency::GBP, 2500),
                Status::Declined,
            ),
            with_status(
                facts("2026-11-02T10:00:00Z", "school", SponsorshipOption::OneOff, Currency::EUR, 4000),
                Status::Contacted,
            ),
            with_status(
                facts("2026-11-03T10:00:00Z", "church", SponsorshipOption::Village, Currency::GBP, 1000),
                Status::Converted,
            ),
            facts("2026-11-03T10:00:00Z", "aardvark-club", SponsorshipOption::Village, Currency::GBP, 1000),
            facts("2026-11-03T10:00:00Z", "church", SponsorshipOption::Village, Currency::GBP, 1000),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 01), date!(2026 - 11 - 07)));

        let partners: Vec<_> = figures.by_partner.iter().map(|p| (p.key.as_str(), p.pledges, p.converted)).collect();
        assert_eq!(partners, [("school", 3, 1), ("church", 2, 1), ("aardvark-club", 1, 0)]);
        let school = &figures.by_partner[0];
        assert_eq!(school.value.split(Currency::GBP), (5000, 0));
        assert_eq!(school.value.split(Currency::EUR), (0, 4000));
        assert_eq!(school.conversion_rate(), Some(1.0 / 3.0));
        assert_eq!(figures.by_partner[1].conversion_rate(), Some(0.5));
        assert_eq!(figures.by_partner[2].conversion_rate(), Some(0.0));

        let options: Vec<_> = figures.by_option.iter().map(|o| (o.key, o.pledges, o.converted)).collect();
        assert_eq!(
            options,
            [(SponsorshipOption::Child, 2, 1), (SponsorshipOption::Village, 3, 1), (SponsorshipOption::OneOff, 1, 0)]
        );
        assert_eq!(figures.by_option[1].value.split(Currency::GBP), (3000, 0));
        assert_eq!(figures.total.pledges, 6);
        assert_eq!(figures.total.converted, 2);
    }

    #[test]
    fn an_option_without_pledges_has_no_rate_rather_than_zero() {
        let figures = figures(&[], range(date!(2026 - 11 - 01), date!(2026 - 11 - 01)));
        assert!(figures.by_option.iter().all(|option| option.conversion_rate().is_none()));
        assert!(figures.by_partner.is_empty());
    }

    #[test]
    fn sums_saturate_instead_of_overflowing() {
        let pledges = [
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, i64::MAX),
            facts("2026-11-02T10:00:00Z", "a", SponsorshipOption::Child, Currency::GBP, i64::MAX),
        ];
        let figures = figures(&pledges, range(date!(2026 - 11 - 02), date!(2026 - 11 - 02)));
        assert_eq!(figures.total.value.split(Currency::GBP), (i64::MAX, 0));
    }
}
