//! The sponsorship flow as a donor meets it: each step's rendering, its errors, focus and
//! announcements, in English and French.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Function, Reflect};
use sanankoroba_widget::config::RawConfig;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{CustomEvent, HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::support::{mount, raw_config, sleep, tick, Mounted};

/// Nothing listens on port 9 of the loopback interface, so every attempt fails as offline.
pub(crate) const UNREACHABLE: &str = "http://127.0.0.1:9/v1/pledges";

pub(crate) fn config(lang: &str, currency: &str) -> RawConfig {
    RawConfig { lang: Some(lang.into()), currency: Some(currency.into()), ..raw_config(UNREACHABLE) }
}

/// Long enough for Leptos's effects and the animation frame that moves focus.
pub(crate) async fn settle() {
    tick().await;
    sleep(Duration::from_millis(40)).await;
}

pub(crate) fn text_of(widget: &Mounted, selector: &str) -> String {
    widget.expect(selector).text_content().unwrap_or_default()
}

pub(crate) fn heading(widget: &Mounted) -> String {
    text_of(widget, "#sk-step-heading")
}

pub(crate) fn focused_id(widget: &Mounted) -> String {
    widget.shadow.active_element().map(|element| element.id()).unwrap_or_default()
}

/// Focus moves in a task after the render; browsers may delay such tasks, so this waits.
async fn expect_focus(widget: &Mounted, id: &str) {
    for _ in 0..100 {
        if focused_id(widget) == id {
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(focused_id(widget), id, "focus never reached #{id}");
}

fn live_region(widget: &Mounted) -> String {
    text_of(widget, "[role=status][aria-live=polite]")
}

/// The text of the elements that `aria-describedby` names, as assistive technology reads it.
fn described_by(widget: &Mounted, selector: &str) -> String {
    let ids =
        attribute(widget, selector, "aria-describedby").unwrap_or_else(|| panic!("{selector} has no description"));
    ids.split_whitespace().map(|id| text_of(widget, &format!("#{id}"))).collect::<Vec<_>>().join(" ")
}

fn attribute(widget: &Mounted, selector: &str, name: &str) -> Option<String> {
    widget.expect(selector).get_attribute(name)
}

pub(crate) fn type_into(widget: &Mounted, selector: &str, value: &str) {
    let input: HtmlInputElement = widget.expect(selector).unchecked_into();
    input.set_value(value);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

fn choose(widget: &Mounted, selector: &str, value: &str) {
    let select: HtmlSelectElement = widget.expect(selector).unchecked_into();
    select.set_value(value);
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
}

pub(crate) fn click(widget: &Mounted, selector: &str) {
    widget.expect(selector).unchecked_into::<HtmlElement>().click();
}

pub(crate) fn value_of(widget: &Mounted, selector: &str) -> String {
    widget.expect(selector).unchecked_into::<HtmlInputElement>().value()
}

fn is_checked(widget: &Mounted, selector: &str) -> bool {
    widget.expect(selector).unchecked_into::<HtmlInputElement>().checked()
}

/// Whether the element is rendered: parts that do not apply are `hidden`, which also takes
/// them out of the tab order and the accessibility tree.
fn is_shown(widget: &Mounted, selector: &str) -> bool {
    widget.expect(selector).unchecked_into::<HtmlElement>().offset_parent().is_some()
}

pub(crate) fn labels(widget: &Mounted, selector: &str) -> Vec<String> {
    widget.query_all(selector).iter().map(|label| label.text_content().unwrap_or_default()).collect()
}

pub(crate) async fn next(widget: &Mounted, label: &str) {
    widget.click_button(label);
    settle().await;
}

/// Records the `detail.step` of every `sanankoroba:step` event the host element dispatches.
pub(crate) fn record_steps(widget: &Mounted) -> (Rc<RefCell<Vec<(String, f64)>>>, Closure<dyn FnMut(CustomEvent)>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(CustomEvent)>::new(move |event: CustomEvent| {
        let detail = event.detail();
        let step = Reflect::get(&detail, &"step".into()).unwrap().as_string().unwrap();
        let index = Reflect::get(&detail, &"index".into()).unwrap().as_f64().unwrap();
        sink.borrow_mut().push((step, index));
    });
    widget.host.add_event_listener_with_callback("sanankoroba:step", listener.as_ref().unchecked_ref()).unwrap();
    (seen, listener)
}

pub(crate) async fn to_amount(widget: &Mounted, option: &str) {
    click(widget, option);
    widget.expect("button[type=submit]").unchecked_into::<HtmlElement>().click();
    settle().await;
}

pub(crate) async fn to_details(widget: &Mounted) {
    to_amount(widget, "#sk-option-child").await;
    click(widget, "#sk-amount-1");
    next(widget, "Next").await;
}

pub(crate) fn fill_details(widget: &Mounted, country: &str) {
    type_into(widget, "#sk-given-name", "Awa");
    type_into(widget, "#sk-family-name", "Traoré");
    type_into(widget, "#sk-email", "awa@example.org");
    choose(widget, "#sk-country", country);
}

async fn to_review(widget: &Mounted) {
    to_details(widget).await;
    fill_details(widget, "FR");
    next(widget, "Next").await;
}

#[wasm_bindgen_test]
async fn first_view_holds_the_reserved_height_and_shows_the_lead_the_story_control_and_the_first_step() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    let frame: HtmlElement = widget.expect(".sk-frame").unchecked_into();
    assert_eq!(frame.get_attribute("lang").as_deref(), Some("en"));
    assert_eq!(frame.get_attribute("dir").as_deref(), Some("ltr"));
    assert_eq!(frame.offset_height(), 640, "exactly the 40rem the loader reserves");
    assert_eq!(widget.host.offset_height(), 640, "the host does not grow past its reservation");

    assert_eq!(frame.get_attribute("role").as_deref(), Some("region"));
    let title = widget.expect(&format!("#{}", frame.get_attribute("aria-labelledby").unwrap()));
    assert_eq!(
        title.text_content().as_deref(),
        Some("Sponsor a child in Sanankoroba"),
        "the region is named by the title"
    );
    assert_eq!(
        widget.query_all(".sk-frame, .sk-frame *").into_iter().filter(|element| is_scroll_container(element)).count(),
        0,
        "nothing scrolls inside"
    );

    assert!(text_of(&widget, ".sk-lead").contains("since 1987"));
    let story = widget.expect("details.sk-story");
    assert!(!story.has_attribute("open"), "the whole story waits behind its control");
    assert_eq!(text_of(&widget, ".sk-story-summary"), "Read the whole story");
    let map = widget.expect("svg.sk-map");
    assert_eq!(map.get_attribute("role").as_deref(), Some("img"));
    assert!(map.get_attribute("aria-label").unwrap().contains("Sanankoroba lies just south of Bamako"));
    let story = text_of(&widget, ".sk-story-body");
    for fact in [
        "since 1987",
        "15 SOS families",
        "cotton",
        "March 2012",
        "Socoura",
        "malnutrition",
        "emotional development",
        "ready to act again",
    ] {
        assert!(story.contains(fact), "the story tells of {fact}");
    }

    assert_eq!(heading(&widget), "How would you like to help?");
    assert_eq!(
        labels(&widget, ".sk-choice-label"),
        ["Sponsor a child (monthly)", "Sponsor the village (monthly)", "One-off gift"]
    );
    for radio in widget.query_all("input[name=sk-option]") {
        let hint = radio.get_attribute("aria-describedby").unwrap();
        assert!(!text_of(&widget, &format!("#{hint}")).is_empty(), "each option has its sentence");
    }
    assert_eq!(attribute(&widget, ".sk-progress", "aria-label").as_deref(), Some("Progress"));
    let current = widget.expect("[aria-current=step]");
    assert!(current.text_content().unwrap().contains("Your support"));
    assert_eq!(widget.query_all(".sk-progress-step").len(), 5);
    assert_eq!(focused_id(&widget), "", "the widget does not take focus from the page on load");
}

#[wasm_bindgen_test]
async fn choose_without_an_option_shows_the_summary_and_the_inline_error() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "How would you like to help?", "the step does not change");
    assert_eq!(text_of(&widget, ".sk-summary-title"), "Please correct the following");
    expect_focus(&widget, "sk-error-summary").await;
    let link = widget.expect(".sk-summary a");
    assert_eq!(link.text_content().unwrap(), "Choose how you would like to help.");
    assert_eq!(link.get_attribute("href").as_deref(), Some("#sk-option-child"));
    assert!(text_of(&widget, "#sk-option-error").contains("Choose how you would like to help."));
    assert_eq!(attribute(&widget, "#sk-option", "aria-describedby").as_deref(), Some("sk-option-error"));
    assert_eq!(attribute(&widget, "#sk-option-child", "aria-invalid").as_deref(), Some("true"));

    link.unchecked_into::<HtmlElement>().click();
    settle().await;
    expect_focus(&widget, "sk-option-child").await;
}

#[wasm_bindgen_test]
async fn starting_sets_the_lead_aside_moves_focus_and_announces_the_step() {
    let widget = mount(&config("en", "GBP"));
    let (steps, _listener) = record_steps(&widget);
    settle().await;
    to_amount(&widget, "#sk-option-village").await;
    assert_eq!(heading(&widget), "How much would you like to give each month?");
    expect_focus(&widget, "sk-step-heading").await;
    assert_eq!(described_by(&widget, "#sk-step-heading"), "Step 2 of 5: Amount", "read with the focused heading");
    assert_eq!(live_region(&widget), "", "and only there: a step change is announced once");
    assert!(widget.expect(".sk-lead").has_attribute("hidden"), "the lead steps aside");
    assert!(widget.query("details.sk-story").is_some(), "the story stays a click away");
    assert!(widget.expect(".sk-frame").class_list().contains("sk-started"));
    assert!(widget.expect("[aria-current=step]").text_content().unwrap().contains("Amount"));
    assert!(widget.expect(".sk-progress-done").text_content().unwrap().contains("done"));
    assert_eq!(steps.borrow().last().cloned(), Some(("amount".to_owned(), 1.0)));
    widget.host.remove_event_listener_with_callback("sanankoroba:step", _listener.as_ref().unchecked_ref()).unwrap();
}

#[wasm_bindgen_test]
async fn amount_offers_the_presets_for_the_option_formatted_by_intl() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_amount(&widget, "#sk-option-child").await;
    assert_eq!(labels(&widget, ".sk-preset-label"), ["£20", "£30", "£50"]);
    assert_eq!(text_of(&widget, "#sk-amount-hint"), "Any amount from £2 to £10,000.");
    assert_eq!(attribute(&widget, "#sk-amount-other", "inputmode").as_deref(), Some("decimal"));

    let widget = mount(&RawConfig { presets: Some("one-off: 35000, 70000".into()), ..config("fr", "XOF") });
    settle().await;
    to_amount(&widget, "#sk-option-one-off").await;
    assert_eq!(heading(&widget), "Combien souhaitez-vous donner\u{202f}?");
    let presets = labels(&widget, ".sk-preset-label");
    assert_eq!(presets.len(), 2);
    assert_eq!(presets[0], "35\u{202f}000\u{a0}F\u{202f}CFA", "grouped the French way, with no decimals");
    assert!(text_of(&widget, "#sk-amount-hint").contains("6\u{202f}500\u{202f}000"), "XOF has no decimals");
}

