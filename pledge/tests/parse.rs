//! The receiver's path from body bytes to a validated pledge.
#![cfg(feature = "json")]

mod common;

use pledge::{parse, ErrorCode, FieldError, ParseFailure, ShapeCode, MAX_BODY_BYTES};
use serde_json::{json, Value};

fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

fn shape_failure(bytes: &[u8]) -> (String, ShapeCode) {
    match parse(bytes) {
        Err(ParseFailure::WrongShape(shape)) => (shape.pointer, shape.code),
        other => panic!("expected a shape error, got {other:?}"),
    }
}

#[test]
fn accepts_a_valid_pledge() {
    let pledge = common::valid_pledge();
    assert_eq!(parse(&serde_json::to_vec(&pledge).unwrap()), Ok(pledge));
}

#[test]
fn refuses_what_is_not_json() {
    let valid = body(&common::valid_json());
    let mut trailing = valid.clone();
    trailing.extend_from_slice(b" {}");
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(&valid);
    let mut broken_utf8 = valid.clone();
    let at = valid.windows(3).position(|window| window == b"Awa").unwrap();
    broken_utf8[at + 1] = 0xff;
    for bytes in [&b""[..], b"{", b"not json", b"{\"schema_version\": 1,}", &trailing, &with_bom, &broken_utf8] {
        let failure = parse(bytes).unwrap_err();
        assert!(matches!(failure, ParseFailure::NotJson { .. }), "{:?}: {failure:?}", String::from_utf8_lossy(bytes));
        assert_eq!(failure.http_status(), 400);
    }
}

#[test]
fn unknown_fields_point_at_themselves() {
    for pointer in ["/nickname", "/donor/nickname", "/amount/decimals", "/anti_spam/captcha", "/gift_aid/signed"] {
        let mut value = common::valid_json_with_gift_aid();
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        value.pointer_mut(if parent.is_empty() { "" } else { parent }).unwrap()[member] = json!("x");
        assert_eq!(shape_failure(&body(&value)), (pointer.to_owned(), ShapeCode::UnknownField));
    }
}

#[test]
fn missing_fields_point_where_they_belong() {
    for pointer in ["/partner", "/amount/currency", "/donor/email", "/consent/phone", "/gift_aid/postcode"] {
        let mut value = common::valid_json_with_gift_aid();
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        value.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(member);
        assert_eq!(shape_failure(&body(&value)), (pointer.to_owned(), ShapeCode::MissingField));
    }
}

#[test]
fn wrong_types_and_values_point_at_the_field() {
    let cases = [
        ("/amount/minor_units", json!("25.00"), ShapeCode::InvalidType),
        ("/amount/minor_units", json!(-1), ShapeCode::InvalidValue),
        ("/amount/minor_units", json!(25.5), ShapeCode::InvalidType),
        ("/amount/currency", json!("JPY"), ShapeCode::InvalidValue),
        ("/option", json!("weekly"), ShapeCode::InvalidValue),
        ("/schema_version", json!(4_294_967_296u64), ShapeCode::InvalidValue),
        ("/consent/email", json!("yes"), ShapeCode::InvalidType),
        ("/donor", json!(null), ShapeCode::InvalidType),
        ("/donor/given_name", json!(["Awa"]), ShapeCode::InvalidType),
    ];
    for (pointer, replacement, code) in cases {
        let mut value = common::valid_json();
        *value.pointer_mut(pointer).unwrap() = replacement.clone();
        assert_eq!(shape_failure(&body(&value)), (pointer.to_owned(), code), "{replacement}");
    }
}

#[test]
fn duplicate_fields_are_refused() {
    let text = common::valid_json().to_string().replacen("\"partner\":", "\"partner\":\"evil\",\"partner\":", 1);
    assert_eq!(shape_failure(text.as_bytes()), ("/partner".to_owned(), ShapeCode::DuplicateField));
}

#[test]
fn breaking_a_rule_is_reported_with_every_field_error() {
    let mut value = common::valid_json();
    value["donor"]["email"] = json!("awa@example");
    value["amount"]["minor_units"] = json!(1);
    let failure = parse(&body(&value)).unwrap_err();
    assert_eq!(failure.http_status(), 422);
    assert_eq!(
        failure,
        ParseFailure::Invalid(vec![
            FieldError::new("/amount/minor_units", ErrorCode::AmountBelowMinimum),
            FieldError::new("/donor/email", ErrorCode::InvalidEmail),
        ])
    );
}

#[test]
fn size_limit_is_enforced_before_parsing_and_leaves_room_for_any_valid_pledge() {
    let largest = common::largest_valid_pledge();
    assert_eq!(largest.validate(), Ok(()));
    let pretty = serde_json::to_string_pretty(&largest).unwrap();
    let escaped = common::escape_non_ascii(&pretty);
    println!("largest valid pledge: {} bytes as UTF-8, {} bytes escaped", pretty.len(), escaped.len());
    assert!(escaped.len() < MAX_BODY_BYTES, "{} bytes", escaped.len());
    assert_eq!(parse(escaped.as_bytes()), Ok(largest));

    let mut padded = escaped.into_bytes();
    padded.resize(MAX_BODY_BYTES + 1, b' ');
    assert_eq!(parse(&padded), Err(ParseFailure::TooLarge));
    assert_eq!(ParseFailure::TooLarge.http_status(), 413);
}

/// Ten thousand levels of arrays, or as many objects as fit in a body, anywhere in the body, end
/// in an error and not in a stack overflow, even on a thread with a quarter of the 2 MiB stack
/// that Rust and tokio give their threads.
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}0{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    assert!(deep_object.len() + 1_000 < MAX_BODY_BYTES);
    let mut bodies = vec![deep.clone(), deep_object.clone()];
    for pointer in common::all_pointers(&common::valid_json_with_gift_aid()) {
        for nested in [&deep, &deep_object] {
            let mut value = common::valid_json_with_gift_aid();
            *value.pointer_mut(&pointer).unwrap() = json!("NESTED");
            bodies.push(value.to_string().replace("\"NESTED\"", nested));
        }
    }
    let outcomes = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || bodies.iter().map(|body| parse(body.as_bytes()).map(|_| ())).collect::<Vec<_>>())
        .unwrap()
        .join()
        .expect("parsing overflowed the stack");
    assert!(outcomes.len() > 40);
    assert!(outcomes.iter().all(|outcome| matches!(outcome, Err(ParseFailure::NotJson { .. }))));

    // It is serde_json's recursion limit that stops them, so they are not JSON to a receiver.
    for body in [&deep, &deep_object] {
        match parse(body.as_bytes()) {
            Err(ParseFailure::NotJson { message }) => {
                assert!(message.contains("recursion limit exceeded"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_positional_struct_is_refused() {
    let mut value = common::valid_json();
    value["amount"] = json!([2500, "GBP"]);
    assert_eq!(shape_failure(&body(&value)), ("/amount".to_owned(), ShapeCode::InvalidType));
}

#[test]
fn an_enum_written_as_an_object_is_refused() {
    let mut value = common::valid_json();
    value["locale"] = json!({"en": null});
    assert_eq!(shape_failure(&body(&value)), ("/locale".to_owned(), ShapeCode::InvalidType));
}

#[test]
fn broken_json_is_not_json_whatever_comes_first() {
    let truncated = br#"{"nickname": "x", "schema_version": 1"#;
    assert!(matches!(parse(truncated), Err(ParseFailure::NotJson { .. })));
}
