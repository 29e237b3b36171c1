//! Receiver throughput on loopback, against the raw limit of the same disk.
//!
//! `cargo bench -p sanankoroba-receiver --bench receiver -- [--seconds N] [--clients C]`
//!
//! 1. Load: C concurrent clients (default 64) post distinct valid pledges for N seconds
//!    (default 10) to a receiver on SQLite with `synchronous=FULL`.
//! 2. Raw limit: one connection inserts the same rows into SQLite with the same settings, each
//!    insert committed on its own, for N seconds.
//!
//! Writes pledges/s, p50/p99/p99.9 latency, the error count and the ratio of the two rates to
//! `target/bench/receiver.json`, and prints them.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sanankoroba_receiver::intake::reference;
use sanankoroba_receiver::Settings;
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::Mutex;

struct Options {
    seconds: u64,
    clients: usize,
}

fn options() -> Options {
    let mut options = Options { seconds: 10, clients: 64 };
    let mut args = std::env::args().skip(1);
    // cargo passes `--bench`; anything unknown is ignored the same way.
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => options.seconds = args.next().and_then(|v| v.parse().ok()).expect("--seconds N"),
            "--clients" => options.clients = args.next().and_then(|v| v.parse().ok()).expect("--clients C"),
            _ => {}
        }
    }
    options
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").join("target"))
}

fn new_key() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn pledge_body(key: &str) -> String {
    json!({
        "schema_version": pledge::SCHEMA_VERSION,
        "idempotency_key": key,
        "option": "child",
        "frequency": "monthly",
        "amount": {"minor_units": 2500, "currency": "GBP"},
        "donor": {"given_name": "Aïssata", "family_name": "Coulibaly", "email": "aissata@example.org", "country": "GB"},
        "gift_aid": {"wording_version": pledge::GIFT_AID_WORDING_VERSION, "home_address": "12 Church Lane, Oxford", "postcode": "OX1 2AB"},
        "consent": {"wording_version": pledge::CONSENT_WORDING_VERSION, "email": true, "post": false, "phone": false},
        "partner": "st-marys-school",
        "page_url": "https://www.stmarys.example/sponsor",
        "locale": "en",
        "client_created_at": "2026-11-27T10:00:00.000Z",
        "anti_spam": {"honeypot": "", "fill_ms": 42_000}
    })
    .to_string()
}

struct LoadResult {
    acknowledged: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    stored: i64,
}

