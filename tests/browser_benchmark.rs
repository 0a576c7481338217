//! Browser benchmark harness (not a test of speed: it asserts nothing about time).
//! Run: `make bench-wasm`; prints samples/s of the exact sampler compiled to wasm32 and run in
//! headless Chromium, for comparison with the native criterion figures in BENCHMARKS.md.
#![cfg(target_arch = "wasm32")]

use rand::SeedableRng;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{ExactSampler, Sampler, SimdMode, StepSettings, Update};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// An exact sampler at p students, k = 1, dimension d (He3 committee, MSE, n_b = 2^16), and
/// one of its steps.
struct ExactCase {
    settings: StepSettings,
    sampler: ExactSampler,
    rng: SimRng,
    orth: SimRng,
}

impl ExactCase {
    fn new(p: usize, d: u64, mode: SimdMode) -> ExactCase {
        let settings = StepSettings {
            target: Target::Committee(Link::HE3),
            activation: Link::HE3,
            noise_sd: 1e-3,
            d,
            nb: 1 << 16,
            gamma: 1e-3,
            step_loss: StepLoss::Mse,
            update: Update::Projected,
            a0: 1.0,
            second_layer_gamma: 0.0,
        };
        let mut rng = SimRng::seed_from_u64(1);
        let sampler = ExactSampler::new(Initialisation::Warm.sample_overlaps(&mut rng, p, 1, d))
            .with_simd_mode(mode);
        ExactCase {
            settings,
            sampler,
            rng,
            orth: SimRng::seed_from_u64(2),
        }
    }

    fn step(&mut self) {
        self.sampler
            .accumulate(&self.settings, &mut self.rng, self.settings.nb);
        self.sampler
            .finish_step(&self.settings, &mut self.orth)
            .unwrap();
    }

