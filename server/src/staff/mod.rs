//! Signing the charity's staff in to the receiver's HTML inbox, and keeping them signed in
//! safely.
//!
//! # Two ways in
//!
//! The JSON and CSV API keeps its bearer token (`--admin-token`): scripts and spreadsheets
//! send it with each request, no browser is involved, so there is nothing for another site to
//! forge. People use the HTML inbox instead, and a browser cannot be trusted with a long-lived
//! shared token, so each member of staff has an account ([`username`], [`password`]), managed
//! on the server's command line ([`account_command`]), and signs in to get a session.
//!
//! # Sessions
//!
//! A session is a random token in a cookie ([`session`], [`cookie`]). The cookie is
//! `HttpOnly` (out of reach of scripts), `SameSite=Strict` and, over HTTPS, `Secure` with the
//! `__Host-` prefix (bound to this host). The receiver stores only the token's SHA-256 digest,
//! so its database holds nothing that signs anyone in. A session ends after 30 minutes unused
//! and 12 hours in all, checked on every request by [`session::SessionPolicy::check`], which
//! also says when the last use is worth writing down (at most once a minute).
//!
//! # Forms
//!
//! Every state-changing form carries the session's CSRF token in a hidden field, compared in
//! constant time, and the browser's `Sec-Fetch-Site` / `Origin` headers must say the request
//! came from the receiver itself ([`csrf`]). Either defence alone stops a forged form; both
//! together leave none of the gaps an old browser or a sibling subdomain could open.
//!
//! # Passwords and guessing
//!
//! Passwords are at least 12 characters and stored as Argon2id hashes with OWASP's parameters.
//! A sign-in for an unknown username costs the same hash as for a known one, so timing does
//! not reveal which usernames exist. Attempts are rate limited per username and per client
//! address ([`sign_in_limit`]), which slows online guessing to a crawl without letting a
//! stranger lock a colleague out.
//!
//! Everything here is plain decisions on plain types, tested without a server or a database;
//! the routes and the storage call them.

pub mod account_command;
pub mod cookie;
pub mod csrf;
pub mod password;
pub mod session;
pub mod sign_in_limit;
pub mod username;
