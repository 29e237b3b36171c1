//! A partner's page changing the widget's settings while a donor is in the middle of it: what
//! the donor typed stays, and a pledge is made with the settings it was begun with.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Reflect;
use sanankoroba_widget::config::RawConfig;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{CustomEvent, HtmlElement};

use crate::steps::{
    click, config, fill_details, focused_id, heading, labels, next, record_steps, settle, text_of, to_amount,
    to_details, type_into, value_of,
};
use crate::support::{mount, Mounted};

const OTHER_ENDPOINT: &str = "https://other.example.org/v1/pledges";

/// Records the `detail.message` of every `sanankoroba:error` event of kind `config`.
fn record_config_errors(widget: &Mounted) -> (Rc<RefCell<Vec<String>>>, Closure<dyn FnMut(CustomEvent)>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(CustomEvent)>::new(move |event: CustomEvent| {
        let detail = event.detail();
        if Reflect::get(&detail, &"kind".into()).unwrap().as_string().as_deref() == Some("config") {
            sink.borrow_mut().push(Reflect::get(&detail, &"message".into()).unwrap().as_string().unwrap());
        }
    });
    widget.host.add_event_listener_with_callback("sanankoroba:error", listener.as_ref().unchecked_ref()).unwrap();
    (seen, listener)
}

async fn reconfigure(widget: &mut Mounted, raw: &RawConfig) {
    widget.handle.reconfigure_with(raw);
    settle().await;
}

#[wasm_bindgen_test]
async fn a_new_language_applies_in_place_keeping_the_step_what_was_typed_and_the_focus() {
    let mut widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    type_into(&widget, "#sk-given-name", "Awa");
    widget.expect("#sk-given-name").unchecked_into::<HtmlElement>().focus().unwrap();
    let (steps, _listener) = record_steps(&widget);

    reconfigure(&mut widget, &config("fr", "GBP")).await;
    assert_eq!(heading(&widget), "Vos coordonnées");
    assert_eq!(value_of(&widget, "#sk-given-name"), "Awa", "what the donor typed stays");
    assert_eq!(focused_id(&widget), "sk-given-name", "the donor keeps their place");
    assert!(steps.borrow().is_empty(), "the page hears of no new step: {:?}", steps.borrow());

    reconfigure(&mut widget, &config("en", "GBP")).await;
    assert_eq!(heading(&widget), "Your details");
    assert_eq!(value_of(&widget, "#sk-given-name"), "Awa");
}

#[wasm_bindgen_test]
async fn new_presets_apply_in_place_and_a_picked_amount_they_drop_stays_the_donor_s() {
    let mut widget = mount(&config("en", "GBP"));
    settle().await;
    to_amount(&widget, "#sk-option-child").await;
    click(&widget, "#sk-amount-1");
    settle().await;

    reconfigure(&mut widget, &RawConfig { presets: Some("child:15,25".into()), ..config("en", "GBP") }).await;
    assert_eq!(labels(&widget, ".sk-preset-label"), ["£15", "£25"]);
    assert_eq!(value_of(&widget, "#sk-amount-other"), "30", "the £30 the donor picked is still their amount");
}

#[wasm_bindgen_test]
async fn a_new_currency_or_endpoint_starts_again_only_before_any_detail() {
    let mut widget = mount(&config("en", "GBP"));
    settle().await;
    to_amount(&widget, "#sk-option-child").await;

    reconfigure(&mut widget, &config("en", "EUR")).await;
    assert_eq!(heading(&widget), "How would you like to help?", "an amount is no detail: the flow starts again");
    to_amount(&widget, "#sk-option-child").await;
    assert_eq!(labels(&widget, ".sk-preset-label")[0], "€25", "in the new currency");

    reconfigure(&mut widget, &RawConfig { endpoint: Some(OTHER_ENDPOINT.into()), ..config("en", "EUR") }).await;
    assert_eq!(heading(&widget), "How would you like to help?");
}

