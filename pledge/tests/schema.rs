//! The published JSON Schema: current with the types, carrying the same bounds as the code, and
//! exact. A document satisfies the schema when the receiver's reading path (`pledge::parse`)
//! accepts it, and only then, apart from the rules the schema names as beyond it.
#![cfg(all(feature = "schema", feature = "json"))]

mod common;

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::LazyLock;

use pledge::{limits, Currency, Donor, GiftAid, Pledge, PostalAddress, COUNTRY_CODES};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
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
        panic!("{} was stale and has been regenerated from the pledge types; review and commit it", path.display());
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
    assert_eq!(at("/$defs/Donor/properties/phone/maxLength"), limits::PHONE);
    assert_eq!(at("/$defs/PostalAddress/properties/address/maxLength"), limits::HOME_ADDRESS);
    assert_eq!(at("/$defs/PostalAddress/properties/postcode/maxLength"), limits::POSTAL_CODE);
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

/// A generator reading the schema draws from its patterns; a lookaround would leave it guessing
/// and filtering. JSON text is searched for the ECMA-262 spellings `(?=`, `(?!`, `(?<=`, `(?<!`.
#[test]
fn no_pattern_uses_a_lookaround() {
    let text = pledge::schema::json_schema();
    for lookaround in ["(?=", "(?!", "(?<=", "(?<!"] {
        assert!(!text.contains(lookaround), "the schema uses {lookaround}");
    }
}

/// The document says, where a reader of the schema alone will see it, which rules it cannot say.
#[test]
fn the_rules_beyond_the_schema_are_named_in_it() {
    let description = schema()["description"].as_str().unwrap().to_owned();
    assert!(description.ends_with(pledge::schema::BEYOND_THE_SCHEMA), "{description}");
}

/// The generated schema, or the part of it at `fragment`, compiled once.
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn at(fragment: &str) -> Self {
        let mut schemas = boon::Schemas::new();
        // Formats stay annotations, as draft 2020-12 has them by default; the schema's patterns
        // say everything about its strings.
        let mut compiler = boon::Compiler::new();
        compiler.add_resource("urn:pledge", schema()).expect("the schema is a JSON document");
        let index = compiler.compile(&format!("urn:pledge#{fragment}"), &mut schemas).expect("the schema compiles");
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

static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| Validator::at(""));

/// The free-text and patterned strings, each with its place in a pledge and in the schema.
const GIVEN_NAME: Field = Field { pointer: "/donor/given_name", schema: "/$defs/Donor/properties/given_name" };
const FAMILY_NAME: Field = Field { pointer: "/donor/family_name", schema: "/$defs/Donor/properties/family_name" };
const EMAIL: Field = Field { pointer: "/donor/email", schema: "/$defs/Donor/properties/email" };
const HOME_ADDRESS: Field =
    Field { pointer: "/gift_aid/home_address", schema: "/$defs/GiftAid/properties/home_address" };
const POSTCODE: Field = Field { pointer: "/gift_aid/postcode", schema: "/$defs/GiftAid/properties/postcode" };
const PAGE_URL: Field = Field { pointer: "/page_url", schema: "/properties/page_url" };
const TIMESTAMP: Field = Field { pointer: "/client_created_at", schema: "/properties/client_created_at" };
const IDEMPOTENCY_KEY: Field = Field { pointer: "/idempotency_key", schema: "/properties/idempotency_key" };
const PARTNER: Field = Field { pointer: "/partner", schema: "/properties/partner" };
const HONEYPOT: Field = Field { pointer: "/anti_spam/honeypot", schema: "/$defs/AntiSpam/properties/honeypot" };
const PHONE: Field = Field { pointer: "/donor/phone", schema: "/$defs/Donor/properties/phone" };
const POSTAL_ADDRESS: Field =
    Field { pointer: "/donor/postal_address/address", schema: "/$defs/PostalAddress/properties/address" };
const POSTAL_POSTCODE: Field =
    Field { pointer: "/donor/postal_address/postcode", schema: "/$defs/PostalAddress/properties/postcode" };

const PATTERNED: [Field; 12] = [
    GIVEN_NAME,
    FAMILY_NAME,
    EMAIL,
    HOME_ADDRESS,
    POSTCODE,
    PAGE_URL,
    TIMESTAMP,
    IDEMPOTENCY_KEY,
    PARTNER,
    PHONE,
    POSTAL_ADDRESS,
    POSTAL_POSTCODE,
];

#[derive(Clone, Copy, Debug)]
struct Field {
    /// Where the string is in a pledge.
    pointer: &'static str,
    /// Where its rule is in the schema.
    schema: &'static str,
}

