//! How the pledge's values are read from JSON, exactly as the published schema reads them.
//!
//! The enums travel as bare JSON strings and as nothing else: serde's derived `Deserialize`
//! would also take a unit variant written as a one-member object, `{"en": null}`, which the
//! schema refuses.
//!
//! The counts are integers as JSON Schema sees them: a number with no fractional part, however
//! it is written. `2500`, `2500.0` and `2.5e3` are one number to the schema and to any JSON
//! library that reads numbers as doubles, so a client may write any of them.

use std::fmt;

use serde::de::{self, Deserializer, Unexpected, Visitor};

/// The largest integer that every double between zero and it spells exactly. Every bound in the
/// contract is far below it; above it, a double would stand for several integers.
const EXACT_IN_A_DOUBLE: f64 = (1u64 << 53) as f64;

/// Reads a non-negative integer written as a JSON integer or as a number with no fraction.
pub(crate) fn deserialize_whole<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    deserializer.deserialize_any(WholeVisitor(std::marker::PhantomData))
}

struct WholeVisitor<T>(std::marker::PhantomData<T>);

impl<T: TryFrom<u64>> Visitor<'_> for WholeVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        T::try_from(value).map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        match u64::try_from(value) {
            Ok(unsigned) => self.visit_u64(unsigned),
            Err(_) => Err(E::invalid_value(Unexpected::Signed(value), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        if value.fract() != 0.0 || !value.is_finite() {
            return Err(E::invalid_type(Unexpected::Float(value), &self));
        }
        // `-0.0` is zero; a negative integer is out of range, as it is when written without a fraction.
        if !(0.0..=EXACT_IN_A_DOUBLE).contains(&value) {
            return Err(E::invalid_value(Unexpected::Float(value), &self));
        }
        self.visit_u64(value as u64)
    }
}

/// Reads one of `all` by the name that `name` gives it, which must be the name it serialises to.
pub(crate) fn deserialize_named<'de, D, T>(
    deserializer: D,
    all: &'static [T],
    name: fn(T) -> &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Copy + 'static,
{
    deserializer.deserialize_str(NameVisitor { all, name })
}

struct NameVisitor<T: 'static> {
    all: &'static [T],
    name: fn(T) -> &'static str,
}

impl<T: Copy> Visitor<'_> for NameVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("one of ")?;
        for (index, &value) in self.all.iter().enumerate() {
            if index > 0 {
                formatter.write_str(", ")?;
            }
            write!(formatter, "`{}`", (self.name)(value))?;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        self.all
            .iter()
            .copied()
            .find(|&value| (self.name)(value) == text)
            .ok_or_else(|| E::invalid_value(Unexpected::Str(text), &self))
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::{json, Value};

    use crate::{Currency, Frequency, Locale, SponsorshipOption};

    fn reads_back_exactly_its_own_names<T>(all: &[T])
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for value in all {
            let name = serde_json::to_value(value).unwrap();
            assert!(name.is_string(), "{value:?} serialises as {name}");
            assert_eq!(&serde_json::from_value::<T>(name.clone()).unwrap(), value);
            let as_object = json!({ name.as_str().unwrap(): null });
            assert!(serde_json::from_value::<T>(as_object).is_err(), "{value:?} read from an object");
            let shouted = Value::from(name.as_str().unwrap().to_uppercase() + "X");
            assert!(serde_json::from_value::<T>(shouted).is_err());
        }
        for other in [json!(null), json!(0), json!(true), json!([]), json!({})] {
            assert!(serde_json::from_value::<T>(other.clone()).is_err(), "{other}");
        }
    }

    #[test]
    fn enums_are_strings_only() {
        reads_back_exactly_its_own_names(&SponsorshipOption::ALL);
        reads_back_exactly_its_own_names(&Frequency::ALL);
        reads_back_exactly_its_own_names(&Locale::ALL);
        reads_back_exactly_its_own_names(&Currency::ALL);
    }

    #[derive(serde::Deserialize, Debug)]
    struct Counts {
        #[serde(deserialize_with = "super::deserialize_whole")]
        small: u32,
        #[serde(deserialize_with = "super::deserialize_whole")]
        large: u64,
    }

    fn counts(text: &str) -> Result<(u32, u64), String> {
        serde_json::from_str::<Counts>(text)
            .map(|counts| (counts.small, counts.large))
            .map_err(|error| error.to_string())
    }

    #[test]
    fn whole_numbers_are_read_however_they_are_written() {
        for (text, expected) in [
            (r#"{"small": 1, "large": 2500}"#, (1, 2500)),
            (r#"{"small": 1.0, "large": 2500.0}"#, (1, 2500)),
            (r#"{"small": 10E-1, "large": 2.5e3}"#, (1, 2500)),
            (r#"{"small": -0, "large": -0.0}"#, (0, 0)),
            (r#"{"small": 4294967295, "large": 9007199254740992.0}"#, (u32::MAX, 1 << 53)),
        ] {
            assert_eq!(counts(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn fractions_negatives_and_other_types_are_refused_as_before() {
        for (text, opening) in [
            (r#"{"small": 1.5, "large": 1}"#, "invalid type: floating point `1.5`"),
            (r#"{"small": 1, "large": 2.5e-1}"#, "invalid type: floating point `0.25`"),
            (r#"{"small": -1, "large": 1}"#, "invalid value: integer `-1`"),
            (r#"{"small": -1.0, "large": 1}"#, "invalid value: floating point `-1.0`"),
            (r#"{"small": 4294967296, "large": 1}"#, "invalid value: integer `4294967296`"),
            (r#"{"small": 1, "large": 1e300}"#, "invalid value: floating point"),
            (r#"{"small": "1", "large": 1}"#, "invalid type: string"),
            (r#"{"small": null, "large": 1}"#, "invalid type: null"),
            (r#"{"small": [1], "large": 1}"#, "invalid type: sequence"),
        ] {
            let error = counts(text).unwrap_err();
            assert!(error.starts_with(opening), "{text}: {error}");
        }
    }

    #[test]
    fn unknown_names_are_invalid_values_that_list_the_known_ones() {
        let error = serde_json::from_value::<Frequency>(json!("weekly")).unwrap_err().to_string();
        assert_eq!(error, "invalid value: string \"weekly\", expected one of `monthly`, `once`");
        let error = serde_json::from_value::<Locale>(json!({"en": null})).unwrap_err().to_string();
        assert!(error.starts_with("invalid type: map"), "{error}");
    }
}
