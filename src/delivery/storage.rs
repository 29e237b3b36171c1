//! The outbox in the browser's localStorage.
//!
//! Storage can be missing (disabled by policy, some private modes) or full. Delivery goes on
//! without it; the courier only has to tell the donor that the pledge is not saved.

use web_sys::Storage;

use super::outbox::{Outbox, STORAGE_KEY};

/// The browser would not read or write the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageUnavailable;

#[derive(Clone)]
pub struct OutboxStore {
    storage: Option<Storage>,
}

impl OutboxStore {
    /// The page's localStorage. Reading `window.localStorage` itself throws when storage is
    /// disabled, which leaves a store that refuses every write.
    pub fn local() -> OutboxStore {
        let storage = web_sys::window().and_then(|window| window.local_storage().ok().flatten());
        OutboxStore { storage }
    }

    /// A store over `storage`, or one that refuses everything when `None`.
    pub fn new(storage: Option<Storage>) -> OutboxStore {
        OutboxStore { storage }
    }

    pub fn read(&self) -> Result<Outbox, StorageUnavailable> {
        let storage = self.storage.as_ref().ok_or(StorageUnavailable)?;
        let text = storage.get_item(STORAGE_KEY).map_err(|_| StorageUnavailable)?;
        Ok(text.map(|text| Outbox::decode(&text)).unwrap_or_default())
    }

    /// Reads the outbox, lets `change` edit it, and writes it back. The read comes first every
    /// time because another tab may have changed the outbox since this one last looked.
    pub fn update<R>(&self, change: impl FnOnce(&mut Outbox) -> R) -> Result<R, StorageUnavailable> {
        let mut outbox = self.read()?;
        let result = change(&mut outbox);
        self.write(&outbox)?;
        Ok(result)
    }

    fn write(&self, outbox: &Outbox) -> Result<(), StorageUnavailable> {
        let storage = self.storage.as_ref().ok_or(StorageUnavailable)?;
        // An empty outbox leaves nothing behind in the donor's browser.
        let written = if outbox.is_empty() {
            storage.remove_item(STORAGE_KEY)
        } else {
            storage.set_item(STORAGE_KEY, &outbox.encode())
        };
        written.map_err(|_| StorageUnavailable)
    }
}
