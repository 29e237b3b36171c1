use pledge::{Amount, Currency, ErrorCode, FieldError, Locale, SponsorshipOption, GIFT_AID_WORDING_VERSION};
use proptest::prelude::*;

use super::*;
use crate::config::default_presets;

const KEY: &str = "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f";

fn settings(currency: Currency) -> Settings {
    Settings {
        currency,
        presets: default_presets(currency),
        partner: "acme-school".into(),
        locale: Locale::En,
        privacy_url: None,
        continue_url: None,
    }
}

fn submission() -> Submission {
    Submission {
        page_url: "https://partner.example.org/give".into(),
        client_created_at: "2026-11-27T15:00:00.000Z".into(),
        fill_ms: 42_000,
    }
}

fn gbp(pounds: u64) -> Amount {
    Amount::new(pounds * 100, Currency::GBP)
}

fn fill_details(flow: &mut Flow) {
    flow.draft.donor.given_name = "Awa".into();
    flow.draft.donor.family_name = "Traoré".into();
    flow.draft.donor.email = "awa@example.org".into();
    flow.draft.donor.country = "FR".into();
}

/// A flow on the review step: a child sponsored at £30 a month by a donor in France.
fn at_review(currency: Currency) -> Flow {
    let mut flow = Flow::new(settings(currency));
    flow.choose(SponsorshipOption::Child);
    assert!(flow.advance());
    let preset = flow.settings().presets.child[1];
    flow.pick_preset(preset);
    assert!(flow.advance());
    fill_details(&mut flow);
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Review);
    flow
}

fn problems(flow: &Flow) -> Vec<(Field, Problem)> {
    flow.errors().into_iter().map(|error| (error.field, error.problem)).collect()
}

#[test]
fn the_flow_starts_on_choose_and_untouched() {
    let flow = Flow::new(settings(Currency::GBP));
    assert_eq!(flow.step(), Step::Choose);
    assert!(!flow.started());
    assert!(flow.errors().is_empty());
    assert_eq!(flow.draft, Draft::default());
}

#[test]
fn every_forward_transition_in_order() {
    let mut flow = Flow::new(settings(Currency::GBP));
    flow.choose(SponsorshipOption::Village);
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Amount);
    assert!(flow.started(), "leaving the first step starts the flow");
    flow.type_other_amount("15".into());
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Details);
    fill_details(&mut flow);
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Review);
    assert!(!flow.advance(), "the review moves on only by confirming");
    let pledge = flow.confirm(|| KEY.into(), submission()).expect("a complete draft makes a pledge");
    assert_eq!(flow.step(), Step::Confirm);
    assert!(flow.in_flight());
    assert_eq!(pledge.amount, gbp(15));
    flow.received("SK-7Q4M-2Z".into());
    assert_eq!(flow.step(), Step::Thanks);
    assert_eq!(flow.reference(), Some("SK-7Q4M-2Z"));
    assert!(!flow.in_flight());
}

#[test]
fn every_back_transition_keeps_the_data() {
    let mut flow = at_review(Currency::GBP);
    let draft = flow.draft.clone();
    for expected in [Step::Details, Step::Amount, Step::Choose] {
        assert!(flow.back());
        assert_eq!(flow.step(), expected);
        assert_eq!(flow.draft, draft, "going back to {expected:?} lost nothing");
    }
    assert!(!flow.back(), "there is nothing before the first step");
    for expected in [Step::Amount, Step::Details, Step::Review] {
        assert!(flow.advance());
        assert_eq!(flow.step(), expected);
    }
    assert_eq!(flow.draft, draft);
}

#[test]
fn back_keeps_what_was_typed_on_the_step_being_left_even_if_invalid() {
    let mut flow = Flow::new(settings(Currency::GBP));
    flow.choose(SponsorshipOption::OneOff);
    flow.advance();
    flow.advance();
    flow.type_other_amount("12,5".into());
    flow.advance();
    flow.draft.donor.email = "not-an-email".into();
    assert!(!flow.advance());
    assert!(flow.back());
    assert_eq!(flow.step(), Step::Amount);
    assert!(flow.errors().is_empty(), "errors of the step left behind are not carried over");
    assert_eq!(flow.draft.other_amount, "12,5");
    assert_eq!(flow.draft.donor.email, "not-an-email");
}

