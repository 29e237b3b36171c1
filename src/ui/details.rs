use leptos::prelude::*;

use super::context::ctx;
use super::controls::{next_step, Checkbox, StepActions, TextField};
use super::errors::{ErrorSummary, FieldMessage};
use super::focus::STEP_HEADING_ID;
use crate::flow::Field;
use crate::format;

const DECLARATION_ID: &str = "sk-gift-aid-declaration";

/// Step 3: who the donor is, Gift Aid where it applies, and how they may be contacted.
#[component]
pub fn DetailsStep() -> impl IntoView {
    let ctx = ctx();
    let t = ctx.text;
    view! { class="sk",
        <form class="sk-step" novalidate on:submit=next_step(ctx)>
            <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1">{t.details_heading}</h3>
            <ErrorSummary />
            <div class="sk-names">
                <TextField
                    field=Field::GivenName
                    label=t.given_name
                    autocomplete="given-name"
                    read=|draft| &draft.donor.given_name
                    write=|draft, value| draft.donor.given_name = value
                />
                <TextField
                    field=Field::FamilyName
                    label=t.family_name
                    autocomplete="family-name"
                    read=|draft| &draft.donor.family_name
                    write=|draft, value| draft.donor.family_name = value
                />
            </div>
            <TextField
                field=Field::Email
                label=t.email
                kind="email"
                autocomplete="email"
                hint=("sk-email-hint", t.email_hint)
                read=|draft| &draft.donor.email
                write=|draft, value| draft.donor.email = value
            />
            <CountrySelect />
            <Show when=move || ctx.flow.with(|flow| flow.gift_aid_offered())>
                <GiftAid />
            </Show>
            <fieldset class="sk-group sk-consent">
                <legend class="sk-legend sk-legend-small">{t.consent_legend}</legend>
                <p class="sk-hint">{t.consent_intro}</p>
                <Checkbox id="sk-consent-email" label=t.consent_email read=|draft| draft.consent.email write=|draft, on| draft.consent.email = on />
                <Checkbox id="sk-consent-post" label=t.consent_post read=|draft| draft.consent.post write=|draft, on| draft.consent.post = on />
                <Checkbox id="sk-consent-phone" label=t.consent_phone read=|draft| draft.consent.phone write=|draft, on| draft.consent.phone = on />
            </fieldset>
            <Honeypot />
            <StepActions back=true />
        </form>
    }
}

/// Countries named in the donor's language and sorted their way. Nothing is preselected:
/// guessing from the language would be wrong for many donors.
#[component]
fn CountrySelect() -> impl IntoView {
    let ctx = ctx();
    let field = Field::Country;
    // The step is rendered afresh on every visit, so marking the current choice once is enough.
    let chosen = ctx.flow.with_untracked(|flow| flow.draft.donor.country.clone());
    let options = format::countries(ctx.locale)
        .into_iter()
        .map(|(code, name)| view! { class="sk", <option value=code selected=code == chosen>{name}</option> })
        .collect_view();
    view! { class="sk",
        <div class="sk-field">
            <label class="sk-label" for=field.id()>{ctx.text.country}</label>
            <FieldMessage field />
            <select
                class="sk-input sk-select"
                id=field.id()
                autocomplete="country"
                aria-describedby=move || ctx.described_by(field, None)
                aria-invalid=move || ctx.invalid(field)
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    ctx.flow.update(|flow| flow.draft.donor.country = code);
                }
            >
                <option value="" selected=chosen.is_empty()>{ctx.text.country_prompt}</option>
                {options}
            </select>
        </div>
    }
}

/// The UK Gift Aid declaration, offered only for gifts in pounds from donors in the UK.
/// Ticking it asks for the home address HMRC needs.
#[component]
fn GiftAid() -> impl IntoView {
    let ctx = ctx();
    let t = ctx.text;
    let field = Field::GiftAid;
    view! { class="sk",
        <fieldset class="sk-group sk-gift-aid">
            <legend class="sk-legend sk-legend-small">{t.gift_aid_legend}</legend>
            <p class="sk-hint">{t.gift_aid_intro}</p>
            <FieldMessage field />
            <div class="sk-check">
                <input
                    class="sk-box"
                    type="checkbox"
                    id=field.id()
                    aria-describedby=move || ctx.described_by(field, Some(DECLARATION_ID))
                    aria-invalid=move || ctx.invalid(field)
                    prop:checked=move || ctx.flow.with(|flow| flow.draft.gift_aid)
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        ctx.flow.update(|flow| flow.draft.gift_aid = checked);
                    }
                />
                <label class="sk-check-label" for=field.id()>{t.gift_aid_checkbox}</label>
            </div>
            <p class="sk-declaration" id=DECLARATION_ID>{t.gift_aid_declaration}</p>
            <p class="sk-hint">{t.gift_aid_notice}</p>
            <Show when=move || ctx.flow.with(|flow| flow.draft.gift_aid)>
                <div class="sk-reveal">
                    <TextField
                        field=Field::HomeAddress
                        label=t.home_address
                        autocomplete="street-address"
                        hint=("sk-home-address-hint", t.home_address_hint)
                        read=|draft| &draft.home_address
                        write=|draft, value| draft.home_address = value
                    />
                    <TextField
                        field=Field::Postcode
                        label=t.postcode
                        autocomplete="postal-code"
                        read=|draft| &draft.postcode
                        write=|draft, value| draft.postcode = value
                    />
                </div>
            </Show>
        </fieldset>
    }
}

/// A field people never see or hear: it is off-screen, out of the tab order and hidden from
/// assistive technology, but still rendered, since many bots skip fields that are not.
#[component]
fn Honeypot() -> impl IntoView {
    let ctx = ctx();
    view! { class="sk",
        <div class="sk-hp" aria-hidden="true">
            <label for="sk-website">{ctx.text.honeypot}</label>
            <input
                id="sk-website"
                name="website"
                type="text"
                tabindex="-1"
                autocomplete="off"
                prop:value=move || ctx.flow.with(|flow| flow.draft.honeypot.clone())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    ctx.flow.update(|flow| flow.draft.honeypot = value);
                }
            />
        </div>
    }
}
