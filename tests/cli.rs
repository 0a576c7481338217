//! The `sgdlab` command line: output schema, CSV, parallel `runs`, and error messages.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli_support;
use cli_support::sgdlab;

use std::io::Write;
use std::process::{Command, Stdio};

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
            r#"loss: expected "mse", "correlation" or "adaptive", got "hinge""#,
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

/// A scratch directory for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sgdlab-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn runs_stream_in_order_and_match_the_single_runs() {
    // more runs than threads, so several chunks are written one after the other
    let runs: Vec<String> = (0..7)
        .map(|s| format!(r#"{{"seed": {s}, "steps": 5}}"#))
        .collect();
    let config = format!(r#"{{"d": 64, "p": 2, "runs": [{}]}}"#, runs.join(", "));
    let out = sgdlab(&["run", "-"], &config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v["runs"].as_array().unwrap();
    assert_eq!(list.len(), 7);
    for (s, run) in list.iter().enumerate() {
        assert_eq!(run["config"]["seed"], s);
        let single = sgdlab(
            &["run", "-"],
            &format!(r#"{{"d": 64, "p": 2, "seed": {s}, "steps": 5}}"#),
        );
        let single: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
        assert_eq!(run, &single, "run {s}");
    }
    let csv = sgdlab(&["run", "-", "--csv"], &config);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert_eq!(text.lines().count(), 1 + 7 * 6);
    assert!(text.lines().nth(1).unwrap().starts_with("run0_mse,"));
    assert!(text.lines().last().unwrap().starts_with("run6_mse,5,"));
}

#[test]
fn runs_lists_are_bounded_and_fail_before_copying_shared_keys() {
    // a huge shared init.Q is reported once, by its own path, before any run is built
    let q: Vec<String> = (0..100_000).map(|_| "[1]".to_string()).collect();
    let runs: Vec<String> = (0..400).map(|s| format!(r#"{{"seed": {s}}}"#)).collect();
    let config = format!(
        r#"{{"init": {{"kind": "overlaps", "Q": [{}], "M": [[0.1]]}}, "runs": [{}]}}"#,
        q.join(","),
        runs.join(",")
    );
    let start = std::time::Instant::now();
    let out = sgdlab(&["run", "-"], &config);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: init.Q: must be a 1 x 1 matrix"),
        "{stderr}"
    );
    assert!(stderr.contains("(a shared key, in runs[0])"), "{stderr}");
    assert!(stderr.len() < 1000, "{stderr}");
    assert!(start.elapsed().as_secs() < 20);
    // too many runs
    let runs = vec!["{}"; 10_001].join(",");
    let out = sgdlab(&["run", "-"], &format!(r#"{{"runs": [{runs}]}}"#));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("runs: has 10001 entries; at most 10000"),
        "{stderr}"
    );
    // a run whose recorded trajectory alone would not fit the recording bound
    let out = sgdlab(
        &["run", "-"],
        r#"{"p": 16, "k": 8, "d": 100, "steps": 1000000000, "record_points": 1000000}"#,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: record_points: must be an integer in [16, 10459] at p = 16, k = 8"),
        "{stderr}"
    );
    // shared keys are type-checked once, without a runs[i] prefix; overrides with it
    let out = sgdlab(&["run", "-"], r#"{"steps": "10", "runs": [{}, {}]}"#);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(r#"error: steps: expected a whole number in [1, 1e9], got "10""#),
        "{stderr}"
    );
    let out = sgdlab(&["run", "-"], r#"{"runs": [{}, {"batch": [1, 0.5]}]}"#);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: runs[1].batch: expected an object like"),
        "{stderr}"
    );
}

#[test]
fn the_output_is_opened_before_computing() {
    // a sweep that would take minutes fails at once on a bad output path
    let start = std::time::Instant::now();
    let out = sgdlab(
        &["sweep", "-", "-o", "/nonexistent/dir/x.json"],
        r#"{"d": 4096, "mu": [0.5], "seeds": [0, 1, 2, 3], "max_steps": 1000000000}"#,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write /nonexistent/dir/x.json"),
        "{stderr}"
    );
    assert!(start.elapsed().as_secs() < 10);
    for command in ["run", "theory"] {
        let out = sgdlab(
            &[command, "-", "-o", "/nonexistent/dir/x.json"],
            r#"{"d": 64, "steps": 5}"#,
        );
        assert_eq!(out.status.code(), Some(1), "{command}");
    }
    // invalid configs are still reported as such (status 2), and leave no file behind
    let dir = scratch("open-first");
    let file = dir.join("bad.json");
    let out = sgdlab(&["run", "-", "-o", file.to_str().unwrap()], r#"{"p": 99}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(!file.exists());
}

#[cfg(unix)]
#[test]
fn a_closed_or_broken_standard_output_is_an_error() {
    use std::os::unix::process::CommandExt;
    let dir = scratch("closed-stdout");
    let config = dir.join("cfg.json");
    std::fs::write(&config, r#"{"d": 64, "steps": 5}"#).unwrap();
    for command in ["run", "theory"] {
        // `sgdlab run cfg.json >&-`
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sgdlab"));
        cmd.args([command, config.to_str().unwrap()])
            .stderr(Stdio::piped());
        // SAFETY: close(2) is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                extern "C" {
                    fn close(fd: i32) -> i32;
                }
                close(1);
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("standard output"), "{stderr}");
    }
    // a pipe whose reader has gone (EPIPE): a long CSV into a closed pipe
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgdlab"))
        .args(["run", "-", "--csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"d": 64, "p": 16, "k": 8, "steps": 3000, "record_points": 10000}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
}

#[test]
fn every_entry_point_reads_json_strictly() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["run", "-"],
            r#"{"d": 64, "d": 128}"#,
            "error: d: is given twice",
        ),
        (
            &["run", "-"],
            r#"{"runs": [{"seed": 1, "seed": 2}]}"#,
            "error: runs[0].seed: is given twice",
        ),
        (
            &["run", "-"],
            r#"{"init": {"kind": "warm", "kind": "cold"}}"#,
            "error: init.kind: is given twice",
        ),
        (
            &["theory", "-"],
            r#"{"steps": 5, "steps": 6}"#,
            "error: steps: is given twice",
        ),
        (
            &["theory", "-"],
            r#"{"terms": {"noise": true, "noise": false}}"#,
            "error: terms.noise: is given twice",
        ),
        (
            &["sweep", "-"],
            r#"{"seeds": [1], "seeds": [2]}"#,
            "error: seeds: is given twice",
        ),
        (
            &["run", "-"],
            r#"{"batch": [1, 0.5]}"#,
            "error: batch: expected an object like",
        ),
        (
            &["run", "-"],
            r#"{"batch": [1, 0.5, 7]}"#,
            "error: batch: expected an object like",
        ),
        (
            &["run", "-"],
            r#"{"init": ["m0", 0.5]}"#,
            "error: init: expected an object like",
        ),
        (
            &["run", "-"],
            r#"{"lr": ["optimal", 0.5]}"#,
            "error: lr: expected an object like {\"policy\": \"optimal\", \"gamma0\": 0.01}",
        ),
        (
            &["sweep", "-"],
            r#"{"lr": ["optimal", 0.5]}"#,
            "error: lr: expected an object like",
        ),
        (
            &["theory", "-"],
            r#"{"adaptive": [0.5, 0.9, 0.1]}"#,
            "error: adaptive: expected an object like",
        ),
        (
            &["run", "-"],
            r#"{"target": "HE3"}"#,
            "error: target: expected a link name",
        ),
        (
            &["run", "-"],
            r#"{"target": " he3"}"#,
            "error: target: expected a link name",
        ),
        (
            &["run", "-"],
            r#"{"target": "he+3"}"#,
            "error: target: expected a link name",
        ),
        (
            &["run", "-"],
            r#"{"activation": "he03"}"#,
            "error: activation: expected a link name",
        ),
        (
            &["sweep", "-"],
            r#"{"target": "Tanh_Product"}"#,
            "error: target: expected a link name",
        ),
        (&["run", "-"], r#"{"loss": "MSE"}"#, "error: loss: expected"),
        (
            &["run", "-"],
            r#"{garbage}"#,
            "error: (document): not valid JSON at line 1, column 2",
        ),
        (
            &["run", "-"],
            "{\n  \"d\": 64,\n  \"p\": }",
            "error: (document): not valid JSON at line 3, column",
        ),
        (
            &["theory", "-"],
            r#"{"d": 64"#,
            "error: (document): not valid JSON at line 1",
        ),
        (
            &["sweep", "-"],
            r#"{"d": 64} x"#,
            "error: (document): not valid JSON at line 1, column 11: trailing characters",
        ),
        (
            &["run", "-"],
            "[1, 2]",
            "error: (document): must be a JSON object",
        ),
        (
            &["run", "-"],
            r#"{"steps": 1.5}"#,
            "error: steps: expected a whole number in [1, 1e9], got 1.5",
        ),
        (
            &["run", "-"],
            r#"{"steps": -3}"#,
            "error: steps: expected a whole number in [1, 1e9], got -3",
        ),
        (
            &["run", "-"],
            r#"{"lr": {"policy": "best"}}"#,
            "error: lr.policy: expected \"fixed\", \"optimal\" or \"authors\", got \"best\"",
        ),
        (
            &["run", "-"],
            r#"{"lr": {"policy": "optimal"}}"#,
            "error: lr.gamma0: is required: expected a number",
        ),
        (
            &["run", "-"],
            r#"{"lr": {"policy": "optimal", "gamma0": "big"}}"#,
            "error: lr.gamma0: expected a number in [1e-300, 1e12], got \"big\"",
        ),
        (
            &["run", "-"],
            r#"{"p": "two"}"#,
            "error: p: expected a whole number in [1, 16], got \"two\"",
        ),
        (
            &["sweep", "-"],
            r#"{"seeds": [1, "x"]}"#,
            "error: seeds[1]: expected a whole number, got \"x\"",
        ),
        (
            &["run", "-"],
            r#"{"init": {"kind": "overlaps", "Q": [[1, "a"]], "M": [[0]]}}"#,
            "error: init.Q[0][1]: expected a number, got \"a\"",
        ),
        (
            &["run", "-"],
            r#"{"stop_at_recovery": 1}"#,
            "error: stop_at_recovery: expected true or false, got 1",
        ),
    ];
    for (args, config, expected) in cases {
        let out = sgdlab(args, config);
        assert_eq!(out.status.code(), Some(2), "{args:?} {config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?} {config}: {stderr}");
        assert!(!stderr.contains("error: ?"), "{stderr}");
    }
    // the canonical spellings still work
    let out = sgdlab(
        &["run", "-"],
        r#"{"d": 64, "target": "he3n", "activation": "he2", "steps": 3}"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn echoed_values_are_cut() {
    let long = "x".repeat(5_000_000);
    for (args, config) in [
        (["run", "-"], format!(r#"{{"target": "{long}"}}"#)),
        (["run", "-"], format!(r#"{{"{long}": 1}}"#)),
        (["run", "-"], format!(r#"{{"steps": "{long}"}}"#)),
        (["theory", "-"], format!(r#"{{"loss": "{long}"}}"#)),
        (["sweep", "-"], format!(r#"{{"protocols": ["{long}"]}}"#)),
        (
            ["run", "-"],
            format!(r#"{{"runs": [{{"lr": {{"policy": "{long}"}}}}]}}"#),
        ),
    ] {
        let out = sgdlab(&args, &config);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.len() < 1000,
            "{} bytes: {}",
            stderr.len(),
            &stderr[..300]
        );
        assert!(stderr.contains("xxxxxxxxxx…"), "{stderr}");
    }
}

#[test]
fn huge_sweeps_are_refused_fast() {
    let seeds: Vec<String> = (0..1_000_001).map(|s| s.to_string()).collect();
    let config = format!(
        r#"{{"protocols": ["mse"], "mu": [1], "seeds": [{}]}}"#,
        seeds.join(",")
    );
    let start = std::time::Instant::now();
    let out = sgdlab(&["sweep", "-"], &config);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: seeds: the sweep has 1000001 runs"),
        "{stderr}"
    );
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    // a million distinct seeds are checked for repeats in linear time
    let mut seeds: Vec<String> = (0..1_000_000).map(|s| s.to_string()).collect();
    seeds[999_999] = "5".into();
    let config = format!(
        r#"{{"protocols": ["mse"], "mu": [1], "seeds": [{}]}}"#,
        seeds.join(",")
    );
    let start = std::time::Instant::now();
    let out = sgdlab(&["sweep", "-"], &config);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: seeds[999999]: 5 is listed twice"),
        "{stderr}"
    );
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
