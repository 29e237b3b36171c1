//! Pledges and JSON documents shared by the integration tests, and the strategies that generate
//! valid pledges for the property tests.
#![allow(dead_code)] // each test file uses its own part of this module

use pledge::{
    limits, Amount, AntiSpam, Consent, Currency, Donor, GiftAid, Locale, Pledge, PostalAddress, SponsorshipOption,
    COUNTRY_CODES, GIFT_AID_WORDING_VERSION, SCHEMA_VERSION,
};
use proptest::prelude::*;
use serde_json::Value;

pub fn valid_pledge() -> Pledge {
    Pledge {
        schema_version: SCHEMA_VERSION,
        idempotency_key: "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f".to_owned(),
        option: SponsorshipOption::Child,
        frequency: SponsorshipOption::Child.frequency(),
        amount: Amount::new(2500, Currency::GBP),
        donor: Donor {
            given_name: "Awa".to_owned(),
            family_name: "Traoré".to_owned(),
            email: "awa@example.org".to_owned(),
            country: "GB".to_owned(),
            phone: None,
            postal_address: None,
        },
        gift_aid: None,
        consent: Consent::default(),
        partner: "st-marys-school".to_owned(),
        page_url: "https://example.org/give".to_owned(),
        locale: Locale::En,
        client_created_at: "2026-11-27T10:00:00.000Z".to_owned(),
        anti_spam: AntiSpam { honeypot: String::new(), fill_ms: 42_000 },
    }
}

pub fn valid_gift_aid() -> GiftAid {
    GiftAid {
        wording_version: GIFT_AID_WORDING_VERSION.to_owned(),
        home_address: "14 Orchard Lane, Leeds".to_owned(),
        postcode: "LS6 2QE".to_owned(),
    }
}

pub fn valid_pledge_with_gift_aid() -> Pledge {
    Pledge { gift_aid: Some(valid_gift_aid()), ..valid_pledge() }
}

pub fn valid_json() -> Value {
    serde_json::to_value(valid_pledge()).unwrap()
}

pub fn valid_json_with_gift_aid() -> Value {
    serde_json::to_value(valid_pledge_with_gift_aid()).unwrap()
}

pub fn valid_postal_address() -> PostalAddress {
    PostalAddress { address: "12 rue des Lilas, Lyon".to_owned(), postcode: "69003".to_owned() }
}

/// The members a pledge may leave out, parents before children.
pub const OPTIONAL_MEMBERS: [&str; 4] =
    ["/gift_aid", "/donor/phone", "/donor/postal_address", "/donor/postal_address/postcode"];

/// The members whose `null` means absent.
pub const NULLABLE_MEMBERS: [&str; 3] = ["/gift_aid", "/donor/phone", "/donor/postal_address"];

/// Every string at its longest, in four-byte characters wherever they are allowed.
pub fn largest_valid_pledge() -> Pledge {
    let wide = |count: usize| "𝒜".repeat(count);
    let domain_tail = limits::EMAIL - 63 - "@".len() - 2 * 64 - ".org".len();
    let email = format!("{}@{}.{}.{}.org", wide(63), "a".repeat(63), "b".repeat(63), "c".repeat(domain_tail));
    Pledge {
        donor: Donor {
            given_name: wide(limits::NAME),
            family_name: wide(limits::NAME),
            email,
            country: "GB".to_owned(),
            // 32 characters, 11 of them digits: a phone number is ASCII only.
            phone: Some("+(1)(1)(1)(1)(1)(1)(1)(1)(1)(1)0".to_owned()),
            postal_address: Some(PostalAddress {
                address: wide(limits::HOME_ADDRESS),
                postcode: wide(limits::POSTAL_CODE),
            }),
        },
        consent: Consent { email: true, post: true, phone: true, ..Consent::default() },
        gift_aid: Some(GiftAid {
            home_address: wide(limits::HOME_ADDRESS),
            postcode: "SW1A   1AA".to_owned(),
            ..valid_gift_aid()
        }),
        amount: Amount::new(Currency::GBP.maximum(), Currency::GBP),
        partner: "a".repeat(limits::PARTNER),
        page_url: format!("https://example.org/{}", "a".repeat(limits::PAGE_URL - "https://example.org/".len())),
        client_created_at: format!("2026-11-27T10:00:00.{}Z", "9".repeat(limits::TIMESTAMP - 21)),
        anti_spam: AntiSpam { honeypot: wide(limits::HONEYPOT), fill_ms: limits::FILL_MS },
        ..valid_pledge()
    }
}

