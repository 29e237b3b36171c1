use pledge::ErrorCode;

use super::Step;

/// A form control the donor fills in, and so a place an error can be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Option,
    Amount,
    GivenName,
    FamilyName,
    Email,
    Country,
    GiftAid,
    HomeAddress,
    Postcode,
    /// The marketing opt-ins. They are never wrong, but the review can send the donor to them.
    Consent,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Option,
        Field::Amount,
        Field::GivenName,
        Field::FamilyName,
        Field::Email,
        Field::Country,
        Field::GiftAid,
        Field::HomeAddress,
        Field::Postcode,
        Field::Consent,
    ];

    /// The `id` of the control that receives focus for this field. Ids are scoped to the
    /// widget's shadow root, which holds one widget, so they need no per-instance suffix.
    pub fn id(self) -> &'static str {
        match self {
            Field::Option => "sk-option-child",
            Field::Amount => "sk-amount-other",
            Field::GivenName => "sk-given-name",
            Field::FamilyName => "sk-family-name",
            Field::Email => "sk-email",
            Field::Country => "sk-country",
            Field::GiftAid => "sk-gift-aid",
            Field::HomeAddress => "sk-home-address",
            Field::Postcode => "sk-postcode",
            Field::Consent => "sk-consent-email",
        }
    }

    /// The `id` of the element holding this field's error message.
    pub fn error_id(self) -> &'static str {
        match self {
            Field::Option => "sk-option-error",
            Field::Amount => "sk-amount-error",
            Field::GivenName => "sk-given-name-error",
            Field::FamilyName => "sk-family-name-error",
            Field::Email => "sk-email-error",
            Field::Country => "sk-country-error",
            Field::GiftAid => "sk-gift-aid-error",
            Field::HomeAddress => "sk-home-address-error",
            Field::Postcode => "sk-postcode-error",
            Field::Consent => "sk-consent-error",
        }
    }

    pub fn step(self) -> Step {
        match self {
            Field::Option => Step::Choose,
            Field::Amount => Step::Amount,
            Field::GivenName
            | Field::FamilyName
            | Field::Email
            | Field::Country
            | Field::GiftAid
            | Field::HomeAddress
            | Field::Postcode
            | Field::Consent => Step::Details,
        }
    }

    /// The field a pledge error's JSON Pointer refers to, for errors the donor can fix.
    ///
    /// Pointers to what the widget fills in itself (the key, the partner, the page address, the
    /// wording versions, the currency) have no field: the donor could not fix them.
    pub fn from_pointer(pointer: &str) -> Option<Field> {
        Some(match pointer {
            "/option" => Field::Option,
            "/amount" | "/amount/minor_units" => Field::Amount,
            "/donor/given_name" => Field::GivenName,
            "/donor/family_name" => Field::FamilyName,
            "/donor/email" => Field::Email,
            "/donor/country" => Field::Country,
            "/gift_aid" => Field::GiftAid,
            "/gift_aid/home_address" => Field::HomeAddress,
            "/gift_aid/postcode" => Field::Postcode,
            _ => return None,
        })
    }
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A rule of the pledge contract, shared with the receiver.
    Rule(ErrorCode),
    /// The other amount is not a number at all.
    NotANumber,
    /// The other amount has more decimals than the currency has.
    TooManyDecimals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldProblem {
    pub field: Field,
    pub problem: Problem,
}
