//! The page's side of the worker: spawns it from a URL relative to the page (so the site works
//! under any sub-path), queues messages until the worker reports [`FromWorker::Ready`], and
//! hands every reply to a callback.

use super::{from_js, to_js};
use crate::protocol::{FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// File name of the worker loader script Trunk emits next to `index.html`.
pub const WORKER_SCRIPT: &str = "./worker_loader.js";

#[derive(Default)]
struct Handshake {
    ready: bool,
    queue: Vec<ToWorker>,
}

/// A running simulation worker.
pub struct WorkerClient {
    worker: Worker,
    handshake: Rc<RefCell<Handshake>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// URL of `relative` resolved against the document's base URL (never `location.origin`).
pub fn resolve_relative(relative: &str) -> Result<String, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let base = document
        .base_uri()?
        .unwrap_or_else(|| document.url().unwrap_or_default());
    Ok(web_sys::Url::new_with_base(relative, &base)?.href())
}

impl WorkerClient {
    /// Spawns the worker at `script` (relative to the page) and calls `on_message` for every
    /// reply (the Ready handshake is handled here and also forwarded).
    pub fn spawn(
        script: &str,
        mut on_message: impl FnMut(FromWorker) + 'static,
        mut on_error: impl FnMut(String) + 'static,
    ) -> Result<Self, JsValue> {
        let worker = Worker::new(&resolve_relative(script)?)?;
        let handshake = Rc::new(RefCell::new(Handshake::default()));
        let (hs, w) = (handshake.clone(), worker.clone());
        let on_msg = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match from_js::<FromWorker>(event.data()) {
                Ok(message) => {
                    if message == FromWorker::Ready {
                        let queued = {
                            let mut h = hs.borrow_mut();
                            h.ready = true;
                            std::mem::take(&mut h.queue)
                        };
                        for m in queued {
                            if let Ok(v) = to_js(&m) {
                                let _ = w.post_message(&v);
                            }
                        }
                    }
                    on_message(message);
                }
                Err(e) => web_sys::console::error_2(&"page: unreadable worker message".into(), &e),
            }
        });
        worker.set_onmessage(Some(on_msg.as_ref().unchecked_ref()));
        let on_err = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            on_error(format!("simulation worker failed: {}", event.message()));
        });
        worker.set_onerror(Some(on_err.as_ref().unchecked_ref()));
        Ok(WorkerClient {
            worker,
            handshake,
            _on_message: on_msg,
            _on_error: on_err,
        })
    }

    /// Sends `message` now, or queues it until the worker is ready.
    pub fn send(&self, message: ToWorker) {
        let mut h = self.handshake.borrow_mut();
        if !h.ready {
            h.queue.push(message);
            return;
        }
        drop(h);
        match to_js(&message) {
            Ok(v) => {
                if let Err(e) = self.worker.post_message(&v) {
                    web_sys::console::error_2(&"page: postMessage failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_2(&"page: cannot serialise message".into(), &e),
        }
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
