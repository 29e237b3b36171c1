//! Staff usernames: what one may be, and the one spelling it is stored and looked up in.
//!
//! Only ASCII letters, digits and `.`, `_`, `-`, `@` are allowed, so that an email address
//! works as a username while no two usernames look alike on screen (no Unicode look-alikes, no
//! invisible characters) and every one can be typed on any keyboard and shown in a log line
//! as it is. Usernames are kept in lower case, so `Amina` and `amina` are one account.

use std::fmt;

pub const MAX_USERNAME_CHARS: usize = 64;

/// A valid username, in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsernameProblem {
    Empty,
    TooLong { chars: usize },
    Character(char),
}

impl fmt::Display for UsernameProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsernameProblem::Empty => formatter.write_str("the username is empty"),
            UsernameProblem::TooLong { chars } => {
                write!(formatter, "the username has {chars} characters; use at most {MAX_USERNAME_CHARS}")
            }
            UsernameProblem::Character(character) => {
                write!(
                    formatter,
                    "the username may not contain {}; use letters a-z, digits and . _ - @ only",
                    describe(*character)
                )
            }
        }
    }
}

impl std::error::Error for UsernameProblem {}

fn describe(character: char) -> String {
    if character == ' ' {
        "spaces".to_owned()
    } else if character.is_control() || character.is_whitespace() {
        format!("the character U+{:04X}", u32::from(character))
    } else {
        format!("`{character}`")
    }
}

impl Username {
    /// A username as typed, surrounding spaces ignored, in lower case.
    pub fn parse(text: &str) -> Result<Username, UsernameProblem> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(UsernameProblem::Empty);
        }
        if let Some(character) =
            trimmed.chars().find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
        {
            return Err(UsernameProblem::Character(character));
        }
        let chars = trimmed.chars().count();
        if chars > MAX_USERNAME_CHARS {
            return Err(UsernameProblem::TooLong { chars });
        }
        Ok(Username(trimmed.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_digits_and_four_marks_are_allowed() {
        for name in ["amina", "a", "amina.traore", "a_b-c", "amina@sos.example", "Staff42"] {
            assert!(Username::parse(name).is_ok(), "{name}");
        }
        assert_eq!(Username::parse(&"a".repeat(64)).map(|name| name.as_str().len()), Ok(64));
    }

    #[test]
    fn usernames_are_trimmed_and_lower_case() {
        assert_eq!(Username::parse("  Amina.Traore@SOS.example ").unwrap().as_str(), "amina.traore@sos.example");
        assert_eq!(Username::parse("AMINA"), Username::parse("amina"));
        assert_eq!(Username::parse("Amina").unwrap().to_string(), "amina");
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert_eq!(Username::parse(""), Err(UsernameProblem::Empty));
        assert_eq!(Username::parse("   "), Err(UsernameProblem::Empty));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(UsernameProblem::TooLong { chars: 65 }));
        assert_eq!(Username::parse("amina traore"), Err(UsernameProblem::Character(' ')));
        assert_eq!(Username::parse("aminé"), Err(UsernameProblem::Character('é')));
        assert_eq!(Username::parse("аmina"), Err(UsernameProblem::Character('а')), "a Cyrillic а is not a Latin a");
        assert_eq!(Username::parse("amina\u{200b}"), Err(UsernameProblem::Character('\u{200b}')));
        assert_eq!(Username::parse("a/b"), Err(UsernameProblem::Character('/')));
    }

    #[test]
    fn messages_say_what_to_change() {
        assert_eq!(
            Username::parse("amina traore").unwrap_err().to_string(),
            "the username may not contain spaces; use letters a-z, digits and . _ - @ only"
        );
        assert!(Username::parse("a\tb").unwrap_err().to_string().contains("U+0009"));
        assert!(Username::parse("a:b").unwrap_err().to_string().contains("`:`"));
        assert_eq!(
            Username::parse(&"a".repeat(70)).unwrap_err().to_string(),
            "the username has 70 characters; use at most 64"
        );
    }
}
