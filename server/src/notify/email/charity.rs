//! The e-mail that tells the charity's staff a pledge has arrived.
//!
//! It says what was pledged and links to the pledge in the staff inbox, but carries no personal
//! data: not the donor's name, e-mail, phone or addresses, and not the page address, whose query
//! string a partner's site may have filled with anything. Mail is copied to servers and mailboxes
//! the receiver does not control, forwarded, and kept long after a pledge is erased; the inbox
//! shows the same details only to staff who sign in, and stops showing them once they are erased.
//! Staff lose nothing by following the link, and a misdirected or leaked notification exposes no
//! donor.

use lettre::message::Mailbox;
use lettre::Message;
use url::Url;

use super::describe::{self, language_name, minute_utc, option_name};
use super::layout::{Block, Letter};
use super::{assemble, message_id, safe_reference, EmailError};
use crate::notify::view::PledgeView;
use pledge::Locale;

/// The staff notification for `pledge`, from `sender` to the charity's `to`, linking to the
/// pledge's page under the receiver's `public_url`.
pub fn charity_notification(
    pledge: PledgeView<'_>,
    to: &Mailbox,
    sender: &Mailbox,
    public_url: &Url,
) -> Result<Message, EmailError> {
    let reference = safe_reference(pledge.reference);
    let link = inbox_link(public_url, &reference)?;
    let letter = letter(pledge, &reference, link);
    let builder = Message::builder()
        .from(sender.clone())
        .to(to.clone())
        .subject(letter.title.clone())
        .message_id(Some(message_id(&reference, "staff", sender)));
    assemble(builder, &letter)
}

/// `{public_url}/admin/pledges/{reference}`, whatever path the public URL already has.
fn inbox_link(public_url: &Url, reference: &str) -> Result<Url, EmailError> {
    let mut link = public_url.clone();
    link.set_query(None);
    link.set_fragment(None);
    link.path_segments_mut()
        .map_err(|()| EmailError::PublicUrl)?
        .pop_if_empty()
        .extend(["admin", "pledges", reference]);
    Ok(link)
}

fn letter(view: PledgeView<'_>, reference: &str, link: Url) -> Letter {
    let pledge = view.pledge;
    let gift_aid = if pledge.gift_aid.is_some() { "Declared" } else { "Not declared" };
    Letter {
        lang: "en",
        title: format!("New pledge {reference}: {}", describe::pledged(pledge, Locale::En)),
        blocks: vec![
            Block::Heading(format!("New pledge {reference}")),
            Block::Facts(vec![
                ("Reference".to_owned(), reference.to_owned()),
                ("Received".to_owned(), minute_utc(view.received_at)),
                ("Option".to_owned(), option_name(pledge.option, Locale::En).to_owned()),
                ("Amount".to_owned(), describe::amount(pledge.amount, pledge.frequency, Locale::En)),
                ("Gift Aid".to_owned(), gift_aid.to_owned()),
                ("Partner".to_owned(), pledge.partner.clone()),
                ("Donor's language".to_owned(), language_name(pledge.locale).to_owned()),
                ("Status".to_owned(), view.status.to_owned()),
            ]),
            Block::Paragraph(
                "The donor's name and contact details are in the staff inbox, which shows them only to \
                 staff who sign in. They are left out of this e-mail because mail is copied and kept \
                 beyond the receiver's control."
                    .to_owned(),
            ),
            Block::Link { text: "Open the pledge in the staff inbox".to_owned(), href: link.to_string() },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::test_support::{stored, GIFT_AID_EXAMPLE, ONE_OFF_EXAMPLE};

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn mailbox(text: &str) -> Mailbox {
        text.parse().unwrap()
    }

    fn formatted(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    fn headers(message: &Message) -> String {
        let text = formatted(message);
        text.split("\r\n\r\n").next().unwrap().to_owned()
    }

    #[test]
    fn links_to_the_pledge_under_any_public_url() {
        for (public_url, expected) in [
            ("https://pledges.charity.example", "https://pledges.charity.example/admin/pledges/SK-7Q2M-X9D4"),
            ("https://pledges.charity.example/", "https://pledges.charity.example/admin/pledges/SK-7Q2M-X9D4"),
            ("https://charity.example/receiver/", "https://charity.example/receiver/admin/pledges/SK-7Q2M-X9D4"),
            ("https://charity.example/receiver?x=1#top", "https://charity.example/receiver/admin/pledges/SK-7Q2M-X9D4"),
        ] {
            assert_eq!(inbox_link(&url(public_url), "SK-7Q2M-X9D4").unwrap().as_str(), expected);
        }
        assert!(matches!(inbox_link(&url("mailto:staff@charity.example"), "SK-7Q2M-X9D4"), Err(EmailError::PublicUrl)));
    }

    #[test]
    fn subject_states_the_pledge_without_personal_data() {
        let monthly = stored(GIFT_AID_EXAMPLE, |_| {});
        let letter = letter(PledgeView::from(&monthly), "SK-7Q2M-X9D4", url("https://x.example/"));
        assert_eq!(letter.title, "New pledge SK-7Q2M-X9D4: Sponsor a child, GBP 25.00 a month");
        let one_off = stored(ONE_OFF_EXAMPLE, |_| {});
        let letter = super::letter(PledgeView::from(&one_off), "SK-7Q2M-X9D4", url("https://x.example/"));
        assert_eq!(letter.title, "New pledge SK-7Q2M-X9D4: One-off gift, GBP 100.00");
    }

    #[test]
    fn the_message_carries_no_donor_details() {
        let stored = stored(GIFT_AID_EXAMPLE, |pledge| {
            pledge.page_url = "https://partner.example/?email=amelia.hughes@example.co.uk".to_owned();
        });
        let message = charity_notification(
            PledgeView::from(&stored),
            &mailbox("Supporter care <care@charity.example>"),
            &mailbox("Pledges <pledges@charity.example>"),
            &url("https://pledges.charity.example"),
        )
        .unwrap();
        let link = inbox_link(&url("https://pledges.charity.example"), "SK-7Q2M-X9D4").unwrap();
        let letter = letter(PledgeView::from(&stored), "SK-7Q2M-X9D4", link);
        let everything = format!("{}\n{}\n{}", formatted(&message), letter.text(), letter.html());
        for personal in ["Amelia", "Hughes", "amelia.hughes", "Orchard", "LS6", "partner.example"] {
            assert!(!everything.contains(personal), "{personal} is in the staff notification");
        }
        let text = letter.text();
        for shown in ["SK-7Q2M-X9D4", "Sponsor a child", "GBP 25.00 a month", "Gift Aid: Declared", "sos-uk"] {
            assert!(text.contains(shown), "{shown} is missing from {text}");
        }
        assert!(text.contains("https://pledges.charity.example/admin/pledges/SK-7Q2M-X9D4"), "{text}");
        assert!(letter.html().contains("href=\"https://pledges.charity.example/admin/pledges/SK-7Q2M-X9D4\""));

        let headers = headers(&message);
        assert!(headers.contains("To: \"Supporter care\" <care@charity.example>"), "{headers}");
        assert!(headers.contains("Subject: New pledge SK-7Q2M-X9D4: Sponsor a child, GBP 25.00 a month"), "{headers}");
        assert!(headers.contains("Message-ID: <SK-7Q2M-X9D4.staff@charity.example>"), "{headers}");
        assert!(headers.contains("Content-Type: multipart/alternative"), "{headers}");
        let body = formatted(&message);
        assert!(body.contains("Content-Type: text/plain; charset=utf-8"), "{body}");
        assert!(body.contains("Content-Type: text/html; charset=utf-8"), "{body}");
    }
}
