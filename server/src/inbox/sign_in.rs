//! The sign-in page at `/admin/sign-in`.

use maud::{html, Markup};

use super::layout::{self, NoticeKind};

/// Why the sign-in form is shown again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInNotice {
    /// The username or the password is wrong. Which of the two is not said, so that the page
    /// does not tell an attacker which usernames exist.
    Refused,
    /// Too many attempts: try again after this many seconds.
    Throttled { retry_after_seconds: u64 },
    /// The session ended after a time without activity, or at its absolute limit.
    Expired,
    /// Signed out on request.
    SignedOut,
    /// The form was sent without its token, or from another site.
    FormExpired,
}

impl SignInNotice {
    fn text(&self) -> String {
        match self {
            SignInNotice::Refused => "The username or password is not right. Check both and try again.".to_owned(),
            SignInNotice::Throttled { retry_after_seconds } => {
                let minutes = retry_after_seconds.div_ceil(60).max(1);
                let unit = if minutes == 1 { "minute" } else { "minutes" };
                format!("Too many sign-in attempts. Try again in {minutes} {unit}.")
            }
            SignInNotice::Expired => {
                "You were signed out because the session was left unused. Sign in again to go on.".to_owned()
            }
            SignInNotice::SignedOut => "You are signed out.".to_owned(),
            SignInNotice::FormExpired => "The form had expired. Please sign in again.".to_owned(),
        }
    }

    fn kind(&self) -> NoticeKind {
        match self {
            SignInNotice::SignedOut => NoticeKind::Done,
            _ => NoticeKind::Problem,
        }
    }

    /// Whether the fields themselves are marked as wrong.
    fn blames_the_fields(&self) -> bool {
        matches!(self, SignInNotice::Refused)
    }
}

/// The form, with the username kept after a refusal and the sign-in CSRF token.
pub fn page(notice: Option<&SignInNotice>, username: &str, csrf_token: &str, next: &str) -> Markup {
    let invalid = notice.is_some_and(SignInNotice::blames_the_fields);
    let content = html! {
        @if let Some(notice) = notice {
            div id="sign-in-notice" { (layout::notice(notice.kind(), &notice.text())) }
        }
        form class="sign-in" method="post" action="/admin/sign-in" {
            (layout::csrf_field(csrf_token))
            input type="hidden" name="next" value=(next);
            p {
                label for="username" { "Username" }
                input id="username" name="username" type="text" value=(username) required
                    autocomplete="username" autocapitalize="none" spellcheck="false"
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then_some("sign-in-notice")];
            }
            p {
                label for="password" { "Password" }
                input id="password" name="password" type="password" required autocomplete="current-password"
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then_some("sign-in-notice")];
            }
            p { button type="submit" { "Sign in" } }
        }
        p class="hint" {
            "Accounts are made by the receiver's operator with "
            code { "sanankoroba-receiver user add NAME" }
            "."
        }
    };
    layout::page("Sign in", None, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_marks_both_fields_without_saying_which_is_wrong() {
        let text = page(Some(&SignInNotice::Refused), "amina", "t", "/admin/").into_string();
        assert_eq!(text.matches(r#"aria-invalid="true""#).count(), 2);
        assert!(text.contains("The username or password is not right"));
        assert!(text.contains(r#"value="amina""#));
        assert!(text.contains(r#"role="alert""#));
    }

    #[test]
    fn throttling_says_how_long_to_wait_in_whole_minutes() {
        let text = page(Some(&SignInNotice::Throttled { retry_after_seconds: 61 }), "", "t", "/admin/").into_string();
        assert!(text.contains("Try again in 2 minutes."), "{text}");
        let text = page(Some(&SignInNotice::Throttled { retry_after_seconds: 5 }), "", "t", "/admin/").into_string();
        assert!(text.contains("Try again in 1 minute."), "{text}");
        assert!(!text.contains("aria-invalid"));
    }

    #[test]
    fn the_form_has_no_notice_at_first_and_keeps_the_destination() {
        let text = page(None, "", "t", "/admin/pledges/SK-AAAA-BBBB").into_string();
        assert!(!text.contains("role=\"alert\""));
        assert!(text.contains(r#"name="next" value="/admin/pledges/SK-AAAA-BBBB""#));
        assert!(text.contains(r#"autocomplete="current-password""#));
    }
}
