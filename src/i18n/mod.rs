//! Everything the donor reads, in one catalogue per language.
//!
//! A catalogue is a [`Messages`] value, so a language missing a message does not compile.
//! Placeholders are written `{name}` and filled with [`fill`]; a test checks that both
//! languages use the same placeholders for every message.
//!
//! Every word a donor can see lives here, the configuration-error panel included: it is written
//! for the partner's developer, but shown to whoever opens the page. The loader keeps a copy of
//! its three texts, which a test keeps the same.

mod en;
mod fr;

use pledge::{ErrorCode, Locale};

use crate::flow::{Field, Problem};

macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident,)*) => {
        /// One language's messages.
        pub struct Messages {
            $($(#[$doc])* pub $key: &'static str,)*
        }

        #[cfg(test)]
        impl Messages {
            /// Every message with its key, for the completeness tests.
            pub(crate) fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

catalogue! {
    /// The widget's title, also the name of its region.
    title,
    /// Shown by the loader (`loader/sanankoroba-widget.js`) while the widget downloads, and when
    /// it could not: the loader has its own copy of these words, which a test keeps the same.
    loader_busy,
    loader_failed,

    /// Shown in place of the form when the partner's configuration is broken. Each refused
    /// attribute reads `config_attribute`, with one of the `config_` problems after its name.
    config_error_title,
    config_error_intro,
    /// `{attribute}` and `{problem}`.
    config_attribute,
    config_missing,
    /// `{max}` characters.
    config_too_long,
    /// `{example}`: an address of the kind the attribute takes.
    config_not_absolute,
    config_insecure,
    config_credentials,
    config_currency,
    config_partner,
    config_language,
    /// `{reason}`: one of the `presets_` texts.
    config_presets,
    presets_not_a_clause,
    presets_unknown_option,
    presets_count,
    presets_not_whole,
    presets_out_of_range,
    /// Two sentences about Sanankoroba, beside the first question.
    story_lead,
    /// The control that opens the whole story.
    story_heading,
    story_place,
    story_hardship,
    story_conflict,
    story_families,
    story_homes,
    map_label,
    map_mali,
    map_bamako,
    map_sanankoroba,

    /// The step indicator's name.
    progress_label,
    step_choose,
    step_amount,
    step_details,
    step_review,
    step_confirm,
    /// Read after a finished step's name in the indicator.
    step_done,
    /// `{current}`, `{total}` and `{name}`: announced on every step change.
    step_position,
    next,
    back,

    choose_heading,
    option_child,
    option_child_hint,
    option_village,
    option_village_hint,
    option_one_off,
    option_one_off_hint,

    amount_heading_monthly,
    amount_heading_once,
    amount_other,
    /// `{min}` and `{max}`.
    amount_range,
    /// `{amount}`.
    per_month,
    /// `{amount}`.
    once,

    details_heading,
    given_name,
    family_name,
    email,
    email_hint,
    country,
    country_prompt,
    gift_aid_legend,
    gift_aid_intro,
    gift_aid_checkbox,
    /// The declaration of version `pledge::GIFT_AID_WORDING_VERSION`.
    gift_aid_declaration,
    gift_aid_notice,
    home_address,
    home_address_hint,
    postcode,
    /// The consent wording of version `pledge::CONSENT_WORDING_VERSION`.
    consent_legend,
    consent_intro,
    consent_email,
    consent_post,
    consent_phone,
    phone,
    phone_hint,
    postal_address,
    postal_address_hint,
    postal_postcode,
    /// Instead of the postal address fields, when a Gift Aid declaration gives the home address.
    post_to_home_address,
    /// The link to the charity's privacy notice, which opens in a new tab.
    privacy_link,
    honeypot,

    review_heading,
    review_option,
    review_amount,
    review_details,
    review_gift_aid,
    review_consent,
    edit,
    edit_option,
    edit_amount,
    edit_details,
    edit_gift_aid,
    edit_consent,
    gift_aid_yes,
    gift_aid_no,
    consent_none,
    no_payment_now,
    confirm,

    confirm_heading,
    sending,
    /// `{reason}`.
    saved,
    /// `{reason}`.
    unsaved,
    retry,
    reason_offline,
    reason_timeout,
    reason_unavailable,
    reason_busy,
    reason_unexpected,
    refused,
    back_to_review,

    /// `{name}`.
    thanks_heading,
    /// `{reference}`.
    thanks_reference,
    /// `{pledge}` and `{date}`.
    thanks_summary,
    thanks_next_heading,
    /// `{email}`.
    thanks_next,
    /// Before the link to the charity's page for setting up the gift.
    thanks_continue_intro,
    /// The link to the charity's page for setting up the gift.
    thanks_continue,

    error_summary,
    /// Read before an inline error message.
    error_prefix,
    required_option,
    required_amount,
    required_given_name,
    required_family_name,
    required_email,
    required_country,
    required_home_address,
    required_postcode,
    required_phone,
    required_postal_address,
    amount_not_a_number,
    amount_decimals,
    amount_whole,
    /// `{amount}`.
    amount_below_minimum,
    /// `{amount}`.
    amount_above_maximum,
    too_long,
    control_characters,
    invalid_email,
    invalid_country,
    invalid_postcode,
    invalid_phone,
    gift_aid_not_eligible,
    /// For rules about what the page, not the donor, puts in a pledge.
    setup_problem,
}

pub fn messages(locale: Locale) -> &'static Messages {
    match locale {
        Locale::En => &en::EN,
        Locale::Fr => &fr::FR,
    }
}

/// Replaces each `{name}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

impl Messages {
    /// The sentence for a problem on a field. Amount bounds keep their `{amount}` placeholder
    /// for the caller, who formats the bound with the browser's `Intl`.
    pub fn problem(&self, field: Field, problem: Problem, currency_has_decimals: bool) -> &'static str {
        let code = match problem {
            Problem::NotANumber => return self.amount_not_a_number,
            Problem::TooManyDecimals if currency_has_decimals => return self.amount_decimals,
            Problem::TooManyDecimals => return self.amount_whole,
            Problem::Rule(code) => code,
        };
        match code {
            ErrorCode::Required => match field {
                Field::Option => self.required_option,
                Field::Amount => self.required_amount,
                Field::GivenName => self.required_given_name,
                Field::FamilyName => self.required_family_name,
                Field::Email => self.required_email,
                Field::Country => self.required_country,
                Field::HomeAddress => self.required_home_address,
                Field::Postcode => self.required_postcode,
                Field::Phone => self.required_phone,
                Field::PostalAddress => self.required_postal_address,
                // Only a non-empty value can be wrong here; any other refusal is the page's.
                Field::PostalPostcode => self.setup_problem,
                Field::GiftAid => self.gift_aid_not_eligible,
                Field::Consent => self.setup_problem,
            },
            ErrorCode::TooLong => self.too_long,
            ErrorCode::ControlCharacters => self.control_characters,
            ErrorCode::InvalidEmail => self.invalid_email,
            ErrorCode::InvalidCountry => self.invalid_country,
            ErrorCode::InvalidPostcode => self.invalid_postcode,
            ErrorCode::InvalidPhone => self.invalid_phone,
            ErrorCode::AmountBelowMinimum => self.amount_below_minimum,
            ErrorCode::AmountAboveMaximum => self.amount_above_maximum,
            ErrorCode::GiftAidNotEligible => self.gift_aid_not_eligible,
            ErrorCode::FrequencyMismatch
            | ErrorCode::InvalidIdempotencyKey
            | ErrorCode::InvalidPartner
            | ErrorCode::InvalidUrl
            | ErrorCode::InvalidTimestamp
            | ErrorCode::UnsupportedSchemaVersion
            | ErrorCode::UnknownWordingVersion
            // The widget sends a contact detail only with its consent.
            | ErrorCode::NotConsented => self.setup_problem,
        }
    }
}

#[cfg(test)]
mod tests;
