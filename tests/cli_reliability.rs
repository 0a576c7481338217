//! The `sgdlab` command line on expensive and meaningless settings: the cost budget and
//! `--force`, `estimated_cost` and `warnings` in the outputs.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli_support;
use cli_support::sgdlab;

use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn runs_above_the_budget_are_refused_naming_the_fields() {
    // n_b = 10^10 with the exact sampler: > 20 s per step, 10^3 steps
    let config = r#"{"nb": 1e10, "sampler": "exact", "steps": 1000}"#;
    let out = sgdlab(&["run", "-"], config);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("error: nb, steps, sampler:"), "{e}");
    assert!(e.contains("--force"), "{e}");
    // in a runs list the entry is named
    let out = sgdlab(
        &["run", "-"],
        r#"{"steps": 10, "runs": [{}, {"nb": 1e10, "sampler": "exact", "steps": 1000}]}"#,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("runs[1].nb, steps, sampler"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn theory_above_the_budget_is_refused() {
    let out = sgdlab(
        &["theory", "-"],
        r#"{"p": 16, "k": 8, "d": 4096, "steps": 100000}"#,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: p, k, steps:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sweeps_above_the_budget_are_refused() {
    let out = sgdlab(
        &["sweep", "-"],
        r#"{"d": 1024, "mu": [2.5], "sampler": "exact", "seeds": [0, 1, 2], "max_steps": 100000000}"#,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("max_steps"), "{}", stderr(&out));
    // an affordable sweep reports its worst-case cost
    let out = sgdlab(
        &["sweep", "-"],
        r#"{"d": 256, "mu": [1], "protocols": ["correlation"], "seeds": [0], "max_steps": 50}"#,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["estimated_cost"]["samples"], 50.0 * 256.0);
}

#[test]
fn force_runs_a_config_above_the_budget() {
    // 10^9 steps are far above the budget, but this run stops at once (recovered at step 0)
    let config =
        r#"{"steps": 1000000000, "stop_at_recovery": true, "init": {"kind": "m0", "m0": 0.9}}"#;
    let refused = sgdlab(&["run", "-"], config);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("nb, steps, sampler"),
        "{}",
        stderr(&refused)
    );
    let out = sgdlab(&["run", "--force", "-"], config);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["steps_done"], 1);
    assert!(v["estimated_cost"]["operations"].as_f64().unwrap() > 1e12);
}

#[test]
fn force_runs_anyway_and_outputs_carry_cost_and_warnings() {
    // a huge learning rate: finite numbers, a random walk, and a warning naming gamma
    let config = r#"{"gamma": 1e12, "steps": 5}"#;
    let out = sgdlab(&["run", "--force", "-"], config);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].as_str().unwrap().contains("gamma = 1e12"));
    assert!(
        stderr(&out).contains("warning: noise-dominated"),
        "{}",
        stderr(&out)
    );
    assert!(v["estimated_cost"]["seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(v["estimated_cost"]["samples"], 5.0 * 1024.0);
    // theory: same keys
    let out = sgdlab(&["theory", "-"], config);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(v["estimated_cost"]["samples"], 0.0);
    // the default config: no warning; each entry of a runs list has its own
    let out = sgdlab(
        &["run", "-"],
        r#"{"steps": 5, "runs": [{}, {"gamma": 1e12}]}"#,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["runs"][0]["warnings"].as_array().unwrap().is_empty());
    assert_eq!(v["runs"][1]["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn clt_below_its_minimum_batch_is_an_error_naming_sampler() {
    let out = sgdlab(&["run", "-"], r#"{"nb": 1, "sampler": "clt", "steps": 3}"#);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("error: sampler:"), "{e}");
    assert!(e.contains("[4096, 1e13]"), "{e}");
}
