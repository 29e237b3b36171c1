//! The charity staff's pages: sign-in, the pledge inbox, one pledge with its history, the
//! dashboard, Gift Aid, data protection, and the webhook endpoints with their deliveries.
//!
//! Every page is HTML rendered here, on the server, with `maud`, which escapes every value it
//! writes, so a donor's name or a partner id cannot become markup. The pages work without
//! JavaScript and load none: a strict Content Security Policy allows the one stylesheet and
//! nothing else. Forms are plain `GET` filters and `POST`s that carry a CSRF token.
//!
//! The functions here take plain view data and return markup; the handlers in `http::inbox`
//! fetch that data and check who is asking.

pub mod dashboard;
pub mod data_protection;
pub mod deliveries;
pub mod filters;
pub mod format;
pub mod gift_aid;
pub mod layout;
pub mod list;
pub mod pledge_page;
pub mod sign_in;
pub mod webhooks;

/// The staff pages' stylesheet, served at [`STYLESHEET_PATH`].
pub const STYLESHEET: &str = include_str!("inbox.css");
pub const STYLESHEET_PATH: &str = "/admin/inbox.css";

/// The tab's icon, so that browsers do not ask for a `/favicon.ico` that is not there.
pub const ICON: &str = include_str!("icon.svg");
pub const ICON_PATH: &str = "/admin/icon.svg";

/// No scripts at all, styles from this origin only, forms posted only here, never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
     require-trusted-types-for 'script'; trusted-types 'none'";
