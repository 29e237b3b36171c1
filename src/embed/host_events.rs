//! Events the host page can listen to on `<sanankoroba-widget>`.
//!
//! They bubble and are `composed`, so a listener on the element or anywhere above it hears
//! them. Their details never carry personal data: analytics scripts on partner pages read them.

use js_sys::{Object, Reflect};
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::delivery::Outline;

pub const STEP_EVENT: &str = "sanankoroba:step";
pub const PLEDGE_EVENT: &str = "sanankoroba:pledge";
pub const ERROR_EVENT: &str = "sanankoroba:error";

/// Dispatches the widget's events on its host element.
#[derive(Clone)]
pub struct HostEvents {
    // Reactive context must be Send + Sync; the widget runs on the browser's one thread.
    host: SendWrapper<HtmlElement>,
}

/// A field of an event's `detail` object.
pub enum DetailValue<'a> {
    Text(&'a str),
    Number(f64),
    /// A list of `{ attribute, message }` objects.
    Problems(&'a [(&'a str, String)]),
}

impl HostEvents {
    pub fn new(host: HtmlElement) -> Self {
        HostEvents { host: SendWrapper::new(host) }
    }

    /// `sanankoroba:step`, when the donor arrives on a step. `detail: { step, index }`.
    pub fn step(&self, step: &str, index: u32) {
        self.dispatch(STEP_EVENT, &[("step", DetailValue::Text(step)), ("index", DetailValue::Number(index.into()))]);
    }

    /// `sanankoroba:pledge`, after the endpoint acknowledged a pledge.
    /// `detail: { reference, option, frequency, amount_minor_units, currency }`.
    pub fn pledge(&self, reference: &str, pledge: &Outline) {
        self.dispatch(
            PLEDGE_EVENT,
            &[
                ("reference", DetailValue::Text(reference)),
                ("option", DetailValue::Text(pledge.option.as_str())),
                ("frequency", DetailValue::Text(pledge.frequency.as_str())),
                ("amount_minor_units", DetailValue::Number(pledge.amount.minor_units as f64)),
                ("currency", DetailValue::Text(pledge.amount.currency.code())),
            ],
        );
    }

    /// `sanankoroba:error`: `detail: { kind, message }`, where `kind` is `config`, `rejected`
    /// or `delivery`, and `message` is meant for the partner's developers, not for donors.
    pub fn error(&self, kind: &str, message: &str) {
        self.dispatch(ERROR_EVENT, &[("kind", DetailValue::Text(kind)), ("message", DetailValue::Text(message))]);
    }

    /// `sanankoroba:error` of kind `config`, with each refused attribute beside its message in
    /// `problems`, so that a page or a tool (the partner kit) can show each where it was set.
    pub fn config_error(&self, problems: &[(&str, String)]) {
        let message = problems.iter().map(|(_, message)| message.as_str()).collect::<Vec<_>>().join(" ");
        self.dispatch(
            ERROR_EVENT,
            &[
                ("kind", DetailValue::Text("config")),
                ("message", DetailValue::Text(&message)),
                ("problems", DetailValue::Problems(problems)),
            ],
        );
    }

    fn dispatch(&self, name: &str, detail: &[(&str, DetailValue)]) {
        let object = Object::new();
        for (key, value) in detail {
            let value = match value {
                DetailValue::Text(text) => JsValue::from_str(text),
                DetailValue::Number(number) => JsValue::from_f64(*number),
                DetailValue::Problems(problems) => problems
                    .iter()
                    .map(|(attribute, message)| {
                        let problem = Object::new();
                        let _ = Reflect::set(&problem, &"attribute".into(), &JsValue::from_str(attribute));
                        let _ = Reflect::set(&problem, &"message".into(), &JsValue::from_str(message));
                        JsValue::from(problem)
                    })
                    .collect::<js_sys::Array>()
                    .into(),
            };
            let _ = Reflect::set(&object, &JsValue::from_str(key), &value);
        }
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&object);
        // Exceptions thrown by the page's listeners are reported by the browser, not returned
        // here, so a broken listener cannot break the widget.
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.host.dispatch_event(&event);
        }
    }
}
