//! Embedding the lab in a course page: the snippet (an iframe and an optional script that
//! follows the height the lab reports), embed mode with hidden control groups, starting when
//! scrolled into view, and the height messages sent to the embedding page.

use crate::lab_state::{LabState, HIDEABLE};
use crate::web::dom::set_hidden;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// Height (CSS px) the embed snippet's iframe states for one row of panels (presets, batch
/// size, live sliders, buttons and two panels side by side at 700 px); the snippet's script then follows
/// the height the embedded page reports.
pub const EMBED_HEIGHT: u32 = 1250;

/// Stated iframe height for `panels` protocols: [`EMBED_HEIGHT`] plus 700 px for each further
/// row of panels (two panels per row at 700 px).
pub fn embed_height(panels: usize) -> u32 {
    let rows = panels.div_ceil(2).max(1) as u32;
    EMBED_HEIGHT + 700 * (rows - 1)
}

/// Type of the `postMessage` an embedded page sends its parent when its height changes:
/// `{type: "sgdlab:height", height}` (CSS px).
pub const HEIGHT_MESSAGE: &str = "sgdlab:height";

/// The embed snippet: an iframe of `url` and a small optional script that sizes it to the
/// height the embedded page reports (delete the script to keep the stated height).
pub fn embed_snippet(url: &str, id: &str, height: u32) -> String {
    format!(
        concat!(
            r#"<iframe src="{url}" width="700" height="{h}" id="{id}" style="border:0;width:100%;max-width:700px" title="Online SGD Lab" loading="lazy"></iframe>"#,
            "\n",
            r#"<script>/* optional: the iframe follows the lab's height */addEventListener("message",function(e){{var f=document.getElementById("{id}");if(f&&e.source===f.contentWindow&&e.data&&e.data.type==="{msg}"&&e.data.height>0)f.style.height=Math.ceil(e.data.height)+"px"}});</script>"#
        ),
        url = url,
        h = height,
        id = id,
        msg = HEIGHT_MESSAGE,
    )
}

/// Applies embed mode (the `embed` class on the body: page-only parts hidden, compact layout)
/// and the hidden control groups (elements with `data-group`, the panels' export buttons too).
pub fn apply_embed(document: &Document, state: &LabState) {
    if let Some(body) = document.body() {
        body.set_class_name(if state.embed { "embed" } else { "" });
    }
    for group in HIDEABLE {
        if let Ok(list) = document.query_selector_all(&format!("[data-group=\"{group}\"]")) {
            for i in 0..list.length() {
                if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    set_hidden(&e, state.embed && state.hide.iter().any(|h| h == group));
                }
            }
        }
    }
}

/// Calls `f` once, the first time `element` intersects the viewport (an IntersectionObserver,
/// looked up at run time). False when the browser has none (the caller then runs at once).
pub fn when_visible(element: &Element, f: impl FnOnce() + 'static) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Some(ctor) = js_sys::Reflect::get(&window, &"IntersectionObserver".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let pending = RefCell::new(Some(f));
    let callback = Closure::<dyn FnMut(js_sys::Array, JsValue)>::new(
        move |entries: js_sys::Array, observer: JsValue| {
            let visible = entries.iter().any(|e| {
                js_sys::Reflect::get(&e, &"isIntersecting".into())
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false)
            });
            if visible {
                if let Some(f) = pending.borrow_mut().take() {
                    call_method(&observer, "disconnect", None);
                    f();
                }
            }
        },
    );
    let Ok(observer) = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(callback.as_ref()))
    else {
        return false;
    };
    // the observer lives as long as the page
    callback.forget();
    call_method(&observer, "observe", Some(element.as_ref()))
}

/// Calls `object.name(arg)`; false when there is no such method or it threw.
fn call_method(object: &JsValue, name: &str, arg: Option<&JsValue>) -> bool {
    let Some(method) = js_sys::Reflect::get(object, &name.into())
        .ok()
        .and_then(|m| m.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    match arg {
        Some(a) => method.call1(object, a).is_ok(),
        None => method.call0(object).is_ok(),
    }
}

/// In an iframe: sends the parent `{type: HEIGHT_MESSAGE, height}` whenever the page's
/// height changes (a ResizeObserver on `root`), for the embed snippet's script.
pub fn post_height_on_resize(root: &HtmlElement) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(parent) = window.parent().ok().flatten() else {
        return;
    };
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let Some(ctor) = js_sys::Reflect::get(&window, &"ResizeObserver".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let target = root.clone();
    let last = std::cell::Cell::new(0);
    let callback = Closure::<dyn FnMut()>::new(move || {
        let height = target.offset_height();
        if height <= 0 || height == last.get() {
            return;
        }
        last.set(height);
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &(height as f64).into());
        let _ = parent.post_message(&message, "*");
    });
    if let Ok(observer) = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(callback.as_ref()))
    {
        // the observer lives as long as the page
        callback.forget();
        call_method(&observer, "observe", Some(root.as_ref()));
    }
}
