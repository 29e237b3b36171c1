//! One attempt: a POST of the pledge with its idempotency key, abandoned after ten seconds; or,
//! as the page goes away, one that outlives it.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal, RequestCredentials, RequestInit};

use super::answer::{Attempt, Reply};
use super::retry::ATTEMPT_TIMEOUT_MS;
use super::timer::Timer;

/// Sends `body` to `endpoint` once and reports how that went.
pub async fn post(endpoint: &str, key: &str, body: &str) -> Attempt {
    let controller = AbortController::new().ok();
    let timed_out = Rc::new(Cell::new(false));
    // The deadline covers reading the answer too: a reply that stalls mid-body is no answer.
    let _deadline = controller.clone().and_then(|controller| {
        let timed_out = timed_out.clone();
        Timer::after(ATTEMPT_TIMEOUT_MS.into(), move || {
            timed_out.set(true);
            controller.abort();
        })
    });
    let signal = controller.as_ref().map(AbortController::signal);
    let failed = || if timed_out.get() { Attempt::TimedOut } else { Attempt::Unreachable };
    let Ok(request) = request(endpoint, key, body, signal.as_ref()) else {
        return Attempt::Unreachable;
    };
    let Ok(response) = request.send().await else {
        return failed();
    };
    let content_type = response.headers().get("Content-Type").unwrap_or_default();
    let mut reply =
        Reply { status: response.status(), retry_after: response.headers().get("Retry-After"), ..Reply::default() };
    match response.text().await {
        Ok(text) => read_body(&text, is_problem_type(&content_type), &mut reply),
        Err(_) if timed_out.get() => return Attempt::TimedOut,
        // An answer whose body could not be read still has its status to go by.
        Err(_) => {}
    }
    Attempt::Answered(reply)
}

/// Sends the pledge in a request that may outlive the page (`keepalive`), as it is being left.
/// Nobody waits for the answer: whatever it was, the pledge stays saved until a later visit
/// hears a final one, and its idempotency key makes that later attempt safe.
pub fn post_keepalive(endpoint: &str, key: &str, body: &str) {
    let Ok(request) = request(endpoint, key, body, None) else {
        return;
    };
    let init = RequestInit::new();
    // web-sys's `RequestInit` follows an IDL without `keepalive`, which every engine supports.
    if Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE).is_err() {
        return;
    }
    let Ok(request) = web_sys::Request::new_with_request_and_init(&request.into(), &init) else {
        return;
    };
    // Awaited, so that a failure is caught here instead of reaching the page's console as an
    // unhandled rejection.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = Request::from(request).send().await;
    });
}

fn request(endpoint: &str, key: &str, body: &str, signal: Option<&AbortSignal>) -> Result<Request, gloo_net::Error> {
    Request::post(endpoint)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        // A pledge needs no cookies, and the charity's endpoint must not receive the
        // partner site's.
        .credentials(RequestCredentials::Omit)
        .abort_signal(signal)
        .body(body)
}

/// An HTTP date, such as a `Retry-After` of `Sun, 06 Nov 1994 08:49:37 GMT`, in Unix
/// milliseconds, read by the browser's `Date.parse`.
pub fn http_date(value: &str) -> Option<u64> {
    let at = js_sys::Date::parse(value);
    (at.is_finite() && at >= 0.0).then_some(at as u64)
}

/// Whether a `Content-Type` names a problem document, whatever its case and parameters.
fn is_problem_type(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    media_type.eq_ignore_ascii_case("application/problem+json")
}

/// Takes the fields delivery uses from a receipt or a problem document; a body that is not a
/// JSON object leaves them empty, and is no problem document whatever its type said.
fn read_body(text: &str, problem_type: bool, reply: &mut Reply) {
    let Ok(json) = JSON::parse(text) else {
        return;
    };
    if !json.is_object() {
        return;
    }
    reply.problem = problem_type;
    reply.reference = string(&json, "reference");
    reply.detail = string(&json, "detail");
    if let Ok(errors) = Reflect::get(&json, &"errors".into()) {
        if Array::is_array(&errors) {
            reply.errors = Array::from(&errors)
                .iter()
                .filter(JsValue::is_object)
                .filter_map(|error| Some((string(&error, "pointer")?, string(&error, "code")?)))
                .collect();
        }
    }
}

fn string(object: &JsValue, name: &str) -> Option<String> {
    Reflect::get(object, &JsValue::from_str(name)).ok()?.as_string()
}
