//! The published JSON Schema: current with the types, and carrying the same bounds as the code.
#![cfg(feature = "schema")]

use std::path::PathBuf;

use pledge::{limits, Currency, COUNTRY_CODES};
use serde_json::Value;

fn checked_in_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contract/pledge.schema.json")
}

/// Regenerates the document in place and fails when that changed it, so one run both finds and
/// fixes a stale contract, and the fix still has to be reviewed and committed.
#[test]
fn checked_in_schema_is_current() {
    let generated = pledge::schema::json_schema();
    let path = checked_in_path();
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        std::fs::write(&path, &generated).expect("the contract folder is writable");
        panic!(
            "{} was stale and has been regenerated from the pledge types; review and commit it",
            path.display()
        );
    }
}

fn schema() -> Value {
    serde_json::from_str(&pledge::schema::json_schema()).expect("the schema is JSON")
}

#[test]
fn amount_bounds_come_from_the_currencies() {
    let schema = schema();
    let rules = schema.pointer("/$defs/Amount/allOf").and_then(Value::as_array).unwrap();
    for currency in Currency::ALL {
        let rule = rules
            .iter()
            .find(|rule| rule.pointer("/if/properties/currency/const") == Some(&currency.code().into()))
            .unwrap_or_else(|| panic!("no bounds for {}", currency.code()));
        let bounds = rule.pointer("/then/properties/minor_units").unwrap();
        assert_eq!(bounds["minimum"], currency.minimum());
        assert_eq!(bounds["maximum"], currency.maximum());
    }
}

#[test]
fn string_limits_and_codes_are_published() {
    let schema = schema();
    let at = |pointer: &str| schema.pointer(pointer).unwrap_or_else(|| panic!("{pointer}")).clone();
    assert_eq!(at("/$defs/Donor/properties/given_name/maxLength"), limits::NAME);
    assert_eq!(at("/$defs/Donor/properties/email/maxLength"), limits::EMAIL);
    assert_eq!(at("/$defs/GiftAid/properties/home_address/maxLength"), limits::HOME_ADDRESS);
    assert_eq!(at("/$defs/AntiSpam/properties/honeypot/maxLength"), limits::HONEYPOT);
    assert_eq!(at("/$defs/AntiSpam/properties/fill_ms/maximum"), limits::FILL_MS);
    assert_eq!(at("/properties/page_url/maxLength"), limits::PAGE_URL);
    assert_eq!(at("/properties/schema_version/const"), pledge::SCHEMA_VERSION);
    let countries = at("/$defs/Donor/properties/country/enum");
    assert_eq!(countries.as_array().unwrap().len(), COUNTRY_CODES.len());
    assert_eq!(at("/additionalProperties"), false);
}
