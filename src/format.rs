//! Formatting through the browser's `Intl`, in the widget's locale: amounts, dates, lists and
//! country names. The browser already carries this data for every language, so the widget
//! ships none of it.

use js_sys::{Array, Intl, Object, Reflect};
use pledge::{Amount, Locale};
use wasm_bindgen::JsValue;

fn locales(locale: Locale) -> Array {
    Array::of1(&JsValue::from_str(locale.as_str()))
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// `£25`, `£25.50`, `25,50 €`, `15 000 F CFA`: the currency's own decimals, dropped for whole
/// amounts so that suggestions read as round figures.
pub fn amount(amount: Amount, locale: Locale) -> String {
    let options = options(&[
        ("style", "currency"),
        ("currency", amount.currency.code()),
        ("trailingZeroDisplay", "stripIfInteger"),
    ]);
    let format = Intl::NumberFormat::new(&locales(locale), &options).format();
    format
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(amount.to_major_f64()))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| format!("{} {}", amount.to_decimal_string(), amount.currency.code()))
}

/// Today's date, written out in full: `27 November 2026`, `27 novembre 2026`.
pub fn today(locale: Locale) -> String {
    let format = Intl::DateTimeFormat::new(&locales(locale), &options(&[("dateStyle", "long")])).format();
    format.call1(&JsValue::UNDEFINED, &js_sys::Date::new_0()).ok().and_then(|text| text.as_string()).unwrap_or_default()
}

/// `by email and by post`, `par e-mail et par courrier`.
pub fn list(items: &[&str], locale: Locale) -> String {
    let array: Array = items.iter().map(|item| JsValue::from_str(item)).collect();
    Intl::ListFormat::new(&locales(locale), &options(&[("type", "conjunction")])).format(&array).into()
}

/// Every country the contract knows, as `(code, name in the donor's language)`, ordered the
/// way that language orders them (`Égypte` before `Espagne`), by the browser's collator.
pub fn countries(locale: Locale) -> Vec<(&'static str, String)> {
    let language = locales(locale);
    let names = Intl::DisplayNames::new(&language, &options(&[("type", "region")]));
    let compare = Intl::Collator::new(&language, &Object::new()).compare();
    let mut countries: Vec<(&'static str, String)> = Vec::with_capacity(pledge::COUNTRY_CODES.len());
    // Binary insertion: a few hundred comparisons in the browser, and no sort routine in the wasm.
    for code in pledge::COUNTRY_CODES {
        let name = names.of(code).map(String::from).unwrap_or_else(|| code.to_owned());
        let key = JsValue::from_str(&name);
        let at = countries.partition_point(|(_, other)| {
            let order = compare.call2(&JsValue::UNDEFINED, &JsValue::from_str(other), &key);
            order.ok().and_then(|order| order.as_f64()).unwrap_or(0.0) <= 0.0
        });
        countries.insert(at, (code, name));
    }
    countries
}

/// The name of one country in the donor's language, for the review.
pub fn country(code: &str, locale: Locale) -> String {
    Intl::DisplayNames::new(&locales(locale), &options(&[("type", "region")]))
        .of(code)
        .map(String::from)
        .unwrap_or_else(|| code.to_owned())
}
