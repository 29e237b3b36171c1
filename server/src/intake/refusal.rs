//! Why the intake refuses a submission, in its own terms. The HTTP layer gives each refusal its
//! status and problem+json body (`http::problem`), so that the decisions here know nothing of
//! how they are answered.

/// A submission the intake did not record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Idempotency-Key` header.
    MissingKey,
    /// An `Idempotency-Key` header that is not one lowercase UUID v4; the text says which way.
    MalformedKey(&'static str),
    /// The body is not declared as `application/json`.
    NotDeclaredJson,
    /// The body is longer than a pledge can be.
    TooLarge,
    /// The body did not arrive in time.
    TooSlow,
    /// The body is not well-formed JSON; the text says where.
    Malformed(String),
    /// JSON of the wrong shape, or a pledge that breaks the contract's rules: every field
    /// refused.
    Invalid(Vec<FieldRefusal>),
    /// The body's idempotency key differs from the header's.
    KeyMismatch,
    /// The key was used before for a different pledge.
    KeyReused,
    /// The pledge could not be stored; the same request may be sent again.
    NotStored,
}

/// One refused field of a pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRefusal {
    /// A JSON Pointer (RFC 6901) into the submitted pledge.
    pub pointer: String,
    /// The contract's code: a `pledge::ErrorCode` in snake case, or a shape error's name.
    pub code: String,
    pub detail: String,
}

impl From<&pledge::FieldError> for FieldRefusal {
    fn from(error: &pledge::FieldError) -> Self {
        FieldRefusal {
            pointer: error.pointer.clone(),
            code: error_code_name(error.code),
            detail: error.code.detail().to_owned(),
        }
    }
}

/// The snake-case name serde gives the code, which is what the widget's catalogue is keyed by.
pub fn error_code_name(code: pledge::ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{code:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_refusals_carry_the_pledge_code_name() {
        let error = pledge::FieldError::new("/donor/email", pledge::ErrorCode::InvalidEmail);
        let refused = FieldRefusal::from(&error);
        assert_eq!(refused.pointer, "/donor/email");
        assert_eq!(refused.code, "invalid_email");
        assert_eq!(refused.detail, pledge::ErrorCode::InvalidEmail.detail());
    }

    #[test]
    fn every_pledge_code_has_a_snake_case_name() {
        for code in pledge::ErrorCode::ALL {
            let name = error_code_name(code);
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        }
    }
}
