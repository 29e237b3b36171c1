//! Data protection: what erasing a donor's personal data removes, and what it keeps.
//!
//! An erased pledge keeps what the charity's figures need (amounts, dates, option, partner,
//! status, and that a Gift Aid declaration was made) and loses every string that could
//! identify or reach the donor. The same rule serves a donor's request ([`Erasure`]) and the
//! retention rule that anonymises old pledges that were never converted.

use std::fmt;

use pledge::Pledge;

/// Which pledges to erase.
#[derive(Clone, PartialEq, Eq)]
pub enum Erasure {
    /// Every pledge made with this email address, in any letter case.
    ByEmail(String),
    ByReference(String),
}

/// The email address is personal data, so it stays out of `Debug` and therefore out of logs.
impl fmt::Debug for Erasure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Erasure::ByEmail(_) => formatter.write_str("ByEmail(..)"),
            Erasure::ByReference(reference) => formatter.debug_tuple("ByReference").field(reference).finish(),
        }
    }
}

/// Removes the donor's personal data from `pledge`, in place.
pub(super) fn erase_personal_data(pledge: &mut Pledge) {
    let donor = &mut pledge.donor;
    donor.given_name.clear();
    donor.family_name.clear();
    donor.email.clear();
    donor.phone = None;
    donor.postal_address = None;
    if let Some(gift_aid) = &mut pledge.gift_aid {
        gift_aid.home_address.clear();
        gift_aid.postcode.clear();
    }
    // A browser's autofill can put a name or an address into the hidden field.
    pledge.anti_spam.honeypot.clear();
    // The page stays known; a query string or fragment may carry tracking ids or an address.
    pledge.page_url = page_without_query(&pledge.page_url);
}

fn page_without_query(page_url: &str) -> String {
    match url::Url::parse(page_url) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            // User names and passwords in URLs are credentials at best.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use pledge::{Amount, Consent, Currency, Donor, Frequency, GiftAid, PostalAddress, SponsorshipOption};

    use super::*;

    fn pledge() -> Pledge {
        Pledge {
            schema_version: pledge::SCHEMA_VERSION,
            idempotency_key: "3f1c2d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f".into(),
            option: SponsorshipOption::Child,
            frequency: Frequency::Monthly,
            amount: Amount::new(2500, Currency::GBP),
            donor: Donor {
                given_name: "Aïssata".into(),
                family_name: "Coulibaly".into(),
                email: "aissata@example.org".into(),
                country: "GB".into(),
                phone: Some("+44 1865 000000".into()),
                postal_address: Some(PostalAddress {
                    address: "1 High Street, Oxford".into(),
                    postcode: "OX1 1AA".into(),
                }),
            },
            gift_aid: Some(GiftAid {
                wording_version: pledge::GIFT_AID_WORDING_VERSION.into(),
                home_address: "12 Church Lane, Oxford".into(),
                postcode: "OX1 2AB".into(),
            }),
            consent: Consent { email: true, post: true, phone: true, ..Consent::default() },
            partner: "st-marys-school".into(),
            page_url: "https://user:pw@www.stmarys.example/sponsor?email=aissata%40example.org#Coulibaly".into(),
            locale: pledge::Locale::En,
            client_created_at: "2026-11-27T10:00:00.000Z".into(),
            anti_spam: pledge::AntiSpam { honeypot: "Aïssata Coulibaly".into(), fill_ms: 42_000 },
        }
    }

    #[test]
    fn removes_every_personal_string_and_keeps_the_figures() {
        let original = pledge();
        let mut erased = original.clone();
        erase_personal_data(&mut erased);
        let text = serde_json::to_string(&erased).unwrap();
        for personal in ["Aïssata", "Coulibaly", "aissata", "1865", "High Street", "OX1", "Church Lane", "user", "pw@"]
        {
            assert!(!text.contains(personal), "{personal} is still in {text}");
        }
        assert_eq!(erased.page_url, "https://www.stmarys.example/sponsor");
        assert_eq!(
            (erased.amount, erased.option, erased.frequency, &erased.partner, &erased.client_created_at),
            (original.amount, original.option, original.frequency, &original.partner, &original.client_created_at)
        );
        let declaration = erased.gift_aid.expect("the fact of the declaration is kept");
        assert_eq!(declaration.wording_version, pledge::GIFT_AID_WORDING_VERSION);
        assert_eq!(erased.consent, original.consent);
    }

    #[test]
    fn debug_output_never_shows_the_email_address() {
        assert_eq!(format!("{:?}", Erasure::ByEmail("aissata@example.org".into())), "ByEmail(..)");
        assert_eq!(format!("{:?}", Erasure::ByReference("SK-7Q2M-X9D4".into())), "ByReference(\"SK-7Q2M-X9D4\")");
    }
}
