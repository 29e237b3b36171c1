use leptos::prelude::*;

/// Shown instead of the flow when the partner's configuration is broken, so that nobody can
/// pledge into a misconfigured endpoint. The messages are for the partner's web developer.
#[component]
pub fn ConfigErrorPanel(
    /// One sentence per refused attribute, naming it and what was expected.
    messages: Vec<String>,
) -> impl IntoView {
    view! { class="sk",
        <section class="sk-config-error" role="alert" aria-labelledby="sk-config-error-title">
            <h2 id="sk-config-error-title">"This donation form is not set up correctly"</h2>
            <p>"The page that shows it needs a fix. Details for its web developer:"</p>
            <ul>
                {messages.into_iter().map(|message| view! { class="sk", <li>{message}</li> }).collect_view()}
            </ul>
        </section>
    }
}
