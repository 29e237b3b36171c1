//! Money as integer minor units, with the ISO 4217 exponent of each supported currency.

use serde::{Deserialize, Deserializer, Serialize};

use crate::wire::{deserialize_named, deserialize_whole};
use crate::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Currency {
    #[default]
    GBP,
    EUR,
    USD,
    /// The West African CFA franc, Mali's currency. It has no minor unit.
    XOF,
}

impl Currency {
    pub const ALL: [Currency; 4] = [Currency::GBP, Currency::EUR, Currency::USD, Currency::XOF];

    pub fn code(self) -> &'static str {
        match self {
            Currency::GBP => "GBP",
            Currency::EUR => "EUR",
            Currency::USD => "USD",
            Currency::XOF => "XOF",
        }
    }

    pub fn from_code(code: &str) -> Option<Currency> {
        Currency::ALL.into_iter().find(|currency| currency.code() == code)
    }

    /// The ISO 4217 exponent: how many digits follow the decimal separator.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::XOF => 0,
            _ => 2,
        }
    }

    /// The smallest gift accepted, in minor units. Below this, processing costs eat the gift.
    pub fn minimum(self) -> u64 {
        match self {
            Currency::XOF => 1_000,
            _ => 200,
        }
    }

    /// The largest pledge accepted online, in minor units. Larger gifts deserve a conversation
    /// with the charity rather than a form, and the cap stops typing slips of several zeros.
    pub fn maximum(self) -> u64 {
        match self {
            Currency::XOF => 6_500_000,
            _ => 1_000_000,
        }
    }

    fn scale(self) -> u64 {
        10u64.pow(self.exponent())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_named(deserializer, &Currency::ALL, Currency::code)
    }
}

/// A sum of money in integer minor units. Each currency has its own minimum and maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::amount_bounds))]
#[serde(deny_unknown_fields)]
pub struct Amount {
    /// The amount in the currency's minor unit (pence, cents; whole francs for XOF).
    #[serde(deserialize_with = "deserialize_whole")]
    pub minor_units: u64,
    pub currency: Currency,
}

impl Amount {
    pub fn new(minor_units: u64, currency: Currency) -> Self {
        Amount { minor_units, currency }
    }

    pub fn check_bounds(self) -> Result<(), ErrorCode> {
        if self.minor_units < self.currency.minimum() {
            Err(ErrorCode::AmountBelowMinimum)
        } else if self.minor_units > self.currency.maximum() {
            Err(ErrorCode::AmountAboveMaximum)
        } else {
            Ok(())
        }
    }

    /// The amount as a plain decimal in major units, such as `25.50` or `10000`: what the
    /// browser's `Intl.NumberFormat` is given, and what [`Amount::parse`] reads back.
    pub fn to_decimal_string(self) -> String {
        let scale = self.currency.scale();
        let major = self.minor_units / scale;
        match self.currency.exponent() {
            0 => major.to_string(),
            exponent => format!("{major}.{minor:0width$}", minor = self.minor_units % scale, width = exponent as usize),
        }
    }

    /// The amount as a JavaScript number of major units, for `Intl.NumberFormat`.
    pub fn to_major_f64(self) -> f64 {
        self.minor_units as f64 / self.currency.scale() as f64
    }

    /// Reads an amount typed by a donor in major units.
    ///
    /// Both `.` and `,` are accepted as the decimal separator, because French donors type
    /// `25,50`. A separator followed by exactly three digits, when another one follows or when
    /// the currency has no minor unit, is read as a thousands separator; spaces (including the
    /// narrow no-break space French formatting uses) are ignored.
    pub fn parse(input: &str, currency: Currency) -> Result<Amount, AmountParseError> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
        if compact.is_empty() {
            return Err(AmountParseError::Empty);
        }
        if !compact.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            return Err(AmountParseError::NotANumber);
        }
        let exponent = currency.exponent() as usize;
        let (integer, fraction) = match compact.rfind(['.', ',']) {
            Some(at) if (1..=exponent).contains(&(compact.len() - at - 1)) => (&compact[..at], &compact[at + 1..]),
            Some(at) if compact.len() - at - 1 == 3 => (compact.as_str(), ""),
            Some(_) if exponent == 0 => return Err(AmountParseError::TooManyDecimals),
            Some(at) if compact.len() - at - 1 > exponent => return Err(AmountParseError::TooManyDecimals),
            Some(_) => return Err(AmountParseError::NotANumber),
            None => (compact.as_str(), ""),
        };
        let whole = parse_grouped_integer(integer).ok_or(AmountParseError::NotANumber)?;
        let fraction_value: u64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<exponent$}").parse().map_err(|_| AmountParseError::NotANumber)?
        };
        whole
            .checked_mul(currency.scale())
            .and_then(|minor| minor.checked_add(fraction_value))
            .map(|minor_units| Amount { minor_units, currency })
            .ok_or(AmountParseError::NotANumber)
    }
}

