//! Formatting through the browser's Intl.
