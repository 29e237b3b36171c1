//! The e-mail confirming to a donor, in their language, what they pledged and what happens next.
//!
//! When the donor made a Gift Aid declaration, the confirmation repeats it word for word, in the
//! version and language they agreed to, with the home address and postcode they gave, and tells
//! them how to cancel it. HMRC counts such a confirmation as good practice, and as a requirement
//! after a declaration made by phone; it is also the donor's own record of what they declared.
//!
//! Replies go to the charity (`Reply-To`), so that "reply to this e-mail" is a way to reach it and
//! to cancel a declaration.

use std::str::FromStr;

use lettre::message::Mailbox;
use lettre::{Address, Message};
use pledge::wording::{self, WordingKind};
use pledge::{GiftAid, Locale};

use super::describe::{self, option_name};
use super::layout::{Block, Letter};
use super::{assemble, message_id, safe_reference, Charity, EmailError};
use crate::notify::view::PledgeView;

/// The confirmation of `pledge`, sent by `sender` on behalf of `charity` to the donor.
pub fn donor_confirmation(pledge: PledgeView<'_>, charity: &Charity, sender: &Mailbox) -> Result<Message, EmailError> {
    let to = donor_mailbox(pledge.pledge)?;
    let reference = safe_reference(pledge.reference);
    let letter = letter(pledge, &reference, charity)?;
    let builder = Message::builder()
        .from(sender.clone())
        .reply_to(charity.address.clone())
        .to(to)
        .subject(letter.title.clone())
        .message_id(Some(message_id(&reference, "donor", sender)));
    assemble(builder, &letter)
}

/// The donor's name and address as a checked `Mailbox`. A control character in the name is
/// refused outright rather than encoded: it has no place in a name, and its presence means
/// someone is trying to write headers.
fn donor_mailbox(pledge: &pledge::Pledge) -> Result<Mailbox, EmailError> {
    let donor = &pledge.donor;
    let name = format!("{} {}", donor.given_name.trim(), donor.family_name.trim());
    if name.chars().any(char::is_control) {
        return Err(EmailError::UnsafeName);
    }
    let address = Address::from_str(&donor.email).map_err(EmailError::Address)?;
    Ok(Mailbox::new(Some(name), address))
}

/// The words of the confirmation in one language. Templates name their blanks in braces.
struct Words {
    subject: &'static str,
    heading: &'static str,
    greeting: &'static str,
    thanks: &'static str,
    option_label: &'static str,
    amount_label: &'static str,
    made_on_label: &'static str,
    reference_label: &'static str,
    next_heading: &'static str,
    next: &'static str,
    gift_aid_heading: &'static str,
    gift_aid_intro: &'static str,
    home_address_label: &'static str,
    postcode_label: &'static str,
    gift_aid_notice: &'static str,
    gift_aid_cancel: &'static str,
    contact_heading: &'static str,
    contact: &'static str,
}

const ENGLISH: Words = Words {
    subject: "Your pledge to {charity}: reference {reference}",
    heading: "Thank you for your pledge",
    greeting: "Dear {name},",
    thanks: "Thank you for your pledge to {charity}. Your reference is {reference}; please quote it whenever you contact us.",
    option_label: "How you help",
    amount_label: "Amount",
    made_on_label: "Made on",
    reference_label: "Reference",
    next_heading: "What happens next",
    next: "We will contact you to set up your gift. No card or bank details were collected with your pledge, and nothing has been paid yet.",
    gift_aid_heading: "Your Gift Aid declaration",
    gift_aid_intro: "On {date} you made this Gift Aid declaration:",
    home_address_label: "Home address",
    postcode_label: "Postcode",
    gift_aid_notice: "Please tell us if you change your name or home address, or no longer pay enough tax.",
    gift_aid_cancel: "You can cancel this declaration at any time by replying to this e-mail or by writing to {email}.",
    contact_heading: "Contact us",
    contact: "Reply to this e-mail or write to {email}, quoting your reference {reference}.",
};

