//! The webhooks and deliveries staff pages over real HTTP: an endpoint added on the page, whose
//! secret is shown once and signs the next pledge's delivery, and a dead delivery resent from
//! the page.

use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION};
use sanankoroba_receiver::notify::WebhookSecret;
use sanankoroba_receiver::outbox::WebhookEndpoint;
use serde_json::Value;

use crate::common::hook::{Hook, HOOK_SECRET};
use crate::common::{TestServer, ADMIN_TOKEN};
use crate::inbox::{client, pledge, signed_in, Signed};

const GENEROUS: Duration = Duration::from_secs(60);

async fn deliveries(server: &TestServer, query: &str) -> Vec<Value> {
    let response =
        server.client.get(server.url(&format!("/v1/deliveries{query}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["deliveries"].as_array().unwrap().clone()
}

/// Waits until the admin list has a delivery matching `done`, or panics after `limit`.
async fn wait_for_delivery(server: &TestServer, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        if let Some(found) = deliveries(server, "").await.into_iter().find(&done) {
            return found;
        }
        assert!(started.elapsed() < GENEROUS, "waited for {what}: {:#?}", deliveries(server, "").await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn post_form(server: &TestServer, staff: &Signed, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let mut fields = form.to_vec();
    fields.push(("csrf_token", &staff.csrf));
    client()
        .post(server.url(path))
        .header(COOKIE, &staff.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// The secret a page shows once.
fn shown_secret(page: &str) -> String {
    regex::Regex::new(r#"<p class="secret"><code>([^<]+)</code></p>"#).unwrap().captures(page).unwrap()[1].to_owned()
}

async fn get_page(server: &TestServer, staff: &Signed, path: &str) -> String {
    let response = client().get(server.url(path)).header(COOKIE, &staff.cookie).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_added_on_the_page_shows_its_secret_once_and_gets_the_next_pledge() {
    let hook = Hook::start(&[], 200).await;
    let server = TestServer::start().await;
    let staff = signed_in(&server, "amina").await;

    let response = post_form(&server, &staff, "/admin/webhooks/add", &[("name", "robot"), ("url", &hook.url)]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    assert!(page.contains("it will not be shown again"), "{page}");
    let secret = shown_secret(&page);
    assert!(WebhookSecret::from_operator(secret.as_str()).is_ok(), "a usable secret");
    hook.use_secret(&secret);

    let list = get_page(&server, &staff, "/admin/webhooks").await;
    assert!(list.contains("robot") && list.contains("amina on this page"), "{list}");
    assert!(!list.contains(&secret), "the secret is shown once only");

    // The name is taken now; the form says so next to the field.
    let again = post_form(&server, &staff, "/admin/webhooks/add", &[("name", "robot"), ("url", &hook.url)]).await;
    let again = again.text().await.unwrap();
    assert!(again.contains(r#"aria-describedby="webhook-name-hint webhook-name-problem""#), "{again}");
    assert!(again.contains("An endpoint is already called robot"));

    // No restart: the next pledge is delivered to it, signed with the secret shown.
    let reference = pledge(&server).await;
    hook.wait_for(GENEROUS, "a verified delivery", |received| {
        received.iter().any(|r| r.reference == reference && r.verified && r.answered == 200)
    })
    .await;
    let delivered =
        wait_for_delivery(&server, "a delivered row", |d| d["endpoint"] == "robot" && d["status"] == "delivered").await;
    assert_eq!(delivered["reference"], reference.as_str());

    let listed = get_page(&server, &staff, "/admin/deliveries?status=delivered").await;
    assert!(listed.contains(&format!(r#"<a href="/admin/pledges/{reference}">{reference}</a>"#)), "{listed}");

    // A new secret, shown once: the endpoint, still checking with the old one, accepts the
    // next delivery, which is signed with both; once it checks with the new one, so does the
    // one after.
    let replaced = post_form(&server, &staff, "/admin/webhooks/replace-secret", &[("name", "robot")]).await;
    assert_eq!(replaced.headers()["cache-control"], "no-store");
    let page = replaced.text().await.unwrap();
    assert!(page.contains("has a new signing secret") && page.contains("it will not be shown again"), "{page}");
    let new_secret = shown_secret(&page);
    assert_ne!(new_secret, secret);
    let list = get_page(&server, &staff, "/admin/webhooks").await;
    assert!(list.contains("Old secret signs too until") && !list.contains(&new_secret), "{list}");
    for checked_with in [&secret, &new_secret] {
        hook.use_secret(checked_with);
        let reference = pledge(&server).await;
        hook.wait_for(GENEROUS, "a delivery verified during the change-over", |received| {
            received.iter().any(|r| r.reference == reference && r.verified && r.answered == 200)
        })
        .await;
        let signed = hook.received().into_iter().find(|r| r.reference == reference).unwrap().signature;
        assert_eq!(signed.matches("v1=").count(), 2, "signed with the new secret and the old: {signed}");
    }
    let flag = post_form(&server, &staff, "/admin/webhooks/replace-secret", &[("name", "nobody")]).await;
    assert!(flag.text().await.unwrap().contains("No endpoint added on this page is called nobody"));

    // Removed, it gets nothing more.
    let removed = post_form(&server, &staff, "/admin/webhooks/remove", &[("name", "robot"), ("confirm", "yes")]).await;
    assert!(removed.text().await.unwrap().contains("was removed"));
    assert!(!get_page(&server, &staff, "/admin/webhooks").await.contains("amina on this page"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_delivery_is_resent_from_the_page() {
    let hook = Hook::start(&[500], 200).await;
    let url = hook.url.clone();
    let server = TestServer::start_with(move |settings, _| {
        settings.webhooks.endpoints = vec![WebhookEndpoint {
            name: "crm".into(),
            url: WebhookEndpoint::parse_url(&url).unwrap(),
            secrets: vec![WebhookSecret::from_operator(HOOK_SECRET).unwrap()],
        }];
        settings.webhooks.retry.max_attempts = 1;
    })
    .await;
    let staff = signed_in(&server, "amina").await;

    // A flag endpoint is listed, without its secret, and its name cannot be used on the page.
    let list = get_page(&server, &staff, "/admin/webhooks").await;
    assert!(list.contains("The operator") && !list.contains(HOOK_SECRET), "{list}");
    let clash =
        post_form(&server, &staff, "/admin/webhooks/add", &[("name", "crm"), ("url", "https://a.example.org/")]).await;
    assert!(clash.text().await.unwrap().contains("settings already name an endpoint crm"));
    let replace = post_form(&server, &staff, "/admin/webhooks/replace-secret", &[("name", "crm")]).await;
    let replace = replace.text().await.unwrap();
    assert!(replace.contains("crm's secret is set in the receiver's settings"), "{replace}");

    let reference = pledge(&server).await;
    let dead = wait_for_delivery(&server, "a dead delivery", |d| d["status"] == "dead").await;
    let id = dead["id"].as_i64().unwrap();
    let page = get_page(&server, &staff, "/admin/deliveries?status=dead").await;
    let action = format!(r#"action="/admin/deliveries/{id}/retry""#);
    assert!(page.contains(&action) && page.contains("answered HTTP 500"), "{page}");

    // Without the form's token, nothing is resent.
    let forged = client()
        .post(server.url(&format!("/admin/deliveries/{id}/retry")))
        .header(COOKIE, &staff.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("status", "dead")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    let resent = post_form(&server, &staff, &format!("/admin/deliveries/{id}/retry"), &[("status", "dead")]).await;
    assert_eq!(resent.status(), 303);
    let location = resent.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, "/admin/deliveries?status=dead&notice=resent");
    assert!(get_page(&server, &staff, &location).await.contains("The delivery is pending again"));
    hook.wait_for(GENEROUS, "the resent delivery", |received| received.iter().any(|r| r.answered == 200)).await;
    let delivered =
        wait_for_delivery(&server, "the resent delivery", |d| d["id"] == id && d["status"] == "delivered").await;
    assert_eq!(delivered["reference"], reference.as_str());

    // A delivered one is not sent again; an id that is not one is said to be missing.
    let twice = post_form(&server, &staff, &format!("/admin/deliveries/{id}/retry"), &[]).await;
    assert_eq!(twice.headers()[LOCATION], "/admin/deliveries?notice=delivered");
    let missing = post_form(&server, &staff, "/admin/deliveries/999999/retry", &[]).await;
    assert_eq!(missing.headers()[LOCATION], "/admin/deliveries?notice=missing");
}
