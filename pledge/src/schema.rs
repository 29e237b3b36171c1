//! The published JSON Schema of the pledge, generated from the Rust types so that the document
//! and the code cannot drift apart.
//!
//! The schema says every rule of [`Pledge::validate`] that JSON Schema 2020-12 can say, exactly:
//! a document satisfies it when `validate` (and `parse`) accept it, and only then. The few
//! rules beyond JSON Schema are named in [`BEYOND_THE_SCHEMA`], which the document carries in
//! its description. Rules that span fields are written here from the same functions that
//! `validate` calls, so each bound is written once.
//!
//! The patterns are ECMA-262, read with Unicode semantics (code points, the `u` flag) as JSON
//! Schema validators read them. None uses a lookaround, so that generators such as hypothesis
//! can draw values from them.

use schemars::Schema;
use serde_json::{json, Value};

use crate::{Currency, Pledge, SponsorshipOption, COUNTRY_CODES};

/// What a receiver checks that no JSON Schema keyword can: JSON Schema sees an object once it
/// is parsed, and counts lengths in code points.
pub const BEYOND_THE_SCHEMA: &str = "Two rules are beyond JSON Schema, and receivers check them \
as well: no member appears twice in one object, and `page_url` is at most 2048 bytes in UTF-8, \
while `maxLength` can only count 2048 characters.";

/// Unicode category Cc, which `char::is_control` tests: C0, DEL and C1. Written as the body of a
/// character class.
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
/// [`CONTROL`] and the characters with the Unicode White_Space property, which
/// `char::is_whitespace`, and so `str::trim`, treats as white space. Spelled out because `\s`
/// also matches U+FEFF, which Rust counts as content, and means different things in different
/// regex dialects.
const CONTROL_OR_WHITE_SPACE: &str = r"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// `crypto.randomUUID()`'s output: a version 4 UUID, lower case, hyphenated.
pub(crate) const UUID_V4_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
pub(crate) const PARTNER_PATTERN: &str = "^[a-z0-9-]{1,64}$";

/// An http or https address with a non-empty host, and no white space or control characters.
pub(crate) fn page_url_pattern() -> String {
    format!("^https?://[^/?#{CONTROL_OR_WHITE_SPACE}][^{CONTROL_OR_WHITE_SPACE}]*$")
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` on a real date of the proleptic Gregorian calendar, years
/// 0000 to 9999. February has a 29th in years divisible by 4 but not by 100, and in years
/// divisible by 400. A second may be 60, for a leap second. The fraction has 1 to 14 digits,
/// which is what the 35-character limit leaves.
pub(crate) fn timestamp_pattern() -> String {
    let day_of_month = "(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])\
        |(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)\
        |02-(?:0[1-9]|1[0-9]|2[0-8])";
    let leap_year = "[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00";
    let date = format!("(?:[0-9]{{4}}-(?:{day_of_month})|(?:{leap_year})-02-29)");
    let time = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)";
    format!("^{date}T{time}(?:\\.[0-9]{{1,14}})?Z$")
}

/// Free text that is more than white space, without control characters.
pub(crate) fn text_pattern() -> String {
    format!("^[^{CONTROL}]*[^{CONTROL_OR_WHITE_SPACE}][^{CONTROL}]*$")
}

/// Free text without control characters, possibly empty.
pub(crate) fn optional_text_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

/// A phone number as [`crate::is_phone_number`] reads it: an optional leading `+`, then 6 to 15
/// digits with only spaces, dots, hyphens and brackets around them.
pub(crate) const PHONE_PATTERN: &str = r"^\+?[ ().-]*(?:[0-9][ ().-]*){6,15}$";

/// A UK postcode as [`crate::is_uk_postcode`] reads it. Spaces, anywhere and any number of
/// them, are ignored, and letters may be either case. What remains is an outward code (a letter,
/// then one to three letters or digits with at least one digit) and an inward code (a digit and
/// two letters): 5 to 7 characters.
pub(crate) fn postcode_pattern() -> String {
    let (letter, digit, either) = ("[A-Za-z] *", "[0-9] *", "[A-Za-z0-9] *");
    // The outward code after its first letter: the position of its first digit decides the rest.
    let outward_tail = format!("(?:{digit}(?:{either}){{0,2}}|{letter}{digit}(?:{either})?|{letter}{letter}{digit})");
    format!("^ *{letter}{outward_tail}{digit}{letter}{letter}$")
}

/// An email address as [`crate::validate_email`] reads it: one `@`; a local part of characters
/// other than white space, controls and ``"'`@()<>[]\,;:``, in dot-separated runs; and a domain
/// of two or more labels of ASCII letters, digits and inner hyphens, up to 63 characters each,
/// the last being two or more letters or an `xn--` label. The local part's length is
/// [`EMAIL_LOCAL_PART_LENGTH_PATTERN`]'s.
pub(crate) fn email_pattern() -> String {
    let local_char = format!(r#"[^{CONTROL_OR_WHITE_SPACE}"'`@()<>\[\]\\,;:.]"#);
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let top_level = "(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{0,58}[A-Za-z0-9])";
    format!(r"^{local_char}+(?:\.{local_char}+)*@(?:{label}\.)+{top_level}$")
}

/// The local part is 1 to 63 characters. A second pattern, because one regular expression could
/// only count them together with the dot rules through a lookahead.
pub(crate) const EMAIL_LOCAL_PART_LENGTH_PATTERN: &str = "^[^@]{1,63}@";

/// The JSON Schema (draft 2020-12) of [`Pledge`], pretty-printed with its keys sorted and a
/// trailing newline, so that the same types always give the same bytes.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Pledge);
    let mut text = serde_json::to_string_pretty(&sorted(schema.to_value())).expect("a JSON value always serialises");
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
    // A phone number exactly when the donor may be called; a postal address only when they may
    // be written to, and then unless a Gift Aid declaration gives the home address. A member
    // that is null counts as absent, as it does for the receiver.
    let has = |member: &str, kind: &str| json!({ "properties": { member: { "type": kind } }, "required": [member] });
    let consented =
        |channel: &str| json!({ "properties": { "consent": { "properties": { channel: { "const": true } } } } });
    rules.push(json!({
        "if": consented("phone"),
        "then": { "properties": { "donor": has("phone", "string") } },
        "else": { "properties": { "donor": { "not": has("phone", "string") } } },
    }));
    rules.push(json!({
        "if": consented("post"),
        "then": { "anyOf": [has("gift_aid", "object"), { "properties": { "donor": has("postal_address", "object") } }] },
        "else": { "properties": { "donor": { "not": has("postal_address", "object") } } },
    }));
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

/// The email's second pattern, beside the one that [`email_pattern`] gives.
pub(crate) fn email_local_part_length(schema: &mut Schema) {
    append_all_of(schema, vec![json!({ "pattern": EMAIL_LOCAL_PART_LENGTH_PATTERN })]);
}

/// Names, in the document itself, the rules that only a receiver can check.
pub(crate) fn beyond_the_schema(schema: &mut Schema) {
    let description = match schema.get("description").and_then(Value::as_str) {
        Some(own) => format!("{own}\n\n{BEYOND_THE_SCHEMA}"),
        None => BEYOND_THE_SCHEMA.to_owned(),
    };
    schema.insert("description".to_owned(), Value::String(description));
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