#[test]
fn no_back_while_a_pledge_is_in_flight_or_after_thanks() {
    let mut flow = at_review(Currency::GBP);
    flow.confirm(|| KEY.into(), submission()).unwrap();
    assert!(!flow.back());
    assert!(!flow.back_to_review());
    assert_eq!(flow.step(), Step::Confirm);
    flow.received("SK-1".into());
    assert!(!flow.back());
    assert_eq!(flow.step(), Step::Thanks);
}

#[test]
fn choose_requires_an_option() {
    let mut flow = Flow::new(settings(Currency::GBP));
    assert!(!flow.advance());
    assert_eq!(flow.step(), Step::Choose);
    assert_eq!(problems(&flow), [(Field::Option, Problem::Rule(ErrorCode::Required))]);
    assert_eq!(flow.focus().0, Focus::ErrorSummary);
    flow.choose(SponsorshipOption::Child);
    assert!(flow.advance());
    assert!(flow.errors().is_empty());
}

#[test]
fn amount_problems_use_the_contract_rules() {
    let cases: [(&str, Currency, Problem); 8] = [
        ("", Currency::GBP, Problem::Rule(ErrorCode::Required)),
        ("   ", Currency::GBP, Problem::Rule(ErrorCode::Required)),
        ("ten", Currency::GBP, Problem::NotANumber),
        ("-5", Currency::GBP, Problem::NotANumber),
        ("10.5055", Currency::EUR, Problem::TooManyDecimals),
        ("1.99", Currency::GBP, Problem::Rule(ErrorCode::AmountBelowMinimum)),
        ("10000.01", Currency::USD, Problem::Rule(ErrorCode::AmountAboveMaximum)),
        ("1500,5", Currency::XOF, Problem::TooManyDecimals),
    ];
    for (typed, currency, expected) in cases {
        let mut flow = Flow::new(settings(currency));
        flow.choose(SponsorshipOption::OneOff);
        flow.advance();
        flow.type_other_amount(typed.into());
        assert!(!flow.advance(), "{typed:?} was accepted");
        assert_eq!(problems(&flow), [(Field::Amount, expected)], "{typed:?} in {currency:?}");
    }
}

#[test]
fn amounts_are_kept_in_minor_units_of_the_currency() {
    let cases = [
        ("25", Currency::GBP, 2_500),
        ("25,50", Currency::EUR, 2_550),
        ("1,000", Currency::USD, 100_000),
        ("15 000", Currency::XOF, 15_000),
        ("2", Currency::GBP, 200),
        ("10000", Currency::GBP, 1_000_000),
    ];
    for (typed, currency, minor_units) in cases {
        let mut draft = Draft::default();
        draft.other_amount = typed.into();
        assert_eq!(draft.amount(currency), Ok(Amount::new(minor_units, currency)), "{typed:?}");
    }
}

#[test]
fn picking_a_preset_and_typing_an_amount_exclude_each_other() {
    let mut flow = Flow::new(settings(Currency::GBP));
    flow.type_other_amount("45".into());
    flow.pick_preset(gbp(30));
    assert_eq!((flow.draft.preset, flow.draft.other_amount.as_str()), (Some(gbp(30)), ""));
    flow.type_other_amount("4".into());
    assert_eq!((flow.draft.preset, flow.draft.other_amount.as_str()), (None, "4"));
    assert_eq!(flow.draft.amount(Currency::GBP), Ok(gbp(4)));
}

#[test]
fn a_new_option_keeps_a_picked_amount_it_does_not_suggest_as_typed_text() {
    let mut flow = Flow::new(settings(Currency::GBP));
    flow.choose(SponsorshipOption::Child);
    flow.pick_preset(gbp(30));
    flow.choose(SponsorshipOption::Village);
    assert_eq!(flow.draft.preset, None);
    assert_eq!(flow.draft.other_amount, "30");
    assert_eq!(flow.draft.amount(Currency::GBP), Ok(gbp(30)));

    flow.pick_preset(gbp(20));
    flow.choose(SponsorshipOption::Child);
    assert_eq!(flow.draft.preset, Some(gbp(20)), "£20 is suggested for both, so it stays picked");

    let mut french = Flow::new(Settings { locale: Locale::Fr, ..settings(Currency::EUR) });
    french.pick_preset(Amount::new(2_550, Currency::EUR));
    french.choose(SponsorshipOption::OneOff);
    assert_eq!(french.draft.other_amount, "25,50", "written the way a French donor types it");
}

