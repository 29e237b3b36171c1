//! Files the charity takes out of the receiver to use elsewhere, one module per format.

pub mod csv;
pub mod gift_aid;
