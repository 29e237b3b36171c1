//! One attempt: a POST of the pledge with its idempotency key, abandoned after ten seconds.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, RequestCredentials};

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
    let request = Request::post(endpoint)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        // A pledge needs no cookies, and the charity's endpoint must not receive the
        // partner site's.
        .credentials(RequestCredentials::Omit)
        .abort_signal(signal.as_ref())
        .body(body);
    let failed = || if timed_out.get() { Attempt::TimedOut } else { Attempt::Unreachable };
    let Ok(request) = request else {
        return Attempt::Unreachable;
    };
    let Ok(response) = request.send().await else {
        return failed();
    };
    let mut reply = Reply {
        status: response.status(),
        retry_after: response.headers().get("Retry-After"),
        ..Reply::default()
    };
    match response.text().await {
        Ok(text) => read_body(&text, &mut reply),
        Err(_) if timed_out.get() => return Attempt::TimedOut,
        // An answer whose body could not be read still has its status to go by.
        Err(_) => {}
    }
    Attempt::Answered(reply)
}

/// Takes the fields delivery uses from a receipt or a problem+json document; a body that is
/// not JSON leaves them empty.
fn read_body(text: &str, reply: &mut Reply) {
    let Ok(json) = JSON::parse(text) else {
        return;
    };
    if !json.is_object() {
        return;
    }
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
