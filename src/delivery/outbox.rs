//! The outbox: pledges saved in this browser until the endpoint gives a final answer.
//!
//! Each pledge has a localStorage item of its own, named by [`KEY_PREFIX`] and its idempotency
//! key, holding `<created, Unix ms> TAB <lease end, Unix ms> TAB <endpoint> TAB <pledge JSON>`.
//! One item per pledge means tabs that write at the same moment never overwrite each other's
//! pledges, which a single shared item would allow: localStorage has no transactions across
//! tabs. The endpoint is recorded so that a pledge is only ever sent where it was made for,
//! however many campaigns with their own endpoints share the site.
//!
//! Items under [`LEGACY_PREFIX`] were saved before endpoints were recorded
//! (`<created> TAB <lease end> TAB <pledge JSON>`). [`super::dispatch`] decides which widget may
//! take one on; it then rewrites it under [`KEY_PREFIX`] with its endpoint.
//!
//! The JSON is kept exactly as it was first sent, so every attempt carries the same bytes and
//! the receiver recognises a repeat.

/// The prefix of the localStorage keys the widget writes.
pub const KEY_PREFIX: &str = "sanankoroba:outbox:v2:";
/// The prefix of items saved before endpoints were recorded. They are read, never written.
pub const LEGACY_PREFIX: &str = "sanankoroba:outbox:v1:";

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
    /// The endpoint the pledge was made for; `None` for an item saved before endpoints were
    /// recorded.
    pub endpoint: Option<String>,
    /// The pledge, serialized once.
    pub body: String,
    pub created_at_ms: u64,
    /// Until when a tab is sending this pledge; 0 when none is.
    pub lease_until_ms: u64,
}

impl Entry {
    /// An entry for a pledge made for `endpoint` and first saved at `now_ms`, or `None` if
    /// `key` is not a UUID v4, `body` is empty or `endpoint` could not be stored as a field.
    pub fn new(key: &str, endpoint: &str, body: &str, now_ms: u64) -> Option<Entry> {
        let storable = !endpoint.is_empty() && !endpoint.contains(['\t', '\n', '\r']);
        (pledge::is_uuid_v4(key) && !body.is_empty() && storable).then(|| Entry {
            key: key.to_owned(),
            endpoint: Some(endpoint.to_owned()),
            body: body.to_owned(),
            created_at_ms: now_ms,
            lease_until_ms: 0,
        })
    }

    /// This entry, recorded as made for `endpoint`: how a legacy item is taken on.
    pub fn for_endpoint(&self, endpoint: &str) -> Option<Entry> {
        let mut entry = Entry::new(&self.key, endpoint, &self.body, self.created_at_ms)?;
        entry.lease_until_ms = self.lease_until_ms;
        Some(entry)
    }

    /// The localStorage key of the pledge with idempotency key `key`.
    pub fn storage_key(key: &str) -> String {
        format!("{KEY_PREFIX}{key}")
    }

    /// The localStorage key of a legacy item for `key`.
    pub fn legacy_storage_key(key: &str) -> String {
        format!("{LEGACY_PREFIX}{key}")
    }

    /// Where this entry lives: under the legacy prefix until it is taken on.
    pub fn location(&self) -> String {
        match self.endpoint {
            Some(_) => Entry::storage_key(&self.key),
            None => Entry::legacy_storage_key(&self.key),
        }
    }

