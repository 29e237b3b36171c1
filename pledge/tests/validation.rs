//! Every field of the pledge, accepted and refused, through `Pledge::validate` and the pointer
//! that a refusal carries.

mod common;

use pledge::{limits, Currency, ErrorCode, FieldError, Frequency, GiftAid, Pledge, PostalAddress, SponsorshipOption};

fn errors_after(edit: impl FnOnce(&mut Pledge)) -> Vec<FieldError> {
    let mut pledge = common::valid_pledge_with_gift_aid();
    edit(&mut pledge);
    pledge.validate().err().unwrap_or_default()
}

fn assert_accepted(what: &str, edit: impl FnOnce(&mut Pledge)) {
    assert_eq!(errors_after(edit), Vec::new(), "{what} was refused");
}

fn assert_refused(what: &str, pointer: &str, code: ErrorCode, edit: impl FnOnce(&mut Pledge)) {
    assert_eq!(errors_after(edit), vec![FieldError::new(pointer, code)], "{what}");
}

#[test]
fn the_fixtures_are_valid() {
    assert_eq!(common::valid_pledge().validate(), Ok(()));
    assert_eq!(common::valid_pledge_with_gift_aid().validate(), Ok(()));
}

#[test]
fn schema_version_is_the_current_one() {
    assert_accepted("1", |p| p.schema_version = pledge::SCHEMA_VERSION);
    for version in [0, 2, u32::MAX] {
        assert_refused(&version.to_string(), "/schema_version", ErrorCode::UnsupportedSchemaVersion, |p| {
            p.schema_version = version
        });
    }
}

#[test]
fn idempotency_key_is_a_lower_case_uuid_v4() {
    assert_accepted("v4", |p| p.idempotency_key = "00000000-0000-4000-b000-000000000000".into());
    for key in ["", "3F2B8C1E-9D4A-4C3B-8E2F-1A2B3C4D5E6F", "3f2b8c1e-9d4a-1c3b-8e2f-1a2b3c4d5e6f", "pledge-1"] {
        assert_refused(key, "/idempotency_key", ErrorCode::InvalidIdempotencyKey, |p| p.idempotency_key = key.into());
    }
}

#[test]
fn frequency_follows_the_option() {
    for option in SponsorshipOption::ALL {
        for frequency in Frequency::ALL {
            let edit = |p: &mut Pledge| {
                p.option = option;
                p.frequency = frequency;
            };
            if frequency == option.frequency() {
                assert_accepted(option.as_str(), edit);
            } else {
                assert_refused(option.as_str(), "/frequency", ErrorCode::FrequencyMismatch, edit);
            }
        }
    }
    assert_eq!(SponsorshipOption::Child.frequency(), Frequency::Monthly);
    assert_eq!(SponsorshipOption::Village.frequency(), Frequency::Monthly);
    assert_eq!(SponsorshipOption::OneOff.frequency(), Frequency::Once);
}

#[test]
fn amount_is_within_its_currency_bounds() {
    for currency in Currency::ALL {
        let with = |minor_units: u64| {
            move |p: &mut Pledge| {
                p.amount.currency = currency;
                p.amount.minor_units = minor_units;
                p.gift_aid = None;
            }
        };
        assert_accepted("minimum", with(currency.minimum()));
        assert_accepted("maximum", with(currency.maximum()));
        for below in [0, currency.minimum() - 1] {
            assert_refused(currency.code(), "/amount/minor_units", ErrorCode::AmountBelowMinimum, with(below));
        }
        for above in [currency.maximum() + 1, u64::MAX] {
            assert_refused(currency.code(), "/amount/minor_units", ErrorCode::AmountAboveMaximum, with(above));
        }
    }
}

#[test]
fn names_are_required_bounded_and_free_of_control_characters() {
    type Field = fn(&mut Pledge) -> &mut String;
    let fields: [(&str, Field); 2] =
        [("/donor/given_name", |p| &mut p.donor.given_name), ("/donor/family_name", |p| &mut p.donor.family_name)];
    for (pointer, field) in fields {
        for good in ["Awa", "N'Golo", "Nguyễn Thị", "李", "Ōkubo-Smith", &"é".repeat(limits::NAME)] {
            assert_accepted(good, |p| *field(p) = good.into());
        }
        for blank in ["", "   ", "\u{3000}"] {
            assert_refused(pointer, pointer, ErrorCode::Required, |p| *field(p) = blank.into());
        }
        assert_refused(pointer, pointer, ErrorCode::TooLong, |p| *field(p) = "é".repeat(limits::NAME + 1));
        for control in ["A\nB", "A\tB", "A\u{0}", "A\u{7f}", "A\u{85}B", "A\u{1b}[31m"] {
            assert_refused(control, pointer, ErrorCode::ControlCharacters, |p| *field(p) = control.into());
        }
    }
}

