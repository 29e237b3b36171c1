//! A corpus of malformed requests, each answered with a problem+json 4xx, after which the
//! receiver is still healthy and still accepts a good pledge.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{new_key, pledge_json, TestServer};

/// Sends raw bytes and returns the status code and the raw response.
async fn raw_exchange(address: &str, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, text)
}

fn raw_post(key_header: &[u8], content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut request = Vec::new();
    request.extend_from_slice(b"POST /v1/pledges HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    request.extend_from_slice(key_header);
    request.extend_from_slice(
        format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
    );
    request.extend_from_slice(body);
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_and_the_receiver_stays_healthy() {
    let server = TestServer::start().await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let key = new_key();
    let key_header = format!("Idempotency-Key: {key}\r\n").into_bytes();
    let valid = pledge_json(&key).to_string();

    let mut broken_utf8 = valid.clone().into_bytes();
    let at = broken_utf8.windows(9).position(|window| window == b"Coulibaly").unwrap();
    broken_utf8[at + 2] = 0xc3;
    broken_utf8[at + 3] = 0x28;
    let wrong_types = valid.replace("\"minor_units\":2500", "\"minor_units\":\"2500\"");
    assert_ne!(wrong_types, valid);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let huge_string = valid.replace("Coulibaly", &"C".repeat(1_000_000));
    let duplicate_keys = valid.replacen("\"partner\":", "\"partner\":\"lycee-bamako\",\"partner\":", 1);
    let big_number = valid.replace("\"minor_units\":2500", "\"minor_units\":1e400");
    let negative = valid.replace("\"minor_units\":2500", "\"minor_units\":-2500");

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("broken UTF-8", raw_post(&key_header, "application/json", &broken_utf8)),
        ("wrong types", raw_post(&key_header, "application/json", wrong_types.as_bytes())),
        ("array nesting 10,000 deep", raw_post(&key_header, "application/json", deep.as_bytes())),
        ("object nesting 10,000 deep", raw_post(&key_header, "application/json", deep_object.as_bytes())),
        ("a 1 MB string", raw_post(&key_header, "application/json", huge_string.as_bytes())),
        ("duplicate keys", raw_post(&key_header, "application/json", duplicate_keys.as_bytes())),
        ("a number out of range", raw_post(&key_header, "application/json", big_number.as_bytes())),
        ("a negative amount", raw_post(&key_header, "application/json", negative.as_bytes())),
        ("an empty body", raw_post(&key_header, "application/json", b"")),
        ("null", raw_post(&key_header, "application/json", b"null")),
        ("a JSON string", raw_post(&key_header, "application/json", b"\"pledge\"")),
        ("a form post", raw_post(&key_header, "application/x-www-form-urlencoded", b"given_name=Awa")),
        ("XML", raw_post(&key_header, "application/xml", b"<pledge/>")),
        (
            "an encoded CRLF header injection in the key",
            raw_post(format!("Idempotency-Key: {key}%0d%0aSet-Cookie:%20session=evil\r\n").as_bytes(), "application/json", valid.as_bytes()),
        ),
        (
            "a second header value smuggled into the key",
            raw_post(format!("Idempotency-Key: {key}, {}\r\n", new_key()).as_bytes(), "application/json", valid.as_bytes()),
        ),
        (
            "two Idempotency-Key headers",
            raw_post(format!("Idempotency-Key: {key}\r\nIdempotency-Key: {}\r\n", new_key()).as_bytes(), "application/json", valid.as_bytes()),
        ),
        (
            "non-ASCII bytes in the key",
            raw_post(&[b"Idempotency-Key: ".as_slice(), key.as_bytes(), b"\xc3\xa9\r\n"].concat(), "application/json", valid.as_bytes()),
        ),
        (
            "a tab inside the key",
            raw_post(format!("Idempotency-Key: {}\t{}\r\n", &key[..8], &key[8..]).as_bytes(), "application/json", valid.as_bytes()),
        ),
        ("no key at all", raw_post(b"", "application/json", valid.as_bytes())),
        (
            "a declared length far over the limit",
            format!("POST /v1/pledges HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nIdempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{{}}").into_bytes(),
        ),
    ];

    for (name, request) in &cases {
        let (status, response) = raw_exchange(&address, request).await;
        assert!((400..500).contains(&status), "{name}: status {status}\n{response}");
        assert!(
            response.to_ascii_lowercase().contains("content-type: application/problem+json"),
            "{name}: not problem+json\n{response}"
        );
        assert!(!response.to_ascii_lowercase().contains("set-cookie"), "{name}: header injected");
    }

    assert_eq!(server.client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(server.post(&pledge_json(&key)).await.status(), 201, "the key was never used by a refused request");
    assert_eq!(server.list_all().await.len(), 1);
    server.stop().await;
}
