use leptos::prelude::*;

use super::context::Ctx;
use super::map::location_map;

/// The village's story, readable in under a minute. It is open until the donor starts, then
/// folds away behind its summary so the flow has the room.
pub fn story(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    view! { class="sk",
        <details class="sk-story" prop:open=move || !ctx.flow.with(|flow| flow.started())>
            <summary class="sk-story-summary">{t.story_heading}</summary>
            <div class="sk-story-body">
                {location_map(t)}
                <p>{t.story_place}</p>
                <p>{t.story_hardship}</p>
                <p>{t.story_families}</p>
                <p>{t.story_homes}</p>
            </div>
        </details>
    }
}
