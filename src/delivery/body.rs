//! The pledge as the JSON text that travels and waits in the outbox.
//!
//! The browser's own `JSON` writes and reads it, so the wasm carries no JSON library: serde
//! walks the pledge into a JavaScript object, and `JSON.stringify` does the rest.

use pledge::Pledge;

/// The pledge's JSON, with fields in declaration order and no whitespace.
pub fn encode(pledge: &Pledge) -> Option<String> {
    let value = serde_wasm_bindgen::to_value(pledge).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// Reads back a pledge saved by [`encode`].
pub fn decode(body: &str) -> Option<Pledge> {
    let value = js_sys::JSON::parse(body).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}
