use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::context::Ctx;
use super::focus::{frame_of, move_focus, ERROR_SUMMARY_ID};
use crate::flow::{Field, Focus};

/// The step's problems, each linking to its field. It appears, and takes focus, when a step is
/// submitted with errors, so the donor hears at once what needs fixing.
pub fn error_summary(ctx: Ctx) -> impl IntoView {
    move || {
        let errors = ctx.flow.with(|flow| flow.errors());
        (!errors.is_empty()).then(|| {
            let items = errors
                .into_iter()
                .map(|error| {
                    let field = error.field;
                    // Fragment links cannot reach into a shadow root, so the link moves focus itself.
                    let go = move |ev: leptos::ev::MouseEvent| {
                        ev.prevent_default();
                        let link: Option<Element> = ev.current_target().and_then(|t| t.dyn_into().ok());
                        if let Some(frame) = link.as_ref().and_then(frame_of) {
                            move_focus(&frame, Focus::Field(field));
                        }
                    };
                    view! { class="sk",
                        <li><a href=format!("#{}", field.id()) on:click=go>{ctx.problem_text(field, error.problem)}</a></li>
                    }
                })
                .collect_view();
            view! { class="sk",
                <div class="sk-summary" id=ERROR_SUMMARY_ID tabindex="-1" role="group" aria-labelledby="sk-error-summary-title">
                    <h4 class="sk-summary-title" id="sk-error-summary-title">{ctx.text.error_summary}</h4>
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}

/// The inline message under a field, referenced by the field's `aria-describedby`.
pub fn field_message(ctx: Ctx, field: Field) -> impl IntoView {
    move || {
        ctx.error(field).map(|problem| {
            view! { class="sk",
                <p class="sk-error" id=field.error_id()>
                    <span class="sk-visually-hidden">{ctx.text.error_prefix}" "</span>
                    {ctx.problem_text(field, problem)}
                </p>
            }
        })
    }
}
