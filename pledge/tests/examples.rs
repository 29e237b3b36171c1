//! Every published example does exactly what the contract says it does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use pledge::{Currency, ErrorCode, FieldError, Pledge, SponsorshipOption};
use serde::Deserialize;

/// An example of a refused pledge, with the errors that any receiver must report for it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvalidExample {
    description: String,
    pledge: Pledge,
    errors: Vec<FieldError>,
}

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contract/examples")
}

fn json_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn valid_examples() -> Vec<(String, Pledge)> {
    json_files(&examples_dir())
        .into_iter()
        .map(|(name, text)| {
            let pledge = serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
            (name, pledge)
        })
        .collect()
}

fn invalid_examples() -> Vec<(String, InvalidExample)> {
    json_files(&examples_dir().join("invalid"))
        .into_iter()
        .map(|(name, text)| {
            let example = serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
            (name, example)
        })
        .collect()
}

#[test]
fn valid_examples_validate() {
    for (name, pledge) in valid_examples() {
        assert_eq!(pledge.validate(), Ok(()), "{name}");
    }
}

#[test]
fn valid_examples_cover_every_option_with_and_without_gift_aid_and_every_currency() {
    let examples = valid_examples();
    for option in SponsorshipOption::ALL {
        for with_gift_aid in [true, false] {
            assert!(
                examples.iter().any(|(_, p)| p.option == option && p.gift_aid.is_some() == with_gift_aid),
                "no valid example for {} with gift aid = {with_gift_aid}",
                option.as_str()
            );
        }
    }
    for currency in Currency::ALL {
        assert!(examples.iter().any(|(_, p)| p.amount.currency == currency), "no valid example in {}", currency.code());
    }
}

#[test]
fn valid_examples_show_every_way_a_contact_detail_is_given() {
    let examples = valid_examples();
    let shown = |what: &str, test: fn(&Pledge) -> bool| {
        assert!(examples.iter().any(|(_, pledge)| test(pledge)), "no valid example with {what}");
    };
    shown("a phone number", |p| p.consent.phone && p.donor.phone.is_some());
    shown("a postal address with a postcode", |p| {
        p.donor.postal_address.as_ref().is_some_and(|a| !a.postcode.is_empty())
    });
    shown("a postal address without a postcode", |p| {
        p.donor.postal_address.as_ref().is_some_and(|a| a.postcode.is_empty())
    });
    shown("letters going to the Gift Aid home address", |p| {
        p.consent.post && p.gift_aid.is_some() && p.donor.postal_address.is_none()
    });
}

#[test]
fn invalid_examples_produce_exactly_their_errors() {
    let examples = invalid_examples();
    assert!(!examples.is_empty());
    for (name, example) in examples {
        assert!(!example.description.trim().is_empty(), "{name} has no description");
        assert_eq!(example.pledge.validate(), Err(example.errors), "{name}");
    }
}

#[test]
fn every_error_code_has_an_invalid_example() {
    let shown: HashSet<ErrorCode> =
        invalid_examples().iter().flat_map(|(_, example)| example.errors.iter().map(|error| error.code)).collect();
    for code in ErrorCode::ALL {
        assert!(shown.contains(&code), "no invalid example shows {code:?}");
    }
}

/// The examples are what a client posts, so they must survive the receiver's own reading path.
#[cfg(feature = "json")]
#[test]
fn examples_read_through_the_body_parser() {
    for (name, text) in json_files(&examples_dir()) {
        let parsed = pledge::parse(text.as_bytes()).unwrap_or_else(|failure| panic!("{name}: {failure}"));
        assert_eq!(parsed, serde_json::from_str::<Pledge>(&text).unwrap(), "{name}");
    }
    for (name, example) in invalid_examples() {
        let body = serde_json::to_vec(&example.pledge).unwrap();
        assert_eq!(pledge::parse(&body), Err(pledge::ParseFailure::Invalid(example.errors)), "{name}");
    }
}
