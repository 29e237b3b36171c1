//! Stored pledges made from the contract's examples, for the notifications' tests.

use pledge::Pledge;

use crate::storage::{Status, StoredPledge};
use crate::timestamp::Timestamp;

/// A monthly GBP child sponsorship in English with a Gift Aid declaration.
pub const GIFT_AID_EXAMPLE: &str = include_str!("../../../contract/examples/child-gbp-gift-aid.json");
/// A monthly EUR child sponsorship in French, with a postal address and no Gift Aid.
pub const POSTAL_EXAMPLE: &str = include_str!("../../../contract/examples/child-eur.json");
/// A one-off GBP gift with a Gift Aid declaration.
pub const ONE_OFF_EXAMPLE: &str = include_str!("../../../contract/examples/one-off-gbp-gift-aid.json");

pub fn example(json: &str) -> Pledge {
    serde_json::from_str(json).unwrap()
}

/// The example as stored under the reference `SK-7Q2M-X9D4` at 2026-11-27T14:03:13Z, after
/// `edit`.
pub fn stored(json: &str, edit: impl FnOnce(&mut Pledge)) -> StoredPledge {
    let mut pledge = example(json);
    edit(&mut pledge);
    StoredPledge {
        id: 1,
        reference: "SK-7Q2M-X9D4".to_owned(),
        received_at: Timestamp::from_micros(1_795_788_193_000_000),
        status: Status::New,
        review_reason: None,
        released_at: None,
        erased_at: None,
        pledge,
    }
}
