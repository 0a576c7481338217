//! `sgdlab sweep --shard I/N` and `sgdlab merge`: the shards of a sweep, merged in any order,
//! give exactly (byte for byte) the output of the unsharded sweep; bad shard specs and bad
//! merges are refused with messages naming the flag or the file.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli_support;
use cli_support::sgdlab;

use std::path::{Path, PathBuf};

/// A small sweep with every kind of point: recovered, censored (mse at mu = 0 with few steps),
/// two protocols, several seeds, a max_samples cap.
const SWEEP: &str = r#"{"d": 64, "protocols": ["mse", "correlation"], "mu": [0, 0.5, 1, 1.5], "seeds": [1, 2, 3], "max_steps": 3000, "max_samples": 200000}"#;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sgdlab-shard-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_ok(args: &[&str], stdin: &str) -> Vec<u8> {
    let out = sgdlab(args, stdin);
    assert!(
        out.status.success(),
        "sgdlab {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn shard_file(dir: &Path, shard: &str) -> String {
    shard_file_of(dir, shard, SWEEP)
}

fn shard_file_of(dir: &Path, shard: &str, sweep: &str) -> String {
    let path = dir.join(format!("shard-{}.json", shard.replace('/', "-of-")));
    let path = path.to_str().unwrap().to_string();
    run_ok(&["sweep", "-", "--shard", shard, "--out", &path], sweep);
    path
}

/// A sweep over three d (one of them censored for mse at mu = 0).
const D_SWEEP: &str = r#"{"d": [32, 64, 128], "protocols": ["mse", "correlation"], "mu": [0, 1], "seeds": [1, 2], "max_steps": 3000, "max_samples": 200000}"#;

#[test]
fn merged_shards_of_a_sweep_over_d_equal_one_sweep() {
    let whole = run_ok(&["sweep", "-"], D_SWEEP);
    let parsed: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    let points = parsed["points"].as_array().unwrap();
    assert_eq!(points.len(), 3 * 2 * 2 * 2);
    // protocol, then d, then mu, then seed
    let ds: Vec<u64> = points.iter().map(|p| p["d"].as_u64().unwrap()).collect();
    assert_eq!(
        &ds[..12],
        &[32, 32, 32, 32, 64, 64, 64, 64, 128, 128, 128, 128]
    );
    assert_eq!(parsed["config"]["d"], serde_json::json!([32, 64, 128]));
    assert_eq!(parsed["summaries"].as_array().unwrap().len(), 2 * 3 * 2);
    assert_eq!(parsed["d_scaling"].as_array().unwrap().len(), 2 * 2);
    let dir = scratch("merge-d");
    for n in [2usize, 5, 24] {
        let mut files: Vec<String> = (1..=n)
            .map(|i| shard_file_of(&dir, &format!("{i}/{n}"), D_SWEEP))
            .collect();
        files.rotate_left(1);
        let mut args = vec!["merge"];
        args.extend(files.iter().map(String::as_str));
        let merged = run_ok(&args, "");
        assert!(merged == whole, "{n} shards of the d sweep merged differ");
    }
    let csv = String::from_utf8(run_ok(&["sweep", "-", "--csv"], D_SWEEP)).unwrap();
    assert!(csv.starts_with("protocol,mu,nb,"), "{csv}");
    assert!(csv.lines().next().unwrap().ends_with(",diverged,d"));
    assert!(csv.lines().nth(1).unwrap().ends_with(",32"));
}

#[test]
fn merged_shards_equal_one_sweep_byte_for_byte() {
    let whole = run_ok(&["sweep", "-"], SWEEP);
    let parsed: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    let points = parsed["points"].as_array().unwrap();
    assert_eq!(points.len(), 2 * 4 * 3);
    assert!(points.iter().any(|p| p["censored"] == true));
    assert!(points.iter().any(|p| p["censored"] == false));
    let dir = scratch("merge");
    for n in [1usize, 2, 3, 24] {
        let mut files: Vec<String> = (1..=n)
            .map(|i| shard_file(&dir, &format!("{i}/{n}")))
            .collect();
        // shards of round-robin: shard i holds jobs i-1, i-1+n, ...
        let first: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
        assert_eq!(first["shard"]["count"], n);
        assert_eq!(first["jobs"], 24);
        assert_eq!(
            first["points"].as_array().unwrap().len(),
            24usize.div_ceil(n)
        );
        assert_eq!(first["points"][0], points[0]);
        if n < 24 {
            assert_eq!(first["points"][1], points[n]);
        }
        files.reverse();
        let mut args = vec!["merge"];
        args.extend(files.iter().map(String::as_str));
        let merged = run_ok(&args, "");
        assert!(
            merged == whole,
            "{n} shards merged differ from the sweep:\n{}\n{}",
            String::from_utf8_lossy(&merged),
            String::from_utf8_lossy(&whole)
        );
    }
    // CSV of the merge = CSV of the sweep
    let files: Vec<String> = (1..=2)
        .map(|i| shard_file(&dir, &format!("{i}/2")))
        .collect();
    let merged_csv = run_ok(&["merge", &files[0], &files[1], "--csv"], "");
    assert_eq!(merged_csv, run_ok(&["sweep", "-", "--csv"], SWEEP));
}

