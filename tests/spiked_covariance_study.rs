//! The README's spiked-covariance table ("The spiked covariance", from
//! `examples/sweeps/spiked_covariance.sh`): He₃, d = n_b = 1024, γ = 0.01 d^(−1/2), seeds 0–7.
//! Re-runs the rows that finish quickly and asserts the medians quoted there; the rows of
//! runs that never escape (plain SGD under a spike of β ≤ 1 along w*) are checked with a
//! shorter cap by `tests/preset_captions_beyond.rs::spiked_covariance`.
#![cfg(not(target_arch = "wasm32"))]

use sgdlab::model::Loss;
use sgdlab::statistics::median;
use sgdlab::sweep::{run_sweep, SweepConfig};

const BOTH: &str = r#"["correlation", "mse"]"#;

/// Median weak-recovery step per protocol (correlation, mse) and how many seeds escaped
/// (`protocols`: the sweep's list; a protocol not in it gives (NaN, 0)).
fn medians(covariance: &str, protocols: &str) -> [(f64, usize); 2] {
    let config = SweepConfig::from_json(&format!(
        r#"{{"d": 1024, "target": "he3", "protocols": {protocols}, "mu": [1], "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "lr": {{"policy": "optimal", "gamma0": 0.01}}, "max_steps": 200000, "covariance": {covariance}}}"#
    ))
    .unwrap();
    let points = run_sweep(&config).unwrap().points;
    [Loss::Correlation, Loss::Mse].map(|loss| {
        let t: Vec<f64> = points
            .iter()
            .filter(|p| p.protocol == loss)
            .map(|p| p.weak_recovery_step.map_or(f64::INFINITY, |t| t as f64))
            .collect();
        println!("{covariance} {loss:?}: {t:?}");
        if t.is_empty() {
            return (f64::NAN, 0);
        }
        (median(&t), t.iter().filter(|t| t.is_finite()).count())
    })
}

#[test]
fn a_strong_spike_along_the_teacher_lets_both_protocols_escape_fast() {
    let [(correlation, n), (mse, m)] =
        medians(r#"{"spikes": [{"beta": 3, "teacher": [1]}]}"#, BOTH);
    assert_eq!((n, m), (8, 8));
    assert_eq!((correlation, mse), (85.0, 278.5));
}

#[test]
fn a_weak_spike_along_the_teacher_halves_correlation_loss_time() {
    let [(correlation, _), _] = medians(
        r#"{"spikes": [{"beta": 0.25, "teacher": [1]}]}"#,
        r#"["correlation"]"#,
    );
    assert_eq!(correlation, 3172.5);
}

/// Escape steps per protocol (correlation, mse) over the seeds, isotropic inputs.
fn isotropic_range() -> [(f64, f64); 2] {
    let config = SweepConfig::from_json(
        r#"{"d": 1024, "target": "he3", "protocols": ["correlation", "mse"], "mu": [1], "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "lr": {"policy": "optimal", "gamma0": 0.01}, "max_steps": 200000}"#,
    )
    .unwrap();
    let points = run_sweep(&config).unwrap().points;
    [Loss::Correlation, Loss::Mse].map(|loss| {
        let t: Vec<f64> = points
            .iter()
            .filter(|p| p.protocol == loss)
            .map(|p| p.weak_recovery_step.unwrap() as f64)
            .collect();
        (
            t.iter().copied().fold(f64::INFINITY, f64::min),
            t.iter().copied().fold(0.0, f64::max),
        )
    })
}

#[test]
fn a_spike_orthogonal_to_the_teacher_changes_little() {
    let [(correlation, n), (mse, m)] = medians(r#"{"spikes": [{"beta": 3, "free": 1}]}"#, BOTH);
    assert_eq!((n, m), (8, 8));
    assert_eq!((correlation, mse), (8608.5, 9665.0));
    let [(correlation, n), (mse, m)] = medians(r#"{"spikes": [{"beta": 30, "free": 1}]}"#, BOTH);
    assert_eq!((n, m), (8, 8));
    assert_eq!((correlation, mse), (6369.0, 8419.0));
    // inside the isotropic runs' range over the seeds (3 832 - 18 746 and 4 004 - 28 751)
    let [c, m] = isotropic_range();
    assert_eq!((c, m), ((3832.0, 18746.0), (4004.0, 28751.0)));
    for (t, (lo, hi)) in [(8608.5, c), (9665.0, m), (6369.0, c), (8419.0, m)] {
        assert!(lo <= t && t <= hi, "{t} outside [{lo}, {hi}]");
    }
}
