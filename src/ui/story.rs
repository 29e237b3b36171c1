use leptos::prelude::*;

use super::context::Ctx;
use super::map::location_map;

/// Sanankoroba in two sentences beside the first question, and the whole story, with its map,
/// behind a disclosure the donor opens when they wish: the question is in view at once, and
/// reading on is a choice. The lead steps aside once the donor has started.
pub fn story(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    view! { class="sk",
        <div class="sk-intro">
            <p class="sk-lead" hidden=move || ctx.flow.with(|flow| flow.started())>{t.story_lead}</p>
            <details class="sk-story">
                <summary class="sk-story-summary">{t.story_heading}</summary>
                <div class="sk-story-body">
                    {location_map(t)}
                    <p>{t.story_place}</p>
                    <p>{t.story_hardship}</p>
                    <p>{t.story_conflict}</p>
                    <p>{t.story_families}</p>
                    <p>{t.story_homes}</p>
                </div>
            </details>
        </div>
    }
}
