use pledge::{
    limits, AntiSpam, Currency, ErrorCode, FieldError, Locale, Pledge, SponsorshipOption, CONSENT_WORDING_VERSION,
    SCHEMA_VERSION,
};

use super::draft::editable_amount;
use super::{Draft, Field, FieldProblem, Problem, Step};
use crate::config::Presets;

/// What the flow needs to know about the partner's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub currency: Currency,
    pub presets: Presets,
    pub partner: String,
    pub locale: Locale,
    /// The charity's privacy notice, if the partner linked it.
    pub privacy_url: Option<String>,
    /// The charity's page for setting up the gift, as a template (see [`crate::config::continue_href`]).
    pub continue_url: Option<String>,
}

/// What only the browser knows when the donor confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The origin and path of the host page, without its query or fragment.
    pub page_url: String,
    /// `new Date().toISOString()`.
    pub client_created_at: String,
    /// Milliseconds since the first step was shown, on the page's monotonic clock.
    pub fill_ms: u64,
}

/// Where keyboard focus goes after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The new step's heading, so screen readers start reading at the top of the step.
    Heading,
    /// A field, when the donor asked to change it from the review.
    Field(Field),
    /// The list of problems, when a step was submitted with errors.
    ErrorSummary,
}

/// The donor's journey: which step is shown, what was entered, and what is wrong with it.
///
/// Every transition is a method. Each one that can fail reports the problems instead of
/// moving, so the components only render this state and call these methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    settings: Settings,
    step: Step,
    pub draft: Draft,
    errors: Vec<FieldProblem>,
    /// The pledge was refused for something the donor cannot fix, such as a page set up with
    /// a wrong partner id.
    refused: bool,
    /// Set when a step was opened from the review, so that Next returns there.
    editing: bool,
    /// The option chosen when editing began: a new option means a new amount question.
    option_before_edit: Option<SponsorshipOption>,
    /// The donor has moved past the first step; the story then steps aside.
    started: bool,
    /// The pledge has been handed over and no final answer has come back.
    in_flight: bool,
    focus: Focus,
    /// Changes on every focus request, so a repeated request (the same step submitted with
    /// errors twice) still moves focus.
    focus_request: u32,
    idempotency_key: Option<String>,
    reference: Option<String>,
}