/// JSON text with every character outside ASCII written as `\uXXXX` escapes, as some clients
/// (Python's `json.dumps`, for one) write it. Only valid for text whose non-ASCII characters
/// are all inside strings, which is true of any serialised pledge.
pub fn escape_non_ascii(json: &str) -> String {
    let mut escaped = String::with_capacity(json.len());
    for character in json.chars() {
        if character.is_ascii() {
            escaped.push(character);
        } else {
            for unit in character.encode_utf16(&mut [0; 2]) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    escaped
}

/// A JSON Pointer to every member of every object in `value`, parents before children.
pub fn all_pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, prefix: &str, out: &mut Vec<String>) {
        if let Value::Object(members) = value {
            for (key, child) in members {
                let pointer = format!("{prefix}/{key}");
                out.push(pointer.clone());
                walk(child, &pointer, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out
}

// Strategies for valid pledges. Each draws from the whole space the rules allow, not from a
// handful of samples, so that the properties speak about every valid pledge.

/// Free text: one to `max` characters without control characters, not only white space.
pub fn free_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[^\\p{{Cc}}]{{1,{max}}}"))
        .unwrap()
        .prop_filter("not only white space", |text| !text.trim().is_empty())
}

pub fn email() -> impl Strategy<Value = String> {
    let local = "[a-zA-Z0-9!#$%&*+/=?^_{|}~-]{1,20}(\\.[a-z0-9!#$%&*+/=?^_{|}~é𝒜-]{1,20}){0,2}";
    let domain = "([a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?\\.){1,3}([a-zA-Z]{2,10}|xn--[a-z0-9]{1,10})";
    (proptest::string::string_regex(local).unwrap(), proptest::string::string_regex(domain).unwrap())
        .prop_map(|(local, domain)| format!("{local}@{domain}"))
}

pub fn country() -> impl Strategy<Value = String> {
    prop::sample::select(COUNTRY_CODES.to_vec()).prop_map(str::to_owned)
}

/// A postcode in either case, with spaces anywhere up to the 10-character limit.
pub fn uk_postcode() -> impl Strategy<Value = String> {
    let outward = "[A-Z]{1,2}[0-9][A-Z0-9]?|[A-Z][0-9][A-Z0-9]{0,2}";
    let inward = "[0-9][A-Z]{2}";
    let spaces = prop::collection::vec(any::<prop::sample::Index>(), 0..=3);
    (
        proptest::string::string_regex(outward).unwrap(),
        proptest::string::string_regex(inward).unwrap(),
        spaces,
        any::<bool>(),
    )
        .prop_map(|(outward, inward, spaces, lower)| {
            let mut postcode = outward + &inward;
            for at in spaces.into_iter().take(limits::POSTCODE - postcode.len()) {
                postcode.insert(at.index(postcode.len() + 1), ' ');
            }
            if lower {
                postcode.to_lowercase()
            } else {
                postcode
            }
        })
}

pub fn uuid_v4() -> impl Strategy<Value = String> {
    any::<u128>().prop_map(|bits| {
        let hex = format!("{bits:032x}");
        let variant = ["8", "9", "a", "b"][(bits % 4) as usize];
        format!("{}-{}-4{}-{variant}{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
    })
}

/// Any instant `Date.prototype.toISOString()` could write in years 0000 to 9999, leap days and
/// leap seconds included, with a fraction of any length the limit allows.
pub fn timestamp() -> impl Strategy<Value = String> {
    let date = (0u32..=9999, 1u32..=12)
        .prop_flat_map(|(year, month)| (Just(year), Just(month), 1..=days_in_month(year, month)));
    (date, 0u32..24, 0u32..60, 0u32..=60, prop::option::of("[0-9]{1,14}")).prop_map(
        |((year, month, day), hour, minute, second, fraction)| {
            let fraction = fraction.map(|digits| format!(".{digits}")).unwrap_or_default();
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z")
        },
    )
}

/// The Gregorian calendar, written here apart from the crate's own so that each checks the other.
fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1]
}

pub fn page_url() -> impl Strategy<Value = String> {
    let host = "[a-z0-9.-]{1,40}(:[0-9]{2,5})?";
    let path = "(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,200})?";
    let query = "(\\?[A-Za-z0-9=&%-]{0,100})?";
    proptest::string::string_regex(&format!("https?://{host}{path}{query}")).unwrap()
}

pub fn amount(currency: Currency) -> impl Strategy<Value = Amount> {
    (currency.minimum()..=currency.maximum()).prop_map(move |minor_units| Amount::new(minor_units, currency))
}

/// Text of up to `max` characters without control characters, possibly empty or blank.
pub fn optional_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[^\\p{{Cc}}]{{0,{max}}}")).unwrap()
}

/// A number to call: an optional `+`, 6 to 15 digits, and at most one separator in each gap,
/// which keeps every number within 32 characters.
pub fn phone_number() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r"\+?[ ().-]?([0-9][ ().-]?){6,15}").unwrap()
}

