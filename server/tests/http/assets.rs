//! The widget's files under /widget/ and the demo partner page at /.

use std::fs;
use std::path::Path;

use crate::common::{assert_problem, TestServer};

const WASM: &[u8] = b"\0asm\x01\0\0\0 plain";
const WASM_BR: &[u8] = b"brotli bytes";
const WASM_GZ: &[u8] = b"\x1f\x8b gzip bytes";

fn write_dist(dist: &Path) {
    fs::create_dir_all(dist).unwrap();
    fs::write(dist.join("sanankoroba_widget_bg.wasm"), WASM).unwrap();
    fs::write(dist.join("sanankoroba_widget_bg.wasm.br"), WASM_BR).unwrap();
    fs::write(dist.join("sanankoroba_widget_bg.wasm.gz"), WASM_GZ).unwrap();
    fs::write(dist.join("sanankoroba-widget.js"), "import('./sanankoroba_widget.js');").unwrap();
    fs::write(dist.join("sanankoroba-widget.css"), ":host { all: initial; }").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_files_are_served_precompressed_with_their_types() {
    let server = TestServer::start_with(|settings, dir| {
        write_dist(&dir.join("dist/widget"));
        settings.widget_dist = dir.join("dist/widget");
    })
    .await;
    let url = server.url("/widget/sanankoroba_widget_bg.wasm");
    let fetch = |encoding: Option<&'static str>| {
        let mut request = server.client.get(&url).header("Origin", "https://any-partner.example");
        if let Some(encoding) = encoding {
            request = request.header("Accept-Encoding", encoding);
        }
        request.send()
    };

    for (accept, encoding, bytes) in [
        (Some("gzip, deflate, br"), Some("br"), WASM_BR),
        (Some("gzip"), Some("gzip"), WASM_GZ),
        (Some("br;q=0, gzip"), Some("gzip"), WASM_GZ),
        (None, None, WASM),
    ] {
        let response = fetch(accept).await.unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/wasm");
        assert_eq!(headers.get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{accept:?}");
        assert_eq!(headers["vary"], "Accept-Encoding");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert!(headers.contains_key("etag"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), bytes);
    }

    let first = fetch(Some("br")).await.unwrap();
    let etag = first.headers()["etag"].clone();
    let revalidated = server
        .client
        .get(&url)
        .header("Accept-Encoding", "br")
        .header("If-None-Match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_eq!(revalidated.headers()["etag"], etag);

    let script = server.client.get(server.url("/widget/sanankoroba-widget.js")).send().await.unwrap();
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    let style = server.client.get(server.url("/widget/sanankoroba-widget.css")).send().await.unwrap();
    assert_eq!(style.headers()["content-type"], "text/css; charset=utf-8");

    for path in ["/widget/missing.js", "/widget/..%2f..%2fpledges.db", "/widget/.hidden"] {
        assert_problem(server.client.get(server.url(path)).send().await.unwrap(), 404).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_widget_the_receiver_still_runs() {
    let server = TestServer::start().await;
    assert_problem(server.client.get(server.url("/widget/sanankoroba-widget.js")).send().await.unwrap(), 404).await;
    assert_eq!(server.client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_page_points_at_this_receiver_under_a_strict_policy() {
    let server = TestServer::start_with(|settings, dir| {
        fs::write(
            dir.join("index.html"),
            "<!doctype html><script type=module src=\"{{receiver_origin}}/widget/sanankoroba-widget.js\" data-receiver=\"{{receiver_origin}}\"></script>",
        )
        .unwrap();
        fs::create_dir_all(dir.join("demo")).unwrap();
        fs::write(dir.join("demo/school.css"), "body { margin: 0; }").unwrap();
        settings.public_url = Some("http://school-demo.localhost:8080".to_owned());
    })
    .await;
    let page = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(
        page.headers()["content-security-policy"],
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; \
         img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("{{receiver_origin}}"));
    assert_eq!(html.matches("http://school-demo.localhost:8080").count(), 2);

    let style = server.client.get(server.url("/demo/school.css")).send().await.unwrap();
    assert_eq!(style.status(), 200);
    assert_eq!(style.headers()["content-type"], "text/css; charset=utf-8");
    assert!(style.headers().get("access-control-allow-origin").is_none());
    server.stop().await;
}
