//! The stoppable runners of `sgdlab::host` (used by the Python package) give exactly the
//! results of the CLI's runners, for every sampler, and stop when cancelled; the sweep plan
//! reassembles points from any runner into the CLI's output.
#![cfg(not(target_arch = "wasm32"))]

use sgdlab::config::RunConfig;
use sgdlab::host::{run_cancellable, run_job_cancellable, run_jobs_cancellable};
use sgdlab::simulation::Simulation;
use sgdlab::sweep::{run_resolved, run_resolved_jobs};
use sgdlab::sweep_shard::{Shard, SweepPlan};
use std::sync::atomic::AtomicBool;

fn config(json: &str) -> sgdlab::config::ResolvedConfig {
    RunConfig::from_json(json).unwrap().resolve().unwrap()
}

#[test]
fn sliced_runs_equal_run_to_end_bit_for_bit() {
    let go = AtomicBool::new(false);
    for json in [
        r#"{"d": 256, "p": 2, "k": 2, "loss": "correlation", "steps": 400, "seed": 3}"#,
        // batches far above one slice's budget: split across calls
        r#"{"d": 1024, "nb": 200000, "steps": 6, "sampler": "exact", "seed": 1}"#,
        r#"{"d": 512, "nb": 3000, "steps": 20, "sampler": "full", "seed": 2}"#,
        // clt: whole steps only (one Gaussian per call)
        r#"{"d": 1024, "nb": 1e8, "steps": 30, "sampler": "clt", "seed": 4}"#,
        r#"{"d": 128, "loss": "adaptive", "steps": 300, "seed": 5}"#,
    ] {
        let a = run_cancellable(config(json), &go).expect("not cancelled");
        let b = Simulation::from_resolved(config(json)).run_to_end();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap(),
            "{json}"
        );
    }
}

#[test]
fn cancelled_runs_return_none() {
    let stop = AtomicBool::new(true);
    let long = r#"{"d": 1024, "nb": 1e6, "steps": 100000, "sampler": "exact"}"#;
    assert!(run_cancellable(config(long), &stop).is_none());
    assert!(run_job_cancellable(config(long), &stop).is_none());
    assert!(run_jobs_cancellable(vec![config(long), config(long)], &stop).is_none());
}

#[test]
fn cancellable_jobs_and_the_plan_give_the_cli_sweep() {
    let plan = SweepPlan::from_json(
        r#"{"d": 64, "mu": [0.5, 1, 1.5], "seeds": [1, 2], "max_steps": 4000}"#,
    )
    .unwrap();
    let go = AtomicBool::new(false);
    let sliced = run_jobs_cancellable(plan.jobs.clone(), &go).unwrap();
    let plain = run_resolved_jobs(plan.jobs.clone());
    assert_eq!(sliced, plain);
    assert_eq!(
        run_job_cancellable(plan.jobs[3].clone(), &go).unwrap(),
        run_resolved(plan.jobs[3].clone())
    );
    let report = plan.report(sliced.clone()).unwrap();
    assert_eq!(report.points, plain);
    assert_eq!(report.summaries, sgdlab::sweep::summarise(&plain));
    // points out of order are refused, naming the first misplaced one
    let mut swapped = sliced;
    swapped.swap(0, 1);
    let e = plan.report(swapped).unwrap_err();
    assert_eq!(e.field, "points[0]");
    assert!(
        e.message.contains("seed 2") && e.message.contains("seed 1"),
        "{e}"
    );
    let e = plan.report(plain[..3].to_vec()).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        ("points", "the sweep has 12 jobs, got 3 points")
    );
}

#[test]
fn shards_are_round_robin_and_specs_are_checked() {
    let s: Shard = "2/3".parse().unwrap();
    assert_eq!((s.index, s.count), (2, 3));
    assert_eq!(
        (0..9).filter(|&i| s.contains(i)).collect::<Vec<_>>(),
        vec![1, 4, 7]
    );
    assert_eq!(s.to_string(), "2/3");
    for bad in ["0/2", "3/2", "a/b", "1/0", "2", "1/2/3", " /2", "1/1000001"] {
        let e = bad.parse::<Shard>().unwrap_err();
        assert_eq!(e.field, "--shard", "{bad}");
        assert!(e.message.contains("1 <= I <= N <= 1000000"), "{bad}: {e}");
    }
    assert_eq!(
        " 1 / 2 ".parse::<Shard>().unwrap(),
        Shard { index: 1, count: 2 }
    );
}
