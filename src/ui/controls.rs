//! Form controls shared by the steps. Each is written once, with plain function pointers to
//! read and write its part of the draft, so the wasm carries one copy of its code.
//!
//! Steps and controls are plain functions rather than `#[component]`s: the macro wraps every
//! component in code of its own, and with one flow per widget there are no props to default.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::context::Ctx;
use super::errors::field_message;
use crate::flow::{Draft, Field};

/// A labelled text input with its optional hint and its inline error.
pub struct TextInput {
    pub field: Field,
    pub label: &'static str,
    /// The `autocomplete` token, so browsers can fill in what the donor has given them before.
    pub autocomplete: &'static str,
    /// `text` unless the value has a type of its own, such as `email`.
    pub kind: &'static str,
    /// The id and text of a hint shown under the label.
    pub hint: Option<(&'static str, &'static str)>,
    pub read: fn(&Draft) -> &str,
    pub write: fn(&mut Draft, String),
}

pub fn text_field(ctx: Ctx, input: TextInput) -> impl IntoView {
    let TextInput { field, label, autocomplete, kind, hint, read, write } = input;
    let hint_id = hint.map(|(id, _)| id);
    view! { class="sk",
        <div class="sk-field">
            <label class="sk-label" for=field.id()>{label}</label>
            {hint.map(|(id, text)| view! { class="sk", <p class="sk-hint" id=id>{text}</p> })}
            {field_message(ctx, field)}
            <input
                class="sk-input"
                id=field.id()
                type=kind
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=move || ctx.described_by(field, hint_id)
                aria-invalid=move || ctx.invalid(field)
                prop:value=move || ctx.flow.with(|flow| read(&flow.draft).to_owned())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    ctx.flow.update(|flow| write(&mut flow.draft, value));
                }
            />
        </div>
    }
}

/// A checkbox whose label follows it, as people expect to read and click it.
pub fn checkbox(
    ctx: Ctx,
    id: &'static str,
    label: &'static str,
    read: fn(&Draft) -> bool,
    write: fn(&mut Draft, bool),
) -> impl IntoView {
    view! { class="sk",
        <div class="sk-check">
            <input
                class="sk-box"
                type="checkbox"
                id=id
                prop:checked=move || ctx.flow.with(|flow| read(&flow.draft))
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    ctx.flow.update(|flow| write(&mut flow.draft, checked));
                }
            />
            <label class="sk-check-label" for=id>{label}</label>
        </div>
    }
}

/// Next (the form's submit button, so Enter in a field also moves on) and, after the first
/// step, Back.
pub fn step_actions(ctx: Ctx, back: bool) -> impl IntoView {
    view! { class="sk",
        <div class="sk-actions">
            <button class="sk-button sk-primary" type="submit">{ctx.text.next}</button>
            {back.then(|| back_button(ctx))}
        </div>
    }
}

pub fn back_button(ctx: Ctx) -> impl IntoView {
    view! { class="sk",
        <button class="sk-button sk-secondary" type="button" on:click=move |_| ctx.flow.update(|flow| { flow.back(); })>
            {ctx.text.back}
        </button>
    }
}

/// Submitting a step's form asks the flow to move on; the browser's own validation is off
/// (`novalidate`) so every message comes from the shared rules, in the donor's language.
pub fn next_step(ctx: Ctx) -> impl Fn(SubmitEvent) + 'static {
    move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.flow.update(|flow| {
            flow.advance();
        });
    }
}
