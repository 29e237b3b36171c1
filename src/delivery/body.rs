//! The pledge as the JSON text that travels and waits in the outbox.
//!
//! Writing goes through serde_json, whose serializer is small. The widget never needs the whole
//! pledge back: the outbox resends the text as it is, and the page's event reads three fields
//! with the browser's own `JSON.parse`, which costs far less wasm than any serde deserializer.

use js_sys::{Reflect, JSON};
use pledge::{Amount, Currency, Frequency, Pledge, SponsorshipOption};
use wasm_bindgen::JsValue;

use super::dispatch::Provenance;
use crate::embed::address_of;

/// The pledge's JSON: fields in declaration order, no whitespace.
pub fn encode(pledge: &Pledge) -> Option<String> {
    serde_json::to_string(pledge).ok()
}

/// What the page hears about an acknowledged pledge: nothing personal, only the gift.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    pub option: SponsorshipOption,
    pub frequency: Frequency,
    pub amount: Amount,
}

impl Outline {
    pub fn of(pledge: &Pledge) -> Outline {
        Outline { option: pledge.option, frequency: pledge.frequency, amount: pledge.amount }
    }
}

/// Reads the outline back from a pledge's text written by [`encode`]: the outbox keeps only
/// the text, and the pledge may have been written on an earlier visit.
pub fn outline(body: &str) -> Option<Outline> {
    let json = JSON::parse(body).ok()?;
    let amount = object(&json, "amount")?;
    let option = text(&json, "option")?;
    let frequency = text(&json, "frequency")?;
    Some(Outline {
        option: SponsorshipOption::ALL.into_iter().find(|o| o.as_str() == option)?,
        frequency: [Frequency::Monthly, Frequency::Once].into_iter().find(|f| f.as_str() == frequency)?,
        amount: Amount::new(whole(&amount, "minor_units")?, Currency::from_code(&text(&amount, "currency")?)?),
    })
}

/// Where the pledge in `body` was made: its partner id, and the origin and path of its page.
/// Only pledges saved before the outbox recorded their endpoint need it.
pub fn provenance(body: &str) -> Option<Provenance> {
    let json = JSON::parse(body).ok()?;
    Some(Provenance { partner: text(&json, "partner")?, page: address_of(&text(&json, "page_url")?)? })
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

/// A whole number that a JavaScript number holds exactly.
fn whole(object: &JsValue, name: &str) -> Option<u64> {
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
    let number = get(object, name).as_f64()?;
    (number.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&number)).then_some(number as u64)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use pledge::{AntiSpam, Consent, Donor, GiftAid, Locale};

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
                ..Donor::default()
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
        assert!(
            !body.contains('\n') && !body.contains("\": ") && !body.contains(", \""),
            "no whitespace between tokens"
        );
        assert_eq!(encode(&a_pledge()), encode(&a_pledge()), "the same pledge gives the same bytes");
    }
}
