//! The published JSON Schema: current with the types, carrying the same bounds as the code, and
//! agreeing with the Rust reader on every valid pledge and on every broken shape.
#![cfg(feature = "schema")]

mod common;

use std::path::PathBuf;
use std::sync::LazyLock;

use pledge::{limits, Currency, Pledge, COUNTRY_CODES};
use proptest::prelude::*;
use serde_json::{json, Value};

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
    assert_eq!(at("/$defs/Donor/properties/family_name/maxLength"), limits::NAME);
    assert_eq!(at("/$defs/Donor/properties/email/maxLength"), limits::EMAIL);
    assert_eq!(at("/$defs/GiftAid/properties/home_address/maxLength"), limits::HOME_ADDRESS);
    assert_eq!(at("/$defs/GiftAid/properties/postcode/maxLength"), limits::POSTCODE);
    assert_eq!(at("/$defs/AntiSpam/properties/honeypot/maxLength"), limits::HONEYPOT);
    assert_eq!(at("/$defs/AntiSpam/properties/fill_ms/maximum"), limits::FILL_MS);
    assert_eq!(at("/properties/page_url/maxLength"), limits::PAGE_URL);
    assert_eq!(at("/properties/client_created_at/maxLength"), limits::TIMESTAMP);
    assert_eq!(at("/properties/schema_version/const"), pledge::SCHEMA_VERSION);
    assert_eq!(at("/$defs/GiftAid/properties/wording_version/const"), pledge::GIFT_AID_WORDING_VERSION);
    assert_eq!(at("/$defs/Consent/properties/wording_version/const"), pledge::CONSENT_WORDING_VERSION);
    assert_eq!(at("/$defs/Donor/properties/country/enum"), json!(COUNTRY_CODES.as_slice()));
    assert_eq!(at("/additionalProperties"), false);
}

/// The generated schema, compiled once for all the tests.
static VALIDATOR: LazyLock<Validator> = LazyLock::new(Validator::new);

struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn new() -> Self {
        let mut schemas = boon::Schemas::new();
        // Formats stay annotations, as draft 2020-12 has them by default: validators disagree
        // on `idn-email` (one refuses `a+b@example.com`), and `validate` is the authority there.
        let mut compiler = boon::Compiler::new();
        compiler.add_resource("urn:pledge", schema()).expect("the schema is a JSON document");
        let index = compiler.compile("urn:pledge", &mut schemas).expect("the schema compiles");
        Validator { schemas, index }
    }

    fn accepts(&self, instance: &Value) -> bool {
        self.schemas.validate(instance, self.index).is_ok()
    }

    fn explain(&self, instance: &Value) -> String {
        match self.schemas.validate(instance, self.index) {
            Ok(()) => "valid".to_owned(),
            Err(error) => format!("{error:#}"),
        }
    }
}

fn examples() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contract/examples");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .map(|path| {
            (
                path.display().to_string(),
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn valid_examples_satisfy_the_schema() {
    let validator = &*VALIDATOR;
    let examples = examples();
    assert!(examples.len() >= 6);
    for (name, example) in examples {
        assert!(validator.accepts(&example), "{name}: {}", validator.explain(&example));
    }
}

#[test]
fn the_schema_refuses_cross_field_breaches() {
    let validator = &*VALIDATOR;
    let mut once_for_a_child = common::valid_json();
    once_for_a_child["frequency"] = json!("once");
    let mut gift_aid_in_euros = common::valid_json_with_gift_aid();
    gift_aid_in_euros["amount"]["currency"] = json!("EUR");
    let mut gift_aid_from_france = common::valid_json_with_gift_aid();
    gift_aid_from_france["donor"]["country"] = json!("FR");
    let mut too_few_francs = common::valid_json();
    too_few_francs["amount"] = json!({"minor_units": Currency::XOF.minimum() - 1, "currency": "XOF"});
    for (what, instance) in [
        ("frequency", once_for_a_child),
        ("gift aid currency", gift_aid_in_euros),
        ("gift aid country", gift_aid_from_france),
        ("XOF minimum", too_few_francs),
    ] {
        assert!(!validator.accepts(&instance), "{what}");
        assert!(serde_json::from_value::<Pledge>(instance).unwrap().validate().is_err(), "{what}");
    }
}

proptest! {
    /// The schema is never stricter than `validate`: what the code accepts, the document accepts.
    #[test]
    fn every_valid_pledge_satisfies_the_schema(pledge in common::any_valid_pledge()) {
        let validator = &*VALIDATOR;
        let instance = serde_json::to_value(&pledge).unwrap();
        prop_assert!(validator.accepts(&instance), "{}", validator.explain(&instance));
    }

    /// Shape is where the schema and serde must agree exactly: a missing or unknown member is
    /// refused by both.
    #[test]
    fn the_schema_refuses_what_serde_refuses(
        pledge in common::any_valid_pledge(),
        pick in any::<prop::sample::Index>(),
        extra in any::<bool>(),
    ) {
        let validator = &*VALIDATOR;
        let mut instance = serde_json::to_value(&pledge).unwrap();
        let pointers: Vec<String> =
            common::all_pointers(&instance).into_iter().filter(|p| p != "/gift_aid").collect();
        let pointer = pick.get(&pointers);
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        if extra {
            let is_object = instance.pointer(pointer).is_some_and(Value::is_object);
            let object = if is_object { pointer.as_str() } else { parent };
            let members = instance.pointer_mut(object).unwrap().as_object_mut().unwrap();
            members.insert("unexpected".into(), json!(1));
        } else {
            instance.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(member);
        }
        prop_assert!(serde_json::from_value::<Pledge>(instance.clone()).is_err());
        prop_assert!(!validator.accepts(&instance));
    }
}
