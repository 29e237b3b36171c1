//! What the receiver decides about an incoming pledge: whether its body is one, whether its
//! idempotency key holds, whether it looks automated, and what it is recorded as.
//!
//! These are plain Rust types and functions, tested natively; the HTTP handler only hands them
//! the request's headers and body and turns the outcome, a receipt or a [`Refusal`], into an
//! answer.

pub mod decode;
pub mod idempotency;
pub mod reference;
pub mod refusal;
pub mod spam;
mod submission;

pub use refusal::{FieldRefusal, Refusal};

#[cfg(test)]
mod fixtures {
    /// A valid pledge as the widget sends it: the contract's own example.
    pub fn pledge_json() -> serde_json::Value {
        serde_json::from_str(include_str!("../../../contract/examples/child-gbp-gift-aid.json")).unwrap()
    }
}
pub use submission::{admit, Accepted, Intake};
