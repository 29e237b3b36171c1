//! A stored pledge as the notifications read it: the reference the receiver gave it, when it
//! arrived, its status, and what the donor sent.
//!
//! Events and e-mails take this borrowed view rather than the storage row, so that they depend
//! only on the few facts they report and can be built from any place that has them. It has no
//! `Debug`: it carries a donor's personal data, which must not reach a log by accident.

use pledge::Pledge;

use crate::storage::StoredPledge;
use crate::timestamp::Timestamp;

#[derive(Clone, Copy)]
pub struct PledgeView<'a> {
    /// The reference the donor was given, such as `SK-7Q2M-X9D4`.
    pub reference: &'a str,
    pub received_at: Timestamp,
    /// The status as the API names it, such as `new`: the status now, after any change.
    pub status: &'a str,
    pub pledge: &'a Pledge,
}

impl<'a> From<&'a StoredPledge> for PledgeView<'a> {
    fn from(stored: &'a StoredPledge) -> PledgeView<'a> {
        PledgeView {
            reference: &stored.reference,
            received_at: stored.received_at,
            status: stored.status.as_str(),
            pledge: &stored.pledge,
        }
    }
}
