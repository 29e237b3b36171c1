//! The widget's components. They render the state held by plain types in [`crate::flow`] and
//! [`crate::delivery`], and keep no logic of their own. One file per step.

mod amount;
mod app;
mod choose;
mod config_error;
mod confirm;
mod context;
mod controls;
mod details;
mod errors;
mod focus;
mod map;
mod progress;
mod review;
mod session;
mod story;
mod thanks;

pub use app::App;
pub use config_error::ConfigErrorPanel;
pub use session::Session;
