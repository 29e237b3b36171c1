//! Mounting widgets into real shadow roots, as the loader does, and waiting for the browser.

use std::time::Duration;

use sanankoroba_widget::config::RawConfig;
use sanankoroba_widget::embed::{mount_widget, WidgetHandle};
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

pub const WIDGET_CSS: &str = include_str!("../../style/widget.css");

pub struct Mounted {
    pub host: HtmlElement,
    pub shadow: ShadowRoot,
    pub handle: WidgetHandle,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.unmount();
        self.host.remove();
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

pub fn stylesheet() -> CssStyleSheet {
    let sheet = CssStyleSheet::new().unwrap();
    sheet.replace_sync(WIDGET_CSS).unwrap();
    sheet
}

pub fn raw_config(endpoint: &str) -> RawConfig {
    RawConfig { endpoint: Some(endpoint.to_owned()), ..RawConfig::default() }
}

/// Adds a `<sanankoroba-widget>`-like host to the page and mounts the widget in its shadow root.
pub fn mount(raw: &RawConfig) -> Mounted {
    mount_with_sheet(raw, &stylesheet())
}

pub fn mount_with_sheet(raw: &RawConfig, sheet: &CssStyleSheet) -> Mounted {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let shadow = host.attach_shadow(&init).unwrap();
    let handle = mount_widget(host.clone(), shadow.clone(), sheet.clone(), raw);
    Mounted { host, shadow, handle }
}

impl Mounted {
    pub fn query(&self, selector: &str) -> Option<Element> {
        self.shadow.query_selector(selector).unwrap()
    }

    pub fn expect(&self, selector: &str) -> Element {
        self.query(selector).unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    pub fn query_all(&self, selector: &str) -> Vec<Element> {
        let list = self.shadow.query_selector_all(selector).unwrap();
        (0..list.length()).filter_map(|i| list.item(i)).map(|node| node.unchecked_into()).collect()
    }

    pub fn text(&self) -> String {
        self.shadow.text_content().unwrap_or_default()
    }

    /// Clicks the first button whose visible text contains `label`.
    pub fn click_button(&self, label: &str) {
        let button = self
            .query_all("button")
            .into_iter()
            .find(|b| b.text_content().unwrap_or_default().contains(label))
            .unwrap_or_else(|| panic!("no button labelled {label:?}"));
        button.unchecked_into::<HtmlElement>().click();
    }
}

/// Lets Leptos's effects and the browser's tasks run.
pub async fn tick() {
    sleep(Duration::from_millis(0)).await;
}

pub async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, duration.as_millis() as i32)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}