#[wasm_bindgen_test]
async fn amount_errors_are_inline_and_in_plain_language() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_amount(&widget, "#sk-option-child").await;
    next(&widget, "Next").await;
    assert_eq!(text_of(&widget, ".sk-summary a"), "Choose an amount, or enter another amount.");

    let cases = [
        ("1.50", "The smallest amount you can give here is £2."),
        ("20000", "The largest amount you can give here is £10,000."),
        ("ten", "Enter the amount in figures only, such as 25."),
        ("10.5055", "Enter the amount with no more than two decimal places."),
    ];
    for (typed, message) in cases {
        type_into(&widget, "#sk-amount-other", typed);
        next(&widget, "Next").await;
        assert!(text_of(&widget, "#sk-amount-error").contains(message), "{typed}");
        assert_eq!(attribute(&widget, "#sk-amount-other", "aria-invalid").as_deref(), Some("true"));
        assert_eq!(
            attribute(&widget, "#sk-amount-other", "aria-describedby").as_deref(),
            Some("sk-amount-hint sk-amount-error")
        );
    }
    type_into(&widget, "#sk-amount-other", "12,50");
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Your details");
}

#[wasm_bindgen_test]
async fn picking_a_preset_clears_the_other_amount_and_typing_unpicks_it() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_amount(&widget, "#sk-option-child").await;
    type_into(&widget, "#sk-amount-other", "45");
    click(&widget, "#sk-amount-2");
    tick().await;
    assert!(is_checked(&widget, "#sk-amount-2"));
    assert_eq!(value_of(&widget, "#sk-amount-other"), "");
    type_into(&widget, "#sk-amount-other", "7");
    tick().await;
    assert!(!is_checked(&widget, "#sk-amount-2"));
}

