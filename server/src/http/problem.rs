//! Every error this receiver answers, as RFC 9457 problem details (`application/problem+json`).
//!
//! `type` is `about:blank` when the status code says everything; otherwise it is a stable
//! relative URI that clients may switch on. The widget reads `errors[].pointer` to find the
//! form field and `errors[].code` to pick a sentence in the donor's language.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::intake::decode::MAX_BODY_BYTES;
use crate::intake::{FieldRefusal, Refusal};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem details document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/invalid-pledge",
    "title": "The pledge has invalid fields",
    "status": 422,
    "detail": "1 field was refused.",
    "errors": [{"pointer": "/donor/email", "code": "invalid_email", "detail": "This is not a valid email address."}]
}))]
pub struct Problem {
    /// `about:blank`, or a relative URI naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// A sentence for developers; donors see the widget's own messages.
    pub detail: String,
    /// The refused fields, for `422` answers about the pledge's content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemFieldError>,
    /// Seconds to wait before trying again; sent as the `Retry-After` header.
    #[serde(skip)]
    pub retry_after_seconds: Option<u64>,
}

/// One refused field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemFieldError {
    /// A JSON Pointer (RFC 6901) into the submitted pledge.
    pub pointer: String,
    /// A `pledge::ErrorCode` in snake case, or for a body of the wrong shape one of
    /// `unknown_field`, `missing_field`, `duplicate_field`, `invalid_type`, `invalid_value`, or
    /// `idempotency_key_mismatch` when the body's key differs from the header's.
    pub code: String,
    pub detail: String,
}

impl ProblemFieldError {
    pub fn new(pointer: impl Into<String>, code: impl Into<String>, detail: impl Into<String>) -> Self {
        ProblemFieldError { pointer: pointer.into(), code: code.into(), detail: detail.into() }
    }
}

impl From<FieldRefusal> for ProblemFieldError {
    fn from(field: FieldRefusal) -> Self {
        ProblemFieldError { pointer: field.pointer, code: field.code, detail: field.detail }
    }
}

/// The answer to each of the intake's refusals.
impl From<Refusal> for Problem {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::MissingKey => Problem::missing_idempotency_key(),
            Refusal::MalformedKey(how) => Problem::malformed_idempotency_key(how),
            Refusal::NotDeclaredJson => Problem::unsupported_media_type(),
            Refusal::TooLarge => Problem::payload_too_large(MAX_BODY_BYTES),
            Refusal::TooSlow => Problem::request_timeout(),
            Refusal::Malformed(detail) => Problem::malformed_json(detail),
            Refusal::Invalid(fields) => {
                Problem::invalid_pledge(fields.into_iter().map(ProblemFieldError::from).collect())
            }
            Refusal::KeyMismatch => Problem::idempotency_key_mismatch(),
            Refusal::KeyReused => Problem::idempotency_key_reused(),
            Refusal::NotStored => {
                Problem::unavailable("The pledge could not be stored. Retry with the same Idempotency-Key.")
            }
        }
    }
}