const FRENCH: Words = Words {
    subject: "Votre promesse de don à {charity}\u{a0}: référence {reference}",
    heading: "Merci pour votre promesse de don",
    greeting: "Bonjour {name},",
    thanks: "Merci pour votre promesse de don à {charity}. Votre référence est {reference}\u{a0}; merci de l'indiquer chaque fois que vous nous contactez.",
    option_label: "Votre soutien",
    amount_label: "Montant",
    made_on_label: "Faite le",
    reference_label: "Référence",
    next_heading: "Et ensuite\u{202f}?",
    next: "Nous vous contacterons pour mettre en place votre don. Aucune donnée de carte ni de compte bancaire n'a été recueillie avec votre promesse de don, et rien n'a encore été payé.",
    gift_aid_heading: "Votre déclaration Gift Aid",
    gift_aid_intro: "Le {date}, vous avez fait cette déclaration Gift Aid\u{a0}:",
    home_address_label: "Adresse personnelle",
    postcode_label: "Code postal",
    gift_aid_notice: "Merci de nous prévenir si vous changez de nom ou d'adresse, ou si vous ne payez plus assez d'impôts.",
    gift_aid_cancel: "Vous pouvez annuler cette déclaration à tout moment en répondant à cet e-mail ou en écrivant à {email}.",
    contact_heading: "Nous contacter",
    contact: "Répondez à cet e-mail ou écrivez à {email}, en indiquant votre référence {reference}.",
};

fn words(locale: Locale) -> &'static Words {
    match locale {
        Locale::En => &ENGLISH,
        Locale::Fr => &FRENCH,
    }
}

fn letter(view: PledgeView<'_>, reference: &str, charity: &Charity) -> Result<Letter, EmailError> {
    let pledge = view.pledge;
    let locale = pledge.locale;
    let words = words(locale);
    let date = describe::date(view.received_at, locale);
    let email = charity.address.email.to_string();
    let blanks = [
        ("charity", charity.name.as_str()),
        ("reference", reference),
        ("name", pledge.donor.given_name.trim()),
        ("date", date.as_str()),
        ("email", email.as_str()),
    ];
    let say = |template: &str| fill(template, &blanks);

    let mut blocks = vec![
        Block::Heading(words.heading.to_owned()),
        Block::Paragraph(say(words.greeting)),
        Block::Paragraph(say(words.thanks)),
        Block::Facts(vec![
            (words.option_label.to_owned(), option_name(pledge.option, locale).to_owned()),
            (words.amount_label.to_owned(), describe::amount(pledge.amount, pledge.frequency, locale)),
            (words.made_on_label.to_owned(), date.clone()),
            (words.reference_label.to_owned(), reference.to_owned()),
        ]),
        Block::Heading(words.next_heading.to_owned()),
        Block::Paragraph(say(words.next)),
    ];
    if let Some(gift_aid) = &pledge.gift_aid {
        blocks.extend(gift_aid_blocks(gift_aid, locale, words, &say)?);
    }
    blocks.push(Block::Heading(words.contact_heading.to_owned()));
    blocks.push(Block::Paragraph(say(words.contact)));
    Ok(Letter { lang: locale.as_str(), title: say(words.subject), blocks })
}

/// The declaration as the donor agreed to it, what they gave for it, and how to cancel it.
fn gift_aid_blocks(
    gift_aid: &GiftAid,
    locale: Locale,
    words: &Words,
    say: &dyn Fn(&str) -> String,
) -> Result<Vec<Block>, EmailError> {
    let wording = wording::published(WordingKind::GiftAid, &gift_aid.wording_version, locale)
        .ok_or(EmailError::UnknownGiftAidWording)?;
    Ok(vec![
        Block::Heading(words.gift_aid_heading.to_owned()),
        Block::Paragraph(say(words.gift_aid_intro)),
        Block::Quote(wording.parts.iter().map(|part| (*part).to_owned()).collect()),
        Block::Facts(vec![
            (words.home_address_label.to_owned(), gift_aid.home_address.clone()),
            (words.postcode_label.to_owned(), gift_aid.postcode.clone()),
        ]),
        Block::Paragraph(words.gift_aid_notice.to_owned()),
        Block::Paragraph(say(words.gift_aid_cancel)),
    ])
}