impl Flow {
    pub fn new(settings: Settings) -> Flow {
        Flow {
            settings,
            step: Step::Choose,
            draft: Draft::default(),
            errors: Vec::new(),
            refused: false,
            editing: false,
            option_before_edit: None,
            started: false,
            in_flight: false,
            focus: Focus::Heading,
            focus_request: 0,
            idempotency_key: None,
            reference: None,
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// See [`Flow::shown_with`](super::reconfigure), the one caller.
    pub(super) fn replace_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    pub fn step(&self) -> Step {
        self.step
    }

    pub fn started(&self) -> bool {
        self.started
    }

    pub fn editing(&self) -> bool {
        self.editing
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// The focus target and a number that changes with every request.
    pub fn focus(&self) -> (Focus, u32) {
        (self.focus, self.focus_request)
    }

    /// The problems of the step on screen, one per field, in the order of its fields.
    pub fn errors(&self) -> Vec<FieldProblem> {
        Field::ALL
            .iter()
            .filter(|field| field.step() == self.step)
            .filter_map(|field| self.errors.iter().find(|error| error.field == *field).copied())
            .collect()
    }

    pub fn error_for(&self, field: Field) -> Option<Problem> {
        self.errors.iter().find(|error| error.field == field).map(|error| error.problem)
    }

    pub fn refused(&self) -> bool {
        self.refused
    }

    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    pub fn gift_aid_offered(&self) -> bool {
        self.draft.gift_aid_offered(self.settings.currency)
    }

    /// Chooses how to help. A picked suggestion that the new option does not offer moves into
    /// the other-amount box, so the amount is kept without picking a suggestion on its own.
    pub fn choose(&mut self, option: SponsorshipOption) {
        self.draft.option = Some(option);
        if let Some(preset) = self.draft.preset {
            if !self.settings.presets.for_option(option).contains(&preset) {
                self.draft.preset = None;
                self.draft.other_amount = editable_amount(preset, self.settings.locale);
            }
        }
    }

    pub fn pick_preset(&mut self, amount: pledge::Amount) {
        self.draft.preset = Some(amount);
        self.draft.other_amount.clear();
    }

    pub fn type_other_amount(&mut self, text: String) {
        self.draft.preset = None;
        self.draft.other_amount = text;
    }

    /// Submits the step on screen: moves on when it is complete, or shows its problems.
    pub fn advance(&mut self) -> bool {
        let problems = self.check(self.step);
        if !problems.is_empty() {
            self.errors = problems;
            self.request_focus(Focus::ErrorSummary);
            return false;
        }
        let next = match self.step {
            Step::Choose if self.editing && self.draft.option == self.option_before_edit => Step::Review,
            Step::Choose => Step::Amount,
            Step::Amount if self.editing => Step::Review,
            Step::Amount => Step::Details,
            Step::Details => Step::Review,
            Step::Review | Step::Confirm | Step::Thanks => return false,
        };
        self.started = true;
        self.go(next, Focus::Heading);
        true
    }

    /// Goes one step back. What was entered stays, including on the step being left.
    pub fn back(&mut self) -> bool {
        let Some(previous) = self.step.previous() else {
            return false;
        };
        self.go(previous, Focus::Heading);
        true
    }

    /// Opens the step holding `field` from the review, with focus on that field.
    pub fn edit(&mut self, field: Field) -> bool {
        if self.step != Step::Review {
            return false;
        }
        self.editing = true;
        self.option_before_edit = self.draft.option;
        self.go(field.step(), Focus::Field(field));
        true
    }

    /// Leaves the confirm step after a refusal the donor could not fix, to look again.
    pub fn back_to_review(&mut self) -> bool {
        if self.step != Step::Confirm || self.in_flight {
            return false;
        }
        self.go(Step::Review, Focus::Heading);
        true
    }

    /// Makes the pledge from the review. Returns `None`, and shows what is wrong, if anything is.
    ///
    /// The idempotency key is made the first time and reused for every attempt at this pledge,
    /// so that the receiver recognises a repeat. After the endpoint's final refusal the next
    /// confirmation is a different pledge, and gets a key of its own (see [`Flow::rejected`]).
    pub fn confirm(&mut self, new_key: impl FnOnce() -> String, submission: Submission) -> Option<Pledge> {
        if self.step != Step::Review || self.in_flight {
            return None;
        }
        for step in [Step::Choose, Step::Amount, Step::Details] {
            let problems = self.check(step);
            if !problems.is_empty() {
                self.errors = problems;
                self.editing = true;
                self.option_before_edit = self.draft.option;
                self.go_keeping_errors(step, Focus::ErrorSummary);
                return None;
            }
        }
        let key = self.idempotency_key.get_or_insert_with(new_key).clone();
        let pledge = self.pledge(key, submission)?;
        if let Err(errors) = pledge.validate() {
            self.rejected(&errors);
            return None;
        }
        self.refused = false;
        self.in_flight = true;
        self.go(Step::Confirm, Focus::Heading);
        Some(pledge)
    }

    /// The receiver refused the pledge. Fixable problems are shown on their fields, starting
    /// with the step of the first; the rest are shown on the confirm step.
    pub fn rejected(&mut self, errors: &[FieldError]) {
        self.in_flight = false;
        // What the donor sends next differs from what was refused, at least in its time: under
        // the old key, an endpoint that kept the refused body could take it for a key reused.
        self.idempotency_key = None;
        let placed: Vec<FieldProblem> = errors
            .iter()
            .filter_map(|error| {
                Field::from_pointer(&error.pointer)
                    .map(|field| FieldProblem { field, problem: Problem::Rule(error.code) })
            })
            .collect();
        // A refusal with nothing the donor can change (or with no field errors at all) can
        // only be fixed by whoever set up the page.
        self.refused = placed.is_empty();
        match placed.first().map(|problem| problem.field.step()) {
            Some(step) => {
                self.errors = placed;
                self.editing = true;
                self.option_before_edit = self.draft.option;
                self.go_keeping_errors(step, Focus::ErrorSummary);
            }
            None => self.go(Step::Confirm, Focus::Heading),
        }
    }

    /// The receiver has the pledge.
    pub fn received(&mut self, reference: String) {
        if self.step != Step::Confirm {
            return;
        }
        self.in_flight = false;
        self.reference = Some(reference);
        self.go(Step::Thanks, Focus::Heading);
    }

    /// The problems a step has now, using the contract's own rules.
    pub fn check(&self, step: Step) -> Vec<FieldProblem> {
        let currency = self.settings.currency;
        let mut problems = Vec::new();
        let mut push = |field: Field, problem: Problem| problems.push(FieldProblem { field, problem });
        match step {
            Step::Choose if self.draft.option.is_none() => push(Field::Option, Problem::Rule(ErrorCode::Required)),
            Step::Amount => {
                if let Err(problem) = self.draft.amount(currency) {
                    push(Field::Amount, problem);
                }
            }
            Step::Details => {
                let donor = self.draft.trimmed_donor(currency);
                let declaration = self.draft.gift_aid_declaration(currency);
                let mut errors = donor.validate();
                errors.extend(donor.contact_rules(&self.draft.consent, declaration.is_some()));
                if let Some(declaration) = declaration {
                    errors.extend(declaration.validate());
                }
                for error in errors {
                    if let Some(field) = Field::from_pointer(&error.pointer) {
                        push(field, Problem::Rule(error.code));
                    }
                }
            }
            _ => {}
        }
        problems
    }

    fn pledge(&self, idempotency_key: String, submission: Submission) -> Option<Pledge> {
        let option = self.draft.option?;
        let currency = self.settings.currency;
        Some(Pledge {
            schema_version: SCHEMA_VERSION,
            idempotency_key,
            option,
            frequency: option.frequency(),
            amount: self.draft.amount(currency).ok()?,
            donor: self.draft.trimmed_donor(currency),
            gift_aid: self.draft.gift_aid_declaration(currency),
            consent: pledge::Consent {
                wording_version: CONSENT_WORDING_VERSION.to_owned(),
                ..self.draft.consent.clone()
            },
            partner: self.settings.partner.clone(),
            page_url: submission.page_url,
            locale: self.settings.locale,
            client_created_at: submission.client_created_at,
            anti_spam: AntiSpam {
                honeypot: self.draft.honeypot_evidence(),
                fill_ms: submission.fill_ms.min(limits::FILL_MS),
            },
        })
    }

    fn go(&mut self, step: Step, focus: Focus) {
        self.errors.clear();
        self.go_keeping_errors(step, focus);
    }

    fn go_keeping_errors(&mut self, step: Step, focus: Focus) {
        if step == Step::Review {
            self.editing = false;
        }
        self.step = step;
        self.request_focus(focus);
    }

    fn request_focus(&mut self, focus: Focus) {
        self.focus = focus;
        self.focus_request = self.focus_request.wrapping_add(1);
    }
}
