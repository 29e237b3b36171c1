//! The webhooks page: the endpoints events are delivered to, a form to add one (whose signing
//! secret is shown once, on the page that answers the form), a form to replace an endpoint's
//! secret (the old one goes on signing for a while, so that its owner can switch over) and a
//! form to remove one.
//!
//! Secrets are never listed: the only page that holds one is the answer to the form that made
//! it, which is not cached and not reachable again.

use maud::{html, Markup};

use super::format;
use super::layout::{self, NoticeKind, SignedIn};
use crate::timestamp::Timestamp;

/// Where an endpoint comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The operator's `--webhook` flag: changed only by restarting the receiver.
    Flag,
    /// Added on this page; `old_secret_until` is set while a replaced secret still signs.
    Page { by: String, at: Timestamp, old_secret_until: Option<Timestamp> },
}

/// One endpoint as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRow {
    pub name: String,
    /// The address without its query, which may carry a token.
    pub address: String,
    /// Whether a query was left out of `address`.
    pub query_hidden: bool,
    pub source: Source,
}

/// A form field that was not filled in as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's `id`.
    pub field: &'static str,
    pub message: String,
}

/// The outcome of the last action on this page.
pub enum Outcome<'a> {
    /// An endpoint was added; its secret is shown this once.
    Added { name: &'a str, secret: &'a str },
    /// A stored endpoint has a new secret, shown this once; the old one signs too until
    /// `old_until`.
    SecretReplaced { name: &'a str, secret: &'a str, old_until: Timestamp },
    /// A stored endpoint was removed, and `given_up` pending deliveries to it marked dead.
    Removed { name: &'a str, given_up: u64 },
    /// A form was not filled in as asked; each field says why.
    Problems(&'a [FieldProblem]),
}

/// What the add form is filled with again after a problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddValues<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

pub struct WebhooksView<'a> {
    pub endpoints: &'a [EndpointRow],
    pub outcome: Option<Outcome<'a>>,
    pub add: AddValues<'a>,
}

/// The field ids, which the handlers name in their problems.
pub const NAME_FIELD: &str = "webhook-name";
pub const URL_FIELD: &str = "webhook-url";
pub const REPLACE_FIELD: &str = "replace-name";
pub const REMOVE_FIELD: &str = "remove-name";
pub const CONFIRM_FIELD: &str = "remove-confirm";