#[test]
fn email_follows_the_owasp_rules() {
    for good in ["awa@example.org", "a.traore+sos@mail.example.co.uk", "élodie@example.fr"] {
        assert_accepted(good, |p| p.donor.email = good.into());
    }
    assert_refused("blank", "/donor/email", ErrorCode::Required, |p| p.donor.email = " ".into());
    let too_long = format!("a@{}.org", "b".repeat(limits::EMAIL));
    assert_refused("long", "/donor/email", ErrorCode::TooLong, |p| p.donor.email = too_long);
    for bad in ["awa", "awa@example", "a\"wa@example.org", "awa@exa mple.org", "awa@example.org\r\nBcc: x@y.z"] {
        assert_refused(bad, "/donor/email", ErrorCode::InvalidEmail, |p| p.donor.email = bad.into());
    }
}

#[test]
fn country_is_an_iso_code() {
    for good in ["ML", "FR", "US", "CI"] {
        assert_accepted(good, |p| {
            p.donor.country = good.into();
            p.gift_aid = None;
        });
    }
    assert_refused("blank", "/donor/country", ErrorCode::Required, |p| {
        p.donor.country.clear();
        p.gift_aid = None;
    });
    for bad in ["UK", "gb", "GBR", "XX", "EU", "G"] {
        assert_refused(bad, "/donor/country", ErrorCode::InvalidCountry, |p| {
            p.donor.country = bad.into();
            p.gift_aid = None;
        });
    }
}

#[test]
fn gift_aid_needs_gbp_and_a_uk_donor() {
    assert_accepted("GBP from GB", |_| {});
    assert_accepted("no declaration, EUR from FR", |p| {
        p.gift_aid = None;
        p.amount.currency = Currency::EUR;
        p.donor.country = "FR".into();
    });
    assert_refused("EUR", "/gift_aid", ErrorCode::GiftAidNotEligible, |p| p.amount.currency = Currency::EUR);
    assert_refused("from FR", "/gift_aid", ErrorCode::GiftAidNotEligible, |p| p.donor.country = "FR".into());
    // Jersey, Guernsey and the Isle of Man are outside the UK's Gift Aid scheme.
    assert_refused("from JE", "/gift_aid", ErrorCode::GiftAidNotEligible, |p| p.donor.country = "JE".into());
}

