//! The boundary between the host page and the widget: reading the configuration, mounting into
//! a shadow root, dispatching events to the page and unmounting without a trace.

mod host_events;
mod mount;
mod raw_config;

pub use host_events::HostEvents;
pub use mount::{mount, mount_widget, WidgetHandle};
pub use raw_config::read_raw_config;
