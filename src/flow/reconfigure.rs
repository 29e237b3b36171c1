//! A partner's page changing the widget's attributes while a donor is in the middle of it.
//!
//! Nothing a donor has typed is ever wiped by it. Language and presets (and every setting that
//! only changes what is shown) apply in place: same step, same answers. An endpoint, currency
//! or partner id decides where a pledge goes and what it is worth, so a change to one of them
//! starts the flow again, but only while the donor has given no details; once they have, it
//! waits until their pledge is done, and the thank-you stays on screen.

use super::{editable_amount, Flow, Settings, Step};
use crate::config::WidgetConfig;

/// How far the donor has come, as far as a new configuration is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// No personal details yet: starting again costs the donor a click or two at most.
    NoDetails,
    /// Details entered, or a pledge on its way.
    DetailsEntered,
    /// The pledge was received.
    Done,
}

/// What to do with a new configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It is the configuration in use.
    Nothing,
    /// Show it, keeping the step and everything entered.
    InPlace,
    /// Start the flow again with it.
    Restart,
    /// Keep the flow as it is, and take it on once the pledge is done.
    AfterThePledge,
}

/// Decides what a change from `current` to `next` does to a donor at `progress`.
pub fn plan(current: &WidgetConfig, next: &WidgetConfig, progress: Progress) -> Change {
    if current == next {
        return Change::Nothing;
    }
    let moves_the_pledge =
        current.endpoint != next.endpoint || current.currency != next.currency || current.partner != next.partner;
    match (moves_the_pledge, progress) {
        (false, _) => Change::InPlace,
        (true, Progress::NoDetails) => Change::Restart,
        (true, Progress::DetailsEntered) => Change::AfterThePledge,
        // The thank-you stays; the new configuration is the one in use from here on.
        (true, Progress::Done) => Change::InPlace,
    }
}

impl Flow {
    pub fn progress(&self) -> Progress {
        match self.step() {
            Step::Thanks => Progress::Done,
            Step::Review | Step::Confirm => Progress::DetailsEntered,
            _ if self.draft.has_personal_details() => Progress::DetailsEntered,
            _ => Progress::NoDetails,
        }
    }

    /// The same flow (step, answers, errors) shown with `next`'s language and presets. What
    /// the pledge is made of (its currency and partner) stays the flow's own, so a pledge never
    /// changes under a donor: [`plan`] restarts or waits when those change.
    pub fn shown_with(&self, next: &WidgetConfig) -> Flow {
        let mut flow = self.clone();
        let own = self.settings();
        // Presets are amounts in a currency: another currency's cannot be offered in this one.
        let presets = if next.currency == own.currency { next.presets.clone() } else { own.presets.clone() };
        let settings = Settings {
            presets,
            locale: next.locale,
            privacy_url: next.privacy_url.clone(),
            continue_url: next.continue_url.clone(),
            ..own.clone()
        };
        // A suggestion the donor picked that the new presets no longer offer stays their answer,
        // written out as an amount of their own.
        if let (Some(picked), Some(option)) = (flow.draft.preset, flow.draft.option) {
            if !settings.presets.for_option(option).contains(&picked) {
                flow.draft.preset = None;
                flow.draft.other_amount = editable_amount(picked, settings.locale);
            }
        }
        flow.replace_settings(settings);
        flow
    }
}
