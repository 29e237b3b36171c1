//! Which channel delivers to a delivery's endpoint: one of the operator's flag endpoints, fixed
//! at start, or one that staff added on the admin pages, read from the database.
//!
//! The stored endpoints are read once per round that has deliveries for them (one small query),
//! so that an endpoint added on any receiver sharing the database is delivered to at once and a
//! removed one no longer is. The channel of a stored endpoint, with its HTTP client and its
//! pooled connections, is kept from round to round while the endpoint's URL and secret stay the
//! same, and rebuilt when either changes (an endpoint removed and added again under its name).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::webhook::{WebhookChannel, WebhookEndpoint};
use super::worker::Channel;
use crate::notify::signature::WebhookSecret;
use crate::storage::{StorageResult, Store, StoredWebhook};
use crate::timestamp::Timestamp;

/// The channels of the flag endpoints, and a way to find those of the stored ones.
pub struct Directory {
    fixed: HashMap<String, Arc<dyn Channel>>,
    stored: Option<StoredChannels>,
}

/// The stored endpoints' channels, built on demand.
struct StoredChannels {
    store: Store,
    /// How long one attempt may take, as for the flag endpoints.
    timeout: Duration,
    /// By endpoint name: the URL and secret the channel was built with, and the channel.
    built: Mutex<HashMap<String, Built>>,
}

struct Built {
    url: String,
    secrets: Vec<String>,
    channel: Arc<dyn Channel>,
}

impl Directory {
    /// Only the given channels, by endpoint name: what tests and a receiver without a database
    /// of endpoints use.
    pub fn fixed(channels: HashMap<String, Arc<dyn Channel>>) -> Directory {
        Directory { fixed: channels, stored: None }
    }

    /// The given channels, and webhook channels for the endpoints stored in `store`, whose
    /// attempts each end after `timeout`.
    pub fn with_stored_webhooks(
        channels: HashMap<String, Arc<dyn Channel>>,
        store: Store,
        timeout: Duration,
    ) -> Directory {
        let stored = StoredChannels { store, timeout, built: Mutex::new(HashMap::new()) };
        Directory { fixed: channels, stored: Some(stored) }
    }

    /// The channel for each of `names` that has one; a name missing from the answer has no
    /// endpoint (any more). Fails only when the stored endpoints could not be read, and then
    /// the deliveries are best left to their leases rather than counted as failed attempts.
    pub async fn channels(&self, names: &[&str]) -> StorageResult<HashMap<String, Arc<dyn Channel>>> {
        let mut found = HashMap::new();
        let mut unknown = Vec::new();
        for &name in names {
            match self.fixed.get(name) {
                Some(channel) => {
                    found.insert(name.to_owned(), Arc::clone(channel));
                }
                None => unknown.push(name),
            }
        }
        if let (Some(stored), false) = (&self.stored, unknown.is_empty()) {
            let webhooks = stored.store.webhooks().await?;
            for webhook in webhooks.iter().filter(|webhook| unknown.contains(&webhook.name.as_str())) {
                if let Some(channel) = stored.channel(webhook) {
                    found.insert(webhook.name.clone(), channel);
                }
            }
        }
        Ok(found)
    }
}

impl StoredChannels {
    /// The channel for a stored endpoint, reused while its URL and signing secrets are
    /// unchanged: a new secret, or the end of a replaced one's time, builds it again.
    fn channel(&self, webhook: &StoredWebhook) -> Option<Arc<dyn Channel>> {
        let secrets: Vec<String> = webhook.signing_secrets(Timestamp::now()).into_iter().map(str::to_owned).collect();
        let mut built = self.built.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = built.get(&webhook.name) {
            if known.url == webhook.url && known.secrets == secrets {
                return Some(Arc::clone(&known.channel));
            }
        }
        let channel: Arc<dyn Channel> = Arc::new(self.build(webhook, &secrets)?);
        let entry = Built { url: webhook.url.clone(), secrets, channel: Arc::clone(&channel) };
        built.insert(webhook.name.clone(), entry);
        Some(channel)
    }

