use leptos::prelude::*;
use pledge::{Frequency, SponsorshipOption};

use super::context::{monotonic_ms, Ctx};
use super::controls::back_button;
use super::focus::{STEP_HEADING_ID, STEP_POSITION_ID};
use crate::delivery::{new_idempotency_key, Courier};
use crate::embed::page_address;
use crate::flow::{Field, Flow, Submission};
use crate::format;
use crate::i18n::fill;

/// Step 4: everything the donor entered, each section with an Edit button that opens its step
/// with focus on the field, and the button that confirms the pledge.
pub fn review_step(ctx: Ctx, courier: Courier) -> impl IntoView {
    let t = ctx.text;
    let flow = ctx.flow.get_untracked();
    let draft = &flow.draft;

    let mut sections = vec![
        (t.review_option, vec![option_label(ctx, draft.option).to_owned()], Field::Option, t.edit_option),
        (t.review_amount, vec![pledge_summary(ctx, &flow)], Field::Amount, t.edit_amount),
        (
            t.review_details,
            vec![
                format!("{} {}", draft.donor.given_name.trim(), draft.donor.family_name.trim()),
                draft.donor.email.trim().to_owned(),
                format::country(&draft.donor.country, ctx.locale),
            ],
            Field::GivenName,
            t.edit_details,
        ),
    ];
    if flow.gift_aid_offered() {
        let lines = match draft.gift_aid {
            true => {
                vec![t.gift_aid_yes.to_owned(), draft.home_address.trim().to_owned(), draft.postcode.trim().to_owned()]
            }
            false => vec![t.gift_aid_no.to_owned()],
        };
        sections.push((t.review_gift_aid, lines, Field::GiftAid, t.edit_gift_aid));
    }
    let channels: Vec<&str> = [
        (draft.consent.email, t.consent_email),
        (draft.consent.post, t.consent_post),
        (draft.consent.phone, t.consent_phone),
    ]
    .into_iter()
    .filter_map(|(chosen, label)| chosen.then_some(label))
    .collect();
    let contact = match channels.is_empty() {
        true => t.consent_none.to_owned(),
        false => format::list(&channels, ctx.locale),
    };
    // The contact details exactly as the pledge will carry them.
    let sent = draft.trimmed_donor(ctx.currency);
    let mut lines = vec![contact];
    lines.extend(sent.phone);
    if let Some(address) = sent.postal_address {
        lines.extend([address.address, address.postcode].into_iter().filter(|line| !line.is_empty()));
    }
    sections.push((t.review_consent, lines, Field::Consent, t.edit_consent));

    let rows = sections
        .into_iter()
        .map(|(title, lines, field, edit_label)| {
            view! { class="sk",
                <div class="sk-review-row">
                    <dt class="sk-review-title">{title}</dt>
                    {lines.into_iter().map(|line| view! { class="sk", <dd class="sk-review-value">{line}</dd> }).collect_view()}
                    <dd class="sk-review-edit">
                        <button
                            class="sk-link"
                            type="button"
                            aria-label=edit_label
                            on:click=move |_| ctx.flow.update(|flow| { flow.edit(field); })
                        >
                            {t.edit}
                        </button>
                    </dd>
                </div>
            }
        })
        .collect_view();

    let confirm = move |_| {
        let submission = Submission {
            page_url: page_address(),
            client_created_at: String::from(js_sys::Date::new_0().to_iso_string()),
            fill_ms: (monotonic_ms() - ctx.shown_at).max(0.0) as u64,
        };
        let mut pledge = None;
        ctx.flow.update(|flow| pledge = flow.confirm(new_idempotency_key, submission));
        if let Some(pledge) = pledge {
            courier.submit(pledge);
        }
    };

    view! { class="sk",
        <div class="sk-step">
            <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1" aria-describedby=STEP_POSITION_ID>{t.review_heading}</h3>
            <dl class="sk-review">{rows}</dl>
            <p class="sk-note">{t.no_payment_now}</p>
            <div class="sk-actions">
                <button
                    class="sk-button sk-primary"
                    type="button"
                    disabled=move || ctx.flow.with(|flow| flow.in_flight())
                    on:click=confirm
                >
                    {t.confirm}
                </button>
                {back_button(ctx)}
            </div>
        </div>
    }
}

pub fn option_label(ctx: Ctx, option: Option<SponsorshipOption>) -> &'static str {
    match option {
        Some(SponsorshipOption::Child) | None => ctx.text.option_child,
        Some(SponsorshipOption::Village) => ctx.text.option_village,
        Some(SponsorshipOption::OneOff) => ctx.text.option_one_off,
    }
}

/// `£30 a month` or `£50, once`.
pub fn pledge_summary(ctx: Ctx, flow: &Flow) -> String {
    let amount = flow.draft.amount(ctx.currency).map(|amount| format::amount(amount, ctx.locale)).unwrap_or_default();
    let template = match flow.draft.option.map(SponsorshipOption::frequency) {
        Some(Frequency::Once) => ctx.text.once,
        _ => ctx.text.per_month,
    };
    fill(template, &[("amount", &amount)])
}
