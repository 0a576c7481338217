//! The large-batch (CLT) sampler with a trained second layer against the exact sampler.
//!
//! With `second_layer.gamma` = gamma_a > 0 the clt sampler draws one Gaussian vector
//! t = (vec A, vech C, B) per step, B_j = sum_u sigma(lambda_j^u) e_u the second layer's step
//! sums, from N(n_b mu, n_b Sigma) with the joint one-sample moments at the current (Q, M, a),
//! and steps a_j += (gamma_a / (n_b p)) B_j as the exact sampler does. Stated tolerance: after
//! one and three steps, M, a and the joint statistic (M - mean)/sd +- (a - mean)/sd (which
//! sees the correlation between a's increment and the first layer's step) have the exact
//! sampler's law at the two-sample KS level p > 1e-3, for
//! * He_3 with MSE (exact polynomial moments), p = k = 1, n_b = 65536, d = 4096, m0 = 0.3,
//!   a0 = 1 and a0 = 0.3, 1500 seeds per sampler;
//! * an erf committee (Monte Carlo covariance), n_b = 8192, d = 1000, a0 = 0.5, gamma_a = 0.5,
//!   1500 seeds, at p = k = 1 and at p = k = 2 (M_00 and a_2: the weights part after one
//!   step and the cross-unit blocks enter).
//!
//! The joint statistic has power: pairing each clt run's M with another clt run's a (exactly
//! the one-step law of a sampler that draws B independently of A and C, with the right
//! marginals) is rejected at p < 1e-6.
//!
//! Run with `--nocapture` to see the p values.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli_support;
use cli_support::sgdlab;

use rand::SeedableRng;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{
    CltMomentMethod, CltSampler, ExactSampler, MomentSource, Sampler, StepSettings, Update,
};
use sgdlab::statistics::two_sample_kolmogorov_smirnov;

/// Seeds per sampler.
const SEEDS: u64 = 1500;
const STEPS: usize = 3;

/// (M_11, a_1) after each step.
type Path = Vec<(f64, f64)>;

/// One run of `STEPS` steps from m0 = 0.3 with p = k = `units` and the second layer starting
/// at `s.a0`; `clt` false runs the exact sampler. Records unit 0's M_00 and a_0 (p = 2: the last
/// unit's a instead, whose law also depends on the cross-unit moments).
fn path(clt: bool, seed: u64, s: &StepSettings, units: usize) -> (Path, Option<CltMomentMethod>) {
    let mut data = SimRng::seed_from_u64(seed);
    let mut orthogonal = SimRng::seed_from_u64(seed + 77);
    let start = Initialisation::M0 { m0: 0.3 }.sample_overlaps(&mut data, units, units, s.d);
    let mut sampler: Box<dyn Sampler> = if clt {
        Box::new(
            CltSampler::with_moment_source(start, MomentSource::Automatic).with_second_layer(s.a0),
        )
    } else {
        Box::new(ExactSampler::new(start).with_second_layer(s.a0))
    };
    let steps = (0..STEPS)
        .map(|_| {
            sampler.accumulate(s, &mut data, s.nb);
            sampler.finish_step(s, &mut orthogonal).unwrap();
            (
                sampler.overlaps().m[(0, 0)],
                sampler.second_layer().get(units - 1),
            )
        })
        .collect();
    (steps, sampler.clt_moments().map(|r| r.method))
}