    /// A channel for the stored endpoint signing with `secrets`, or `None` (logged) when its
    /// row cannot be used. The pages check every value before storing it, so this is a row
    /// changed by hand.
    fn build(&self, webhook: &StoredWebhook, secrets: &[String]) -> Option<WebhookChannel> {
        let name = webhook.name.as_str();
        let url = match WebhookEndpoint::parse_url(&webhook.url) {
            Ok(url) => url,
            Err(_) => {
                // The reason quotes the URL, which may carry a token: only the name is logged.
                tracing::error!(endpoint = name, "a stored webhook endpoint has an unusable URL; its deliveries fail");
                return None;
            }
        };
        let secrets = match secrets.iter().map(|secret| WebhookSecret::from_operator(secret.clone())).collect() {
            Ok(secrets) => secrets,
            Err(error) => {
                tracing::error!(endpoint = name, %error, "a stored webhook endpoint has an unusable secret; its deliveries fail");
                return None;
            }
        };
        let endpoint = WebhookEndpoint { name: webhook.name.clone(), url, secrets };
        match WebhookChannel::new(endpoint, self.timeout) {
            Ok(channel) => Some(channel),
            Err(error) => {
                tracing::error!(endpoint = name, %error, "the HTTP client for a stored webhook endpoint could not be made");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{NewWebhook, SecretReplacement, WebhookAdded};
    use crate::timestamp::Timestamp;

    fn new_webhook(name: &str, secret: &str) -> NewWebhook {
        NewWebhook {
            name: name.to_owned(),
            url: "http://127.0.0.1:9/hook".to_owned(),
            secret: secret.to_owned(),
            created_at: Timestamp::now(),
            created_by: "amina".to_owned(),
        }
    }

    #[tokio::test]
    async fn an_endpoint_added_meanwhile_is_found_at_once_and_a_removed_one_is_not() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", folder.path().join("pledges.db").display());
        let store = Store::open_url(&url).await.unwrap();
        let directory = Directory::with_stored_webhooks(HashMap::new(), store.clone(), Duration::from_secs(1));
        assert!(directory.channels(&["robot"]).await.unwrap().is_empty());

        let secret = "a-generated-secret-0123456789-abcdef";
        assert_eq!(store.add_webhook(new_webhook("robot", secret)).await.unwrap(), WebhookAdded::Added);
        let first = directory.channels(&["robot", "nobody"]).await.unwrap();
        assert_eq!(first.keys().collect::<Vec<_>>(), ["robot"]);
        let again = directory.channels(&["robot"]).await.unwrap();
        assert!(Arc::ptr_eq(&first["robot"], &again["robot"]), "an unchanged endpoint keeps its channel");

        store.remove_webhook("robot").await.unwrap();
        assert!(directory.channels(&["robot"]).await.unwrap().is_empty());
        store.add_webhook(new_webhook("robot", "another-secret-0123456789-abcdefgh")).await.unwrap();
        let renewed = directory.channels(&["robot"]).await.unwrap();
        assert!(!Arc::ptr_eq(&first["robot"], &renewed["robot"]), "a new secret gets a new channel");

        let replacement = |previous_until| SecretReplacement {
            name: "robot".to_owned(),
            secret: "a-third-secret-0123456789-abcdefghij".to_owned(),
            previous_until,
        };
        let later = Timestamp::now().plus(Duration::from_secs(3_600));
        store.replace_webhook_secret(replacement(later)).await.unwrap();
        let replaced = directory.channels(&["robot"]).await.unwrap();
        assert!(!Arc::ptr_eq(&renewed["robot"], &replaced["robot"]), "a replaced secret gets a new channel");
        store.replace_webhook_secret(replacement(Timestamp::from_micros(0))).await.unwrap();
        let expired = directory.channels(&["robot"]).await.unwrap();
        assert!(!Arc::ptr_eq(&replaced["robot"], &expired["robot"]), "so does the end of the old one's time");
        store.close().await;
    }
}
