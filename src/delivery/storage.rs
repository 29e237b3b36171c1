//! The outbox in the browser's localStorage.
//!
//! Storage can be missing (disabled by policy, some private modes) or full. Delivery goes on
//! without it; the courier only has to tell the donor that the pledge is not saved.

use web_sys::Storage;

use super::outbox::{Entry, KEY_PREFIX, LEGACY_PREFIX};

/// The browser would not read or write the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageUnavailable;

#[derive(Clone)]
pub struct OutboxStore {
    storage: Option<Storage>,
}

impl OutboxStore {
    /// The page's localStorage. Reading `window.localStorage` itself throws when storage is
    /// disabled, which leaves a store that refuses everything.
    pub fn local() -> OutboxStore {
        let storage = web_sys::window().and_then(|window| window.local_storage().ok().flatten());
        OutboxStore { storage }
    }

    fn storage(&self) -> Result<&Storage, StorageUnavailable> {
        self.storage.as_ref().ok_or(StorageUnavailable)
    }

    /// Every saved pledge, legacy items included, in no particular order: each is delivered on
    /// its own. Items that cannot be read are left alone.
    pub fn entries(&self) -> Result<Vec<Entry>, StorageUnavailable> {
        let storage = self.storage()?;
        Ok(self
            .storage_keys()?
            .into_iter()
            .filter_map(|storage_key| {
                let value = storage.get_item(&storage_key).ok()??;
                Entry::decode(&storage_key, &value)
            })
            .collect())
    }

    /// The saved pledge with idempotency key `key`, wherever it is kept.
    pub fn get(&self, key: &str) -> Result<Option<Entry>, StorageUnavailable> {
        let storage = self.storage()?;
        for storage_key in [Entry::storage_key(key), Entry::legacy_storage_key(key)] {
            let value = storage.get_item(&storage_key).map_err(|_| StorageUnavailable)?;
            if let Some(entry) = value.and_then(|value| Entry::decode(&storage_key, &value)) {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    /// Saves `entry` unless its pledge is saved already, and returns what is saved. The saved
    /// entry wins: it holds the bytes that may already have reached the receiver.
    pub fn save(&self, entry: Entry) -> Result<Entry, StorageUnavailable> {
        if let Some(saved) = self.get(&entry.key)? {
            return Ok(saved);
        }
        self.put(&entry)?;
        Ok(entry)
    }

    /// Rewrites a legacy item as `entry`, which records its endpoint. The new item is written
    /// before the old one goes, so a failure in between leaves the pledge saved, never lost.
    pub fn take_on(&self, entry: &Entry) -> Result<(), StorageUnavailable> {
        self.put(entry)?;
        self.storage()?.remove_item(&Entry::legacy_storage_key(&entry.key)).map_err(|_| StorageUnavailable)
    }

    /// Marks a saved pledge as being sent by this tab until `until_ms` (0: by none).
    pub fn lease(&self, key: &str, until_ms: u64) -> Result<(), StorageUnavailable> {
        match self.get(key)? {
            Some(mut entry) => {
                entry.lease_until_ms = until_ms;
                self.put(&entry)
            }
            None => Ok(()),
        }
    }

    /// Deletes the pledge with idempotency key `key`, under either prefix.
    pub fn remove(&self, key: &str) -> Result<(), StorageUnavailable> {
        let storage = self.storage()?;
        for storage_key in [Entry::storage_key(key), Entry::legacy_storage_key(key)] {
            storage.remove_item(&storage_key).map_err(|_| StorageUnavailable)?;
        }
        Ok(())
    }

    /// Deletes every item of the outbox, readable or not.
    pub fn clear(&self) -> Result<(), StorageUnavailable> {
        let storage = self.storage()?;
        for storage_key in self.storage_keys()? {
            storage.remove_item(&storage_key).map_err(|_| StorageUnavailable)?;
        }
        Ok(())
    }

    fn put(&self, entry: &Entry) -> Result<(), StorageUnavailable> {
        self.storage()?.set_item(&entry.location(), &entry.encode()).map_err(|_| StorageUnavailable)
    }

    fn storage_keys(&self) -> Result<Vec<String>, StorageUnavailable> {
        let storage = self.storage()?;
        let length = storage.length().map_err(|_| StorageUnavailable)?;
        Ok((0..length)
            .filter_map(|index| storage.key(index).ok().flatten())
            .filter(|storage_key| storage_key.starts_with(KEY_PREFIX) || storage_key.starts_with(LEGACY_PREFIX))
            .collect())
    }
}
