use serde::{Deserialize, Serialize};

/// Why a field was refused. The code is stable and machine-readable: the widget maps it to a
/// sentence in the donor's language, the receiver to the `detail` of a problem+json response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Required,
    TooLong,
    ControlCharacters,
    InvalidEmail,
    InvalidCountry,
    InvalidPostcode,
    AmountBelowMinimum,
    AmountAboveMaximum,
    FrequencyMismatch,
    GiftAidNotEligible,
    InvalidIdempotencyKey,
    InvalidPartner,
    InvalidUrl,
    InvalidTimestamp,
    UnsupportedSchemaVersion,
    UnknownWordingVersion,
    InvalidPhone,
    NotConsented,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::Required,
        ErrorCode::TooLong,
        ErrorCode::ControlCharacters,
        ErrorCode::InvalidEmail,
        ErrorCode::InvalidCountry,
        ErrorCode::InvalidPostcode,
        ErrorCode::AmountBelowMinimum,
        ErrorCode::AmountAboveMaximum,
        ErrorCode::FrequencyMismatch,
        ErrorCode::GiftAidNotEligible,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::InvalidPartner,
        ErrorCode::InvalidUrl,
        ErrorCode::InvalidTimestamp,
        ErrorCode::UnsupportedSchemaVersion,
        ErrorCode::UnknownWordingVersion,
        ErrorCode::InvalidPhone,
        ErrorCode::NotConsented,
    ];

    /// The code as it travels in JSON, such as `invalid_email`. Written out rather than read
    /// from serde so the widget can name and recognise codes without a serializer.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::TooLong => "too_long",
            ErrorCode::ControlCharacters => "control_characters",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidCountry => "invalid_country",
            ErrorCode::InvalidPostcode => "invalid_postcode",
            ErrorCode::AmountBelowMinimum => "amount_below_minimum",
            ErrorCode::AmountAboveMaximum => "amount_above_maximum",
            ErrorCode::FrequencyMismatch => "frequency_mismatch",
            ErrorCode::GiftAidNotEligible => "gift_aid_not_eligible",
            ErrorCode::InvalidIdempotencyKey => "invalid_idempotency_key",
            ErrorCode::InvalidPartner => "invalid_partner",
            ErrorCode::InvalidUrl => "invalid_url",
            ErrorCode::InvalidTimestamp => "invalid_timestamp",
            ErrorCode::UnsupportedSchemaVersion => "unsupported_schema_version",
            ErrorCode::UnknownWordingVersion => "unknown_wording_version",
            ErrorCode::InvalidPhone => "invalid_phone",
            ErrorCode::NotConsented => "not_consented",
        }
    }

    /// The code with this [`name`](Self::name), if there is one.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|code| code.name() == name)
    }

    /// A plain-English explanation for API clients. Donors see the widget's own catalogue instead.
    pub fn detail(self) -> &'static str {
        match self {
            ErrorCode::Required => "This field is required.",
            ErrorCode::TooLong => "This value is longer than allowed.",
            ErrorCode::ControlCharacters => "This value contains control characters.",
            ErrorCode::InvalidEmail => "This is not a valid email address.",
            ErrorCode::InvalidCountry => "This is not an ISO 3166-1 alpha-2 country code.",
            ErrorCode::InvalidPostcode => "This is not a valid UK postcode.",
            ErrorCode::AmountBelowMinimum => "The amount is below the minimum for this currency.",
            ErrorCode::AmountAboveMaximum => "The amount is above the maximum for this currency.",
            ErrorCode::FrequencyMismatch => "This frequency does not match the chosen option.",
            ErrorCode::GiftAidNotEligible => {
                "Gift Aid applies only to gifts in GBP from donors in the United Kingdom."
            }
            ErrorCode::InvalidIdempotencyKey => "The idempotency key must be a UUID version 4.",
            ErrorCode::InvalidPartner => "The partner id must match [a-z0-9-]{1,64}.",
            ErrorCode::InvalidUrl => "The page URL must be an absolute http or https URL.",
            ErrorCode::InvalidTimestamp => "The timestamp must be an RFC 3339 date-time in UTC.",
            ErrorCode::UnsupportedSchemaVersion => "This schema version is not supported.",
            ErrorCode::UnknownWordingVersion => "This wording version is not known.",
            ErrorCode::InvalidPhone => {
                "A phone number has 6 to 15 digits, with an optional leading +, and only spaces, dots, hyphens and brackets between them."
            }
            ErrorCode::NotConsented => {
                "This contact detail is only kept when the donor agreed to be contacted that way."
            }
        }
    }
}

/// One refused field, located by a JSON Pointer (RFC 6901) into the pledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldError {
    pub pointer: String,
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(pointer: &str, code: ErrorCode) -> Self {
        FieldError { pointer: pointer.to_owned(), code }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_the_one_serde_writes_and_reads() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.name(), "{code:?}");
            assert_eq!(serde_json::from_value::<ErrorCode>(code.name().into()).unwrap(), code);
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
        }
    }

    #[test]
    fn unknown_names_are_no_code() {
        for name in ["", "unknown_field", "InvalidEmail", "invalid_email ", "REQUIRED"] {
            assert_eq!(ErrorCode::from_name(name), None, "{name:?}");
        }
    }
}
