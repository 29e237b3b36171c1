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
    /// Asked for only when the donor agrees to be called.
    Phone,
    /// Asked for only when the donor agrees to letters and gave no Gift Aid home address.
    PostalAddress,
    PostalPostcode,
    /// The marketing opt-ins. They are never wrong, but the review can send the donor to them.
    Consent,
}

impl Field {
    /// In the order the donor meets them.
    pub const ALL: [Field; 13] = [
        Field::Option,
        Field::Amount,
        Field::GivenName,
        Field::FamilyName,
        Field::Email,
        Field::Country,
        Field::GiftAid,
        Field::HomeAddress,
        Field::Postcode,
        Field::PostalAddress,
        Field::PostalPostcode,
        Field::Phone,
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
            Field::Phone => "sk-phone",
            Field::PostalAddress => "sk-postal-address",
            Field::PostalPostcode => "sk-postal-postcode",
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
            Field::Phone => "sk-phone-error",
            Field::PostalAddress => "sk-postal-address-error",
            Field::PostalPostcode => "sk-postal-postcode-error",
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
            | Field::Phone
            | Field::PostalAddress
            | Field::PostalPostcode
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
            "/donor/phone" => Field::Phone,
            "/donor/postal_address" | "/donor/postal_address/address" => Field::PostalAddress,
            "/donor/postal_address/postcode" => Field::PostalPostcode,
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
