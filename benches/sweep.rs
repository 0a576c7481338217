//! Sweep throughput: the same batch-size sweep (`run_sweep_jobs`) on rayon pools of 1 and of N
//! threads (N = all cores), with the speed-up. Run: `cargo bench --bench sweep` (figures go to BENCHMARKS.md).
//! Under `cargo test --all-targets` (no `--bench` argument) it runs a small smoke version.
//!
//! Workload: He_3, correlation loss, d = 1024, mu in {0.5, 0.75, ..., 2}, gamma0 = 0.01 at the
//! optimal exponent, 11 seeds: 77 jobs of about 5 x 10^6 samples each (the sample complexity
//! is flat in mu, so the jobs are of similar size).

use sgdlab::config::scaling::LearningRate;
use sgdlab::config::ModelSettings;
use sgdlab::model::Loss;
use sgdlab::sweep::{run_sweep_jobs, SweepConfig};
use std::time::Instant;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let config = SweepConfig {
        model: ModelSettings {
            d: if full { 1024 } else { 256 },
            ..ModelSettings::default()
        },
        protocols: vec![Loss::Correlation],
        mu: vec![0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0],
        lr: LearningRate::Optimal { gamma0: 0.01 },
        seeds: (0..if full { 11 } else { 2 }).collect(),
        max_steps: 10_000_000,
        ..Default::default()
    };
    let jobs = config.jobs().unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1];
    if cores > 1 {
        counts.push(cores);
    }
    println!(
        "sweep: d = {}, {} jobs (correlation loss, 7 mu x {} seeds), {} cores",
        config.model.d,
        jobs.len(),
        config.seeds.len(),
        cores
    );
    println!("threads  wall (s)  speed-up  samples/s");
    let mut reference: Option<(f64, Vec<_>)> = None;
    for &threads in &counts {
        let start = Instant::now();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let points = pool.install(|| run_sweep_jobs(&jobs)).unwrap();
        let wall = start.elapsed().as_secs_f64();
        let samples: u64 = points.iter().map(|p| p.samples).sum();
        let speedup = reference.as_ref().map_or(1.0, |(t1, _)| t1 / wall);
        println!(
            "{threads:>7}  {wall:>8.2}  {speedup:>8.2}  {:.3e}",
            samples as f64 / wall
        );
        match &reference {
            Some((_, first)) => assert_eq!(first, &points, "threaded sweep differs"),
            None => reference = Some((wall, points)),
        }
    }
}