impl Problem {
    fn new(status: StatusCode, problem_type: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            problem_type: problem_type.to_owned(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_seconds: None,
        }
    }

    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "/problems/malformed-json", "The body is not well-formed JSON", detail)
    }

    pub fn missing_idempotency_key() -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "/problems/missing-idempotency-key",
            "The Idempotency-Key header is missing",
            "Send a lowercase UUID v4 in the Idempotency-Key header and the same value as idempotency_key in the body.",
        )
    }

    pub fn malformed_idempotency_key(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "/problems/malformed-idempotency-key",
            "The Idempotency-Key header is malformed",
            detail,
        )
    }

    pub fn invalid_query(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "/problems/invalid-query", "The query parameters are invalid", detail)
    }

    pub fn unauthorized() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "about:blank",
            "Unauthorized",
            "This resource needs the header Authorization: Bearer <admin token>.",
        )
    }

    pub fn not_found() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "about:blank", "Not Found", "There is nothing at this address.")
    }

    /// A folder that `cargo xtask dist` writes was never written, so none of its files exist.
    pub fn not_built(what: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "about:blank",
            "Not Found",
            format!("{what} is not built on this receiver."),
        )
    }

    pub fn unknown_reference() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "about:blank", "Not Found", "No pledge has this reference.")
    }

    pub fn unknown_delivery() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "about:blank", "Not Found", "No delivery has this id.")
    }

    /// The request is understood but the resource's state does not allow it.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, "about:blank", "Conflict", detail)
    }

    /// A fault of this receiver's own, never of the request.
    pub fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "about:blank",
            "Internal Server Error",
            "The receiver could not handle this request.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "about:blank",
            "Method Not Allowed",
            "This address does not accept this method.",
        )
    }

    pub fn request_timeout() -> Self {
        Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "about:blank",
            "Request Timeout",
            "The request body did not arrive in time.",
        )
    }

    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "about:blank",
            "Content Too Large",
            format!("A pledge is at most {limit_bytes} bytes."),
        )
    }

    pub fn unsupported_media_type() -> Self {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "about:blank",
            "Unsupported Media Type",
            "Send the pledge as Content-Type: application/json.",
        )
    }

    pub fn invalid_pledge(errors: Vec<ProblemFieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field was refused.".to_owned(),
            count => format!("{count} fields were refused."),
        };
        Problem {
            errors,
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "/problems/invalid-pledge",
                "The pledge has invalid fields",
                detail,
            )
        }
    }

    pub fn idempotency_key_mismatch() -> Self {
        Problem {
            errors: vec![ProblemFieldError::new(
                "/idempotency_key",
                "idempotency_key_mismatch",
                "The body's idempotency_key differs from the Idempotency-Key header.",
            )],
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "/problems/idempotency-key-mismatch",
                "The idempotency keys differ",
                "The Idempotency-Key header and the body's idempotency_key must be the same UUID.",
            )
        }
    }

    pub fn idempotency_key_reused() -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/idempotency-key-reused",
            "The idempotency key was used for a different pledge",
            "This Idempotency-Key was already used with a different body. Make a new key for a new pledge.",
        )
    }

    pub fn too_many_requests(retry_after_seconds: u64) -> Self {
        Problem {
            retry_after_seconds: Some(retry_after_seconds),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "about:blank",
                "Too Many Requests",
                format!("Too many pledges from this address; try again in {retry_after_seconds} s."),
            )
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Problem {
            retry_after_seconds: Some(5),
            ..Problem::new(StatusCode::SERVICE_UNAVAILABLE, "about:blank", "Service Unavailable", detail)
        }
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.retry_after_seconds;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"sanankoroba-admin\""));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_has_its_status_and_type() {
        let field = FieldRefusal { pointer: "/donor/email".into(), code: "invalid_email".into(), detail: "d".into() };
        let cases = [
            (Refusal::MissingKey, 400, "/problems/missing-idempotency-key"),
            (
                Refusal::MalformedKey("Send exactly one Idempotency-Key header."),
                400,
                "/problems/malformed-idempotency-key",
            ),
            (Refusal::Malformed("line 1".into()), 400, "/problems/malformed-json"),
            (Refusal::TooSlow, 408, "about:blank"),
            (Refusal::TooLarge, 413, "about:blank"),
            (Refusal::NotDeclaredJson, 415, "about:blank"),
            (Refusal::Invalid(vec![field]), 422, "/problems/invalid-pledge"),
            (Refusal::KeyMismatch, 422, "/problems/idempotency-key-mismatch"),
            (Refusal::KeyReused, 422, "/problems/idempotency-key-reused"),
            (Refusal::NotStored, 503, "about:blank"),
        ];
        for (refusal, status, problem_type) in cases {
            let problem = Problem::from(refusal.clone());
            assert_eq!((problem.status, problem.problem_type.as_str()), (status, problem_type), "{refusal:?}");
        }
        let invalid = Problem::from(Refusal::Invalid(vec![FieldRefusal {
            pointer: "/donor/email".into(),
            code: "invalid_email".into(),
            detail: "d".into(),
        }]));
        assert_eq!(invalid.errors, [ProblemFieldError::new("/donor/email", "invalid_email", "d")]);
        assert_eq!(Problem::from(Refusal::NotStored).retry_after_seconds, Some(5), "retried with the same key");
    }

    #[test]
    fn too_many_requests_sets_retry_after() {
        let response = Problem::too_many_requests(7).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(response.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
    }

    #[test]
    fn errors_are_left_out_when_empty() {
        let text = serde_json::to_string(&Problem::not_found()).unwrap();
        assert!(!text.contains("errors"));
        assert!(text.contains("\"type\":\"about:blank\""));
    }
}
