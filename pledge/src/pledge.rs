use serde::{Deserialize, Deserializer, Serialize};

use crate::email::validate_email;
use crate::text::{check_optional, check_required, limits};
use crate::wire::{deserialize_named, deserialize_whole};
use crate::{is_country_code, is_uuid_v4, Amount, Currency, ErrorCode, FieldError};

/// The version of this contract. A receiver refuses versions it does not know.
pub const SCHEMA_VERSION: u32 = 1;
/// The version of the Gift Aid declaration wording the widget shows. It is stored with each
/// declaration, so the charity can prove which words the donor agreed to.
pub const GIFT_AID_WORDING_VERSION: &str = "gift-aid-2026-11";
/// The version of the marketing consent wording, kept for the same reason.
pub const CONSENT_WORDING_VERSION: &str = "consent-2026-11";

/// A donor's sponsorship pledge: what they intend to give and how to reach them.
/// It never carries card or bank data; the charity collects payment separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::cross_field_rules))]
#[cfg_attr(feature = "schema", schemars(transform = crate::schema::beyond_the_schema))]
#[serde(deny_unknown_fields)]
pub struct Pledge {
    /// The version of this contract. Receivers refuse versions they do not know.
    #[cfg_attr(feature = "schema", schemars(extend("const" = SCHEMA_VERSION)))]
    #[serde(deserialize_with = "deserialize_whole")]
    pub schema_version: u32,
    /// A UUID v4 in lower case, made once per pledge with `crypto.randomUUID()`. The same
    /// value travels in the `Idempotency-Key` header.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::UUID_V4_PATTERN)))]
    pub idempotency_key: String,
    pub option: SponsorshipOption,
    /// Monthly for `child` and `village`, once for `one_off`.
    pub frequency: Frequency,
    pub amount: Amount,
    pub donor: Donor,
    /// Present only when the donor made a Gift Aid declaration, which needs a gift in GBP from a
    /// donor in the United Kingdom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_aid: Option<GiftAid>,
    pub consent: Consent,
    /// The partner whose page carried the widget.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::PARTNER_PATTERN)))]
    pub partner: String,
    /// The absolute http or https address of the page the pledge was made on, at most 2048
    /// bytes in UTF-8.
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = limits::PAGE_URL), regex(pattern = crate::schema::page_url_pattern()))
    )]
    pub page_url: String,
    pub locale: Locale,
    /// When the donor confirmed, as the browser's clock saw it: RFC 3339 in UTC, as
    /// `Date.prototype.toISOString()` writes it.
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = limits::TIMESTAMP), regex(pattern = crate::schema::timestamp_pattern()))
    )]
    pub client_created_at: String,
    pub anti_spam: AntiSpam,
}

/// How the donor chose to help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SponsorshipOption {
    /// Sponsor a child, monthly.
    Child,
    /// Sponsor the village as a whole, monthly.
    Village,
    /// A single gift to the village's emergency and family support.
    OneOff,
}

impl SponsorshipOption {
    pub const ALL: [SponsorshipOption; 3] =
        [SponsorshipOption::Child, SponsorshipOption::Village, SponsorshipOption::OneOff];

    pub fn frequency(self) -> Frequency {
        match self {
            SponsorshipOption::Child | SponsorshipOption::Village => Frequency::Monthly,
            SponsorshipOption::OneOff => Frequency::Once,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SponsorshipOption::Child => "child",
            SponsorshipOption::Village => "village",
            SponsorshipOption::OneOff => "one_off",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Once,
}

impl Frequency {
    pub const ALL: [Frequency; 2] = [Frequency::Monthly, Frequency::Once];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Once => "once",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// Reads a BCP 47 tag such as `fr-ML` or `en-GB` by its primary language only.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for SponsorshipOption {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_named(deserializer, &SponsorshipOption::ALL, SponsorshipOption::as_str)
    }
}

impl<'de> Deserialize<'de> for Frequency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_named(deserializer, &Frequency::ALL, Frequency::as_str)
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_named(deserializer, &Locale::ALL, Locale::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Donor {
    /// More than white space, without control characters.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = limits::NAME), regex(pattern = crate::schema::text_pattern()))
    )]
    pub given_name: String,
    /// More than white space, without control characters.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = limits::NAME), regex(pattern = crate::schema::text_pattern()))
    )]
    pub family_name: String,
    /// Checked against the OWASP input-validation rules for email addresses, which the patterns
    /// state in full.
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(max = limits::EMAIL),
            regex(pattern = crate::schema::email_pattern()),
            transform = crate::schema::email_local_part_length
        )
    )]
    pub email: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[cfg_attr(feature = "schema", schemars(transform = crate::schema::country_codes))]
    pub country: String,
    /// Present exactly when the donor agreed to be contacted by phone (`consent.phone`): the
    /// number to call. 6 to 15 digits, an optional leading `+`, and only spaces, dots, hyphens
    /// and brackets between them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = limits::PHONE), regex(pattern = crate::schema::PHONE_PATTERN))
    )]
    pub phone: Option<String>,
    /// Where letters go, present only when the donor agreed to be contacted by post
    /// (`consent.post`); required then, unless a Gift Aid declaration gives the home address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<PostalAddress>,
}

