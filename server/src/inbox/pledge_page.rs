//! One pledge: everything the donor gave, the words they agreed to, its status with the form
//! to change it, and its history.

use maud::{html, Markup};
use pledge::Pledge;

use super::format;
use super::layout::{self, NoticeKind, SignedIn};
use crate::intake::spam::SpamReason;
use crate::storage::Status;
use crate::timestamp::Timestamp;

/// The longest note kept with a status change.
pub const MAX_NOTE: usize = 2000;

/// One line of the pledge's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub at: Timestamp,
    /// A staff username, or what acted: the widget, the retention rule.
    pub actor: String,
    /// What happened, in a sentence.
    pub what: String,
    pub note: Option<String>,
}

/// What the pledge page needs.
pub struct PledgeView<'a> {
    pub reference: &'a str,
    pub received_at: Timestamp,
    pub status: Status,
    pub review_reason: Option<SpamReason>,
    /// When the donor's details were erased; the pledge then keeps only amounts and dates.
    pub erased_at: Option<Timestamp>,
    pub pledge: &'a Pledge,
    /// The Gift Aid declaration as the donor read it, when they made one.
    pub gift_aid_wording: Option<&'a str>,
    /// The consent question and its choices as the donor read them.
    pub consent_wording: Option<&'a str>,
    pub history: &'a [HistoryEntry],
    /// The outcome of the last action on this page.
    pub notice: Option<(NoticeKind, &'a str)>,
    /// What was wrong with the status form, shown under it.
    pub form_problem: Option<&'a str>,
}

pub fn page(view: &PledgeView<'_>, signed_in: SignedIn<'_>) -> Markup {
    let pledge = view.pledge;
    let title = format!("Pledge {}", view.reference);
    let content = html! {
        @if let Some((kind, text)) = view.notice {
            (layout::notice(kind, text))
        }
        p { a href="/admin/" { "Back to the inbox" } }
        section aria-labelledby="status-heading" {
            h2 id="status-heading" { "Status" }
            p {
                "This pledge is "
                strong class={ "status status-" (view.status.as_str()) } { (format::status(view.status)) }
                "."
                @if let Some(reason) = view.review_reason {
                    " " (review_reason(reason, view.status))
                }
            }
            (status_form(view, signed_in.csrf_token))
        }
        section aria-labelledby="gift-heading" {
            h2 id="gift-heading" { "The gift" }
            dl class="facts" {
                dt { "Way of giving" } dd { (format::option(pledge.option)) }
                dt { "Amount" } dd { (format::amount(pledge.amount, pledge.frequency)) }
                dt { "Received" } dd { time datetime=(format::datetime_attribute(view.received_at)) { (format::time(view.received_at)) } }
                dt { "Partner" } dd { (pledge.partner) }
                dt { "Page it was made on" } dd class="url" { (pledge.page_url) }
                dt { "Donor's language" } dd { (language(pledge.locale)) }
            }
        }
        section aria-labelledby="donor-heading" {
            h2 id="donor-heading" { "The donor" }
            @if let Some(erased_at) = view.erased_at {
                p { "The donor's details were erased on " (format::time(erased_at)) ". The amounts and dates are kept for the accounts." }
            } @else {
                dl class="facts" {
                    dt { "Name" } dd { (pledge.donor.given_name) " " (pledge.donor.family_name) }
                    dt { "Email" } dd { (pledge.donor.email) }
                    dt { "Country" } dd { (pledge.donor.country) }
                    @if let Some(phone) = &pledge.donor.phone {
                        dt { "Phone" } dd { (phone) }
                    }
                    @if let Some(postal) = &pledge.donor.postal_address {
                        dt { "Postal address" } dd { (postal.address) br; (postal.postcode) }
                    }
                }
            }
        }
        section aria-labelledby="gift-aid-heading" {
            h2 id="gift-aid-heading" { "Gift Aid" }
            @match &pledge.gift_aid {
                None => p { "No Gift Aid declaration." },
                Some(declaration) => {
                    p { "The donor made a Gift Aid declaration (wording " code { (declaration.wording_version) } ")." }
                    @if view.erased_at.is_none() {
                        dl class="facts" {
                            dt { "Home address" } dd { (declaration.home_address) }
                            dt { "Postcode" } dd { (declaration.postcode) }
                        }
                    }
                    (wording("The words the donor agreed to", view.gift_aid_wording))
                }
            }
        }
        section aria-labelledby="consent-heading" {
            h2 id="consent-heading" { "Keeping in touch" }
            (consent(pledge, view.consent_wording))
        }
        section aria-labelledby="history-heading" {
            h2 id="history-heading" { "History" }
            (history(view.history))
        }
    };
    layout::page(&title, Some(signed_in), content)
}