#[test]
fn details_use_the_contract_rules_in_field_order() {
    let mut flow = at_review(Currency::GBP);
    flow.back();
    flow.draft.donor.given_name = "  ".into();
    flow.draft.donor.email = "awa@example".into();
    flow.draft.donor.country = String::new();
    assert!(!flow.advance());
    assert_eq!(
        problems(&flow),
        [
            (Field::GivenName, Problem::Rule(ErrorCode::Required)),
            (Field::Email, Problem::Rule(ErrorCode::InvalidEmail)),
            (Field::Country, Problem::Rule(ErrorCode::Required)),
        ]
    );
    assert_eq!(flow.error_for(Field::Email), Some(Problem::Rule(ErrorCode::InvalidEmail)));
    assert_eq!(flow.error_for(Field::FamilyName), None);
}

#[test]
fn spaces_around_details_are_not_errors_and_are_not_sent() {
    let mut flow = at_review(Currency::GBP);
    flow.back();
    flow.draft.donor.email = " awa@example.org ".into();
    flow.draft.donor.given_name = " Awa ".into();
    assert!(flow.advance());
    let pledge = flow.confirm(|| KEY.into(), submission()).unwrap();
    assert_eq!(pledge.donor.email, "awa@example.org");
    assert_eq!(pledge.donor.given_name, "Awa");
}

fn uk_donor_on_details() -> Flow {
    let mut flow = at_review(Currency::GBP);
    flow.back();
    flow.draft.donor.country = "GB".into();
    flow
}

#[test]
fn gift_aid_is_offered_only_for_pounds_from_the_uk() {
    assert!(uk_donor_on_details().gift_aid_offered());
    let mut flow = at_review(Currency::GBP);
    assert!(!flow.gift_aid_offered(), "not for a donor in France");
    flow.draft.donor.country = "GB".into();
    assert!(flow.gift_aid_offered());
    let mut euros = at_review(Currency::EUR);
    euros.draft.donor.country = "GB".into();
    assert!(!euros.gift_aid_offered(), "not for euros, even from the UK");
}

#[test]
fn gift_aid_fields_are_required_only_when_gift_aid_is_ticked() {
    let mut flow = uk_donor_on_details();
    assert!(flow.advance(), "unticked: no address needed");
    flow.back();
    flow.draft.gift_aid = true;
    assert!(!flow.advance());
    assert_eq!(
        problems(&flow),
        [
            (Field::HomeAddress, Problem::Rule(ErrorCode::Required)),
            (Field::Postcode, Problem::Rule(ErrorCode::Required)),
        ]
    );
    flow.draft.home_address = "1 High Street, Leeds".into();
    flow.draft.postcode = "LS1".into();
    assert!(!flow.advance());
    assert_eq!(problems(&flow), [(Field::Postcode, Problem::Rule(ErrorCode::InvalidPostcode))]);
    flow.draft.postcode = "ls1 4ap ".into();
    assert!(flow.advance());
    let pledge = flow.confirm(|| KEY.into(), submission()).unwrap();
    let declaration = pledge.gift_aid.expect("the declaration travels with the pledge");
    assert_eq!(declaration.wording_version, GIFT_AID_WORDING_VERSION);
    assert_eq!(declaration.home_address, "1 High Street, Leeds");
    assert_eq!(declaration.postcode, "ls1 4ap");
}

#[test]
fn a_ticked_gift_aid_box_no_longer_counts_once_it_is_not_offered() {
    let mut flow = uk_donor_on_details();
    flow.draft.gift_aid = true;
    flow.draft.donor.country = "IE".into();
    assert!(flow.advance(), "the hidden address fields are not required");
    let pledge = flow.confirm(|| KEY.into(), submission()).unwrap();
    assert_eq!(pledge.gift_aid, None);
    assert!(flow.draft.gift_aid, "the tick is kept in case the donor switches back");
}

