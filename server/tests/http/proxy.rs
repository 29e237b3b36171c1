//! Behind a proxy: the rate limit is keyed by the client address that the trusted proxy
//! reports, and by the connection's own address when the peer is not trusted, whatever the
//! headers claim.

use crate::common::{assert_problem, new_key, pledge_json, TestServer};

async fn post_as(server: &TestServer, header: (&str, &str)) -> reqwest::Response {
    let body = pledge_json(&new_key());
    server
        .client
        .post(server.url("/v1/pledges"))
        .header("Idempotency-Key", body["idempotency_key"].as_str().unwrap())
        .header(header.0, header.1)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_peer_cannot_choose_its_bucket_through_headers() {
    let server = TestServer::start_with(|settings, _| settings.rate_limit_per_minute = 2).await;
    assert_eq!(post_as(&server, ("X-Forwarded-For", "198.51.100.1")).await.status(), 201);
    assert_eq!(post_as(&server, ("Forwarded", "for=198.51.100.2")).await.status(), 201);
    let refused = post_as(&server, ("X-Forwarded-For", "198.51.100.3")).await;
    assert!(refused.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_problem(refused, 429).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_has_its_own_bucket() {
    let server = TestServer::start_with(|settings, _| {
        settings.rate_limit_per_minute = 1;
        settings.trusted_proxies =
            sanankoroba_receiver::http::middleware::client_address::TrustedProxies::parse_list(["127.0.0.1"]).unwrap();
    })
    .await;
    // Client A, then A again: limited, with a whole number of seconds to wait.
    assert_eq!(post_as(&server, ("X-Forwarded-For", "198.51.100.1")).await.status(), 201);
    let refused = post_as(&server, ("X-Forwarded-For", "198.51.100.1")).await;
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_problem(refused, 429).await;
    // A client writing another address to the left of what the proxy appended is still A.
    assert_eq!(post_as(&server, ("X-Forwarded-For", "6.6.6.6, 198.51.100.1")).await.status(), 429);
    // Client B has its own allowance.
    assert_eq!(post_as(&server, ("X-Forwarded-For", "198.51.100.2")).await.status(), 201);

    // Forwarded, IPv6 with brackets and a port; one /64 is one client.
    assert_eq!(post_as(&server, ("Forwarded", "for=\"[2001:db8:1:2::1]:4711\";proto=https")).await.status(), 201);
    assert_eq!(post_as(&server, ("Forwarded", "for=\"[2001:db8:1:2::99]\"")).await.status(), 429);
    assert_eq!(post_as(&server, ("Forwarded", "for=\"[2001:db8:1:3::1]\"")).await.status(), 201);

    // The proxy does not know the client: the request counts against the proxy itself.
    assert_eq!(post_as(&server, ("X-Forwarded-For", "unknown")).await.status(), 201);
    assert_eq!(post_as(&server, ("Forwarded", "for=_hidden")).await.status(), 429);
    assert_eq!(post_as(&server, ("X-Forwarded-For", "not an address")).await.status(), 429);
    server.stop().await;
}
