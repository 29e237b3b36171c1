//! What the dashboard and the Gift Aid claim read: light rows to aggregate in Rust, and the
//! converted pledges a claim can include.

use pledge::{Amount, Frequency, SponsorshipOption};

use super::{Status, StoredPledge};
use crate::timestamp::Timestamp;

/// One pledge as the dashboard counts it, without personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPledge {
    pub received_at: Timestamp,
    pub partner: String,
    pub option: SponsorshipOption,
    pub frequency: Frequency,
    pub amount: Amount,
    pub status: Status,
}

/// A converted pledge with a Gift Aid declaration, and when it was converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertedWithGiftAid {
    pub pledge: StoredPledge,
    /// The time of its latest change of status to `converted`.
    pub converted_at: Timestamp,
}
