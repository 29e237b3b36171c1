//! Spam is quarantined, never discarded: a honeypot or fast-fill pledge gets the same `201` and
//! a real reference, is stored with status `review` and its reason, stays out of the default
//! list and export, and is released by the charity.

use serde_json::Value;

use crate::common::{assert_problem, new_key, pledge_json, TestServer, ADMIN_TOKEN};

async fn get_json(server: &TestServer, path: &str) -> Value {
    let response = server.client.get(server.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn get_csv(server: &TestServer, path: &str) -> Vec<csv::StringRecord> {
    let response = server.client.get(server.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), sanankoroba_receiver::export::csv::COLUMNS);
    reader.records().map(Result::unwrap).collect()
}

fn references(list: &Value) -> Vec<&str> {
    list["pledges"].as_array().unwrap().iter().map(|record| record["reference"].as_str().unwrap()).collect()
}

async fn release(server: &TestServer, reference: &str) -> reqwest::Response {
    server
        .client
        .post(server.url(&format!("/v1/pledges/{reference}/release")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bots_get_a_normal_201_and_their_pledges_are_held_for_review() {
    let server = TestServer::start().await;
    let person = pledge_json(&new_key());
    let mut honeypot = pledge_json(&new_key());
    honeypot["anti_spam"]["honeypot"] = "http://cheap-pills.example".into();
    let mut too_fast = pledge_json(&new_key());
    too_fast["anti_spam"]["fill_ms"] = 150.into();

    let mut held = Vec::new();
    for body in [&honeypot, &too_fast] {
        let response = server.post(body).await;
        assert_eq!(response.status(), 201);
        assert!(response.headers().get("idempotent-replayed").is_none());
        let receipt: Value = response.json().await.unwrap();
        assert_eq!(receipt.as_object().unwrap().len(), 2, "the same answer as any pledge: {receipt}");
        held.push(receipt["reference"].as_str().unwrap().to_owned());
    }
    let person_receipt: Value = server.post(&person).await.json().await.unwrap();

    // The default list and export are what the charity acts on: the person only.
    let default = get_json(&server, "/v1/pledges").await;
    assert_eq!(references(&default), [person_receipt["reference"].as_str().unwrap()]);
    assert_eq!(default["pledges"][0]["status"], "new");
    assert!(default["pledges"][0]["review_reason"].is_null() && default["pledges"][0]["released_at"].is_null());
    assert_eq!(get_csv(&server, "/v1/pledges.csv").await.len(), 1);
    assert_eq!(references(&get_json(&server, "/v1/pledges?status=new").await), references(&default));

    // ?status=review has both, with their reasons and everything the donor typed.
    let review = get_json(&server, "/v1/pledges?status=review").await;
    assert_eq!(references(&review), held);
    assert_eq!(review["pledges"][0]["status"], "review");
    assert_eq!(review["pledges"][0]["review_reason"], "honeypot");
    assert_eq!(review["pledges"][1]["review_reason"], "too_fast");
    assert_eq!(review["pledges"][0]["pledge"]["donor"]["email"], "aissata@example.org");
    let rows = get_csv(&server, "/v1/pledges.csv?status=review").await;
    let tail: Vec<Vec<&str>> = rows.iter().map(|row| row.iter().skip(25).take(3).collect()).collect();
    assert_eq!(tail, [vec!["review", "honeypot", ""], vec!["review", "too_fast", ""]]);

    // A retry of a held pledge gets its real reference, as any replay does.
    let replay = server.post(&honeypot).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replayed: Value = replay.json().await.unwrap();
    assert_eq!(replayed["reference"], held[0].as_str());
    assert_eq!(references(&get_json(&server, "/v1/pledges?status=review").await).len(), 2, "no second row");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_pledge_is_released_once_and_releasing_again_is_harmless() {
    let server = TestServer::start().await;
    let mut too_fast = pledge_json(&new_key());
    too_fast["anti_spam"]["fill_ms"] = 10.into();
    let receipt: Value = server.post(&too_fast).await.json().await.unwrap();
    let reference = receipt["reference"].as_str().unwrap();

    let first = release(&server, reference).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "no-store");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["reference"], reference);
    assert_eq!(first["status"], "new");
    assert_eq!(first["review_reason"], "too_fast");
    assert!(first["released_at"].is_string());

    // Idempotent: the same answer, the first release's time; lower case is the same reference.
    let again: Value = release(&server, &reference.to_lowercase()).await.json().await.unwrap();
    assert_eq!(again, first);

    let default = get_json(&server, "/v1/pledges").await;
    assert_eq!(references(&default), [reference]);
    assert_eq!(default["pledges"][0]["review_reason"], "too_fast", "the reason stays, for the record");
    assert_eq!(default["pledges"][0]["released_at"], first["released_at"]);
    assert!(references(&get_json(&server, "/v1/pledges?status=review").await).is_empty());
    let rows = get_csv(&server, "/v1/pledges.csv").await;
    assert_eq!(
        rows[0].iter().skip(25).take(3).collect::<Vec<_>>(),
        ["new", "too_fast", first["released_at"].as_str().unwrap()]
    );

    // A pledge that was never held: nothing changes, 200 with its state.
    let person: Value = server.post(&pledge_json(&new_key())).await.json().await.unwrap();
    let untouched: Value = release(&server, person["reference"].as_str().unwrap()).await.json().await.unwrap();
    assert_eq!(untouched["status"], "new");
    assert!(untouched["review_reason"].is_null() && untouched["released_at"].is_null());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releasing_needs_the_token_and_a_known_reference() {
    let server = TestServer::start().await;
    let mut honeypot = pledge_json(&new_key());
    honeypot["anti_spam"]["honeypot"] = "x".into();
    let receipt: Value = server.post(&honeypot).await.json().await.unwrap();
    let reference = receipt["reference"].as_str().unwrap();
    let url = server.url(&format!("/v1/pledges/{reference}/release"));

    assert_problem(server.client.post(&url).send().await.unwrap(), 401).await;
    assert_problem(
        server.client.post(&url).bearer_auth("wrong-token-wrong-token-wrong-token").send().await.unwrap(),
        401,
    )
    .await;
    for unknown in ["SK-0000-0000", "SK-0000-000O", "nonsense", "SK-0000-0000%00", "%F0%9F%8C%8D"] {
        let response = release(&server, unknown).await;
        assert_eq!(assert_problem(response, 404).await["type"], "about:blank", "{unknown}");
    }
    assert_problem(server.client.get(&url).bearer_auth(ADMIN_TOKEN).send().await.unwrap(), 405).await;
    assert!(references(&get_json(&server, "/v1/pledges").await).is_empty(), "nothing was released");

    for bad in ["?status=spam", "?status=", "?status=NEW", "?status=new&status=review"] {
        let response =
            server.client.get(server.url(&format!("/v1/pledges{bad}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
        assert_eq!(assert_problem(response, 400).await["type"], "/problems/invalid-query", "{bad}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_pledge_survives_a_restart_and_is_released_after_it() {
    let server = TestServer::start().await;
    let mut honeypot = pledge_json(&new_key());
    honeypot["anti_spam"]["honeypot"] = "x".into();
    let receipt: Value = server.post(&honeypot).await.json().await.unwrap();
    let folder = server.stop().await;

    let restarted = TestServer::start_in(folder).await;
    let replay: Value = restarted.post(&honeypot).await.json().await.unwrap();
    assert_eq!(replay["reference"], receipt["reference"]);
    assert_eq!(release(&restarted, receipt["reference"].as_str().unwrap()).await.status(), 200);
    assert_eq!(references(&get_json(&restarted, "/v1/pledges").await), [receipt["reference"].as_str().unwrap()]);
    restarted.stop().await;
}
