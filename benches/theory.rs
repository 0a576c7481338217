//! Theory-engine speed (criterion). Run: `cargo bench --bench theory`.
//!
//! * `recursion_10k`: 10^4 steps of the overlap recursion (targets: well under a second) for
//!   the erf committee p = k = 2 (Fig. 3, Saad & Solla settings), He_3 with p = 4, k = 1, and
//!   tanh with p = 4, k = 1 (Hermite expansion, degree 11; a slow escape, d = 10^4, whose
//!   overlaps stay in the backend's range |Omega_ij| <= 0.8 for all 10^4 steps).
//! * `tanh_p4_drift_step`: the drift terms of one recursion step, tanh committee and tanh
//!   student, p = 4, k = 1, by joint quadrature (the path before the Hermite expansion, and
//!   still the fallback) and by the Hermite expansion (the automatic path, degree 11).
//!   `tanh_p4_k1_learning_eigenbasis`: a tanh run that learns (p = 4, k = 1, d = n_b = 1000,
//!   gamma = 0.5), 10^4 steps through the aligned phase without the isotropic fallback (the
//!   eigenbasis rule beyond |Omega_ij| = 0.8); the isotropic fallback's time is printed
//!   (500 steps timed once and scaled).
//! * `tanh_p4_aligned_drift_step`: one step's drift terms at Q_jl = M_j1 = 0.9, 0.99, 0.999 by
//!   the isotropic 10-node quadrature fallback and by the anisotropic eigenbasis rule.
//! * `population_risk` and `drift_terms`: one evaluation through the cached free functions,
//!   per backend (closed form, compiled polynomial, Hermite expansion (tanh), Monte Carlo).

use criterion::{criterion_group, criterion_main, Criterion};
use nalgebra::DMatrix;
use sgdlab::model::{AdaptiveSchedule, Link, Loss, Overlaps, StepLoss, Target};
use sgdlab::theory::gaussian_expectations::NumericalSettings;
use sgdlab::theory::{
    drift_terms, population_risk, run_overlap_recursion, RecursionSettings, Terms,
};
use std::hint::black_box;
use std::time::Duration;

/// Overlaps with Q_jl = c (j != l) and M_j1 = m, other teacher overlaps 0.
fn overlaps(p: usize, k: usize, c: f64, m: f64) -> Overlaps {
    let q = DMatrix::from_fn(p, p, |i, j| if i == j { 1.0 } else { c });
    let mm = DMatrix::from_fn(p, k, |_, r| if r == 0 { m } else { 0.0 });
    Overlaps::new(q, mm).unwrap()
}

fn recursion_settings(
    target: Target,
    activation: Link,
    d: u64,
    nb: u64,
    gamma: f64,
    noise: f64,
) -> RecursionSettings {
    RecursionSettings {
        target,
        activation,
        noise,
        dimension: d,
        batch_size: nb,
        learning_rate: gamma,
        loss: Loss::Mse,
        adaptive: AdaptiveSchedule::default(),
        terms: Terms::ALL,
        projected: true,
        update: sgdlab::sampler::Update::Projected,
        steps: 10_000,
        eta: 0.5,
        trajectory_capacity: 2048,
        numerics: NumericalSettings::default(),
        second_layer: Default::default(),
        numerical_fallback: true,
        covariance: Default::default(),
    }
}

fn recursion(c: &mut Criterion) {
    let mut group = c.benchmark_group("recursion_10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    let erf = recursion_settings(
        Target::Committee(Link::Erf),
        Link::Erf,
        10_000,
        100,
        0.08,
        0.01,
    );
    let erf_start = Overlaps::new(DMatrix::identity(2, 2), DMatrix::zeros(2, 2)).unwrap();
    group.bench_function("erf_p2_k2", |b| {
        b.iter(|| run_overlap_recursion(black_box(&erf_start), &erf).unwrap())
    });
    let he3 = recursion_settings(
        Target::Committee(Link::HE3),
        Link::HE3,
        256,
        256,
        0.005,
        1e-6,
    );
    let he3_start = overlaps(4, 1, 0.05, 0.2);
    group.bench_function("he3_p4_k1", |b| {
        b.iter(|| run_overlap_recursion(black_box(&he3_start), &he3).unwrap())
    });
    let mut tanh = recursion_settings(
        Target::Committee(Link::Tanh),
        Link::Tanh,
        10_000,
        100,
        0.001,
        0.01,
    );
    // stop rather than fall back to quadrature: the assertion below checks all 10^4 steps ran
    tanh.numerical_fallback = false;
    let tanh_start = overlaps(4, 1, 0.02, 0.05);
    let run = run_overlap_recursion(&tanh_start, &tanh).unwrap();
    assert_eq!(run.steps_done, 10_000, "{:?}", run.divergence);
    println!(
        "tanh_p4_k1: drift {}, final M {:?}",
        run.drift_method,
        run.final_overlaps.m.as_slice()
    );
    group.bench_function("tanh_p4_k1_hermite", |b| {
        b.iter(|| run_overlap_recursion(black_box(&tanh_start), &tanh).unwrap())
    });
    // a run that learns: the Hermite expansion for ~40 steps, then the anisotropic eigenbasis
    // rule through the aligned phase (M_j1 -> 0.9996), without the isotropic fallback (the page)
    let mut learning = recursion_settings(
        Target::Committee(Link::Tanh),
        Link::Tanh,
        1000,
        1000,
        0.5,
        0.0,
    );
    learning.numerical_fallback = false;
    let learning_start = Overlaps::new(
        DMatrix::from_fn(4, 4, |i, j| {
            if i == j {
                1.0
            } else {
                0.02 * (i + j) as f64 - 0.05
            }
        }),
        DMatrix::from_fn(4, 1, |i, _| 0.03 + 0.02 * i as f64),
    )
    .unwrap();
    let run = run_overlap_recursion(&learning_start, &learning).unwrap();
    assert_eq!(run.steps_done, 10_000, "{:?}", run.divergence);
    println!(
        "tanh_p4_k1_learning: drift {}, final M {:?}",
        run.drift_method,
        run.final_overlaps.m.as_slice()
    );
    // before: the isotropic 10-node fallback beyond |Omega_ij| = 0.8 (the eigenbasis rule off);
    // 10^4 steps take minutes, so 500 steps are timed once and scaled
    let mut before = learning.clone();
    before.numerical_fallback = true;
    before.numerics.anisotropic_max_nodes = 0;
    before.steps = 500;
    let started = std::time::Instant::now();
    let run = run_overlap_recursion(&learning_start, &before).unwrap();
    let elapsed = started.elapsed();
    println!(
        "tanh_p4_k1_learning before (isotropic fallback): {} steps in {elapsed:.2?}, {:.1} s per 10^4 steps extrapolated ({})",
        run.steps_done,
        elapsed.as_secs_f64() * 10_000.0 / run.steps_done as f64,
        run.drift_method
    );
    group.bench_function("tanh_p4_k1_learning_eigenbasis", |b| {
        b.iter(|| run_overlap_recursion(black_box(&learning_start), &learning).unwrap())
    });
    group.finish();
}

