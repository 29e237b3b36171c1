//! The frame every staff page shares: the document head, a skip link, the navigation with the
//! signed-in user and the sign-out button, and the main landmark.

use maud::{html, Markup, DOCTYPE};

use super::{ICON_PATH, STYLESHEET_PATH};

/// The product's name in every page title, after the page's own.
pub const PRODUCT: &str = "Sanankoroba pledges";

/// The form field that carries the CSRF token on every `POST`.
pub const CSRF_FIELD: &str = "csrf_token";

/// The parts of the staff pages, in the navigation's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Inbox,
    Dashboard,
    GiftAid,
    DataProtection,
    /// The webhook endpoints and their deliveries.
    Webhooks,
}

impl Section {
    pub const ALL: [Section; 5] =
        [Section::Inbox, Section::Dashboard, Section::GiftAid, Section::DataProtection, Section::Webhooks];

    pub fn path(self) -> &'static str {
        match self {
            Section::Inbox => "/admin/",
            Section::Dashboard => "/admin/dashboard",
            Section::GiftAid => "/admin/gift-aid",
            Section::DataProtection => "/admin/data-protection",
            Section::Webhooks => "/admin/webhooks",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Section::Inbox => "Inbox",
            Section::Dashboard => "Dashboard",
            Section::GiftAid => "Gift Aid",
            Section::DataProtection => "Data protection",
            Section::Webhooks => "Webhooks",
        }
    }
}

/// Who is signed in, for the navigation and the sign-out form.
#[derive(Clone, Copy)]
pub struct SignedIn<'a> {
    pub username: &'a str,
    pub csrf_token: &'a str,
    /// The part of the pages this one belongs to, marked as current in the navigation.
    pub section: Section,
}

/// The hidden field every `POST` form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// A whole page: `title` is its `<h1>` and the start of its `<title>`.
pub fn page(title: &str, signed_in: Option<SignedIn<'_>>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " – " (PRODUCT) }
                link rel="stylesheet" href=(STYLESHEET_PATH);
                link rel="icon" type="image/svg+xml" href=(ICON_PATH);
            }
            body {
                a class="skip" href="#main" { "Skip to the content" }
                header class="banner" {
                    p class="product" { (PRODUCT) }
                    @if let Some(signed_in) = signed_in {
                        nav aria-label="Staff pages" {
                            ul {
                                @for section in Section::ALL {
                                    li {
                                        @if section == signed_in.section {
                                            a href=(section.path()) aria-current="page" { (section.label()) }
                                        } @else {
                                            a href=(section.path()) { (section.label()) }
                                        }
                                    }
                                }
                            }
                        }
                        form class="sign-out" method="post" action="/admin/sign-out" {
                            (csrf_field(signed_in.csrf_token))
                            span { "Signed in as " strong { (signed_in.username) } }
                            " "
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

/// A message at the top of a page, after an action: announced by screen readers as it appears.
pub fn notice(kind: NoticeKind, text: &str) -> Markup {
    html! {
        div class=(kind.class()) role=(kind.role()) { p { (text) } }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Done,
    Problem,
}

impl NoticeKind {
    fn class(self) -> &'static str {
        match self {
            NoticeKind::Done => "notice done",
            NoticeKind::Problem => "notice problem",
        }
    }

    /// A problem interrupts (`alert`); a confirmation waits its turn (`status`).
    fn role(self) -> &'static str {
        match self {
            NoticeKind::Done => "status",
            NoticeKind::Problem => "alert",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(username: &str) -> SignedIn<'_> {
        SignedIn { username, csrf_token: "token-1", section: Section::GiftAid }
    }

    #[test]
    fn the_current_section_is_marked_and_only_it() {
        let text = page("Gift Aid", Some(signed_in("amina")), html! {}).into_string();
        assert!(text.contains(r#"<a href="/admin/gift-aid" aria-current="page">Gift Aid</a>"#), "{text}");
        assert_eq!(text.matches("aria-current").count(), 1);
    }

    #[test]
    fn the_sign_out_form_carries_the_csrf_token() {
        let text = page("Inbox", Some(signed_in("amina")), html! {}).into_string();
        assert!(text.contains(r#"<input type="hidden" name="csrf_token" value="token-1">"#), "{text}");
    }

    #[test]
    fn a_signed_out_page_has_no_navigation() {
        let text = page("Sign in", None, html! {}).into_string();
        assert!(!text.contains("<nav"));
        assert!(text.contains("<title>Sign in – Sanankoroba pledges</title>"));
    }

    #[test]
    fn usernames_are_escaped() {
        let text = page("Inbox", Some(signed_in("<b>x</b>")), html! {}).into_string();
        assert!(text.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!text.contains("<b>x"));
    }
}
