//! Browser benchmark harness (not a test of speed: it asserts nothing about time).
//! Run: `make bench-wasm`; prints samples/s of the exact sampler compiled to wasm32 and run in
//! headless Chromium, for comparison with the native criterion figures in BENCHMARKS.md.
#![cfg(target_arch = "wasm32")]

use rand::SeedableRng;
use sgdlab::initialisation::Initialisation;
use sgdlab::model::{Link, StepLoss, Target};
use sgdlab::random::SimRng;
use sgdlab::sampler::{ExactSampler, Sampler, StepSettings, Update};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn throughput(p: usize, d: u64) -> f64 {
    let nb = 1u64 << 16;
    let s = StepSettings {
        target: Target::Committee(Link::HE3),
        activation: Link::HE3,
        noise_sd: 1e-3,
        d,
        nb,
        gamma: 1e-3,
        step_loss: StepLoss::Mse,
        update: Update::Projected,
    };
    let mut rng = SimRng::seed_from_u64(1);
    let mut orth = SimRng::seed_from_u64(2);
    let mut sampler = ExactSampler::new(Initialisation::Warm.sample_overlaps(&mut rng, p, 1, d));
    // warm up, then time 40 steps
    for _ in 0..5 {
        sampler.accumulate(&s, &mut rng, nb);
        sampler.finish_step(&s, &mut orth).unwrap();
    }
    let steps = 40;
    let start = now();
    for _ in 0..steps {
        sampler.accumulate(&s, &mut rng, nb);
        sampler.finish_step(&s, &mut orth).unwrap();
    }
    let seconds = (now() - start) / 1000.0;
    (steps as f64 * nb as f64) / seconds
}

#[wasm_bindgen_test]
fn exact_sampler_throughput_in_the_browser() {
    for (p, d) in [(1usize, 100u64), (1, 1_000_000), (4, 1_000_000)] {
        let rate = throughput(p, d);
        let line = format!(
            "BENCH wasm exact_step p{p}_k1 d={d}: {:.1} M samples/s",
            rate / 1e6
        );
        wasm_bindgen_test::console_log!("{line}");
        assert!(rate > 0.0);
    }
}
