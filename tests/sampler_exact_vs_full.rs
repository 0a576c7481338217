//! The exact dimension-free sampler has the same law as the literal d-dimensional simulation:
//! two-sample Kolmogorov-Smirnov tests on entries of M and Q after a few steps, over many
//! seeds, at small d, for several targets, losses, updates, p > 1 and k > 1.
//!
//! Each case compares 4000 independent runs of each sampler; an entry fails when the KS
//! p-value is below 1e-4 (the seeds are fixed, so the outcome is deterministic; with ~40
//! comparisons the chance that a correct sampler fails for a fresh seed set is < 0.5%).
//! `src/sampler/exact.rs` shows the same test rejecting a sampler without its Wishart term.
#![cfg(not(target_arch = "wasm32"))]

use rand::SeedableRng;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, Overlaps, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{ExactSampler, FullSampler, Sampler, StepSettings, Update};
use sgdlab::statistics::two_sample_kolmogorov_smirnov;

/// One observed entry of the state (overlaps and second layer), e.g. `M[0][1]` or `a_0`.
type OverlapEntry = Box<dyn Fn(&(Overlaps, Vec<f64>)) -> f64>;

const RUNS: u64 = 4000;
const STEPS: usize = 3;

struct Case {
    name: &'static str,
    p: usize,
    k: usize,
    settings: StepSettings,
    init: Initialisation,
}

fn settings(
    target: Target,
    activation: Link,
    step_loss: StepLoss,
    update: Update,
    d: u64,
    nb: u64,
    gamma: f64,
) -> StepSettings {
    StepSettings {
        target,
        activation,
        noise_sd: 0.1,
        d,
        nb,
        gamma,
        step_loss,
        update,
        a0: 1.0,
        second_layer_gamma: 0.0,
    }
}

fn run(case: &Case, seed: u64, full: bool) -> (Overlaps, Vec<f64>) {
    let s = case.settings;
    let mut data = SimRng::seed_from_u64(seed);
    let mut orthogonal = SimRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut sampler: Box<dyn Sampler> = if full {
        let w = case.init.sample_weights(&mut data, case.p, case.k, s.d);
        Box::new(FullSampler::new(case.p, case.k, s.d as usize, w).with_second_layer(s.a0))
    } else {
        Box::new(
            ExactSampler::new(case.init.sample_overlaps(&mut data, case.p, case.k, s.d))
                .with_second_layer(s.a0),
        )
    };
    for _ in 0..STEPS {
        sampler.accumulate(&s, &mut data, s.nb);
        sampler
            .finish_step(&s, &mut orthogonal)
            .expect("no divergence at these settings");
    }
    (sampler.overlaps(), sampler.second_layer().values().to_vec())
}

fn check(case: Case) {
    let exact: Vec<_> = (0..RUNS).map(|i| run(&case, i, false)).collect();
    let full: Vec<_> = (0..RUNS).map(|i| run(&case, 1_000_000 + i, true)).collect();
    let mut entries: Vec<(String, OverlapEntry)> = Vec::new();
    for j in 0..case.p {
        for r in 0..case.k {
            entries.push((
                format!("M_{j}{r}"),
                Box::new(move |(o, _): &(Overlaps, Vec<f64>)| o.m[(j, r)]),
            ));
        }
        for l in j + 1..case.p {
            entries.push((
                format!("Q_{j}{l}"),
                Box::new(move |(o, _): &(Overlaps, Vec<f64>)| o.q[(j, l)]),
            ));
        }
        if case.settings.second_layer_trained() {
            entries.push((
                format!("a_{j}"),
                Box::new(move |(_, a): &(Overlaps, Vec<f64>)| a[j]),
            ));
        }
    }
    for (name, entry) in entries {
        let a: Vec<f64> = exact.iter().map(&entry).collect();
        let b: Vec<f64> = full.iter().map(&entry).collect();
        let (d, p) = two_sample_kolmogorov_smirnov(&a, &b);
        assert!(
            p > 1e-4,
            "{}: {name} differs between exact and full: KS D = {d:.4}, p = {p:.2e}",
            case.name
        );
    }
}

#[test]
fn he3_single_index_mse_projected() {
    check(Case {
        name: "He3 p=k=1 MSE projected",
        p: 1,
        k: 1,
        settings: settings(
            Target::Committee(Link::HE3),
            Link::HE3,
            StepLoss::Mse,
            Update::Projected,
            16,
            8,
            0.3,
        ),
        init: Initialisation::M0 { m0: 0.4 },
    });
}

#[test]
fn erf_committee_correlation_spherical_p2_k2() {
    check(Case {
        name: "erf p=k=2 correlation spherical",
        p: 2,
        k: 2,
        settings: settings(
            Target::Committee(Link::Erf),
            Link::Erf,
            StepLoss::Correlation,
            Update::Spherical,
            12,
            6,
            1.5,
        ),
        init: Initialisation::Cold,
    });
}

