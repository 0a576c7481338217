//! The large-batch (CLT) sampler against the exact sampler where both are feasible.
//!
//! Stated tolerance, after one, two and three steps: every entry of M and every off-diagonal
//! entry of Q has the same law as under the exact sampler at the two-sample KS level p > 1e-3,
//! and its standard deviation agrees within max(4%, 3 standard errors of the ratio), for
//! * He_3, p = k = 1, n_b = 65536, d = 4096, gamma = 0.05, m0 = 0.3, MSE and correlation loss,
//!   1500 seeds per sampler (3 standard errors are about 8% there);
//! * an erf committee, p = k = 2, n_b = 8192, 6000 seeds per sampler (3 standard errors are
//!   about 3%, so the 4% bound applies).
//!
//! The mean of max_j ||M_j|| after 20 steps at n_b = 4096 agrees within 4 standard errors.
//!
//! With exact moments what is left is the CLT's own error: the law of a sum of n_b heavy-tailed
//! terms is not yet Gaussian. It is visible for He_3 with MSE at these settings, where one step
//! shrinks ||w|| to about 0.4 before the projection and the noise term C (d - r) (right-skewed,
//! while its Gaussian stand-in is symmetric) sets the norm: with 6000 seeds the one-step sd of
//! M comes out 5.6 +- 1.4% too wide at n_b = 65536, and 21% too wide at n_b = 16384 (same
//! deterministic step: d = 1024). It vanishes as n_b grows; `auto` uses clt from 4 194 304
//! samples per step.
//!
//! Run with `--nocapture` to see the measured KS p values and standard-deviation ratios
//! (recorded in BENCHMARKS.md), including those of the former 4096-draw Monte Carlo covariance
//! for He_3 with MSE.
#![cfg(not(target_arch = "wasm32"))]

use rand::SeedableRng;
use sgdlab::config::RunConfig;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, Overlaps, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{
    CltMomentMethod, CltSampler, ExactSampler, MomentSource, Sampler, SamplerKind, StepSettings,
    Update, AUTO_MAX_RELATIVE_ERROR,
};
use sgdlab::simulation::Simulation;
use sgdlab::statistics::two_sample_kolmogorov_smirnov;

/// Seeds per sampler for He_3 (an exact He_3 run at n_b = 65536 is the costly part).
const SEEDS: u64 = 1500;
/// Seeds per sampler for erf, enough for a 4% test of a standard deviation (n_b = 8192 draws
/// per step for both samplers: the clt sampler's Monte Carlo covariance uses min(65536, n_b)).
const ERF_SEEDS: u64 = 6000;
const STEPS: usize = 3;

/// The overlaps after each of `STEPS` steps from `init`; `clt` = None runs the exact sampler.
fn trajectory(
    clt: Option<MomentSource>,
    seed: u64,
    s: &StepSettings,
    p: usize,
    k: usize,
    init: &Initialisation,
) -> Vec<Overlaps> {
    let mut data = SimRng::seed_from_u64(seed);
    let mut orthogonal = SimRng::seed_from_u64(seed + 77);
    let start = init.sample_overlaps(&mut data, p, k, s.d);
    let mut sampler: Box<dyn Sampler> = match clt {
        Some(source) => Box::new(CltSampler::with_moment_source(start, source)),
        None => Box::new(ExactSampler::new(start)),
    };
    (0..STEPS)
        .map(|_| {
            sampler.accumulate(s, &mut data, s.nb);
            sampler.finish_step(s, &mut orthogonal).unwrap();
            sampler.overlaps()
        })
        .collect()
}

fn runs(
    clt: Option<MomentSource>,
    seeds: u64,
    seed_offset: u64,
    s: &StepSettings,
    p: usize,
    k: usize,
    init: &Initialisation,
) -> Vec<Vec<Overlaps>> {
    (0..seeds)
        .map(|i| trajectory(clt, seed_offset + i, s, p, k, init))
        .collect()
}