static FIELD_VALIDATORS: LazyLock<Vec<(&'static str, Validator)>> = LazyLock::new(|| {
    PATTERNED.iter().chain([&HONEYPOT]).map(|field| (field.pointer, Validator::at(field.schema))).collect()
});

impl Field {
    fn schema_accepts(self, value: &str) -> bool {
        let (_, validator) = FIELD_VALIDATORS.iter().find(|(pointer, _)| *pointer == self.pointer).unwrap();
        validator.accepts(&Value::from(value))
    }

    /// Whether `validate` accepts a pledge, valid otherwise and with Gift Aid, whose string at
    /// this field is `value`. Built as a struct, not read from JSON, and checked through the
    /// part of `Pledge::validate` that owns the field, so that a test can try every character.
    fn code_accepts(self, value: &str) -> bool {
        static VALID: LazyLock<Pledge> = LazyLock::new(common::valid_pledge_with_gift_aid);
        let value = value.to_owned();
        match self.pointer {
            "/donor/given_name" => Donor { given_name: value, ..VALID.donor.clone() }.validate().is_empty(),
            "/donor/family_name" => Donor { family_name: value, ..VALID.donor.clone() }.validate().is_empty(),
            "/donor/email" => Donor { email: value, ..VALID.donor.clone() }.validate().is_empty(),
            "/gift_aid/home_address" => {
                GiftAid { home_address: value, ..common::valid_gift_aid() }.validate().is_empty()
            }
            "/gift_aid/postcode" => GiftAid { postcode: value, ..common::valid_gift_aid() }.validate().is_empty(),
            "/donor/phone" => Donor { phone: Some(value), ..VALID.donor.clone() }.validate().is_empty(),
            "/donor/postal_address/address" => {
                let postal_address = PostalAddress { address: value, ..common::valid_postal_address() };
                Donor { postal_address: Some(postal_address), ..VALID.donor.clone() }.validate().is_empty()
            }
            "/donor/postal_address/postcode" => {
                let postal_address = PostalAddress { postcode: value, ..common::valid_postal_address() };
                Donor { postal_address: Some(postal_address), ..VALID.donor.clone() }.validate().is_empty()
            }
            pointer => {
                let mut pledge = VALID.clone();
                let slot = match pointer {
                    "/page_url" => &mut pledge.page_url,
                    "/client_created_at" => &mut pledge.client_created_at,
                    "/idempotency_key" => &mut pledge.idempotency_key,
                    "/partner" => &mut pledge.partner,
                    "/anti_spam/honeypot" => &mut pledge.anti_spam.honeypot,
                    other => panic!("no field {other}"),
                };
                *slot = value;
                pledge.validate().is_ok()
            }
        }
    }

    /// Fails with both verdicts unless the schema and the code agree on `value`.
    fn assert_agreement(self, value: &str) {
        let (schema, code) = (self.schema_accepts(value), self.code_accepts(value));
        assert_eq!(
            schema,
            code,
            "{}: {value:?} (U+{:04X}…): schema says {schema}, validate says {code}",
            self.pointer,
            value.chars().next().map_or(0, u32::from)
        );
    }

    /// The field's pattern as the schema publishes it.
    fn published_pattern(self) -> String {
        let schema = schema();
        schema.pointer(&format!("{}/pattern", self.schema)).and_then(Value::as_str).unwrap().to_owned()
    }
}

/// Whether the receiver's reading path accepts `instance`, sent as a request body.
fn parse_accepts(instance: &Value) -> bool {
    pledge::parse(&serde_json::to_vec(instance).unwrap()).is_ok()
}

/// The one disagreement the schema's description announces that a generated document can
/// reach: a `page_url` over 2048 bytes in UTF-8 but within 2048 characters. (Repeated members
/// cannot be written as a `serde_json::Value`.)
fn beyond_the_schema(instance: &Value) -> bool {
    instance["page_url"]
        .as_str()
        .is_some_and(|url| url.len() > limits::PAGE_URL && url.chars().count() <= limits::PAGE_URL)
}

/// Asserts that the schema and `parse` agree on a whole document.
fn assert_documents_agree(instance: &Value) -> Result<bool, TestCaseError> {
    let (schema, code) = (VALIDATOR.accepts(instance), parse_accepts(instance));
    if schema && !code && beyond_the_schema(instance) {
        return Ok(false);
    }
    prop_assert_eq!(
        schema,
        code,
        "schema: {}\nparse: {:?}\n{}",
        VALIDATOR.explain(instance),
        pledge::parse(&serde_json::to_vec(instance).unwrap()).err(),
        instance
    );
    Ok(schema)
}