fn review_reason(reason: SpamReason, status: Status) -> &'static str {
    let held = status == Status::Review;
    match (reason, held) {
        (SpamReason::Honeypot, true) => "It was held because a field that people never see was filled in, as bots do.",
        (SpamReason::TooFast, true) => {
            "It was held because the form was completed faster than a person can read and type it."
        }
        (_, false) => "It had been held for review as possibly automated, and was released.",
    }
}

fn status_form(view: &PledgeView<'_>, csrf_token: &str) -> Markup {
    let choices: Vec<Status> = Status::ALL.into_iter().filter(|status| *status != view.status).collect();
    let action = format!("/admin/pledges/{}/status", view.reference);
    html! {
        form method="post" action=(action) class="status-form" {
            (layout::csrf_field(csrf_token))
            fieldset aria-describedby=[view.form_problem.map(|_| "status-problem")] {
                legend { "Change the status" }
                @for (index, status) in choices.iter().enumerate() {
                    div class="choice" {
                        input type="radio" name="status" id={ "status-" (status.as_str()) } value=(status.as_str()) required[index == 0];
                        label for={ "status-" (status.as_str()) } { (format::status(*status)) }
                    }
                }
            }
            div class="field" {
                label for="note" { "Note (optional)" }
                textarea id="note" name="note" rows="3" maxlength=(MAX_NOTE) aria-describedby="note-hint" {}
                p id="note-hint" class="hint" { "Kept in the history with your name, for example what the donor said on the phone." }
            }
            @if let Some(problem) = view.form_problem {
                p class="field-problem" id="status-problem" { (problem) }
            }
            button type="submit" { "Change the status" }
        }
    }
}

fn language(locale: pledge::Locale) -> &'static str {
    match locale {
        pledge::Locale::En => "English",
        pledge::Locale::Fr => "French",
    }
}

/// A stored wording, its parts as paragraphs.
fn wording(heading: &str, text: Option<&str>) -> Markup {
    html! {
        figure class="wording" {
            figcaption { (heading) }
            @match text {
                Some(text) => blockquote { @for part in text.split("\n\n") { p { (part) } } },
                None => p { "This wording is not on record in this receiver." },
            }
        }
    }
}

fn consent(pledge: &Pledge, wording: Option<&str>) -> Markup {
    // The stored consent wording is the question, then the label of each way of contact in the
    // order email, post, phone.
    let parts: Vec<&str> = wording.map(|text| text.split("\n\n").collect()).unwrap_or_default();
    let label = |index: usize, fallback: &'static str| parts.get(index).copied().unwrap_or(fallback);
    let choices = [
        (label(1, "By email"), pledge.consent.email),
        (label(2, "By post"), pledge.consent.post),
        (label(3, "By phone"), pledge.consent.phone),
    ];
    html! {
        @if let Some(question) = parts.first() {
            figure class="wording" {
                figcaption { "The question the donor answered (wording " code { (pledge.consent.wording_version) } ")" }
                blockquote { p { (question) } }
            }
        } @else {
            p { "The wording " code { (pledge.consent.wording_version) } " is not on record in this receiver." }
        }
        ul class="consents" {
            @for (label, given) in choices {
                li { (label) ": " strong { @if given { "yes" } @else { "no" } } }
            }
        }
    }
}

