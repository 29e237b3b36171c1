//! Webhook delivery end to end: a receiver with a webhook endpoint configured, and a charity's
//! endpoint on a loopback port that verifies every signature and de-duplicates by event id.
//!
//! In process: a delivery refused twice is accepted at the third attempt with the same event;
//! a dead delivery is listed and resent; and the delay from a pledge's 201 to its delivery is
//! measured and printed. With the real binary: a receiver killed with SIGKILL while deliveries
//! are pending delivers every event after a restart; and two receivers on one PostgreSQL
//! database deliver each event exactly once.

mod common;

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use common::hook::{Hook, HOOK_SECRET};
use common::process::{PostgresSchema, ReceiverProcess};
use common::{new_key, pledge_json, TestServer, ADMIN_TOKEN};
use sanankoroba_receiver::notify::WebhookSecret;
use sanankoroba_receiver::outbox::WebhookEndpoint;
use serde_json::Value;

const GENEROUS: Duration = Duration::from_secs(60);

async fn receiver_with_hook(hook: &Hook, max_attempts: u32) -> TestServer {
    let url = hook.url.clone();
    TestServer::start_with(move |settings, _| {
        settings.webhooks.endpoints = vec![WebhookEndpoint {
            name: "crm".into(),
            url: WebhookEndpoint::parse_url(&url).unwrap(),
            secrets: vec![WebhookSecret::from_operator(HOOK_SECRET).unwrap()],
        }];
        settings.webhooks.retry.base = Duration::from_millis(20);
        settings.webhooks.retry.max_attempts = max_attempts;
        settings.webhooks.timeout = Duration::from_secs(5);
    })
    .await
}

async fn posted(server: &TestServer) -> String {
    let response = server.post(&pledge_json(&new_key())).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned()
}

