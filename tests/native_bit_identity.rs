//! Native half of the bit-identity check: the native build reproduces the checked-in
//! fingerprints exactly (the browser half is `browser_bit_identity.rs`).
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/bit_identity.rs"]
mod bit_identity;

#[test]
fn native_runs_match_the_fixture_bit_for_bit() {
    bit_identity::check_against_fixture().unwrap();
}

#[test]
fn same_seed_same_bits_different_seed_different_bits() {
    let a = bit_identity::fingerprint(bit_identity::CASES[0]);
    let b = bit_identity::fingerprint(bit_identity::CASES[0]);
    assert_eq!(a, b);
    let other = bit_identity::CASES[0].replace("\"seed\": 42", "\"seed\": 43");
    assert_ne!(a.1, bit_identity::fingerprint(&other).1);
}

/// Rewrites the fixture: `cargo test --test native_bit_identity -- --ignored regenerate`.
#[test]
#[ignore]
fn regenerate() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bit_identity.json"
    );
    std::fs::write(path, bit_identity::compute_fixture()).unwrap();
}
