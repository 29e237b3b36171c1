//! Durability: the receiver process is killed with SIGKILL while pledges stream in. After a
//! restart, every pledge that had been answered 201 is there, exactly once.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::ReceiverProcess;
use common::{list_all_pledges, new_key, pledge_json};
use serde_json::Value;

/// The real binary on a SQLite file.
fn start_receiver(database: &Path) -> ReceiverProcess {
    ReceiverProcess::start(
        ReceiverProcess::command().arg("--database-url").arg(format!("sqlite://{}", database.display())),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_pledge_survives_sigkill_exactly_once() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("pledges.db");
    let mut receiver = start_receiver(&database);
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();

    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let failed_in_flight = Arc::new(Mutex::new(0usize));
    let killed = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{}/v1/pledges", receiver.base));
            let (acknowledged, failed_in_flight, killed) =
                (acknowledged.clone(), failed_in_flight.clone(), killed.clone());
            tokio::spawn(async move {
                while !killed.load(Ordering::SeqCst) {
                    let key = new_key();
                    let sent = client.post(&url).header("Idempotency-Key", &key).json(&pledge_json(&key)).send().await;
                    match sent {
                        Ok(response) if response.status() == 201 => {
                            let Ok(receipt) = response.json::<Value>().await else { continue };
                            let reference = receipt["reference"].as_str().unwrap().to_owned();
                            acknowledged.lock().unwrap().push((key, reference));
                        }
                        Ok(response) => panic!("a valid pledge was answered {}", response.status()),
                        Err(_) => *failed_in_flight.lock().unwrap() += 1,
                    }
                }
            })
        })
        .collect();

    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    receiver.kill();
    killed.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 50, "only {} pledges were acknowledged before the kill", acknowledged.len());

    let mut restarted = start_receiver(&database);
    let stored = list_all_pledges(&client, &restarted.base).await;
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    for record in &stored {
        let key = record["pledge"]["idempotency_key"].as_str().unwrap().to_owned();
        by_key.entry(key).or_default().push(record["reference"].as_str().unwrap().to_owned());
    }
    for (key, reference) in &acknowledged {
        assert_eq!(
            by_key.get(key),
            Some(&vec![reference.clone()]),
            "acknowledged pledge {reference} lost or duplicated"
        );
    }
    assert!(by_key.values().all(|references| references.len() == 1));
    assert!(stored.len() >= acknowledged.len());

    // A stop signal drains and exits cleanly.
    let status = Command::new("kill").args(["-TERM", &restarted.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = restarted.child.wait().unwrap();
    assert!(exit.success(), "the receiver exited with {exit} after SIGTERM");
}
