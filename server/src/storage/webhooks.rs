//! Webhook endpoints that staff added on the admin pages, as storage keeps them.
//!
//! The operator's endpoints come from flags and are never stored; the ones added on the pages
//! are rows of `webhook_endpoints`, shared by every receiver on the database. An event is
//! delivered to both sets ([`delivery_targets`]), read in the transaction that writes it, so an
//! endpoint added on one receiver takes effect at the next change on all of them.
//!
//! The secret is stored as it was generated, since each delivery is signed with it; it stays
//! out of `Debug`, so that no log line carries it. A secret replaced on the pages goes on
//! signing beside the new one for a while ([`StoredWebhook::signing_secrets`]), so that the
//! endpoint's owner can switch over without refusing a delivery.

use std::fmt;

use crate::timestamp::Timestamp;

/// The text stored as a pending delivery's last error when its endpoint is removed.
pub const ENDPOINT_REMOVED: &str = "the endpoint was removed before this event was delivered";

/// An endpoint to store, its name and URL already checked.
#[derive(Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub name: String,
    pub url: String,
    pub secret: String,
    pub created_at: Timestamp,
    /// The username of the member of staff who added it.
    pub created_by: String,
}

impl fmt::Debug for NewWebhook {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("NewWebhook")
            .field("name", &self.name)
            .field("created_by", &self.created_by)
            .finish_non_exhaustive()
    }
}

/// A new secret for a stored endpoint; the one it replaces signs too until `previous_until`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretReplacement {
    pub name: String,
    pub secret: String,
    pub previous_until: Timestamp,
}

impl fmt::Debug for SecretReplacement {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SecretReplacement")
            .field("name", &self.name)
            .field("previous_until", &self.previous_until)
            .finish_non_exhaustive()
    }
}

/// A stored endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredWebhook {
    pub name: String,
    pub url: String,
    /// What its deliveries are signed with. Never shown, logged or sent anywhere else.
    pub secret: String,
    /// The secret this one replaced, while it still signs too.
    pub previous_secret: Option<PreviousSecret>,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A replaced secret, and until when deliveries carry a signature made with it.
#[derive(Clone, PartialEq, Eq)]
pub struct PreviousSecret {
    pub secret: String,
    pub until: Timestamp,
}

impl StoredWebhook {
    /// The secrets its deliveries are signed with at `now`: the current one, then the replaced
    /// one until its time is up.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&str> {
        let previous = self.previous_still_signing(now);
        std::iter::once(self.secret.as_str()).chain(previous.map(|previous| previous.secret.as_str())).collect()
    }

    /// The replaced secret, if it still signs at `now`.
    pub fn previous_still_signing(&self, now: Timestamp) -> Option<&PreviousSecret> {
        self.previous_secret.as_ref().filter(|previous| previous.until > now)
    }
}

impl fmt::Debug for StoredWebhook {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("StoredWebhook")
            .field("name", &self.name)
            .field("created_at", &self.created_at)
            .field("created_by", &self.created_by)
            .field("previous_secret_until", &self.previous_secret.as_ref().map(|previous| previous.until))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAdded {
    Added,
    /// A stored endpoint has the name already; nothing was changed.
    NameTaken,
    /// A `--webhook` flag of this receiver uses the name; nothing was changed.
    NameOfFlagEndpoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSecretReplaced {
    Replaced,
    /// No stored endpoint has the name; nothing was changed.
    NoSuchEndpoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookRemoved {
    /// Removed; `given_up` pending deliveries to it were marked dead.
    Removed {
        given_up: u64,
    },
    NoSuchEndpoint,
}

/// The endpoints an event is delivered to: the flag endpoints, then the stored ones in the
/// order they were added, each name once (a flag endpoint wins over a stored one of the same
/// name, which another receiver's flags may have let through).
pub fn delivery_targets(flags: &[String], stored: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut targets = flags.to_vec();
    for name in stored {
        if !targets.contains(&name) {
            targets.push(name);
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_endpoints_come_first_and_each_name_once() {
        let flags = ["crm".to_owned(), "sheet".to_owned()];
        let stored = ["robot".to_owned(), "crm".to_owned(), "archive".to_owned()];
        assert_eq!(delivery_targets(&flags, stored), ["crm", "sheet", "robot", "archive"]);
        assert_eq!(delivery_targets(&[], ["robot".to_owned()]), ["robot"]);
        assert!(delivery_targets(&[], []).is_empty());
    }

    #[test]
    fn debug_leaves_the_secret_out() {
        let stored = StoredWebhook {
            name: "robot".into(),
            url: "https://robot.example.org/hook?token=hunter2".into(),
            secret: "whsec-very-secret-value-0123456789".into(),
            previous_secret: Some(PreviousSecret {
                secret: "whsec-old-secret-value-0123456789".into(),
                until: Timestamp::from_micros(5),
            }),
            created_at: Timestamp::from_micros(0),
            created_by: "amina".into(),
        };
        let debug = format!("{stored:?}");
        assert!(!debug.contains("old-secret"), "{debug}");
        assert!(!debug.contains("very-secret") && !debug.contains("hunter2"), "{debug}");
        let new = NewWebhook {
            name: stored.name.clone(),
            url: stored.url.clone(),
            secret: stored.secret.clone(),
            created_at: stored.created_at,
            created_by: stored.created_by.clone(),
        };
        let debug = format!("{new:?}");
        assert!(!debug.contains("very-secret") && !debug.contains("hunter2"), "{debug}");
        let replacement = SecretReplacement {
            name: stored.name.clone(),
            secret: stored.secret.clone(),
            previous_until: Timestamp::from_micros(5),
        };
        let debug = format!("{replacement:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
    }

    #[test]
    fn a_replaced_secret_signs_beside_the_new_one_until_its_time_is_up() {
        let mut stored = StoredWebhook {
            name: "robot".into(),
            url: "https://robot.example.org/hook".into(),
            secret: "new-secret".into(),
            previous_secret: None,
            created_at: Timestamp::from_micros(0),
            created_by: "amina".into(),
        };
        assert_eq!(stored.signing_secrets(Timestamp::from_micros(10)), ["new-secret"]);
        stored.previous_secret =
            Some(PreviousSecret { secret: "old-secret".into(), until: Timestamp::from_micros(10) });
        assert_eq!(stored.signing_secrets(Timestamp::from_micros(9)), ["new-secret", "old-secret"]);
        assert_eq!(stored.signing_secrets(Timestamp::from_micros(10)), ["new-secret"], "no longer at its end");
    }
}
