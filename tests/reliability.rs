//! Reliability regressions: near-singular explicit overlaps run on every path without a panic
//! or a silently wrong result; noise-dominated settings are flagged; the trajectory's memory
//! is bounded at the config level; clt refuses batches below its minimum.

use nalgebra::DMatrix;
use sgdlab::config::{RunConfig, MIN_CLT_BATCH};
use sgdlab::linalg::min_eigenvalue;
use sgdlab::simulation::Simulation;
use sgdlab::theory::Terms;
use sgdlab::theory_run::run_theory;
use sgdlab::trajectory::max_record_points;

/// Kahan's Gram matrix R^T R (R = diag(1, s, .., s^(n-1)) (I - c U), c = cos(theta),
/// s = sin(theta), U the strictly upper triangle of ones): unit columns, nearly singular, and
/// the pivoted Cholesky takes its pivots in order. Shifted and rescaled so that its smallest
/// eigenvalue is `target` while the diagonal stays 1.
fn shifted_kahan_gram(n: usize, theta: f64, target: f64) -> DMatrix<f64> {
    let (s, c) = theta.sin_cos();
    let r = DMatrix::from_fn(n, n, |i, j| {
        let scale = s.powi(i as i32);
        match i.cmp(&j) {
            std::cmp::Ordering::Equal => scale,
            std::cmp::Ordering::Less => -c * scale,
            std::cmp::Ordering::Greater => 0.0,
        }
    });
    let g = r.transpose() * r;
    let g = (&g + g.transpose()) * 0.5;
    let shift = min_eigenvalue(&g) - target;
    let mut a = (&g - DMatrix::identity(n, n) * shift) / (1.0 - shift);
    for i in 0..n {
        a[(i, i)] = 1.0;
    }
    a
}

fn rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

/// p, k, Q, M of an `init.overlaps` config.
type Case = (usize, usize, Vec<Vec<f64>>, Vec<Vec<f64>>);

/// (p, k, Q, M): a 16 x 16 Kahan-type Omega with lambda_min = -2e-11 read as 15 students and
/// one teacher (its last vector), or a 16 x 16 Kahan-type Q next to k = 8 orthogonal teachers
/// (Omega 24 x 24, the largest model).
fn near_singular_cases() -> Vec<Case> {
    let omega = shifted_kahan_gram(16, 0.9, -2e-11);
    let q = omega.view((0, 0), (15, 15)).into_owned();
    let m = omega.view((0, 15), (15, 1)).into_owned();
    let kahan_q = shifted_kahan_gram(16, 0.9, -2e-11);
    vec![
        (15, 1, rows(&q), rows(&m)),
        (16, 8, rows(&kahan_q), vec![vec![0.0; 8]; 16]),
    ]
}

fn config(p: usize, k: usize, q: &[Vec<f64>], m: &[Vec<f64>], extra: &str) -> RunConfig {
    let text = format!(
        r#"{{"p": {p}, "k": {k}, "target": "erf", "loss": "correlation", "gamma": 1e-3, "steps": 3, "init": {{"kind": "overlaps", "Q": {}, "M": {}}}{extra}}}"#,
        serde_json::to_string(q).unwrap(),
        serde_json::to_string(m).unwrap(),
    );
    RunConfig::from_json(&text).unwrap()
}

