//! Instants as microseconds since the Unix epoch, written and read as RFC 3339 in UTC.
//!
//! Both storage backends keep times as plain integers, so filters compare the same way on
//! SQLite and PostgreSQL. The calendar (leap years, month lengths, offsets) is the `time`
//! crate's; this type only fixes the one text form the receiver writes and the forms it reads.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

const NANOS_PER_MICRO: i128 = 1_000;

/// Six fraction digits always, so that the text sorts like the instant.
const RFC3339_MICROS: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

const DATE: &[time::format_description::BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// More fraction digits than nanoseconds carry are a typing slip, not a finer instant.
const MAX_FRACTION_DIGITS: usize = 9;

impl Timestamp {
    pub fn now() -> Timestamp {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Timestamp(i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX))
    }

    pub fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// The instant `duration` later, or the last one there is.
    pub fn plus(self, duration: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)))
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Instants beyond the years 0000–9999, which no clock or
    /// parsed text produces, are written as the nearest one that fits.
    pub fn to_rfc3339(self) -> String {
        self.to_offset_date_time().format(RFC3339_MICROS).expect("every instant of the years -9999 to 9999 formats")
    }

    /// Reads an RFC 3339 date-time with `Z` or a numeric offset, or a bare `YYYY-MM-DD`
    /// meaning midnight UTC, which is what people type into an export filter.
    pub fn parse(text: &str) -> Option<Timestamp> {
        if let Ok(date) = Date::parse(text, DATE) {
            return Some(Timestamp::from_offset_date_time(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc()));
        }
        // RFC 3339 lets applications choose another separator than `T`; the API documents `T`
        // only, as the patterns in the OpenAPI document say.
        if !matches!(text.as_bytes().get(10), Some(b'T' | b't')) || too_many_fraction_digits(text) {
            return None;
        }
        OffsetDateTime::parse(text, &Rfc3339).ok().map(Timestamp::from_offset_date_time)
    }

    fn from_offset_date_time(instant: OffsetDateTime) -> Timestamp {
        // Years 0000–9999 are a few hundred trillion microseconds from the epoch: they fit.
        Timestamp(i64::try_from(instant.unix_timestamp_nanos() / NANOS_PER_MICRO).unwrap_or(i64::MAX))
    }

    fn to_offset_date_time(self) -> OffsetDateTime {
        let nanos = i128::from(self.0) * NANOS_PER_MICRO;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or_else(|_| {
            if nanos < 0 {
                PrimitiveDateTime::MIN.assume_utc()
            } else {
                PrimitiveDateTime::MAX.assume_utc()
            }
        })
    }
}

fn too_many_fraction_digits(text: &str) -> bool {
    text.get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|fraction| fraction.bytes().take_while(u8::is_ascii_digit).count() > MAX_FRACTION_DIGITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MICROS_PER_SECOND: i64 = 1_000_000;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp::from_micros(0).to_rfc3339(), "1970-01-01T00:00:00.000000Z");
        // 2024-02-29T12:34:56.789012Z, a leap day.
        assert_eq!(Timestamp::from_micros(1_709_210_096_789_012).to_rfc3339(), "2024-02-29T12:34:56.789012Z");
        assert_eq!(Timestamp::from_micros(-1).to_rfc3339(), "1969-12-31T23:59:59.999999Z");
    }

    #[test]
    fn instants_beyond_four_digit_years_are_written_as_the_nearest_that_fits() {
        assert_eq!(Timestamp::from_micros(i64::MAX).to_rfc3339(), "9999-12-31T23:59:59.999999Z");
        assert_eq!(Timestamp::from_micros(i64::MIN).to_rfc3339(), "-9999-01-01T00:00:00.000000Z");
    }

    #[test]
    fn plus_adds_microseconds_and_saturates() {
        assert_eq!(Timestamp::from_micros(5).plus(Duration::from_millis(2)), Timestamp::from_micros(2_005));
        assert_eq!(Timestamp::from_micros(i64::MAX - 1).plus(Duration::from_secs(1)), Timestamp::from_micros(i64::MAX));
        assert_eq!(Timestamp::from_micros(0).plus(Duration::MAX), Timestamp::from_micros(i64::MAX));
    }

    #[test]
    fn parses_what_it_formats() {
        for micros in [0, 1, 951_782_400_000_000, 1_709_210_096_789_012, 4_102_444_799_999_999] {
            let stamp = Timestamp::from_micros(micros);
            assert_eq!(Timestamp::parse(&stamp.to_rfc3339()), Some(stamp));
        }
    }

    #[test]
    fn parses_offsets_dates_and_browser_timestamps() {
        let utc = Timestamp::parse("2026-11-27T10:00:00Z").unwrap();
        assert_eq!(Timestamp::parse("2026-11-27T11:30:00+01:30"), Some(utc));
        assert_eq!(Timestamp::parse("2026-11-27T08:00:00-02:00"), Some(utc));
        assert_eq!(Timestamp::parse("2026-11-27t10:00:00z"), Some(utc));
        assert_eq!(Timestamp::parse("2026-11-27T10:00:00.123Z").unwrap().as_micros() - utc.as_micros(), 123_000);
        assert_eq!(
            Timestamp::parse("2026-11-27T10:00:00.123456789Z").unwrap().as_micros() - utc.as_micros(),
            123_456,
            "digits beyond microseconds are dropped"
        );
        assert_eq!(
            Timestamp::parse("2026-11-27").unwrap().as_micros(),
            utc.as_micros() - 10 * 3600 * MICROS_PER_SECOND
        );
        assert_eq!(Timestamp::parse("2024-02-29"), Some(Timestamp::from_micros(1_709_164_800_000_000)));
    }

    #[test]
    fn refuses_malformed_text() {
        for text in [
            "",
            "2026-11-27T10:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "2025-02-29",
            "2026-04-31T00:00:00Z",
            "2026-11-27 10:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T10:60:00Z",
            "2026-11-27T10:00:00.Z",
            "2026-11-27T10:00:00.1234567890Z",
            "2026-11-27T10:00:00+0100",
            "2026-11-27T10:00:00+24:00",
            "2026-11-27T",
            "2026-1-27",
            "yesterday",
            "2026-11-27T10:00:00Zjunk",
            "2026-11-27junk",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
    }
}
