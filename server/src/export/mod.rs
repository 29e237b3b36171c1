//! The charity's file formats for what was pledged, one module each.

pub mod csv;
