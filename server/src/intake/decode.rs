//! Turning a request into a valid [`pledge::Pledge`], or into the refusal that says why not.
//!
//! Malformed JSON (broken UTF-8, bad syntax, nesting beyond serde_json's recursion limit) is a
//! `400`; JSON of the wrong shape (unknown, missing or duplicate fields, wrong types) and
//! pledges that break a rule are a `422` that points at the field.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use pledge::{ParseFailure, Pledge};

use super::refusal::{FieldRefusal, Refusal};

/// A pledge is well under 4 KiB; 32 KiB leaves room for long names in any script while keeping
/// a flood of large bodies cheap to refuse.
pub const MAX_BODY_BYTES: usize = pledge::MAX_BODY_BYTES;

/// Accepts `application/json`, with or without parameters such as `charset=utf-8`.
pub fn require_json_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(Refusal::NotDeclaredJson);
    };
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(Refusal::NotDeclaredJson)
    }
}

/// Reads at most [`MAX_BODY_BYTES`], refusing early when `Content-Length` already says more,
/// and gives up after `timeout` so that a slow client cannot hold a connection by trickling.
pub async fn read_body(headers: &HeaderMap, body: Body, timeout: Duration) -> Result<Bytes, Refusal> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(Refusal::TooLarge);
    }
    let collected = tokio::time::timeout(timeout, Limited::new(body, MAX_BODY_BYTES).collect())
        .await
        .map_err(|_| Refusal::TooSlow)?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(Refusal::TooLarge),
        Err(_) => Err(Refusal::Malformed("The request body could not be read.".to_owned())),
    }
}

/// Parses and validates the pledge with the contract's own reader, so that the receiver refuses
/// exactly what the contract refuses.
pub fn parse_pledge(bytes: &[u8]) -> Result<Pledge, Refusal> {
    pledge::parse(bytes).map_err(|failure| match failure {
        ParseFailure::TooLarge => Refusal::TooLarge,
        ParseFailure::NotJson { message } => Refusal::Malformed(message),
        ParseFailure::WrongShape(shape) => Refusal::Invalid(vec![FieldRefusal {
            pointer: shape.pointer,
            code: shape.code.as_str().to_owned(),
            detail: shape.message,
        }]),
        ParseFailure::Invalid(errors) => Refusal::Invalid(errors.iter().map(FieldRefusal::from).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn valid_json() -> serde_json::Value {
        crate::intake::fixtures::pledge_json()
    }

    fn refusal(body: &[u8]) -> Refusal {
        parse_pledge(body).expect_err("the body should be refused")
    }

    /// The refused fields, for a body of the wrong shape or a pledge that breaks a rule.
    fn refused_fields(body: &[u8]) -> Vec<FieldRefusal> {
        match refusal(body) {
            Refusal::Invalid(fields) => fields,
            other => panic!("refused as {other:?}, not field by field"),
        }
    }

    fn is_malformed(body: &[u8]) -> bool {
        matches!(refusal(body), Refusal::Malformed(_))
    }

    #[test]
    fn accepts_a_well_formed_pledge() {
        let pledge = parse_pledge(valid_json().to_string().as_bytes()).unwrap();
        assert_eq!(pledge.partner, "sos-uk");
    }

    #[test]
    fn syntax_errors_are_400() {
        for body in [&b"{"[..], b"not json", b"", b"{\"a\":\"\xff\xfe\"}", b"[1,]"] {
            assert!(is_malformed(body), "{body:?}");
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(is_malformed(deep.as_bytes()), "beyond the recursion limit");
        let mut nested = valid_json();
        nested["donor"]["given_name"] = serde_json::Value::Null;
        let deep_inside = nested.to_string().replace("null", &format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)));
        assert!(is_malformed(deep_inside.as_bytes()));
    }

    #[test]
    fn trailing_data_is_malformed() {
        let body = format!("{} x", valid_json());
        assert!(is_malformed(body.as_bytes()));
    }

    #[test]
    fn unknown_fields_point_at_themselves() {
        let mut body = valid_json();
        body["donor"]["nickname"] = "A".into();
        let fields = refused_fields(body.to_string().as_bytes());
        assert_eq!(fields[0].code, "unknown_field");
        assert_eq!(fields[0].pointer, "/donor/nickname");
    }

    #[test]
    fn missing_fields_point_at_where_they_belong() {
        let mut body = valid_json();
        body["amount"].as_object_mut().unwrap().remove("currency");
        let fields = refused_fields(body.to_string().as_bytes());
        assert_eq!(fields[0].code, "missing_field");
        assert_eq!(fields[0].pointer, "/amount/currency");
    }

    #[test]
    fn wrong_types_point_at_the_field() {
        let mut body = valid_json();
        body["amount"]["minor_units"] = "25.00".into();
        let fields = refused_fields(body.to_string().as_bytes());
        assert_eq!(fields[0].code, "invalid_type");
        assert_eq!(fields[0].pointer, "/amount/minor_units");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let text = valid_json().to_string().replacen("\"partner\":", "\"partner\":\"evil\",\"partner\":", 1);
        assert_eq!(refused_fields(text.as_bytes())[0].code, "duplicate_field");
    }

    #[test]
    fn broken_rules_are_422_with_every_field() {
        let mut body = valid_json();
        body["donor"]["email"] = "nope".into();
        body["partner"] = "Not A Partner".into();
        let fields = refused_fields(body.to_string().as_bytes());
        let pointers: Vec<&str> = fields.iter().map(|field| field.pointer.as_str()).collect();
        assert_eq!(pointers, ["/donor/email", "/partner"]);
        assert_eq!(fields[0].code, "invalid_email");
    }

    #[test]
    fn content_type_must_be_json() {
        let mut headers = HeaderMap::new();
        assert_eq!(require_json_content_type(&headers), Err(Refusal::NotDeclaredJson));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(require_json_content_type(&headers), Err(Refusal::NotDeclaredJson));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("Application/JSON; charset=utf-8"));
        assert!(require_json_content_type(&headers).is_ok());
    }
}