#[test]
fn gift_aid_declaration_fields() {
    let declaration = |edit: fn(&mut GiftAid)| move |p: &mut Pledge| edit(p.gift_aid.as_mut().unwrap());
    assert_refused(
        "old wording",
        "/gift_aid/wording_version",
        ErrorCode::UnknownWordingVersion,
        declaration(|g| g.wording_version = "gift-aid-2019-01".into()),
    );
    assert_refused(
        "blank address",
        "/gift_aid/home_address",
        ErrorCode::Required,
        declaration(|g| g.home_address = " ".into()),
    );
    assert_refused(
        "long address",
        "/gift_aid/home_address",
        ErrorCode::TooLong,
        declaration(|g| g.home_address = "a".repeat(limits::HOME_ADDRESS + 1)),
    );
    assert_refused(
        "address with a line break",
        "/gift_aid/home_address",
        ErrorCode::ControlCharacters,
        declaration(|g| g.home_address = "1 High St\nLeeds".into()),
    );
    assert_accepted("longest address", declaration(|g| g.home_address = "a".repeat(limits::HOME_ADDRESS)));
    for good in ["SW1A 1AA", "sw1a1aa", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX", " LS6 2QE "]
    {
        assert_accepted(good, |p| p.gift_aid.as_mut().unwrap().postcode = good.into());
    }
    assert_refused(
        "blank postcode",
        "/gift_aid/postcode",
        ErrorCode::Required,
        declaration(|g| g.postcode = "  ".into()),
    );
    for bad in ["SW1A", "75011", "SW1A 1A", "SW1A-1AA", "ABCDE", "1A 1AA", "SW1A 1AAA", "S W 1 A 1 A A", "SW1A 1ÀA"] {
        assert_refused(bad, "/gift_aid/postcode", ErrorCode::InvalidPostcode, |p| {
            p.gift_aid.as_mut().unwrap().postcode = bad.into()
        });
    }
}

#[test]
fn consent_names_the_current_wording_and_any_choice_is_valid() {
    for (email, post, phone) in [(false, false, false), (true, true, true), (true, false, true)] {
        assert_accepted("choices", |p| {
            p.consent.email = email;
            p.consent.post = post;
            p.consent.phone = phone;
            p.donor.phone = phone.then(|| "+44 20 7946 0000".into());
        });
    }
    for bad in ["", "consent-2020-01", "CONSENT-2026-11"] {
        assert_refused(bad, "/consent/wording_version", ErrorCode::UnknownWordingVersion, |p| {
            p.consent.wording_version = bad.into()
        });
    }
}

#[test]
fn a_phone_number_is_given_exactly_when_the_donor_may_be_called() {
    assert_accepted("consent and number", |p| {
        p.consent.phone = true;
        p.donor.phone = Some("+44 20 7946 0000".into());
    });
    assert_refused("consent without a number", "/donor/phone", ErrorCode::Required, |p| p.consent.phone = true);
    assert_refused("a number without consent", "/donor/phone", ErrorCode::NotConsented, |p| {
        p.donor.phone = Some("+44 20 7946 0000".into())
    });
}

#[test]
fn a_phone_number_has_6_to_15_digits_and_only_separators_between_them() {
    let with_consent = |phone: &str| {
        let phone = phone.to_owned();
        move |p: &mut Pledge| {
            p.consent.phone = true;
            p.donor.phone = Some(phone);
        }
    };
    let longest = format!("+{}0", "(1)".repeat(10));
    assert_eq!(longest.len(), limits::PHONE);
    for good in [
        "+44 20 7946 0000",
        "020 7946 0000",
        "+223 76 12 34 56",
        "+33 (0)1 23 45 67 89",
        "01.23.45.67.89",
        "0113-496-0000",
        "123456",
        "+123456789012345",
        " 020 7946 0000 ",
        &longest,
    ] {
        assert_accepted(good, with_consent(good));
    }
    for blank in ["", "   "] {
        assert_refused(blank, "/donor/phone", ErrorCode::Required, with_consent(blank));
    }
    let too_long = format!("{longest} ");
    assert_refused("33 characters", "/donor/phone", ErrorCode::TooLong, with_consent(&too_long));
    for bad in [
        "12345",
        "+1234567890123456",
        "++44 20 7946 0000",
        " +44 20 7946 0000",
        "44+20 7946 0000",
        "020 7946 0000 ext 12",
        "020/7946/0000",
        "[020] 7946 0000",
        "020\t7946 0000",
        "020 7946 0000\n",
        "０２０ ７９４６ ００００",
        "tel:+442079460000",
        "call me",
    ] {
        assert_refused(bad, "/donor/phone", ErrorCode::InvalidPhone, with_consent(bad));
    }
}

#[test]
fn a_postal_address_is_given_when_the_donor_may_be_written_to_unless_gift_aid_gives_one() {
    let address = || Some(PostalAddress { address: "12 rue des Lilas, Lyon".into(), postcode: "69003".into() });
    assert_accepted("consent and address", |p| {
        p.gift_aid = None;
        p.consent.post = true;
        p.donor.postal_address = address();
    });
    assert_accepted("consent, Gift Aid and no address", |p| p.consent.post = true);
    assert_accepted("consent, Gift Aid and an address as well", |p| {
        p.consent.post = true;
        p.donor.postal_address = address();
    });
    assert_refused("consent without an address", "/donor/postal_address", ErrorCode::Required, |p| {
        p.gift_aid = None;
        p.consent.post = true;
    });
    for gift_aid in [true, false] {
        assert_refused("an address without consent", "/donor/postal_address", ErrorCode::NotConsented, |p| {
            if !gift_aid {
                p.gift_aid = None;
            }
            p.donor.postal_address = address();
        });
    }
}

#[test]
fn postal_address_fields() {
    let with_address = |address: &str, postcode: &str| {
        let postal_address = PostalAddress { address: address.into(), postcode: postcode.into() };
        move |p: &mut Pledge| {
            p.gift_aid = None;
            p.consent.post = true;
            p.donor.country = "ML".into();
            p.donor.postal_address = Some(postal_address);
        }
    };
    let longest_address = "é".repeat(limits::HOME_ADDRESS);
    let longest_postcode = "é".repeat(limits::POSTAL_CODE);
    for (address, postcode) in [
        ("Rue 305, Porte 12, Sanankoroba", ""),
        ("BP 1234, Bamako", "  "),
        (longest_address.as_str(), longest_postcode.as_str()),
    ] {
        assert_accepted(address, with_address(address, postcode));
    }
    const ADDRESS: &str = "/donor/postal_address/address";
    const POSTCODE: &str = "/donor/postal_address/postcode";
    assert_refused("blank address", ADDRESS, ErrorCode::Required, with_address(" ", "69003"));
    assert_refused("long address", ADDRESS, ErrorCode::TooLong, with_address(&format!("{longest_address}a"), ""));
    assert_refused("address with a line break", ADDRESS, ErrorCode::ControlCharacters, with_address("1 rue\nLyon", ""));
    assert_refused(
        "long postcode",
        POSTCODE,
        ErrorCode::TooLong,
        with_address("Bamako", &format!("{longest_postcode}1")),
    );
    assert_refused("postcode with a tab", POSTCODE, ErrorCode::ControlCharacters, with_address("Bamako", "69\t003"));
}

#[test]
fn partner_is_a_short_lower_case_id() {
    for good in ["a", "sos-uk", "st-marys-school-2", &"a".repeat(limits::PARTNER)] {
        assert_accepted(good, |p| p.partner = good.into());
    }
    for bad in ["", "SOS", "sos_uk", "sos uk", "sœur", &"a".repeat(limits::PARTNER + 1)] {
        assert_refused(bad, "/partner", ErrorCode::InvalidPartner, |p| p.partner = bad.into());
    }
}

#[test]
fn page_url_is_an_absolute_http_address_with_a_host() {
    let longest = format!("https://example.org/{}", "a".repeat(limits::PAGE_URL - 20));
    for good in ["https://example.org", "http://localhost:8080/give?x=1#form", "https://example.org/é", &longest] {
        assert_accepted(good, |p| p.page_url = good.into());
    }
    let too_long = format!("{longest}a");
    for bad in [
        "",
        "example.org",
        "//example.org",
        "ftp://example.org",
        "javascript:alert(1)",
        "https://",
        "https:///give",
        "https://?x",
        "https://exa mple.org",
        "https://example.org/\n",
        &too_long,
    ] {
        assert_refused(bad, "/page_url", ErrorCode::InvalidUrl, |p| p.page_url = bad.into());
    }
}

#[test]
fn client_timestamp_is_a_real_utc_instant() {
    for good in [
        "2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00.5Z",
        "2026-11-27T23:59:60.123456789Z",
        "2024-02-29T12:00:00Z",
        "2000-02-29T12:00:00Z",
        "2026-12-31T00:00:00.000Z",
    ] {
        assert_accepted(good, |p| p.client_created_at = good.into());
    }
    let too_long = format!("2026-11-27T10:00:00.{}Z", "1".repeat(limits::TIMESTAMP - 20));
    for bad in [
        "",
        "2026-11-27T10:00:00",
        "2026-11-27T10:00:00+01:00",
        "2026-11-27 10:00:00Z",
        "2026-11-27T10:00:00.Z",
        "2026-02-29T10:00:00Z",
        "1900-02-29T10:00:00Z",
        "2026-04-31T10:00:00Z",
        "2026-13-01T10:00:00Z",
        "2026-00-01T10:00:00Z",
        "2026-11-00T10:00:00Z",
        "2026-11-27T24:00:00Z",
        "2026-11-27T10:60:00Z",
        "2026-11-27T10:00:61Z",
        "２026-11-27T10:00:00Z",
        &too_long,
    ] {
        assert_refused(bad, "/client_created_at", ErrorCode::InvalidTimestamp, |p| p.client_created_at = bad.into());
    }
}

#[test]
fn honeypot_is_only_bounded_in_length() {
    for content in ["", "https://spam.example", "line\nbreak", &"x".repeat(limits::HONEYPOT)] {
        assert_accepted("honeypot content", |p| p.anti_spam.honeypot = content.into());
    }
    assert_refused("long", "/anti_spam/honeypot", ErrorCode::TooLong, |p| {
        p.anti_spam.honeypot = "x".repeat(limits::HONEYPOT + 1)
    });
}

#[test]
fn fill_time_is_bounded() {
    for good in [0, 1, limits::FILL_MS] {
        assert_accepted("fill time", |p| p.anti_spam.fill_ms = good);
    }
    for bad in [limits::FILL_MS + 1, u64::MAX] {
        assert_refused("fill time", "/anti_spam/fill_ms", ErrorCode::TooLong, |p| p.anti_spam.fill_ms = bad);
    }
}

#[test]
fn every_refusal_is_reported_in_document_order() {
    let errors = errors_after(|p| {
        p.anti_spam.fill_ms = u64::MAX;
        p.donor.email = "x".into();
        p.schema_version = 9;
        p.partner.clear();
    });
    let pointers: Vec<&str> = errors.iter().map(|error| error.pointer.as_str()).collect();
    assert_eq!(pointers, ["/schema_version", "/donor/email", "/partner", "/anti_spam/fill_ms"]);
}
