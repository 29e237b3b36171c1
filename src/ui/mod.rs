//! The widget's components. They render the state held by plain types in [`crate::flow`] and
//! [`crate::delivery`], and keep no logic of their own.

mod app;
mod config_error;

pub use app::App;
pub use config_error::ConfigErrorPanel;