#[wasm_bindgen_test]
async fn details_errors_are_tied_to_their_fields() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    expect_focus(&widget, "sk-step-heading").await;
    type_into(&widget, "#sk-email", "awa@example");
    next(&widget, "Next").await;
    let summary: Vec<String> = labels(&widget, ".sk-summary a");
    assert_eq!(
        summary,
        [
            "Enter your given name.",
            "Enter your family name.",
            "Enter an email address in the form name@example.com.",
            "Choose your country.",
        ]
    );
    for (field, error) in [
        ("sk-given-name", "sk-given-name-error"),
        ("sk-family-name", "sk-family-name-error"),
        ("sk-country", "sk-country-error"),
    ] {
        assert_eq!(attribute(&widget, &format!("#{field}"), "aria-invalid").as_deref(), Some("true"), "{field}");
        assert_eq!(attribute(&widget, &format!("#{field}"), "aria-describedby").as_deref(), Some(error), "{field}");
    }
    assert_eq!(
        attribute(&widget, "#sk-email", "aria-describedby").as_deref(),
        Some("sk-email-hint sk-email-error"),
        "the hint stays described alongside the error"
    );
    fill_details(&widget, "FR");
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Check your pledge");
}

#[wasm_bindgen_test]
async fn countries_are_named_in_the_donors_language_with_no_guess() {
    let widget = mount(&config("fr", "EUR"));
    settle().await;
    to_amount(&widget, "#sk-option-child").await;
    click(&widget, "#sk-amount-0");
    next(&widget, "Suivant").await;
    let options = widget.query_all("#sk-country option");
    assert_eq!(options.len(), 1 + pledge::COUNTRY_CODES.len());
    assert_eq!(options[0].get_attribute("value").as_deref(), Some(""));
    assert_eq!(options[0].text_content().unwrap(), "Choisissez votre pays");
    assert_eq!(value_of_select(&widget), "", "nothing is preselected");
    let gb = options.iter().find(|option| option.get_attribute("value").as_deref() == Some("GB")).unwrap();
    assert_eq!(gb.text_content().unwrap(), "Royaume-Uni");
    let names: Vec<String> = options[1..].iter().map(|option| option.text_content().unwrap()).collect();
    let position = |name: &str| names.iter().position(|n| n == name).unwrap();
    assert!(
        position("Égypte") < position("Espagne") && position("Espagne") < position("États-Unis"),
        "sorted the French way"
    );
}

