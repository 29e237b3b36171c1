use std::collections::BTreeSet;

use pledge::{ErrorCode, Locale};

use super::*;
use crate::flow::{Field, Problem};

const LOCALES: [Locale; 2] = [Locale::En, Locale::Fr];

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name).collect()
}

#[test]
fn no_message_is_empty_in_any_language() {
    for locale in LOCALES {
        for (key, text) in messages(locale).entries() {
            assert!(!text.trim().is_empty(), "{key} is empty in {locale:?}");
        }
    }
}

#[test]
fn both_languages_have_the_same_keys_and_placeholders() {
    let english = messages(Locale::En).entries();
    let french = messages(Locale::Fr).entries();
    assert_eq!(english.len(), french.len());
    for ((key, en), (fr_key, fr)) in english.iter().zip(&french) {
        assert_eq!(key, fr_key);
        assert_eq!(placeholders(en), placeholders(fr), "{key}: {en:?} / {fr:?}");
    }
}

#[test]
fn french_is_a_translation_not_a_copy() {
    let english = messages(Locale::En).entries();
    let french = messages(Locale::Fr).entries();
    // Names are the same in both languages; everything else must read differently.
    let same_in_both = ["map_mali", "map_bamako", "map_sanankoroba", "gift_aid_legend", "review_gift_aid"];
    for ((key, en), (_, fr)) in english.iter().zip(&french) {
        if !same_in_both.contains(key) {
            assert_ne!(en, fr, "{key} is not translated");
        }
    }
}

#[test]
fn placeholders_are_the_ones_the_widget_fills() {
    for locale in LOCALES {
        let m = messages(locale);
        assert_eq!(placeholders(m.step_position), BTreeSet::from(["current", "name", "total"]));
        assert_eq!(placeholders(m.amount_range), BTreeSet::from(["max", "min"]));
        assert_eq!(placeholders(m.saved), BTreeSet::from(["reason"]));
        assert_eq!(placeholders(m.thanks_reference), BTreeSet::from(["reference"]));
        assert_eq!(placeholders(m.thanks_summary), BTreeSet::from(["date", "pledge"]));
        assert_eq!(placeholders(m.thanks_next), BTreeSet::from(["email"]));
        assert_eq!(placeholders(m.title), BTreeSet::new());
    }
}

#[test]
fn every_error_code_has_a_message_on_every_field() {
    for locale in LOCALES {
        let m = messages(locale);
        for field in Field::ALL {
            for code in ErrorCode::ALL {
                let text = m.problem(field, Problem::Rule(code), true);
                assert!(!text.trim().is_empty(), "{code:?} on {field:?} in {locale:?}");
                let bound = matches!(code, ErrorCode::AmountBelowMinimum | ErrorCode::AmountAboveMaximum);
                assert_eq!(placeholders(text).contains("amount"), bound, "{code:?} in {locale:?}");
            }
        }
        assert_eq!(m.problem(Field::Amount, Problem::NotANumber, true), m.amount_not_a_number);
        assert_eq!(m.problem(Field::Amount, Problem::TooManyDecimals, true), m.amount_decimals);
        assert_eq!(m.problem(Field::Amount, Problem::TooManyDecimals, false), m.amount_whole);
    }
}

#[test]
fn required_fields_say_which_field_is_missing() {
    let m = messages(Locale::En);
    let required: BTreeSet<&str> = [
        Field::Option,
        Field::Amount,
        Field::GivenName,
        Field::FamilyName,
        Field::Email,
        Field::Country,
        Field::HomeAddress,
        Field::Postcode,
    ]
    .into_iter()
    .map(|field| m.problem(field, Problem::Rule(ErrorCode::Required), true))
    .collect();
    assert_eq!(required.len(), 8, "each required field has its own message");
}

#[test]
fn fill_replaces_every_placeholder() {
    assert_eq!(
        fill("Step {current} of {total}: {name}", &[("current", "2"), ("total", "5"), ("name", "Amount")]),
        "Step 2 of 5: Amount"
    );
    assert_eq!(fill("{amount} a month, {amount}", &[("amount", "£20")]), "£20 a month, £20");
    assert_eq!(fill("no placeholders", &[("x", "y")]), "no placeholders");
}
