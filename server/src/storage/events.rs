//! The audit trail: what happened to a pledge, when, and who did it.
//!
//! Every change of a pledge's status writes its event in the same transaction, so the history
//! never disagrees with the row. Events carry no personal data: an erasure names the pledge it
//! erased, never the email address that was asked for.

use super::{Status, StorageError, StorageResult};
use crate::timestamp::Timestamp;

/// Who wrote a pledge when it arrived.
pub const ACTOR_WIDGET: &str = "widget";
/// Who held a pledge for review when it arrived.
pub const ACTOR_SPAM_CHECK: &str = "spam_check";
/// Who releases pledges through the admin API, which has one token rather than named users.
pub const ACTOR_ADMIN_API: &str = "admin_api";
/// Who anonymises pledges that were never converted once they are old enough.
pub const ACTOR_RETENTION: &str = "retention";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Stored, with the status it was stored with.
    Received,
    /// Stored as `review`; the note is the reason.
    HeldForReview,
    /// Moved from `review` to `new` by a person.
    Released,
    StatusChanged,
    /// Personal data removed at the donor's request.
    Erased,
    /// Personal data removed by the retention rule.
    Anonymised,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::Received,
        EventKind::HeldForReview,
        EventKind::Released,
        EventKind::StatusChanged,
        EventKind::Erased,
        EventKind::Anonymised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Received => "received",
            EventKind::HeldForReview => "held_for_review",
            EventKind::Released => "released",
            EventKind::StatusChanged => "status_changed",
            EventKind::Erased => "erased",
            EventKind::Anonymised => "anonymised",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One entry of a pledge's history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeEvent {
    pub id: i64,
    pub at: Timestamp,
    /// `widget`, `spam_check`, `retention`, or the staff member or API that acted.
    pub actor: String,
    pub kind: EventKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub note: Option<String>,
}

/// The outcome of [`Store::change_status`](super::Store::change_status) on a pledge that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    Changed {
        from: Status,
        to: Status,
        at: Timestamp,
    },
    /// The pledge already had that status: nothing was written.
    Unchanged(Status),
}

/// An event as the shared SQL writes it.
pub(super) struct NewEvent<'a> {
    pub at: Timestamp,
    pub actor: &'a str,
    pub kind: EventKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub note: Option<String>,
}

/// The columns of a stored event, as both backends read them.
pub(super) struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: Option<String>,
}

impl EventRow {
    pub(super) fn into_event(self) -> StorageResult<PledgeEvent> {
        let EventRow { id, at, actor, kind, from_status, to_status, note } = self;
        let status = |text: Option<String>| {
            text.map(|text| {
                Status::parse(&text).ok_or_else(|| StorageError::new(format!("event {id} names an unknown status")))
            })
            .transpose()
        };
        Ok(PledgeEvent {
            id,
            at: Timestamp::from_micros(at),
            actor,
            kind: EventKind::parse(&kind)
                .ok_or_else(|| StorageError::new(format!("event {id} has an unknown kind")))?,
            from_status: status(from_status)?,
            to_status: status(to_status)?,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_what_they_write() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("deleted"), None);
    }

    #[test]
    fn a_row_with_an_unknown_status_is_an_error_not_a_guess() {
        let row = |to_status: &str| EventRow {
            id: 7,
            at: 0,
            actor: "ana".into(),
            kind: "status_changed".into(),
            from_status: Some("new".into()),
            to_status: Some(to_status.into()),
            note: None,
        };
        let event = row("converted").into_event().unwrap();
        assert_eq!((event.from_status, event.to_status), (Some(Status::New), Some(Status::Converted)));
        assert!(row("paid").into_event().is_err());
    }
}
