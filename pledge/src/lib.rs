//! The sponsorship pledge: a donor's intent and contact details, never card data.
//!
//! The widget and the receiver both call [`Pledge::validate`], so a pledge the browser accepts is
//! exactly a pledge the server accepts. The receiver reads request bodies with `parse` (feature
//! `json`); the published JSON Schema comes from `schema::json_schema` (feature `schema`).

mod amount;
mod country;
mod email;
mod error;
#[cfg(feature = "json")]
mod parse;
mod pledge;
#[cfg(feature = "schema")]
pub mod schema;
mod text;
mod uuid;
mod wire;
pub mod wording;

pub use amount::{Amount, AmountParseError, Currency};
pub use country::{is_country_code, COUNTRY_CODES};
pub use email::validate_email;
pub use error::{ErrorCode, FieldError};
#[cfg(feature = "json")]
pub use parse::{parse, ParseFailure, ShapeCode, ShapeError, MAX_BODY_BYTES};
pub use pledge::{
    is_partner_id, is_phone_number, is_uk_postcode, AntiSpam, Consent, Donor, Frequency, GiftAid, Locale, Pledge,
    PostalAddress, SponsorshipOption, CONSENT_WORDING_VERSION, GIFT_AID_WORDING_VERSION, SCHEMA_VERSION,
};
pub use text::limits;
pub use uuid::is_uuid_v4;
