//! One-shot browser timers that are cancelled when dropped.

use wasm_bindgen::prelude::*;

pub struct Timer {
    handle: i32,
    // Kept alive until the timer fires or is cancelled; dropping it frees the closure.
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Runs `task` after `delay_ms`, unless the returned timer is dropped first. `None` when
    /// there is no window to keep time.
    pub fn after(delay_ms: u64, task: impl FnOnce() + 'static) -> Option<Timer> {
        // The task runs as a separate microtask: it may drop this very timer, which must not
        // happen while the browser is still inside the timer's callback.
        let callback = Closure::once(move || wasm_bindgen_futures::spawn_local(async move { task() }));
        // Browsers treat delays above 2^31 − 1 ms as zero.
        let delay = delay_ms.min(i32::MAX as u64) as i32;
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), delay)
            .ok()?;
        Some(Timer { handle, _callback: callback })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}
