use leptos::prelude::*;
use pledge::{Currency, Locale};

use crate::flow::{Field, Flow, Problem};
use crate::format;
use crate::i18n::{fill, Messages};

/// What every step reads: the flow, the donor's language and the widget's currency.
/// Made once by [`super::App`] and handed down; `Copy`, so closures capture it freely.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub flow: RwSignal<Flow>,
    pub text: &'static Messages,
    pub locale: Locale,
    pub currency: Currency,
    /// [`monotonic_ms`] when the first step was shown, for the pledge's fill time.
    pub shown_at: f64,
}

impl Ctx {
    /// The sentence for a problem, with amount bounds written in the donor's format.
    pub fn problem_text(self, field: Field, problem: Problem) -> String {
        let template = self.text.problem(field, problem, self.currency.exponent() > 0);
        let bound = match problem {
            Problem::Rule(pledge::ErrorCode::AmountAboveMaximum) => self.currency.maximum(),
            _ => self.currency.minimum(),
        };
        fill(template, &[("amount", &format::amount(pledge::Amount::new(bound, self.currency), self.locale))])
    }

    pub fn error(self, field: Field) -> Option<Problem> {
        self.flow.with(|flow| flow.error_for(field))
    }

    /// `aria-describedby` for a control: its hint, then its error while it has one.
    pub fn described_by(self, field: Field, hint: Option<&'static str>) -> Option<String> {
        let error = self.error(field).map(|_| field.error_id());
        match (hint, error) {
            (Some(hint), Some(error)) => Some(format!("{hint} {error}")),
            (Some(id), None) | (None, Some(id)) => Some(id.to_owned()),
            (None, None) => None,
        }
    }

    pub fn invalid(self, field: Field) -> Option<&'static str> {
        self.error(field).map(|_| "true")
    }
}

/// The page's monotonic clock, `performance.now()`, in milliseconds. A fill time measured on it
/// stays true when the device's clock is changed, or corrected, while the donor fills the form.
pub fn monotonic_ms() -> f64 {
    web_sys::window().and_then(|window| window.performance()).map_or(0.0, |performance| performance.now())
}
