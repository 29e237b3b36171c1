//! CORS, rate limiting, health, and problem answers for unknown routes and methods.

use serde_json::Value;

use crate::common::{assert_problem, new_key, pledge_json, TestServer};

const PARTNER_ORIGIN: &str = "https://www.stmarys.example";

async fn with_partner_origin() -> TestServer {
    TestServer::start_with(|settings, _| {
        settings.allowed_origins = vec![PARTNER_ORIGIN.to_owned(), "http://127.0.0.1:9999".to_owned()];
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_origin_passes_the_preflight() {
    let server = with_partner_origin().await;
    let response = server
        .client
        .request(reqwest::Method::OPTIONS, server.url("/v1/pledges"))
        .header("Origin", PARTNER_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,idempotency-key")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], PARTNER_ORIGIN);
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed_headers.contains("idempotency-key") && allowed_headers.contains("content-type"));
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert!(headers.get("access-control-allow-credentials").is_none());

    let posted = server
        .client
        .post(server.url("/v1/pledges"))
        .header("Origin", PARTNER_ORIGIN)
        .header("Idempotency-Key", new_key())
        .json(&Value::Null)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.headers()["access-control-allow-origin"], PARTNER_ORIGIN);
    let exposed = posted.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("idempotent-replayed"));
    assert!(posted.headers().get("access-control-allow-credentials").is_none());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_origin_gets_no_allow_origin() {
    let server = with_partner_origin().await;
    for origin in ["https://evil.example", "https://www.stmarys.example.evil.example", "null"] {
        let preflight = server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/v1/pledges"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,idempotency-key")
            .send()
            .await
            .unwrap();
        assert!(preflight.headers().get("access-control-allow-origin").is_none(), "{origin}");
        let body = pledge_json(&new_key());
        let posted = server
            .client
            .post(server.url("/v1/pledges"))
            .header("Origin", origin)
            .header("Idempotency-Key", body["idempotency_key"].as_str().unwrap())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(posted.headers().get("access-control-allow-origin").is_none(), "{origin}");
    }
    // The admin export is never opened to other origins, not even to partners.
    let admin = server.client.get(server.url("/v1/pledges")).header("Origin", PARTNER_ORIGIN).send().await.unwrap();
    assert!(admin.headers().get("access-control-allow-origin").is_none());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_pledges_from_one_address_are_429_with_retry_after() {
    let server = TestServer::start_with(|settings, _| settings.rate_limit_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(server.post(&pledge_json(&new_key())).await.status(), 201);
    }
    let refused = server.post(&pledge_json(&new_key())).await;
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert_problem(refused, 429).await;
    // Reading is not limited.
    assert_eq!(server.client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(server.list_all().await.len(), 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_the_database() {
    let server = TestServer::start().await;
    let response = server.client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], "sqlite");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_are_problems() {
    let server = TestServer::start().await;
    assert_problem(server.client.get(server.url("/nothing-here")).send().await.unwrap(), 404).await;
    assert_problem(server.client.delete(server.url("/v1/pledges")).send().await.unwrap(), 405).await;
    assert_problem(server.client.post(server.url("/healthz")).send().await.unwrap(), 405).await;
    let response = server.client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_answers_the_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut server = TestServer::start().await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let key = new_key();
    let body = pledge_json(&key).to_string();
    let (first_half, second_half) = body.as_bytes().split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v1/pledges HTTP/1.1\r\nHost: {address}\r\nIdempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first_half).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    server.signal_stop();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(tokio::net::TcpStream::connect(&address).await.is_err(), "no new connections after the stop signal");

    stream.write_all(second_half).await.unwrap();
    let mut response = vec![0u8; 4096];
    let read = stream.read(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response[..read]);
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let database_url = server.database_url.clone();
    let _folder = server.stop().await;

    let store = sanankoroba_receiver::storage::Store::open_url(&database_url).await.unwrap();
    let listed =
        store.list(sanankoroba_receiver::storage::ListFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(listed.pledges.len(), 1, "the pledge answered during shutdown is stored");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_body_times_out_with_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = TestServer::start_with(|settings, _| {
        settings.timeouts.body = std::time::Duration::from_millis(300);
    })
    .await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let key = new_key();
    let body = pledge_json(&key).to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v1/pledges HTTP/1.1\r\nHost: {address}\r\nIdempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    let mut response = vec![0u8; 4096];
    let started = std::time::Instant::now();
    let read =
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut response)).await.unwrap().unwrap();
    let response = String::from_utf8_lossy(&response[..read]).to_ascii_lowercase();
    assert!(response.starts_with("http/1.1 408"), "{response}");
    assert!(response.contains("content-type: application/problem+json"));
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert!(server.list_all().await.is_empty());
    server.stop().await;
}
