//! The boundary between the host page and the widget: reading the configuration, mounting into
//! a shadow root, dispatching events to the page and unmounting without a trace.

mod host_events;
mod mount;
mod page;
mod raw_config;

pub use host_events::HostEvents;
pub use mount::{mount, mount_widget, WidgetHandle};
pub use page::{address_of, page_address, within_limit};
pub use raw_config::{endpoint_href, parse_url, read_raw_config};
