use std::any::Any;

use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot};

use super::{parse_url, read_raw_config, HostEvents};
use crate::config::{locale_of, RawConfig, WidgetConfig};
use crate::i18n::messages;
use crate::ui::{App, ConfigErrorPanel};

/// A mounted widget. The loader keeps one per element and calls [`WidgetHandle::unmount`] when
/// the element leaves the page, or when a partner calls `unmount()` on the JS API's handle.
#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Option<Mounted>,
}

struct Mounted {
    // Dropping Leptos's unmount handle disposes of the reactive owner: signals, effects and
    // every listener registered through it, including those on `window`.
    view: Box<dyn Any>,
    shadow: ShadowRoot,
    container: Element,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes everything the widget added to the shadow root and frees what it held.
    /// Calling it again does nothing.
    pub fn unmount(&mut self) {
        if let Some(Mounted { view, shadow, container }) = self.mounted.take() {
            drop(view);
            container.remove();
            shadow.set_adopted_style_sheets(&Array::new());
        }
    }

    #[wasm_bindgen(getter, js_name = isMounted)]
    pub fn is_mounted(&self) -> bool {
        self.mounted.is_some()
    }
}

/// The loader's entry point: `config` is a plain object of attribute strings.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, shadow: ShadowRoot, sheet: CssStyleSheet, config: JsValue) -> WidgetHandle {
    mount_widget(host, shadow, sheet, &read_raw_config(&config))
}

/// Renders the widget, or a configuration error naming what to fix, into `shadow`.
///
/// The stylesheet is shared by every widget on the page, so the browser parses the CSS once.
pub fn mount_widget(host: HtmlElement, shadow: ShadowRoot, sheet: CssStyleSheet, raw: &RawConfig) -> WidgetHandle {
    // In development builds and the browser tests, a panic's message reaches the console. The
    // shipped build aborts on a panic without one, so the hook would be dead weight there.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    shadow.set_adopted_style_sheets(&Array::of1(&sheet));
    let container = document().create_element("div").expect("creating a div cannot fail");
    container.set_class_name("sk-root");
    let _ = shadow.append_child(&container);
    let parent: HtmlElement = container.clone().unchecked_into();
    let events = HostEvents::new(host);

    let view: Box<dyn Any> = match WidgetConfig::parse(raw, &parse_url) {
        Ok(config) => Box::new(leptos::mount::mount_to(parent, move || view! { class="sk", <App config events /> })),
        Err(errors) => {
            // The partner's developer reads English in the console and the event; the panel is
            // in the page's language, since whoever opens the page sees it.
            let console: Vec<String> = errors.iter().map(|error| error.message()).collect();
            for message in &console {
                web_sys::console::error_1(&format!("Sanankoroba widget: {message}").into());
            }
            events.error("config", &console.join(" "));
            let locale = locale_of(raw);
            let shown: Vec<String> = errors.iter().map(|error| error.message_in(messages(locale))).collect();
            Box::new(leptos::mount::mount_to(parent, move || view! { class="sk", <ConfigErrorPanel locale messages=shown /> }))
        }
    };
    WidgetHandle { mounted: Some(Mounted { view, shadow, container }) }
}
