use leptos::prelude::*;

use super::context::Ctx;
use super::focus::{STEP_HEADING_ID, STEP_POSITION_ID};
use crate::delivery::{Courier, DeliveryStatus, FailureReason};
use crate::i18n::fill;

/// Step 5: where the pledge stands while it travels. A final answer moves the flow on by
/// itself: to the thank-you, or back to the fields the receiver refused.
pub fn confirm_step(ctx: Ctx, courier: Courier) -> impl IntoView {
    let t = ctx.text;
    let status = courier.status();
    let body = move || {
        if ctx.flow.with(|flow| flow.refused()) {
            return view! { class="sk",
                <div class="sk-status sk-status-problem">
                    <p>{t.refused}</p>
                    <div class="sk-actions">
                        <button class="sk-button sk-secondary" type="button" on:click=move |_| ctx.flow.update(|flow| { flow.back_to_review(); })>
                            {t.back_to_review}
                        </button>
                    </div>
                </div>
            }
            .into_any();
        }
        match status.get() {
            waiting @ (DeliveryStatus::Saved { .. } | DeliveryStatus::Unsaved { .. }) => {
                let courier = courier.clone();
                view! { class="sk",
                    <div class="sk-status sk-status-waiting">
                        <p>{status_text(ctx, &waiting)}</p>
                        <div class="sk-actions">
                            <button class="sk-button sk-primary" type="button" on:click=move |_| courier.retry_now()>
                                {t.retry}
                            </button>
                        </div>
                    </div>
                }
                .into_any()
            }
            _ => view! { class="sk", <p class="sk-status sk-status-sending">{t.sending}</p> }.into_any(),
        }
    };
    view! { class="sk",
        <div class="sk-step">
            <h3 class="sk-heading" id=STEP_HEADING_ID tabindex="-1" aria-describedby=STEP_POSITION_ID>{t.confirm_heading}</h3>
            {body}
        </div>
    }
}

/// What the live region says about delivery, and what the confirm step shows.
pub fn status_text(ctx: Ctx, status: &DeliveryStatus) -> String {
    let t = ctx.text;
    let (template, reason) = match status {
        DeliveryStatus::Saved { reason } => (t.saved, *reason),
        DeliveryStatus::Unsaved { reason } => (t.unsaved, *reason),
        DeliveryStatus::Received { .. } | DeliveryStatus::Rejected { .. } => return String::new(),
        DeliveryStatus::Idle | DeliveryStatus::Sending => return t.sending.to_owned(),
    };
    let reason = match reason {
        FailureReason::Offline => t.reason_offline,
        FailureReason::Timeout => t.reason_timeout,
        FailureReason::ServerUnavailable(_) => t.reason_unavailable,
        FailureReason::TooManyRequests => t.reason_busy,
        FailureReason::UnexpectedAnswer(_) => t.reason_unexpected,
    };
    fill(template, &[("reason", reason)])
}