pub fn page(view: &WebhooksView<'_>, signed_in: SignedIn<'_>) -> Markup {
    let problems = match &view.outcome {
        Some(Outcome::Problems(problems)) => *problems,
        _ => &[],
    };
    let problem =
        |field: &str| problems.iter().find(|problem| problem.field == field).map(|problem| problem.message.as_str());
    let stored: Vec<&EndpointRow> = view.endpoints.iter().filter(|row| row.source != Source::Flag).collect();
    let content = html! {
        @match &view.outcome {
            Some(Outcome::Added { name, secret }) => {
                div class="notice done" role="status" {
                    p { "The endpoint " strong { (name) } " was added: the next change to a pledge is delivered to it." }
                    p { "Its signing secret, for whoever runs the endpoint to check each delivery's signature:" }
                    p class="secret" { code { (secret) } }
                    p { strong { "Copy it now: it will not be shown again." } " If it is lost, replace it below." }
                }
            }
            Some(Outcome::SecretReplaced { name, secret, old_until }) => {
                div class="notice done" role="status" {
                    p { "The endpoint " strong { (name) } " has a new signing secret:" }
                    p class="secret" { code { (secret) } }
                    p { strong { "Copy it now: it will not be shown again." } }
                    p {
                        "Until " time datetime=(format::datetime_attribute(*old_until)) { (format::time(*old_until)) }
                        ", each delivery to it is signed with the old secret as well, so that the endpoint goes on accepting deliveries while whoever runs it changes to the new one. After that, only the new secret signs."
                    }
                }
            }
            Some(Outcome::Removed { name, given_up }) => {
                div class="notice done" role="status" {
                    p {
                        "The endpoint " strong { (name) } " was removed."
                        @match given_up {
                            0 => { " No delivery to it was waiting." }
                            1 => { " The 1 delivery still waiting for it was marked dead." }
                            count => { " The " (count) " deliveries still waiting for it were marked dead." }
                        }
                    }
                }
            }
            Some(Outcome::Problems(_)) => (layout::notice(NoticeKind::Problem, "Nothing was changed. The form below says what is missing.")),
            None => {}
        }
        p {
            "Each change to a pledge is sent, signed, to every endpoint below. "
            a href="/admin/deliveries" { "See the deliveries" }
            " to find out what was sent and to resend what failed."
        }
        (table(view.endpoints))
        section aria-labelledby="add-heading" {
            h2 id="add-heading" { "Add an endpoint" }
            form method="post" action="/admin/webhooks/add" {
                (layout::csrf_field(signed_in.csrf_token))
                div class="field" {
                    label for=(NAME_FIELD) { "Name" }
                    p class="hint" id="webhook-name-hint" { "Lower-case letters, digits, - and _, such as crm." }
                    input id=(NAME_FIELD) name="name" type="text" required maxlength="40" spellcheck="false" autocapitalize="none"
                        value=(view.add.name)
                        aria-invalid=[problem(NAME_FIELD).map(|_| "true")]
                        aria-describedby={ "webhook-name-hint" @if problem(NAME_FIELD).is_some() { " webhook-name-problem" } };
                    @if let Some(message) = problem(NAME_FIELD) { p class="field-problem" id="webhook-name-problem" { (message) } }
                }
                div class="field" {
                    label for=(URL_FIELD) { "Address" }
                    p class="hint" id="webhook-url-hint" { "An https address; plain http only to this machine (localhost)." }
                    input id=(URL_FIELD) name="url" type="url" required spellcheck="false" autocapitalize="none"
                        value=(view.add.url)
                        aria-invalid=[problem(URL_FIELD).map(|_| "true")]
                        aria-describedby={ "webhook-url-hint" @if problem(URL_FIELD).is_some() { " webhook-url-problem" } };
                    @if let Some(message) = problem(URL_FIELD) { p class="field-problem" id="webhook-url-problem" { (message) } }
                }
                p { button type="submit" { "Add the endpoint" } }
            }
        }
        section aria-labelledby="replace-heading" {
            h2 id="replace-heading" { "Replace a secret" }
            @if stored.is_empty() {
                p { "No endpoint was added on this page. The secrets of endpoints set by the operator are replaced by changing the receiver's settings." }
                @if let Some(message) = problem(REPLACE_FIELD) { p class="field-problem" { (message) } }
            } @else {
                p { "A new secret is made and shown once. The old one goes on signing beside it for a day, so that whoever runs the endpoint can change over without missing a delivery." }
                form method="post" action="/admin/webhooks/replace-secret" {
                    (layout::csrf_field(signed_in.csrf_token))
                    (endpoint_choice(REPLACE_FIELD, &stored, problem(REPLACE_FIELD)))
                    p { button type="submit" class="secondary" { "Replace the secret" } }
                }
            }
        }
        section aria-labelledby="remove-heading" {
            h2 id="remove-heading" { "Remove an endpoint" }
            @if stored.is_empty() {
                p { "No endpoint was added on this page. Endpoints set by the operator are removed by changing the receiver's settings." }
                @for field in [REMOVE_FIELD, CONFIRM_FIELD] {
                    @if let Some(message) = problem(field) { p class="field-problem" { (message) } }
                }
            } @else {
                p { "Deliveries still waiting for the endpoint are marked dead and not sent. Endpoints set by the operator are removed by changing the receiver's settings." }
                form method="post" action="/admin/webhooks/remove" {
                    (layout::csrf_field(signed_in.csrf_token))
                    (endpoint_choice(REMOVE_FIELD, &stored, problem(REMOVE_FIELD)))
                    div class="choice" {
                        input id=(CONFIRM_FIELD) name="confirm" type="checkbox" value="yes" required
                            aria-invalid=[problem(CONFIRM_FIELD).map(|_| "true")]
                            aria-describedby=[problem(CONFIRM_FIELD).map(|_| "remove-confirm-problem")];
                        label for=(CONFIRM_FIELD) { "I understand that its waiting deliveries will not be sent" }
                    }
                    @if let Some(message) = problem(CONFIRM_FIELD) { p class="field-problem" id="remove-confirm-problem" { (message) } }
                    p { button type="submit" class="danger" { "Remove the endpoint" } }
                }
            }
        }
    };
    layout::page("Webhooks", Some(signed_in), content)
}

/// The field that picks one of the endpoints added on this page, with its problem if any.
fn endpoint_choice(field: &str, stored: &[&EndpointRow], problem: Option<&str>) -> Markup {
    let problem_id = format!("{field}-problem");
    html! {
        div class="field" {
            label for=(field) { "Endpoint" }
            select id=(field) name="name" required
                aria-invalid=[problem.map(|_| "true")]
                aria-describedby=[problem.map(|_| problem_id.as_str())] {
                @for row in stored { option value=(row.name) { (row.name) } }
            }
            @if let Some(message) = problem { p class="field-problem" id=(problem_id) { (message) } }
        }
    }
}