/// The runs of seeds `offset..offset + SEEDS`, and the clt moment method (if clt).
fn paths(
    clt: bool,
    offset: u64,
    s: &StepSettings,
    units: usize,
) -> (Vec<Path>, Option<CltMomentMethod>) {
    let mut method = None;
    let runs = (offset..offset + SEEDS)
        .map(|seed| {
            let (p, m) = path(clt, seed, s, units);
            method = m;
            p
        })
        .collect();
    (runs, method)
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// KS p values of M, a, and the standardised sum and difference of M and a (standardised
/// with the exact runs' mean and sd) after step `step` (0-based).
fn ks_at(exact: &[Path], other: &[(f64, f64)], step: usize) -> [(&'static str, f64); 4] {
    let m: Vec<f64> = exact.iter().map(|p| p[step].0).collect();
    let a: Vec<f64> = exact.iter().map(|p| p[step].1).collect();
    let (mm, sm) = mean_sd(&m);
    let (ma, sa) = mean_sd(&a);
    let joint = |pairs: &mut dyn Iterator<Item = (f64, f64)>, sign: f64| -> Vec<f64> {
        pairs
            .map(|(x, y)| (x - mm) / sm + sign * (y - ma) / sa)
            .collect()
    };
    let exact_pairs = || exact.iter().map(|p| p[step]);
    let om: Vec<f64> = other.iter().map(|x| x.0).collect();
    let oa: Vec<f64> = other.iter().map(|x| x.1).collect();
    let p = |x: &[f64], y: &[f64]| two_sample_kolmogorov_smirnov(x, y).1;
    [
        ("M", p(&m, &om)),
        ("a", p(&a, &oa)),
        (
            "M + a",
            p(
                &joint(&mut exact_pairs(), 1.0),
                &joint(&mut other.iter().copied(), 1.0),
            ),
        ),
        (
            "M - a",
            p(
                &joint(&mut exact_pairs(), -1.0),
                &joint(&mut other.iter().copied(), -1.0),
            ),
        ),
    ]
}

/// Runs both samplers for `s` and asserts KS p > 1e-3 for M, a and the joint statistics after
/// steps 1 and 3; returns (exact runs, clt runs).
fn check(
    label: &str,
    s: &StepSettings,
    units: usize,
    method: CltMomentMethod,
) -> (Vec<Path>, Vec<Path>) {
    let (exact, _) = paths(false, 0, s, units);
    let (clt, used) = paths(true, 10_000, s, units);
    assert_eq!(used, Some(method), "{label}: moment method");
    // the second layer moves (its mean by more than 10 standard errors) and spreads
    let a: Vec<f64> = exact.iter().map(|p| p[STEPS - 1].1).collect();
    let (mean_a, sd_a) = mean_sd(&a);
    assert!(
        (mean_a - s.a0).abs() > 10.0 * sd_a / (SEEDS as f64).sqrt() && sd_a > 0.0,
        "{label}: a moved from {} to {mean_a} +- {sd_a}",
        s.a0
    );
    let mut failures = Vec::new();
    for step in [0, STEPS - 1] {
        let pairs: Vec<(f64, f64)> = clt.iter().map(|p| p[step]).collect();
        for (name, pick) in [("M", 0), ("a", 1)] {
            let value = |x: &(f64, f64)| if pick == 0 { x.0 } else { x.1 };
            let (me, se) = mean_sd(&exact.iter().map(|p| value(&p[step])).collect::<Vec<_>>());
            let (mc, sc) = mean_sd(&pairs.iter().map(value).collect::<Vec<_>>());
            eprintln!(
                "{label}: step {} {name}: exact {me:.6} +- {se:.3e}, clt {mc:.6} +- {sc:.3e} \
                 (mean gap {:.2} sd / sqrt(n), sd ratio {:.4})",
                step + 1,
                (mc - me) / (se * (2.0 / SEEDS as f64).sqrt()),
                sc / se
            );
        }
        for (name, p) in ks_at(&exact, &pairs, step) {
            eprintln!("{label}: step {} {name}: KS p = {p:.3e}", step + 1);
            if p <= 1e-3 {
                failures.push(format!("step {} {name}: KS p = {p:e}", step + 1));
            }
        }
    }
    assert!(failures.is_empty(), "{label}: {failures:?}");
    (exact, clt)
}

fn he3(a0: f64) -> StepSettings {
    StepSettings {
        target: Target::Committee(Link::HE3),
        activation: Link::HE3,
        noise_sd: 1e-3,
        d: 4096,
        nb: 65536,
        gamma: 0.05 / a0,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
        a0,
        second_layer_gamma: 0.01,
    }
}

#[test]
fn he3_mse_trained_second_layer_law_matches_exact() {
    let (exact, clt) = check(
        "He3 MSE a0 = 1, a trained",
        &he3(1.0),
        1,
        CltMomentMethod::ExactPolynomial,
    );
    // a's increment drawn independently of A and C (each run's M with the next run's a): the
    // joint statistics reject it after one step
    let shuffled: Vec<(f64, f64)> = (0..clt.len())
        .map(|i| (clt[i][0].0, clt[(i + 1) % clt.len()][0].1))
        .collect();
    let worst = ks_at(&exact, &shuffled, 0)
        .iter()
        .map(|(_, p)| *p)
        .fold(1.0, f64::min);
    eprintln!("He3 MSE a0 = 1: B independent of (A, C): smallest KS p = {worst:.3e}");
    assert!(
        worst < 1e-6,
        "independent second-layer increments not told apart: KS p = {worst:e}"
    );
}

#[test]
fn he3_mse_trained_second_layer_from_a0_law_matches_exact() {
    check(
        "He3 MSE a0 = 0.3, a trained",
        &he3(0.3),
        1,
        CltMomentMethod::ExactPolynomial,
    );
}

/// Correlation loss with a trained second layer: the first layer's coefficient uses y, the
/// second layer's increment the MSE residual (as the exact sampler does), both from one draw.
#[test]
fn he3_correlation_trained_second_layer_law_matches_exact() {
    let s = StepSettings {
        step_loss: StepLoss::Correlation,
        ..he3(0.3)
    };
    check(
        "He3 correlation a0 = 0.3, a trained",
        &s,
        1,
        CltMomentMethod::ExactPolynomial,
    );
}

#[test]
fn erf_trained_second_layer_law_matches_exact() {
    let s = StepSettings {
        target: Target::Committee(Link::Erf),
        activation: Link::Erf,
        noise_sd: 0.1,
        d: 1000,
        nb: 8192,
        gamma: 1.0,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
        a0: 0.5,
        second_layer_gamma: 0.5,
    };
    check(
        "erf MSE a0 = 0.5, a trained",
        &s,
        1,
        CltMomentMethod::MonteCarlo { samples: 8192 },
    );
}

/// p = k = 2 (erf, Monte Carlo covariance): the weights part after the first step, and the
/// cross-unit blocks of (A, C, B) enter the law of M_00 and a_1.
#[test]
fn erf_two_units_trained_second_layer_law_matches_exact() {
    let s = StepSettings {
        target: Target::Committee(Link::Erf),
        activation: Link::Erf,
        noise_sd: 0.1,
        d: 1000,
        nb: 8192,
        gamma: 1.0,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
        a0: 0.5,
        second_layer_gamma: 0.5,
    };
    check(
        "erf p = k = 2 MSE a0 = 0.5, a trained",
        &s,
        2,
        CltMomentMethod::MonteCarlo { samples: 8192 },
    );
}

/// `sampler: clt` with a trained second layer runs through the CLI and reports a at every
/// recorded step, as `exact` does.
#[test]
fn cli_runs_clt_with_a_trained_second_layer() {
    let run = |sampler: &str| {
        let config = format!(
            r#"{{"d": 1024, "nb": 65536, "gamma": 0.02, "loss": "mse", "steps": 8, "seed": 4, "sampler": "{sampler}", "init": {{"kind": "m0", "m0": 0.3}}, "second_layer": {{"a0": 0.5, "gamma": 0.05}}}}"#
        );
        let out = sgdlab(&["run", "-"], &config);
        assert!(
            out.status.success(),
            "{sampler}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let clt = run("clt");
    let exact = run("exact");
    assert_eq!(clt["sampler"], "clt");
    assert_eq!(exact["sampler"], "exact");
    assert_eq!(clt["diverged"], false, "{}", clt["message"]);
    assert_eq!(clt["clt_moments"]["method"]["kind"], "exact_polynomial");
    let steps = clt["steps"].as_array().unwrap().len();
    assert_eq!(steps, exact["steps"].as_array().unwrap().len());
    for v in [&clt, &exact] {
        let a = v["a"].as_array().expect("a per recorded step");
        assert_eq!(a.len(), steps);
        assert_eq!(a[0][0], 0.5);
    }
    // both second layers move the same way, by about the same amount (n_b = 65536: the step
    // is nearly deterministic)
    let last = |v: &serde_json::Value| v["a"][steps - 1][0].as_f64().unwrap();
    let (a_clt, a_exact) = (last(&clt), last(&exact));
    assert!(a_clt != 0.5 && (a_clt - 0.5) * (a_exact - 0.5) > 0.0);
    assert!(
        (a_clt - a_exact).abs() < 0.05 * (a_exact - 0.5).abs(),
        "clt {a_clt} vs exact {a_exact}"
    );
}

/// `auto` judges a trained second layer as a fixed one, on the moments that include b: clt for
/// polynomial links (exact moments) and erf (Monte Carlo pilot error below the threshold),
/// exact for a He_3 teacher with a tanh student (heavy-tailed labels).
#[test]
fn auto_takes_clt_for_a_trained_second_layer_where_its_moments_are_good() {
    let resolve = |target: &str, activation: &str, p: usize| {
        sgdlab::config::RunConfig::from_json(&format!(
            r#"{{"d": 1000, "nb": 1e8, "gamma": 0.01, "target": "{target}", "activation": "{activation}", "p": {p}, "k": {p}, "loss": "mse", "steps": 1, "second_layer": {{"a0": 0.5, "gamma": 0.1}}}}"#
        ))
        .unwrap()
        .resolve()
        .unwrap()
        .sampler_resolved
    };
    use sgdlab::sampler::SamplerKind;
    assert_eq!(resolve("he3", "he3", 1), SamplerKind::Clt);
    assert_eq!(resolve("erf", "erf", 2), SamplerKind::Clt);
    assert_eq!(resolve("he3", "tanh", 1), SamplerKind::Exact);
}
