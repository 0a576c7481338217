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

/// The browser's worker advances a run by time slices, so a batch is split into chunks of any
/// size; the run must not depend on how. Whole steps, 2^20-sample chunks and awkward chunk
/// sizes give the same trajectory, bit for bit, for every sampler (the clt sampler draws its
/// Gaussian once per batch, when the batch is complete).
#[test]
fn a_run_does_not_depend_on_how_its_batches_are_sliced() {
    use sgdlab::config::RunConfig;
    use sgdlab::simulation::{RunStatus, Simulation};
    let run = |json: &str, chunks: &[u64]| {
        let config = RunConfig::from_json(json).unwrap().resolve().unwrap();
        let mut s = Simulation::from_resolved(config);
        for i in 0.. {
            if *s.advance(chunks[i % chunks.len()]) != RunStatus::Running {
                break;
            }
        }
        let t = s.trajectory();
        (t.weak_recovery_step, s.step(), t.risk.clone(), t.m.clone())
    };
    for json in [
        // clt (n_b = d^2 above the threshold), exact, full
        r#"{"d":1024,"batch":{"n0":1,"mu":2},"lr":{"policy":"optimal","gamma0":0.01},"steps":400,"seed":3,"stop_at_recovery":true,"clt_threshold":524288}"#,
        r#"{"d":1024,"batch":{"n0":1,"mu":1.5},"lr":{"policy":"optimal","gamma0":0.01},"steps":400,"seed":3,"stop_at_recovery":true}"#,
        r#"{"d":64,"p":2,"nb":100,"gamma":0.05,"steps":50,"seed":5,"sampler":"full","target":"erf","k":2}"#,
    ] {
        let whole = run(json, &[u64::MAX / 4]);
        assert_eq!(whole, run(json, &[1 << 20]), "{json}");
        assert_eq!(whole, run(json, &[777, 100_003, 5]), "{json}");
    }
}
