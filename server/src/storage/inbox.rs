//! What the staff inbox asks of storage: which pledges to list, in which order, a page at a
//! time, and the columns a list shows.

use pledge::{Amount, Currency, Frequency, Pledge, SponsorshipOption};

use super::{Status, StatusFilter};
use crate::timestamp::Timestamp;

/// The most rows one page holds, whatever was asked.
pub const MAX_INBOX_ROWS: u32 = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InboxSort {
    #[default]
    NewestFirst,
    OldestFirst,
    AmountHighestFirst,
    AmountLowestFirst,
}

impl InboxSort {
    /// Ties are broken by id, in the same direction, so that a page never repeats or skips a
    /// row of the previous one.
    pub(super) fn order_by(self) -> &'static str {
        match self {
            InboxSort::NewestFirst => "received_at DESC, id DESC",
            InboxSort::OldestFirst => "received_at ASC, id ASC",
            InboxSort::AmountHighestFirst => "amount_minor DESC, id DESC",
            InboxSort::AmountLowestFirst => "amount_minor ASC, id ASC",
        }
    }
}

/// Which pledges the inbox lists. The default lists everything but `review`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxQuery {
    pub status: StatusFilter,
    pub partner: Option<String>,
    pub option: Option<SponsorshipOption>,
    pub currency: Option<Currency>,
    /// Received at or after this instant.
    pub since: Option<Timestamp>,
    /// Received before this instant.
    pub until: Option<Timestamp>,
    /// Matches, ignoring case, part of the donor's given or family name, email address, or
    /// the pledge's reference. Taken literally: `%` and `_` are not wildcards.
    pub text: Option<String>,
    pub sort: InboxSort,
    /// How many matching rows to skip.
    pub offset: u32,
    /// At most [`MAX_INBOX_ROWS`]; 0 reads as 1.
    pub limit: u32,
}

impl InboxQuery {
    pub(super) fn bounded_limit(&self) -> u32 {
        self.limit.clamp(1, MAX_INBOX_ROWS)
    }

    /// The search text as a LIKE pattern on the lower-case columns, or `None` when there is
    /// nothing to search for.
    pub(super) fn text_pattern(&self) -> Option<String> {
        let text = self.text.as_deref()?.trim();
        (!text.is_empty()).then(|| format!("%{}%", escape_like(&text.to_lowercase())))
    }
}

/// The escape character the LIKE patterns declare with `ESCAPE`.
pub(super) const LIKE_ESCAPE: char = '\\';

/// `text` matched literally by LIKE: its wildcards and escape character are escaped.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | LIKE_ESCAPE) {
            escaped.push(LIKE_ESCAPE);
        }
        escaped.push(character);
    }
    escaped
}

/// The pledge's fields the inbox filters, sorts and searches on, copied into columns of their
/// own when it is stored. The pledge's JSON stays the source of truth for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchColumns {
    pub option: SponsorshipOption,
    pub frequency: Frequency,
    pub amount: Amount,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub has_gift_aid: bool,
}

impl SearchColumns {
    pub fn of(pledge: &Pledge) -> SearchColumns {
        SearchColumns {
            option: pledge.option,
            frequency: pledge.frequency,
            amount: pledge.amount,
            given_name: pledge.donor.given_name.clone(),
            family_name: pledge.donor.family_name.clone(),
            email: pledge.donor.email.clone(),
            has_gift_aid: pledge.gift_aid.is_some(),
        }
    }

    /// What searches by name match: both names, lower-cased in full Unicode.
    pub(super) fn name_lower(&self) -> String {
        SearchColumns::name_lower_of(&self.given_name, &self.family_name)
    }

    pub(super) fn name_lower_of(given_name: &str, family_name: &str) -> String {
        format!("{given_name} {family_name}").trim().to_lowercase()
    }

    pub(super) fn email_lower(&self) -> String {
        self.email.to_lowercase()
    }
}

/// A page of the inbox, and how many pledges match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    pub total: u64,
}

/// What a list shows of one pledge. After an erasure the names and email are empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub id: i64,
    pub reference: String,
    pub received_at: Timestamp,
    pub status: Status,
    pub partner: String,
    pub option: SponsorshipOption,
    pub frequency: Frequency,
    pub amount: Amount,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub has_gift_aid: bool,
    pub erased_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_lower_cased_trimmed_and_taken_literally() {
        let pattern = |text: &str| InboxQuery { text: Some(text.into()), ..InboxQuery::default() }.text_pattern();
        assert_eq!(pattern("  Traoré "), Some("%traoré%".to_owned()));
        assert_eq!(pattern("100%_off\\"), Some("%100\\%\\_off\\\\%".to_owned()));
        assert_eq!(pattern("   "), None);
        assert_eq!(InboxQuery::default().text_pattern(), None);
    }

    #[test]
    fn the_limit_is_bounded() {
        let limit = |limit| InboxQuery { limit, ..InboxQuery::default() }.bounded_limit();
        assert_eq!((limit(0), limit(25), limit(10_000)), (1, 25, MAX_INBOX_ROWS));
    }
}
