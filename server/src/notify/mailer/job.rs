//! Which e-mails a pledge may cause, decided from its status and the settings alone.
//!
//! The staff notification carries no personal data and goes to the charity's own address, so
//! it may be sent for any pledge. The donor's confirmation goes to whatever address was typed
//! into a form: a pledge held for review is probably a bot's, and confirming it would let
//! anyone make the charity send mail to addresses of their choosing. So it is refused for a
//! pledge in `review`, for a pledge whose donor's details were erased, and for every pledge
//! when the operator turned confirmations off.

use std::fmt;

/// One of the e-mails a pledge causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// To the charity's staff: a pledge arrived, with a link to the staff inbox.
    CharityNotification,
    /// To the donor: what they pledged, their Gift Aid declaration, what happens next.
    DonorConfirmation,
}

impl MailKind {
    pub const ALL: [MailKind; 2] = [MailKind::CharityNotification, MailKind::DonorConfirmation];

    /// The stable name under which a queued e-mail is stored and logged.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::CharityNotification => "charity_notification",
            MailKind::DonorConfirmation => "donor_confirmation",
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// An e-mail to send about the pledge with `reference`, as a queue keeps it: the message is
/// composed when it is sent, from the pledge as it is then, so that nothing personal waits in
/// the queue and an erased pledge is never mailed from an old copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailJob {
    pub kind: MailKind,
    pub reference: String,
}

/// Why an e-mail is not to be sent at all. Sending it again would not change that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The pledge is held for review, as probably automated.
    HeldForReview,
    /// The donor's details were erased: there is no one to write to.
    Erased,
    /// The operator turned donor confirmations off.
    DonorConfirmationsOff,
}

impl fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Refusal::HeldForReview => "the pledge is held for review, so its donor is not written to",
            Refusal::Erased => "the donor's details were erased",
            Refusal::DonorConfirmationsOff => "donor confirmations are turned off",
        })
    }
}

/// The facts about a pledge that decide which e-mails it may cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing<'a> {
    /// The status as the API names it, such as `new` or `review`.
    pub status: &'a str,
    /// Whether the donor's details were erased.
    pub erased: bool,
}

/// Why the `kind` e-mail must not be sent for a pledge of `standing`, if it must not.
pub fn refusal(kind: MailKind, standing: Standing<'_>, donor_confirmations: bool) -> Option<Refusal> {
    match kind {
        MailKind::CharityNotification => None,
        MailKind::DonorConfirmation if !donor_confirmations => Some(Refusal::DonorConfirmationsOff),
        MailKind::DonorConfirmation if standing.erased => Some(Refusal::Erased),
        MailKind::DonorConfirmation if standing.status == "review" => Some(Refusal::HeldForReview),
        MailKind::DonorConfirmation => None,
    }
}

/// The e-mails to queue for a pledge just stored with `status`.
pub fn mails_for_new_pledge(status: &str, donor_confirmations: bool) -> Vec<MailKind> {
    let standing = Standing { status, erased: false };
    MailKind::ALL.into_iter().filter(|kind| refusal(*kind, standing, donor_confirmations).is_none()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Status;

    fn standing(status: Status) -> Standing<'static> {
        Standing { status: status.as_str(), erased: false }
    }

    #[test]
    fn the_donor_of_a_pledge_held_for_review_is_never_written_to() {
        assert_eq!(refusal(MailKind::DonorConfirmation, standing(Status::Review), true), Some(Refusal::HeldForReview));
        for status in [Status::New, Status::Contacted, Status::Converted, Status::Declined] {
            assert_eq!(refusal(MailKind::DonorConfirmation, standing(status), true), None, "{status:?}");
        }
    }

    #[test]
    fn staff_are_told_of_every_pledge() {
        for status in Status::ALL {
            assert_eq!(refusal(MailKind::CharityNotification, standing(status), false), None, "{status:?}");
        }
    }

    #[test]
    fn an_erased_donor_is_not_written_to_but_staff_still_may_be() {
        let erased = Standing { status: "new", erased: true };
        assert_eq!(refusal(MailKind::DonorConfirmation, erased, true), Some(Refusal::Erased));
        assert_eq!(refusal(MailKind::CharityNotification, erased, true), None);
    }

    #[test]
    fn confirmations_turned_off_are_never_sent() {
        for status in Status::ALL {
            assert_eq!(
                refusal(MailKind::DonorConfirmation, standing(status), false),
                Some(Refusal::DonorConfirmationsOff),
                "{status:?}"
            );
        }
    }

    #[test]
    fn a_new_pledge_causes_the_mails_its_status_allows() {
        use MailKind::*;
        assert_eq!(mails_for_new_pledge("new", true), [CharityNotification, DonorConfirmation]);
        assert_eq!(mails_for_new_pledge("new", false), [CharityNotification]);
        assert_eq!(mails_for_new_pledge("review", true), [CharityNotification]);
    }

    #[test]
    fn kinds_keep_their_stored_names() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::DonorConfirmation.as_str(), "donor_confirmation");
        assert_eq!(MailKind::parse("webhook"), None);
    }
}
