//! The admin bearer token, checked as a route layer over the whole admin API group.
//!
//! Because the check is a layer and not an argument of each handler, a new admin route cannot
//! forget it. The token is compared through SHA-256 digests in constant time, so neither its
//! content nor its length leaks through timing.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::http::problem::Problem;
use crate::http::state::AdminToken;

/// A request that carries the admin token; any other is refused with a `401`.
pub struct RequireAdmin;

impl<S> FromRequestParts<S> for RequireAdmin
where
    S: Send + Sync,
    AdminToken: FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        authorize(&parts.headers, &AdminToken::from_ref(state)).map(|()| RequireAdmin)
    }
}

/// Whether the request carries the admin token.
pub fn authorize(headers: &HeaderMap, admin_token: &AdminToken) -> Result<(), Problem> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(Problem::unauthorized)?;
    let presented_digest = Sha256::digest(presented.as_bytes());
    let expected_digest = Sha256::digest(admin_token.expose().as_bytes());
    if bool::from(presented_digest.ct_eq(&expected_digest)) {
        Ok(())
    } else {
        Err(Problem::unauthorized())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let token = AdminToken::new("s3cret-token");
        assert!(authorize(&with_authorization("Bearer s3cret-token"), &token).is_ok());
        assert!(authorize(&with_authorization("bearer s3cret-token"), &token).is_ok());
        for value in ["Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token", "s3cret-token", "Bearer "] {
            assert_eq!(authorize(&with_authorization(value), &token).unwrap_err().status, 401, "{value}");
        }
        assert_eq!(authorize(&HeaderMap::new(), &token).unwrap_err().status, 401);
    }
}
