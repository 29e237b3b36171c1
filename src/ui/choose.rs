use leptos::prelude::*;
use pledge::SponsorshipOption;

use super::context::Ctx;
use super::controls::{next_step, step_actions};
use super::errors::{error_summary, field_message};
use super::focus::{STEP_HEADING_ID, STEP_POSITION_ID};
use crate::flow::Field;

/// Step 1: how the donor would like to help, each option with one sentence about it.
pub fn choose_step(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let options = [
        (SponsorshipOption::Child, "sk-option-child", "sk-option-child-hint", t.option_child, t.option_child_hint),
        (
            SponsorshipOption::Village,
            "sk-option-village",
            "sk-option-village-hint",
            t.option_village,
            t.option_village_hint,
        ),
        (
            SponsorshipOption::OneOff,
            "sk-option-one-off",
            "sk-option-one-off-hint",
            t.option_one_off,
            t.option_one_off_hint,
        ),
    ];
    let radios = options
        .into_iter()
        .map(|(option, id, hint_id, label, hint)| {
            view! { class="sk",
                <div class="sk-choice">
                    <input
                        class="sk-radio"
                        type="radio"
                        name="sk-option"
                        id=id
                        value=option.as_str()
                        aria-describedby=hint_id
                        aria-invalid=move || ctx.invalid(Field::Option)
                        prop:checked=move || ctx.flow.with(|flow| flow.draft.option == Some(option))
                        on:change=move |_| ctx.flow.update(|flow| flow.choose(option))
                    />
                    <label class="sk-choice-label" for=id>{label}</label>
                    <p class="sk-hint sk-choice-hint" id=hint_id>{hint}</p>
                </div>
            }
        })
        .collect_view();
    view! { class="sk",
        <form class="sk-step" novalidate on:submit=next_step(ctx)>
            {error_summary(ctx)}
            <fieldset class="sk-group" id="sk-option" aria-describedby=move || ctx.error(Field::Option).map(|_| Field::Option.error_id())>
                <legend class="sk-legend">
                    <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1" aria-describedby=STEP_POSITION_ID>{t.choose_heading}</h3>
                </legend>
                {field_message(ctx, Field::Option)}
                <div class="sk-choices">{radios}</div>
            </fieldset>
            {step_actions(ctx, false)}
        </form>
    }
}