#[test]
fn bad_shard_specs_name_the_flag_and_range() {
    for spec in ["0/2", "3/2", "a/b", "1", "1/0", "-1/2", "2/1", ""] {
        let flag = format!("--shard={spec}");
        let out = sgdlab(&["sweep", "-", &flag], SWEEP);
        assert_eq!(out.status.code(), Some(2), "{spec}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--shard") && err.contains("1 <= I <= N"),
            "{spec}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = sgdlab(&["sweep", "-", "--shard", "1/25"], SWEEP);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("--shard: 1/25") && err.contains("24 jobs"),
        "{err}"
    );
}

#[test]
fn merge_refuses_incomplete_repeated_or_foreign_shards() {
    let dir = scratch("refuse");
    let a = shard_file(&dir, "1/3");
    let b = shard_file(&dir, "2/3");
    let err = |args: &[&str]| {
        let out = sgdlab(args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(err(&["merge", &a, &b]).contains("missing shard(s) 3/3"));
    let twice = err(&["merge", &a, &a, &b]);
    assert!(twice.contains("shard 1/3 is given twice"), "{twice}");
    // a shard of another sweep (other seeds)
    let other = dir.join("other.json");
    let other = other.to_str().unwrap();
    run_ok(
        &["sweep", "-", "--shard", "3/3", "--out", other],
        &SWEEP.replace("[1, 2, 3]", "[4, 5, 6]"),
    );
    let foreign = err(&["merge", &a, &b, other]);
    assert!(
        foreign.contains("not a shard of the same sweep"),
        "{foreign}"
    );
    // a file that is not a shard output
    let plain = dir.join("plain.json");
    std::fs::write(&plain, run_ok(&["sweep", "-"], SWEEP)).unwrap();
    let plain = plain.to_str().unwrap();
    assert!(err(&["merge", plain]).contains("not the output of sgdlab sweep --shard"));
    // a tampered point (another seed) is caught against its job
    let text = std::fs::read_to_string(&b).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["points"][0]["seed"] = serde_json::json!(99);
    let tampered = dir.join("tampered.json");
    std::fs::write(&tampered, v.to_string()).unwrap();
    let c = shard_file(&dir, "3/3");
    let msg = err(&["merge", &a, tampered.to_str().unwrap(), &c]);
    assert!(
        msg.contains("points[1]") && msg.contains("seed 99"),
        "{msg}"
    );
}

/// A sweep over two second-layer weights (the `a0` axis).
const A0_SWEEP: &str = r#"{"d": 64, "a0": [1, 0.1], "protocols": ["mse", "correlation"], "mu": [0.5, 1], "seeds": [1, 2], "max_steps": 3000}"#;

#[test]
fn merged_shards_of_a_sweep_over_a0_equal_one_sweep() {
    let whole = run_ok(&["sweep", "-"], A0_SWEEP);
    let parsed: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    let points = parsed["points"].as_array().unwrap();
    assert_eq!(points.len(), 2 * 2 * 2 * 2);
    // protocol, then a0, then mu, then seed
    let a0: Vec<f64> = points.iter().map(|p| p["a0"].as_f64().unwrap()).collect();
    assert_eq!(&a0[..8], &[1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1]);
    assert_eq!(parsed["config"]["a0"], serde_json::json!([1.0, 0.1]));
    assert_eq!(parsed["summaries"].as_array().unwrap().len(), 2 * 2 * 2);
    let dir = scratch("merge-a0");
    for n in [3usize, 16] {
        let mut files: Vec<String> = (1..=n)
            .map(|i| shard_file_of(&dir, &format!("{i}/{n}"), A0_SWEEP))
            .collect();
        files.reverse();
        let mut args = vec!["merge"];
        args.extend(files.iter().map(String::as_str));
        assert!(
            run_ok(&args, "") == whole,
            "{n} shards of the a0 sweep merged differ"
        );
    }
    let csv = String::from_utf8(run_ok(&["sweep", "-", "--csv"], A0_SWEEP)).unwrap();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with(",mu_resolved,a0,diverged,d"));
    assert!(
        csv.lines().nth(5).unwrap().ends_with(",0.1,false,64"),
        "{csv}"
    );
}

/// A shard written before the a0 axis (its points have no `a0`) still merges: its points read as
/// a0 = 1, the default weight. At another `second_layer.a0` the same file is refused by name.
#[test]
fn shards_without_a0_on_their_points_merge() {
    let dir = scratch("merge-old");
    let strip = |path: &str| -> String {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for p in v["points"].as_array_mut().unwrap() {
            assert!(p.as_object_mut().unwrap().remove("a0").is_some());
        }
        let old = format!("{path}.old.json");
        std::fs::write(&old, serde_json::to_string(&v).unwrap()).unwrap();
        old
    };
    let whole = run_ok(&["sweep", "-"], SWEEP);
    let files: Vec<String> = (1..=2)
        .map(|i| strip(&shard_file(&dir, &format!("{i}/2"))))
        .collect();
    let merged = run_ok(&["merge", &files[0], &files[1]], "");
    assert!(merged == whole, "old shards merged differ from the sweep");
    // a sweep at a0 = 0.5: the points without a0 read as 1 and are refused, naming the point
    let half = SWEEP.replacen('{', r#"{"second_layer": {"a0": 0.5}, "#, 1);
    let files: Vec<String> = (1..=2)
        .map(|i| strip(&shard_file_of(&dir, &format!("{i}/2"), &half)))
        .collect();
    let out = sgdlab(&["merge", &files[0], &files[1]], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("points[0]") && err.contains("a0 0.5"), "{err}");
}