#[test]
fn he2_wide_student_mse_warm_p3() {
    check(Case {
        name: "He2 p=3 k=1 MSE warm",
        p: 3,
        k: 1,
        settings: settings(
            Target::Committee("he2".parse().unwrap()),
            "he2".parse().unwrap(),
            StepLoss::Mse,
            Update::Projected,
            14,
            5,
            0.4,
        ),
        init: Initialisation::Warm,
    });
}

#[test]
fn tanh_product_multi_index_with_relu_student() {
    check(Case {
        name: "tanh(z1 z2) teacher, relu student, p=2",
        p: 2,
        k: 2,
        settings: settings(
            Target::TanhProduct,
            Link::Relu,
            StepLoss::Mse,
            Update::Projected,
            10,
            4,
            1.0,
        ),
        init: Initialisation::M0 { m0: 0.5 },
    });
}

#[test]
fn aligned_start_is_handled_without_nan() {
    // a neuron exactly on the teacher: Omega is singular
    let init = Initialisation::Overlaps {
        q: vec![vec![1.0, 0.5], vec![0.5, 1.0]],
        m: vec![vec![1.0], vec![0.5]],
    };
    check(Case {
        name: "singular start",
        p: 2,
        k: 1,
        settings: settings(
            Target::Committee(Link::HE3),
            Link::HE3,
            StepLoss::Mse,
            Update::Projected,
            10,
            4,
            0.2,
        ),
        init,
    });
}

/// A second layer a_j = a0 = 0.3 (its factor in the step and in the MSE error): the exact
/// sampler and the literal simulation still agree in law.
#[test]
fn he3_mse_second_layer_p2() {
    check(Case {
        name: "He3 p=2 MSE a0=0.3",
        p: 2,
        k: 1,
        settings: StepSettings {
            a0: 0.3,
            ..settings(
                Target::Committee(Link::HE3),
                Link::HE3,
                StepLoss::Mse,
                Update::Projected,
                16,
                8,
                1.0,
            )
        },
        init: Initialisation::M0 { m0: 0.4 },
    });
}

/// A trained second layer (a_j in the state, stepped by the MSE gradient in a): the exact
/// sampler's chain on (Omega, a) and the literal simulation agree in law, for Q, M and each a_j,
/// under MSE and under the correlation loss (whose first layer ignores f). The second layer's
/// rate is large enough that a 10% error in its step is rejected (KS p ~ 1e-7 on a_0).
#[test]
fn he3_trained_second_layer_p2() {
    for (name, step_loss) in [
        ("He3 p=2 MSE trained a", StepLoss::Mse),
        ("He3 p=2 correlation trained a", StepLoss::Correlation),
    ] {
        check(Case {
            name,
            p: 2,
            k: 1,
            settings: StepSettings {
                a0: 0.5,
                second_layer_gamma: 3.0,
                ..settings(
                    Target::Committee(Link::HE3),
                    Link::HE3,
                    step_loss,
                    Update::Projected,
                    16,
                    8,
                    0.5,
                )
            },
            init: Initialisation::M0 { m0: 0.4 },
        });
    }
}

/// tanh student, erf committee teacher with k = 2, spherical update, trained second layer.
#[test]
fn tanh_erf_trained_second_layer_spherical() {
    check(Case {
        name: "tanh/erf p=2 k=2 spherical trained a",
        p: 2,
        k: 2,
        settings: StepSettings {
            a0: 1.2,
            second_layer_gamma: 1.5,
            ..settings(
                Target::Committee(Link::Erf),
                Link::Tanh,
                StepLoss::Mse,
                Update::Spherical,
                12,
                6,
                0.8,
            )
        },
        init: Initialisation::M0 { m0: 0.3 },
    });
}

#[test]
fn hermite_staircase_k3_with_p2_relu_students() {
    // z1 + z1 z2 + z1 z2 z3 (k = 3), two relu students, MSE
    check(Case {
        name: "staircase z1 + z1 z2 + z1 z2 z3, relu student, p=2",
        p: 2,
        k: 3,
        settings: settings(
            r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#
                .parse()
                .unwrap(),
            Link::Relu,
            StepLoss::Mse,
            Update::Projected,
            12,
            4,
            0.5,
        ),
        init: Initialisation::M0 { m0: 0.4 },
    });
}

#[test]
fn hermite_polynomial_k2_with_p2_hermite_students() {
    // He3(z1) + z1 He3(z2) normalised (k = 2), two He2 students, correlation loss, spherical
    check(Case {
        name: "He3(z1) + z1 He3(z2) normalised, he2 student, p=2",
        p: 2,
        k: 2,
        settings: settings(
            r#"{"hermite": [[1, [3, 0]], [1, [1, 3]]], "normalised": true}"#
                .parse()
                .unwrap(),
            "he2".parse().unwrap(),
            StepLoss::Correlation,
            Update::Spherical,
            12,
            5,
            0.3,
        ),
        init: Initialisation::M0 { m0: 0.5 },
    });
}