/// Reads `1234` or `1,234` or `1.234.567`: a first group of one to three digits followed by
/// groups of exactly three, or plain digits. Returns `None` for anything else or on overflow.
fn parse_grouped_integer(text: &str) -> Option<u64> {
    let groups: Vec<&str> = text.split(['.', ',']).collect();
    let (first, rest) = groups.split_first()?;
    let well_formed =
        !first.is_empty() && (rest.is_empty() || first.len() <= 3) && rest.iter().all(|group| group.len() == 3);
    if !well_formed {
        return None;
    }
    groups.concat().parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountParseError {
    Empty,
    NotANumber,
    TooManyDecimals,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::GBP.exponent(), 2);
        assert_eq!(Currency::EUR.exponent(), 2);
        assert_eq!(Currency::USD.exponent(), 2);
        assert_eq!(Currency::XOF.exponent(), 0);
    }

    #[test]
    fn codes_round_trip() {
        for currency in Currency::ALL {
            assert_eq!(Currency::from_code(currency.code()), Some(currency));
        }
        assert_eq!(Currency::from_code("gbp"), None);
        assert_eq!(Currency::from_code("JPY"), None);
    }

    #[test]
    fn parses_what_donors_type() {
        let gbp = |text| Amount::parse(text, Currency::GBP).map(|a| a.minor_units);
        assert_eq!(gbp("25"), Ok(2500));
        assert_eq!(gbp("25.5"), Ok(2550));
        assert_eq!(gbp("25,50"), Ok(2550));
        assert_eq!(gbp(" 1 000,00 "), Ok(100_000));
        assert_eq!(gbp("1,000"), Ok(100_000));
        assert_eq!(gbp("1,000.75"), Ok(100_075));
        assert_eq!(gbp("1.000,75"), Ok(100_075));
        assert_eq!(gbp("1\u{202f}000"), Ok(100_000));
        assert_eq!(gbp(""), Err(AmountParseError::Empty));
        assert_eq!(gbp("abc"), Err(AmountParseError::NotANumber));
        assert_eq!(gbp("-5"), Err(AmountParseError::NotANumber));
        assert_eq!(gbp("25."), Err(AmountParseError::NotANumber));
        assert_eq!(gbp("25.5555"), Err(AmountParseError::TooManyDecimals));
        assert_eq!(gbp("1,00,000"), Err(AmountParseError::NotANumber));
        assert_eq!(gbp("99999999999999999999"), Err(AmountParseError::NotANumber));
    }

    #[test]
    fn xof_has_no_minor_unit() {
        let xof = |text| Amount::parse(text, Currency::XOF).map(|a| a.minor_units);
        assert_eq!(xof("15000"), Ok(15_000));
        assert_eq!(xof("15 000"), Ok(15_000));
        assert_eq!(xof("15.000"), Ok(15_000));
        assert_eq!(xof("15.5"), Err(AmountParseError::TooManyDecimals));
        assert_eq!(Amount::new(15_000, Currency::XOF).to_decimal_string(), "15000");
    }

    #[test]
    fn bounds_are_per_currency() {
        assert_eq!(Amount::new(199, Currency::GBP).check_bounds(), Err(ErrorCode::AmountBelowMinimum));
        assert_eq!(Amount::new(200, Currency::GBP).check_bounds(), Ok(()));
        assert_eq!(Amount::new(1_000_000, Currency::EUR).check_bounds(), Ok(()));
        assert_eq!(Amount::new(1_000_001, Currency::USD).check_bounds(), Err(ErrorCode::AmountAboveMaximum));
        assert_eq!(Amount::new(999, Currency::XOF).check_bounds(), Err(ErrorCode::AmountBelowMinimum));
        assert_eq!(Amount::new(6_500_000, Currency::XOF).check_bounds(), Ok(()));
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn decimal_string_round_trips(minor in 0u64..1_000_000_000_000, currency in any_currency()) {
            let amount = Amount::new(minor, currency);
            prop_assert_eq!(Amount::parse(&amount.to_decimal_string(), currency), Ok(amount));
        }

        #[test]
        fn french_decimal_comma_round_trips(minor in 0u64..1_000_000_000, currency in any_currency()) {
            let amount = Amount::new(minor, currency);
            let typed = amount.to_decimal_string().replace('.', ",");
            prop_assert_eq!(Amount::parse(&typed, currency), Ok(amount));
        }

        #[test]
        fn major_units_match_decimal_string(minor in 0u64..1_000_000_000, currency in any_currency()) {
            let amount = Amount::new(minor, currency);
            let reparsed: f64 = amount.to_decimal_string().parse().unwrap();
            prop_assert!((reparsed - amount.to_major_f64()).abs() < 1e-6);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}", currency in any_currency()) {
            let _ = Amount::parse(&text, currency);
        }
    }
}
