//! Shared by the native and the browser bit-identity tests: a few runs covering every sampler,
//! loss and update, fingerprinted as the exact bit patterns of M and Q at every recorded step.
//! The fixture `tests/fixtures/bit_identity.json` is produced natively
//! (`cargo test --test native_bit_identity -- --ignored regenerate`) and checked in.

use sgdlab::config::RunConfig;
use sgdlab::simulation::Simulation;

/// The fixture file.
pub const FIXTURE: &str = include_str!("../fixtures/bit_identity.json");

/// The runs of the fixture, as JSON configs.
pub const CASES: [&str; 4] = [
    r#"{"d": 1024, "nb": 1024, "loss": "mse", "sampler": "exact", "seed": 42, "steps": 300, "record_points": 1000}"#,
    r#"{"d": 500, "p": 2, "k": 2, "target": "erf", "nb": 50, "gamma": 0.5, "loss": "correlation", "update": "spherical", "init": {"kind": "cold"}, "sampler": "exact", "seed": 7, "steps": 100, "noise": 0.01}"#,
    r#"{"d": 64, "p": 2, "k": 1, "target": "he2", "nb": 16, "gamma": 0.05, "loss": "mse", "sampler": "full", "seed": 3, "steps": 50}"#,
    r#"{"d": 256, "batch": {"n0": 1, "mu": 1.5}, "lr": {"policy": "authors", "c": 0.5}, "loss": "adaptive", "sampler": "exact", "seed": 11, "steps": 60}"#,
];

/// Hex bit patterns of every M and Q entry at every recorded step, and the recorded steps.
pub fn fingerprint(config_json: &str) -> (Vec<u64>, Vec<String>, Option<u64>) {
    let config = RunConfig::from_json(config_json).expect("fixture configs are valid");
    let output = Simulation::new(&config)
        .expect("fixture configs resolve")
        .run_to_end();
    let bits = output
        .trajectory
        .m
        .iter()
        .zip(&output.trajectory.q)
        .map(|(m, q)| {
            m.iter()
                .chain(q.iter())
                .flatten()
                .map(|x| format!("{:016x}", x.to_bits()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    (
        output.trajectory.steps.clone(),
        bits,
        output.trajectory.weak_recovery_step,
    )
}

/// The fixture as JSON text, computed on this platform.
#[allow(dead_code)]
pub fn compute_fixture() -> String {
    let cases: Vec<serde_json::Value> = CASES
        .iter()
        .map(|c| {
            let (steps, bits, weak) = fingerprint(c);
            serde_json::json!({ "config": serde_json::from_str::<serde_json::Value>(c).unwrap(), "steps": steps, "bits": bits, "weak_recovery_step": weak })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "cases": cases })).unwrap()
}

/// Compares this platform's runs with the checked-in fixture; describes the first difference.
pub fn check_against_fixture() -> Result<(), String> {
    let expected: serde_json::Value = serde_json::from_str(FIXTURE).map_err(|e| e.to_string())?;
    let cases = expected["cases"].as_array().ok_or("fixture has no cases")?;
    if cases.len() != CASES.len() {
        return Err(format!(
            "fixture has {} cases, the test {}: regenerate it",
            cases.len(),
            CASES.len()
        ));
    }
    for (i, (case, config)) in cases.iter().zip(CASES).enumerate() {
        let (steps, bits, weak) = fingerprint(config);
        let want_steps: Vec<u64> =
            serde_json::from_value(case["steps"].clone()).map_err(|e| e.to_string())?;
        let want_bits: Vec<String> =
            serde_json::from_value(case["bits"].clone()).map_err(|e| e.to_string())?;
        let want_weak: Option<u64> = serde_json::from_value(case["weak_recovery_step"].clone())
            .map_err(|e| e.to_string())?;
        if steps != want_steps {
            return Err(format!("case {i}: recorded steps differ"));
        }
        if let Some(j) = bits.iter().zip(&want_bits).position(|(a, b)| a != b) {
            return Err(format!(
                "case {i}: step {} differs: got {} expected {}",
                steps[j], bits[j], want_bits[j]
            ));
        }
        if bits.len() != want_bits.len() || weak != want_weak {
            return Err(format!("case {i}: length or weak-recovery step differs"));
        }
    }
    Ok(())
}
