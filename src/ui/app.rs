use leptos::prelude::*;

use crate::config::WidgetConfig;
use crate::embed::HostEvents;

/// The widget's root.
#[component]
pub fn App(
    /// The partner's checked configuration.
    config: WidgetConfig,
    /// Where the host page hears about steps, pledges and errors.
    events: HostEvents,
) -> impl IntoView {
    let _ = events;
    view! { class="sk",
        <div class="sk-frame" lang=config.locale.as_str()>
            <h2 class="sk-title">"Sponsor a child in Sanankoroba"</h2>
        </div>
    }
}