fn value_of_select(widget: &Mounted) -> String {
    widget.expect("#sk-country").unchecked_into::<HtmlSelectElement>().value()
}

#[wasm_bindgen_test]
async fn gift_aid_is_offered_for_pounds_from_the_uk_and_asks_for_the_address_when_ticked() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    fill_details(&widget, "FR");
    tick().await;
    assert!(!is_shown(&widget, "#sk-gift-aid"), "not offered outside the UK");
    choose(&widget, "#sk-country", "GB");
    tick().await;
    assert!(!is_checked(&widget, "#sk-gift-aid"), "never ticked for the donor");
    let declaration = text_of(&widget, "#sk-gift-aid-declaration");
    for element in [
        "UK taxpayer",
        "Income Tax and/or Capital Gains Tax",
        "my responsibility to pay any difference",
        "this gift",
        "past four years",
    ] {
        assert!(declaration.contains(element), "the declaration says {element:?}");
    }
    assert_eq!(attribute(&widget, "#sk-gift-aid", "aria-describedby").as_deref(), Some("sk-gift-aid-declaration"));
    assert!(is_shown(&widget, "#sk-gift-aid"));
    assert!(!is_shown(&widget, "#sk-home-address"), "the address is asked only when Gift Aid is ticked");
    click(&widget, "#sk-gift-aid");
    tick().await;
    assert!(is_shown(&widget, "#sk-home-address") && is_shown(&widget, "#sk-postcode"));
    assert_eq!(attribute(&widget, "#sk-home-address", "autocomplete").as_deref(), Some("street-address"));
    next(&widget, "Next").await;
    assert_eq!(labels(&widget, ".sk-summary a"), ["Enter your home address.", "Enter your postcode."]);
    type_into(&widget, "#sk-home-address", "1 High Street, Leeds");
    type_into(&widget, "#sk-postcode", "LS1");
    next(&widget, "Next").await;
    assert_eq!(labels(&widget, ".sk-summary a"), ["Enter a UK postcode, such as SW1A 1AA."]);
    type_into(&widget, "#sk-postcode", "LS1 4AP");
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Check your pledge");
    assert!(text_of(&widget, ".sk-review").contains("Yes, Gift Aid is added"));
}

#[wasm_bindgen_test]
async fn gift_aid_is_not_offered_for_other_currencies() {
    let widget = mount(&config("en", "EUR"));
    settle().await;
    to_details(&widget).await;
    fill_details(&widget, "GB");
    tick().await;
    assert!(!is_shown(&widget, "#sk-gift-aid"));
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Check your pledge", "nothing hidden is required");
    assert!(!text_of(&widget, ".sk-review").contains("Gift Aid"));
}

#[wasm_bindgen_test]
async fn consent_is_three_separate_unticked_opt_ins() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    assert_eq!(text_of(&widget, ".sk-consent legend"), "Keeping in touch");
    for (id, label) in
        [("sk-consent-email", "By email"), ("sk-consent-post", "By post"), ("sk-consent-phone", "By phone")]
    {
        assert!(!is_checked(&widget, &format!("#{id}")), "{id} starts unticked");
        assert_eq!(text_of(&widget, &format!("label[for={id}]")), label);
    }
}

