//! The outbox: pledges saved in this browser until the endpoint gives a final answer.
//!
//! Each pledge has a localStorage item of its own, named by [`KEY_PREFIX`] and its idempotency
//! key, holding `<created, Unix ms> TAB <lease end, Unix ms> TAB <pledge JSON>`. One item per
//! pledge means tabs that write at the same moment never overwrite each other's pledges, which
//! a single shared item would allow: localStorage has no transactions across tabs.
//!
//! The JSON is kept exactly as it was first sent, so every attempt carries the same bytes and
//! the receiver recognises a repeat.

/// The prefix of every localStorage key the widget uses.
pub const KEY_PREFIX: &str = "sanankoroba:outbox:v1:";

/// A pledge that has not reached the charity after a week is dropped: the donor has likely
/// pledged again by other means, and personal data should not linger on a shared computer.
pub const EXPIRY_MS: u64 = 7 * 24 * 60 * 60 * 1_000;

/// While an attempt runs, other tabs leave the entry alone for this long. It exceeds the
/// attempt's time limit, so a lease outlives its attempt only when the tab closed mid-way.
pub const LEASE_MS: u64 = 15_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The pledge's idempotency key.
    pub key: String,
    /// The pledge, serialized once.
    pub body: String,
    pub created_at_ms: u64,
    /// Until when a tab is sending this pledge; 0 when none is.
    pub lease_until_ms: u64,
}

impl Entry {
    /// An entry for a pledge first saved at `now_ms`, or `None` if `key` is not a UUID v4 or
    /// `body` is empty.
    pub fn new(key: &str, body: &str, now_ms: u64) -> Option<Entry> {
        (pledge::is_uuid_v4(key) && !body.is_empty()).then(|| Entry {
            key: key.to_owned(),
            body: body.to_owned(),
            created_at_ms: now_ms,
            lease_until_ms: 0,
        })
    }

    /// The localStorage key of the pledge with idempotency key `key`.
    pub fn storage_key(key: &str) -> String {
        format!("{KEY_PREFIX}{key}")
    }

    /// The stored value.
    pub fn encode(&self) -> String {
        format!("{}\t{}\t{}", self.created_at_ms, self.lease_until_ms, self.body)
    }

    /// Reads an item back, or `None` if `storage_key` is not the outbox's or the value is
    /// damaged.
    pub fn decode(storage_key: &str, value: &str) -> Option<Entry> {
        let key = storage_key.strip_prefix(KEY_PREFIX)?;
        // The body comes last, so tabs inside it cannot shift the other fields.
        let mut fields = value.splitn(3, '\t');
        let created_at_ms = fields.next()?.parse().ok()?;
        let lease_until_ms = fields.next()?.parse().ok()?;
        let mut entry = Entry::new(key, fields.next()?, created_at_ms)?;
        entry.lease_until_ms = lease_until_ms;
        Some(entry)
    }

    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.created_at_ms) >= EXPIRY_MS
    }

    pub fn is_leased(&self, now_ms: u64) -> bool {
        self.lease_until_ms > now_ms
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &str = "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f";
    const BODY: &str = r#"{"schema_version":1,"donor":{"given_name":"Awa\n"}}"#;

    fn entry(created_at_ms: u64) -> Entry {
        Entry::new(KEY, BODY, created_at_ms).unwrap()
    }

    #[test]
    fn round_trips_through_its_stored_item() {
        let mut e = entry(1_764_000_000_000);
        e.lease_until_ms = 1_764_000_015_000;
        let storage_key = Entry::storage_key(KEY);
        assert_eq!(storage_key, format!("sanankoroba:outbox:v1:{KEY}"));
        assert_eq!(e.encode(), format!("1764000000000\t1764000015000\t{BODY}"));
        assert_eq!(Entry::decode(&storage_key, &e.encode()), Some(e));
    }

    #[test]
    fn an_entry_expires_after_seven_days() {
        let created = 1_764_000_000_000;
        let e = entry(created);
        assert!(!e.is_expired(created));
        assert!(!e.is_expired(created + EXPIRY_MS - 1));
        assert!(e.is_expired(created + EXPIRY_MS));
        // A clock set back must not make a fresh entry look old.
        assert!(!e.is_expired(created - 1_000));
    }

    #[test]
    fn leases_mark_an_entry_for_a_while() {
        let mut e = entry(1);
        assert!(!e.is_leased(100));
        e.lease_until_ms = 100 + LEASE_MS;
        assert!(e.is_leased(100));
        assert!(!e.is_leased(100 + LEASE_MS));
    }

    #[test]
    fn refuses_what_is_not_a_pledge_of_its_own() {
        assert_eq!(Entry::new("not-a-key", BODY, 0), None);
        assert_eq!(Entry::new(KEY, "", 0), None);
        let value = entry(1).encode();
        assert_eq!(Entry::decode(KEY, &value), None, "another key's item");
        assert_eq!(Entry::decode("sanankoroba:outbox:v1:x", &value), None);
        for damaged in ["", "1", "1\t2", "x\t0\t{}", "1\t-2\t{}", "1\t0\t"] {
            assert_eq!(Entry::decode(&Entry::storage_key(KEY), damaged), None, "{damaged:?}");
        }
    }

    fn any_key() -> impl Strategy<Value = String> {
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    }

    proptest! {
        #[test]
        fn any_entry_round_trips(key in any_key(), body in "\\PC{1,200}", created in any::<u64>(), lease in any::<u64>()) {
            let mut e = Entry::new(&key, &body, created).unwrap();
            e.lease_until_ms = lease;
            prop_assert_eq!(Entry::decode(&Entry::storage_key(&key), &e.encode()), Some(e));
        }

        #[test]
        fn expiry_is_exactly_seven_days(created in 0u64..1u64 << 50, age in 0u64..2 * EXPIRY_MS) {
            prop_assert_eq!(entry(created).is_expired(created + age), age >= EXPIRY_MS);
        }

        #[test]
        fn decoding_never_panics(storage_key in "\\PC{0,60}", value in "\\PC{0,300}") {
            let _ = Entry::decode(&storage_key, &value);
        }
    }
}
