//! Heavier sweep measurements, run on demand (they print tables; numbers are recorded in
//! BENCHMARKS.md / README):
//!
//! ```text
//! cargo test --release --test sweep_measurements -- --ignored --nocapture
//! ```
//!
//! Environment overrides (all optional): `SWEEP_D` (dimension), `SWEEP_SEEDS` (number of
//! seeds, 0..n), `SWEEP_GAMMA0` (prefactor of the optimal learning rate), `SWEEP_MU`
//! (comma-separated list), `SWEEP_PROTOCOLS` (comma-separated losses), `SWEEP_THREADS`,
//! `SWEEP_MAX_STEPS`, `SWEEP_MAX_SAMPLES`, `SWEEP_SEED_OFFSET`, `SWEEP_SAMPLER` (auto | full | exact | clt),
//! `SWEEP_POINTS_OUT` (file for the points as JSON).

use sgdlab::config::ModelSettings;
use sgdlab::model::Loss;
use sgdlab::sweep::*;
use std::time::Instant;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_list<T: std::str::FromStr>(name: &str, default: Vec<T>) -> Vec<T> {
    match std::env::var(name) {
        Ok(v) => v
            .split(',')
            .map(|x| x.trim().parse().ok().unwrap())
            .collect(),
        Err(_) => default,
    }
}

fn threads() -> usize {
    env(
        "SWEEP_THREADS",
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    )
}

/// The sweep runner `run_sweep_jobs` on a rayon pool of `threads` threads.
fn on_threads(threads: usize, jobs: &[sgdlab::config::RunConfig]) -> Vec<SweepPoint> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| run_sweep_jobs(jobs).unwrap())
}

/// Runs a sweep and prints one row per (protocol, mu) plus the frontier fits.
fn measure(config: &SweepConfig, fit_ranges: &[(Loss, f64, f64)]) -> Vec<SweepSummary> {
    let jobs = config.jobs().unwrap();
    let start = Instant::now();
    let points = on_threads(threads(), &jobs);
    let elapsed = start.elapsed().as_secs_f64();
    let summaries = summarise(&points);
    if let Ok(path) = std::env::var("SWEEP_POINTS_OUT") {
        let output = SweepOutput {
            points: points.clone(),
        };
        std::fs::write(path, serde_json::to_string(&output).unwrap()).unwrap();
    }
    println!(
        "d = {}, seeds {:?}, lr {:?}, max_steps {}, {} runs on {} threads in {:.1} s",
        config.model.d,
        config.seeds,
        config.lr,
        config.max_steps,
        jobs.len(),
        threads(),
        elapsed
    );
    println!("protocol     mu   mu_res  n_b        gamma      cens  median T    theta  [q1, q3]          log_d N  total samples");
    for s in &summaries {
        let total: u64 = points
            .iter()
            .filter(|p| p.protocol == s.protocol && p.mu == s.mu)
            .map(|p| p.samples)
            .sum();
        let f = |x: Option<f64>| x.map_or("cens".to_string(), |v| format!("{v:.3}"));
        println!(
            "{:<12} {:<4} {:.3}  {:<10} {:<10.4e} {:>2}/{:<2} {:<11} {:<6} [{}, {}]  {:<8} {:.2e}",
            format!("{:?}", s.protocol),
            s.mu,
            s.mu_resolved,
            s.nb,
            s.gamma,
            s.censored_runs,
            s.runs,
            s.median_steps
                .map_or("cens".to_string(), |v| format!("{v:.0}")),
            f(s.median_theta),
            f(s.theta_q1),
            f(s.theta_q3),
            f(s.median_log_samples),
            total as f64
        );
    }
    for &(protocol, lo, hi) in fit_ranges {
        if let Some(fit) = fit_frontier(&summaries, protocol, lo, hi) {
            println!(
                "{protocol:?} mu in [{lo}, {hi}]: slope {:.3} +- {:.3} (intercept {:.3}), log_d N slope {:.3}, range {:.3}, {} points",
                fit.slope, fit.slope_se, fit.intercept, fit.samples_slope, fit.samples_range, fit.points
            );
        }
    }
    summaries
}

/// The correlation-loss frontier at l = 3 with environment overrides (exploration).
#[test]
#[ignore]
fn correlation_loss_frontier_measurement() {
    let offset: u64 = env("SWEEP_SEED_OFFSET", 0);
    let config = SweepConfig {
        model: ModelSettings {
            d: env("SWEEP_D", 2048),
            sampler: std::env::var("SWEEP_SAMPLER")
                .ok()
                .map(|v| serde_json::from_value(serde_json::Value::String(v)).unwrap())
                .unwrap_or_default(),
            ..ModelSettings::default()
        },
        protocols: env_list("SWEEP_PROTOCOLS", vec![Loss::Correlation]),
        mu: env_list("SWEEP_MU", vec![0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]),
        lr: sgdlab::config::scaling::LearningRate::Optimal {
            gamma0: env("SWEEP_GAMMA0", 0.1),
        },
        seeds: (offset..offset + env("SWEEP_SEEDS", 15)).collect(),
        max_steps: env("SWEEP_MAX_STEPS", 10_000_000),
        max_samples: std::env::var("SWEEP_MAX_SAMPLES")
            .ok()
            .map(|v| v.parse::<f64>().unwrap() as u64),
        ..Default::default()
    };
    measure(
        &config,
        &[
            (Loss::Correlation, 0.5, 2.0),
            (Loss::Correlation, 0.5, 1.75),
            (Loss::Mse, 0.5, 1.5),
            (Loss::Mse, 1.75, 3.0),
        ],
    );
}

/// Plain SGD beyond mu = l/2 (He_3, optimal exponent, gamma0 = 0.01 unless SWEEP_GAMMA0):
/// the plateau's height at mu = 2.25 (CLT sampler) for d = 2^10 ... 2^18, and the exponent of
/// T against d (asymptotically l/2 - 1 = 1/2).
#[test]
#[ignore]
fn plain_sgd_plateau_across_d() {
    let gamma0 = env("SWEEP_GAMMA0", 0.01);
    let mut rows = Vec::new();
    for log2_d in (10..=18).step_by(2) {
        let d = 1u64 << log2_d;
        let config = SweepConfig {
            model: ModelSettings {
                d,
                ..ModelSettings::default()
            },
            protocols: vec![Loss::Mse],
            mu: vec![2.25],
            lr: sgdlab::config::scaling::LearningRate::Optimal { gamma0 },
            seeds: (0..env("SWEEP_SEEDS", 11)).collect(),
            max_steps: 10_000_000,
            ..Default::default()
        };
        let points = on_threads(threads(), &config.jobs().unwrap());
        let s = summarise(&points).remove(0);
        let t = s.median_steps.unwrap();
        println!(
            "d = 2^{log2_d:<2}  n_b = {:<14} sampler {}  median T = {t:<6}  T/sqrt(d) = {:.2}  theta = {:.3}  [q1 {:.3}, q3 {:.3}]",
            s.nb,
            points[0].sampler,
            t / (d as f64).sqrt(),
            s.median_theta.unwrap(),
            s.theta_q1.unwrap(),
            s.theta_q3.unwrap()
        );
        rows.push(((d as f64).ln(), t.ln()));
    }
    let xs: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let ys: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let (slope, _, se) = fit_slope(&xs, &ys);
    println!("exponent of the plateau T against d: {slope:.3} +- {se:.3}");
}
