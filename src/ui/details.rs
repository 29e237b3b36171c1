use leptos::prelude::*;

use super::context::Ctx;
use super::controls::{checkbox, next_step, step_actions, text_field, TextInput};
use super::errors::{error_summary, field_message};
use super::focus::{STEP_HEADING_ID, STEP_POSITION_ID};
use crate::flow::Field;
use crate::format;

const DECLARATION_ID: &str = "sk-gift-aid-declaration";
const GIFT_AID_INTRO_ID: &str = "sk-gift-aid-intro";
const GIFT_AID_NOTICE_ID: &str = "sk-gift-aid-notice";
const CONSENT_INTRO_ID: &str = "sk-consent-intro";

/// Step 3: who the donor is, Gift Aid where it applies, and how they may be contacted.
pub fn details_step(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let field = |field, label, autocomplete, read, write| TextInput {
        field,
        label,
        autocomplete,
        kind: "text",
        hint: None,
        read,
        write,
    };
    view! { class="sk",
        <form class="sk-step" novalidate on:submit=next_step(ctx)>
            <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1" aria-describedby=STEP_POSITION_ID>{t.details_heading}</h3>
            {privacy_notice(ctx)}
            {error_summary(ctx)}
            <div class="sk-names">
                {text_field(ctx, field(Field::GivenName, t.given_name, "given-name", |draft| &draft.donor.given_name, |draft, value| draft.donor.given_name = value))}
                {text_field(ctx, field(Field::FamilyName, t.family_name, "family-name", |draft| &draft.donor.family_name, |draft, value| draft.donor.family_name = value))}
            </div>
            {text_field(ctx, TextInput {
                kind: "email",
                hint: Some(("sk-email-hint", t.email_hint)),
                ..field(Field::Email, t.email, "email", |draft| &draft.donor.email, |draft, value| draft.donor.email = value)
            })}
            {country_select(ctx)}
            {gift_aid(ctx)}
            // The introduction is the group's description, so a screen reader reads it on the way
            // into the boxes, as a sighted donor reads it above them.
            <fieldset class="sk-group sk-consent" aria-describedby=CONSENT_INTRO_ID>
                <legend class="sk-legend sk-legend-small">{t.consent_legend}</legend>
                <p class="sk-hint" id=CONSENT_INTRO_ID>{t.consent_intro}</p>
                {checkbox(ctx, "sk-consent-email", t.consent_email, |draft| draft.consent.email, |draft, on| draft.consent.email = on)}
                {checkbox(ctx, "sk-consent-post", t.consent_post, |draft| draft.consent.post, |draft, on| draft.consent.post = on)}
                {postal_address(ctx)}
                {checkbox(ctx, "sk-consent-phone", t.consent_phone, |draft| draft.consent.phone, |draft, on| draft.consent.phone = on)}
                <div class="sk-reveal" hidden=move || !ctx.flow.with(|flow| flow.draft.consent.phone)>
                    {text_field(ctx, TextInput {
                        kind: "tel",
                        hint: Some(("sk-phone-hint", t.phone_hint)),
                        ..field(Field::Phone, t.phone, "tel", |draft| &draft.phone, |draft, value| draft.phone = value)
                    })}
                </div>
            </fieldset>
            {honeypot(ctx)}
            {step_actions(ctx, true)}
        </form>
    }
}

/// The charity's privacy notice, when the partner linked it. It opens in a new tab, and says
/// so, because leaving the page would leave the details half entered.
fn privacy_notice(ctx: Ctx) -> Option<impl IntoView> {
    let href = ctx.flow.with_untracked(|flow| flow.settings().privacy_url.clone())?;
    Some(view! { class="sk",
        <p class="sk-privacy">
            <a class="sk-text-link" href=href target="_blank" rel="noopener noreferrer">{ctx.text.privacy_link}</a>
        </p>
    })
}

/// Countries named in the donor's language and sorted their way. Nothing is preselected:
/// guessing from the language would be wrong for many donors.
fn country_select(ctx: Ctx) -> impl IntoView {
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
            {field_message(ctx, field)}
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
/// Ticking it asks for the home address HMRC needs. Both parts stay in the page and are hidden
/// when they do not apply: `hidden` also takes them out of the tab order and the accessibility
/// tree.
fn gift_aid(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let field = Field::GiftAid;
    let text = |field, label, autocomplete, hint, read, write| TextInput {
        field,
        label,
        autocomplete,
        kind: "text",
        hint,
        read,
        write,
    };
    view! { class="sk",
        <fieldset
            class="sk-group sk-gift-aid"
            aria-describedby=format!("{GIFT_AID_INTRO_ID} {GIFT_AID_NOTICE_ID}")
            hidden=move || !ctx.flow.with(|flow| flow.gift_aid_offered())
        >
            <legend class="sk-legend sk-legend-small">{t.gift_aid_legend}</legend>
            <p class="sk-hint" id=GIFT_AID_INTRO_ID>{t.gift_aid_intro}</p>
            {field_message(ctx, field)}
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
            <p class="sk-hint" id=GIFT_AID_NOTICE_ID>{t.gift_aid_notice}</p>
            <div class="sk-reveal" hidden=move || !ctx.flow.with(|flow| flow.draft.gift_aid)>
                {text_field(ctx, text(Field::HomeAddress, t.home_address, "street-address", Some(("sk-home-address-hint", t.home_address_hint)), |draft| &draft.home_address, |draft, value| draft.home_address = value))}
                {text_field(ctx, text(Field::Postcode, t.postcode, "postal-code", None, |draft| &draft.postcode, |draft, value| draft.postcode = value))}
            </div>
        </fieldset>
    }
}

/// Where letters go, asked for only once the donor agrees to letters. A Gift Aid declaration's
/// home address serves instead, and the donor is told so rather than asked twice.
fn postal_address(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let currency = ctx.currency;
    let field = |field, label, autocomplete, hint, read, write| TextInput {
        field,
        label,
        autocomplete,
        kind: "text",
        hint,
        read,
        write,
    };
    view! { class="sk",
        <div class="sk-reveal" hidden=move || !ctx.flow.with(|flow| flow.draft.consent.post)>
            <p class="sk-hint" hidden=move || ctx.flow.with(|flow| flow.draft.postal_address_asked(currency))>{t.post_to_home_address}</p>
            <div hidden=move || !ctx.flow.with(|flow| flow.draft.postal_address_asked(currency))>
                {text_field(ctx, field(Field::PostalAddress, t.postal_address, "street-address", Some(("sk-postal-address-hint", t.postal_address_hint)), |draft| &draft.postal_address, |draft, value| draft.postal_address = value))}
                {text_field(ctx, field(Field::PostalPostcode, t.postal_postcode, "postal-code", None, |draft| &draft.postal_postcode, |draft, value| draft.postal_postcode = value))}
            </div>
        </div>
    }
}

/// A field people never see or hear: it is off-screen, out of the tab order and hidden from
/// assistive technology, but still rendered, since many bots skip fields that are not.
fn honeypot(ctx: Ctx) -> impl IntoView {
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
