//! The `sgdlab` command line: output schema, CSV, parallel `runs`, and error messages.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sgdlab(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgdlab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn run_prints_the_documented_json_schema() {
    let out = sgdlab(
        &["run", "-"],
        r#"{"d": 256, "batch": {"n0": 1, "mu": 1}, "loss": "correlation", "steps": 40, "seed": 3}"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "config",
        "sampler",
        "steps",
        "M",
        "Q",
        "risk",
        "weak_recovery_step",
        "diverged",
        "message",
        "risk_method",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["sampler"], "exact");
    assert_eq!(v["config"]["nb_resolved"], 256);
    assert!(v["config"]["gamma_resolved"].as_f64().unwrap() > 0.0);
    assert_eq!(v["steps"][0], 0);
    assert_eq!(v["steps"].as_array().unwrap().last().unwrap(), 40);
    assert_eq!(v["M"][0].as_array().unwrap().len(), 1);
    assert_eq!(v["diverged"], false);
    assert!(v["risk_method"].as_str().unwrap().contains("exact"));
}

#[test]
fn csv_and_out_file() {
    let dir = std::env::temp_dir().join(format!("sgdlab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.csv");
    let out = sgdlab(
        &["run", "-", "--csv", "--out", file.to_str().unwrap()],
        r#"{"d": 64, "p": 2, "steps": 10}"#,
    );
    assert!(out.status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "label,step,samples,M_1_1,M_2_1,max_M,Q_1_2,risk"
    );
    assert_eq!(lines.count(), 11);
}

#[test]
fn runs_array_runs_every_entry() {
    let config = r#"{"d": 128, "steps": 20, "runs": [{"loss": "mse"}, {"loss": "correlation", "seed": 5}, {"loss": "adaptive"}]}"#;
    let out = sgdlab(&["run", "-"], config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[1]["config"]["loss"], "correlation");
    assert_eq!(runs[1]["config"]["seed"], 5);
}

#[test]
fn invalid_configs_name_the_field_and_range() {
    let cases = [
        (r#"{"d": 100, "bogus": 1}"#, "bogus"),
        (
            r#"{"batch": {"n0": 1, "mu": 30}}"#,
            "batch.mu: must be a number in [0, 12]",
        ),
        (r#"{"p": 40}"#, "p: must be an integer in [1, 16]"),
        (
            r#"{"loss": "hinge"}"#,
            "loss: unknown variant `hinge`, expected one of `mse`, `correlation`, `adaptive`",
        ),
        (
            r#"{"init": {"kind": "overlaps", "Q": [[1]], "M": [[1.2]]}}"#,
            "init: [[Q, M], [M^T, I]] must be positive semi-definite",
        ),
        (r#"{"runs": [{"eta": 2}]}"#, "runs[0].eta"),
        ("not json", "not valid JSON"),
    ];
    for (config, expected) in cases {
        let out = sgdlab(&["run", "-"], config);
        assert_eq!(out.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{config}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn theory_prints_the_recursion_in_the_run_schema_from_the_same_start() {
    let config = r#"{"d": 1024, "loss": "correlation", "init": {"kind": "m0", "m0": 0.2}, "steps": 200, "seed": 4, "terms": {"mean_step": false}}"#;
    let out = sgdlab(&["theory", "-"], config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theory: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "config",
        "terms",
        "regime",
        "steps",
        "M",
        "Q",
        "risk",
        "weak_recovery_step",
        "diverged",
        "risk_method",
    ] {
        assert!(theory.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(theory["terms"]["mean_step"], false);
    assert_eq!(theory["terms"]["noise"], true);
    let run_config = config.replace(r#", "terms": {"mean_step": false}"#, "");
    let sim: serde_json::Value =
        serde_json::from_slice(&sgdlab(&["run", "-"], &run_config).stdout).unwrap();
    assert_eq!(
        theory["M"][0], sim["M"][0],
        "theory and simulation start from the same overlaps"
    );
    let bad = sgdlab(&["theory", "-"], r#"{"terms": {"bogus": true}}"#);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("terms.bogus"));
}

#[test]
fn sweep_prints_points_and_is_deterministic() {
    let config = r#"{"d": 128, "protocols": ["correlation"], "mu": [1, 1.5], "seeds": [0, 1], "max_steps": 20000}"#;
    let first = sgdlab(&["sweep", "-"], config);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    for key in [
        "protocol",
        "mu",
        "nb",
        "gamma",
        "seed",
        "weak_recovery_step",
        "samples",
        "sampler",
    ] {
        assert!(points[0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(points[0]["nb"], 128);
    let again = sgdlab(&["sweep", "-"], config);
    assert_eq!(
        first.stdout, again.stdout,
        "same seeds, same points, whatever the thread schedule"
    );
    let csv = sgdlab(&["sweep", "-", "--csv"], config);
    assert_eq!(String::from_utf8_lossy(&csv.stdout).lines().count(), 5);
    let bad = sgdlab(&["sweep", "-"], r#"{"mu": [1, 99]}"#);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("mu"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
