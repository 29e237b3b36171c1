//! The published JSON Schema of the pledge, generated from the Rust types so that the document
//! and the code cannot drift apart.
//!
//! The schema is a guide for other implementations and it never refuses a pledge that
//! [`Pledge::validate`] accepts. It is looser in places a pattern cannot say well (white space
//! only names, the exact postcode shape, the OWASP email rules, calendar dates), and
//! [`Pledge::validate`] stays the authority. Rules that span fields are written here from the
//! same functions that `validate` calls, so each bound is written once.

use schemars::Schema;
use serde_json::{json, Value};

use crate::{Currency, Pledge, SponsorshipOption, COUNTRY_CODES};

/// `crypto.randomUUID()`'s output: a version 4 UUID, lower case, hyphenated.
pub(crate) const UUID_V4_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
pub(crate) const PARTNER_PATTERN: &str = "^[a-z0-9-]{1,64}$";
/// An http or https address with a host, and no white space or control characters.
pub(crate) const PAGE_URL_PATTERN: &str = "^https?://[^/?#\\x00-\\x20\\x7F-\\x9F][^\\x00-\\x20\\x7F-\\x9F]*$";
pub(crate) const TIMESTAMP_PATTERN: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$";
/// Free text without C0 or C1 control characters, which have no place in a name or address.
pub(crate) const NO_CONTROL_PATTERN: &str = "^[^\\x00-\\x1F\\x7F-\\x9F]*$";
pub(crate) const POSTCODE_PATTERN: &str = "^[A-Za-z0-9 ]+$";

/// The JSON Schema (draft 2020-12) of [`Pledge`], pretty-printed with its keys sorted and a
/// trailing newline, so that the same types always give the same bytes.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Pledge);
    let mut text =
        serde_json::to_string_pretty(&sorted(schema.to_value())).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// Rebuilds every object with its keys in order. Another crate in the same build may switch on
/// serde_json's `preserve_order`, which would otherwise change the output with the build.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.cmp(b));
            Value::Object(entries.into_iter().map(|(key, value)| (key, sorted(value))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Each currency's bounds on `minor_units`, from [`Currency::minimum`] and [`Currency::maximum`].
pub(crate) fn amount_bounds(schema: &mut Schema) {
    let rules: Vec<Value> = Currency::ALL
        .into_iter()
        .map(|currency| {
            json!({
                "if": { "properties": { "currency": { "const": currency.code() } } },
                "then": { "properties": { "minor_units": {
                    "minimum": currency.minimum(),
                    "maximum": currency.maximum(),
                } } },
            })
        })
        .collect();
    append_all_of(schema, rules);
}

/// The option fixes the frequency, and Gift Aid needs a gift in GBP from a donor in the UK.
pub(crate) fn cross_field_rules(schema: &mut Schema) {
    let mut rules: Vec<Value> = SponsorshipOption::ALL
        .into_iter()
        .map(|option| {
            json!({
                "if": { "properties": { "option": { "const": option.as_str() } } },
                "then": { "properties": { "frequency": { "const": option.frequency().as_str() } } },
            })
        })
        .collect();
    rules.push(json!({
        "if": {
            "properties": { "gift_aid": { "type": "object" } },
            "required": ["gift_aid"],
        },
        "then": { "properties": {
            "amount": { "properties": { "currency": { "const": Currency::GBP.code() } } },
            "donor": { "properties": { "country": { "const": "GB" } } },
        } },
    }));
    append_all_of(schema, rules);
}

pub(crate) fn country_codes(schema: &mut Schema) {
    schema.insert("enum".to_owned(), json!(COUNTRY_CODES.as_slice()));
}

fn append_all_of(schema: &mut Schema, rules: Vec<Value>) {
    let all_of = schema.ensure_object().entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(existing) = all_of {
        existing.extend(rules);
    }
}
