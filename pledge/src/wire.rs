//! The pledge's enums travel as bare JSON strings and as nothing else.
//!
//! serde's derived `Deserialize` would also take a unit variant written as a one-member object,
//! `{"en": null}`, which the published schema refuses. Reading strings only keeps the Rust
//! reader exactly as strict as the contract that other implementations follow.

use std::fmt;

use serde::de::{self, Deserializer, Unexpected, Visitor};

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

    #[test]
    fn unknown_names_are_invalid_values_that_list_the_known_ones() {
        let error = serde_json::from_value::<Frequency>(json!("weekly")).unwrap_err().to_string();
        assert_eq!(error, "invalid value: string \"weekly\", expected one of `monthly`, `once`");
        let error = serde_json::from_value::<Locale>(json!({"en": null})).unwrap_err().to_string();
        assert!(error.starts_with("invalid type: map"), "{error}");
    }
}