fn cases() -> Vec<(&'static str, Target, Link, Overlaps)> {
    vec![
        (
            "erf_p2_k2_closed_form",
            Target::Committee(Link::Erf),
            Link::Erf,
            overlaps(2, 2, 0.1, 0.3),
        ),
        (
            "he3_p4_k1_polynomial",
            Target::Committee(Link::HE3),
            Link::HE3,
            overlaps(4, 1, 0.1, 0.3),
        ),
        (
            "tanh_p2_k1_hermite",
            Target::Committee(Link::Tanh),
            Link::Tanh,
            overlaps(2, 1, 0.1, 0.3),
        ),
        (
            "tanh_p4_k1_hermite",
            Target::Committee(Link::Tanh),
            Link::Tanh,
            overlaps(4, 1, 0.1, 0.3),
        ),
        (
            "relu_p2_k1_monte_carlo",
            Target::Committee(Link::Relu),
            Link::Relu,
            overlaps(2, 1, 0.1, 0.3),
        ),
    ]
}

fn risk(c: &mut Criterion) {
    let mut group = c.benchmark_group("population_risk");
    group.measurement_time(Duration::from_secs(3));
    for (name, target, activation, o) in cases() {
        group.bench_function(name, |b| {
            b.iter(|| population_risk(&target, &activation, black_box(&o), 1e-3))
        });
    }
    group.finish();
}

fn drift(c: &mut Criterion) {
    let mut group = c.benchmark_group("drift_terms");
    group.measurement_time(Duration::from_secs(3));
    for (name, target, activation, o) in cases() {
        group.bench_function(name, |b| {
            b.iter(|| drift_terms(&target, &activation, StepLoss::Mse, black_box(&o), 1e-3))
        });
    }
    group.finish();
}

fn tanh_step(c: &mut Criterion) {
    use sgdlab::theory::{Backend, LocalFieldModel};
    let mut group = c.benchmark_group("tanh_p4_drift_step");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let target = Target::Committee(Link::Tanh);
    let o = overlaps(4, 1, 0.3, 0.2);
    for (name, backend) in [
        ("quadrature", Backend::JointIntegration),
        ("hermite", Backend::HermiteExpansion),
    ] {
        let model = LocalFieldModel::new(target, Link::Tanh, 4, 1)
            .unwrap()
            .with_backend(backend)
            .unwrap();
        model.drift_terms(&o, StepLoss::Mse, 0.01).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                model
                    .drift_terms(black_box(&o), StepLoss::Mse, 0.01)
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// One step's drift terms in the aligned phase (Q_jl = M_j1 = c, max |Omega_ij| = c > 0.8,
/// outside the Hermite expansion's range): the isotropic 10-node quadrature fallback against
/// the anisotropic eigenbasis rule (the automatic path there).
fn tanh_aligned_step(c: &mut Criterion) {
    use sgdlab::theory::{Backend, LocalFieldModel};
    let mut group = c.benchmark_group("tanh_p4_aligned_drift_step");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    let target = Target::Committee(Link::Tanh);
    for correlation in [0.9, 0.99, 0.999] {
        let o = overlaps(4, 1, correlation, correlation);
        for (name, backend) in [
            ("quadrature", Backend::JointIntegration),
            ("eigenbasis", Backend::HermiteExpansion),
        ] {
            let model = LocalFieldModel::new(target, Link::Tanh, 4, 1)
                .unwrap()
                .with_backend(backend)
                .unwrap();
            let drift = model.drift_terms(&o, StepLoss::Mse, 0.01).unwrap();
            println!("{name} at {correlation}: {}", drift.method);
            group.bench_function(format!("{name}_{correlation}"), |b| {
                b.iter(|| {
                    model
                        .drift_terms(black_box(&o), StepLoss::Mse, 0.01)
                        .unwrap()
                })
            });
        }
    }
    group.finish();
}

/// The group lives in a private module: `criterion_group!` declares a `pub fn` it cannot document.
mod groups {
    use super::*;
    criterion_group!(
        benches,
        recursion,
        risk,
        drift,
        tanh_step,
        tanh_aligned_step
    );
}
criterion_main!(groups::benches);