#[test]
fn near_singular_overlaps_pass_validation_and_run_on_every_path() {
    for (p, k, q, m) in near_singular_cases() {
        let omega = {
            let mut o = DMatrix::identity(p + k, p + k);
            for i in 0..p {
                for j in 0..p {
                    o[(i, j)] = q[i][j];
                }
                for r in 0..k {
                    o[(i, p + r)] = m[i][r];
                    o[(p + r, i)] = m[i][r];
                }
            }
            o
        };
        let lambda = min_eigenvalue(&omega);
        assert!((-1e-10..0.0).contains(&lambda), "lambda_min {lambda:e}");
        let initial_m = m.iter().flatten().fold(0.0f64, |a, x| a.max(x.abs()));
        for (sampler, extra) in [
            ("exact", r#", "sampler": "exact", "nb": 64"#),
            ("full", r#", "sampler": "full", "nb": 8, "d": 64"#),
            ("clt", r#", "sampler": "clt", "nb": 8192"#),
        ] {
            let c = config(p, k, &q, &m, extra);
            let out = Simulation::new(&c)
                .unwrap_or_else(|e| panic!("{sampler}: {e}"))
                .run_to_end();
            assert!(!out.diverged, "{sampler} p={p}: {:?}", out.message);
            assert!(out.warnings.is_empty(), "{:?}", out.warnings);
            // a tiny learning rate: the overlaps barely move (the old zero-factor fallback of
            // the exact sampler set M to exactly 0 after the first step)
            let first = &out.trajectory.m[1];
            let moved = first
                .iter()
                .flatten()
                .zip(m.iter().flatten())
                .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
            assert!(moved < 0.05, "{sampler} p={p}: M moved by {moved}");
            let largest = first.iter().flatten().fold(0.0f64, |a, x| a.max(x.abs()));
            assert!(
                (largest - initial_m).abs() < 0.05,
                "{sampler} p={p}: max |M| {largest} vs {initial_m}"
            );
            for q_t in &out.trajectory.q {
                assert!(q_t
                    .iter()
                    .flatten()
                    .all(|x| x.is_finite() && x.abs() <= 1.0 + 1e-9));
            }
        }
        // the theory recursion from the same start
        let resolved = config(p, k, &q, &m, r#", "nb": 64"#).resolve().unwrap();
        let theory = run_theory(&resolved, Terms::ALL).expect("theory accepts validated overlaps");
        assert!(!theory.diverged, "theory p={p}: {:?}", theory.message);
        assert_eq!(theory.steps_done, 3);
        let largest = theory.trajectory.m[1]
            .iter()
            .flatten()
            .fold(0.0f64, |a, x| a.max(x.abs()));
        assert!(
            (largest - initial_m).abs() < 0.05,
            "theory: {largest} vs {initial_m}"
        );
    }
}

#[test]
fn overlaps_outside_the_tolerance_are_rejected_naming_init() {
    let omega = shifted_kahan_gram(16, 0.9, -1e-6);
    let q = rows(&omega.view((0, 0), (15, 15)).into_owned());
    let m = rows(&omega.view((0, 15), (15, 1)).into_owned());
    let e = config(15, 1, &q, &m, "").resolve().unwrap_err();
    assert_eq!(e.field, "init");
    assert!(e.message.contains("positive semi-definite"), "{e}");
    // shape and diagonal problems name the matrix
    let mut bad_q = q.clone();
    bad_q[0][0] = 1.5;
    assert_eq!(
        config(15, 1, &bad_q, &m, "").resolve().unwrap_err().field,
        "init.Q"
    );
    let short_m = vec![vec![0.0]; 14];
    assert_eq!(
        config(15, 1, &q, &short_m, "").resolve().unwrap_err().field,
        "init.M"
    );
}

#[test]
fn huge_learning_rate_is_reported_in_run_and_theory_outputs() {
    let c = RunConfig::from_json(r#"{"gamma": 1e12, "steps": 5}"#).unwrap();
    let out = Simulation::new(&c).unwrap().run_to_end();
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    let w = &out.warnings[0];
    assert!(w.contains("learning rate gamma = 1e12"), "{w}");
    assert!(w.contains("ratio of"), "{w}");
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["warnings"].as_array().unwrap().len(), 1);
    let theory = run_theory(&c.resolve().unwrap(), Terms::ALL).unwrap();
    assert_eq!(theory.warnings.len(), 1);
    // the defaults and the paper's presets are not flagged
    let default = Simulation::new(&RunConfig {
        steps: 5,
        ..Default::default()
    })
    .unwrap()
    .run_to_end();
    assert!(default.warnings.is_empty(), "{:?}", default.warnings);
    assert!(serde_json::to_value(&default).unwrap()["warnings"]
        .as_array()
        .unwrap()
        .is_empty());
    for preset in sgdlab::presets::PRESETS {
        for run in preset.state().unwrap().panel_configs() {
            let resolved = run.resolve().unwrap();
            let start = sgdlab::theory_run::initial_overlaps(&resolved);
            let warnings = sgdlab::preflight::noise_warnings(&resolved, &start);
            assert!(warnings.is_empty(), "preset {}: {warnings:?}", preset.id);
        }
    }
}

#[test]
fn record_points_are_bounded_by_the_stored_numbers() {
    let base = r#"{"p": 16, "k": 8, "d": 4096, "steps": 10}"#;
    let mut c = RunConfig::from_json(base).unwrap();
    c.record_points = 1_000_000;
    let e = c.resolve().unwrap_err();
    assert_eq!(e.field, "record_points");
    assert!(e.message.contains("[16, 10459]"), "{e}");
    assert!(e.message.contains("p = 16, k = 8"), "{e}");
    c.record_points = max_record_points(16, 8, 0);
    assert!(c.resolve().is_ok());
    // p = k = 1 keeps the old range
    let mut small = RunConfig {
        record_points: 1_000_000,
        ..Default::default()
    };
    assert!(small.resolve().is_ok());
    small.record_points = 1_000_001;
    assert_eq!(small.resolve().unwrap_err().field, "record_points");
}

#[test]
fn a_long_run_keeping_every_step_records_each_once() {
    // nb = 1 and record_points above the step count: every step is kept
    let c = RunConfig::from_json(
        r#"{"nb": 1, "steps": 20000, "record_points": 1000000, "gamma": 1e-4, "sampler": "exact"}"#,
    )
    .unwrap();
    let out = Simulation::new(&c).unwrap().run_to_end();
    assert_eq!(out.trajectory.len(), 20_001);
    assert!(out.trajectory.steps.windows(2).all(|w| w[1] == w[0] + 1));
}

#[test]
fn clt_is_refused_below_its_minimum_batch() {
    let e = RunConfig::from_json(r#"{"nb": 1, "sampler": "clt"}"#)
        .unwrap()
        .resolve()
        .unwrap_err();
    assert_eq!(e.field, "sampler");
    assert!(e.message.contains("[4096, 1e13]"), "{e}");
    let e = RunConfig::from_json(r#"{"nb": 100, "clt_threshold": 10}"#)
        .unwrap()
        .resolve()
        .unwrap_err();
    assert_eq!(e.field, "clt_threshold");
    let ok = RunConfig::from_json(&format!(r#"{{"nb": {MIN_CLT_BATCH}, "sampler": "clt"}}"#))
        .unwrap()
        .resolve();
    assert!(ok.is_ok(), "{ok:?}");
}
