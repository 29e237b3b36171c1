//! The pledge as the JSON text that travels and waits in the outbox.
//!
//! Writing goes through serde_json, whose serializer is small. Reading back is done by hand
//! with the browser's own `JSON.parse`: any serde deserializer brings in number formatting and
//! error machinery that cost more wasm than the whole delivery module, and the widget only
//! reads back text it wrote itself.

use js_sys::{Reflect, JSON};
use pledge::{Amount, AntiSpam, Consent, Currency, Donor, Frequency, GiftAid, Locale, Pledge, SponsorshipOption};
use wasm_bindgen::JsValue;

/// The pledge's JSON: fields in declaration order, no whitespace.
pub fn encode(pledge: &Pledge) -> Option<String> {
    serde_json::to_string(pledge).ok()
}

/// Reads back a pledge written by [`encode`].
pub fn decode(body: &str) -> Option<Pledge> {
    let json = JSON::parse(body).ok()?;
    let amount = object(&json, "amount")?;
    let donor = object(&json, "donor")?;
    let consent = object(&json, "consent")?;
    let anti_spam = object(&json, "anti_spam")?;
    let gift_aid = match object(&json, "gift_aid") {
        Some(gift_aid) => Some(GiftAid {
            wording_version: text(&gift_aid, "wording_version")?,
            home_address: text(&gift_aid, "home_address")?,
            postcode: text(&gift_aid, "postcode")?,
        }),
        None => None,
    };
    let option = text(&json, "option")?;
    let frequency = text(&json, "frequency")?;
    let locale = text(&json, "locale")?;
    Some(Pledge {
        schema_version: u32::try_from(whole(&json, "schema_version")?).ok()?,
        idempotency_key: text(&json, "idempotency_key")?,
        option: SponsorshipOption::ALL.into_iter().find(|o| o.as_str() == option)?,
        frequency: [Frequency::Monthly, Frequency::Once].into_iter().find(|f| f.as_str() == frequency)?,
        amount: Amount::new(whole(&amount, "minor_units")?, Currency::from_code(&text(&amount, "currency")?)?),
        donor: Donor {
            given_name: text(&donor, "given_name")?,
            family_name: text(&donor, "family_name")?,
            email: text(&donor, "email")?,
            country: text(&donor, "country")?,
        },
        gift_aid,
        consent: Consent {
            wording_version: text(&consent, "wording_version")?,
            email: flag(&consent, "email")?,
            post: flag(&consent, "post")?,
            phone: flag(&consent, "phone")?,
        },
        partner: text(&json, "partner")?,
        page_url: text(&json, "page_url")?,
        locale: [Locale::En, Locale::Fr].into_iter().find(|l| l.as_str() == locale)?,
        client_created_at: text(&json, "client_created_at")?,
        anti_spam: AntiSpam { honeypot: text(&anti_spam, "honeypot")?, fill_ms: whole(&anti_spam, "fill_ms")? },
    })
}

fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn object(parent: &JsValue, name: &str) -> Option<JsValue> {
    Some(get(parent, name)).filter(JsValue::is_object)
}

fn text(object: &JsValue, name: &str) -> Option<String> {
    get(object, name).as_string()
}

fn flag(object: &JsValue, name: &str) -> Option<bool> {
    get(object, name).as_bool()
}

/// A whole number that a JavaScript number holds exactly.
fn whole(object: &JsValue, name: &str) -> Option<u64> {
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
    let number = get(object, name).as_f64()?;
    (number.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&number)).then_some(number as u64)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn a_pledge() -> Pledge {
        Pledge {
            schema_version: pledge::SCHEMA_VERSION,
            idempotency_key: "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f".into(),
            option: SponsorshipOption::Child,
            frequency: Frequency::Monthly,
            amount: Amount::new(3_000, Currency::GBP),
            donor: Donor {
                given_name: "Awa \"Mama\"".into(),
                family_name: "Traoré".into(),
                email: "awa@example.org".into(),
                country: "GB".into(),
            },
            gift_aid: Some(GiftAid {
                wording_version: pledge::GIFT_AID_WORDING_VERSION.into(),
                home_address: "1 High Street\\Flat 2".into(),
                postcode: "SW1A 1AA".into(),
            }),
            consent: Consent { email: true, ..Consent::default() },
            partner: "bamako-friends".into(),
            page_url: "https://partner.example/sponsor?x=1".into(),
            locale: Locale::En,
            client_created_at: "2026-11-27T15:00:00.000Z".into(),
            anti_spam: AntiSpam { honeypot: String::new(), fill_ms: 42_000 },
        }
    }

    #[test]
    fn the_receiver_reads_back_exactly_what_the_widget_sends() {
        for pledge in [a_pledge(), Pledge { gift_aid: None, ..a_pledge() }] {
            let body = encode(&pledge).unwrap();
            assert_eq!(pledge::parse(body.as_bytes()), Ok(pledge));
        }
    }

    #[test]
    fn the_text_is_compact_and_in_declaration_order() {
        let body = encode(&Pledge { gift_aid: None, ..a_pledge() }).unwrap();
        assert!(body.starts_with(r#"{"schema_version":1,"idempotency_key":"3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f","option":"child","frequency":"monthly","amount":{"minor_units":3000,"currency":"GBP"},"#), "{body}");
        assert!(body.ends_with(r#""anti_spam":{"honeypot":"","fill_ms":42000}}"#), "{body}");
        assert!(!body.contains("gift_aid"), "an absent declaration is left out, not null");
        assert!(!body.contains('\n') && !body.contains("\": ") && !body.contains(", \""), "no whitespace between tokens");
        assert_eq!(encode(&a_pledge()), encode(&a_pledge()), "the same pledge gives the same bytes");
    }
}
