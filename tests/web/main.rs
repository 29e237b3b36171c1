//! Component tests in a real headless Chromium: `cargo test --target wasm32-unknown-unknown --tests`.
//! One test binary keeps the number of wasm links, and browser starts, to one.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod support;

mod delivery;
mod embed;
mod reconfigure;
mod steps;
