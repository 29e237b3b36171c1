//! Instants as microseconds since the Unix epoch, written and read as RFC 3339 in UTC.
//!
//! Both storage backends keep times as plain integers, so filters compare the same way on
//! SQLite and PostgreSQL and no date library is needed for the few formats the API speaks.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

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

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, always with six fraction digits so that the text sorts
    /// like the instant.
    pub fn to_rfc3339(self) -> String {
        let seconds = self.0.div_euclid(MICROS_PER_SECOND);
        let micros = self.0.rem_euclid(MICROS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )
    }

    /// Reads an RFC 3339 date-time with `Z` or a numeric offset, or a bare `YYYY-MM-DD`
    /// meaning midnight UTC, which is what people type into an export filter.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        let date = parse_date(bytes.get(..10)?)?;
        if bytes.len() == 10 {
            return Some(Timestamp(date * SECONDS_PER_DAY * MICROS_PER_SECOND));
        }
        if !matches!(bytes.get(10)?, b'T' | b't') || bytes.len() < 20 {
            return None;
        }
        let hour = digits(&bytes[11..13])?;
        let minute = digits(&bytes[14..16])?;
        let second = digits(&bytes[17..19])?;
        if bytes[13] != b':' || bytes[16] != b':' || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut rest = &bytes[19..];
        let mut micros = 0;
        if let Some(fraction) = rest.strip_prefix(b".") {
            let length = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if length == 0 || length > 9 {
                return None;
            }
            let padded = format!("{:0<6}", std::str::from_utf8(&fraction[..length.min(6)]).ok()?);
            micros = padded.parse::<i64>().ok()?;
            rest = &fraction[length..];
        }
        let offset_seconds = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let hours = digits(&[*h1, *h2])?;
                let minutes = digits(&[*m1, *m2])?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let magnitude = hours * 3600 + minutes * 60;
                if *sign == b'+' { magnitude } else { -magnitude }
            }
            _ => return None,
        };
        let seconds = date * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_seconds;
        Some(Timestamp(seconds * MICROS_PER_SECOND + micros))
    }
}

fn digits(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// Days since 1970-01-01 for a `YYYY-MM-DD` date, refusing days a month does not have.
fn parse_date(bytes: &[u8]) -> Option<i64> {
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(&bytes[..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// The two conversions below follow Howard Hinnant's proleptic Gregorian algorithms, which
// work on 400-year eras so that leap years need no table.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(Timestamp::from_micros(0).to_rfc3339(), "1970-01-01T00:00:00.000000Z");
        // 2024-02-29T12:34:56.789012Z, a leap day.
        assert_eq!(
            Timestamp::from_micros(1_709_210_096_789_012).to_rfc3339(),
            "2024-02-29T12:34:56.789012Z"
        );
        assert_eq!(Timestamp::from_micros(-1).to_rfc3339(), "1969-12-31T23:59:59.999999Z");
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
        assert_eq!(
            Timestamp::parse("2026-11-27T10:00:00.123Z").unwrap().as_micros() - utc.as_micros(),
            123_000
        );
        assert_eq!(
            Timestamp::parse("2026-11-27").unwrap().as_micros(),
            utc.as_micros() - 10 * 3600 * MICROS_PER_SECOND
        );
    }

    #[test]
    fn refuses_malformed_text() {
        for text in [
            "",
            "2026-11-27T10:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "2025-02-29",
            "2026-11-27 10:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T10:00:00.Z",
            "2026-11-27T10:00:00+0100",
            "yesterday",
            "2026-11-27T10:00:00Zjunk",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
    }
}
