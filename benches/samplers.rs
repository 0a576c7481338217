//! Sampler throughput and trajectory recording (criterion). Run: `cargo bench --bench samplers`.
//! Figures are recorded in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, SpikedCovariance, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{
    CltSampler, ExactSampler, FullSampler, MomentSource, Sampler, SimdMode, StepSettings, Update,
};
use std::hint::black_box;

fn settings(d: u64, nb: u64) -> StepSettings {
    StepSettings {
        target: Target::Committee(Link::HE3),
        activation: Link::HE3,
        noise_sd: 1e-3,
        d,
        nb,
        gamma: 1e-3,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
        a0: 1.0,
        second_layer_gamma: 0.0,
    }
}

/// `exact_step`: the lane path (the default); `exact_step_scalar`: the scalar path, same
/// numbers (the SIMD speed-up is the ratio of the two); `exact_step_trained`: the lane path
/// with a trained second layer (per-unit a_j and the sums B_j; the cost of training it is the
/// ratio to `exact_step`).
fn exact_step(c: &mut Criterion) {
    for (name, mode, second_layer_gamma) in [
        ("exact_step", SimdMode::Lanes, 0.0),
        ("exact_step_scalar", SimdMode::Scalar, 0.0),
        ("exact_step_trained", SimdMode::Lanes, 1e-4),
    ] {
        exact_step_group(c, name, mode, second_layer_gamma);
    }
}

fn exact_step_group(c: &mut Criterion, name: &str, mode: SimdMode, second_layer_gamma: f64) {
    let mut group = c.benchmark_group(name);
    let nb = 1 << 16;
    group.throughput(Throughput::Elements(nb));
    for &(p, d) in &[(1usize, 100u64), (1, 1_000_000), (4, 100), (4, 1_000_000)] {
        let s = StepSettings {
            second_layer_gamma,
            ..settings(d, nb)
        };
        let mut rng = SimRng::seed_from_u64(1);
        let mut orth = SimRng::seed_from_u64(2);
        let mut sampler =
            ExactSampler::new(Initialisation::Warm.sample_overlaps(&mut rng, p, 1, d))
                .with_simd_mode(mode);
        group.bench_with_input(BenchmarkId::new(format!("p{p}_k1"), d), &d, |b, _| {
            b.iter(|| {
                sampler.accumulate(&s, &mut rng, nb);
                sampler.finish_step(&s, &mut orth).unwrap();
                black_box(sampler.overlaps());
            })
        });
    }
    group.finish();
}

/// `exact_step_multi_index`: p = k = 3 with the staircase Hermite target
/// z1 + z1 z2 + z1 z2 z3 (its lane kernel) against the He_3 committee of the same size, for a
/// polynomial (He_3) and a libm (tanh) student.
fn exact_step_multi_index(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_step_multi_index");
    let nb = 1 << 16;
    group.throughput(Throughput::Elements(nb));
    let staircase: Target = r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#
        .parse()
        .unwrap();
    for (name, target) in [
        ("staircase", staircase),
        ("he3_committee", Target::Committee(Link::HE3)),
    ] {
        for activation in [Link::HE3, Link::Tanh] {
            let s = StepSettings {
                target,
                activation,
                ..settings(1000, nb)
            };
            let mut rng = SimRng::seed_from_u64(5);
            let mut orth = SimRng::seed_from_u64(6);
            let mut sampler =
                ExactSampler::new(Initialisation::Warm.sample_overlaps(&mut rng, 3, 3, 1000));
            group.bench_function(format!("p3_k3_{name}_{activation}"), |b| {
                b.iter(|| {
                    sampler.accumulate(&s, &mut rng, nb);
                    sampler.finish_step(&s, &mut orth).unwrap();
                    black_box(sampler.overlaps());
                })
            });
        }
    }
    group.finish();
}

/// `exact_step_spiked`: He_3, p = 1 and 4, k = 1, isotropic inputs against two spikes (one
/// along w* mixed with a free direction, one free: r = p + 3, the fields from L T).
fn exact_step_spiked(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_step_spiked");
    let nb = 1 << 16;
    group.throughput(Throughput::Elements(nb));
    let two: SpikedCovariance = serde_json::from_str(
        r#"{"spikes": [{"beta": 1, "teacher": [1], "free": 1}, {"beta": 3, "free": 1}]}"#,
    )
    .unwrap();
    for p in [1usize, 4] {
        for (name, covariance) in [
            ("isotropic", SpikedCovariance::default()),
            ("two_spikes", two.clone()),
        ] {
            let s = settings(1000, nb);
            let mut rng = SimRng::seed_from_u64(5);
            let mut orth = SimRng::seed_from_u64(6);
            let start = Initialisation::Warm.sample_tracked_overlaps(
                &mut rng,
                p,
                (1, covariance.free_directions()),
                1000,
            );
            let mut sampler = ExactSampler::new(start).with_covariance(covariance.geometry(1));
            group.bench_function(format!("p{p}_k1_{name}"), |b| {
                b.iter(|| {
                    sampler.accumulate(&s, &mut rng, nb);
                    sampler.finish_step(&s, &mut orth).unwrap();
                    black_box(sampler.overlaps());
                })
            });
        }
    }
    group.finish();
}

