//! Browser front end and worker runtime (feature `web`, wasm32).
//!
//! The core modules never depend on this one. Charts are drawn on the main thread only
//! (plotters measures text through the DOM); simulations run only in the worker.

pub mod app;
pub mod chart;
mod chart_legend;
pub mod dom;
pub mod explorer;
pub mod worker_client;
pub mod worker_runtime;

use wasm_bindgen::JsValue;

/// Serialises a message for `postMessage` (64-bit integers as BigInt, so seeds survive).
pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsValue::from_str(&e.to_string()))
}

/// Deserialises a message received from `postMessage`.
pub fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsValue::from_str(&e.to_string()))
}
