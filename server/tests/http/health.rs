//! `/healthz` proves the write path: a writer stuck behind another connection's lock is a
//! `503` within the health timeout, and the check recovers once the lock is gone.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::common::{assert_problem, new_key, pledge_json, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_writer_is_503_and_recovers_when_released() {
    let server = TestServer::start_with(|settings, _| settings.timeouts.health = Duration::from_secs(1)).await;
    assert_eq!(server.client.get(server.url("/healthz")).send().await.unwrap().status(), 200);

    // Another process holding the write lock, as a stuck backup script or a crashed tool would.
    let mut blocker = SqliteConnectOptions::from_str(&server.database_url).unwrap().connect().await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut blocker).await.unwrap();

    let pledge = pledge_json(&new_key());
    let pending = {
        let client = server.client.clone();
        let url = server.url("/v1/pledges");
        let pledge = pledge.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .header("Idempotency-Key", pledge["idempotency_key"].as_str().unwrap())
                .json(&pledge)
                .send()
                .await
        })
    };

    let stuck = server.client.get(server.url("/healthz")).send().await.unwrap();
    assert!(stuck.headers()["retry-after"].to_str().unwrap().parse::<u64>().is_ok());
    let problem = assert_problem(stuck, 503).await;
    assert!(problem["detail"].as_str().unwrap().contains("writer"), "{problem}");

    sqlx::raw_sql("ROLLBACK").execute(&mut blocker).await.unwrap();
    blocker.close().await.unwrap();

    let mut healthy = false;
    for _ in 0..40 {
        let response = server.client.get(server.url("/healthz")).send().await.unwrap();
        if response.status() == 200 {
            let health: Value = response.json().await.unwrap();
            assert_eq!(health["status"], "ok");
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(healthy, "the health check did not recover after the lock was released");

    // The pledge that arrived while the writer was stuck is stored, or was refused with a 503
    // that a retry with the same key turns into one stored pledge, as the widget does.
    let first = pending.await.unwrap().unwrap().status().as_u16();
    assert!(first == 201 || first == 503, "{first}");
    if first == 503 {
        assert_eq!(server.post(&pledge).await.status(), 201);
    }
    let stored = server.list_all().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["pledge"]["idempotency_key"], pledge["idempotency_key"]);
    server.stop().await;
}
