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
    fs::write(dist.join("sanankoroba_widget.3f9a0c1d.js"), "export default 1;").unwrap();
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
        assert!(headers.contains_key("last-modified"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), bytes);
    }

    // A browser revalidates by date: unchanged since then is a 304 that keeps the cache policy.
    let first = fetch(Some("br")).await.unwrap();
    let last_modified = first.headers()["last-modified"].clone();
    let revalidated = server
        .client
        .get(&url)
        .header("Accept-Encoding", "br")
        .header("If-Modified-Since", last_modified.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_eq!(revalidated.headers()["cache-control"], "public, max-age=300");
    assert_eq!(revalidated.headers()["access-control-allow-origin"], "*");
    let stale =
        server.client.get(&url).header("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT").send().await.unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.bytes().await.unwrap().as_ref(), WASM);

    let script = server.client.get(server.url("/widget/sanankoroba-widget.js")).send().await.unwrap();
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    let style = server.client.get(server.url("/widget/sanankoroba-widget.css")).send().await.unwrap();
    assert_eq!(style.headers()["content-type"], "text/css; charset=utf-8");

    let hashed = server.client.get(server.url("/widget/sanankoroba_widget.3f9a0c1d.js")).send().await.unwrap();
    assert_eq!(hashed.status(), 200);
    assert_eq!(hashed.headers()["cache-control"], "public, max-age=31536000, immutable");

    fs::write(server.dir.path().join("dist/widget/.hidden"), "not for the public").unwrap();
    fs::write(server.dir.path().join("pledges.txt"), "outside the folder").unwrap();
    for path in [
        "/widget/missing.js",
        "/widget/..%2f..%2fpledges.txt",
        "/widget/%2e%2e/%2e%2e/pledges.txt",
        "/widget/.hidden",
        "/widget/%2ehidden",
        "/widget/",
    ] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_problem(response, 404).await;
    }
    assert_problem(server.client.post(server.url("/widget/sanankoroba-widget.js")).send().await.unwrap(), 405).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_widget_the_receiver_still_runs() {
    let server = TestServer::start().await;
    let problem =
        assert_problem(server.client.get(server.url("/widget/sanankoroba-widget.js")).send().await.unwrap(), 404).await;
    assert_eq!(problem["detail"], "The widget is not built on this receiver.");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_kit_is_served_beside_the_widget_under_its_policy() {
    let server = TestServer::start_with(|settings, dir| {
        fs::create_dir_all(dir.join("dist/kit")).unwrap();
        fs::write(dir.join("dist/kit/index.html"), "<!doctype html><title>Kit</title>").unwrap();
        fs::write(dir.join("dist/kit/kit.js"), "export {};").unwrap();
        settings.widget_dist = dir.join("dist/widget");
    })
    .await;
    let page = server.client.get(server.url("/kit/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("require-trusted-types-for 'script'"));
    assert_eq!(page.headers()["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(page.headers().get("access-control-allow-origin").is_none());
    assert_eq!(page.text().await.unwrap(), "<!doctype html><title>Kit</title>");

    let script = server.client.get(server.url("/kit/kit.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.headers().contains_key("content-security-policy"));

    let redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let moved = redirect.get(server.url("/kit")).send().await.unwrap();
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], "/kit/");

    for path in ["/kit/..%2Fwidget%2Fmissing", "/kit/missing.js", "/demo/missing.css"] {
        let problem = assert_problem(server.client.get(server.url(path)).send().await.unwrap(), 404).await;
        assert_eq!(problem["detail"], "There is nothing at this address.", "{path}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_kit_its_404_says_so() {
    let server = TestServer::start().await;
    let problem = assert_problem(server.client.get(server.url("/kit/")).send().await.unwrap(), 404).await;
    assert_eq!(problem["detail"], "The partner kit is not built on this receiver.");
    server.stop().await;
}