async fn deliveries(server: &TestServer, query: &str) -> Vec<Value> {
    let response =
        server.client.get(server.url(&format!("/v1/deliveries{query}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["deliveries"].as_array().unwrap().clone()
}

async fn health(server: &TestServer) -> Value {
    server.client.get(server.url("/healthz")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delivery_is_retried_until_accepted_with_the_same_event() {
    let hook = Hook::start(&[500, 500], 200).await;
    let server = receiver_with_hook(&hook, 16).await;
    let reference = posted(&server).await;

    hook.wait_for(GENEROUS, "an accepted delivery", |received| received.iter().any(|r| r.answered == 200)).await;
    // Long enough for a fourth attempt to show, were one wrongly made.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = hook.received();
    assert_eq!(received.iter().map(|r| r.answered).collect::<Vec<_>>(), [500, 500, 200]);
    assert_eq!(hook.accepted().len(), 1, "exactly one accepted delivery");
    let first = &received[0];
    assert!(pledge::is_uuid_v4(&first.event_id), "{first:?}");
    for attempt in &received {
        assert!(attempt.verified, "every attempt is signed with the endpoint's secret");
        assert_eq!((&attempt.event_id, &attempt.header_event_id), (&first.event_id, &first.event_id));
        assert_eq!((attempt.event_type.as_str(), attempt.reference.as_str()), ("pledge.created", reference.as_str()));
        assert_eq!(attempt.content_type, "application/json");
        assert!(attempt.user_agent.starts_with("sanankoroba-receiver/"), "{}", attempt.user_agent);
    }

    let listed = deliveries(&server, "").await;
    assert_eq!(listed.len(), 1);
    let delivery = &listed[0];
    assert_eq!((delivery["status"].as_str(), delivery["attempts"].as_u64()), (Some("delivered"), Some(3)));
    assert_eq!(
        (delivery["event_id"].as_str(), delivery["endpoint"].as_str()),
        (Some(first.event_id.as_str()), Some("crm"))
    );
    assert_eq!(delivery["last_error"], "answered HTTP 500");
    assert!(delivery["next_attempt_at"].is_null() && delivery["delivered_at"].is_string());
    assert!(delivery.get("payload").is_none(), "no payload in the list");
    assert!(health(&server).await["oldest_undelivered_event_age_seconds"].is_null());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_delivery_is_listed_and_resent_on_request() {
    let hook = Hook::start(&[], 503).await;
    let server = receiver_with_hook(&hook, 2).await;
    let reference = posted(&server).await;
    let dead = loop {
        let listed = deliveries(&server, "?status=dead").await;
        if let Some(dead) = listed.into_iter().next() {
            break dead;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((dead["reference"].as_str(), dead["attempts"].as_u64()), (Some(reference.as_str()), Some(2)));
    assert_eq!(dead["last_error"], "answered HTTP 503");
    assert!(health(&server).await["oldest_undelivered_event_age_seconds"].is_null(), "nothing is pending");

    let retry = |id: &str| server.client.post(server.url(&format!("/v1/deliveries/{id}/retry")));
    let id = dead["id"].to_string();
    assert_eq!(retry(&id).send().await.unwrap().status(), 401, "behind the admin token");
    hook.answer(200, Duration::ZERO);
    let resent = retry(&id).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(resent.status(), 200);
    let resent: Value = resent.json().await.unwrap();
    assert_eq!((resent["status"].as_str(), resent["attempts"].as_u64()), (Some("pending"), Some(2)));
    hook.wait_for(GENEROUS, "the resent delivery", |received| received.iter().any(|r| r.answered == 200)).await;
    let mut delivered = deliveries(&server, "?status=delivered").await;
    while delivered.is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
        delivered = deliveries(&server, "?status=delivered").await;
    }
    assert_eq!(delivered[0]["attempts"], 3);
    assert_eq!(retry(&id).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 409, "delivered already");
    assert_eq!(retry("424242").bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 404);
    assert_eq!(retry("abc").bearer_auth(ADMIN_TOKEN).send().await.unwrap().status(), 404);
    let ids: HashSet<String> = hook.received().into_iter().map(|r| r.event_id).collect();
    assert_eq!(ids.len(), 1, "every attempt carried the same event");
    server.stop().await;
}

/// Not a pass/fail figure: prints how long after its 201 each of 200 pledges reached the
/// endpoint, with eight clients posting at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prints_the_delay_from_201_to_delivery() {
    let hook = Hook::start(&[], 200).await;
    let server = receiver_with_hook(&hook, 16).await;
    let answered: Vec<(String, Instant)> = {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (client, url) = (server.client.clone(), server.url("/v1/pledges"));
                tokio::spawn(async move {
                    let mut answered = Vec::new();
                    for _ in 0..25 {
                        let key = new_key();
                        let response = client
                            .post(&url)
                            .header("Idempotency-Key", &key)
                            .json(&pledge_json(&key))
                            .send()
                            .await
                            .unwrap();
                        let at = Instant::now();
                        assert_eq!(response.status(), 201);
                        let reference =
                            response.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned();
                        answered.push((reference, at));
                    }
                    answered
                })
            })
            .collect();
        let mut answered = Vec::new();
        for task in tasks {
            answered.extend(task.await.unwrap());
        }
        answered
    };
    hook.wait_for(GENEROUS, "200 deliveries", |received| received.len() >= 200).await;
    let arrived: HashMap<String, Instant> = hook.received().into_iter().map(|r| (r.reference, r.at)).collect();
    let mut delays: Vec<Duration> =
        answered.iter().map(|(reference, at)| arrived[reference].saturating_duration_since(*at)).collect();
    delays.sort();
    let percentile = |p: usize| delays[(delays.len() * p / 100).min(delays.len() - 1)];
    println!(
        "delay from 201 to webhook delivery over {} pledges ({}): median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delays.len(),
        health(&server).await["database"],
        percentile(50).as_secs_f64() * 1000.0,
        percentile(99).as_secs_f64() * 1000.0,
        delays[delays.len() - 1].as_secs_f64() * 1000.0
    );
    server.stop().await;
}

/// The real binary with the test endpoint as its webhook, retrying after 100 ms.
fn receiver_command(database_url: &str, hook: &Hook) -> Command {
    let mut command = ReceiverProcess::command();
    command
        .args(["--webhook-retry-base-ms", "100", "--webhook-timeout-ms", "1000"])
        .arg("--webhook")
        .arg(format!("crm={}", hook.url))
        .env("WEBHOOK_SECRETS", format!("crm={HOOK_SECRET}"))
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error");
    command
}

async fn post_to(client: &reqwest::Client, base: &str) -> String {
    let key = new_key();
    let response = client
        .post(format!("{base}/v1/pledges"))
        .header("Idempotency-Key", &key)
        .json(&pledge_json(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned()
}

/// Event ids accepted per reference, and how many requests repeated an accepted event.
fn tally(hook: &Hook) -> (HashMap<String, HashSet<String>>, usize) {
    let mut by_reference: HashMap<String, HashSet<String>> = HashMap::new();
    let mut seen = HashSet::new();
    let mut repeats = 0;
    for received in hook.received().into_iter().filter(|r| r.answered == 200) {
        if !seen.insert(received.event_id.clone()) {
            repeats += 1;
        }
        by_reference.entry(received.reference).or_default().insert(received.event_id);
    }
    (by_reference, repeats)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_delivered_after_sigkill_and_a_restart() {
    // Slow and failing: attempts are in flight, leased, when the process is killed.
    let hook = Hook::start(&[], 500).await;
    hook.answer(500, Duration::from_millis(300));
    let folder = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", folder.path().join("pledges.db").display());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    let mut receiver = ReceiverProcess::start(&mut receiver_command(&database, &hook));
    let mut references = Vec::new();
    for _ in 0..40 {
        references.push(post_to(&client, &receiver.base).await);
    }
    hook.wait_for(GENEROUS, "failed attempts before the kill", |received| received.len() >= 40).await;
    receiver.kill();
    let before_kill = hook.received().len();

    hook.answer(200, Duration::ZERO);
    let _restarted = ReceiverProcess::start(&mut receiver_command(&database, &hook));
    let expected: HashSet<String> = references.iter().cloned().collect();
    hook.wait_for(GENEROUS, "every event accepted after the restart", |received| {
        let accepted: HashSet<&String> = received.iter().filter(|r| r.answered == 200).map(|r| &r.reference).collect();
        expected.iter().all(|reference| accepted.contains(reference))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (by_reference, repeats) = tally(&hook);
    assert_eq!(by_reference.len(), 40);
    assert!(by_reference.values().all(|events| events.len() == 1), "one event per pledge: {by_reference:?}");
    assert!(hook.received().iter().all(|r| r.verified));
    let after = hook.received().len() - before_kill;
    println!(
        "SIGKILL: 40 pledges, {before_kill} failed attempts before the kill, {after} requests after the restart, \
         {} events accepted, {repeats} repeats of an accepted event",
        hook.accepted().len()
    );
    assert_eq!(repeats, 0, "no event accepted twice");
    assert_eq!(hook.accepted().len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: build the tests with DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE"
)]
async fn two_receivers_on_one_database_deliver_each_event_once() {
    let schema = PostgresSchema::create("hooks").await;
    let url = schema.url.clone();

    // A little slow, so that both workers have deliveries in flight together.
    let hook = Hook::start(&[], 200).await;
    hook.answer(200, Duration::from_millis(10));
    let (first, second) = (
        ReceiverProcess::spawn(&mut receiver_command(&url, &hook)),
        ReceiverProcess::spawn(&mut receiver_command(&url, &hook)),
    );
    let receivers = [ReceiverProcess::listening(first), ReceiverProcess::listening(second)];
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let posts: Vec<_> = (0..100)
        .map(|index| {
            let (client, base) = (client.clone(), receivers[index % 2].base.clone());
            tokio::spawn(async move { post_to(&client, &base).await })
        })
        .collect();
    let mut references = HashSet::new();
    for post in posts {
        references.insert(post.await.unwrap());
    }
    hook.wait_for(GENEROUS, "100 deliveries", |received| received.len() >= 100).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (by_reference, repeats) = tally(&hook);
    let received = hook.received();
    println!(
        "two receivers: 100 pledges, {} requests, {} distinct events, {repeats} duplicates by event id",
        received.len(),
        received.iter().map(|r| &r.event_id).collect::<HashSet<_>>().len()
    );
    assert_eq!(by_reference.keys().cloned().collect::<HashSet<_>>(), references);
    assert_eq!(repeats, 0);
    assert_eq!(received.len(), 100, "each event delivered exactly once");

    drop(receivers);
    schema.drop().await;
}
