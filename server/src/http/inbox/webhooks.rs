//! `/admin/webhooks`: the endpoints events are delivered to, adding one (its secret generated
//! here and shown once), replacing the secret of one added here, and removing one.

use std::time::Duration;

use axum::extract::State;
use axum::Extension;
use serde::Deserialize;
use url::Url;

use super::gate::{Staff, StaffForm};
use super::page::{Page, PageError};
use super::pledges::unavailable;
use super::signed_in;
use crate::http::state::FlagWebhooks;
use crate::inbox::layout::Section;
use crate::inbox::webhooks::{
    self, AddValues, EndpointRow, FieldProblem, Outcome, Source, WebhooksView, CONFIRM_FIELD, NAME_FIELD, REMOVE_FIELD,
    REPLACE_FIELD, URL_FIELD,
};
use crate::notify::signature::WebhookSecret;
use crate::outbox::WebhookEndpoint;
use crate::storage::{
    NewWebhook, SecretReplacement, Store, StoredWebhook, WebhookAdded, WebhookRemoved, WebhookSecretReplaced,
};
use crate::timestamp::Timestamp;

/// How long a replaced secret goes on signing beside the new one: a working day for whoever
/// runs the endpoint to change its setting.
pub const OLD_SECRET_SIGNS_FOR: Duration = Duration::from_secs(24 * 60 * 60);

pub async fn show(
    State(store): State<Store>,
    State(flags): State<FlagWebhooks>,
    Extension(staff): Extension<Staff>,
) -> Result<Page, PageError> {
    render(&store, &flags, &staff, None, AddValues::default()).await
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    name: Option<String>,
    url: Option<String>,
}

/// Adds the endpoint with a new secret, and shows the secret on the page that answers, once.
pub async fn add(
    State(store): State<Store>,
    State(flags): State<FlagWebhooks>,
    posted: StaffForm<AddForm>,
) -> Result<Page, PageError> {
    let StaffForm { staff, form } = posted;
    let (name, url) = (form.name.as_deref().unwrap_or_default().trim(), form.url.as_deref().unwrap_or_default().trim());
    let values = AddValues { name, url };
    let checked = match check_new(name, url, &flags.names().collect::<Vec<_>>()) {
        Ok(checked) => checked,
        Err(problems) => return render(&store, &flags, &staff, Some(Outcome::Problems(&problems)), values).await,
    };
    let secret = new_secret()?;
    let webhook = NewWebhook {
        name: name.to_owned(),
        url: checked.to_string(),
        secret: secret.expose().to_owned(),
        created_at: Timestamp::now(),
        created_by: staff.username.clone(),
    };
    let problem = match store.add_webhook(webhook).await.map_err(unavailable)? {
        WebhookAdded::Added => {
            // The log names the endpoint, never its URL (which may carry a token) nor its secret.
            tracing::info!(user = %staff.username, endpoint = name, "webhook endpoint added");
            let outcome = Outcome::Added { name, secret: secret.expose() };
            return render(&store, &flags, &staff, Some(outcome), AddValues::default()).await;
        }
        WebhookAdded::NameTaken => taken(name),
        WebhookAdded::NameOfFlagEndpoint => flag_name(name),
    };
    render(&store, &flags, &staff, Some(Outcome::Problems(&[problem])), values).await
}

/// A secret for an endpoint, or the unavailable page when the system cannot make one.
fn new_secret() -> Result<WebhookSecret, PageError> {
    WebhookSecret::generate().map_err(|error| {
        tracing::error!(%error, "no secret could be generated for a webhook endpoint");
        PageError::Unavailable
    })
}

