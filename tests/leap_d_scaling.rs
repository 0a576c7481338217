//! T against d for a leap-1 staircase and a leap-3 parity at fixed μ = 1 (README: "T against
//! d: the leap index"): the cheap rows of the table re-run, with the sweeps of
//! examples/sweeps/leap_{staircase,parity}_d_scaling.json cut to their first dimensions.
//! p = 1 tanh student, k = 3, n_b = d, γ = γ0 d^(−δ*) with δ* of the target's l (= its leap
//! for both), seeds 0–10, exact sampler.

use sgdlab::sweep::{fit_d_scaling, run_sweep, DScalingSummary, SweepConfig};

/// The sweep of `file` (in examples/sweeps/) with its `d` list cut to `dims` and, if given,
/// the keys of `change` replaced; its d-scaling fit (None for one d) and its points' steps.
fn sweep(file: &str, dims: &[u64], change: &str) -> (Option<DScalingSummary>, Vec<Option<u64>>) {
    let path = format!("{}/examples/sweeps/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["d"] = serde_json::json!(dims);
    let change: serde_json::Value = serde_json::from_str(change).unwrap();
    for (key, value) in change.as_object().unwrap() {
        json[key] = value.clone();
    }
    let config = SweepConfig::from_json(&json.to_string()).unwrap();
    let points = run_sweep(&config).unwrap().points;
    let fit = fit_d_scaling(&config, &points).into_iter().next();
    (fit, points.iter().map(|p| p.weak_recovery_step).collect())
}

/// The staircase z1 + z1 z2 + z1 z2 z3 (leap 1): at n_b = d the weak-recovery time does not
/// grow with d (the l = 1 law T = d / n_b): medians 85, 87, 90 steps at d = 2^8, 2^10, 2^12
/// (the README row continues with 90, 91 at 2^14, 2^16), θ_fit 0.012 over all five.
#[test]
fn the_leap_one_staircase_escapes_in_the_same_number_of_steps_at_every_d() {
    let (fit, _) = sweep("leap_staircase_d_scaling.json", &[256, 1024, 4096], "{}");
    let fit = fit.unwrap();
    assert_eq!(
        fit.median_steps,
        vec![Some(85.0), Some(87.0), Some(90.0)],
        "{fit:?}"
    );
    let theta = fit.theta_fit.unwrap();
    assert!((0.0..0.03).contains(&theta), "{fit:?}");
    assert_eq!(fit.theta_asymptotic, Some(0.0));
    assert_eq!((fit.seed_fits, fit.censored_seeds), (11, 0));
    // at the parity's rate prefactor gamma0 = 1 every seed escapes within 3 steps at every d
    let (_, steps) = sweep(
        "leap_staircase_d_scaling.json",
        &[256, 4096],
        r#"{"lr": {"policy": "optimal", "gamma0": 1}}"#,
    );
    assert!(steps.iter().all(|t| matches!(t, Some(2..=3))), "{steps:?}");
}

/// The parity z1 z2 z3 (leap 3): T grows nearly like d (the leap-3 law θ = l − 1 − μ = 1):
/// medians 1784 and 3212 steps at d = 2^8 and 2^9, an exponent of 0.85 between them (the
/// README's fit over 2^8 – 2^12 is 0.83); at the staircase's prefactor gamma0 = 0.01 none of
/// seeds 0–2 escapes within 3·10^4 steps at d = 256, where the staircase takes 85.
#[test]
fn the_leap_three_parity_takes_a_time_growing_with_d() {
    let (fit, _) = sweep("leap_parity_d_scaling.json", &[256, 512], "{}");
    let fit = fit.unwrap();
    assert_eq!(
        fit.median_steps,
        vec![Some(1784.0), Some(3212.0)],
        "{fit:?}"
    );
    let theta = fit.theta_fit.unwrap();
    assert!((theta - 0.85).abs() < 0.005, "{fit:?}");
    assert_eq!(fit.theta_asymptotic, Some(1.0));
    let (_, steps) = sweep(
        "leap_parity_d_scaling.json",
        &[256],
        r#"{"lr": {"policy": "optimal", "gamma0": 0.01}, "seeds": [0, 1, 2], "max_steps": 30000}"#,
    );
    assert!(steps.iter().all(Option::is_none), "{steps:?}");
}
