use leptos::prelude::*;

use super::context::Ctx;
use super::focus::STEP_HEADING_ID;
use super::review::pledge_summary;
use crate::config::continue_href;
use crate::embed::parse_url;
use crate::format;
use crate::i18n::fill;

/// After the receiver has the pledge: its reference, and what happens next. Only what the
/// charity has promised is said: that it will be in touch about setting up the gift.
pub fn thanks_step(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let flow = ctx.flow.get_untracked();
    let reference = flow.reference().unwrap_or_default().to_owned();
    let name = flow.draft.donor.given_name.trim().to_owned();
    let email = flow.draft.donor.email.trim().to_owned();
    // The reference sits in a span of its own so it never breaks at a hyphen: a donor who
    // copies it down from two lines could easily get it wrong.
    let (before_reference, after_reference) =
        t.thanks_reference.split_once("{reference}").unwrap_or((t.thanks_reference, ""));
    // The charity's own page for setting up the gift, when the partner gave one. A link the
    // donor chooses to follow, never a redirect.
    let set_up = flow
        .settings()
        .continue_url
        .as_deref()
        .and_then(|template| continue_href(template, &reference, &parse_url))
        .map(|href| {
            view! { class="sk",
                <p>{t.thanks_continue_intro}</p>
                <p class="sk-actions"><a class="sk-button sk-primary sk-continue" href=href>{t.thanks_continue}</a></p>
            }
        });
    let summary =
        fill(t.thanks_summary, &[("pledge", &pledge_summary(ctx, &flow)), ("date", &format::today(ctx.locale))]);
    view! { class="sk",
        <div class="sk-step sk-thanks">
            <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1">{fill(t.thanks_heading, &[("name", &name)])}</h3>
            <p class="sk-reference">{before_reference}<span class="sk-reference-code">{reference}</span>{after_reference}</p>
            <p>{summary}</p>
            <h4 class="sk-subheading">{t.thanks_next_heading}</h4>
            <p>{fill(t.thanks_next, &[("email", &email)])}</p>
            {set_up}
        </div>
    }
}
