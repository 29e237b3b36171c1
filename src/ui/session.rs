//! A donor's visit to one widget: what they entered and the courier carrying their pledge.
//!
//! It outlives the view that shows it. When the partner's page changes the language or the
//! suggested amounts, the view is drawn again over the same session, so nothing the donor typed
//! is lost, the pledge in flight keeps its courier and the fill time keeps counting from the
//! first view.

use leptos::prelude::*;

use super::context::monotonic_ms;
use crate::config::WidgetConfig;
use crate::delivery::Courier;
use crate::embed::HostEvents;
use crate::flow::{Flow, Settings, Step};

/// Cheap to clone: every field is a handle.
#[derive(Clone)]
pub struct Session {
    pub flow: RwSignal<Flow>,
    pub courier: Courier,
    /// [`monotonic_ms`] when the first step was first shown, for the pledge's fill time.
    pub shown_at: f64,
    /// The step the page last heard of in a `sanankoroba:step` event: a view drawn again for
    /// a new language is not a new step.
    pub announced: StoredValue<Option<Step>>,
}

impl Session {
    /// Starts a visit with `config`. Call it under the reactive owner that should hold it: the
    /// courier's listeners and timers go when that owner is disposed of.
    pub fn start(config: &WidgetConfig, events: HostEvents) -> Session {
        let settings = Settings {
            currency: config.currency,
            presets: config.presets.clone(),
            partner: config.partner.clone(),
            locale: config.locale,
            privacy_url: config.privacy_url.clone(),
            continue_url: config.continue_url.clone(),
        };
        Session {
            flow: RwSignal::new(Flow::new(settings)),
            courier: Courier::new(&config.endpoint, &config.partner, events),
            shown_at: monotonic_ms(),
            announced: StoredValue::new(None),
        }
    }
}
