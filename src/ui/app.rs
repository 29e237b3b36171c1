use leptos::html::Div;
use leptos::prelude::*;

use super::amount::amount_step;
use super::choose::choose_step;
use super::confirm::{confirm_step, status_text};
use super::context::Ctx;
use super::details::details_step;
use super::focus::{move_focus, STEP_POSITION_ID};
use super::progress::progress;
use super::review::review_step;
use super::session::Session;
use super::story::story;
use super::thanks::thanks_step;
use crate::delivery::DeliveryStatus;
use crate::embed::HostEvents;
use crate::flow::Step;
use crate::i18n::{fill, messages};

/// The id of the widget's title, which names its region.
const TITLE_ID: &str = "sk-title";

/// The widget's root: the story, the step indicator, the step on screen and a live region.
#[component]
pub fn App(
    /// The donor's visit: their answers and the courier for their pledge. It may outlive this
    /// view, which is drawn again when the partner changes the language or the presets.
    session: Session,
    /// Where the host page hears about steps, pledges and errors.
    events: HostEvents,
) -> impl IntoView {
    let Session { flow, courier, shown_at, announced } = session;
    let (locale, currency) = flow.with_untracked(|flow| (flow.settings().locale, flow.settings().currency));
    let text = messages(locale);
    let status = courier.status();
    let ctx = Ctx { flow, text, locale, currency, shown_at };

    let step = Memo::new(move |_| flow.with(|flow| flow.step()));
    let started = Memo::new(move |_| flow.with(|flow| flow.started()));
    let frame = NodeRef::<Div>::new();

    Effect::new(move |_| {
        let step = step.get();
        if announced.get_value() != Some(step) {
            announced.set_value(Some(step));
            events.step(step.name(), step.index());
        }
    });
    // Focus moves only in answer to the donor, never when the widget first appears: the host
    // page keeps its focus until the donor comes to the widget.
    Effect::new(move |previous: Option<u32>| {
        let request = flow.with(|flow| flow.focus().1);
        if previous.is_some_and(|previous| previous != request) {
            // In a task of its own, after the new step's controls have been rendered. Browsers
            // do not promise to run such tasks in order, so only the latest request is served.
            set_timeout(
                move || match (flow.try_with_untracked(|flow| flow.focus()), frame.get_untracked()) {
                    (Some((focus, latest)), Some(frame)) if latest == request => move_focus(&frame, focus),
                    _ => {}
                },
                std::time::Duration::ZERO,
            );
        }
        request
    });
    // A final answer from the receiver moves the flow on.
    Effect::new(move |_| match status.get() {
        DeliveryStatus::Received { reference } => flow.update(|flow| flow.received(reference)),
        // Only the pledge on screen: never one resent from an earlier visit.
        DeliveryStatus::Rejected { errors, .. }
            if flow.with_untracked(|flow| flow.step() == Step::Confirm && flow.in_flight()) =>
        {
            flow.update(|flow| flow.rejected(&errors))
        }
        _ => {}
    });

    // A step change is heard once: focus moves to the new step's heading, which screen readers
    // read with its description, the step's position. The live region speaks only of what
    // changes while a step is on screen: where the pledge stands, and a refusal.
    let position = move || {
        let step = step.get();
        let names = [text.step_choose, text.step_amount, text.step_details, text.step_review, text.step_confirm];
        names.get(step.index() as usize).filter(|_| step != Step::Thanks).map(|name| {
            fill(
                text.step_position,
                &[
                    ("current", &(step.index() + 1).to_string()),
                    ("total", &Step::INDICATED.len().to_string()),
                    ("name", name),
                ],
            )
        })
    };
    // The delivery status when the step on screen appeared: the heading covers it.
    let status_on_arrival = Memo::new(move |_| {
        step.track();
        status.get_untracked()
    });
    let announcement = move || match step.get() {
        Step::Confirm if flow.with(|flow| flow.refused()) => text.refused.to_owned(),
        Step::Confirm => {
            let now = status.get();
            if status_on_arrival.get() == now {
                String::new()
            } else {
                status_text(ctx, &now)
            }
        }
        _ => String::new(),
    };

    let current_step = move || match step.get() {
        Step::Choose => choose_step(ctx).into_any(),
        Step::Amount => amount_step(ctx).into_any(),
        Step::Details => details_step(ctx).into_any(),
        Step::Review => review_step(ctx, courier.clone()).into_any(),
        Step::Confirm => confirm_step(ctx, courier.clone()).into_any(),
        Step::Thanks => thanks_step(ctx).into_any(),
    };

    view! { class="sk",
        // No part of the widget scrolls inside: before the donor starts, the title, the lead,
        // the question and its options fit the height the loader reserved, at any width from
        // 280 px; once the donor acts, the widget grows with its content.
        <div
            class="sk-frame"
            class:sk-started=move || started.get()
            lang=locale.as_str()
            dir="ltr"
            role="region"
            aria-labelledby=TITLE_ID
            node_ref=frame
        >
            <h2 class="sk-title" id=TITLE_ID>{text.title}</h2>
            <div class="sk-columns">
                {story(ctx)}
                <div class="sk-flow">
                    {progress(ctx)}
                    <p class="sk-visually-hidden" id=STEP_POSITION_ID>{position}</p>
                    <p class="sk-visually-hidden" role="status" aria-live="polite">{announcement}</p>
                    {current_step}
                </div>
            </div>
        </div>
    }
}
