//! The texts donors agreed to, by kind (the Gift Aid declaration, the marketing consent),
//! version and locale.
//!
//! A pledge records only the version it was made under; the text is kept here so that the
//! charity can show what the donor read. A version's text therefore must never change once
//! pledges were made under it: the receiver refuses to start when its text differs from the
//! stored one.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// Such as `gift_aid` or `consent`.
    pub kind: String,
    pub version: String,
    /// Such as `en` or `fr`.
    pub locale: String,
    pub text: String,
}

/// A wording whose stored text differs from the one given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordingChanged {
    pub kind: String,
    pub version: String,
    pub locale: String,
}

impl fmt::Display for WordingChanged {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let WordingChanged { kind, version, locale } = self;
        write!(formatter, "{kind} wording {version} ({locale})")
    }
}

/// The error that stops the start, naming every changed wording.
pub(super) fn changed_message(changed: &[WordingChanged]) -> String {
    let names: Vec<String> = changed.iter().map(ToString::to_string).collect();
    format!(
        "the stored text of {} differs from this receiver's; a wording's text must never change once pledges \
         were made under it: give the new text a new version",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_each_changed_wording() {
        let changed = |locale: &str| WordingChanged {
            kind: "gift_aid".into(),
            version: "gift-aid-2026-11".into(),
            locale: locale.into(),
        };
        assert_eq!(
            changed_message(&[changed("en"), changed("fr")]),
            "the stored text of gift_aid wording gift-aid-2026-11 (en), gift_aid wording gift-aid-2026-11 (fr) differs \
             from this receiver's; a wording's text must never change once pledges were made under it: give the new \
             text a new version"
        );
    }
}