fn table(endpoints: &[EndpointRow]) -> Markup {
    html! {
        @if endpoints.is_empty() {
            p class="summary" { "No endpoint is set: changes to pledges are not sent anywhere." }
        } @else {
            div class="table-scroll" role="region" aria-labelledby="endpoints-caption" tabindex="0" {
                table class="endpoints" {
                    caption id="endpoints-caption" { "Webhook endpoints" }
                    thead {
                        tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Address" }
                            th scope="col" { "Set by" }
                            th scope="col" { "Added" }
                        }
                    }
                    tbody {
                        @for row in endpoints {
                            tr {
                                th scope="row" {
                                    (row.name)
                                    @if let Source::Page { old_secret_until: Some(until), .. } = &row.source {
                                        br;
                                        span class="hint" {
                                            "Old secret signs too until "
                                            time datetime=(format::datetime_attribute(*until)) { (format::time(*until)) }
                                        }
                                    }
                                }
                                td class="address" {
                                    (row.address)
                                    @if row.query_hidden { " " span class="hint" { "(query not shown)" } }
                                }
                                @match &row.source {
                                    Source::Flag => {
                                        td { "The operator (" code { "--webhook" } ")" }
                                        td { "When the receiver started" }
                                    }
                                    Source::Page { by, at, .. } => {
                                        td { (by) " on this page" }
                                        td { time datetime=(format::datetime_attribute(*at)) { (format::time(*at)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::layout::Section;

    fn rows() -> Vec<EndpointRow> {
        vec![
            EndpointRow {
                name: "crm".into(),
                address: "https://crm.example.org/hook".into(),
                query_hidden: true,
                source: Source::Flag,
            },
            EndpointRow {
                name: "robot".into(),
                address: "https://robot.example.org/<in>".into(),
                query_hidden: false,
                source: Source::Page {
                    by: "amina".into(),
                    at: Timestamp::from_micros(1_780_000_000_000_000),
                    old_secret_until: Some(Timestamp::from_micros(1_780_086_400_000_000)),
                },
            },
        ]
    }

    fn render(outcome: Option<Outcome<'_>>, endpoints: &[EndpointRow]) -> String {
        let signed_in = SignedIn { username: "amina", csrf_token: "t", section: Section::Webhooks };
        page(&WebhooksView { endpoints, outcome, add: AddValues::default() }, signed_in).into_string()
    }

    #[test]
    fn endpoints_say_where_they_come_from_and_only_stored_ones_can_be_removed() {
        let text = render(None, &rows());
        assert!(text.contains("<caption id=\"endpoints-caption\">Webhook endpoints</caption>"), "{text}");
        assert!(text.contains("(query not shown)"));
        assert!(text.contains("amina on this page"));
        assert!(text.contains("https://robot.example.org/&lt;in&gt;"), "escaped");
        assert_eq!(text.matches(r#"<option value="robot">robot</option>"#).count(), 2, "to replace or remove");
        assert!(!text.contains(r#"<option value="crm">"#), "a flag endpoint is offered for neither");
        assert!(text.contains(r#"Old secret signs too until <time datetime="2026-05-29T20:26:40.000000Z">"#), "{text}");
        assert!(!text.contains("role=\"status\""));
    }

    #[test]
    fn the_secret_is_shown_with_the_warning_that_it_will_not_be_again() {
        let text = render(Some(Outcome::Added { name: "robot", secret: "s3cr3t-value" }), &rows());
        assert!(text.contains("<code>s3cr3t-value</code>"));
        assert!(text.contains("it will not be shown again"));
    }

    #[test]
    fn a_replaced_secret_is_shown_once_with_how_long_the_old_one_signs() {
        let old_until = Timestamp::from_micros(1_780_086_400_000_000);
        let text = render(Some(Outcome::SecretReplaced { name: "robot", secret: "n3w-s3cr3t", old_until }), &rows());
        assert!(text.contains("<code>n3w-s3cr3t</code>"));
        assert!(text.contains("it will not be shown again"));
        assert!(text.contains(r#"Until <time datetime="2026-05-29T20:26:40.000000Z">"#), "{text}");
    }

    #[test]
    fn a_problem_with_no_form_to_show_it_beside_is_still_shown() {
        let flag_only = &rows()[..1];
        let problems = [FieldProblem { field: REPLACE_FIELD, message: "crm is set by the operator.".into() }];
        let text = render(Some(Outcome::Problems(&problems)), flag_only);
        assert!(text.contains(r#"<p class="field-problem">crm is set by the operator.</p>"#), "{text}");
        let problems = [FieldProblem { field: REMOVE_FIELD, message: "crm is set by the operator.".into() }];
        let text = render(Some(Outcome::Problems(&problems)), flag_only);
        assert!(text.contains(r#"<p class="field-problem">crm is set by the operator.</p>"#), "{text}");
    }

    #[test]
    fn a_problem_with_an_endpoint_choice_is_linked_to_it() {
        for (field, id) in [(REPLACE_FIELD, "replace-name-problem"), (REMOVE_FIELD, "remove-name-problem")] {
            let problems = [FieldProblem { field, message: "No endpoint added on this page is called x.".into() }];
            let text = render(Some(Outcome::Problems(&problems)), &rows());
            assert!(
                text.contains(&format!(
                    r#"id="{field}" name="name" required aria-invalid="true" aria-describedby="{id}""#
                )),
                "{text}"
            );
            assert!(text.contains(&format!(r#"<p class="field-problem" id="{id}">No endpoint"#)), "{text}");
        }
    }

    #[test]
    fn problems_are_linked_to_their_fields() {
        let problems = [FieldProblem { field: URL_FIELD, message: "Use https.".into() }];
        let text = render(Some(Outcome::Problems(&problems)), &[]);
        assert!(text.contains(r#"aria-describedby="webhook-url-hint webhook-url-problem""#), "{text}");
        assert!(text.contains(r#"<p class="field-problem" id="webhook-url-problem">Use https.</p>"#));
        assert!(text.contains(r#"aria-describedby="webhook-name-hint""#));
        assert!(text.contains("No endpoint is set"));
    }
}