    /// Samples per second over whole steps for at least `ms` milliseconds.
    fn throughput(&mut self, ms: f64) -> f64 {
        let start = now();
        let mut steps = 0u64;
        while now() - start < ms {
            self.step();
            steps += 1;
        }
        let seconds = (now() - start) / 1000.0;
        (steps as f64 * self.settings.nb as f64) / seconds
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[wasm_bindgen_test]
fn exact_sampler_throughput_in_the_browser() {
    // one discarded second first: the browser is still busy starting up
    ExactCase::new(1, 100, SimdMode::Lanes).throughput(1000.0);
    // lanes (the default, simd128 in this build) against the scalar path (same numbers),
    // interleaved: 7 rounds of 0.4 s each per path after 0.3 s of warm-up (the engine's
    // optimising tier compiles the hot loop), medians and the median of the per-round ratios,
    // so that a slow second of the shared machine moves one round, not the ratio
    for (p, d) in [(1usize, 100u64), (1, 1_000_000), (4, 100), (4, 1_000_000)] {
        let mut lanes = ExactCase::new(p, d, SimdMode::Lanes);
        let mut scalar = ExactCase::new(p, d, SimdMode::Scalar);
        lanes.throughput(300.0);
        scalar.throughput(300.0);
        let (mut lane_rates, mut scalar_rates, mut ratios) = (vec![], vec![], vec![]);
        for _ in 0..7 {
            let (l, s) = (lanes.throughput(400.0), scalar.throughput(400.0));
            lane_rates.push(l);
            scalar_rates.push(s);
            ratios.push(l / s);
        }
        let (l, s) = (median(lane_rates), median(scalar_rates));
        for (mode, rate) in [("Lanes", l), ("Scalar", s)] {
            wasm_bindgen_test::console_log!(
                "BENCH wasm exact_step {mode} p{p}_k1 d={d}: {:.1} M samples/s",
                rate / 1e6
            );
        }
        let r = median(ratios.clone());
        let (lo, hi) = ratios
            .iter()
            .fold((f64::MAX, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        wasm_bindgen_test::console_log!(
            "BENCH wasm exact_step lanes/scalar p{p}_k1 d={d}: {r:.2} (rounds {lo:.2}-{hi:.2})"
        );
        assert!(l > 0.0 && s > 0.0);
    }
}

#[wasm_bindgen_test]
fn chart_redraw_with_ten_thousand_points_per_series() {
    use sgdlab::simulation::TrajectoryPoint;
    use sgdlab::web::app::{overlap_spec, TimeAxis};
    use sgdlab::web::chart::draw_chart;
    use wasm_bindgen::JsCast;
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas.style().set_property("width", "640px").unwrap();
    canvas.style().set_property("height", "340px").unwrap();
    document.body().unwrap().append_child(&canvas).unwrap();
    // p = 2, k = 1: M_11, M_21, max_j ||M_j||, Q_12 -> four series of 10^4 points
    let points: Vec<TrajectoryPoint> = (0..10_000u64)
        .map(|t| {
            let x = t as f64 / 1e4;
            TrajectoryPoint {
                step: t,
                m: vec![vec![x.powi(3)], vec![0.5 * x]],
                q: vec![vec![1.0, 0.1 * x], vec![0.1 * x, 1.0]],
                a: None,
                r: None,
                risk: 1.0 - x * 0.9,
            }
        })
        .collect();
    for log in [false, true] {
        let spec = overlap_spec(
            "bench",
            &points,
            0.5,
            Some(5000),
            TimeAxis {
                log,
                samples: false,
            },
            1,
        );
        draw_chart(&canvas, &spec).unwrap();
        let start = now();
        let reps = 10;
        for _ in 0..reps {
            draw_chart(&canvas, &spec).unwrap();
        }
        let ms = (now() - start) / reps as f64;
        wasm_bindgen_test::console_log!("BENCH wasm chart redraw, 4 series x 10^4 points, 640x340 css px, log_x={log}: {ms:.2} ms");
    }
}

/// A tanh committee that learns (p = 4, k = 1, d = n_b = 1000, gamma = 0.5, no label noise): 10^4
/// recursion steps through the aligned phase on the anisotropic eigenbasis rule, without the
/// isotropic fallback (the page's overlay path); the settings and start of the native criterion
/// case `recursion_10k/tanh_p4_k1_learning_eigenbasis`. One untimed run, then one timed.
#[wasm_bindgen_test]
fn aligned_tanh_recursion_in_the_browser() {
    use nalgebra::DMatrix;
    use sgdlab::model::{AdaptiveSchedule, Loss, Overlaps};
    use sgdlab::theory::gaussian_expectations::NumericalSettings;
    use sgdlab::theory::{run_overlap_recursion, RecursionSettings, Terms};
    let settings = RecursionSettings {
        target: Target::Committee(Link::Tanh),
        activation: Link::Tanh,
        noise: 0.0,
        dimension: 1000,
        batch_size: 1000,
        learning_rate: 0.5,
        loss: Loss::Mse,
        adaptive: AdaptiveSchedule::default(),
        terms: Terms::ALL,
        projected: true,
        update: Update::Projected,
        steps: 10_000,
        eta: 0.5,
        trajectory_capacity: 2048,
        numerics: NumericalSettings::default(),
        second_layer: Default::default(),
        numerical_fallback: false,
        covariance: Default::default(),
    };
    let start = Overlaps::new(
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
    let run = run_overlap_recursion(&start, &settings).unwrap();
    assert_eq!(run.steps_done, 10_000);
    let t0 = now();
    run_overlap_recursion(&start, &settings).unwrap();
    let seconds = (now() - t0) / 1000.0;
    wasm_bindgen_test::console_log!(
        "BENCH wasm recursion tanh p4_k1 learning ({}): 10^4 steps in {seconds:.2} s, final M_11 {:.4}",
        run.drift_method,
        run.final_overlaps.m[(0, 0)]
    );
}

/// The overlap recursion of a tanh committee with tanh students, p = 4, k = 1, 10^4 steps on
/// the Hermite-expansion backend (the page's tanh overlay): the same settings as the native
/// criterion case `recursion_10k/tanh_p4_k1_hermite`.
#[wasm_bindgen_test]
fn tanh_recursion_in_the_browser() {
    use nalgebra::DMatrix;
    use sgdlab::model::{AdaptiveSchedule, Loss, Overlaps};
    use sgdlab::theory::gaussian_expectations::NumericalSettings;
    use sgdlab::theory::{run_overlap_recursion, RecursionSettings, Terms};
    let settings = RecursionSettings {
        target: Target::Committee(Link::Tanh),
        activation: Link::Tanh,
        noise: 0.01,
        dimension: 10_000,
        batch_size: 100,
        learning_rate: 0.001,
        loss: Loss::Mse,
        adaptive: AdaptiveSchedule::default(),
        terms: Terms::ALL,
        projected: true,
        update: Update::Projected,
        steps: 10_000,
        eta: 0.5,
        trajectory_capacity: 2048,
        numerics: NumericalSettings::default(),
        second_layer: Default::default(),
        numerical_fallback: false,
        covariance: Default::default(),
    };
    let start = Overlaps::new(
        DMatrix::from_fn(4, 4, |i, j| if i == j { 1.0 } else { 0.02 }),
        DMatrix::from_element(4, 1, 0.05),
    )
    .unwrap();
    // one untimed run (compiles the plans and warms the engine up), then three timed runs
    let run = run_overlap_recursion(&start, &settings).unwrap();
    assert_eq!(run.steps_done, 10_000);
    let t0 = now();
    for _ in 0..3 {
        run_overlap_recursion(&start, &settings).unwrap();
    }
    let seconds = (now() - t0) / 3000.0;
    wasm_bindgen_test::console_log!(
        "BENCH wasm recursion tanh p4_k1 ({}): 10^4 steps in {seconds:.2} s",
        run.drift_method
    );
}
