/// Where the donor is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Choose,
    Amount,
    Details,
    Review,
    /// The pledge has been handed to delivery; its status is shown here.
    Confirm,
    Thanks,
}

impl Step {
    /// The steps the step indicator lists. The thank-you page comes after them, not among them.
    pub const INDICATED: [Step; 5] = [Step::Choose, Step::Amount, Step::Details, Step::Review, Step::Confirm];

    /// The name host pages receive in `sanankoroba:step` events.
    pub fn name(self) -> &'static str {
        match self {
            Step::Choose => "choose",
            Step::Amount => "amount",
            Step::Details => "details",
            Step::Review => "review",
            Step::Confirm => "confirm",
            Step::Thanks => "thanks",
        }
    }

    /// Zero-based position: `choose` is 0, `thanks` is 5.
    pub fn index(self) -> u32 {
        self as u32
    }

    /// Where Back leads. Confirm and Thanks have no Back: a pledge in flight cannot be edited.
    pub fn previous(self) -> Option<Step> {
        match self {
            Step::Amount => Some(Step::Choose),
            Step::Details => Some(Step::Amount),
            Step::Review => Some(Step::Details),
            Step::Choose | Step::Confirm | Step::Thanks => None,
        }
    }
}