/// A postal address anywhere in the world.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    /// The address without the postcode and country (the donor's `country`). More than white
    /// space, without control characters.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = limits::HOME_ADDRESS), regex(pattern = crate::schema::text_pattern()))
    )]
    pub address: String,
    /// The postcode, in the country's own form; empty where the country has none.
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = limits::POSTAL_CODE), regex(pattern = crate::schema::optional_text_pattern()))
    )]
    #[serde(default)]
    pub postcode: String,
}

/// A UK Gift Aid declaration. Its presence means the donor confirmed the declaration text of
/// `wording_version`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GiftAid {
    /// The version of the declaration text the donor confirmed.
    #[cfg_attr(feature = "schema", schemars(extend("const" = GIFT_AID_WORDING_VERSION)))]
    pub wording_version: String,
    /// The donor's home address without the postcode, as HMRC needs it for a claim. More than
    /// white space, without control characters.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = limits::HOME_ADDRESS), regex(pattern = crate::schema::text_pattern()))
    )]
    pub home_address: String,
    /// A UK postcode; spaces are optional and letter case does not matter.
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = limits::POSTCODE), regex(pattern = crate::schema::postcode_pattern()))
    )]
    pub postcode: String,
}

/// Separate marketing opt-ins, each off unless the donor ticked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The version of the consent text the donor saw.
    #[cfg_attr(feature = "schema", schemars(extend("const" = CONSENT_WORDING_VERSION)))]
    pub wording_version: String,
    pub email: bool,
    pub post: bool,
    pub phone: bool,
}

impl Default for Consent {
    fn default() -> Self {
        Consent { wording_version: CONSENT_WORDING_VERSION.to_owned(), email: false, post: false, phone: false }
    }
}

/// Signals for the receiver's spam decision. The widget reports them; it does not judge them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AntiSpam {
    /// The hidden field's content; people never see it, so anything here came from a bot.
    #[cfg_attr(feature = "schema", schemars(length(max = limits::HONEYPOT)))]
    pub honeypot: String,
    /// Milliseconds from the first step being shown to the pledge being confirmed. Clients cap it
    /// at the limit rather than send more: a tab left open for weeks says nothing more.
    #[cfg_attr(feature = "schema", schemars(range(max = limits::FILL_MS)))]
    #[serde(deserialize_with = "deserialize_whole")]
    pub fill_ms: u64,
}

impl Pledge {
    /// Checks every rule of the contract and reports every refused field, in document order.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut push = |error: Option<FieldError>| errors.extend(error);

        if self.schema_version != SCHEMA_VERSION {
            push(Some(FieldError::new("/schema_version", ErrorCode::UnsupportedSchemaVersion)));
        }
        if !is_uuid_v4(&self.idempotency_key) {
            push(Some(FieldError::new("/idempotency_key", ErrorCode::InvalidIdempotencyKey)));
        }
        if self.frequency != self.option.frequency() {
            push(Some(FieldError::new("/frequency", ErrorCode::FrequencyMismatch)));
        }
        push(self.amount.check_bounds().err().map(|code| FieldError::new("/amount/minor_units", code)));
        for error in self.donor.validate() {
            push(Some(error));
        }
        for error in self.donor.contact_rules(&self.consent, self.gift_aid.is_some()) {
            push(Some(error));
        }
        if let Some(gift_aid) = &self.gift_aid {
            if self.amount.currency != Currency::GBP || self.donor.country != "GB" {
                push(Some(FieldError::new("/gift_aid", ErrorCode::GiftAidNotEligible)));
            }
            for error in gift_aid.validate() {
                push(Some(error));
            }
        }
        if self.consent.wording_version != CONSENT_WORDING_VERSION {
            push(Some(FieldError::new("/consent/wording_version", ErrorCode::UnknownWordingVersion)));
        }
        if !is_partner_id(&self.partner) {
            push(Some(FieldError::new("/partner", ErrorCode::InvalidPartner)));
        }
        if !is_page_url(&self.page_url) {
            push(Some(FieldError::new("/page_url", ErrorCode::InvalidUrl)));
        }
        if !is_utc_timestamp(&self.client_created_at) {
            push(Some(FieldError::new("/client_created_at", ErrorCode::InvalidTimestamp)));
        }
        // Only the honeypot's length is a rule. Refusing a filled honeypot would tell a bot what to
        // fix; the receiver's spam decision drops such a pledge while answering as if it were kept.
        let honeypot = check_optional("/anti_spam/honeypot", &self.anti_spam.honeypot, limits::HONEYPOT);
        push(honeypot.filter(|error| error.code == ErrorCode::TooLong));
        if self.anti_spam.fill_ms > limits::FILL_MS {
            push(Some(FieldError::new("/anti_spam/fill_ms", ErrorCode::TooLong)));
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Donor {
    /// The donor's details alone, so the widget can check the details step before review.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        errors.extend(check_required("/donor/given_name", &self.given_name, limits::NAME));
        errors.extend(check_required("/donor/family_name", &self.family_name, limits::NAME));
        if let Err(code) = validate_email(&self.email) {
            errors.push(FieldError::new("/donor/email", code));
        }
        if self.country.is_empty() {
            errors.push(FieldError::new("/donor/country", ErrorCode::Required));
        } else if !is_country_code(&self.country) {
            errors.push(FieldError::new("/donor/country", ErrorCode::InvalidCountry));
        }
        if let Some(phone) = &self.phone {
            errors.extend(check_phone("/donor/phone", phone));
        }
        if let Some(address) = &self.postal_address {
            errors.extend(check_required("/donor/postal_address/address", &address.address, limits::HOME_ADDRESS));
            errors.extend(check_optional("/donor/postal_address/postcode", &address.postcode, limits::POSTAL_CODE));
        }
        errors
    }
}

impl Donor {
    /// A contact detail is asked for, and kept, only for a donor who agreed to be contacted
    /// that way: a phone number exactly when they may be called, a postal address when they may
    /// be written to, unless a Gift Aid declaration (`gift_aid_declared`) gives the home address.
    pub fn contact_rules(&self, consent: &Consent, gift_aid_declared: bool) -> Vec<FieldError> {
        let phone = match (consent.phone, &self.phone) {
            (true, None) => Some(ErrorCode::Required),
            (false, Some(_)) => Some(ErrorCode::NotConsented),
            _ => None,
        };
        let postal_address = match (consent.post, &self.postal_address) {
            (true, None) if !gift_aid_declared => Some(ErrorCode::Required),
            (false, Some(_)) => Some(ErrorCode::NotConsented),
            _ => None,
        };
        let phone = phone.map(|code| FieldError::new("/donor/phone", code));
        let postal_address = postal_address.map(|code| FieldError::new("/donor/postal_address", code));
        phone.into_iter().chain(postal_address).collect()
    }
}

/// Whether `phone` is a number the charity can dial: 6 to 15 digits (E.164's most), an
/// optional leading `+`, and only spaces, dots, hyphens and brackets between them.
pub fn is_phone_number(phone: &str) -> bool {
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    phone.chars().count() <= limits::PHONE
        && (6..=15).contains(&digits)
        && rest.bytes().all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'.' | b'-' | b'(' | b')'))
}