/// (sample standard deviation, kurtosis E[(x - mean)^4] / var^2).
fn sd_and_kurtosis(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let fourth = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    ((var * n / (n - 1.0)).sqrt(), fourth / (var * var))
}

/// A named scalar read off the overlaps.
type Entry = (String, Box<dyn Fn(&Overlaps) -> f64>);

/// One compared entry.
struct Agreement {
    name: String,
    step: usize,
    /// Two-sample KS p value.
    ks_p: f64,
    /// sd(clt) / sd(exact).
    sd_ratio: f64,
    /// Standard error of the ratio, sqrt((kurt_exact - 1 + kurt_clt - 1) / (4 seeds)) (the
    /// delta method: a sample variance has relative standard error sqrt((kurt - 1) / n)).
    sd_ratio_se: f64,
}

/// KS p value and sd ratio of every M entry and off-diagonal Q entry after every step.
fn agreement(exact: &[Vec<Overlaps>], clt: &[Vec<Overlaps>], p: usize, k: usize) -> Vec<Agreement> {
    let mut out = Vec::new();
    for step in 0..STEPS {
        let mut entries: Vec<Entry> = Vec::new();
        for j in 0..p {
            for r in 0..k {
                entries.push((
                    format!("M_{j}{r}"),
                    Box::new(move |o: &Overlaps| o.m[(j, r)]),
                ));
            }
            for l in j + 1..p {
                entries.push((
                    format!("Q_{j}{l}"),
                    Box::new(move |o: &Overlaps| o.q[(j, l)]),
                ));
            }
        }
        for (name, entry) in entries {
            let a: Vec<f64> = exact.iter().map(|t| entry(&t[step])).collect();
            let b: Vec<f64> = clt.iter().map(|t| entry(&t[step])).collect();
            let (_, ks_p) = two_sample_kolmogorov_smirnov(&a, &b);
            let (sd_a, kurt_a) = sd_and_kurtosis(&a);
            let (sd_b, kurt_b) = sd_and_kurtosis(&b);
            out.push(Agreement {
                name,
                step: step + 1,
                ks_p,
                sd_ratio: sd_b / sd_a,
                sd_ratio_se: ((kurt_a + kurt_b - 2.0) / (4.0 * a.len() as f64)).sqrt(),
            });
        }
    }
    out
}

fn report(label: &str, rows: &[Agreement]) {
    for a in rows {
        eprintln!(
            "{label}: step {} {}: KS p = {:.3e}, sd clt/exact = {:.4} +- {:.4}",
            a.step, a.name, a.ks_p, a.sd_ratio, a.sd_ratio_se
        );
    }
}

/// Asserts KS p > 1e-3 and |sd ratio - 1| < max(`sd_tolerance`, 3 standard errors) for every
/// entry.
fn check(label: &str, rows: &[Agreement], sd_tolerance: f64) {
    report(label, rows);
    for a in rows {
        assert!(
            a.ks_p > 1e-3,
            "{label}: step {} {}: KS p = {}",
            a.step,
            a.name,
            a.ks_p
        );
        assert!(
            (a.sd_ratio - 1.0).abs() < sd_tolerance.max(3.0 * a.sd_ratio_se),
            "{label}: step {} {}: sd ratio {} +- {}",
            a.step,
            a.name,
            a.sd_ratio,
            a.sd_ratio_se
        );
    }
}

fn he3(step_loss: StepLoss) -> StepSettings {
    StepSettings {
        target: Target::Committee(Link::HE3),
        activation: Link::HE3,
        noise_sd: 1e-3,
        d: 4096,
        nb: 65536,
        gamma: 0.05,
        step_loss,
        update: Update::Projected,
        a0: 1.0,
        second_layer_gamma: 0.0,
    }
}

