//! The embed contract: what a partner's page gets when it mounts the widget.

use sanankoroba_widget::config::RawConfig;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{mount, mount_with_sheet, raw_config, stylesheet, tick};

const ENDPOINT: &str = "https://charity.example.org/v1/pledges";

#[wasm_bindgen_test]
async fn renders_inside_an_open_shadow_root_and_nowhere_else() {
    let body_children_before = crate::support::document().body().unwrap().child_element_count();
    let widget = mount(&raw_config(ENDPOINT));
    tick().await;
    assert!(widget.query(".sk-root").is_some(), "the widget's root is in the shadow root");
    assert!(widget.query(".sk-frame").is_some(), "the flow is rendered");
    assert_eq!(widget.host.child_element_count(), 0, "nothing is rendered into the light DOM");
    assert_eq!(
        crate::support::document().body().unwrap().child_element_count(),
        body_children_before + 1,
        "only the host element itself was added to the page"
    );
    assert!(
        crate::support::document().query_selector(".sk-root").unwrap().is_none(),
        "the page cannot see into the widget"
    );
}

#[wasm_bindgen_test]
async fn adopts_the_shared_stylesheet_without_style_elements() {
    let sheet = stylesheet();
    let first = mount_with_sheet(&raw_config(ENDPOINT), &sheet);
    let second = mount_with_sheet(&raw_config(ENDPOINT), &sheet);
    tick().await;
    for widget in [&first, &second] {
        let adopted = widget.shadow.adopted_style_sheets();
        assert_eq!(adopted.length(), 1);
        assert!(
            adopted.get(0) == wasm_bindgen::JsValue::from(sheet.clone()),
            "the page's one sheet is shared, not copied"
        );
        assert!(widget.query("style").is_none(), "no <style> element");
        assert!(widget.query("[style]").is_none(), "no style attribute");
    }
    let display = web_sys::window().unwrap().get_computed_style(&first.host).unwrap().unwrap();
    assert_eq!(display.get_property_value("display").unwrap(), "block", "the :host rules apply");
}

#[wasm_bindgen_test]
async fn a_broken_config_shows_what_to_fix_and_no_flow() {
    let widget = mount(&RawConfig {
        endpoint: Some("http://evil.example/pledges".into()),
        currency: Some("JPY".into()),
        ..RawConfig::default()
    });
    tick().await;
    let alert = widget.expect("[role=alert]");
    let text = alert.text_content().unwrap();
    assert!(text.contains("\"endpoint\"") && text.contains("https:"), "{text}");
    assert!(text.contains("\"currency\"") && text.contains("JPY"), "{text}");
    assert!(widget.query(".sk-frame").is_none(), "the flow is not shown with a broken config");
    assert!(widget.query("form, button").is_none(), "nothing can be submitted");
}

#[wasm_bindgen_test]
async fn a_missing_endpoint_is_named() {
    let widget = mount(&RawConfig::default());
    tick().await;
    assert!(widget.expect("[role=alert]").text_content().unwrap().contains("\"endpoint\" attribute is required"));
}

#[wasm_bindgen_test]
async fn two_instances_are_independent() {
    let english = mount(&RawConfig { lang: Some("en".into()), ..raw_config(ENDPOINT) });
    let french = mount(&RawConfig { lang: Some("fr".into()), ..raw_config(ENDPOINT) });
    tick().await;
    assert_eq!(english.expect(".sk-frame").get_attribute("lang").as_deref(), Some("en"));
    assert_eq!(french.expect(".sk-frame").get_attribute("lang").as_deref(), Some("fr"));
    let mut english = english;
    english.handle.unmount();
    tick().await;
    assert!(english.query(".sk-root").is_none());
    assert!(french.query(".sk-frame").is_some(), "unmounting one leaves the other untouched");
}

#[wasm_bindgen_test]
async fn unmount_removes_everything_and_is_idempotent() {
    let mut widget = mount(&raw_config(ENDPOINT));
    tick().await;
    assert!(widget.handle.is_mounted());
    widget.handle.unmount();
    tick().await;
    assert!(!widget.handle.is_mounted());
    assert_eq!(widget.shadow.child_element_count(), 0, "the shadow root is empty");
    assert_eq!(widget.shadow.adopted_style_sheets().length(), 0, "the stylesheet is released");
    widget.handle.unmount();
    assert_eq!(widget.shadow.child_element_count(), 0);
}

/// The endpoint is read by the browser's own URL parser, the one `fetch` uses: what the widget
/// accepts is what every attempt is sent to, and what it refuses is named.
#[wasm_bindgen_test]
fn the_endpoint_is_read_by_the_browsers_url_parser() {
    use sanankoroba_widget::embed::endpoint_href;
    for (given, sent_to) in [
        ("HTTPS://Charity.EXAMPLE.org:443/v1/pledges", "https://charity.example.org/v1/pledges"),
        ("https://例え.jp/v1/pledges", "https://xn--r8jz45g.jp/v1/pledges"),
        ("  http://localhost:8080/v1/pledges  ", "http://localhost:8080/v1/pledges"),
        ("http://[::1]:8080/v1/pledges", "http://[::1]:8080/v1/pledges"),
    ] {
        assert_eq!(endpoint_href(given).as_deref(), Some(sent_to), "{given}");
    }
    for refused in [
        "https://exa mple.org/v1",
        "https://charity.example.org\\v1",
        "https://user:secret@charity.example.org/v1",
        "http://charity.example.org/v1",
        "https://",
        "https://[::1/v1",
        "javascript:alert(1)",
        "/v1/pledges",
    ] {
        assert_eq!(endpoint_href(refused), None, "{refused}");
    }
}

#[wasm_bindgen_test]
fn a_pledge_records_the_pages_origin_and_path_only() {
    use sanankoroba_widget::embed::{address_of, page_address};
    assert_eq!(
        address_of("https://School.example:443/sponsor/?utm_source=mail&session=abc#form").as_deref(),
        Some("https://school.example/sponsor/")
    );
    assert_eq!(address_of("about:srcdoc"), None);
    assert_eq!(address_of("file:///home/awa/page.html"), None);
    let location = js_sys::Reflect::get(&web_sys::window().unwrap(), &"location".into()).unwrap();
    let part = |name: &str| js_sys::Reflect::get(&location, &name.into()).unwrap().as_string().unwrap();
    assert_eq!(page_address(), format!("{}{}", part("origin"), part("pathname")));
}

#[wasm_bindgen_test]
async fn a_broken_config_is_explained_in_the_page_s_language() {
    let widget = mount(&RawConfig { lang: Some("fr".into()), currency: Some("JPY".into()), ..raw_config(ENDPOINT) });
    tick().await;
    let alert = widget.expect("[role=alert]");
    assert_eq!(alert.get_attribute("lang").as_deref(), Some("fr"));
    let text = alert.text_content().unwrap();
    assert!(text.contains("Ce formulaire de don n'est pas configuré correctement"), "{text}");
    assert!(text.contains("L'attribut «\u{a0}currency\u{a0}» doit valoir GBP, EUR, USD ou XOF"), "{text}");
}
