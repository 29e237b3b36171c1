//! The outbox: pledges saved in this browser until the endpoint gives a final answer.
//!
//! It is stored as text under one localStorage key, one pledge per line:
//! `<idempotency key> TAB <created, Unix ms> TAB <lease end, Unix ms> TAB <pledge JSON>`.
//! The JSON is kept exactly as it was first sent, so every attempt carries the same bytes and
//! the receiver recognises a repeat. `JSON.stringify` escapes every control character inside
//! strings, so the JSON never contains a tab or a line break of its own.

/// The only localStorage key the widget uses.
pub const STORAGE_KEY: &str = "sanankoroba:outbox:v1";

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
    /// An entry for a pledge first saved at `now_ms`, or `None` if `body` could not be stored
    /// on one line or `key` is not a UUID v4.
    pub fn new(key: &str, body: &str, now_ms: u64) -> Option<Entry> {
        (pledge::is_uuid_v4(key) && !body.is_empty() && !body.contains(['\n', '\r', '\t'])).then(|| Entry {
            key: key.to_owned(),
            body: body.to_owned(),
            created_at_ms: now_ms,
            lease_until_ms: 0,
        })
    }

    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.created_at_ms) >= EXPIRY_MS
    }

    pub fn is_leased(&self, now_ms: u64) -> bool {
        self.lease_until_ms > now_ms
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outbox {
    entries: Vec<Entry>,
}

impl Outbox {
    /// Reads the stored text. Lines it cannot read are skipped rather than failing the rest:
    /// one damaged line must not cost the other pledges.
    pub fn decode(text: &str) -> Outbox {
        let entries: Vec<Entry> = text
            .lines()
            .filter_map(|line| {
                let mut fields = line.splitn(4, '\t');
                let key = fields.next()?;
                let created_at_ms = fields.next()?.parse().ok()?;
                let lease_until_ms = fields.next()?.parse().ok()?;
                let body = fields.next()?;
                let mut entry = Entry::new(key, body, created_at_ms)?;
                entry.lease_until_ms = lease_until_ms;
                Some(entry)
            })
            .collect();
        let mut outbox = Outbox::default();
        for entry in entries {
            outbox.insert(entry);
        }
        outbox
    }

    pub fn encode(&self) -> String {
        let mut text = String::new();
        for entry in &self.entries {
            text.push_str(&format!("{}\t{}\t{}\t{}\n", entry.key, entry.created_at_ms, entry.lease_until_ms, entry.body));
        }
        text
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.key == key)
    }

    /// Adds `entry` unless its key is already there. The stored entry wins: it holds the bytes
    /// that may already have reached the receiver, and its creation time.
    pub fn insert(&mut self, entry: Entry) -> &Entry {
        let index = match self.entries.iter().position(|e| e.key == entry.key) {
            Some(index) => index,
            None => {
                self.entries.push(entry);
                self.entries.len() - 1
            }
        };
        &self.entries[index]
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let index = self.entries.iter().position(|entry| entry.key == key)?;
        Some(self.entries.remove(index))
    }

    /// Removes and returns the entries that are a week old.
    pub fn remove_expired(&mut self, now_ms: u64) -> Vec<Entry> {
        let (expired, kept) = std::mem::take(&mut self.entries).into_iter().partition(|e| e.is_expired(now_ms));
        self.entries = kept;
        expired
    }

    /// Marks `key` as being sent by this tab until `until_ms`. Returns whether it is there.
    pub fn lease(&mut self, key: &str, until_ms: u64) -> bool {
        match self.entries.iter_mut().find(|entry| entry.key == key) {
            Some(entry) => {
                entry.lease_until_ms = until_ms;
                true
            }
            None => false,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &str = "3f2b8c1e-9d4a-4c3b-8e2f-1a2b3c4d5e6f";
    const OTHER: &str = "00000000-0000-4000-a000-000000000000";
    const BODY: &str = r#"{"schema_version":1,"donor":{"given_name":"Awa\n"}}"#;

    fn entry(key: &str, created_at_ms: u64) -> Entry {
        Entry::new(key, BODY, created_at_ms).unwrap()
    }

    #[test]
    fn round_trips_through_its_stored_text() {
        let mut outbox = Outbox::default();
        outbox.insert(entry(KEY, 1_764_000_000_000));
        outbox.insert(entry(OTHER, 5));
        outbox.lease(OTHER, 99);
        let text = outbox.encode();
        assert_eq!(text.lines().count(), 2);
        assert_eq!(Outbox::decode(&text), outbox);
        assert_eq!(Outbox::decode(&text).get(OTHER).unwrap().lease_until_ms, 99);
    }

    #[test]
    fn an_entry_expires_after_seven_days() {
        let created = 1_764_000_000_000;
        let e = entry(KEY, created);
        assert!(!e.is_expired(created));
        assert!(!e.is_expired(created + EXPIRY_MS - 1));
        assert!(e.is_expired(created + EXPIRY_MS));
        // A clock set back must not make a fresh entry look old.
        assert!(!e.is_expired(created - 1_000));
    }

    #[test]
    fn removes_only_expired_entries() {
        let now = 10 * EXPIRY_MS;
        let mut outbox = Outbox::default();
        outbox.insert(entry(KEY, now - EXPIRY_MS));
        outbox.insert(entry(OTHER, now - EXPIRY_MS + 1));
        let expired = outbox.remove_expired(now);
        assert_eq!(expired.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), [KEY]);
        assert_eq!(outbox.entries().iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), [OTHER]);
    }

    #[test]
    fn the_first_saved_body_wins() {
        let mut outbox = Outbox::default();
        outbox.insert(entry(KEY, 1));
        let again = Entry::new(KEY, r#"{"changed":true}"#, 2).unwrap();
        let kept = outbox.insert(again).clone();
        assert_eq!(kept, entry(KEY, 1));
        assert_eq!(outbox.entries().len(), 1);
    }

    #[test]
    fn removes_by_key() {
        let mut outbox = Outbox::default();
        outbox.insert(entry(KEY, 1));
        outbox.insert(entry(OTHER, 1));
        assert_eq!(outbox.remove(KEY).map(|e| e.key), Some(KEY.to_owned()));
        assert_eq!(outbox.remove(KEY), None);
        assert_eq!(outbox.entries().len(), 1);
    }

    #[test]
    fn leases_mark_an_entry_for_a_while() {
        let mut outbox = Outbox::default();
        outbox.insert(entry(KEY, 1));
        assert!(!outbox.get(KEY).unwrap().is_leased(100));
        assert!(outbox.lease(KEY, 100 + LEASE_MS));
        assert!(outbox.get(KEY).unwrap().is_leased(100));
        assert!(!outbox.get(KEY).unwrap().is_leased(100 + LEASE_MS));
        assert!(!outbox.lease(OTHER, 1));
    }

    #[test]
    fn refuses_what_it_could_not_read_back() {
        assert_eq!(Entry::new("not-a-key", BODY, 0), None);
        assert_eq!(Entry::new(KEY, "", 0), None);
        assert_eq!(Entry::new(KEY, "{\"a\":\"line\nbreak\"}", 0), None);
        assert_eq!(Entry::new(KEY, "{\"a\":\"\t\"}", 0), None);
    }

    #[test]
    fn skips_damaged_lines_and_keeps_the_rest() {
        let good = format!("{KEY}\t1\t0\t{BODY}");
        let text = format!("garbage\n{OTHER}\tx\t0\t{{}}\n{OTHER}\t1\n\n{good}\n");
        let outbox = Outbox::decode(&text);
        assert_eq!(outbox.entries(), [entry(KEY, 1)]);
        assert!(Outbox::decode("").is_empty());
    }

    fn any_key() -> impl Strategy<Value = String> {
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    }

    proptest! {
        #[test]
        fn any_one_line_body_round_trips(
            key in any_key(),
            body in "[^\t\r\n]{1,200}",
            created in any::<u64>(),
            lease in any::<u64>(),
        ) {
            let mut outbox = Outbox::default();
            let mut e = Entry::new(&key, &body, created).unwrap();
            e.lease_until_ms = lease;
            outbox.insert(e);
            prop_assert_eq!(Outbox::decode(&outbox.encode()), outbox);
        }

        #[test]
        fn expiry_is_exactly_seven_days(created in 0u64..1u64 << 50, age in 0u64..2 * EXPIRY_MS) {
            let e = entry(KEY, created);
            prop_assert_eq!(e.is_expired(created + age), age >= EXPIRY_MS);
        }

        #[test]
        fn decoding_never_panics(text in "\\PC{0,300}") {
            let _ = Outbox::decode(&text);
        }
    }
}