#[test]
fn he3_mse_law_matches_exact_after_one_and_three_steps() {
    let s = he3(StepLoss::Mse);
    let init = Initialisation::M0 { m0: 0.3 };
    let exact = runs(None, SEEDS, 0, &s, 1, 1, &init);
    let clt = runs(
        Some(MomentSource::Automatic),
        SEEDS,
        10_000,
        &s,
        1,
        1,
        &init,
    );
    // the former method, for the record (not asserted: its failure is shown on the moments
    // themselves by a unit test of the Monte Carlo estimate)
    let old = runs(
        Some(MomentSource::MonteCarlo { samples: 4096 }),
        SEEDS,
        10_000,
        &s,
        1,
        1,
        &init,
    );
    report(
        "He3 MSE, 4096-draw Monte Carlo covariance",
        &agreement(&exact, &old, 1, 1),
    );
    check(
        "He3 MSE, exact moments",
        &agreement(&exact, &clt, 1, 1),
        0.06,
    );
}

/// A fixed second layer a0 = 0.3 (its factor in c and in the MSE error): the exact polynomial
/// moments carry a0, and the clt law still matches the exact sampler's.
#[test]
fn he3_mse_with_a_second_layer_law_matches_exact() {
    let s = StepSettings {
        a0: 0.3,
        gamma: 0.05 / 0.3,
        ..he3(StepLoss::Mse)
    };
    let init = Initialisation::M0 { m0: 0.3 };
    let exact = runs(None, SEEDS, 0, &s, 1, 1, &init);
    let clt = runs(
        Some(MomentSource::Automatic),
        SEEDS,
        10_000,
        &s,
        1,
        1,
        &init,
    );
    check(
        "He3 MSE a0 = 0.3, exact moments",
        &agreement(&exact, &clt, 1, 1),
        0.06,
    );
    // and the moments are not those of a0 = 1: the a0 = 1 clt runs differ in law
    let unit = runs(
        Some(MomentSource::Automatic),
        SEEDS,
        10_000,
        &StepSettings { a0: 1.0, ..s },
        1,
        1,
        &init,
    );
    let worst = agreement(&exact, &unit, 1, 1)
        .iter()
        .map(|a| a.ks_p)
        .fold(1.0, f64::min);
    assert!(
        worst < 1e-6,
        "a0 = 1 moments not told apart: KS p = {worst:e}"
    );
}

#[test]
fn he3_correlation_law_matches_exact_after_one_and_three_steps() {
    let s = he3(StepLoss::Correlation);
    let init = Initialisation::M0 { m0: 0.3 };
    let exact = runs(None, SEEDS, 0, &s, 1, 1, &init);
    let clt = runs(
        Some(MomentSource::Automatic),
        SEEDS,
        10_000,
        &s,
        1,
        1,
        &init,
    );
    check(
        "He3 correlation, exact moments",
        &agreement(&exact, &clt, 1, 1),
        0.06,
    );
}

#[test]
fn erf_committee_law_matches_exact_after_one_and_three_steps() {
    let s = StepSettings {
        target: Target::Committee(Link::Erf),
        activation: Link::Erf,
        noise_sd: 0.1,
        d: 1000,
        nb: 8192,
        gamma: 2.0,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
        a0: 1.0,
        second_layer_gamma: 0.0,
    };
    let init = Initialisation::M0 { m0: 0.2 };
    let exact = runs(None, ERF_SEEDS, 0, &s, 2, 2, &init);
    let clt = runs(
        Some(MomentSource::Automatic),
        ERF_SEEDS,
        10_000,
        &s,
        2,
        2,
        &init,
    );
    check(
        "erf p = k = 2, Monte Carlo covariance",
        &agreement(&exact, &clt, 2, 2),
        0.04,
    );
}

