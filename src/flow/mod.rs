//! The donor's journey as a plain state machine: named steps, the draft the donor typed, and
//! transitions that check each step with the pledge contract's own rules.
//!
//! Nothing here touches the browser, so every transition is tested natively; the components in
//! [`crate::ui`] render a [`Flow`] and call its methods.

mod draft;
mod field;
mod machine;
mod reconfigure;
mod step;

pub use draft::{editable_amount, Draft};
pub use field::{Field, FieldProblem, Problem};
pub use machine::{Flow, Focus, Settings, Submission};
pub use reconfigure::{plan, Change, Progress};
pub use step::Step;

// Native only, like proptest, which needs an entropy source the browser target lacks.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