#[wasm_bindgen_test]
async fn the_honeypot_is_hidden_from_people_and_assistive_technology_but_rendered() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    let wrapper = widget.expect(".sk-hp");
    assert_eq!(wrapper.get_attribute("aria-hidden").as_deref(), Some("true"));
    let input = widget.expect(".sk-hp input");
    assert_eq!(input.get_attribute("tabindex").as_deref(), Some("-1"));
    assert_eq!(input.get_attribute("autocomplete").as_deref(), Some("off"));
    let style = web_sys::window().unwrap().get_computed_style(&wrapper).unwrap().unwrap();
    assert_ne!(style.get_property_value("display").unwrap(), "none", "bots skip fields that are not rendered");
    assert_eq!(style.get_property_value("opacity").unwrap(), "0");
}

#[wasm_bindgen_test]
async fn back_never_loses_what_was_entered() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    fill_details(&widget, "GB");
    click(&widget, "#sk-consent-post");
    tick().await;
    next(&widget, "Back").await;
    assert_eq!(heading(&widget), "How much would you like to give each month?");
    assert!(is_checked(&widget, "#sk-amount-1"));
    next(&widget, "Back").await;
    assert!(is_checked(&widget, "#sk-option-child"));
    next(&widget, "Next").await;
    next(&widget, "Next").await;
    assert_eq!(value_of(&widget, "#sk-given-name"), "Awa");
    assert_eq!(value_of(&widget, "#sk-family-name"), "Traoré");
    assert_eq!(value_of(&widget, "#sk-email"), "awa@example.org");
    assert_eq!(value_of_select(&widget), "GB");
    assert!(is_checked(&widget, "#sk-consent-post"));
}

#[wasm_bindgen_test]
async fn review_shows_everything_and_edit_lands_on_the_field() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_review(&widget).await;
    expect_focus(&widget, "sk-step-heading").await;
    let review = text_of(&widget, ".sk-review");
    for shown in
        ["Sponsor a child (monthly)", "£30 a month", "Awa Traoré", "awa@example.org", "France", "No news, thank you"]
    {
        assert!(review.contains(shown), "the review shows {shown:?}: {review}");
    }
    let edits: Vec<String> =
        widget.query_all(".sk-review .sk-link").iter().map(|b| b.get_attribute("aria-label").unwrap()).collect();
    assert_eq!(edits, ["Edit how you help", "Edit amount", "Edit your details", "Edit keeping in touch"]);

    click(&widget, "[aria-label='Edit your details']");
    settle().await;
    assert_eq!(heading(&widget), "Your details");
    expect_focus(&widget, "sk-given-name").await;
    type_into(&widget, "#sk-email", "awa@example.net");
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Check your pledge", "Next returns to the review");
    assert!(text_of(&widget, ".sk-review").contains("awa@example.net"));

    click(&widget, "[aria-label='Edit amount']");
    settle().await;
    expect_focus(&widget, "sk-amount-1").await;
    next(&widget, "Next").await;
    click(&widget, "[aria-label='Edit keeping in touch']");
    settle().await;
    expect_focus(&widget, "sk-consent-email").await;
}

#[wasm_bindgen_test]
async fn french_is_complete_along_the_flow() {
    let widget = mount(&config("fr", "EUR"));
    settle().await;
    assert_eq!(heading(&widget), "Comment souhaitez-vous aider\u{202f}?");
    assert_eq!(
        labels(&widget, ".sk-choice-label"),
        ["Parrainer un enfant (chaque mois)", "Parrainer le village (chaque mois)", "Don ponctuel"]
    );
    next(&widget, "Suivant").await;
    assert_eq!(text_of(&widget, ".sk-summary a"), "Choisissez comment vous souhaitez aider.");
    to_amount(&widget, "#sk-option-child").await;
    assert_eq!(described_by(&widget, "#sk-step-heading"), "Étape 2 sur 5\u{a0}: Montant");
    assert_eq!(live_region(&widget), "");
    click(&widget, "#sk-amount-1");
    next(&widget, "Suivant").await;
    fill_details(&widget, "FR");
    next(&widget, "Suivant").await;
    assert_eq!(heading(&widget), "Vérifiez votre promesse de don");
    let review = text_of(&widget, ".sk-review");
    assert!(review.contains("35\u{a0}€ par mois"), "{review}");
    assert!(widget.query_all("button").iter().any(|b| b.text_content().unwrap() == "Confirmer ma promesse de don"));
}

fn unreachable_outbox_cleanup() {
    let _ = sanankoroba_widget::delivery::storage::OutboxStore::local().clear();
}