#[test]
fn edit_from_review_lands_on_the_field_and_returns_to_review() {
    let cases = [
        (Field::Amount, Step::Amount),
        (Field::Email, Step::Details),
        (Field::GiftAid, Step::Details),
        (Field::Option, Step::Choose),
    ];
    for (field, step) in cases {
        let mut flow = at_review(Currency::GBP);
        assert!(flow.edit(field));
        assert_eq!(flow.step(), step);
        assert!(flow.editing());
        assert_eq!(flow.focus().0, Focus::Field(field));
        assert!(flow.advance());
        assert_eq!(flow.step(), Step::Review, "after editing {field:?}");
        assert!(!flow.editing());
    }
}

#[test]
fn edit_is_only_offered_from_review() {
    let mut flow = Flow::new(settings(Currency::GBP));
    assert!(!flow.edit(Field::Email));
    assert_eq!(flow.step(), Step::Choose);
}

#[test]
fn a_changed_option_asks_the_amount_again_before_returning_to_review() {
    let mut flow = at_review(Currency::GBP);
    flow.edit(Field::Option);
    flow.choose(SponsorshipOption::OneOff);
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Amount, "a one-off gift is a different question");
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Review);
}

#[test]
fn confirm_makes_the_whole_pledge() {
    let mut flow = uk_donor_on_details();
    flow.draft.gift_aid = true;
    flow.draft.home_address = "1 High Street, Leeds".into();
    flow.draft.postcode = "LS1 4AP".into();
    flow.draft.consent.post = true;
    flow.advance();
    let pledge = flow.confirm(|| KEY.into(), submission()).unwrap();
    assert_eq!(pledge.validate(), Ok(()));
    assert_eq!(pledge.schema_version, pledge::SCHEMA_VERSION);
    assert_eq!(pledge.idempotency_key, KEY);
    assert_eq!(pledge.option, SponsorshipOption::Child);
    assert_eq!(pledge.frequency, pledge::Frequency::Monthly);
    assert_eq!(pledge.amount, default_presets(Currency::GBP).child[1]);
    assert_eq!(pledge.donor.country, "GB");
    assert_eq!(pledge.partner, "acme-school");
    assert_eq!(pledge.page_url, "https://partner.example.org/give");
    assert_eq!(pledge.locale, Locale::En);
    assert_eq!(pledge.client_created_at, "2026-11-27T15:00:00.000Z");
    assert_eq!((pledge.consent.email, pledge.consent.post, pledge.consent.phone), (false, true, false));
    assert_eq!(pledge.consent.wording_version, pledge::CONSENT_WORDING_VERSION);
    assert_eq!(pledge.anti_spam, pledge::AntiSpam { honeypot: String::new(), fill_ms: 42_000 });
}

#[test]
fn a_one_off_gift_is_sent_once() {
    let mut flow = at_review(Currency::XOF);
    flow.edit(Field::Option);
    flow.choose(SponsorshipOption::OneOff);
    flow.advance();
    flow.type_other_amount("20 000".into());
    flow.advance();
    let pledge = flow.confirm(|| KEY.into(), submission()).unwrap();
    assert_eq!(pledge.frequency, pledge::Frequency::Once);
    assert_eq!(pledge.amount, Amount::new(20_000, Currency::XOF));
}

#[test]
fn anti_spam_signals_are_reported_not_judged() {
    let mut flow = at_review(Currency::GBP);
    flow.draft.honeypot = "x".repeat(5_000);
    let pledge = flow
        .confirm(|| KEY.into(), Submission { fill_ms: u64::MAX, ..submission() })
        .expect("a filled honeypot still makes a pledge, for the receiver to judge");
    assert_eq!(pledge.anti_spam.honeypot.chars().count(), pledge::limits::HONEYPOT);
    assert_eq!(pledge.anti_spam.fill_ms, pledge::limits::FILL_MS);
}