fn examples(folder: &str) -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contract/examples").join(folder);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .map(|path| {
            (path.display().to_string(), serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap())
        })
        .collect()
}

#[test]
fn valid_examples_satisfy_the_schema() {
    let validator = &*VALIDATOR;
    let examples = examples("");
    assert!(examples.len() >= 6);
    for (name, example) in examples {
        assert!(validator.accepts(&example), "{name}: {}", validator.explain(&example));
    }
}

/// The schema is exact, so each refused example breaks it too, whichever rule it breaks.
#[test]
fn invalid_examples_break_the_schema() {
    let examples = examples("invalid");
    assert!(examples.len() >= 10);
    for (name, example) in examples {
        assert!(!VALIDATOR.accepts(&example["pledge"]), "{name} satisfies the schema");
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

/// The consent rules on contact details, case by case, with `null` read as absent: the schema
/// and `parse` give the verdict the contract states.
#[test]
fn the_schema_applies_the_consent_rules_on_contact_details() {
    let phone = json!("+44 20 7946 0000");
    let address = json!({"address": "12 rue des Lilas, Lyon", "postcode": "69003"});
    let pledge = |gift_aid: bool, post: bool, call: bool, donor: Value| {
        let mut document = if gift_aid { common::valid_json_with_gift_aid() } else { common::valid_json() };
        document["consent"]["post"] = json!(post);
        document["consent"]["phone"] = json!(call);
        for (member, value) in donor.as_object().unwrap() {
            document["donor"][member] = value.clone();
        }
        document
    };
    let mut gift_aid_null = pledge(false, true, false, json!({}));
    gift_aid_null["gift_aid"] = Value::Null;
    let mut address_without_postcode = pledge(false, true, false, json!({"postal_address": address}));
    address_without_postcode["donor"]["postal_address"].as_object_mut().unwrap().remove("postcode");
    let cases = [
        ("phone consent without a phone", pledge(false, false, true, json!({})), false),
        ("a phone without consent", pledge(false, false, false, json!({"phone": phone})), false),
        ("a null phone with consent", pledge(false, false, true, json!({"phone": null})), false),
        ("a null phone without consent", pledge(false, false, false, json!({"phone": null})), true),
        ("phone consent with a phone", pledge(false, false, true, json!({"phone": phone})), true),
        ("post consent, no address, no Gift Aid", pledge(false, true, false, json!({})), false),
        (
            "post consent, a null address, no Gift Aid",
            pledge(false, true, false, json!({"postal_address": null})),
            false,
        ),
        ("post consent, no address, a null Gift Aid", gift_aid_null, false),
        ("post consent with Gift Aid and no address", pledge(true, true, false, json!({})), true),
        (
            "post consent with Gift Aid and an address",
            pledge(true, true, false, json!({"postal_address": address})),
            true,
        ),
        ("post consent with an address", pledge(false, true, false, json!({"postal_address": address})), true),
        ("an address without a postcode", address_without_postcode, true),
        ("an address without consent", pledge(false, false, false, json!({"postal_address": address})), false),
        (
            "an address without consent, with Gift Aid",
            pledge(true, false, false, json!({"postal_address": address})),
            false,
        ),
        ("a null address without consent", pledge(false, false, false, json!({"postal_address": null})), true),
        (
            "both, with both consents",
            pledge(false, true, true, json!({"phone": phone, "postal_address": address})),
            true,
        ),
    ];
    for (what, instance, accepted) in cases {
        assert_eq!(VALIDATOR.accepts(&instance), accepted, "schema: {what}: {}", VALIDATOR.explain(&instance));
        assert_eq!(parse_accepts(&instance), accepted, "parse: {what}");
    }
}

/// Every character Rust can meet in a string: the whole Basic Multilingual Plane, and the
/// other planes sampled, since neither Unicode category Cc nor White_Space has a member there.
fn every_character() -> impl Iterator<Item = char> {
    let astral = (0x1_0000..=0x10_FFFF).step_by(89).chain([0x1_F600, 0xE_0001, 0xF_FFFD, 0x10_FFFF]);
    (0..0x1_0000).chain(astral).filter_map(char::from_u32)
}

/// White space and control characters, as `str::trim` and `char::is_control` see them, are
/// what the patterns' classes name: alone and beside a letter in free text, in an email's local
/// part and its domain, in a page address's host and path, and in a postcode.
#[test]
fn every_character_is_judged_alike_by_the_schema_and_validate() {
    let mut characters = 0;
    for character in every_character() {
        characters += 1;
        let judge =
            |field: Field, template: &str| field.assert_agreement(&template.replace('_', &character.to_string()));
        judge(GIVEN_NAME, "_");
        judge(FAMILY_NAME, "_A");
        judge(HOME_ADDRESS, "A_");
        judge(EMAIL, "a_b@example.org");
        judge(EMAIL, "_@example.org");
        judge(EMAIL, "a@exa_mple.org");
        judge(PAGE_URL, "https://_");
        judge(PAGE_URL, "https://example.org/_");
        judge(POSTCODE, "SW1A_1AA");
        judge(HONEYPOT, "_");
        judge(POSTAL_ADDRESS, "_");
        judge(POSTAL_ADDRESS, "Rue_305");
        judge(POSTAL_POSTCODE, "_");
        judge(POSTAL_POSTCODE, "69_003");
    }
    assert!(characters > 0x1_0000 - 0x800);
}

/// Every string of up to eight characters over a letter in each case, a digit and a space:
/// every outward and inward shape, spaced every way, short and long.
#[test]
fn every_short_postcode_is_judged_alike() {
    let alphabet = ['A', 'z', '7', ' '];
    let mut strings = vec![String::new()];
    let mut judged = 0;
    let mut accepted = 0;
    for _ in 0..8 {
        strings = strings
            .iter()
            .flat_map(|prefix| alphabet.iter().map(move |&character| format!("{prefix}{character}")))
            .collect();
        for postcode in &strings {
            POSTCODE.assert_agreement(postcode);
            judged += 1;
            accepted += usize::from(POSTCODE.code_accepts(postcode));
        }
    }
    assert_eq!(judged, (1..=8).map(|length| 4usize.pow(length)).sum::<usize>());
    assert!(accepted > 1000, "only {accepted} postcodes accepted");
}

/// The 29th of February is a date in years divisible by 4, except centuries not divisible by
/// 400; every year of the four-digit range is tried.
#[test]
fn leap_days_are_judged_alike_in_every_year() {
    let mut leap_years = 0;
    for year in 0..=9999 {
        for day in [28, 29, 30] {
            TIMESTAMP.assert_agreement(&format!("{year:04}-02-{day:02}T23:59:60.5Z"));
        }
        leap_years += usize::from(TIMESTAMP.code_accepts(&format!("{year:04}-02-29T00:00:00Z")));
    }
    assert_eq!(leap_years, 2425);
}

#[test]
fn every_day_of_every_month_is_judged_alike() {
    for year in ["0000", "1900", "2000", "2023", "2024", "2100", "9999"] {
        for month in 0..=13 {
            for day in 0..=32 {
                TIMESTAMP.assert_agreement(&format!("{year}-{month:02}-{day:02}T08:30:00Z"));
            }
        }
    }
}

#[test]
fn every_time_and_fraction_is_judged_alike() {
    for hour in 0..=25 {
        for minute in [0, 1, 30, 59, 60, 61, 99] {
            for second in [0, 1, 30, 59, 60, 61, 99] {
                TIMESTAMP.assert_agreement(&format!("2024-06-30T{hour:02}:{minute:02}:{second:02}Z"));
            }
        }
    }
    for digits in 0..=16 {
        let fraction = "7".repeat(digits);
        TIMESTAMP.assert_agreement(&format!("2024-06-30T12:00:00.{fraction}Z"));
        TIMESTAMP.assert_agreement(&format!("2024-06-30T12:00:00{fraction}Z"));
    }
    for spelling in [
        "2024-06-30t12:00:00Z",
        "2024-06-30T12:00:00z",
        "2024-06-30 12:00:00Z",
        "2024-06-30T12:00:00+00:00",
        "2024-06-30T12:00:00.Z",
        "2024-06-30T12:00Z",
        "+024-06-30T12:00:00Z",
        "12024-06-30T12:00:00Z",
        "2024-6-30T12:00:00Z",
        "２０２４-06-30T12:00:00Z",
        "2024-06-30T12:00:00Z\n",
    ] {
        TIMESTAMP.assert_agreement(spelling);
    }
}

#[test]
fn email_spellings_are_judged_alike() {
    for email in [
        "awa@example.org",
        "a.traore+sos@mail.example.co.uk",
        "élodie@example.fr",
        "{|}~!#$%&*/=?^_-@example.org",
        "a@example.xn--p1ai",
        "a@example.XN--p1ai",
        "a@example.Xn--p1ai",
        "a@example.xn--",
        "a@example.xn---",
        "a@example.xn--a-",
        "a@example.xn-a",
        "a@example.org1",
        "a@example.1org",
        "a@example.o",
        "a@example.ORG",
        "a@1.2",
        "a@1.ab",
        "a@-a.org",
        "a@a-.org",
        "a@a--b.org",
        "a@a_b.org",
        "a@.org",
        "a@org.",
        "a@example..org",
        "a@example",
        "a@@example.org",
        "a@b@example.org",
        "@example.org",
        "a@",
        ".a@example.org",
        "a.@example.org",
        "a..b@example.org",
        "a.b.c@example.org",
        "\"a\"@example.org",
        "a b@example.org",
        "a@[127.0.0.1]",
        "a@localhost",
        "a@exämple.org",
        " a@example.org",
        "a@example.org ",
        "",
        " ",
    ] {
        EMAIL.assert_agreement(email);
    }
}

#[test]
fn email_lengths_are_judged_alike() {
    for local in 60..=65 {
        for character in ["a", "é", "𝒜"] {
            EMAIL.assert_agreement(&format!("{}@example.org", character.repeat(local)));
            EMAIL.assert_agreement(&format!("{}.b@example.org", character.repeat(local - 2)));
        }
    }
    for label in 60..=65 {
        EMAIL.assert_agreement(&format!("a@{}.org", "b".repeat(label)));
        EMAIL.assert_agreement(&format!("a@example.{}", "c".repeat(label)));
        EMAIL.assert_agreement(&format!("a@example.xn--{}", "d".repeat(label - 4)));
    }
    for total in 252..=256 {
        let domain = format!("{}.{}.{}.org", "a".repeat(63), "b".repeat(63), "c".repeat(63));
        let local = "l".repeat(total - domain.len() - 1);
        EMAIL.assert_agreement(&format!("{local}@{domain}"));
    }
}

/// Every character before, inside and after a phone number, then the edges: how many digits,
/// where a `+` may stand, white space around the number, brackets, and the 32-character limit.
#[test]
fn phone_numbers_are_judged_alike() {
    let (mut first, mut inside, mut last) = (0, 0, 0);
    for character in every_character() {
        let at = |template: &str| template.replace('_', &character.to_string());
        for (template, count) in
            [("_020 7946 0000", &mut first), ("020 7946_0000", &mut inside), ("020 7946 0000_", &mut last)]
        {
            PHONE.assert_agreement(&at(template));
            *count += usize::from(PHONE.code_accepts(&at(template)));
        }
    }
    // The digits, space, dot, hyphen and both brackets anywhere; a `+` only in front.
    assert_eq!((first, inside, last), (16, 15, 15));

    let mut judged = Vec::new();
    for digits in [0, 1, 5, 6, 7, 14, 15, 16, 17] {
        let run = "4".repeat(digits);
        let spaced: String = run.chars().flat_map(|digit| [digit, ' ']).collect();
        judged.extend([run.clone(), format!("+{run}"), format!("+ {run}"), format!("({run})"), spaced]);
    }
    // The 32-character limit, met and passed with 15 digits and with 6.
    let fifteen = format!("+{}", "4 ".repeat(15));
    let six = format!("+(4){}", ".".repeat(limits::PHONE - 9)) + "44444";
    assert_eq!((fifteen.len(), six.len()), (31, limits::PHONE));
    judged.extend([format!("{fifteen}-"), format!("{fifteen}--"), six.clone(), format!("{six}-"), format!("-{six}")]);
    for spelling in [
        "+44 20 7946 0000",
        " +44 20 7946 0000",
        "+44 20 7946 0000 ",
        "  020 7946 0000  ",
        "+ 44 20 7946 0000",
        "++44 20 7946 0000",
        "44+20 7946 0000",
        "020 7946 0000+",
        "+",
        "+(0)",
        "(020) 7946 0000",
        "+44 (0)20 7946 0000",
        ")020( 7946 0000",
        "((((020))))79460000",
        "[020] 7946 0000",
        "{020} 7946 0000",
        "020.7946.0000",
        "020-7946-0000",
        "020/7946/0000",
        "020_7946_0000",
        "020,7946,0000",
        "020 7946 0000 ext 12",
        "020 7946 0000 #12",
        "tel:+442079460000",
        "0x20794600",
        "2e10000000",
        "０２０ ７９４６ ００００",
        "٠٢٠٧٩٤٦٠٠٠٠",
        "020\u{a0}7946\u{a0}0000",
        "020\t7946 0000",
        "020 7946 0000\n",
        "",
        " ",
        "-",
    ] {
        judged.push(spelling.to_owned());
    }
    let accepted = judged.iter().filter(|phone| PHONE.code_accepts(phone)).count();
    for phone in &judged {
        PHONE.assert_agreement(phone);
    }
    assert!(accepted > 10 && accepted < judged.len() - 10, "{accepted} of {} accepted", judged.len());
}

/// Pieces where the rules have edges: every White_Space character, controls from each block,
/// the characters the email rule names, dots, hyphens, `@`, `xn--` in both cases, the letters
/// of a timestamp, non-ASCII letters and digits, astral characters, and characters that
/// Unicode case-folds onto ASCII letters (the Kelvin sign, the long s, the dotless i).
const TRICKY: &[&str] = &[
    " ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{2007}", "\u{200a}",
    "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}", "\u{200b}", "\u{180e}", "\u{0}", "\u{1f}",
    "\u{7f}", "\u{9f}", ".", "..", "-", "--", "@", "xn--", "XN--", "\"", "'", "`", "(", ")", "<", ">", "[", "]", "\\",
    ",", ";", ":", "+", "!", "_", "~", "{", "|", "/", "?", "#", "%", "T", "Z", "t", "z", "0", "9", "29", "60", "02-29",
    "é", "Ａ", "٣", "𝒜", "😀", "\u{212a}", "\u{17f}", "\u{131}", "a", "B", "example", "org",
];

/// Text built from [`TRICKY`] pieces and plain runs of letters and digits.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(TRICKY).prop_map(str::to_owned),
        1 => "[A-Za-z0-9]{1,4}",
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

/// A valid value with tricky text put in at a character boundary, or in its place.
fn tricky_variant(valid: String) -> impl Strategy<Value = String> {
    (tricky_text(), any::<prop::sample::Index>(), any::<bool>()).prop_map(move |(tricky, at, replace)| {
        if replace {
            return tricky;
        }
        let boundaries: Vec<usize> = valid.char_indices().map(|(at, _)| at).chain([valid.len()]).collect();
        let mut text = valid.clone();
        text.insert_str(*at.get(&boundaries), &tricky);
        text
    })
}

/// A timestamp from parts that may each be out of range, with seconds up to 61 and fractions
/// of any length, on days around each month's end.
fn timestamp_parts() -> impl Strategy<Value = String> {
    let year = prop_oneof![0u32..=9999, prop::sample::select(vec![0, 1600, 1900, 2000, 2023, 2024, 2100, 2400])];
    (year, 0u32..=13, prop_oneof![0u32..=32, 27u32..=32], 0u32..=25, 0u32..=61, 55u32..=62, 0usize..=16).prop_map(
        |(year, month, day, hour, minute, second, digits)| {
            let fraction = if digits == 0 { String::new() } else { format!(".{}", "5".repeat(digits - 1)) };
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z")
        },
    )
}

/// Values drawn from a published pattern. The anchors go, since the generator always draws
/// whole strings, and unbounded repetitions are capped: proptest repeats `*` up to 32 times,
/// which would make nearly every email address too long, a postcode's eight optional runs of
/// spaces rarely fit in ten characters unless each is at most one space, and a phone number's
/// sixteen runs of separators fit in 32 characters only at one separator each. A capped
/// repetition draws from part of the same language, so every value still matches the pattern.
/// A literal `+` (the phone's) is spelled `\x2B` first, so that it is not read as a repetition.
fn from_published_pattern(field: Field) -> BoxedStrategy<String> {
    let pattern = field.published_pattern();
    let body = pattern.strip_prefix('^').and_then(|rest| rest.strip_suffix('$')).expect("anchored pattern");
    let capped = body
        .replace(r"\+", r"\x2B")
        .replace(" *", " ?")
        .replace("[ ().-]*", "[ ().-]?")
        .replace('*', "{0,4}")
        .replace('+', "{1,4}");
    proptest::string::string_regex(&capped).unwrap_or_else(|error| panic!("{pattern}: {error}")).boxed()
}

/// A value for `field` that is valid, or nearly so.
fn adversarial_value(field: Field, valid: String) -> BoxedStrategy<String> {
    let mut choices = vec![tricky_variant(valid).boxed(), tricky_text().boxed()];
    if PATTERNED.iter().any(|patterned| patterned.pointer == field.pointer) {
        choices.push(from_published_pattern(field));
    }
    if field.pointer == TIMESTAMP.pointer {
        choices.push(timestamp_parts().boxed());
    }
    prop::strategy::Union::new(choices).boxed()
}

/// A valid pledge as JSON with one string member (an enum's or a constant's too) replaced.
fn pledge_with_one_adversarial_string() -> impl Strategy<Value = Value> {
    common::any_valid_pledge().prop_flat_map(|pledge| {
        let document = serde_json::to_value(&pledge).unwrap();
        let strings: Vec<String> = common::all_pointers(&document)
            .into_iter()
            .filter(|pointer| document.pointer(pointer).is_some_and(Value::is_string))
            .collect();
        prop::sample::select(strings).prop_flat_map(move |pointer| {
            let valid = document.pointer(&pointer).unwrap().as_str().unwrap().to_owned();
            let field = PATTERNED
                .iter()
                .chain([&HONEYPOT])
                .copied()
                .find(|field| field.pointer == pointer)
                .unwrap_or(Field { pointer: "", schema: "" });
            let document = document.clone();
            adversarial_value(field, valid).prop_map(move |value| {
                let mut mutated = document.clone();
                *mutated.pointer_mut(&pointer).unwrap() = Value::from(value);
                mutated
            })
        })
    })
}

/// A valid pledge as JSON with one integer replaced by one near a bound, or anywhere.
fn pledge_with_one_adversarial_integer() -> impl Strategy<Value = Value> {
    let edges: Vec<i128> = vec![
        -1,
        0,
        1,
        2,
        199,
        200,
        201,
        999,
        1_000,
        1_001,
        999_999,
        1_000_000,
        1_000_001,
        6_499_999,
        6_500_000,
        6_500_001,
        limits::FILL_MS as i128 - 1,
        limits::FILL_MS as i128,
        limits::FILL_MS as i128 + 1,
        u32::MAX as i128 + 1,
        i64::MIN as i128,
        u64::MAX as i128,
    ];
    let number = prop_oneof![prop::sample::select(edges), any::<i64>().prop_map(i128::from)];
    // The same integer as a double, as some clients write it, or a nearby fraction.
    let spelling = prop_oneof![Just(None), Just(Some(0.0)), Just(Some(0.5)), Just(Some(-0.25))];
    let pointers = vec!["/schema_version", "/amount/minor_units", "/anti_spam/fill_ms"];
    (common::any_valid_pledge(), prop::sample::select(pointers), number, spelling).prop_map(
        |(pledge, pointer, number, spelling)| {
            let mut document = serde_json::to_value(pledge).unwrap();
            let value = match (spelling, u64::try_from(number)) {
                (Some(offset), _) => Value::from(number as f64 + offset),
                (None, Ok(unsigned)) => Value::from(unsigned),
                (None, Err(_)) => Value::from(i64::try_from(number).unwrap()),
            };
            *document.pointer_mut(pointer).unwrap() = value;
            document
        },
    )
}

/// Every string field drawn from the schema's own patterns, with the rest from a valid pledge.
fn pledge_from_published_patterns() -> impl Strategy<Value = Value> {
    let drawn: Vec<BoxedStrategy<String>> = PATTERNED.iter().map(|field| from_published_pattern(*field)).collect();
    (common::any_valid_pledge(), drawn, any::<bool>()).prop_map(|(pledge, values, with_gift_aid)| {
        let mut document = serde_json::to_value(pledge).unwrap();
        if with_gift_aid {
            document["gift_aid"] = serde_json::to_value(common::valid_gift_aid()).unwrap();
            document["amount"]["currency"] = json!("GBP");
            document["amount"]["minor_units"] = json!(2500);
            document["donor"]["country"] = json!("GB");
        }
        for (field, value) in PATTERNED.iter().zip(values) {
            if let Some(slot) = document.pointer_mut(field.pointer) {
                *slot = Value::from(value);
            }
        }
        document
    })
}

/// A valid pledge with its consents to post and phone, its contact details and its Gift Aid
/// declaration drawn again independently, so that they agree or not: each detail absent, null,
/// valid, or nearly so.
fn pledge_with_contact_details_redrawn() -> impl Strategy<Value = Value> {
    let member = |valid: BoxedStrategy<Value>| prop_oneof![Just(None), Just(Some(Value::Null)), valid.prop_map(Some)];
    let phone = prop_oneof![
        3 => common::phone_number(),
        1 => common::phone_number().prop_flat_map(tricky_variant),
    ];
    let postal_address = (
        prop_oneof![3 => common::free_text(limits::HOME_ADDRESS), 1 => tricky_text()],
        prop_oneof![
            Just(None),
            common::optional_text(limits::POSTAL_CODE).prop_map(Some),
            tricky_text().prop_map(Some)
        ],
    )
        .prop_map(|(address, postcode)| match postcode {
            Some(postcode) => json!({"address": address, "postcode": postcode}),
            None => json!({"address": address}),
        });
    (
        common::any_valid_pledge(),
        any::<bool>(),
        any::<bool>(),
        member(phone.prop_map(Value::from).boxed()),
        member(postal_address.boxed()),
        prop_oneof![Just("keep"), Just("remove"), Just("null")],
    )
        .prop_map(|(pledge, post, call, phone, postal_address, gift_aid)| {
            let mut document = serde_json::to_value(pledge).unwrap();
            document["consent"]["post"] = json!(post);
            document["consent"]["phone"] = json!(call);
            let donor = document["donor"].as_object_mut().unwrap();
            for (member, value) in [("phone", phone), ("postal_address", postal_address)] {
                match value {
                    Some(value) => donor.insert(member.to_owned(), value),
                    None => donor.remove(member),
                };
            }
            match gift_aid {
                "remove" => {
                    document.as_object_mut().unwrap().remove("gift_aid");
                }
                "null" => document["gift_aid"] = Value::Null,
                _ => {}
            }
            document
        })
}

/// Runs `strategy` for `cases` documents, asserting that the schema and `parse` agree on each,
/// and returns how many both accepted, so that a test can show it tried both outcomes.
fn agreement_over(cases: u32, strategy: impl Strategy<Value = Value>) -> (u32, u32) {
    let accepted = Cell::new(0);
    let refused = Cell::new(0);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let outcome = runner.run(&strategy, |document| {
        let both_accept = assert_documents_agree(&document)?;
        let counter = if both_accept { &accepted } else { &refused };
        counter.set(counter.get() + 1);
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    (accepted.get(), refused.get())
}

/// (a) The schema is never stricter than the code: every valid pledge satisfies it.
#[test]
fn every_valid_pledge_satisfies_the_schema() {
    let (accepted, refused) =
        agreement_over(512, common::any_valid_pledge().prop_map(|pledge| serde_json::to_value(pledge).unwrap()));
    assert_eq!((accepted, refused), (512, 0));
}

/// (b) The schema is never looser than the code: pledges drawn from its patterns are pledges
/// `parse` accepts. Most draws are valid; the rest (an address too long, say) are refused by both.
#[test]
fn pledges_drawn_from_the_schema_pass_parse() {
    let (accepted, refused) = agreement_over(512, pledge_from_published_patterns());
    assert!(accepted >= 128, "only {accepted} of {} drawn pledges were valid", accepted + refused);
}

/// Both ways at once, at the edges: one string, anywhere in the pledge, made adversarial.
#[test]
fn the_schema_and_parse_agree_on_adversarial_strings() {
    let (accepted, refused) = agreement_over(1024, pledge_with_one_adversarial_string());
    assert!(accepted > 0 && refused > 0, "accepted {accepted}, refused {refused}");
}

/// Consents and contact details that agree or not, with and without Gift Aid.
#[test]
fn the_schema_and_parse_agree_on_contact_details_and_their_consents() {
    let (accepted, refused) = agreement_over(1024, pledge_with_contact_details_redrawn());
    assert!(accepted > 100 && refused > 100, "accepted {accepted}, refused {refused}");
}

#[test]
fn the_schema_and_parse_agree_on_adversarial_integers() {
    let (accepted, refused) = agreement_over(512, pledge_with_one_adversarial_integer());
    assert!(accepted > 0 && refused > 0, "accepted {accepted}, refused {refused}");
}

/// The limit the schema cannot state exactly, as its description says: it counts characters,
/// and the rule counts bytes.
#[test]
fn a_page_address_within_2048_characters_but_over_2048_bytes_is_beyond_the_schema() {
    let mut document = common::valid_json();
    let path = "é".repeat(limits::PAGE_URL - "https://example.org/".chars().count());
    document["page_url"] = Value::from(format!("https://example.org/{path}"));
    assert!(beyond_the_schema(&document));
    assert!(VALIDATOR.accepts(&document));
    assert!(!parse_accepts(&document));
}

/// JSON Schema reads `1.0` as the integer 1, and so does `parse`: a count may carry a zero
/// fraction or an exponent, and a fraction is refused by both.
#[test]
fn integers_are_read_alike_however_they_are_written() {
    let body = serde_json::to_string(&common::valid_pledge()).unwrap();
    assert!(body.contains("\"fill_ms\":42000"), "the valid pledge's fill_ms is no longer 42000");
    for (spelling, accepted) in [
        ("42000", true),
        ("42000.0", true),
        ("4.2e4", true),
        ("420000E-1", true),
        ("42000.5", false),
        ("-0", true),
        ("-0.0", true),
        ("-1", false),
    ] {
        let written = body.replacen("\"fill_ms\":42000", &format!("\"fill_ms\":{spelling}"), 1);
        let document: Value = serde_json::from_str(&written).unwrap();
        assert_eq!(VALIDATOR.accepts(&document), accepted, "schema, {spelling}");
        assert_eq!(pledge::parse(written.as_bytes()).is_ok(), accepted, "parse, {spelling}");
    }
}

proptest! {
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
        let pointers: Vec<String> = common::all_pointers(&instance)
            .into_iter()
            .filter(|p| !common::OPTIONAL_MEMBERS.contains(&p.as_str()))
            .collect();
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
