//! Files the charity takes out of the receiver to use elsewhere.

pub mod gift_aid;