/// The name and URL of an endpoint to add, or what is wrong with them, field by field.
pub fn check_new(name: &str, url: &str, flag_names: &[&str]) -> Result<Url, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(problem(NAME_FIELD, "Write a name for the endpoint, such as crm.".to_owned()));
    } else if let Err(why) = WebhookEndpoint::check_name(name) {
        problems.push(problem(NAME_FIELD, format!("{why}.")));
    } else if flag_names.contains(&name) {
        problems.push(flag_name(name));
    }
    let checked = if url.is_empty() {
        problems.push(problem(
            URL_FIELD,
            "Write the endpoint's address, such as https://crm.example.org/hooks.".to_owned(),
        ));
        None
    } else {
        match WebhookEndpoint::parse_url(url) {
            Ok(url) => Some(url),
            Err(why) => {
                problems.push(problem(URL_FIELD, format!("{why}.")));
                None
            }
        }
    };
    match checked {
        Some(url) if problems.is_empty() => Ok(url),
        _ => Err(problems),
    }
}

fn problem(field: &'static str, message: String) -> FieldProblem {
    FieldProblem { field, message }
}

fn taken(name: &str) -> FieldProblem {
    problem(NAME_FIELD, format!("An endpoint is already called {name}; choose another name, or remove that one first."))
}

fn flag_name(name: &str) -> FieldProblem {
    problem(NAME_FIELD, format!("The receiver's settings already name an endpoint {name}; choose another name."))
}

#[derive(Debug, Deserialize)]
pub struct ReplaceForm {
    name: Option<String>,
}

/// Gives a stored endpoint a new secret, shown once on the page that answers; the old one
/// signs too for [`OLD_SECRET_SIGNS_FOR`].
pub async fn replace_secret(
    State(store): State<Store>,
    State(flags): State<FlagWebhooks>,
    posted: StaffForm<ReplaceForm>,
) -> Result<Page, PageError> {
    let StaffForm { staff, form } = posted;
    let name = form.name.as_deref().unwrap_or_default().trim();
    let refused = |message: String| [problem(REPLACE_FIELD, message)];
    let problems = if name.is_empty() {
        refused("Choose the endpoint whose secret to replace.".to_owned())
    } else if flags.names().any(|flag| flag == name) {
        refused(format!("{name}'s secret is set in the receiver's settings; it is replaced by changing them."))
    } else {
        let secret = new_secret()?;
        let old_until = Timestamp::now().plus(OLD_SECRET_SIGNS_FOR);
        let replacement =
            SecretReplacement { name: name.to_owned(), secret: secret.expose().to_owned(), previous_until: old_until };
        match store.replace_webhook_secret(replacement).await.map_err(unavailable)? {
            WebhookSecretReplaced::Replaced => {
                tracing::info!(user = %staff.username, endpoint = name, "webhook endpoint secret replaced");
                let outcome = Outcome::SecretReplaced { name, secret: secret.expose(), old_until };
                return render(&store, &flags, &staff, Some(outcome), AddValues::default()).await;
            }
            WebhookSecretReplaced::NoSuchEndpoint => {
                refused(format!("No endpoint added on this page is called {name}."))
            }
        }
    };
    render(&store, &flags, &staff, Some(Outcome::Problems(&problems)), AddValues::default()).await
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    name: Option<String>,
    confirm: Option<String>,
}

pub async fn remove(
    State(store): State<Store>,
    State(flags): State<FlagWebhooks>,
    posted: StaffForm<RemoveForm>,
) -> Result<Page, PageError> {
    let StaffForm { staff, form } = posted;
    let name = form.name.as_deref().unwrap_or_default().trim();
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push(problem(REMOVE_FIELD, "Choose the endpoint to remove.".to_owned()));
    } else if flags.names().any(|flag| flag == name) {
        let why = format!("{name} is set in the receiver's settings; it is removed by changing them.");
        problems.push(problem(REMOVE_FIELD, why));
    }
    if form.confirm.as_deref() != Some("yes") {
        problems.push(problem(
            CONFIRM_FIELD,
            "Tick the box to confirm that its waiting deliveries will not be sent.".to_owned(),
        ));
    }
    if !problems.is_empty() {
        return render(&store, &flags, &staff, Some(Outcome::Problems(&problems)), AddValues::default()).await;
    }
    match store.remove_webhook(name).await.map_err(unavailable)? {
        WebhookRemoved::Removed { given_up } => {
            tracing::info!(user = %staff.username, endpoint = name, given_up, "webhook endpoint removed");
            render(&store, &flags, &staff, Some(Outcome::Removed { name, given_up }), AddValues::default()).await
        }
        WebhookRemoved::NoSuchEndpoint => {
            let problems = [problem(REMOVE_FIELD, format!("No endpoint added on this page is called {name}."))];
            render(&store, &flags, &staff, Some(Outcome::Problems(&problems)), AddValues::default()).await
        }
    }
}