pub fn postal_address() -> impl Strategy<Value = PostalAddress> {
    (free_text(limits::HOME_ADDRESS), optional_text(limits::POSTAL_CODE))
        .prop_map(|(address, postcode)| PostalAddress { address, postcode })
}

fn donor(country: BoxedStrategy<String>) -> impl Strategy<Value = Donor> {
    (free_text(limits::NAME), free_text(limits::NAME), email(), country).prop_map(
        |(given_name, family_name, email, country)| Donor {
            given_name,
            family_name,
            email,
            country,
            phone: None,
            postal_address: None,
        },
    )
}

/// The contact details that `consent` asks for: a phone number exactly when the donor may be
/// called; a postal address when they may be written to, which a Gift Aid declaration makes
/// optional.
fn contact_details(
    consent: &Consent,
    gift_aid_declared: bool,
) -> impl Strategy<Value = (Option<String>, Option<PostalAddress>)> {
    let phone = if consent.phone { phone_number().prop_map(Some).boxed() } else { Just(None).boxed() };
    let postal_address = match (consent.post, gift_aid_declared) {
        (false, _) => Just(None).boxed(),
        (true, false) => postal_address().prop_map(Some).boxed(),
        (true, true) => prop::option::of(postal_address()).boxed(),
    };
    (phone, postal_address)
}

fn gift_aid() -> impl Strategy<Value = GiftAid> {
    (free_text(limits::HOME_ADDRESS), uk_postcode()).prop_map(|(home_address, postcode)| GiftAid {
        home_address,
        postcode,
        ..valid_gift_aid()
    })
}

/// Any valid pledge: every option, currency and locale, with Gift Aid where it is allowed, and
/// the contact details that its consents ask for.
pub fn any_valid_pledge() -> impl Strategy<Value = Pledge> {
    let with_gift_aid = (amount(Currency::GBP), donor(Just("GB".to_owned()).boxed()), gift_aid().prop_map(Some));
    let without_gift_aid =
        (prop::sample::select(Currency::ALL.to_vec()).prop_flat_map(amount), donor(country().boxed()), Just(None));
    let money_and_donor = prop_oneof![with_gift_aid, without_gift_aid];
    let consent = (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(email, post, phone)| Consent {
        email,
        post,
        phone,
        ..Consent::default()
    });
    (
        money_and_donor,
        prop::sample::select(SponsorshipOption::ALL.to_vec()),
        uuid_v4(),
        consent,
        "[a-z0-9-]{1,64}",
        page_url(),
        prop::sample::select(vec![Locale::En, Locale::Fr]),
        timestamp(),
        0..=limits::FILL_MS,
    )
        .prop_map(
            |(
                (amount, donor, gift_aid),
                option,
                idempotency_key,
                consent,
                partner,
                page_url,
                locale,
                client_created_at,
                fill_ms,
            )| {
                Pledge {
                    schema_version: SCHEMA_VERSION,
                    idempotency_key,
                    option,
                    frequency: option.frequency(),
                    amount,
                    donor,
                    gift_aid,
                    consent,
                    partner,
                    page_url,
                    locale,
                    client_created_at,
                    anti_spam: AntiSpam { honeypot: String::new(), fill_ms },
                }
            },
        )
        .prop_flat_map(|pledge| {
            let details = contact_details(&pledge.consent, pledge.gift_aid.is_some());
            (Just(pledge), details).prop_map(|(mut pledge, (phone, postal_address))| {
                pledge.donor.phone = phone;
                pledge.donor.postal_address = postal_address;
                pledge
            })
        })
}
