//! CORS for the pledge API: the configured partner origins only, compared exactly; never `*`,
//! never a reflected origin, never credentials.
//!
//! A refused preflight usually means a partner page whose origin the charity has not listed
//! yet (a new domain, `www.` added, a port). Each refused origin is logged once, so the
//! operator sees it without a line per donor; the set of remembered origins is bounded, since
//! anyone can send any `Origin`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::intake::idempotency;

/// Past this many distinct refused origins, no more are remembered or logged.
pub const REMEMBER_AT_MOST: usize = 4096;
/// Longer origins are cut in the log line; a real origin is far shorter.
const LOGGED_CHARS: usize = 120;

/// The layer for `POST /v1/pledges` and its preflight.
pub fn pledge_cors(allowed_origins: &[String]) -> CorsLayer {
    let allowed: Arc<HashSet<Vec<u8>>> =
        Arc::new(allowed_origins.iter().map(|origin| origin.as_bytes().to_vec()).collect());
    let refused = Arc::new(RefusedOrigins::default());
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, request: &Parts| {
            let allowed = allowed.contains(origin.as_bytes());
            if !allowed && request.method == Method::OPTIONS && refused.first_time(origin.as_bytes()) {
                tracing::warn!(
                    origin = ?String::from_utf8_lossy(origin.as_bytes()).chars().take(LOGGED_CHARS).collect::<String>(),
                    "refused a preflight from an origin that is not in --allowed-origins"
                );
            }
            allowed
        }))
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static(idempotency::HEADER)])
        .expose_headers([HeaderName::from_static(idempotency::REPLAYED_HEADER), header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// The refused origins already logged, up to [`REMEMBER_AT_MOST`].
#[derive(Default)]
pub struct RefusedOrigins {
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    origins: HashSet<Vec<u8>>,
    full: bool,
}

impl RefusedOrigins {
    /// Whether this origin should be logged now: the first time it is refused, while there is
    /// room to remember it. Once full, it says so once and then stays silent.
    pub fn first_time(&self, origin: &[u8]) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.origins.contains(origin) {
            return false;
        }
        if seen.origins.len() >= REMEMBER_AT_MOST {
            if !seen.full {
                seen.full = true;
                tracing::warn!(remembered = REMEMBER_AT_MOST, "too many distinct refused origins; no more are logged");
            }
            return false;
        }
        seen.origins.insert(origin.to_vec());
        true
    }

    pub fn remembered(&self) -> usize {
        self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).origins.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_origin_is_logged_once() {
        let refused = RefusedOrigins::default();
        assert!(refused.first_time(b"https://new-partner.example"));
        assert!(!refused.first_time(b"https://new-partner.example"));
        assert!(refused.first_time(b"https://other.example"));
        assert_eq!(refused.remembered(), 2);
    }

    #[test]
    fn memory_is_bounded() {
        let refused = RefusedOrigins::default();
        for index in 0..REMEMBER_AT_MOST + 500 {
            refused.first_time(format!("https://{index}.example").as_bytes());
        }
        assert_eq!(refused.remembered(), REMEMBER_AT_MOST);
        assert!(!refused.first_time(b"https://late.example"), "a full set logs nothing more");
        assert!(!refused.first_time(b"https://0.example"));
    }
}