fn history(entries: &[HistoryEntry]) -> Markup {
    html! {
        @if entries.is_empty() {
            p { "Nothing is recorded yet." }
        } @else {
            table class="history" {
                caption class="visually-hidden" { "History, oldest first" }
                thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Note" } } }
                tbody {
                    @for entry in entries {
                        tr {
                            td { time datetime=(format::datetime_attribute(entry.at)) { (format::time(entry.at)) } }
                            td { (entry.actor) }
                            td { (entry.what) }
                            td { @if let Some(note) = &entry.note { (note) } }
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
    use pledge::wording::{self, WordingKind};

    fn example() -> Pledge {
        serde_json::from_str(include_str!("../../../contract/examples/child-gbp-gift-aid.json"))
            .expect("the example is a pledge")
    }

    fn render(pledge: &Pledge, edit: impl FnOnce(&mut PledgeView<'_>)) -> String {
        let gift_aid =
            wording::published(WordingKind::GiftAid, pledge::GIFT_AID_WORDING_VERSION, pledge.locale).map(|w| w.text());
        let consent =
            wording::published(WordingKind::Consent, pledge::CONSENT_WORDING_VERSION, pledge.locale).map(|w| w.text());
        let history = [HistoryEntry {
            at: Timestamp::from_micros(1_780_000_000_000_000),
            actor: "amina".to_owned(),
            what: "Status changed from New to Contacted".to_owned(),
            note: Some("Called; <b>keen</b>".to_owned()),
        }];
        let mut view = PledgeView {
            reference: "SK-AAAA-BBBB",
            received_at: Timestamp::from_micros(1_779_000_000_000_000),
            status: Status::Contacted,
            review_reason: None,
            erased_at: None,
            pledge,
            gift_aid_wording: gift_aid.as_deref(),
            consent_wording: consent.as_deref(),
            history: &history,
            notice: None,
            form_problem: None,
        };
        edit(&mut view);
        page(&view, SignedIn { username: "amina", csrf_token: "csrf-1", section: Section::Inbox }).into_string()
    }

    #[test]
    fn the_declaration_is_shown_in_the_words_the_donor_read() {
        let pledge = example();
        let text = render(&pledge, |_| {});
        assert!(text.contains("past four years"), "the declaration's text is shown");
        assert!(text.contains(&maud::html! { (pledge.donor.email) }.into_string()));
        let declaration = pledge.gift_aid.as_ref().map(|gift_aid| gift_aid.postcode.clone()).unwrap_or_default();
        assert!(text.contains(&declaration));
    }

    #[test]
    fn the_status_form_offers_every_other_status_and_carries_the_token() {
        let pledge = example();
        let text = render(&pledge, |_| {});
        assert!(text.contains(r#"action="/admin/pledges/SK-AAAA-BBBB/status""#));
        assert!(text.contains(r#"name="csrf_token" value="csrf-1""#));
        for status in [Status::New, Status::Converted, Status::Declined, Status::Review] {
            assert!(text.contains(&format!(r#"value="{}""#, status.as_str())), "{status:?} is offered");
        }
        assert!(!text.contains(r#"value="contacted""#), "the current status is not offered");
    }

    #[test]
    fn history_notes_are_escaped() {
        let pledge = example();
        let text = render(&pledge, |_| {});
        assert!(text.contains("Called; &lt;b&gt;keen&lt;/b&gt;"));
    }

    #[test]
    fn an_erased_pledge_shows_no_personal_details() {
        let pledge = example();
        let text = render(&pledge, |view| view.erased_at = Some(Timestamp::from_micros(1_781_000_000_000_000)));
        assert!(!text.contains(&pledge.donor.email));
        assert!(!text.contains(&pledge.donor.family_name));
        assert!(text.contains("were erased on"));
    }

    #[test]
    fn a_held_pledge_says_why() {
        let pledge = example();
        let text = render(&pledge, |view| {
            view.status = Status::Review;
            view.review_reason = Some(SpamReason::TooFast);
        });
        assert!(text.contains("faster than a person can read"));
    }
}