/// Replaces `window.fetch` with one that answers every request with `status` and `body`,
/// and records each request's idempotency key and body. Dropping it restores the real fetch.
struct FakeReceiver {
    original: JsValue,
}

impl FakeReceiver {
    fn answer(status: u16, body: &str) -> FakeReceiver {
        let window = web_sys::window().unwrap();
        let original = Reflect::get(&window, &"fetch".into()).unwrap();
        let content_type = if status == 201 { "application/json" } else { "application/problem+json" };
        let fake = Function::new_with_args(
            "request",
            &format!(
                "const seen = (window.__skSeen ||= []);
                 return request.text().then(body => {{
                   seen.push([request.headers.get('idempotency-key'), body]);
                   return new Response({body:?}, {{ status: {status}, headers: {{ 'content-type': '{content_type}' }} }});
                 }});"
            ),
        );
        Reflect::set(&window, &"fetch".into(), &fake).unwrap();
        Reflect::set(&window, &"__skSeen".into(), &js_sys::Array::new()).unwrap();
        FakeReceiver { original }
    }

    /// `(idempotency key, body)` of every request so far.
    fn seen(&self) -> Vec<(String, String)> {
        let seen: js_sys::Array =
            Reflect::get(&web_sys::window().unwrap(), &"__skSeen".into()).unwrap().unchecked_into();
        seen.iter()
            .map(|pair| {
                let pair: js_sys::Array = pair.unchecked_into();
                (pair.get(0).as_string().unwrap_or_default(), pair.get(1).as_string().unwrap_or_default())
            })
            .collect()
    }
}

impl Drop for FakeReceiver {
    fn drop(&mut self) {
        Reflect::set(&web_sys::window().unwrap(), &"fetch".into(), &self.original).unwrap();
        unreachable_outbox_cleanup();
    }
}

