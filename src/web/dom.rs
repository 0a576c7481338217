//! Small DOM helpers (text only: nothing from the URL or the user is ever inserted as HTML).

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// The value of an input, select or textarea (empty if missing).
pub fn value(document: &Document, id: &str) -> String {
    document
        .get_element_by_id(id)
        .and_then(|e| {
            e.dyn_ref::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| e.dyn_ref::<HtmlSelectElement>().map(|s| s.value()))
                .or_else(|| e.dyn_ref::<HtmlTextAreaElement>().map(|s| s.value()))
        })
        .unwrap_or_default()
}

/// Sets an input's or select's value.
pub fn set_value(document: &Document, id: &str, v: &str) {
    if let Some(e) = document.get_element_by_id(id) {
        if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
            i.set_value(v);
        } else if let Some(s) = e.dyn_ref::<HtmlSelectElement>() {
            s.set_value(v);
        } else if let Some(t) = e.dyn_ref::<HtmlTextAreaElement>() {
            t.set_value(v);
        }
    }
}

/// A checkbox's state.
pub fn checked(document: &Document, id: &str) -> bool {
    document
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.checked())
        .unwrap_or(false)
}

/// Sets a checkbox.
pub fn set_checked(document: &Document, id: &str, on: bool) {
    if let Some(i) = document
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    {
        i.set_checked(on);
    }
}

/// Sets the text content of an element.
pub fn set_text(document: &Document, id: &str, text: &str) {
    if let Some(e) = document.get_element_by_id(id) {
        e.set_text_content(Some(text));
    }
}

/// Shows or hides an element with the `hidden` attribute.
pub fn set_hidden(element: &Element, hidden: bool) {
    // unchanged: touch nothing (a write, even of the same value, invalidates style)
    if element.has_attribute("hidden") == hidden {
        return;
    }
    let _ = if hidden {
        element.set_attribute("hidden", "")
    } else {
        element.remove_attribute("hidden")
    };
}

/// Creates an element with a class.
pub fn create(document: &Document, tag: &str, class: &str) -> Element {
    let e = document.create_element(tag).expect("valid tag");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

/// Starts a download of `href` (a blob or data URL) as `name`.
pub fn download(document: &Document, name: &str, href: &str) {
    if let Ok(a) = document.create_element("a") {
        let _ = a.set_attribute("href", href);
        let _ = a.set_attribute("download", name);
        if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}

/// Starts a download of `text` as a file `name` of type `mime`.
pub fn download_text(document: &Document, name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
            download(document, name, &url);
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

/// `performance.now()` in milliseconds (0 where there is no window or Performance API).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
