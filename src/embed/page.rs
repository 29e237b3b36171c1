//! The address of the page the widget is on, as a pledge records it.
//!
//! Only the origin and the path are kept. A query or a fragment may carry a visitor's session,
//! a tracking code or a search the charity has no use for; and a very long one could push the
//! address past the contract's limit, which would make the pledge impossible to send.

use pledge::limits;

/// The origin and path of this page, such as `https://school.example/sponsor`. An `about:`
/// or `srcdoc` frame takes the address of the page that made it, through its base URL.
pub fn page_address() -> String {
    let document = leptos::prelude::document();
    let candidates = [document.url().ok(), document.base_uri().ok().flatten()];
    candidates.into_iter().flatten().find_map(|url| address_of(&url)).unwrap_or_default()
}

/// The origin and path of `url`, read by the browser's URL parser; `None` unless it is an
/// absolute `http:` or `https:` address.
pub fn address_of(url: &str) -> Option<String> {
    let url = web_sys::Url::new(url).ok()?;
    matches!(url.protocol().as_str(), "http:" | "https:").then(|| within_limit(&url.origin(), &url.pathname()))
}

/// `origin` followed by as much of `path` as the contract's limit on `page_url` allows. A path
/// is percent-encoded ASCII, so cutting it anywhere leaves a valid address.
pub fn within_limit(origin: &str, path: &str) -> String {
    let mut address = String::with_capacity(origin.len() + path.len());
    address.push_str(origin);
    for character in path.chars() {
        if address.len() + character.len_utf8() > limits::PAGE_URL {
            break;
        }
        address.push(character);
    }
    address
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_origin_and_path() {
        assert_eq!(within_limit("https://school.example", "/sponsor"), "https://school.example/sponsor");
        assert_eq!(within_limit("http://127.0.0.1:8080", "/"), "http://127.0.0.1:8080/");
    }

    #[test]
    fn a_long_path_is_cut_to_the_limit() {
        let path = format!("/{}", "a%20b".repeat(1_000));
        let address = within_limit("https://school.example", &path);
        assert_eq!(address.len(), limits::PAGE_URL);
        assert!(address.starts_with("https://school.example/a%20b"));
        let pledge_url_ok = pledge::FieldError::new("/page_url", pledge::ErrorCode::InvalidUrl);
        assert!(!check_page_url(&address).contains(&pledge_url_ok), "the cut address is still valid");
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let address = within_limit("https://école.example", &"é".repeat(3_000));
        assert!(address.len() <= limits::PAGE_URL);
        assert!(address.is_char_boundary(address.len()));
    }

    /// The errors the contract finds in a pledge whose page address is `address`.
    fn check_page_url(address: &str) -> Vec<pledge::FieldError> {
        let mut pledge: pledge::Pledge =
            serde_json::from_str(include_str!("../../contract/examples/child-eur.json")).unwrap();
        pledge.page_url = address.to_owned();
        pledge.validate().err().unwrap_or_default()
    }
}
