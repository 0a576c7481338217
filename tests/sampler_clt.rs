//! The large-batch (CLT) sampler against the exact sampler where both are feasible.
//!
//! Stated tolerance: the law of every entry of M and Q after one step is the same as the exact
//! sampler's at the KS level p > 1e-4 over 1500 seeds, for erf at n_b = 8192 and for He_3 at
//! n_b = 65536; the mean of max_j ||M_j|| after 20 steps at n_b = 4096 agrees within 4 standard
//! errors (about 1% of its value here).
//!
//! Measured limit: for He_3 the per-sample terms are degree-6 polynomials of Gaussians, heavily
//! skewed, and at n_b = 4096 the one-step law of M is visibly off (KS distance 0.19 with 1500
//! seeds): the CLT needs n_b of order 10^5 there. The `auto` sampler switches to `clt` only above
//! 4 194 304 samples per step.
#![cfg(not(target_arch = "wasm32"))]

use rand::SeedableRng;
use sgdlab::config::RunConfig;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, Overlaps, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{CltSampler, ExactSampler, Sampler, SamplerKind, StepSettings, Update};
use sgdlab::simulation::Simulation;
use sgdlab::statistics::two_sample_kolmogorov_smirnov;

fn one_step(
    clt: bool,
    seed: u64,
    s: &StepSettings,
    p: usize,
    k: usize,
    init: &Initialisation,
) -> Overlaps {
    let mut data = SimRng::seed_from_u64(seed);
    let mut orthogonal = SimRng::seed_from_u64(seed + 77);
    let start = init.sample_overlaps(&mut data, p, k, s.d);
    let mut sampler: Box<dyn Sampler> = if clt {
        Box::new(CltSampler::new(start))
    } else {
        Box::new(ExactSampler::new(start))
    };
    sampler.accumulate(s, &mut data, s.nb);
    sampler.finish_step(s, &mut orthogonal).unwrap();
    sampler.overlaps()
}

fn compare_one_step(s: StepSettings, p: usize, k: usize, init: Initialisation) {
    let runs = 1500;
    let exact: Vec<Overlaps> = (0..runs)
        .map(|i| one_step(false, i, &s, p, k, &init))
        .collect();
    let clt: Vec<Overlaps> = (0..runs)
        .map(|i| one_step(true, 10_000 + i, &s, p, k, &init))
        .collect();
    for j in 0..p {
        for r in 0..k {
            let a: Vec<f64> = exact.iter().map(|o| o.m[(j, r)]).collect();
            let b: Vec<f64> = clt.iter().map(|o| o.m[(j, r)]).collect();
            let (d, pv) = two_sample_kolmogorov_smirnov(&a, &b);
            assert!(pv > 1e-4, "M_{j}{r}: KS D = {d}, p = {pv}");
        }
        for l in j + 1..p {
            let a: Vec<f64> = exact.iter().map(|o| o.q[(j, l)]).collect();
            let b: Vec<f64> = clt.iter().map(|o| o.q[(j, l)]).collect();
            let (d, pv) = two_sample_kolmogorov_smirnov(&a, &b);
            assert!(pv > 1e-4, "Q_{j}{l}: KS D = {d}, p = {pv}");
        }
    }
}

#[test]
fn one_step_law_matches_exact_he3_correlation() {
    let s = StepSettings {
        target: Target::Committee(Link::HE3),
        activation: Link::HE3,
        noise_sd: 1e-3,
        d: 4096,
        nb: 65536,
        gamma: 0.05,
        step_loss: StepLoss::Correlation,
        update: Update::Projected,
    };
    compare_one_step(s, 1, 1, Initialisation::M0 { m0: 0.3 });
}

#[test]
fn one_step_law_matches_exact_erf_committee_mse() {
    let s = StepSettings {
        target: Target::Committee(Link::Erf),
        activation: Link::Erf,
        noise_sd: 0.1,
        d: 1000,
        nb: 8192,
        gamma: 2.0,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
    };
    compare_one_step(s, 2, 2, Initialisation::M0 { m0: 0.2 });
}

#[test]
fn mean_trajectory_matches_exact() {
    let base = r#"{"d": 2048, "nb": 4096, "gamma": 0.02, "loss": "correlation", "init": {"kind": "m0", "m0": 0.2}, "steps": 20}"#;
    let mean_and_se = |sampler: &str| {
        let finals: Vec<f64> = (0..200)
            .map(|seed| {
                let mut c = RunConfig::from_json(base).unwrap();
                c.seed = seed;
                c.sampler = serde_json::from_str(&format!("\"{sampler}\"")).unwrap();
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
}