/// `template` with each `{name}` replaced by its value, in one pass over the template only, so
/// that braces inside a value (a donor may type anything) are never read as blanks.
fn fill(template: &str, blanks: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let blank = after.find('}').and_then(|close| {
            let name = &after[..close];
            blanks.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value, close))
        });
        match blank {
            Some((value, close)) => {
                filled.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::test_support::{stored, GIFT_AID_EXAMPLE, POSTAL_EXAMPLE};
    use crate::storage::StoredPledge;

    fn charity() -> Charity {
        Charity {
            name: "SOS Children's Villages UK".to_owned(),
            address: "SOS Children's Villages UK <supporters@charity.example>".parse().unwrap(),
        }
    }

    fn sender() -> Mailbox {
        "Pledges <pledges@charity.example>".parse().unwrap()
    }

    fn compose(stored: &StoredPledge) -> Result<Message, EmailError> {
        donor_confirmation(PledgeView::from(stored), &charity(), &sender())
    }

    fn render(stored: &StoredPledge) -> Letter {
        letter(PledgeView::from(stored), "SK-7Q2M-X9D4", &charity()).unwrap()
    }

    fn headers(message: &Message) -> Vec<String> {
        let text = String::from_utf8(message.formatted()).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap().to_owned();
        head.split("\r\n").map(str::to_owned).collect()
    }

    /// Header names at the start of a line, the folded continuations skipped.
    fn header_names(message: &Message) -> Vec<String> {
        headers(message)
            .iter()
            .filter(|line| !line.starts_with([' ', '\t']))
            .filter_map(|line| line.split_once(':').map(|(name, _)| name.to_ascii_lowercase()))
            .collect()
    }

    #[test]
    fn english_confirmation_says_what_was_pledged_and_what_happens_next() {
        let stored = stored(GIFT_AID_EXAMPLE, |_| {});
        let letter = render(&stored);
        assert_eq!(letter.lang, "en");
        assert_eq!(letter.title, "Your pledge to SOS Children's Villages UK: reference SK-7Q2M-X9D4");
        let text = letter.text();
        for expected in [
            "Dear Amelia,",
            "How you help: Sponsor a child",
            "Amount: GBP 25.00 a month",
            "Made on: 27 November 2026",
            "Reference: SK-7Q2M-X9D4",
            "We will contact you to set up your gift. No card or bank details were collected",
            "write to supporters@charity.example, quoting your reference SK-7Q2M-X9D4.",
        ] {
            assert!(text.contains(expected), "{expected:?} is missing from\n{text}");
        }
    }

    #[test]
    fn french_confirmation_is_in_french() {
        let stored = stored(POSTAL_EXAMPLE, |_| {});
        let letter = render(&stored);
        assert_eq!(letter.lang, "fr");
        assert_eq!(letter.title, "Votre promesse de don à SOS Children's Villages UK\u{a0}: référence SK-7Q2M-X9D4");
        let text = letter.text();
        for expected in [
            "Bonjour Élodie,",
            "Votre soutien: Parrainer un enfant",
            "Montant: 30,00\u{a0}EUR par mois",
            "Faite le: 27 novembre 2026",
            "Nous vous contacterons pour mettre en place votre don.",
        ] {
            assert!(text.contains(expected), "{expected:?} is missing from\n{text}");
        }
        assert!(letter.html().starts_with("<!DOCTYPE html><html lang=\"fr\">"));
        assert!(!text.contains("Gift Aid"), "{text}");
    }

    #[test]
    fn the_gift_aid_declaration_is_quoted_word_for_word_with_the_address_and_how_to_cancel() {
        let stored = stored(GIFT_AID_EXAMPLE, |_| {});
        let text = render(&stored).text();
        assert!(text.contains("On 27 November 2026 you made this Gift Aid declaration:"), "{text}");
        assert!(text.contains(&format!(
            "> {}\n>\n> {}",
            wording::en::GIFT_AID_CHECKBOX,
            wording::en::GIFT_AID_DECLARATION
        )));
        assert!(text.contains("Home address: 14 Orchard Lane, Leeds\nPostcode: LS6 2QE"), "{text}");
        assert!(text.contains("cancel this declaration at any time by replying to this e-mail"), "{text}");

        let french = stored_in_french();
        let text = render(&french).text();
        assert!(text.contains(wording::fr::GIFT_AID_DECLARATION), "{text}");
        assert!(text.contains("Adresse personnelle: 14 Orchard Lane, Leeds"), "{text}");
        assert!(text.contains("Vous pouvez annuler cette déclaration"), "{text}");
    }

    fn stored_in_french() -> StoredPledge {
        stored(GIFT_AID_EXAMPLE, |pledge| pledge.locale = Locale::Fr)
    }

    #[test]
    fn no_gift_aid_section_without_a_declaration() {
        let stored = stored(GIFT_AID_EXAMPLE, |pledge| pledge.gift_aid = None);
        let letter = render(&stored);
        let everything = format!("{}{}", letter.text(), letter.html());
        for absent in ["Gift Aid", "Orchard Lane", "LS6 2QE", "UK taxpayer"] {
            assert!(!everything.contains(absent), "{absent} without a declaration");
        }
    }

    #[test]
    fn an_unpublished_wording_version_is_an_error_not_a_guess() {
        let stored = stored(GIFT_AID_EXAMPLE, |pledge| {
            if let Some(gift_aid) = pledge.gift_aid.as_mut() {
                gift_aid.wording_version = "gift-aid-1999-01".to_owned();
            }
        });
        assert!(matches!(compose(&stored), Err(EmailError::UnknownGiftAidWording)));
    }

    #[test]
    fn markup_from_the_donor_is_escaped_in_html() {
        let stored = stored(GIFT_AID_EXAMPLE, |pledge| {
            pledge.donor.given_name = "<script>alert(1)</script>".to_owned();
            if let Some(gift_aid) = pledge.gift_aid.as_mut() {
                gift_aid.home_address = "<img src=x onerror=alert(2)> Lane".to_owned();
            }
        });
        let html = render(&stored).html();
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(2)&gt; Lane"), "{html}");
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");

        let message = compose(&stored).unwrap();
        let to: Vec<String> = headers(&message).into_iter().filter(|line| line.starts_with("To:")).collect();
        assert_eq!(to.len(), 1, "{to:?}");
        assert!(to[0].contains("<amelia.hughes@example.co.uk>"), "{to:?}");
        let subject: Vec<String> = headers(&message).into_iter().filter(|line| line.starts_with("Subject:")).collect();
        assert!(!subject.concat().contains("script"), "{subject:?}");
    }

    #[test]
    fn a_name_that_would_write_a_header_is_refused() {
        for (given_name, family_name) in [
            ("Amelia\r\nBcc: x@evil.example", "Hughes"),
            ("Amelia", "Hughes\nBcc: x@evil.example"),
            ("Ame\u{0}lia", "Hughes"),
        ] {
            let stored = stored(GIFT_AID_EXAMPLE, |pledge| {
                pledge.donor.given_name = given_name.to_owned();
                pledge.donor.family_name = family_name.to_owned();
            });
            assert!(matches!(compose(&stored), Err(EmailError::UnsafeName)), "{given_name:?} {family_name:?}");
        }
    }

    #[test]
    fn an_address_lettre_refuses_is_an_error() {
        for email in ["amelia@example.co.uk\r\nBcc: x@evil.example", "not-an-address", "a@b@c", ""] {
            let stored = stored(GIFT_AID_EXAMPLE, |pledge| pledge.donor.email = email.to_owned());
            assert!(matches!(compose(&stored), Err(EmailError::Address(_))), "{email:?}");
        }
    }

    #[test]
    fn headers_are_exactly_the_expected_ones() {
        let stored = stored(GIFT_AID_EXAMPLE, |pledge| pledge.donor.given_name = "Amelia \"Mia\" <b>".to_owned());
        let message = compose(&stored).unwrap();
        let mut names = header_names(&message);
        names.sort();
        assert_eq!(
            names,
            ["content-type", "date", "from", "message-id", "mime-version", "reply-to", "subject", "to"],
            "{:?}",
            headers(&message)
        );
        let lines = headers(&message);
        // lettre writes names with quotes or apostrophes as encoded words, which no header can
        // break out of.
        let reply_to = lines.iter().find(|line| line.starts_with("Reply-To: ")).unwrap();
        assert!(reply_to.starts_with("Reply-To: =?utf-8?b?") && reply_to.ends_with(" <supporters@charity.example>"));
        let to = lines.iter().find(|line| line.starts_with("To: ")).unwrap();
        assert!(to.starts_with("To: =?utf-8?b?") && to.ends_with(" <amelia.hughes@example.co.uk>"), "{to}");
        assert!(!lines.concat().contains("<b>"), "{lines:?}");
        assert!(lines.contains(&"Message-ID: <SK-7Q2M-X9D4.donor@charity.example>".to_owned()), "{lines:?}");
        assert_eq!(message.envelope().to().len(), 1);
        assert_eq!(message.envelope().to()[0].to_string(), "amelia.hughes@example.co.uk");
    }

    #[test]
    fn blanks_are_filled_once_from_the_template_only() {
        let blanks = [("name", "{reference}"), ("reference", "SK-1")];
        assert_eq!(fill("Dear {name}, ref {reference}.", &blanks), "Dear {reference}, ref SK-1.");
        assert_eq!(fill("{unknown} and {", &blanks), "{unknown} and {");
        assert_eq!(fill("no blanks", &blanks), "no blanks");
    }
}
