//! The data protection page: erasing a donor, a subject-access export, and what the retention
//! rule does.

use maud::{html, Markup};

use super::layout::{self, NoticeKind, SignedIn};
use super::list::pledge_path;

/// The outcome of the last action on this page.
pub enum Outcome<'a> {
    /// The pledges whose donor details were erased.
    Erased(&'a [String]),
    /// The email or reference matched nothing.
    NothingMatched,
    /// The form was not filled in as asked.
    Problem { field: &'static str, message: &'a str },
}

/// How long pledges that never converted keep their donor's details.
pub struct Retention {
    pub days: Option<u32>,
}

pub fn page(outcome: Option<&Outcome<'_>>, retention: &Retention, signed_in: SignedIn<'_>) -> Markup {
    let problem = match outcome {
        Some(Outcome::Problem { field, message }) => Some((*field, *message)),
        _ => None,
    };
    let field_problem = |name: &str| problem.filter(|(field, _)| *field == name).map(|(_, message)| message);
    let content = html! {
        @match outcome {
            Some(Outcome::Erased(references)) => {
                div class="notice done" role="status" {
                    p { "The donor's details were erased from " (references.len()) @if references.len() == 1 { " pledge" } @else { " pledges" } ":" }
                    ul { @for reference in *references { li { a href=(pledge_path(reference)) { (reference) } } } }
                }
            }
            Some(Outcome::NothingMatched) => (layout::notice(NoticeKind::Problem, "No pledge matches; nothing was erased.")),
            Some(Outcome::Problem { .. }) => (layout::notice(NoticeKind::Problem, "Nothing was done. The form below says what is missing.")),
            None => {}
        }
        section aria-labelledby="erase-heading" {
            h2 id="erase-heading" { "Erase a donor" }
            p {
                "Replaces the donor's name, email, phone, addresses and Gift Aid address on every matching pledge. "
                "Amounts, dates and statuses stay for the accounts, and the erasure is recorded in each pledge's history. "
                "It cannot be undone."
            }
            form method="post" action="/admin/data-protection/erase" {
                (layout::csrf_field(signed_in.csrf_token))
                div class="field" {
                    label for="erase-subject" { "Email address or pledge reference" }
                    input id="erase-subject" name="subject" type="text" required spellcheck="false" autocapitalize="none"
                        aria-invalid=[field_problem("subject").map(|_| "true")]
                        aria-describedby=[field_problem("subject").map(|_| "erase-subject-problem")];
                    @if let Some(message) = field_problem("subject") { p class="field-problem" id="erase-subject-problem" { (message) } }
                }
                div class="choice" {
                    input id="erase-confirm" name="confirm" type="checkbox" value="yes" required
                        aria-invalid=[field_problem("confirm").map(|_| "true")]
                        aria-describedby=[field_problem("confirm").map(|_| "erase-confirm-problem")];
                    label for="erase-confirm" { "I understand that this cannot be undone" }
                }
                @if let Some(message) = field_problem("confirm") { p class="field-problem" id="erase-confirm-problem" { (message) } }
                p { button type="submit" class="danger" { "Erase the donor's details" } }
            }
        }
        section aria-labelledby="access-heading" {
            h2 id="access-heading" { "Everything held about a donor" }
            p { "Downloads, as JSON, every pledge made with an email address, with each pledge's history and the wording the donor agreed to." }
            form method="post" action="/admin/data-protection/access" {
                (layout::csrf_field(signed_in.csrf_token))
                div class="field" {
                    label for="access-email" { "Email address" }
                    input id="access-email" name="email" type="email" required spellcheck="false" autocapitalize="none"
                        aria-invalid=[field_problem("email").map(|_| "true")]
                        aria-describedby=[field_problem("email").map(|_| "access-email-problem")];
                    @if let Some(message) = field_problem("email") { p class="field-problem" id="access-email-problem" { (message) } }
                }
                p { button type="submit" { "Download (JSON)" } }
            }
        }
        section aria-labelledby="retention-heading" {
            h2 id="retention-heading" { "Retention" }
            @match retention.days {
                Some(days) => p {
                    "Pledges that never converted have their donor's details erased automatically " (days) " days after they were received. "
                    "Converted pledges are kept, since Gift Aid records must be kept for six years after the last donation."
                },
                None => p { "Automatic erasure is off: the operator has not set " code { "--retention-days" } "." },
            }
        }
    };
    layout::page("Data protection", Some(signed_in), content)
}
