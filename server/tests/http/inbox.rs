//! The staff pages over real HTTP: who may reach them, forms that must carry their token,
//! sessions that end, sign-in that is rate limited, and the pages doing what staff ask.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Method, Response};
use sanankoroba_receiver::http::inbox::STAFF_ROUTES;
use sanankoroba_receiver::staff::password::{hash_password, Password};
use sanankoroba_receiver::storage::{NewSession, Status, Store, TokenHash};
use sanankoroba_receiver::timestamp::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{new_key, pledge_json, TestServer, ADMIN_TOKEN};

const PASSWORD: &str = "a long staff password";

/// A client that shows redirects instead of following them, as the tests look at each one.
pub(crate) fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

async fn add_staff(server: &TestServer, username: &str) {
    let store = Store::open_url(&server.database_url).await.unwrap();
    let hash = hash_password(&Password::new(PASSWORD)).unwrap();
    store.add_user(username, hash.as_phc()).await.unwrap();
    store.close().await;
}

/// The value of the cookie `name` that a response sets.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

fn hidden_csrf(page: &str) -> String {
    let pattern = regex::Regex::new(r#"name="csrf_token" value="([^"]+)""#).unwrap();
    pattern.captures(page).expect("the page has a form token")[1].to_owned()
}

/// A signed-in member of staff: the session cookie, and the form token of its pages.
pub(crate) struct Signed {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

async fn sign_in(server: &TestServer, username: &str, password: &str) -> Response {
    let client = client();
    let form = client.get(server.url("/admin/sign-in")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let form_cookie = set_cookie(&form, "sk_sign_in").expect("the form sets its token cookie");
    let token = hidden_csrf(&form.text().await.unwrap());
    client
        .post(server.url("/admin/sign-in"))
        .header(COOKIE, format!("sk_sign_in={form_cookie}"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf_token", token.as_str()), ("username", username), ("password", password), ("next", "/admin/")])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn signed_in(server: &TestServer, username: &str) -> Signed {
    add_staff(server, username).await;
    let response = sign_in(server, username, PASSWORD).await;
    assert_eq!(response.status(), 303);
    let cookie = format!("sk_staff={}", set_cookie(&response, "sk_staff").expect("a session cookie"));
    let inbox = client().get(server.url("/admin/")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(inbox.status(), 200);
    let csrf = hidden_csrf(&inbox.text().await.unwrap());
    Signed { cookie, csrf }
}

pub(crate) async fn pledge(server: &TestServer) -> String {
    let response = server.post(&pledge_json(&new_key())).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned()
}

/// A concrete path for a route's pattern.
fn concrete(path: &str, reference: &str) -> String {
    path.replace("{reference}", reference).replace("{id}", "1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_route_refuses_a_request_without_a_live_session() {
    let server = TestServer::start().await;
    let reference = pledge(&server).await;
    let staff = signed_in(&server, "amina").await;
    let client = client();
    let forged = "sk_staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for route in STAFF_ROUTES {
        let path = concrete(route.path, &reference);
        for method in route.methods {
            for cookie in [None, Some(forged), Some("sk_staff=not-a-token")] {
                let mut request =
                    client.request(method.clone(), server.url(&path)).form(&[("csrf_token", staff.csrf.as_str())]);
                if let Some(cookie) = cookie {
                    request = request.header(COOKIE, cookie);
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 303, "{method} {path} with {cookie:?}");
                let location = response.headers()[LOCATION].to_str().unwrap();
                assert!(location.starts_with("/admin/sign-in"), "{method} {path} goes to {location}");
                assert_eq!(response.headers()["cache-control"], "no-store");
            }
            // The same request with a session reaches a handler: the table is the router.
            let response = client
                .request(method.clone(), server.url(&path))
                .header(COOKIE, &staff.cookie)
                .header("sec-fetch-site", "same-origin")
                .form(&[("csrf_token", staff.csrf.as_str())])
                .send()
                .await
                .unwrap();
            assert!(
                ![404, 405].contains(&response.status().as_u16()),
                "{method} {path} answered {}",
                response.status()
            );
        }
    }
    // Nothing was changed by the refused requests: the pledge is as it came in.
    let list: Value = server
        .client
        .get(server.url("/v1/pledges"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["pledges"][0]["status"], "new");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_refuses_a_request_without_the_token_even_with_a_session() {
    let server = TestServer::start().await;
    let reference = pledge(&server).await;
    let staff = signed_in(&server, "amina").await;
    let routes = [
        (Method::GET, "/v1/pledges".to_owned()),
        (Method::GET, "/v1/pledges.csv".to_owned()),
        (Method::POST, format!("/v1/pledges/{reference}/release")),
    ];
    for (method, path) in routes {
        for authorization in [None, Some("Bearer wrong-token-wrong-token-wrong-token")] {
            let mut request = client().request(method.clone(), server.url(&path)).header(COOKIE, &staff.cookie);
            if let Some(authorization) = authorization {
                request = request.header("authorization", authorization);
            }
            assert_eq!(request.send().await.unwrap().status(), 401, "{method} {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_change_needs_the_form_token_and_a_same_site_request() {
    let server = TestServer::start().await;
    let reference = pledge(&server).await;
    let staff = signed_in(&server, "amina").await;
    let path = server.url(&format!("/admin/pledges/{reference}/status"));
    let attempts: [(&[(&str, &str)], &str); 3] = [
        (&[("status", "contacted")], "same-origin"),
        (&[("status", "contacted"), ("csrf_token", "not-the-token")], "same-origin"),
        (&[("status", "contacted"), ("csrf_token", &staff.csrf)], "cross-site"),
    ];
    for (form, fetch_site) in attempts {
        let response = client()
            .post(&path)
            .header(COOKIE, &staff.cookie)
            .header("sec-fetch-site", fetch_site)
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{form:?} from {fetch_site}");
        assert!(response.text().await.unwrap().contains("Nothing was changed"));
    }
    let store = Store::open_url(&server.database_url).await.unwrap();
    assert_eq!(store.pledge(&reference).await.unwrap().unwrap().status, Status::New);

    let response = client()
        .post(&path)
        .header(COOKIE, &staff.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("status", "contacted"), ("note", "Called; <b>keen</b> to sponsor"), ("csrf_token", &staff.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(store.pledge(&reference).await.unwrap().unwrap().status, Status::Contacted);
    let history = store.history(&reference).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.actor.as_str(), last.note.as_deref()), ("amina", Some("Called; <b>keen</b> to sponsor")));
    let page = client()
        .get(server.url(&format!("/admin/pledges/{reference}")))
        .header(COOKIE, &staff.cookie)
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Called; &lt;b&gt;keen&lt;/b&gt; to sponsor"), "the note is shown, escaped");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_left_unused_ends_and_is_deleted() {
    let server = TestServer::start().await;
    add_staff(&server, "amina").await;
    let store = Store::open_url(&server.database_url).await.unwrap();
    let user_id = store.user_for_sign_in("amina").await.unwrap().unwrap().user_id;
    let token = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA";
    let hash = TokenHash::from_bytes(Sha256::digest(token.as_bytes()).into());
    // Signed in 31 minutes ago and not used since: past the 30-minute idle limit.
    let long_ago = Timestamp::from_micros(Timestamp::now().as_micros() - 31 * 60 * 1_000_000);
    let session = NewSession { token_hash: hash, user_id, csrf_token: "csrf".to_owned(), created_at: long_ago };
    store.create_session(session).await.unwrap();

    let response =
        client().get(server.url("/admin/dashboard")).header(COOKIE, format!("sk_staff={token}")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/admin/sign-in?next=%2Fadmin%2Fdashboard&expired=1");
    assert_eq!(set_cookie(&response, "sk_staff").as_deref(), Some(""), "the browser is told to forget the cookie");
    assert_eq!(store.session(&hash).await.unwrap(), None, "the ended session is deleted");
    let sign_in_page = client().get(server.url("/admin/sign-in?expired=1")).send().await.unwrap().text().await.unwrap();
    assert!(sign_in_page.contains("You were signed out because the session was left unused"));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_refuses_wrong_passwords_forged_forms_and_too_many_tries() {
    let server = TestServer::start().await;
    add_staff(&server, "amina").await;

    let wrong = sign_in(&server, "amina", "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    assert!(set_cookie(&wrong, "sk_staff").is_none());
    assert!(wrong.text().await.unwrap().contains("The username or password is not right"));
    let unknown = sign_in(&server, "nobody", PASSWORD).await;
    assert_eq!(unknown.status(), 401, "an unknown user is told the same");

    // A form posted without the token its page set, as another site would post it.
    let forged = client()
        .post(server.url("/admin/sign-in"))
        .form(&[("csrf_token", "guess"), ("username", "amina"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(set_cookie(&forged, "sk_staff").is_none());

    // Five tries for one username, then a wait, even with the right password.
    for _ in 0..4 {
        assert_eq!(sign_in(&server, "amina", "still not the password").await.status(), 401);
    }
    let throttled = sign_in(&server, "amina", PASSWORD).await;
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert!(set_cookie(&throttled, "sk_staff").is_none());
    assert!(throttled.text().await.unwrap().contains("Too many sign-in attempts"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_returns_to_the_page_asked_for_and_signing_out_ends_the_session() {
    let server = TestServer::start().await;
    let reference = pledge(&server).await;
    let first = client().get(server.url(&format!("/admin/pledges/{reference}"))).send().await.unwrap();
    let location = first.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/admin/sign-in?next=%2Fadmin%2Fpledges%2F{reference}"));

    let staff = signed_in(&server, "amina").await;
    let page = client()
        .get(server.url(&format!("/admin/pledges/{reference}")))
        .header(COOKIE, &staff.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    for (header, value) in [("cache-control", "no-store"), ("x-frame-options", "DENY")] {
        assert_eq!(page.headers()[header], value);
    }
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        policy.contains("default-src 'none'") && policy.contains("trusted-types 'none'") && !policy.contains("unsafe")
    );

    let out = client()
        .post(server.url("/admin/sign-out"))
        .header(COOKIE, &staff.cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf_token", staff.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let again = client().get(server.url("/admin/")).header(COOKIE, &staff.cookie).send().await.unwrap();
    assert_eq!(again.status(), 303, "the old cookie no longer signs in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_refuses_to_start_when_a_published_wording_was_changed() {
    let server = TestServer::start().await;
    let dir = server.stop().await;
    let database = format!("sqlite://{}", dir.path().join("pledges.db").display());
    let store = Store::open_url(&database).await.unwrap();
    // As if the text of a published version had been edited in place.
    sqlx_edit_wording(&database).await;
    store.close().await;
    let mut settings = sanankoroba_receiver::Settings::new(database, ADMIN_TOKEN);
    settings.widget_dist = dir.path().join("dist/widget");
    let started = sanankoroba_receiver::start(settings, std::future::pending()).await;
    let error = started.err().expect("the receiver refuses to start").to_string();
    assert!(error.contains("gift_aid wording gift-aid-2026-11 (en)"), "{error}");
    assert!(error.contains("new version"), "{error}");
}

async fn sqlx_edit_wording(database: &str) {
    use sqlx::Connection;
    let mut connection = sqlx::SqliteConnection::connect(database).await.unwrap();
    sqlx::query("UPDATE wordings SET text = text || ' (edited)' WHERE kind = 'gift_aid' AND locale = 'en'")
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}
