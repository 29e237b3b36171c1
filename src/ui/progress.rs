use leptos::prelude::*;

use super::context::Ctx;
use crate::flow::Step;

/// The step indicator: every step by name, the current one marked with `aria-current`.
pub fn progress(ctx: Ctx) -> impl IntoView {
    let t = ctx.text;
    let current = Memo::new(move |_| ctx.flow.with(|flow| flow.step()));
    let names = [t.step_choose, t.step_amount, t.step_details, t.step_review, t.step_confirm];
    let items = Step::INDICATED
        .into_iter()
        .zip(names)
        .map(|(step, name)| {
            let done = move || current.get().index() > step.index();
            view! { class="sk",
                <li
                    class="sk-progress-step"
                    class:sk-progress-current=move || current.get() == step
                    class:sk-progress-done=done
                    aria-current=move || (current.get() == step).then_some("step")
                >
                    <span class="sk-progress-number" aria-hidden="true">{step.index() + 1}</span>
                    <span class="sk-progress-name">{name}</span>
                    {move || done().then(|| view! { class="sk", <span class="sk-visually-hidden">{format!(", {}", t.step_done)}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { class="sk",
        <ol class="sk-progress" aria-label=t.progress_label>{items}</ol>
    }
}