fn check_phone(pointer: &str, phone: &str) -> Option<FieldError> {
    if phone.trim().is_empty() {
        Some(FieldError::new(pointer, ErrorCode::Required))
    } else if phone.chars().count() > limits::PHONE {
        Some(FieldError::new(pointer, ErrorCode::TooLong))
    } else if !is_phone_number(phone) {
        Some(FieldError::new(pointer, ErrorCode::InvalidPhone))
    } else {
        None
    }
}

impl GiftAid {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.wording_version != GIFT_AID_WORDING_VERSION {
            errors.push(FieldError::new("/gift_aid/wording_version", ErrorCode::UnknownWordingVersion));
        }
        errors.extend(check_required("/gift_aid/home_address", &self.home_address, limits::HOME_ADDRESS));
        if self.postcode.trim().is_empty() {
            errors.push(FieldError::new("/gift_aid/postcode", ErrorCode::Required));
        } else if !is_uk_postcode(&self.postcode) {
            errors.push(FieldError::new("/gift_aid/postcode", ErrorCode::InvalidPostcode));
        }
        errors
    }
}

/// Whether `id` matches `[a-z0-9-]{1,64}`.
pub fn is_partner_id(id: &str) -> bool {
    (1..=limits::PARTNER).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_page_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= limits::PAGE_URL && !host.is_empty() && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// A UK postcode in the shape HMRC accepts for Gift Aid claims: an outward code of two to four
/// characters starting with a letter, then an inward code of a digit and two letters. The space
/// is optional and letter case is ignored.
pub fn is_uk_postcode(postcode: &str) -> bool {
    let compact: Vec<u8> = postcode.bytes().filter(|b| *b != b' ').map(|b| b.to_ascii_uppercase()).collect();
    if !(5..=7).contains(&compact.len()) || postcode.len() > limits::POSTCODE {
        return false;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    inward[0].is_ascii_digit()
        && inward[1..].iter().all(u8::is_ascii_uppercase)
        && outward[0].is_ascii_uppercase()
        && outward[1..].iter().all(u8::is_ascii_alphanumeric)
        && outward.iter().any(u8::is_ascii_digit)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, as `Date.prototype.toISOString` writes it.
fn is_utc_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes.len() > limits::TIMESTAMP || bytes.last() != Some(&b'Z') {
        return false;
    }
    let shape_ok = bytes[..19].iter().enumerate().all(|(index, &b)| match index {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        _ => b.is_ascii_digit(),
    });
    let fraction = &bytes[19..bytes.len() - 1];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() >= 2 && fraction[0] == b'.' && fraction[1..].iter().all(u8::is_ascii_digit));
    if !(shape_ok && fraction_ok) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(99);
    let (year, month) = (number(0..4), number(5..7));
    (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&number(8..10))
        && number(11..13) < 24
        && number(14..16) < 60
        && number(17..19) < 61
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
