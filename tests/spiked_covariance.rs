//! Inputs with a spiked covariance x ~ N(0, I + Σ_i β_i v_i v_iᵀ) (docs/science.md §12): the
//! exact dimension-free sampler has the law of the literal d-dimensional simulation, for a
//! spike along the teacher, one orthogonal to it, several mixed ones, and every
//! initialisation; a sampler that ignores the spikes is rejected by the same test; the
//! population risk under Σ matches a direct Monte Carlo average; bad covariances are refused
//! with the field named.
//!
//! Each case compares 4000 independent runs of each sampler after three steps; an entry fails
//! when the two-sample Kolmogorov-Smirnov p-value is below 1e-4 (the seeds are fixed, so the
//! outcome is deterministic).
#![cfg(not(target_arch = "wasm32"))]

use rand::SeedableRng;
use sgdlab::config::RunConfig;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, Overlaps, Spike, SpikedCovariance, StepLoss, Target};
use sgdlab::random::{standard_normal, SimRng};
use sgdlab::sampler::{ExactSampler, FullSampler, Sampler, StepSettings, Update};
use sgdlab::statistics::two_sample_kolmogorov_smirnov;
use sgdlab::theory::population_risk_under_covariance;

const RUNS: u64 = 4000;
const STEPS: usize = 3;

struct Case {
    name: &'static str,
    p: usize,
    k: usize,
    settings: StepSettings,
    init: Initialisation,
    covariance: SpikedCovariance,
}

fn spike(beta: f64, teacher: &[f64], free: f64) -> Spike {
    Spike {
        beta,
        teacher: teacher.to_vec(),
        free,
    }
}

fn settings(target: Target, activation: Link, step_loss: StepLoss, update: Update) -> StepSettings {
    StepSettings {
        target,
        activation,
        noise_sd: 0.1,
        d: 16,
        nb: 8,
        gamma: 0.3,
        step_loss,
        update,
        a0: 1.0,
        second_layer_gamma: 0.0,
    }
}

/// The tracked overlaps (teachers, then free directions) after `steps` steps (0: the initial
/// state); `sampled` is the covariance the sampler is given (the case's, or another one to
/// show the test's power).
fn run_steps(
    case: &Case,
    sampled: &SpikedCovariance,
    seed: u64,
    full: bool,
    steps: usize,
) -> Overlaps {
    let s = case.settings;
    let geometry = sampled.geometry(case.k);
    let mut data = SimRng::seed_from_u64(seed);
    let mut orthogonal = SimRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut sampler: Box<dyn Sampler> = if full {
        let w = case.init.sample_weights(&mut data, case.p, case.k, s.d);
        Box::new(FullSampler::new(case.p, case.k, s.d as usize, w).with_covariance(geometry))
    } else {
        let free = sampled.free_directions();
        let start = case
            .init
            .sample_tracked_overlaps(&mut data, case.p, (case.k, free), s.d);
        Box::new(ExactSampler::new(start).with_covariance(geometry))
    };
    for _ in 0..steps {
        sampler.accumulate(&s, &mut data, s.nb);
        sampler
            .finish_step(&s, &mut orthogonal)
            .expect("no divergence at these settings");
    }
    let tracked = sampler.tracked_overlaps();
    assert_eq!(
        sampler.overlaps().m,
        tracked.m.columns(0, case.k).into_owned()
    );
    tracked
}

/// The smallest KS p-value over the entries M_jt (teachers and free directions) and Q_jl of
/// the exact sampler given `exact_covariance` against the full sampler given the case's.
fn smallest_p_value(case: &Case, exact_covariance: &SpikedCovariance) -> (String, f64) {
    smallest_p_value_after(case, exact_covariance, STEPS)
}

/// [`smallest_p_value`] after `steps` steps.
fn smallest_p_value_after(
    case: &Case,
    exact_covariance: &SpikedCovariance,
    steps: usize,
) -> (String, f64) {
    let exact: Vec<_> = (0..RUNS)
        .map(|i| run_steps(case, exact_covariance, i, false, steps))
        .collect();
    let full: Vec<_> = (0..RUNS)
        .map(|i| run_steps(case, &case.covariance, 1_000_000 + i, true, steps))
        .collect();
    let tracked = case.k + case.covariance.free_directions();
    let mut worst = (String::new(), 1.0);
    for j in 0..case.p {
        for t in 0..tracked {
            let a: Vec<f64> = exact
                .iter()
                .map(|o| o.m.get((j, t)).copied().unwrap_or(0.0))
                .collect();
            let b: Vec<f64> = full.iter().map(|o| o.m[(j, t)]).collect();
            let (d, p) = two_sample_kolmogorov_smirnov(&a, &b);
            if p < worst.1 {
                worst = (format!("M_{j}{t} (KS D = {d:.4})"), p);
            }
        }
        for l in j + 1..case.p {
            let a: Vec<f64> = exact.iter().map(|o| o.q[(j, l)]).collect();
            let b: Vec<f64> = full.iter().map(|o| o.q[(j, l)]).collect();
            let (d, p) = two_sample_kolmogorov_smirnov(&a, &b);
            if p < worst.1 {
                worst = (format!("Q_{j}{l} (KS D = {d:.4})"), p);
            }
        }
    }
    worst
}

