use leptos::prelude::*;

use pledge::Locale;

use crate::i18n;

/// Shown instead of the flow when the partner's configuration is broken, so that nobody can
/// pledge into a misconfigured endpoint. The messages are for the partner's web developer.
#[component]
pub fn ConfigErrorPanel(
    /// The page's language, or the `lang` asked for when the widget speaks it.
    locale: Locale,
    /// One sentence per refused attribute, naming it and what was expected.
    messages: Vec<String>,
) -> impl IntoView {
    let text = i18n::messages(locale);
    view! { class="sk",
        <section class="sk-config-error" role="alert" aria-labelledby="sk-config-error-title" lang=locale.as_str()>
            <h2 id="sk-config-error-title">{text.config_error_title}</h2>
            <p>{text.config_error_intro}</p>
            <ul>
                {messages.into_iter().map(|message| view! { class="sk", <li>{message}</li> }).collect_view()}
            </ul>
        </section>
    }
}