#[wasm_bindgen_test]
async fn once_details_are_entered_a_new_currency_or_endpoint_waits_while_the_language_still_applies() {
    let mut widget = mount(&config("en", "GBP"));
    settle().await;
    to_details(&widget).await;
    type_into(&widget, "#sk-email", "awa@example.org");

    let elsewhere = |lang: &str| RawConfig { endpoint: Some(OTHER_ENDPOINT.into()), ..config(lang, "EUR") };
    reconfigure(&mut widget, &elsewhere("en")).await;
    assert_eq!(heading(&widget), "Your details", "the donor stays where they are");
    assert_eq!(value_of(&widget, "#sk-email"), "awa@example.org");

    reconfigure(&mut widget, &elsewhere("fr")).await;
    assert_eq!(heading(&widget), "Vos coordonnées", "the language applies all the same");
    assert_eq!(value_of(&widget, "#sk-email"), "awa@example.org");

    fill_details(&widget, "FR");
    next(&widget, "Suivant").await;
    let review = text_of(&widget, ".sk-flow");
    assert!(review.contains('£') && !review.contains('€'), "the pledge keeps the currency it was begun in: {review}");
}

#[wasm_bindgen_test]
async fn refused_settings_take_the_widget_s_place_only_while_nothing_would_be_lost() {
    let broken = RawConfig { endpoint: Some("http://evil.example/pledges".into()), ..config("en", "GBP") };

    let mut widget = mount(&config("en", "GBP"));
    settle().await;
    let (errors, _listener) = record_config_errors(&widget);
    reconfigure(&mut widget, &broken).await;
    assert!(widget.query(".sk-frame").is_none(), "nothing entered: the panel shows what to fix");
    assert!(text_of(&widget, "[role=alert]").contains("\"endpoint\""));
    assert_eq!(errors.borrow().len(), 1);
    reconfigure(&mut widget, &config("en", "GBP")).await;
    assert_eq!(heading(&widget), "How would you like to help?", "fixed settings bring the flow back");

    to_details(&widget).await;
    type_into(&widget, "#sk-given-name", "Awa");
    reconfigure(&mut widget, &broken).await;
    assert_eq!(heading(&widget), "Your details", "the donor's details are not thrown away");
    assert_eq!(value_of(&widget, "#sk-given-name"), "Awa");
    assert_eq!(errors.borrow().len(), 2, "the partner hears of it all the same");
    assert!(errors.borrow()[1].contains("\"endpoint\""), "{:?}", errors.borrow());
}

#[wasm_bindgen_test]
async fn each_refused_setting_is_named_beside_its_message_in_the_event() {
    let mut widget = mount(&config("en", "GBP"));
    settle().await;
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(CustomEvent)>::new(move |event: CustomEvent| {
        let problems: js_sys::Array = Reflect::get(&event.detail(), &"problems".into()).unwrap().unchecked_into();
        for problem in problems.iter() {
            let field = |name: &str| Reflect::get(&problem, &name.into()).unwrap().as_string().unwrap();
            sink.borrow_mut().push((field("attribute"), field("message")));
        }
    });
    widget.host.add_event_listener_with_callback("sanankoroba:error", listener.as_ref().unchecked_ref()).unwrap();
    let broken = RawConfig {
        partner: Some("Not OK".into()),
        continue_url: Some("http://charity.example.org/".into()),
        ..config("en", "GBP")
    };
    reconfigure(&mut widget, &broken).await;
    let seen = seen.borrow();
    let attributes: Vec<&str> = seen.iter().map(|(attribute, _)| attribute.as_str()).collect();
    assert_eq!(attributes, ["partner", "continue-url"]);
    assert!(seen[0].1.starts_with("The \"partner\" attribute"), "{seen:?}");
    assert!(seen[1].1.starts_with("The \"continue-url\" attribute must use https:"), "{seen:?}");
}
