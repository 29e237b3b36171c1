//! Scale-out: two receiver processes, the real binary twice, on one PostgreSQL schema. They
//! start together (both migrate), and then 50 concurrent identical POSTs spread over both
//! store one row and all get the same reference; distinct pledges spread over both are all
//! stored, each once.
//!
//! Runs when the tests were built with `DATABASE_URL` naming a PostgreSQL server (see
//! `build.rs`); otherwise it is reported as ignored.

mod common;

use std::collections::{HashMap, HashSet};
use std::process::Child;
use std::time::Duration;

use common::process::{PostgresSchema, ReceiverProcess};
use common::{list_all_pledges, new_key, pledge_json};
use serde_json::Value;

/// The real binary on the schema that `url` names.
fn spawn(url: &str) -> Child {
    ReceiverProcess::spawn(ReceiverProcess::command().env("DATABASE_URL", url))
}

async fn post(client: &reqwest::Client, base: &str, body: &Value) -> (u16, bool, String) {
    let response = client
        .post(format!("{base}/v1/pledges"))
        .header("Idempotency-Key", body["idempotency_key"].as_str().unwrap())
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    let text = response.text().await.unwrap();
    let reference = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["reference"].as_str().map(str::to_owned));
    (status, replayed, reference.unwrap_or(text))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: build the tests with DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE"
)]
async fn two_receivers_on_one_database_store_each_pledge_once() {
    let schema = PostgresSchema::create("scale").await;
    let url = schema.url.clone();

    // Started together, so that both run their migrations on the empty schema at once.
    let (first, second) = (spawn(&url), spawn(&url));
    let receivers = [ReceiverProcess::listening(first), ReceiverProcess::listening(second)];
    let bases: Vec<String> = receivers.iter().map(|receiver| receiver.base.clone()).collect();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    // 50 identical POSTs, alternately to each process, all in flight at once.
    let body = pledge_json(&new_key());
    let identical: Vec<_> = (0..50)
        .map(|index| {
            let (client, base, body) = (client.clone(), bases[index % 2].clone(), body.clone());
            tokio::spawn(async move { post(&client, &base, &body).await })
        })
        .collect();
    let mut references = HashSet::new();
    let mut firsts = 0;
    for answer in identical {
        let (status, replayed, reference) = answer.await.unwrap();
        assert_eq!(status, 201, "{reference}");
        firsts += usize::from(!replayed);
        references.insert(reference);
    }
    assert_eq!(references.len(), 1, "every answer carries the same reference: {references:?}");
    assert_eq!(firsts, 1, "exactly one answer is not a replay");

    // 200 distinct pledges spread over both.
    let distinct: Vec<_> = (0..200)
        .map(|index| {
            let (client, base) = (client.clone(), bases[index % 2].clone());
            tokio::spawn(async move {
                let body = pledge_json(&new_key());
                let (status, _, reference) = post(&client, &base, &body).await;
                (status, reference, body["idempotency_key"].as_str().unwrap().to_owned())
            })
        })
        .collect();
    let mut expected: HashMap<String, String> = HashMap::new();
    expected.insert(body["idempotency_key"].as_str().unwrap().to_owned(), references.into_iter().next().unwrap());
    for answer in distinct {
        let (status, reference, key) = answer.await.unwrap();
        assert_eq!(status, 201, "{reference}");
        expected.insert(key, reference);
    }

    // Both processes list the same rows: every pledge exactly once, with its reference.
    for base in &bases {
        let stored = list_all_pledges(&client, base).await;
        let by_key: HashMap<String, String> = stored
            .iter()
            .map(|record| {
                (
                    record["pledge"]["idempotency_key"].as_str().unwrap().to_owned(),
                    record["reference"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(stored.len(), 201);
        assert_eq!(by_key, expected);
    }
    let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{}\".pledges", schema.name))
        .fetch_one(&schema.admin)
        .await
        .unwrap();
    assert_eq!(rows, 201, "the rows are in the test's own schema");
    let versions: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{}\"._sqlx_migrations", schema.name))
        .fetch_one(&schema.admin)
        .await
        .unwrap();
    let steps = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).unwrap().count();
    assert_eq!(versions, steps as i64, "every migration applied, once");

    drop(receivers);
    schema.drop().await;
}