fn exact_vs_full(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_vs_full_d4096_p4");
    group.sample_size(10);
    let (d, p, nb) = (4096u64, 4usize, 256u64);
    let s = settings(d, nb);
    group.throughput(Throughput::Elements(nb));
    let mut rng = SimRng::seed_from_u64(3);
    let mut orth = SimRng::seed_from_u64(4);
    let mut exact = ExactSampler::new(Initialisation::Warm.sample_overlaps(&mut rng, p, 1, d));
    group.bench_function("exact", |b| {
        b.iter(|| {
            exact.accumulate(&s, &mut rng, nb);
            exact.finish_step(&s, &mut orth).unwrap();
        })
    });
    let w = Initialisation::Warm.sample_weights(&mut rng, p, 1, d);
    let mut full = FullSampler::new(p, 1, d as usize, w);
    group.bench_function("full", |b| {
        b.iter(|| {
            full.accumulate(&s, &mut rng, nb);
            full.finish_step(&s, &mut orth).unwrap();
        })
    });
    group.finish();
    // the full sampler's work in multiply-adds: nb d (p + 1) per step (p dot products + p axpys
    // = 2 p d, counted as nb d (2p) here) plus nb d normal draws
    let mut group = c.benchmark_group("full_multiply_adds");
    group.sample_size(10);
    group.throughput(Throughput::Elements(nb * d * 2 * p as u64));
    group.bench_function("d4096_p4", |b| {
        b.iter(|| {
            full.accumulate(&s, &mut rng, nb);
            full.finish_step(&s, &mut orth).unwrap();
        })
    });
    group.finish();
}

/// Recording 2 x 10^5 steps into a trajectory of capacity 10^6 (every step kept): O(1) per
/// record (it took 46 s when each record recounted the points held).
fn trajectory_record(c: &mut Criterion) {
    use sgdlab::model::Overlaps;
    use sgdlab::trajectory::Trajectory;
    let o = Overlaps {
        q: nalgebra::DMatrix::identity(1, 1),
        m: nalgebra::DMatrix::from_element(1, 1, 0.1),
    };
    let mut group = c.benchmark_group("trajectory_record");
    group.sample_size(10);
    group.throughput(Throughput::Elements(200_000));
    group.bench_function("steps2e5_capacity1e6", |b| {
        b.iter(|| {
            let mut t = Trajectory::with_capacity(1_000_000);
            for step in 0..200_000u64 {
                t.record(step, &o, 1.0, false);
            }
            black_box(t.len())
        })
    });
    group.finish();
}

/// One clt step (n_b = 10^8, d = 4096): exact polynomial moments against the former 4096-draw
/// Monte Carlo covariance, and the erf Monte Carlo covariance (65536 draws).
fn clt_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("clt_step");
    let cases = [
        (
            "he3_p1_k1_exact_moments",
            Link::HE3,
            1usize,
            MomentSource::Automatic,
        ),
        (
            "he3_p1_k1_monte_carlo_4096",
            Link::HE3,
            1,
            MomentSource::MonteCarlo { samples: 4096 },
        ),
        (
            "he3_p4_k1_exact_moments",
            Link::HE3,
            4,
            MomentSource::Automatic,
        ),
        (
            "he3_p4_k1_monte_carlo_4096",
            Link::HE3,
            4,
            MomentSource::MonteCarlo { samples: 4096 },
        ),
        (
            "erf_p2_k1_monte_carlo_65536",
            Link::Erf,
            2,
            MomentSource::Automatic,
        ),
    ];
    for (name, link, p, source) in cases {
        let s = StepSettings {
            target: Target::Committee(link),
            activation: link,
            gamma: 1e-2,
            ..settings(4096, 100_000_000)
        };
        let mut rng = SimRng::seed_from_u64(5);
        let mut orth = SimRng::seed_from_u64(6);
        let start = Initialisation::M0 { m0: 0.3 }.sample_overlaps(&mut rng, p, 1, s.d);
        let mut sampler = CltSampler::with_moment_source(start, source);
        group.bench_function(name, |b| {
            b.iter(|| {
                sampler.accumulate(&s, &mut rng, s.nb);
                sampler.finish_step(&s, &mut orth).unwrap();
                black_box(sampler.overlaps());
            })
        });
    }
    group.finish();
}

/// The group lives in a private module: `criterion_group!` declares a `pub fn` it cannot document.
mod groups {
    use super::*;
    criterion_group!(
        benches,
        exact_step,
        exact_step_multi_index,
        exact_step_spiked,
        exact_vs_full,
        trajectory_record,
        clt_step
    );
}
criterion_main!(groups::benches);