#[test]
fn a_double_confirm_makes_one_pledge_and_one_key() {
    let mut flow = at_review(Currency::GBP);
    let mut keys_made = 0;
    let first = flow.confirm(
        || {
            keys_made += 1;
            KEY.into()
        },
        submission(),
    );
    assert!(first.is_some());
    let second = flow.confirm(
        || {
            keys_made += 1;
            "another".into()
        },
        submission(),
    );
    assert!(second.is_none(), "a second click while the first is in flight does nothing");
    assert_eq!(keys_made, 1);
}

#[test]
fn a_pledge_corrected_after_a_refusal_gets_a_new_key() {
    const NEW_KEY: &str = "9b1de0c4-7a2f-4d6e-8c3b-5f4a3e2d1c0b";
    let mut flow = at_review(Currency::GBP);
    flow.confirm(|| KEY.into(), submission()).unwrap();
    flow.rejected(&[FieldError::new("/donor/email", ErrorCode::InvalidEmail)]);
    assert_eq!(flow.idempotency_key(), None, "the refused pledge's key is not used again");
    flow.draft.donor.email = "awa@example.net".into();
    assert!(flow.advance());
    let pledge = flow.confirm(|| NEW_KEY.into(), submission()).unwrap();
    assert_eq!(pledge.idempotency_key, NEW_KEY);
    assert_eq!(flow.idempotency_key(), Some(NEW_KEY));
    assert!(flow.confirm(|| panic!("no third key"), submission()).is_none(), "in flight");
}

#[test]
fn confirm_refuses_an_incomplete_draft_and_shows_the_first_incomplete_step() {
    let mut flow = at_review(Currency::GBP);
    flow.draft.donor.family_name.clear();
    let mut key_made = false;
    assert!(flow
        .confirm(
            || {
                key_made = true;
                KEY.into()
            },
            submission()
        )
        .is_none());
    assert!(!key_made, "no key for a pledge that was not made");
    assert_eq!(flow.step(), Step::Details);
    assert_eq!(problems(&flow), [(Field::FamilyName, Problem::Rule(ErrorCode::Required))]);
    flow.draft.donor.family_name = "Traoré".into();
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Review);
}

#[test]
fn receiver_errors_land_on_their_fields_starting_with_the_first_step() {
    let mut flow = at_review(Currency::GBP);
    flow.confirm(|| KEY.into(), submission()).unwrap();
    flow.rejected(&[
        FieldError::new("/amount/minor_units", ErrorCode::AmountBelowMinimum),
        FieldError::new("/donor/email", ErrorCode::InvalidEmail),
    ]);
    assert_eq!(flow.step(), Step::Amount);
    assert!(!flow.in_flight());
    assert!(!flow.refused());
    assert_eq!(problems(&flow), [(Field::Amount, Problem::Rule(ErrorCode::AmountBelowMinimum))]);
    assert_eq!(flow.error_for(Field::Email), Some(Problem::Rule(ErrorCode::InvalidEmail)));
    assert_eq!(flow.focus().0, Focus::ErrorSummary);
    assert!(flow.advance());
    assert_eq!(flow.step(), Step::Review, "the fix returns to the review");
}

#[test]
fn receiver_errors_the_donor_cannot_fix_stay_on_confirm() {
    let mut flow = at_review(Currency::GBP);
    flow.confirm(|| KEY.into(), submission()).unwrap();
    flow.rejected(&[FieldError::new("/partner", ErrorCode::InvalidPartner)]);
    assert_eq!(flow.step(), Step::Confirm);
    assert!(flow.refused());
    assert!(flow.back_to_review());
    assert_eq!(flow.step(), Step::Review);

    let mut flow = at_review(Currency::GBP);
    flow.confirm(|| KEY.into(), submission()).unwrap();
    flow.rejected(&[]);
    assert!(flow.refused(), "a refusal without field errors is not the donor's to fix");
}

#[test]
fn a_pledge_the_contract_refuses_is_never_handed_over() {
    let mut flow = Flow::new(Settings { partner: "Not A Partner".into(), ..settings(Currency::GBP) });
    flow.choose(SponsorshipOption::Child);
    flow.advance();
    flow.type_other_amount("20".into());
    flow.advance();
    fill_details(&mut flow);
    flow.advance();
    assert!(flow.confirm(|| KEY.into(), submission()).is_none());
    assert_eq!(flow.step(), Step::Confirm);
    assert!(flow.refused());
    assert!(!flow.in_flight());
}

