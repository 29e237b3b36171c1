//! The staff dashboard's content: figures counted from stored pledges, and the charts and
//! tables that show them. Pure functions of their input, so routes and storage can change
//! without touching what the staff see.

pub mod chart;
pub mod figures;
pub mod panels;
