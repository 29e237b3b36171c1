//! `POST /v1/pledges`: acceptance, idempotency and validation. Spam is in `review.rs`.

use std::collections::HashSet;

use serde_json::Value;

use crate::common::{assert_problem, new_key, pledge_json, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_pledge_is_201_with_a_reference_and_no_personal_data() {
    let server = TestServer::start().await;
    let response = server.post(&pledge_json(&new_key())).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().get("idempotent-replayed").is_none());
    let text = response.text().await.unwrap();
    assert!(!text.contains("Aïssata") && !text.contains("aissata@example.org"));
    let receipt: Value = serde_json::from_str(&text).unwrap();
    assert!(sanankoroba_receiver::intake::reference::is_reference(receipt["reference"].as_str().unwrap()));
    assert!(sanankoroba_receiver::timestamp::Timestamp::parse(receipt["received_at"].as_str().unwrap()).is_some());

    let stored = server.list_all().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["reference"], receipt["reference"]);
    assert_eq!(stored[0]["pledge"]["donor"]["given_name"], "Aïssata");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_pledge_again_is_replayed() {
    let server = TestServer::start().await;
    let body = pledge_json(&new_key());
    let first = server.post(&body).await;
    assert_eq!(first.status(), 201);
    let first_body = first.text().await.unwrap();

    // The same pledge, spelled differently: keys reordered and pretty-printed.
    let respelled = serde_json::to_string_pretty(&body).unwrap();
    let second = server
        .client
        .post(server.url("/v1/pledges"))
        .header("Idempotency-Key", body["idempotency_key"].as_str().unwrap())
        .header("Content-Type", "application/json; charset=utf-8")
        .body(respelled)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.text().await.unwrap(), first_body);
    assert_eq!(server.list_all().await.len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reused_for_another_pledge_is_422() {
    let server = TestServer::start().await;
    let body = pledge_json(&new_key());
    assert_eq!(server.post(&body).await.status(), 201);
    let mut other = body.clone();
    other["amount"]["minor_units"] = 5000.into();
    let problem = assert_problem(server.post(&other).await, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(server.list_all().await.len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_scoped_per_partner() {
    let server = TestServer::start().await;
    let key = new_key();
    let body = pledge_json(&key);
    let mut elsewhere = body.clone();
    elsewhere["partner"] = "lycee-bamako".into();
    let first: Value = server.post(&body).await.json().await.unwrap();
    let second = server.post(&elsewhere).await;
    assert_eq!(second.status(), 201);
    assert!(second.headers().get("idempotent-replayed").is_none());
    let second: Value = second.json().await.unwrap();
    assert_ne!(first["reference"], second["reference"]);
    assert_eq!(server.list_all().await.len(), 2);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_identical_posts_store_one_row() {
    let server = TestServer::start().await;
    let body = pledge_json(&new_key());
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = server.client.clone();
        let url = server.url("/v1/pledges");
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .header("Idempotency-Key", body["idempotency_key"].as_str().unwrap())
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let replayed = response.headers().get("idempotent-replayed").is_some();
            let receipt: Value = response.json().await.unwrap();
            (status, replayed, receipt["reference"].as_str().unwrap().to_owned())
        }));
    }
    let mut references = HashSet::new();
    let mut firsts = 0;
    for task in tasks {
        let (status, replayed, reference) = task.await.unwrap();
        assert_eq!(status, 201);
        firsts += usize::from(!replayed);
        references.insert(reference);
    }
    assert_eq!(references.len(), 1, "every answer carries the same reference");
    assert_eq!(firsts, 1, "exactly one answer is not a replay");
    let stored = server.list_all().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["reference"].as_str(), references.iter().next().map(String::as_str));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_key_problems_are_400_or_422() {
    let server = TestServer::start().await;
    let body = pledge_json(&new_key());

    let missing = server.client.post(server.url("/v1/pledges")).json(&body).send().await.unwrap();
    assert_eq!(assert_problem(missing, 400).await["type"], "/problems/missing-idempotency-key");

    for malformed in ["not-a-uuid", "3F2B8C1E-9D4A-4C3B-8E2F-1A2B3C4D5E6F", "3f2b8c1e-9d4a-1c3b-8e2f-1a2b3c4d5e6f"] {
        let response = server
            .client
            .post(server.url("/v1/pledges"))
            .header("Idempotency-Key", malformed)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(assert_problem(response, 400).await["type"], "/problems/malformed-idempotency-key");
    }

    let quoted = server
        .client
        .post(server.url("/v1/pledges"))
        .header("Idempotency-Key", format!("\"{}\"", body["idempotency_key"].as_str().unwrap()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(quoted.status(), 201, "a structured-field string is accepted");

    let mismatched = server
        .client
        .post(server.url("/v1/pledges"))
        .header("Idempotency-Key", new_key())
        .json(&pledge_json(&new_key()))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(mismatched, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/idempotency_key");
    assert_eq!(problem["errors"][0]["code"], "idempotency_key_mismatch");
    assert_eq!(server.list_all().await.len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_fields_are_422_with_pointers_and_codes() {
    let server = TestServer::start().await;
    let mut body = pledge_json(&new_key());
    body["donor"]["email"] = "not an email".into();
    body["amount"]["minor_units"] = 1.into();
    body["gift_aid"]["postcode"] = "12345".into();
    let problem = assert_problem(server.post(&body).await, 422).await;
    assert_eq!(problem["type"], "/problems/invalid-pledge");
    let errors: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            assert!(error["detail"].as_str().is_some_and(|detail| !detail.is_empty()));
            (error["pointer"].as_str().unwrap().to_owned(), error["code"].as_str().unwrap().to_owned())
        })
        .collect();
    for expected in [
        ("/amount/minor_units", "amount_below_minimum"),
        ("/donor/email", "invalid_email"),
        ("/gift_aid/postcode", "invalid_postcode"),
    ] {
        assert!(errors.contains(&(expected.0.to_owned(), expected.1.to_owned())), "{expected:?} in {errors:?}");
    }
    assert!(server.list_all().await.is_empty());
    server.stop().await;
}

/// Contact details the donor did not agree to be contacted by are refused, not stored; and a
/// pledge that differs only in a contact detail is another pledge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_details_need_their_consent_and_count_in_the_pledge() {
    let server = TestServer::start().await;
    let mut body = pledge_json(&new_key());
    body["donor"]["phone"] = "+44 20 7946 0958".into();
    body["donor"]["postal_address"] = serde_json::json!({"address": "9 Quay St, Bristol", "postcode": "BS1 4DJ"});
    let problem = assert_problem(server.post(&body).await, 422).await;
    assert_eq!(problem["type"], "/problems/invalid-pledge");
    let errors: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| (error["pointer"].as_str().unwrap(), error["code"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [("/donor/phone", "not_consented"), ("/donor/postal_address", "not_consented")]);
    assert!(server.list_all().await.is_empty());

    body["consent"]["phone"] = true.into();
    body["consent"]["post"] = true.into();
    assert_eq!(server.post(&body).await.status(), 201);
    let mut other_number = body.clone();
    other_number["donor"]["phone"] = "+44 20 7946 0959".into();
    let problem = assert_problem(server.post(&other_number).await, 422).await;
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    assert_eq!(server.list_all().await.len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_and_huge_strings_are_refused() {
    let server = TestServer::start().await;
    let mut unknown = pledge_json(&new_key());
    unknown["donor"]["card_number"] = "4111111111111111".into();
    let problem = assert_problem(server.post(&unknown).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/donor/card_number");
    assert_eq!(problem["errors"][0]["code"], "unknown_field");

    // Under the body limit but far over the field's: a field error.
    let mut long = pledge_json(&new_key());
    long["donor"]["family_name"] = "A".repeat(20_000).into();
    let problem = assert_problem(server.post(&long).await, 422).await;
    assert_eq!(problem["errors"][0]["pointer"], "/donor/family_name");
    assert_eq!(problem["errors"][0]["code"], "too_long");

    // Over the body limit: refused before parsing.
    let mut huge = pledge_json(&new_key());
    huge["donor"]["family_name"] = "A".repeat(1_000_000).into();
    assert_problem(server.post(&huge).await, 413).await;
    assert!(server.list_all().await.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_json_are_400_or_415() {
    let server = TestServer::start().await;
    let key = new_key();
    let send = |content_type: &'static str, body: Vec<u8>| {
        server
            .client
            .post(server.url("/v1/pledges"))
            .header("Idempotency-Key", key.clone())
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let json = pledge_json(&key).to_string().into_bytes();
    assert_problem(send("text/plain", json.clone()).await.unwrap(), 415).await;
    assert_problem(send("application/x-www-form-urlencoded", b"a=1".to_vec()).await.unwrap(), 415).await;
    let no_type = server
        .client
        .post(server.url("/v1/pledges"))
        .header("Idempotency-Key", key.clone())
        .body(json)
        .send()
        .await
        .unwrap();
    assert_problem(no_type, 415).await;

    let mut not_utf8 = pledge_json(&key).to_string().into_bytes();
    let at = not_utf8.windows(9).position(|window| window == b"Coulibaly").unwrap();
    not_utf8[at + 1] = 0xff;
    let problem = assert_problem(send("application/json", not_utf8).await.unwrap(), 400).await;
    assert_eq!(problem["type"], "/problems/malformed-json");
    assert_problem(send("application/json", b"{\"schema_version\": 1,".to_vec()).await.unwrap(), 400).await;
    // Nesting 10,000 deep is refused by the parser's recursion limit, wherever it sits.
    for deep in [
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        format!("{{\"donor\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000)),
    ] {
        let problem = assert_problem(send("application/json", deep.into_bytes()).await.unwrap(), 400).await;
        assert_eq!(problem["type"], "/problems/malformed-json");
    }
    assert!(server.list_all().await.is_empty());
    server.stop().await;
}