    /// The stored value.
    pub fn encode(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => format!("{}\t{}\t{endpoint}\t{}", self.created_at_ms, self.lease_until_ms, self.body),
            None => format!("{}\t{}\t{}", self.created_at_ms, self.lease_until_ms, self.body),
        }
    }

    /// Reads an item back, or `None` if `storage_key` is not the outbox's or the value is
    /// damaged.
    pub fn decode(storage_key: &str, value: &str) -> Option<Entry> {
        let (key, fields) = if let Some(key) = storage_key.strip_prefix(KEY_PREFIX) {
            (key, 4)
        } else {
            (storage_key.strip_prefix(LEGACY_PREFIX)?, 3)
        };
        // The body comes last, so tabs inside it cannot shift the other fields.
        let mut parts = value.splitn(fields, '\t');
        let created_at_ms = parts.next()?.parse().ok()?;
        let lease_until_ms = parts.next()?.parse().ok()?;
        let endpoint = if fields == 4 { Some(parts.next()?) } else { None };
        let body = parts.next()?;
        if !pledge::is_uuid_v4(key) || body.is_empty() || endpoint.is_some_and(str::is_empty) {
            return None;
        }
        Some(Entry {
            key: key.to_owned(),
            endpoint: endpoint.map(str::to_owned),
            body: body.to_owned(),
            created_at_ms,
            lease_until_ms,
        })
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
    const ENDPOINT: &str = "https://charity.example.org/v1/pledges";
    /// A real tab inside the body: the fields before it must not shift.
    const BODY: &str = "{\"schema_version\":1,\"note\":\"a\tb\"}";

    fn entry(created_at_ms: u64) -> Entry {
        Entry::new(KEY, ENDPOINT, BODY, created_at_ms).unwrap()
    }

    #[test]
    fn round_trips_through_its_stored_item() {
        let mut e = entry(1_764_000_000_000);
        e.lease_until_ms = 1_764_000_015_000;
        let storage_key = Entry::storage_key(KEY);
        assert_eq!(storage_key, format!("sanankoroba:outbox:v2:{KEY}"));
        assert_eq!(e.location(), storage_key);
        assert_eq!(e.encode(), format!("1764000000000\t1764000015000\t{ENDPOINT}\t{BODY}"));
        assert_eq!(Entry::decode(&storage_key, &e.encode()), Some(e));
    }

    #[test]
    fn reads_items_saved_before_endpoints_were_recorded() {
        let value = format!("1764000000000\t0\t{BODY}");
        let legacy = Entry::decode(&format!("sanankoroba:outbox:v1:{KEY}"), &value).unwrap();
        assert_eq!(legacy.endpoint, None);
        assert_eq!(legacy.body, BODY, "a tab inside the body stays in the body");
        assert_eq!(legacy.location(), format!("sanankoroba:outbox:v1:{KEY}"));
        assert_eq!(legacy.encode(), value);
        let taken_on = legacy.for_endpoint(ENDPOINT).unwrap();
        assert_eq!(taken_on, Entry { endpoint: Some(ENDPOINT.into()), ..legacy });
        assert_eq!(taken_on.location(), Entry::storage_key(KEY));
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
        assert_eq!(Entry::new("not-a-key", ENDPOINT, BODY, 0), None);
        assert_eq!(Entry::new(KEY, ENDPOINT, "", 0), None);
        assert_eq!(Entry::new(KEY, "", BODY, 0), None);
        assert_eq!(Entry::new(KEY, "https://a.example/\tb", BODY, 0), None);
        let value = entry(1).encode();
        assert_eq!(Entry::decode(KEY, &value), None, "another key's item");
        assert_eq!(Entry::decode("sanankoroba:outbox:v2:x", &value), None);
        for damaged in [
            "",
            "1",
            "1\t2",
            "1\t2\thttps://a.example",
            "x\t0\thttps://a.example\t{}",
            "1\t-2\thttps://a.example\t{}",
            "1\t0\thttps://a.example\t",
            "1\t0\t\t{}",
        ] {
            assert_eq!(Entry::decode(&Entry::storage_key(KEY), damaged), None, "{damaged:?}");
        }
    }

    fn any_key() -> impl Strategy<Value = String> {
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    }

    proptest! {
        #[test]
        fn any_entry_round_trips(key in any_key(), endpoint in "https://[a-z.]{1,20}/[^\t\n\r]{0,40}", body in "\\PC{1,200}", created in any::<u64>(), lease in any::<u64>()) {
            let mut e = Entry::new(&key, &endpoint, &body, created).unwrap();
            e.lease_until_ms = lease;
            prop_assert_eq!(Entry::decode(&e.location(), &e.encode()), Some(e));
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
