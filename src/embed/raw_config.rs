use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::config::{check_endpoint, ParsedUrl, RawConfig};

/// Reads the partner's configuration object, whose values are strings (attribute values), and
/// the page and browser languages used when `lang` is not given.
///
/// Anything that is not a string is treated as absent, so a partner passing `{currency: 5}`
/// gets the same clear message as one who left it out, never an exception.
pub fn read_raw_config(config: &JsValue) -> RawConfig {
    let string = |name: &str| -> Option<String> {
        if !config.is_object() {
            return None;
        }
        Reflect::get(config, &JsValue::from_str(name)).ok().and_then(|value| value.as_string())
    };
    let window = web_sys::window();
    let document_lang = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"));
    let browser_languages = window
        .map(|w| w.navigator().languages())
        .map(|languages| languages.iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    RawConfig {
        endpoint: string("endpoint"),
        partner: string("partner"),
        lang: string("lang"),
        currency: string("currency"),
        presets: string("presets"),
        privacy_url: string("privacy-url"),
        continue_url: string("continue-url"),
        document_lang,
        browser_languages,
    }
}

/// The browser's URL parser, the one `fetch` uses, reduced to what the checks read.
pub fn parse_url(text: &str) -> Option<ParsedUrl> {
    let url = web_sys::Url::new(text).ok()?;
    Some(ParsedUrl {
        href: url.href(),
        protocol: url.protocol(),
        hostname: url.hostname(),
        has_credentials: !url.username().is_empty() || !url.password().is_empty(),
    })
}

/// The address pledges for `endpoint` go to, or `None` if the widget would refuse it.
pub fn endpoint_href(endpoint: &str) -> Option<String> {
    check_endpoint(endpoint.trim(), &parse_url).ok()
}