#[test]
fn a_late_answer_after_leaving_confirm_is_ignored() {
    let mut flow = at_review(Currency::GBP);
    flow.received("SK-1".into());
    assert_eq!(flow.step(), Step::Review);
    assert_eq!(flow.reference(), None);
}

#[test]
fn every_transition_asks_for_focus_again() {
    let mut flow = Flow::new(settings(Currency::GBP));
    let (_, first) = flow.focus();
    flow.advance();
    let (focus, second) = flow.focus();
    assert_eq!(focus, Focus::ErrorSummary);
    flow.advance();
    let (_, third) = flow.focus();
    assert!(first != second && second != third, "a repeated error summary is focused again");
    flow.choose(SponsorshipOption::Child);
    flow.advance();
    assert_eq!(flow.focus().0, Focus::Heading);
}

#[test]
fn steps_have_stable_names_and_indexes() {
    let names: Vec<_> = [Step::Choose, Step::Amount, Step::Details, Step::Review, Step::Confirm, Step::Thanks]
        .iter()
        .map(|step| (step.name(), step.index()))
        .collect();
    assert_eq!(names, [("choose", 0), ("amount", 1), ("details", 2), ("review", 3), ("confirm", 4), ("thanks", 5)]);
}

#[test]
fn pointers_map_to_the_fields_that_show_them() {
    for field in Field::ALL {
        assert!(field.id().starts_with("sk-") && field.error_id().starts_with("sk-"));
    }
    assert_eq!(Field::from_pointer("/donor/email"), Some(Field::Email));
    assert_eq!(Field::from_pointer("/amount/minor_units"), Some(Field::Amount));
    assert_eq!(Field::from_pointer("/gift_aid"), Some(Field::GiftAid));
    assert_eq!(Field::from_pointer("/gift_aid/postcode"), Some(Field::Postcode));
    for unfixable in [
        "/partner",
        "/page_url",
        "/idempotency_key",
        "/consent/wording_version",
        "/gift_aid/wording_version",
        "/amount/currency",
        "",
    ] {
        assert_eq!(Field::from_pointer(unfixable), None, "{unfixable}");
    }
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

fn any_locale() -> impl Strategy<Value = Locale> {
    prop::sample::select(vec![Locale::En, Locale::Fr])
}

proptest! {
    #[test]
    fn an_amount_moved_into_the_box_reads_back_the_same(
        minor in 0u64..100_000_000_000, currency in any_currency(), locale in any_locale()
    ) {
        let amount = Amount::new(minor, currency);
        let typed = editable_amount(amount, locale);
        prop_assert_eq!(Amount::parse(&typed, currency), Ok(amount), "{}", typed);
    }

    #[test]
    fn what_the_donor_types_is_either_an_amount_within_bounds_or_a_problem(
        typed in "[0-9 .,]{0,12}", currency in any_currency()
    ) {
        let draft = Draft { other_amount: typed, ..Draft::default() };
        match draft.amount(currency) {
            Ok(amount) => prop_assert!(amount.check_bounds().is_ok() && amount.currency == currency),
            Err(problem) => prop_assert!(problem != Problem::Rule(ErrorCode::TooLong)),
        }
    }
}

mod reconfigured {
    use super::*;
    use crate::config::WidgetConfig;

    fn config(endpoint: &str, currency: Currency, locale: Locale) -> WidgetConfig {
        WidgetConfig {
            endpoint: endpoint.into(),
            partner: "acme-school".into(),
            locale,
            currency,
            presets: default_presets(currency),
            privacy_url: None,
            continue_url: None,
        }
    }

    const A: &str = "https://charity.example.org/v1/pledges";
    const B: &str = "https://other.example.org/v1/pledges";

    #[test]
    fn language_and_presets_apply_in_place_at_every_step() {
        let current = config(A, Currency::GBP, Locale::En);
        let mut french = current.clone();
        french.locale = Locale::Fr;
        let mut fewer = current.clone();
        fewer.presets.child = vec![gbp(15)];
        for progress in [Progress::NoDetails, Progress::DetailsEntered, Progress::Done] {
            assert_eq!(plan(&current, &current, progress), Change::Nothing);
            assert_eq!(plan(&current, &french, progress), Change::InPlace);
            assert_eq!(plan(&current, &fewer, progress), Change::InPlace);
        }
    }

    #[test]
    fn endpoint_currency_or_partner_restart_only_before_details_and_otherwise_wait_for_the_pledge() {
        let current = config(A, Currency::GBP, Locale::En);
        let mut partner = current.clone();
        partner.partner = "other-school".into();
        for next in [config(B, Currency::GBP, Locale::En), config(A, Currency::EUR, Locale::En), partner] {
            assert_eq!(plan(&current, &next, Progress::NoDetails), Change::Restart);
            assert_eq!(plan(&current, &next, Progress::DetailsEntered), Change::AfterThePledge);
            assert_eq!(plan(&current, &next, Progress::Done), Change::InPlace, "the thank-you stays");
        }
    }

    #[test]
    fn progress_counts_details_once_any_is_entered() {
        let mut flow = Flow::new(settings(Currency::GBP));
        assert_eq!(flow.progress(), Progress::NoDetails);
        flow.choose(SponsorshipOption::Child);
        assert!(flow.advance());
        flow.pick_preset(gbp(30));
        assert!(flow.advance());
        assert_eq!(flow.step(), Step::Details);
        assert_eq!(flow.progress(), Progress::NoDetails, "an amount is not a detail");
        flow.draft.donor.email = "a".into();
        assert_eq!(flow.progress(), Progress::DetailsEntered);
        flow.draft.donor.email.clear();
        flow.draft.consent.email = true;
        assert_eq!(flow.progress(), Progress::DetailsEntered, "a ticked box is a detail");
        flow.draft.consent.email = false;
        flow.draft.phone = "+44 20 7946 0000".into();
        assert_eq!(flow.progress(), Progress::DetailsEntered, "a number typed, its box unticked since, is a detail");

        let mut flow = at_review(Currency::GBP);
        assert_eq!(flow.progress(), Progress::DetailsEntered);
        let pledge = flow.confirm(|| KEY.to_owned(), submission());
        assert!(pledge.is_some());
        flow.received("SKB-TEST".into());
        assert_eq!(flow.progress(), Progress::Done);
    }

    #[test]
    fn shown_with_keeps_the_step_the_answers_and_what_the_pledge_is_made_of() {
        let flow = at_review(Currency::GBP);
        let mut next = config(B, Currency::EUR, Locale::Fr);
        next.partner = "other-school".into();
        let shown = flow.shown_with(&next);
        assert_eq!(shown.step(), Step::Review);
        assert_eq!(shown.draft, flow.draft);
        assert_eq!(shown.settings().locale, Locale::Fr);
        assert_eq!(shown.settings().currency, Currency::GBP, "the pledge's currency stays");
        assert_eq!(shown.settings().partner, "acme-school");
    }

    #[test]
    fn a_picked_suggestion_the_new_presets_drop_stays_the_donor_s_amount() {
        let flow = at_review(Currency::GBP);
        let picked = flow.draft.preset.expect("at_review picks a preset");
        let mut next = config(A, Currency::GBP, Locale::En);
        next.presets.child = vec![gbp(99)];
        let shown = flow.shown_with(&next);
        assert_eq!(shown.draft.preset, None);
        assert_eq!(shown.draft.amount(Currency::GBP), Ok(picked));
        let kept = flow.shown_with(&config(A, Currency::GBP, Locale::Fr));
        assert_eq!(kept.draft.preset, Some(picked), "a suggestion still offered stays picked");
    }
}

mod contact_details {
    use super::*;

    /// A flow on the details step, filled in, with nothing ticked.
    fn at_details(currency: Currency) -> Flow {
        let mut flow = Flow::new(settings(currency));
        flow.choose(SponsorshipOption::OneOff);
        assert!(flow.advance());
        // Within the bounds of every currency, XOF's included.
        flow.type_other_amount("5000".into());
        assert!(flow.advance());
        fill_details(&mut flow);
        flow
    }

    fn pledge_of(mut flow: Flow) -> pledge::Pledge {
        assert!(flow.advance(), "{:?}", problems(&flow));
        let pledge = flow.confirm(|| KEY.into(), submission()).expect("a complete draft makes a pledge");
        assert_eq!(pledge.validate(), Ok(()));
        pledge
    }

    #[test]
    fn agreeing_to_calls_asks_for_a_number_the_charity_can_dial() {
        let mut flow = at_details(Currency::GBP);
        flow.draft.consent.phone = true;
        assert!(!flow.advance());
        assert_eq!(problems(&flow), vec![(Field::Phone, Problem::Rule(ErrorCode::Required))]);
        flow.draft.phone = "call me".into();
        assert!(!flow.advance());
        assert_eq!(problems(&flow), vec![(Field::Phone, Problem::Rule(ErrorCode::InvalidPhone))]);
        flow.draft.phone = "  +44 20 7946 0000 ".into();
        let pledge = pledge_of(flow);
        assert_eq!(pledge.donor.phone.as_deref(), Some("+44 20 7946 0000"));
    }

    #[test]
    fn a_number_typed_and_then_unticked_is_not_sent() {
        let mut flow = at_details(Currency::GBP);
        flow.draft.consent.phone = true;
        flow.draft.phone = "+44 20 7946 0000".into();
        flow.draft.consent.phone = false;
        assert_eq!(pledge_of(flow).donor.phone, None, "collected only while it is used");
    }

    #[test]
    fn agreeing_to_letters_asks_for_an_address_unless_gift_aid_gave_one() {
        let mut flow = at_details(Currency::GBP);
        flow.draft.consent.post = true;
        assert!(flow.draft.postal_address_asked(Currency::GBP));
        assert!(!flow.advance());
        assert_eq!(problems(&flow), vec![(Field::PostalAddress, Problem::Rule(ErrorCode::Required))]);
        flow.draft.postal_address = " 12 rue des Lilas, Lyon ".into();
        flow.draft.postal_postcode = " 69003 ".into();
        let pledge = pledge_of(flow);
        let address = pledge.donor.postal_address.expect("asked and given");
        assert_eq!((address.address.as_str(), address.postcode.as_str()), ("12 rue des Lilas, Lyon", "69003"));

        let mut flow = at_details(Currency::GBP);
        flow.draft.donor.country = "GB".into();
        flow.draft.gift_aid = true;
        flow.draft.home_address = "4 Park Row, Leeds".into();
        flow.draft.postcode = "LS1 5HD".into();
        flow.draft.consent.post = true;
        flow.draft.postal_address = "typed before Gift Aid was ticked".into();
        assert!(!flow.draft.postal_address_asked(Currency::GBP), "the Gift Aid home address serves");
        let pledge = pledge_of(flow);
        assert_eq!(pledge.donor.postal_address, None);
        assert!(pledge.gift_aid.is_some());
    }

    #[test]
    fn a_postcode_is_optional_where_addresses_have_none_and_limited_in_length() {
        let mut flow = at_details(Currency::XOF);
        flow.draft.donor.country = "ML".into();
        flow.draft.consent.post = true;
        flow.draft.postal_address = "Rue 123, Sanankoroba".into();
        flow.draft.postal_postcode = "x".repeat(17);
        assert!(!flow.advance());
        assert_eq!(problems(&flow), vec![(Field::PostalPostcode, Problem::Rule(ErrorCode::TooLong))]);
        flow.draft.postal_postcode.clear();
        assert_eq!(pledge_of(flow).donor.postal_address.map(|address| address.postcode), Some(String::new()));
    }

    #[test]
    fn the_receiver_s_refusals_of_contact_details_land_on_their_fields() {
        for (pointer, field) in [
            ("/donor/phone", Field::Phone),
            ("/donor/postal_address", Field::PostalAddress),
            ("/donor/postal_address/address", Field::PostalAddress),
            ("/donor/postal_address/postcode", Field::PostalPostcode),
        ] {
            assert_eq!(Field::from_pointer(pointer), Some(field), "{pointer}");
            assert_eq!(field.step(), Step::Details);
        }
    }
}