#[test]
fn mean_trajectory_matches_exact() {
    let base = r#"{"d": 2048, "nb": 4096, "gamma": 0.02, "loss": "correlation", "init": {"kind": "m0", "m0": 0.2}, "steps": 20}"#;
    let mean_and_se = |sampler: &str| {
        let finals: Vec<f64> = (0..200)
            .map(|seed| {
                let mut c = RunConfig::from_json(base).unwrap();
                c.seed = seed;
                c.model.sampler = serde_json::from_str(&format!("\"{sampler}\"")).unwrap();
                let out = Simulation::new(&c).unwrap().run_to_end();
                assert_eq!(
                    out.sampler,
                    if sampler == "clt" {
                        SamplerKind::Clt
                    } else {
                        SamplerKind::Exact
                    }
                );
                *out.trajectory.max_teacher_overlap().last().unwrap()
            })
            .collect();
        let n = finals.len() as f64;
        let mean = finals.iter().sum::<f64>() / n;
        let var = finals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (var / n).sqrt())
    };
    let (m_exact, se_exact) = mean_and_se("exact");
    let (m_clt, se_clt) = mean_and_se("clt");
    assert!(m_exact > 0.25, "the run should learn something: {m_exact}");
    let tolerance = 4.0 * (se_exact.powi(2) + se_clt.powi(2)).sqrt();
    assert!(
        (m_exact - m_clt).abs() < tolerance,
        "exact {m_exact} vs clt {m_clt} (tolerance {tolerance})"
    );
}

#[test]
fn auto_picks_clt_for_huge_batches_and_runs_them_fast() {
    // n_b = 10^10 samples per step: only possible with the CLT sampler
    let c = RunConfig::from_json(r#"{"d": 1000, "nb": 1e10, "lr": {"policy": "optimal", "gamma0": 1}, "loss": "correlation", "steps": 5}"#).unwrap();
    let out = Simulation::new(&c).unwrap().run_to_end();
    assert_eq!(out.sampler, SamplerKind::Clt);
    assert!(!out.diverged, "{:?}", out.message);
    assert!(out
        .trajectory
        .max_teacher_overlap()
        .last()
        .unwrap()
        .is_finite());
    let moments = out.clt_moments.expect("a clt run reports its moments");
    assert_eq!(moments.method, CltMomentMethod::ExactPolynomial);
    assert_eq!(moments.max_relative_error, 0.0);
    assert_eq!(moments.steps, 5);
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["clt_moments"]["method"]["kind"], "exact_polynomial");
}

/// Above the threshold `auto` takes clt for polynomial links (exact moments) and for erf
/// (Monte Carlo error below the threshold), but stays exact where the Monte Carlo covariance
/// would be inaccurate (a He_3 teacher learnt by a tanh student: heavy-tailed labels).
#[test]
fn auto_uses_clt_only_where_its_moments_are_exact_or_accurate() {
    let resolve = |target: &str, activation: &str| {
        RunConfig::from_json(&format!(
            r#"{{"d": 1000, "nb": 1e8, "gamma": 0.01, "target": "{target}", "activation": "{activation}", "loss": "mse", "steps": 1}}"#
        ))
        .unwrap()
        .resolve()
        .unwrap()
        .sampler_resolved
    };
    assert_eq!(resolve("he3", "he3"), SamplerKind::Clt);
    assert_eq!(resolve("he4n", "he2"), SamplerKind::Clt);
    assert_eq!(resolve("erf", "erf"), SamplerKind::Clt);
    assert_eq!(resolve("he3", "tanh"), SamplerKind::Exact);
    // an erf run reports its Monte Carlo error, below the threshold
    let c = RunConfig::from_json(
        r#"{"d": 1000, "nb": 1e8, "gamma": 0.01, "target": "erf", "p": 2, "k": 2, "loss": "mse", "steps": 2}"#,
    )
    .unwrap();
    let out = Simulation::new(&c).unwrap().run_to_end();
    assert_eq!(out.sampler, SamplerKind::Clt);
    let moments = out.clt_moments.unwrap();
    assert!(matches!(
        moments.method,
        CltMomentMethod::MonteCarlo { samples: 65536 }
    ));
    assert!(
        moments.max_relative_error > 0.0 && moments.max_relative_error <= AUTO_MAX_RELATIVE_ERROR
    );
    // the exact sampler reports nothing
    let c = RunConfig::from_json(r#"{"d": 100, "nb": 10, "steps": 1}"#).unwrap();
    let json = serde_json::to_value(Simulation::new(&c).unwrap().run_to_end()).unwrap();
    assert!(json.get("clt_moments").is_none());
}
