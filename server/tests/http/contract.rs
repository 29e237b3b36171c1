//! The checked-in OpenAPI document is the one the code generates, and the one it serves.

use std::path::Path;

use crate::common::TestServer;

const REGENERATE: &str = "cargo run -q -p sanankoroba-receiver -- --print-openapi > contract/openapi.json";

fn checked_in() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract/openapi.json");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}; run `{REGENERATE}`", path.display()))
}

#[test]
fn the_checked_in_openapi_document_is_current() {
    let generated = sanankoroba_receiver::http::openapi::document_text();
    assert!(
        generated == checked_in(),
        "contract/openapi.json is stale: the code now generates a different document. Run `{REGENERATE}`"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_serves_the_same_document() {
    let server = TestServer::start().await;
    let response = server.client.get(server.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: serde_json::Value = response.json().await.unwrap();
    let expected: serde_json::Value = serde_json::from_str(&checked_in()).unwrap();
    assert!(served == expected, "the served document differs from contract/openapi.json");
    assert_eq!(served["openapi"], "3.1.0");
    server.stop().await;
}