fn check(case: Case) {
    let (entry, p) = smallest_p_value(&case, &case.covariance);
    assert!(
        p > 1e-4,
        "{}: {entry} differs between exact and full: p = {p:.2e}",
        case.name
    );
}

fn aligned() -> Case {
    Case {
        name: "He3 p=k=1 MSE, a spike along the teacher",
        p: 1,
        k: 1,
        settings: settings(
            Target::Committee(Link::HE3),
            Link::HE3,
            StepLoss::Mse,
            Update::Projected,
        ),
        init: Initialisation::M0 { m0: 0.4 },
        covariance: SpikedCovariance {
            spikes: vec![spike(3.0, &[1.0], 0.0)],
        },
    }
}

#[test]
fn a_spike_along_the_teacher() {
    check(aligned());
}

#[test]
fn a_spike_orthogonal_to_the_teacher() {
    check(Case {
        name: "He3 p=2 correlation, warm start, a spike orthogonal to the teacher",
        p: 2,
        k: 1,
        settings: settings(
            Target::Committee(Link::HE3),
            Link::HE3,
            StepLoss::Correlation,
            Update::Projected,
        ),
        init: Initialisation::M0 { m0: 0.3 },
        covariance: SpikedCovariance {
            spikes: vec![spike(4.0, &[], 1.0)],
        },
    });
}

#[test]
fn several_mixed_spikes_spherical() {
    check(Case {
        name: "erf p=k=2 MSE spherical, cold start, three spikes (mixed, in the span, free)",
        p: 2,
        k: 2,
        settings: settings(
            Target::Committee(Link::Erf),
            Link::Erf,
            StepLoss::Mse,
            Update::Spherical,
        ),
        init: Initialisation::Cold,
        covariance: SpikedCovariance {
            spikes: vec![
                spike(2.0, &[1.0, 1.0], 1.0),
                spike(-0.5, &[1.0, -1.0], 0.0),
                spike(5.0, &[], 1.0),
            ],
        },
    });
}

#[test]
fn explicit_overlaps_and_a_tanh_student_under_two_spikes() {
    check(Case {
        name: "He3 teacher, tanh p=2, explicit overlaps, a mixed and a free spike",
        p: 2,
        k: 1,
        settings: settings(
            Target::Committee(Link::HE3),
            Link::Tanh,
            StepLoss::Mse,
            Update::Projected,
        ),
        init: Initialisation::Overlaps {
            q: vec![vec![1.0, 0.2], vec![0.2, 1.0]],
            m: vec![vec![0.5], vec![-0.3]],
        },
        covariance: SpikedCovariance {
            spikes: vec![spike(1.5, &[1.0], -2.0), spike(0.8, &[], 1.0)],
        },
    });
}

/// The initial overlaps with the free directions have the law of the literal initialisation
/// (whose free directions are the last coordinate axes), for every kind of start.
#[test]
fn initial_overlaps_with_free_directions_have_the_literal_law() {
    for init in [
        Initialisation::Warm,
        Initialisation::M0 { m0: 0.3 },
        Initialisation::Cold,
    ] {
        let case = Case {
            name: "initial state",
            p: 3,
            k: 2,
            init: init.clone(),
            covariance: SpikedCovariance {
                spikes: vec![spike(1.0, &[], 1.0), spike(2.0, &[1.0, 0.0], 1.0)],
            },
            ..aligned()
        };
        let (entry, p) = smallest_p_value_after(&case, &case.covariance, 0);
        assert!(p > 1e-4, "{init:?}: {entry}, p = {p:.2e}");
    }
}

/// The test has power: an exact sampler that ignores a spike (isotropic inputs, or the
/// orthogonal spike left out) is rejected against the literal simulation with the spikes.
#[test]
fn a_sampler_ignoring_the_spikes_is_rejected() {
    let case = aligned();
    let (entry, p) = smallest_p_value(&case, &SpikedCovariance::default());
    assert!(
        p < 1e-6,
        "isotropic exact sampler not detected: {entry}, p = {p:.2e}"
    );
    let case = Case {
        name: "orthogonal",
        covariance: SpikedCovariance {
            spikes: vec![spike(3.0, &[], 1.0)],
        },
        ..aligned()
    };
    let (entry, p) = smallest_p_value(&case, &SpikedCovariance::default());
    assert!(
        p < 1e-6,
        "exact sampler without the orthogonal spike not detected: {entry}, p = {p:.2e}"
    );
}

