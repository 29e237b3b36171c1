//! The e-mails a pledge causes, composed but not sent: one telling the charity's staff that a
//! pledge arrived, one confirming to the donor what they pledged.
//!
//! Each is a multipart/alternative message, plain text and HTML, built with lettre's checked
//! headers. Nothing a donor typed ever goes into a Subject; the donor's name reaches a header only
//! inside a `Mailbox`, after line breaks and other control characters have been refused, so that a
//! name cannot add a header of its own.
//!
//! - [`charity`]: the staff notification, which links to the staff inbox instead of carrying the
//!   donor's details.
//! - [`donor`]: the donor's confirmation, with their Gift Aid declaration when they made one.
//! - `describe`: a pledge in words; `layout`: one content rendered as text and as HTML.

pub mod charity;
mod describe;
pub mod donor;
mod layout;

use std::fmt;

use lettre::message::{Mailbox, MessageBuilder, MultiPart};
use lettre::Message;

use self::layout::Letter;

pub use self::charity::charity_notification;
pub use self::donor::donor_confirmation;

/// Who the donor is dealing with, as the confirmation names them.
#[derive(Debug, Clone)]
pub struct Charity {
    /// The name donors know, such as `SOS Children's Villages UK`.
    pub name: String,
    /// Where donors write, reply, and cancel a Gift Aid declaration.
    pub address: Mailbox,
}

/// Why an e-mail could not be composed.
#[derive(Debug)]
pub enum EmailError {
    /// The donor's name holds a line break or another control character.
    UnsafeName,
    /// lettre refused the donor's address.
    Address(lettre::address::AddressError),
    /// The receiver's public URL cannot take a path, so there is no inbox link to give.
    PublicUrl,
    /// No published Gift Aid wording matches the declaration's version in the donor's language,
    /// so the confirmation cannot quote the words they agreed to.
    UnknownGiftAidWording,
    /// lettre refused the message.
    Message(lettre::error::Error),
}

impl fmt::Display for EmailError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmailError::UnsafeName => formatter.write_str("the donor's name holds a control character"),
            EmailError::Address(error) => write!(formatter, "the donor's e-mail address was refused: {error}"),
            EmailError::PublicUrl => formatter.write_str("the receiver's public URL cannot take a path"),
            EmailError::UnknownGiftAidWording => {
                formatter.write_str("the Gift Aid declaration's wording is not published in the donor's language")
            }
            EmailError::Message(error) => write!(formatter, "the message was refused: {error}"),
        }
    }
}

impl std::error::Error for EmailError {}

/// The message with both renderings of `letter` as its alternatives.
fn assemble(builder: MessageBuilder, letter: &Letter) -> Result<Message, EmailError> {
    builder.multipart(MultiPart::alternative_plain_html(letter.text(), letter.html())).map_err(EmailError::Message)
}

/// A Message-ID made from the pledge and the e-mail's purpose, on the sender's domain. Being the
/// same for every attempt, it lets mail programs drop a copy that a retried send delivers twice.
fn message_id(reference: &str, purpose: &str, sender: &Mailbox) -> String {
    format!("<{}.{purpose}@{}>", safe_reference(reference), sender.email.domain())
}

/// The reference with anything but letters, digits and hyphens dropped. References are made by
/// the receiver in that alphabet; this keeps a damaged one from reaching a header or a link as is.
fn safe_reference(reference: &str) -> String {
    reference.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_keep_only_their_own_alphabet() {
        assert_eq!(safe_reference("SK-7Q2M-X9D4"), "SK-7Q2M-X9D4");
        assert_eq!(safe_reference("SK-7Q2M\r\nBcc: x@evil.example"), "SK-7Q2MBccxevilexample");
    }

    #[test]
    fn message_ids_use_the_senders_domain() {
        let sender: Mailbox = "Pledges <pledges@charity.example>".parse().unwrap();
        assert_eq!(message_id("SK-7Q2M-X9D4", "donor", &sender), "<SK-7Q2M-X9D4.donor@charity.example>");
    }
}
