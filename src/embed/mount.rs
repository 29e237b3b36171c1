use std::any::Any;

use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot};

use super::{parse_url, read_raw_config, HostEvents};
use crate::config::{locale_of, ConfigError, RawConfig, WidgetConfig};
use crate::flow::{plan, Change, Flow, Progress};
use crate::i18n::messages;
use crate::ui::{App, ConfigErrorPanel, Session};

/// A mounted widget. The loader keeps one per element and calls [`WidgetHandle::unmount`] when
/// the element leaves the page, or when a partner calls `unmount()` on the JS API's handle.
#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Option<Mounted>,
}

struct Mounted {
    shadow: ShadowRoot,
    container: Element,
    events: HostEvents,
    shown: Option<Shown>,
}

/// What the widget's root holds.
enum Shown {
    /// The partner's configuration was refused: a panel naming what to fix, on screen for as
    /// long as this is held.
    Refused { _panel: Box<dyn Any> },
    /// The flow, drawn over a session that outlives any one drawing of it.
    Flow {
        // Dropped first: Leptos's unmount handle disposes of the view's reactive owner, its
        // effects and every listener registered through it.
        view: Box<dyn Any>,
        session: Session,
        /// Owns the session's signals and its courier, which stops when this is dropped.
        owner: Owner,
        /// The configuration the donor's pledge is made with.
        config: WidgetConfig,
    },
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes everything the widget added to the shadow root and frees what it held.
    /// Calling it again does nothing.
    pub fn unmount(&mut self) {
        if let Some(mut mounted) = self.mounted.take() {
            mounted.shown = None;
            mounted.container.remove();
            mounted.shadow.set_adopted_style_sheets(&Array::new());
        }
    }

    #[wasm_bindgen(getter, js_name = isMounted)]
    pub fn is_mounted(&self) -> bool {
        self.mounted.is_some()
    }

    /// Takes the partner's changed settings (the same plain object as [`mount`]) without
    /// wiping what the donor entered; see [`WidgetHandle::reconfigure_with`].
    pub fn reconfigure(&mut self, config: JsValue) {
        self.reconfigure_with(&read_raw_config(&config));
    }
}

impl WidgetHandle {
    /// Language, presets and everything else that only changes what is shown apply in place:
    /// same step, same answers. A new endpoint, currency or partner id starts the flow again
    /// while the donor has given no details; once they have, their pledge is made and sent as
    /// it was begun, and the change waits ([`plan`] decides). Settings that are refused are
    /// reported as at mount, and take the widget's place only while nothing would be lost.
    pub fn reconfigure_with(&mut self, raw: &RawConfig) {
        if let Some(mounted) = &mut self.mounted {
            mounted.reconfigure(raw);
        }
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
    let mut mounted = Mounted { shadow, container, events: HostEvents::new(host), shown: None };
    match WidgetConfig::parse(raw, &parse_url) {
        Ok(config) => mounted.start(config),
        Err(errors) => mounted.refuse(raw, &errors),
    }
    WidgetHandle { mounted: Some(mounted) }
}

impl Mounted {
    fn reconfigure(&mut self, raw: &RawConfig) {
        let progress = match &self.shown {
            Some(Shown::Flow { session, .. }) => session.flow.with_untracked(Flow::progress),
            _ => Progress::NoDetails,
        };
        let next = match WidgetConfig::parse(raw, &parse_url) {
            Ok(next) => next,
            Err(errors) if progress == Progress::NoDetails => return self.refuse(raw, &errors),
            Err(errors) => {
                // The partner hears of it as at mount; the donor's pledge goes on as begun.
                report(&self.events, &errors);
                return;
            }
        };
        let Some(Shown::Flow { session, config, .. }) = &mut self.shown else {
            return self.start(next);
        };
        match plan(config, &next, progress) {
            Change::Nothing => {}
            Change::Restart => self.start(next),
            Change::InPlace => {
                let shown = session.flow.with_untracked(|flow| flow.shown_with(&next));
                *config = next;
                self.redraw(shown);
            }
            Change::AfterThePledge => {
                let (shown, changed) = session.flow.with_untracked(|flow| {
                    let shown = flow.shown_with(&next);
                    let changed = shown.settings() != flow.settings();
                    (shown, changed)
                });
                if changed {
                    self.redraw(shown);
                }
            }
        }
    }

    /// A new session with `config`, in place of whatever was shown.
    fn start(&mut self, config: WidgetConfig) {
        // The old session's courier stops before a new one starts for what may be the same
        // endpoint, so that the two never hold the same saved pledge.
        self.shown = None;
        let owner = Owner::new();
        let session = owner.with(|| Session::start(&config, self.events.clone()));
        let view = self.draw(&owner, session.clone());
        self.shown = Some(Shown::Flow { view, session, owner, config });
    }

    /// Draws the flow again over the same session, as `flow`: for a new language or new presets.
    fn redraw(&mut self, flow: Flow) {
        let Some(Shown::Flow { view, session, owner, .. }) = &mut self.shown else { return };
        // A donor typing when the page changed the language keeps their place.
        let focused = self.shadow.active_element().map(|element| element.id()).filter(|id| !id.is_empty());
        *view = Box::new(());
        session.flow.set(flow);
        let (session, owner) = (session.clone(), owner.clone());
        let drawn = self.draw(&owner, session);
        if let Some(Shown::Flow { view, .. }) = &mut self.shown {
            *view = drawn;
        }
        if let Some(element) = focused.and_then(|id| self.shadow.get_element_by_id(&id)) {
            let _ = element.unchecked_into::<HtmlElement>().focus();
        }
    }

    fn draw(&self, owner: &Owner, session: Session) -> Box<dyn Any> {
        let parent: HtmlElement = self.container.clone().unchecked_into();
        let events = self.events.clone();
        Box::new(owner.with(|| leptos::mount::mount_to(parent, move || view! { class="sk", <App session events /> })))
    }

    /// The panel naming what to fix, in place of whatever was shown.
    fn refuse(&mut self, raw: &RawConfig, errors: &[ConfigError]) {
        report(&self.events, errors);
        self.shown = None;
        // The panel is in the page's language, since whoever opens the page sees it.
        let locale = locale_of(raw);
        let shown: Vec<String> = errors.iter().map(|error| error.message_in(messages(locale))).collect();
        let parent: HtmlElement = self.container.clone().unchecked_into();
        let view =
            leptos::mount::mount_to(parent, move || view! { class="sk", <ConfigErrorPanel locale messages=shown /> });
        self.shown = Some(Shown::Refused { _panel: Box::new(view) });
    }
}

/// Tells the partner's developer, in English, in the console and in an event.
fn report(events: &HostEvents, errors: &[ConfigError]) {
    let problems: Vec<(&str, String)> = errors.iter().map(|error| (error.attribute, error.message())).collect();
    for (_, message) in &problems {
        web_sys::console::error_1(&format!("Sanankoroba widget: {message}").into());
    }
    events.config_error(&problems);
}