/// R = (1/2)(Δ + E[(g(ν) − f(λ))²]) under Σ against a Monte Carlo average over literal inputs
/// x = Σ^(1/2) z in R^d (teacher on axis 0, free direction on axis d − 1, students given).
#[test]
fn the_population_risk_uses_the_fields_covariance_under_sigma() {
    let covariance = SpikedCovariance {
        spikes: vec![spike(2.0, &[1.0], 1.0), spike(0.5, &[], 1.0)],
    };
    let geometry = covariance.geometry(1);
    let d = 6;
    // two students with overlaps with the teacher (axis 0) and both free directions (axes 5, 4)
    let w = [
        [0.5, 0.3, 0.0, 0.2, -0.4, 0.6],
        [-0.2, 0.1, 0.7, 0.0, 0.5, 0.3],
    ];
    let w: Vec<Vec<f64>> = w
        .iter()
        .map(|row| {
            let n = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            row.iter().map(|x| x / n).collect()
        })
        .collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let tracked = Overlaps {
        q: nalgebra::DMatrix::from_fn(2, 2, |i, j| dot(&w[i], &w[j])),
        m: nalgebra::DMatrix::from_fn(2, 3, |j, t| w[j][[0, 5, 4][t]]),
    };
    for (target, activation, tolerance) in [
        (Target::Committee(Link::HE3), Link::HE3, 0.05),
        (Target::Committee(Link::Erf), Link::Tanh, 0.01),
    ] {
        let noise = 0.01;
        let theory = population_risk_under_covariance(
            &target,
            &activation,
            &tracked,
            Some(&geometry),
            noise,
            &[1.0, 1.0],
        );
        let mut rng = SimRng::seed_from_u64(5);
        let n = 400_000;
        let mut sum = 0.0;
        let axis = |t: usize| [0, 5, 4][t];
        for _ in 0..n {
            let mut x: Vec<f64> = (0..d).map(|_| standard_normal(&mut rng)).collect();
            geometry.apply_square_root(&mut x, axis);
            let f = (activation.value(dot(&w[0], &x)) + activation.value(dot(&w[1], &x))) / 2.0;
            let e = target.value(&x[..1]) - f;
            sum += e * e;
        }
        let monte_carlo = 0.5 * (noise + sum / n as f64);
        let isotropic = population_risk_under_covariance(
            &target,
            &activation,
            &Overlaps {
                q: tracked.q.clone(),
                m: tracked.m.columns(0, 1).into_owned(),
            },
            None,
            noise,
            &[1.0, 1.0],
        );
        assert!(
            (theory.value - monte_carlo).abs() < tolerance * monte_carlo,
            "{target:?}: theory {} ({}) vs Monte Carlo {monte_carlo}",
            theory.value,
            theory.method
        );
        assert!(
            (isotropic.value - monte_carlo).abs() > 4.0 * tolerance * monte_carlo,
            "{target:?}: the isotropic risk {} is not told apart from {monte_carlo}",
            isotropic.value
        );
    }
}

#[test]
fn bad_covariances_name_the_field() {
    let cases = [
        (
            r#"{"covariance": {"spikes": [{"beta": -1, "teacher": [1]}]}}"#,
            "covariance.spikes[0].beta",
        ),
        (
            r#"{"covariance": {"spikes": [{"beta": 1, "teacher": [1, 0]}]}}"#,
            "covariance.spikes[0].teacher",
        ),
        (
            r#"{"covariance": {"spikes": [{"beta": 1, "teacher": [1]}, {"beta": 2, "teacher": [1], "free": 1}]}}"#,
            "covariance.spikes[1].teacher",
        ),
        (
            r#"{"covariance": {"spikes": [{"beta": 1}]}}"#,
            "covariance.spikes[0]",
        ),
        (
            r#"{"covariance": {"spikes": [{"beta": 1, "free": 1, "tilt": 2}]}}"#,
            "covariance.spikes[0].tilt",
        ),
        (
            r#"{"d": 6, "covariance": {"spikes": [{"beta": 1, "free": 1}, {"beta": 1, "free": 1}]}}"#,
            "d",
        ),
        (
            r#"{"sampler": "clt", "batch": {"n0": 1, "mu": 3}, "covariance": {"spikes": [{"beta": 1, "free": 1}]}}"#,
            "sampler",
        ),
    ];
    for (json, field) in cases {
        let e = RunConfig::from_json(json)
            .and_then(|c| c.resolve().map(|_| ()))
            .unwrap_err();
        assert_eq!(e.field, field, "{json}: {e}");
    }
    // auto never takes clt for spiked inputs
    let c = RunConfig::from_json(
        r#"{"batch": {"n0": 1, "mu": 3}, "covariance": {"spikes": [{"beta": 1, "free": 1}]}}"#,
    )
    .unwrap()
    .resolve()
    .unwrap();
    assert_eq!(c.sampler_resolved, sgdlab::sampler::SamplerKind::Exact);
}
