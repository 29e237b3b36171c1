//! The words a donor agrees to: the Gift Aid declaration and the marketing consent question,
//! in every version and language the widget has shown.
//!
//! A pledge names the version it was made under (`gift_aid.wording_version`,
//! `consent.wording_version`). The widget draws these exact texts, and the receiver stores them
//! beside the pledges, so that the charity can show HMRC, or a donor, the words that were agreed
//! to, long after the widget has moved on to newer ones. A published version's text therefore
//! never changes: a new text is a new version, added here next to the old one.

use crate::{Locale, CONSENT_WORDING_VERSION, GIFT_AID_WORDING_VERSION};

/// Which agreement a wording belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WordingKind {
    /// The Gift Aid declaration: the box's label, then the declaration itself.
    GiftAid,
    /// The marketing consent question, then the label of each way to be contacted.
    Consent,
}

impl WordingKind {
    pub const ALL: [WordingKind; 2] = [WordingKind::GiftAid, WordingKind::Consent];

    pub fn as_str(self) -> &'static str {
        match self {
            WordingKind::GiftAid => "gift_aid",
            WordingKind::Consent => "consent",
        }
    }

    pub fn parse(text: &str) -> Option<WordingKind> {
        WordingKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One version of one agreement, in one language, as the donor read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wording {
    pub kind: WordingKind,
    pub version: &'static str,
    pub locale: Locale,
    /// The texts in the order the donor met them: a label or question first.
    pub parts: &'static [&'static str],
}

impl Wording {
    /// The parts as one text, a blank line between them, as a receiver stores it.
    pub fn text(&self) -> String {
        self.parts.join("\n\n")
    }
}

/// Every wording ever published, oldest first.
pub const PUBLISHED: [Wording; 4] = [
    Wording {
        kind: WordingKind::GiftAid,
        version: GIFT_AID_WORDING_VERSION,
        locale: Locale::En,
        parts: &[en::GIFT_AID_CHECKBOX, en::GIFT_AID_DECLARATION],
    },
    Wording {
        kind: WordingKind::GiftAid,
        version: GIFT_AID_WORDING_VERSION,
        locale: Locale::Fr,
        parts: &[fr::GIFT_AID_CHECKBOX, fr::GIFT_AID_DECLARATION],
    },
    Wording {
        kind: WordingKind::Consent,
        version: CONSENT_WORDING_VERSION,
        locale: Locale::En,
        parts: &[en::CONSENT_INTRO, en::CONSENT_EMAIL, en::CONSENT_POST, en::CONSENT_PHONE],
    },
    Wording {
        kind: WordingKind::Consent,
        version: CONSENT_WORDING_VERSION,
        locale: Locale::Fr,
        parts: &[fr::CONSENT_INTRO, fr::CONSENT_EMAIL, fr::CONSENT_POST, fr::CONSENT_PHONE],
    },
];

/// The published wording of `kind` at `version` in `locale`.
pub fn published(kind: WordingKind, version: &str, locale: Locale) -> Option<&'static Wording> {
    PUBLISHED.iter().find(|wording| wording.kind == kind && wording.version == version && wording.locale == locale)
}

/// The current versions' texts in English, which the widget's English catalogue shows.
pub mod en {
    pub const GIFT_AID_CHECKBOX: &str = "Yes, add Gift Aid to my gifts";
    pub const GIFT_AID_DECLARATION: &str = "By ticking this box, I ask SOS Children's Villages UK to treat this gift, every gift I make from now on and every gift I have made in the past four years as Gift Aid donations. I am a UK taxpayer. I understand that if I pay less Income Tax and/or Capital Gains Tax in a tax year than the amount of Gift Aid claimed on all my donations in that year, it is my responsibility to pay any difference.";
    pub const CONSENT_INTRO: &str = "Would you like news of SOS Children's Villages' work? Tick each way it may contact you. Leave them all unticked if you prefer not to hear from it. You can change your mind at any time.";
    pub const CONSENT_EMAIL: &str = "By email";
    pub const CONSENT_POST: &str = "By post";
    pub const CONSENT_PHONE: &str = "By phone";
}

/// The current versions' texts in French, which the widget's French catalogue shows.
pub mod fr {
    pub const GIFT_AID_CHECKBOX: &str = "Oui, j'ajoute le Gift Aid à mes dons";
    pub const GIFT_AID_DECLARATION: &str = "En cochant cette case, je demande à SOS Children's Villages UK de traiter ce don, tous les dons que je ferai à partir de maintenant et tous ceux que j'ai faits au cours des quatre dernières années comme des dons Gift Aid. Je suis contribuable au Royaume-Uni. Je comprends que si je paie, au cours d'une année fiscale, moins d'impôt sur le revenu (Income Tax) et/ou d'impôt sur les plus-values (Capital Gains Tax) que le montant du Gift Aid réclamé sur l'ensemble de mes dons de cette année-là, il m'appartient de payer la différence.";
    pub const CONSENT_INTRO: &str = "Souhaitez-vous recevoir des nouvelles de l'action de SOS Villages d'Enfants\u{202f}? Cochez chaque moyen par lequel l'association peut vous contacter. Ne cochez rien si vous préférez ne pas en recevoir. Vous pouvez changer d'avis à tout moment.";
    pub const CONSENT_EMAIL: &str = "Par e-mail";
    pub const CONSENT_POST: &str = "Par courrier";
    pub const CONSENT_PHONE: &str = "Par téléphone";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_current_version_is_published_in_every_language() {
        for locale in Locale::ALL {
            assert!(published(WordingKind::GiftAid, GIFT_AID_WORDING_VERSION, locale).is_some());
            assert!(published(WordingKind::Consent, CONSENT_WORDING_VERSION, locale).is_some());
        }
    }

    #[test]
    fn no_version_is_published_twice() {
        for (index, wording) in PUBLISHED.iter().enumerate() {
            let again = PUBLISHED[index + 1..].iter().any(|other| {
                other.kind == wording.kind && other.version == wording.version && other.locale == wording.locale
            });
            assert!(
                !again,
                "{} {} {} is published twice",
                wording.kind.as_str(),
                wording.version,
                wording.locale.as_str()
            );
        }
    }

    #[test]
    fn the_declaration_states_what_hmrc_asks_for() {
        let text = published(WordingKind::GiftAid, GIFT_AID_WORDING_VERSION, Locale::En)
            .map(Wording::text)
            .unwrap_or_default();
        for needed in
            ["SOS Children's Villages UK", "past four years", "UK taxpayer", "Capital Gains Tax", "pay any difference"]
        {
            assert!(text.contains(needed), "the declaration should say {needed:?}");
        }
    }

    #[test]
    fn a_stored_text_keeps_its_parts_apart() {
        let consent =
            published(WordingKind::Consent, CONSENT_WORDING_VERSION, Locale::Fr).map(Wording::text).unwrap_or_default();
        assert!(consent.starts_with(fr::CONSENT_INTRO));
        assert!(consent.ends_with(&format!("\n\n{}", fr::CONSENT_PHONE)));
    }

    #[test]
    fn unknown_versions_are_not_published() {
        assert_eq!(published(WordingKind::GiftAid, "gift-aid-1999-01", Locale::En), None);
        assert_eq!(WordingKind::parse("gift_aid"), Some(WordingKind::GiftAid));
        assert_eq!(WordingKind::parse("marketing"), None);
    }
}
