//! The charity's exports: authentication, pagination, filters, and CSV that a spreadsheet
//! reads back to the stored pledges.

use std::collections::HashMap;

use serde_json::Value;

use crate::common::{assert_problem, new_key, pledge_json, TestServer, ADMIN_TOKEN};

async fn post_all(server: &TestServer, bodies: &[Value]) -> Vec<String> {
    let mut references = Vec::new();
    for body in bodies {
        let response = server.post(body).await;
        assert_eq!(response.status(), 201);
        let receipt: Value = response.json().await.unwrap();
        references.push(receipt["reference"].as_str().unwrap().to_owned());
    }
    references
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_need_the_exact_admin_token() {
    let server = TestServer::start().await;
    post_all(&server, &[pledge_json(&new_key())]).await;
    for path in ["/v1/pledges", "/v1/pledges.csv"] {
        let none = server.client.get(server.url(path)).send().await.unwrap();
        assert!(none.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
        let problem = assert_problem(none, 401).await;
        assert!(!problem.to_string().contains("Aïssata"));
        let wrong = server
            .client
            .get(server.url(path))
            .bearer_auth("test-admin-token-6f1d2c-4a5b-9e8f7d6d")
            .send()
            .await
            .unwrap();
        assert_problem(wrong, 401).await;
        let prefix = server.client.get(server.url(path)).bearer_auth(&ADMIN_TOKEN[..10]).send().await.unwrap();
        assert_problem(prefix, 401).await;
        let basic = server.client.get(server.url(path)).basic_auth("admin", Some(ADMIN_TOKEN)).send().await.unwrap();
        assert_problem(basic, 401).await;
        let good = server.client.get(server.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
        assert_eq!(good.status(), 200, "{path}");
        assert_eq!(good.headers()["cache-control"], "no-store");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_pages_and_filters() {
    let server = TestServer::start().await;
    let mut bodies: Vec<Value> = (0..5).map(|_| pledge_json(&new_key())).collect();
    bodies[1]["partner"] = "lycee-bamako".into();
    bodies[3]["partner"] = "lycee-bamako".into();
    let references = post_all(&server, &bodies).await;

    let get = |query: String| {
        let request = server.client.get(server.url(&format!("/v1/pledges{query}"))).bearer_auth(ADMIN_TOKEN);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let page_references = |page: &Value| -> Vec<String> {
        page["pledges"].as_array().unwrap().iter().map(|p| p["reference"].as_str().unwrap().to_owned()).collect()
    };

    let first = get("?limit=2".into()).await;
    assert_eq!(page_references(&first), references[..2]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = get(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(page_references(&second), references[2..4]);
    let third = get(format!("?limit=2&cursor={}", second["next_cursor"].as_str().unwrap())).await;
    assert_eq!(page_references(&third), references[4..]);
    assert!(third["next_cursor"].is_null());

    let bamako = get("?partner=lycee-bamako".into()).await;
    assert_eq!(page_references(&bamako), [references[1].clone(), references[3].clone()]);

    let all = get(String::new()).await;
    let times: Vec<&str> =
        all["pledges"].as_array().unwrap().iter().map(|p| p["received_at"].as_str().unwrap()).collect();
    let since = get(format!("?since={}", times[2])).await;
    assert_eq!(page_references(&since), references[2..]);
    let until = get(format!("?until={}", times[2])).await;
    assert_eq!(page_references(&until), references[..2]);
    assert!(page_references(&get("?since=2999-01-01".into()).await).is_empty());

    for bad in ["?limit=0", "?limit=5000", "?since=yesterday", "?cursor=abc", "?partnr=x"] {
        let response =
            server.client.get(server.url(&format!("/v1/pledges{bad}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
        let problem = assert_problem(response, 400).await;
        assert_eq!(problem["type"], "/problems/invalid-query", "{bad}");
    }
    server.stop().await;
}

/// Reads a neutralised cell back as the donor typed it.
fn restore(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_parses_back_to_the_stored_pledges() {
    let server = TestServer::start().await;
    let mut bodies: Vec<Value> = (0..4).map(|_| pledge_json(&new_key())).collect();
    bodies[0]["donor"]["given_name"] = "=HYPERLINK(\"http://evil.example\",\"Click\")".into();
    bodies[0]["donor"]["family_name"] = "<img src=x onerror=alert(1)>".into();
    bodies[0]["consent"]["phone"] = true.into();
    bodies[0]["donor"]["phone"] = "+44 20 7946 0958".into();
    bodies[1]["donor"]["given_name"] = "+33 Awa".into();
    bodies[1]["donor"]["family_name"] = "-Traoré, \"the elder\"".into();
    bodies[1]["gift_aid"] = Value::Null;
    bodies[1]["donor"]["country"] = "ML".into();
    bodies[1]["amount"] = serde_json::json!({"minor_units": 15000, "currency": "XOF"});
    bodies[1]["option"] = "one_off".into();
    bodies[1]["frequency"] = "once".into();
    bodies[1]["locale"] = "fr".into();
    // Without Gift Aid, letters need a postal address; this one has no postcode.
    bodies[1]["consent"]["post"] = true.into();
    bodies[1]["donor"]["postal_address"] = serde_json::json!({"address": "-Rue 305, Porte 12, \"Hamdallaye\", Bamako"});
    bodies[2]["donor"]["email"] = "@mention@example.org".into();
    bodies[3]["gift_aid"]["home_address"] = "@home, 1 High St".into();
    bodies[3]["consent"]["post"] = true.into();
    bodies[3]["donor"]["postal_address"] =
        serde_json::json!({"address": "=2+3 Flat, 9 Quay St", "postcode": "@BS1 4DJ"});
    for body in &mut bodies {
        if body["gift_aid"].is_null() {
            body.as_object_mut().unwrap().remove("gift_aid");
        }
    }
    let mut accepted = Vec::new();
    for body in &bodies {
        let response = server.post(body).await;
        if response.status() == 201 {
            let receipt: Value = response.json().await.unwrap();
            accepted.push((receipt["reference"].as_str().unwrap().to_owned(), body.clone()));
        } else {
            // Only the email with a leading @ may be refused by validation; everything else must pass.
            assert!(body["donor"]["email"].as_str().unwrap().starts_with('@'), "{}", response.text().await.unwrap());
        }
    }
    assert!(accepted.len() >= 3);

    let response = server.client.get(server.url("/v1/pledges.csv")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("pledges.csv"));
    let text = response.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("'=HYPERLINK"), "formulas are neutralised");
    for neutralised in ["'+44 20 7946 0958", "\"'-Rue 305", "'=2+3 Flat", "'@BS1 4DJ"] {
        assert!(text.contains(neutralised), "contact details are neutralised too: {neutralised}");
    }
    assert!(text.contains("<img src=x onerror=alert(1)>"), "markup is kept verbatim");

    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), sanankoroba_receiver::export::csv::COLUMNS);
    let rows: Vec<HashMap<String, String>> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_owned(), restore(v))).collect()
        })
        .collect();
    assert_eq!(rows.len(), accepted.len());

    for (row, (reference, body)) in rows.iter().zip(&accepted) {
        assert_eq!(&row["reference"], reference);
        let mut rebuilt = serde_json::json!({
            "schema_version": row["schema_version"].parse::<u32>().unwrap(),
            "idempotency_key": row["idempotency_key"],
            "option": row["option"],
            "frequency": row["frequency"],
            "amount": {"minor_units": row["amount_minor_units"].parse::<u64>().unwrap(), "currency": row["currency"]},
            "donor": {"given_name": row["given_name"], "family_name": row["family_name"], "email": row["email"], "country": row["country"]},
            "consent": {
                "wording_version": row["consent_wording_version"],
                "email": row["consent_email"] == "yes",
                "post": row["consent_post"] == "yes",
                "phone": row["consent_phone"] == "yes"
            },
            "partner": row["partner"],
            "page_url": row["page_url"],
            "locale": row["locale"],
            "client_created_at": row["client_created_at"],
            "anti_spam": body["anti_spam"],
        });
        if !row["phone"].is_empty() {
            rebuilt["donor"]["phone"] = row["phone"].clone().into();
        }
        if !row["postal_address"].is_empty() {
            rebuilt["donor"]["postal_address"] =
                serde_json::json!({"address": row["postal_address"], "postcode": row["postal_postcode"]});
        }
        if row["gift_aid"] == "yes" {
            rebuilt["gift_aid"] = serde_json::json!({
                "wording_version": row["gift_aid_wording_version"],
                "home_address": row["home_address"],
                "postcode": row["postcode"],
            });
        }
        let expected: pledge::Pledge = serde_json::from_value(body.clone()).unwrap();
        let parsed: pledge::Pledge = serde_json::from_value(rebuilt).unwrap();
        assert_eq!(parsed, expected);
        let decimal = pledge::Amount::new(expected.amount.minor_units, expected.amount.currency).to_decimal_string();
        assert_eq!(row["amount"], decimal);
    }
    server.stop().await;
}

/// The JSON export gives the pledge as it was sent: contact details where the donor gave them,
/// and no member at all, not even a null, where they did not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_export_carries_contact_details_only_where_given() {
    let server = TestServer::start().await;
    let mut with_details = pledge_json(&new_key());
    with_details["consent"]["phone"] = true.into();
    with_details["consent"]["post"] = true.into();
    with_details["donor"]["phone"] = "+44 20 7946 0958".into();
    with_details["donor"]["postal_address"] =
        serde_json::json!({"address": "9 Quay St, Bristol", "postcode": "BS1 4DJ"});
    let mut null_details = pledge_json(&new_key());
    null_details["donor"]["phone"] = Value::Null;
    null_details["donor"]["postal_address"] = Value::Null;
    post_all(&server, &[with_details.clone(), null_details]).await;

    let stored = server.list_all().await;
    assert_eq!(stored[0]["pledge"]["donor"], with_details["donor"]);
    let donor = stored[1]["pledge"]["donor"].as_object().unwrap();
    assert!(!donor.contains_key("phone") && !donor.contains_key("postal_address"), "{donor:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn donor_markup_is_stored_verbatim() {
    let server = TestServer::start().await;
    let mut body = pledge_json(&new_key());
    body["donor"]["given_name"] = "<img src=x onerror=alert(1)>".into();
    body["donor"]["family_name"] = "<script>alert('x')</script> & \"Sons\"".into();
    assert_eq!(server.post(&body).await.status(), 201);
    let stored = server.list_all().await;
    assert_eq!(stored[0]["pledge"]["donor"]["given_name"], "<img src=x onerror=alert(1)>");
    assert_eq!(stored[0]["pledge"]["donor"]["family_name"], "<script>alert('x')</script> & \"Sons\"");
    server.stop().await;
}