async fn render(
    store: &Store,
    flags: &FlagWebhooks,
    staff: &Staff,
    outcome: Option<Outcome<'_>>,
    add: AddValues<'_>,
) -> Result<Page, PageError> {
    let stored = store.webhooks().await.map_err(unavailable)?;
    let endpoints = rows(flags, &stored);
    let view = WebhooksView { endpoints: &endpoints, outcome, add };
    Ok(Page(webhooks::page(&view, signed_in(staff, Section::Webhooks))))
}

/// The flag endpoints, then the stored ones, as the page lists them: no secret, no query.
fn rows(flags: &FlagWebhooks, stored: &[StoredWebhook]) -> Vec<EndpointRow> {
    let flag_rows = flags.0.iter().map(|(name, url)| row(name, url.as_str(), Source::Flag));
    let now = Timestamp::now();
    let stored_rows = stored.iter().map(|webhook| {
        let old_secret_until = webhook.previous_still_signing(now).map(|old| old.until);
        let source = Source::Page { by: webhook.created_by.clone(), at: webhook.created_at, old_secret_until };
        row(&webhook.name, &webhook.url, source)
    });
    flag_rows.chain(stored_rows).collect()
}

fn row(name: &str, url: &str, source: Source) -> EndpointRow {
    let (address, query_hidden) = address_without_query(url);
    EndpointRow { name: name.to_owned(), address, query_hidden, source }
}

/// The URL without its query (which may carry a token) or fragment, and whether a query was
/// left out. Text that is not a URL is shown as nothing but a note, in case it holds a token.
pub fn address_without_query(url: &str) -> (String, bool) {
    match Url::parse(url) {
        Ok(mut parsed) => {
            let had_query = parsed.query().is_some();
            parsed.set_query(None);
            parsed.set_fragment(None);
            (parsed.to_string(), had_query)
        }
        Err(_) => ("(not a valid address)".to_owned(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|problem| problem.field).collect()
    }

    #[test]
    fn a_new_endpoint_needs_a_plain_free_name_and_an_https_address() {
        assert_eq!(
            check_new("robot", "https://robot.example.org/hook", &["crm"]).unwrap().as_str(),
            "https://robot.example.org/hook"
        );
        assert!(check_new("robot", "http://localhost:9000/hook", &[]).is_ok(), "plain http to this machine");
        assert_eq!(fields(&check_new("", "", &[]).unwrap_err()), [NAME_FIELD, URL_FIELD]);
        assert_eq!(fields(&check_new("Robot 1", "https://robot.example.org/", &[]).unwrap_err()), [NAME_FIELD]);
        let clash = check_new("crm", "https://robot.example.org/", &["crm"]).unwrap_err();
        assert_eq!(fields(&clash), [NAME_FIELD]);
        assert!(clash[0].message.contains("settings"), "{clash:?}");
        let plain = check_new("robot", "http://robot.example.org/hook", &[]).unwrap_err();
        assert_eq!(fields(&plain), [URL_FIELD]);
        assert!(plain[0].message.contains("https"), "{plain:?}");
    }

    #[test]
    fn addresses_are_listed_without_their_query() {
        assert_eq!(
            address_without_query("https://crm.example.org/hook?token=hunter2"),
            ("https://crm.example.org/hook".to_owned(), true)
        );
        assert_eq!(
            address_without_query("https://crm.example.org/hook"),
            ("https://crm.example.org/hook".to_owned(), false)
        );
        assert!(!address_without_query("not a url?token=hunter2").0.contains("hunter2"));
    }
}
