//! The sponsorship pledge: a donor's intent and contact details, never card data.
//!
//! The widget and the receiver both call [`Pledge::validate`], so a pledge the browser accepts is
//! exactly a pledge the server accepts.

mod amount;
mod country;
mod email;
mod error;
mod pledge;
mod text;
mod uuid;

pub use amount::{Amount, Currency};
pub use country::{is_country_code, COUNTRY_CODES};
pub use email::validate_email;
pub use error::{ErrorCode, FieldError};
pub use pledge::{
    AntiSpam, Consent, Donor, Frequency, GiftAid, Locale, Pledge, SponsorshipOption,
    CONSENT_WORDING_VERSION, GIFT_AID_WORDING_VERSION, SCHEMA_VERSION,
};
pub use text::limits;
pub use uuid::is_uuid_v4;
pub use pledge::{is_partner_id, is_uk_postcode};
