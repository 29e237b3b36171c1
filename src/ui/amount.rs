use leptos::prelude::*;
use pledge::{Amount, Frequency, SponsorshipOption};

use super::context::Ctx;
use super::controls::{next_step, step_actions};
use super::errors::{error_summary, field_message};
use super::focus::{STEP_HEADING_ID, STEP_POSITION_ID};
use crate::flow::Field;
use crate::format;
use crate::i18n::fill;

const HINT_ID: &str = "sk-amount-hint";

/// Step 2: the partner's suggested amounts for the chosen option, or any amount in range.
pub fn amount_step(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let (option, presets) = ctx.flow.with_untracked(|flow| {
        let option = flow.draft.option.unwrap_or(SponsorshipOption::Child);
        (option, flow.settings().presets.for_option(option).to_vec())
    });
    let heading = match option.frequency() {
        Frequency::Monthly => t.amount_heading_monthly,
        Frequency::Once => t.amount_heading_once,
    };
    let range = fill(
        t.amount_range,
        &[
            ("min", &format::amount(Amount::new(ctx.currency.minimum(), ctx.currency), ctx.locale)),
            ("max", &format::amount(Amount::new(ctx.currency.maximum(), ctx.currency), ctx.locale)),
        ],
    );
    let choices = presets
        .into_iter()
        .enumerate()
        .map(|(index, amount)| {
            let id = format!("sk-amount-{index}");
            view! { class="sk",
                <div class="sk-preset">
                    <input
                        class="sk-preset-input"
                        type="radio"
                        name="sk-amount"
                        id=id.clone()
                        value=amount.to_decimal_string()
                        aria-invalid=move || ctx.invalid(Field::Amount)
                        prop:checked=move || ctx.flow.with(|flow| flow.draft.preset == Some(amount))
                        on:change=move |_| ctx.flow.update(|flow| flow.pick_preset(amount))
                    />
                    <label class="sk-preset-label" for=id>{format::amount(amount, ctx.locale)}</label>
                </div>
            }
        })
        .collect_view();
    view! { class="sk",
        <form class="sk-step" novalidate on:submit=next_step(ctx)>
            {error_summary(ctx)}
            <fieldset class="sk-group" id="sk-amount" aria-describedby=move || ctx.error(Field::Amount).map(|_| Field::Amount.error_id())>
                <legend class="sk-legend">
                    <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1" aria-describedby=STEP_POSITION_ID>{heading}</h3>
                </legend>
                {field_message(ctx, Field::Amount)}
                <div class="sk-presets">{choices}</div>
                <div class="sk-field sk-other-amount">
                    <label class="sk-label" for=Field::Amount.id()>{t.amount_other}</label>
                    <p class="sk-hint" id=HINT_ID>{range}</p>
                    <input
                        class="sk-input sk-input-amount"
                        id=Field::Amount.id()
                        type="text"
                        inputmode="decimal"
                        autocomplete="transaction-amount"
                        aria-describedby=move || ctx.described_by(Field::Amount, Some(HINT_ID))
                        aria-invalid=move || ctx.invalid(Field::Amount)
                        prop:value=move || ctx.flow.with(|flow| flow.draft.other_amount.clone())
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            ctx.flow.update(|flow| flow.type_other_amount(typed));
                        }
                    />
                </div>
            </fieldset>
            {step_actions(ctx, true)}
        </form>
    }
}
