//! Browser half of the bit-identity check: the core compiled to wasm32 and run in headless
//! Chromium reproduces the natively computed fingerprints exactly.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/bit_identity.rs"]
mod bit_identity;

#[wasm_bindgen_test]
fn wasm_runs_match_the_native_fixture_bit_for_bit() {
    bit_identity::check_against_fixture().unwrap();
}