async fn load(folder: &Path, options: &Options) -> LoadResult {
    let database = folder.join("receiver.db");
    let mut settings = Settings::new(format!("sqlite://{}", database.display()), "bench-admin-token");
    settings.rate_limit_per_minute = 0;
    settings.min_fill = Duration::ZERO;
    settings.widget_dist = folder.join("no-dist");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = sanankoroba_receiver::start(settings, async {
        let _ = stopped.await;
    })
    .await
    .expect("the receiver starts");
    let url = format!("http://{}/v1/pledges", running.local_addr);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let results = Arc::new(Mutex::new((Vec::new(), 0usize)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let workers: Vec<_> = (0..options.clients)
        .map(|_| {
            let (client, url, results) = (client.clone(), url.clone(), results.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let key = new_key();
                    let body = pledge_body(&key);
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("Idempotency-Key", &key)
                        .header("Content-Type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let created = match response {
                        Ok(response) => response.status() == 201 && response.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if created {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                let mut results = results.lock().await;
                results.0.extend(latencies);
                results.1 += errors;
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    running.wait().await.unwrap();

    let mut connection =
        SqliteConnectOptions::from_str(&format!("sqlite://{}", database.display())).unwrap().connect().await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pledges").fetch_one(&mut connection).await.unwrap();
    connection.close().await.unwrap();

    let (mut latencies, errors) = std::mem::take(&mut *results.lock().await);
    latencies.sort();
    LoadResult { acknowledged: latencies.len(), errors, elapsed, latencies, stored }
}

/// The same rows, inserted and committed one at a time on one connection: what the disk allows
/// without batching.
async fn raw_limit(folder: &Path, options: &Options) -> (usize, Duration) {
    let mut connection = SqliteConnectOptions::from_str(&format!("sqlite://{}", folder.join("raw.db").display()))
        .unwrap()
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(include_str!("../migrations/sqlite/0001_pledges.sql")).execute(&mut connection).await.unwrap();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut inserted = 0;
    while Instant::now() < deadline {
        let key = new_key();
        let body = pledge_body(&key);
        let pledge: pledge::Pledge = serde_json::from_str(&body).unwrap();
        let hash = sanankoroba_receiver::intake::idempotency::canonical_hash(&pledge);
        sqlx::query(
            "INSERT INTO pledges (reference, partner, idempotency_key, body_hash, received_at, pledge)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(reference::generate())
        .bind(&pledge.partner)
        .bind(&key)
        .bind(&hash[..])
        .bind(sanankoroba_receiver::timestamp::Timestamp::now().as_micros())
        .bind(serde_json::to_string(&pledge).unwrap())
        .execute(&mut connection)
        .await
        .unwrap();
        inserted += 1;
    }
    let elapsed = started.elapsed();
    connection.close().await.unwrap();
    (inserted, elapsed)
}

fn percentile_ms(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

fn main() {
    let options = options();
    let target = target_dir();
    let bench_dir = target.join("bench");
    std::fs::create_dir_all(&bench_dir).unwrap();
    // The databases live under target/, on the same disk as a real deployment's ./data would.
    let folder = tempfile::Builder::new().prefix("receiver-").tempdir_in(&bench_dir).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    eprintln!("load: {} clients for {} s on loopback…", options.clients, options.seconds);
    let load = runtime.block_on(load(folder.path(), &options));
    eprintln!("raw limit: one connection, one commit per insert, for {} s…", options.seconds);
    let (raw_inserts, raw_elapsed) = runtime.block_on(raw_limit(folder.path(), &options));

    let pledges_per_second = load.acknowledged as f64 / load.elapsed.as_secs_f64();
    let raw_per_second = raw_inserts as f64 / raw_elapsed.as_secs_f64();
    let ratio = pledges_per_second / raw_per_second;
    let report = json!({
        "load": {
            "clients": options.clients,
            "seconds": load.elapsed.as_secs_f64(),
            "acknowledged": load.acknowledged,
            "stored": load.stored,
            "errors": load.errors,
            "pledges_per_second": pledges_per_second,
            "latency_ms": {
                "p50": percentile_ms(&load.latencies, 0.50),
                "p99": percentile_ms(&load.latencies, 0.99),
                "p99_9": percentile_ms(&load.latencies, 0.999),
            },
            "storage": "sqlite, journal_mode=WAL, synchronous=FULL, group commit",
        },
        "raw_sqlite": {
            "seconds": raw_elapsed.as_secs_f64(),
            "inserts": raw_inserts,
            "inserts_per_second": raw_per_second,
            "storage": "sqlite, journal_mode=WAL, synchronous=FULL, one commit per insert",
        },
        "ratio_receiver_to_raw": ratio,
    });
    let path = bench_dir.join("receiver.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap() + "\n").unwrap();

    println!("receiver benchmark ({} s per phase, loopback)", options.seconds);
    println!("  {:<38} {:>12.1}", format!("receiver, {} clients: pledges/s", options.clients), pledges_per_second);
    println!("  {:<38} {:>12.2}", "latency p50 (ms)", percentile_ms(&load.latencies, 0.50));
    println!("  {:<38} {:>12.2}", "latency p99 (ms)", percentile_ms(&load.latencies, 0.99));
    println!("  {:<38} {:>12.2}", "latency p99.9 (ms)", percentile_ms(&load.latencies, 0.999));
    println!("  {:<38} {:>12}", "errors", load.errors);
    println!("  {:<38} {:>12}", "acknowledged / stored", format!("{} / {}", load.acknowledged, load.stored));
    println!("  {:<38} {:>12.1}", "raw SQLite, commit per insert: rows/s", raw_per_second);
    println!("  {:<38} {:>12.2}", "ratio receiver / raw", ratio);
    println!("written to {}", path.display());
    assert!(load.stored as usize >= load.acknowledged, "every acknowledged pledge is stored");
}