async fn wait_for(widget: &Mounted, what: impl Fn(&Mounted) -> bool) {
    for _ in 0..100 {
        if what(widget) {
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out; the widget shows: {}", widget.text());
}

#[wasm_bindgen_test]
async fn confirm_sends_one_pledge_and_thanks_with_the_reference() {
    let receiver = FakeReceiver::answer(201, r#"{"reference":"SK-7Q2M-K9XD","received_at":"2026-11-27T15:00:00Z"}"#);
    let widget = mount(&config("en", "GBP"));
    settle().await;
    let (steps, listener) = record_steps(&widget);
    to_review(&widget).await;
    let confirm =
        widget.query_all("button").into_iter().find(|b| b.text_content().unwrap() == "Confirm my pledge").unwrap();
    let confirm: HtmlElement = confirm.unchecked_into();
    confirm.click();
    confirm.click();
    wait_for(&widget, |widget| widget.query(".sk-thanks").is_some()).await;
    settle().await;
    assert_eq!(heading(&widget), "Thank you, Awa");
    expect_focus(&widget, "sk-step-heading").await;
    assert_eq!(live_region(&widget), "", "the focused heading says it, once");
    assert!(text_of(&widget, ".sk-reference").contains("SK-7Q2M-K9XD"));
    let thanks = text_of(&widget, ".sk-thanks");
    assert!(thanks.contains("£30 a month"), "{thanks}");
    assert!(thanks.contains("will contact you at awa@example.org about setting up your gift"), "{thanks}");

    let requests: Vec<(String, String)> = receiver.seen();
    let keys: std::collections::BTreeSet<&str> = requests.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys.len(), 1, "a double click made one pledge: {requests:?}");
    let (key, body) = &requests[0];
    assert!(pledge::is_uuid_v4(key), "{key}");
    assert!(body.contains(&format!("\"idempotency_key\":\"{key}\"")));
    assert!(
        body.contains("\"partner\":\"direct\"") && body.contains("\"locale\":\"en\"") && body.contains("\"fill_ms\":")
    );
    let names: Vec<String> = steps.borrow().iter().map(|(step, _)| step.clone()).collect();
    assert_eq!(names, ["amount", "details", "review", "confirm", "thanks"]);
    widget.host.remove_event_listener_with_callback("sanankoroba:step", listener.as_ref().unchecked_ref()).unwrap();
}

#[wasm_bindgen_test]
async fn a_refused_field_sends_the_donor_back_to_it() {
    let _receiver = FakeReceiver::answer(
        422,
        r#"{"type":"/problems/invalid-pledge","title":"The pledge has invalid fields","status":422,"detail":"1 field is invalid.","errors":[{"pointer":"/donor/email","code":"invalid_email","detail":"This is not a valid email address."}]}"#,
    );
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_review(&widget).await;
    widget.click_button("Confirm my pledge");
    wait_for(&widget, |widget| widget.query("#sk-email-error").is_some()).await;
    settle().await;
    assert_eq!(heading(&widget), "Your details");
    expect_focus(&widget, "sk-error-summary").await;
    assert_eq!(labels(&widget, ".sk-summary a"), ["Enter an email address in the form name@example.com."]);
    assert_eq!(attribute(&widget, "#sk-email", "aria-invalid").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn an_unreachable_receiver_keeps_the_pledge_and_offers_a_retry() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_review(&widget).await;
    widget.click_button("Confirm my pledge");
    settle().await;
    assert_eq!(heading(&widget), "Your pledge");
    assert!(widget.query("#sk-step-heading").is_some());
    wait_for(&widget, |widget| widget.text().contains("has not reached")).await;
    let status = text_of(&widget, ".sk-status p");
    assert!(status.contains("your device seems to be offline"), "{status}");
    assert_eq!(live_region(&widget), status, "the status is announced");
    assert!(widget.query_all("button").iter().any(|b| b.text_content().unwrap() == "Try again now"));
    assert!(!widget.text().contains("Back"), "a pledge on its way cannot be edited");
    unreachable_outbox_cleanup();
}

fn assert_targets_are_large_enough(widget: &Mounted) {
    for control in widget.query_all("button, input:not([tabindex='-1']), select, summary, .sk-summary a") {
        let element: HtmlElement = control.clone().unchecked_into();
        // A control inside a `hidden` part is no target: it is not rendered at all.
        if element.offset_parent().is_none() {
            continue;
        }
        let (width, height) = (element.offset_width(), element.offset_height());
        assert!(width >= 24 && height >= 24, "{} is {width}×{height}", control.outer_html());
    }
}

#[wasm_bindgen_test]
async fn targets_are_at_least_24_pixels() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    assert_targets_are_large_enough(&widget);
    to_amount(&widget, "#sk-option-child").await;
    next(&widget, "Next").await;
    assert_targets_are_large_enough(&widget);
    click(&widget, "#sk-amount-0");
    next(&widget, "Next").await;
    fill_details(&widget, "GB");
    tick().await;
    click(&widget, "#sk-gift-aid");
    tick().await;
    assert_targets_are_large_enough(&widget);
}

/// What `Intl.NumberFormat` shows the donor, typed back into the amount box, is the same amount:
/// for every currency and both languages, over a spread of amounts from a fixed-seed generator.
#[wasm_bindgen_test]
fn amounts_displayed_by_intl_read_back_as_the_same_minor_units() {
    use pledge::{Amount, Currency, Locale};
    use sanankoroba_widget::format;

    let mut seed: u64 = 0x5eed_5a4a_4b0b_a000;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    for currency in Currency::ALL {
        for locale in [Locale::En, Locale::Fr] {
            for _ in 0..200 {
                let amount =
                    Amount::new(currency.minimum() + next() % (currency.maximum() - currency.minimum() + 1), currency);
                let shown = format::amount(amount, locale);
                // The donor copies the figures, not the currency sign.
                let typed: String = shown
                    .chars()
                    .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\u{a0}' | '\u{202f}'))
                    .collect();
                assert_eq!(Amount::parse(typed.trim(), currency), Ok(amount), "{shown:?} in {locale:?}");
            }
        }
    }
}

/// An element the browser would scroll: `overflow` of `auto`, `scroll` or `hidden` on either
/// axis (`clip` makes none).
fn is_scroll_container(element: &web_sys::Element) -> bool {
    let style = web_sys::window().unwrap().get_computed_style(element).unwrap().unwrap();
    ["overflow-x", "overflow-y"]
        .into_iter()
        .any(|axis| matches!(style.get_property_value(axis).unwrap().as_str(), "auto" | "scroll" | "hidden"))
}

#[wasm_bindgen_test]
async fn the_thank_you_offers_the_charity_s_own_page_with_the_reference_and_never_redirects() {
    let _receiver = FakeReceiver::answer(201, r#"{"reference":"SK-7Q2M/K9XD","received_at":"2026-11-27T15:00:00Z"}"#);
    let page = web_sys::window().unwrap().location().href().unwrap();
    let widget = mount(&RawConfig {
        continue_url: Some("https://charity.example.org/give?ref={reference}".into()),
        ..config("en", "GBP")
    });
    settle().await;
    to_review(&widget).await;
    widget.click_button("Confirm my pledge");
    wait_for(&widget, |widget| widget.query(".sk-thanks").is_some()).await;
    settle().await;
    let link = widget.expect(".sk-thanks a.sk-continue");
    assert_eq!(link.text_content().unwrap(), "Set up your gift");
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://charity.example.org/give?ref=SK-7Q2M%2FK9XD"));
    assert_eq!(link.get_attribute("target"), None, "the donor's own tab, when they choose it");
    assert_eq!(web_sys::window().unwrap().location().href().unwrap(), page, "nothing navigates on its own");
    assert_eq!(heading(&widget), "Thank you, Awa", "focus and reading start at the thank-you, not the link");
}

#[wasm_bindgen_test]
async fn without_a_continue_url_the_thank_you_has_no_link() {
    let _receiver = FakeReceiver::answer(201, r#"{"reference":"SK-7Q2M-K9XD","received_at":"2026-11-27T15:00:00Z"}"#);
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_review(&widget).await;
    widget.click_button("Confirm my pledge");
    wait_for(&widget, |widget| widget.query(".sk-thanks").is_some()).await;
    assert!(widget.query(".sk-thanks a").is_none());
}

#[wasm_bindgen_test]
async fn the_details_step_links_the_privacy_notice_in_a_new_tab_and_says_so() {
    let widget =
        mount(&RawConfig { privacy_url: Some("https://charity.example.org/privacy".into()), ..config("en", "GBP") });
    settle().await;
    to_details(&widget).await;
    let link = widget.expect(".sk-privacy a");
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://charity.example.org/privacy"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    assert_eq!(link.text_content().unwrap(), "How SOS Children's Villages uses your details (opens in a new tab)");

    let without = mount(&config("en", "GBP"));
    settle().await;
    to_details(&without).await;
    assert!(without.query(".sk-privacy").is_none(), "no link when the partner gave none");
}

#[wasm_bindgen_test]
async fn the_consent_and_gift_aid_introductions_describe_their_groups() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    fill_details(&widget, "GB");
    settle().await;
    assert!(described_by(&widget, ".sk-consent").starts_with("Would you like news of SOS Children's Villages' work?"));
    let gift_aid = described_by(&widget, ".sk-gift-aid");
    assert!(
        gift_aid.starts_with("If you pay tax in the UK") && gift_aid.contains("Please tell SOS Children's Villages UK"),
        "{gift_aid}"
    );
    assert!(
        described_by(&widget, "#sk-gift-aid").starts_with("By ticking this box, I ask SOS Children's Villages UK"),
        "the box is described by the declaration"
    );
}

#[wasm_bindgen_test]
async fn agreeing_to_calls_or_letters_asks_for_the_number_or_the_address_and_nothing_more() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    fill_details(&widget, "FR");
    assert!(
        !is_shown(&widget, "#sk-phone") && !is_shown(&widget, "#sk-postal-address"),
        "nothing is asked before it is used"
    );

    click(&widget, "#sk-consent-phone");
    click(&widget, "#sk-consent-post");
    settle().await;
    assert!(
        is_shown(&widget, "#sk-phone")
            && is_shown(&widget, "#sk-postal-address")
            && is_shown(&widget, "#sk-postal-postcode")
    );
    assert_eq!(attribute(&widget, "#sk-phone", "type").as_deref(), Some("tel"));
    assert_eq!(attribute(&widget, "#sk-phone", "autocomplete").as_deref(), Some("tel"));
    next(&widget, "Next").await;
    assert_eq!(
        labels(&widget, ".sk-summary a"),
        [
            "Enter the address SOS Children's Villages may write to you at.",
            "Enter the phone number SOS Children's Villages may call you on."
        ]
    );
    assert_eq!(attribute(&widget, "#sk-phone", "aria-invalid").as_deref(), Some("true"));

    type_into(&widget, "#sk-phone", "12");
    type_into(&widget, "#sk-postal-address", "12 rue des Lilas, Lyon");
    next(&widget, "Next").await;
    assert_eq!(labels(&widget, ".sk-summary a"), ["Enter a phone number of 6 to 15 digits, such as +44 20 7946 0000."]);
    type_into(&widget, "#sk-phone", "+33 4 72 00 00 00");
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Check your pledge");
    let review = text_of(&widget, ".sk-flow");
    assert!(review.contains("+33 4 72 00 00 00") && review.contains("12 rue des Lilas, Lyon"), "{review}");
}

#[wasm_bindgen_test]
async fn letters_go_to_the_gift_aid_home_address_without_asking_twice() {
    let widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    fill_details(&widget, "GB");
    settle().await;
    click(&widget, "#sk-gift-aid");
    type_into(&widget, "#sk-home-address", "4 Park Row, Leeds");
    type_into(&widget, "#sk-postcode", "LS1 5HD");
    click(&widget, "#sk-consent-post");
    settle().await;
    assert!(!is_shown(&widget, "#sk-postal-address"), "the home address serves");
    assert!(widget.text().contains("Letters will go to the home address you gave for Gift Aid."));
    next(&widget, "Next").await;
    assert_eq!(heading(&widget), "Check your pledge");
}
