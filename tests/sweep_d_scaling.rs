//! Sweeps over d (`"d": [...]`): parsing and validation of the list, jobs at each d, shards,
//! and the d-scaling fit T = C d^theta recovering the He_3 plain-SGD exponent at mu = 1.

use sgdlab::config::ModelSettings;
use sgdlab::model::Loss;
use sgdlab::sweep::*;
use sgdlab::sweep_shard::{merge_shards, Shard, ShardOutput, SweepPlan};

fn error(json: &str) -> (String, String) {
    let e = match SweepConfig::from_json(json).and_then(|c| c.jobs()) {
        Ok(_) => panic!("{json} should be refused"),
        Err(e) => e,
    };
    (e.field, e.message)
}

#[test]
fn a_d_list_is_read_validated_and_written_back() {
    let c = SweepConfig::from_json(r#"{"d": [256, 1024, 4096], "mu": [1], "seeds": [0]}"#).unwrap();
    assert_eq!(c.d_list, Some(vec![256, 1024, 4096]));
    assert_eq!(c.dimensions(), [256, 1024, 4096]);
    let json = serde_json::to_string(&c).unwrap();
    assert!(
        json.starts_with(r#"{"d":[256,1024,4096],"p":1,"k":1,"#),
        "{json}"
    );
    assert_eq!(json.matches("\"d\"").count(), 1, "{json}");
    assert_eq!(SweepConfig::from_json(&json).unwrap(), c);
    // a number stays a number, written where it always was
    let one = SweepConfig::from_json(r#"{"d": 512}"#).unwrap();
    assert_eq!((one.d_list.clone(), one.model.d), (None, 512));
    let json = serde_json::to_string(&one).unwrap();
    assert!(json.starts_with(r#"{"d":512,"p":1,"#), "{json}");
    assert_eq!(SweepConfig::from_json(&json).unwrap(), one);
    // a run config still takes only a number
    let e = sgdlab::config::RunConfig::from_json(r#"{"d": [256, 512]}"#).unwrap_err();
    assert_eq!(e.field, "d");
    assert!(
        e.message.contains("expected a whole number"),
        "{}",
        e.message
    );

    let seventeen: Vec<String> = (0..17).map(|i| (64 + i).to_string()).collect();
    let seventeen = format!(r#"{{"d": [{}]}}"#, seventeen.join(", "));
    let cases: Vec<(&str, &str, &str)> = vec![
        (r#"{"d": []}"#, "d", "1 to 16 entries, got 0"),
        (&seventeen, "d", "1 to 16 entries, got 17"),
        (r#"{"d": [256, 512, 2]}"#, "d[2]", "[4, 1000000000]"),
        (r#"{"d": [256, 2000000000]}"#, "d[1]", "[4, 1000000000]"),
        (
            r#"{"p": 4, "d": [64, 8]}"#,
            "d[1]",
            "[10, 1000000000] (at least 2(p + k))",
        ),
        (r#"{"d": [256, 512, 256]}"#, "d[2]", "256 is listed twice"),
        (
            r#"{"d": [256, 512.5]}"#,
            "d[1]",
            "expected a whole number in [4, 1000000000]",
        ),
        (r#"{"d": [256, -1]}"#, "d[1]", "expected a whole number"),
        (r#"{"d": "256"}"#, "d", "or a list of 1 to 16 of them"),
        (r#"{"d": {"a": 1}}"#, "d", "or a list of 1 to 16 of them"),
        // the job count includes the dimensions
        (
            r#"{"d": [64, 128, 256, 512], "mu": [0, 0.1, 0.2, 0.3, 0.4], "seeds": [0], "protocols": ["mse"], "max_steps": 1}"#,
            "",
            "",
        ),
        // a per-d limit names the entry
        (
            r#"{"sampler": "full", "d": [1024, 8000000], "mu": [1]}"#,
            "sampler",
            "d[1] = 8000000",
        ),
    ];
    for (json, field, message) in cases {
        if field.is_empty() {
            assert_eq!(
                SweepConfig::from_json(json).unwrap().jobs().unwrap().len(),
                20
            );
            continue;
        }
        let (f, m) = error(json);
        assert_eq!(f, field, "{json}: {f}: {m}");
        assert!(m.contains(message), "{json}: {f}: {m}");
    }
    // the job bound counts d x protocols x mu x seeds
    let seeds: Vec<String> = (0..125_001).map(|s| s.to_string()).collect();
    let big = format!(
        r#"{{"d": [64, 128, 256, 512], "protocols": ["mse", "correlation"], "mu": [1], "seeds": [{}]}}"#,
        seeds.join(",")
    );
    let (f, m) = error(&big);
    assert_eq!(f, "seeds");
    assert!(m.contains("4 x 2 x 1 x 125001"), "{m}");
}

#[test]
fn jobs_run_at_each_d_and_the_budget_counts_them() {
    let c = SweepConfig::from_json(
        r#"{"d": [64, 256], "protocols": ["mse", "correlation"], "mu": [0.5, 1], "seeds": [4, 5], "max_steps": 100}"#,
    )
    .unwrap();
    let jobs = c.jobs().unwrap();
    assert_eq!(jobs.len(), 2 * 2 * 2 * 2);
    let key = |j: &sgdlab::config::RunConfig| (j.loss, j.model.d, j.batch.unwrap().mu, j.seed);
    assert_eq!(key(&jobs[0]), (Loss::Mse, 64, 0.5, 4));
    assert_eq!(key(&jobs[3]), (Loss::Mse, 64, 1.0, 5));
    assert_eq!(key(&jobs[4]), (Loss::Mse, 256, 0.5, 4));
    assert_eq!(key(&jobs[8]), (Loss::Correlation, 64, 0.5, 4));
    // each job's own d sets its batch and rate
    let r = jobs[7].resolve().unwrap();
    assert_eq!(r.nb_resolved, 256);
    assert!((r.gamma_resolved - 0.01 / 16.0).abs() < 1e-15);
    // the worst case is the sum over the jobs at every d
    let plan = SweepPlan::new(c.clone()).unwrap();
    let at = |d: u64| {
        SweepPlan::new(SweepConfig {
            d_list: None,
            model: ModelSettings {
                d,
                ..c.model.clone()
            },
            ..c.clone()
        })
        .unwrap()
        .estimated_cost
        .operations
    };
    let sum = at(64) + at(256);
    assert!((plan.estimated_cost.operations - sum).abs() <= 1e-9 * sum);
}

#[test]
fn shards_of_a_sweep_over_d_merge_into_the_whole_sweep() {
    let c = SweepConfig::from_json(
        r#"{"d": [32, 64, 128], "protocols": ["mse", "correlation"], "mu": [0, 1], "seeds": [1, 2], "max_steps": 3000, "max_samples": 200000}"#,
    )
    .unwrap();
    let plan = SweepPlan::new(c).unwrap();
    let whole = plan.report(run_resolved_jobs(plan.jobs.clone())).unwrap();
    assert!(whole.points.iter().any(|p| p.censored));
    assert_eq!(whole.d_scaling.len(), 4);
    for n in [1usize, 3, 7] {
        let shards: Vec<(String, ShardOutput)> = (1..=n)
            .rev()
            .map(|i| {
                let shard = Shard { index: i, count: n };
                let jobs = plan.shard_jobs(shard, false).unwrap();
                (
                    format!("shard {i}"),
                    ShardOutput::new(&plan, shard, run_resolved_jobs(jobs)),
                )
            })
            .collect();
        assert_eq!(merge_shards(shards).unwrap(), whole, "{n} shards");
    }
    // a point of another d is not its job's
    let mut points = whole.points.clone();
    points[0].d = 64;
    let e = plan.report(points).unwrap_err();
    assert_eq!(e.field, "points[0]");
    assert!(
        e.message.contains("d 64") && e.message.contains("d 32"),
        "{}",
        e.message
    );
}

/// He_3 correlation-loss SGD at n_b = d (mu = 1) with the optimal rate gamma = 0.01 d^(-1/2):
/// the paper's exponent is theta = l - 1 - mu = 1 (T = d^(l-1) / n_b). Five d from 128 to 2048,
/// eleven seeds (about 5 s). The fitted exponent must be within 0.1 of 1 (measured: 0.949 ±
/// 0.016; finite-d prefactors bend it a little), the per-seed exponents must bracket the median
/// fit, and the summary must carry the asymptotic exponent 1 of the scaling-law module.
///
/// (Plain SGD at the same setting is far more heavy-tailed at these d, from the normalisation's
/// noise: with the same seeds its median fit gives 0.66 and single seeds 0.44 to 1.56, so it is
/// measured at larger d in the README's table, not asserted here.)
#[test]
fn the_fit_recovers_the_he3_exponent_at_mu_1() {
    let c = SweepConfig::from_json(
        r#"{"d": [128, 256, 512, 1024, 2048], "protocols": ["correlation"], "mu": [1],
            "seeds": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            "lr": {"policy": "optimal", "gamma0": 0.01}, "max_steps": 200000}"#,
    )
    .unwrap();
    let plan = SweepPlan::new(c).unwrap();
    let report = plan.report(run_resolved_jobs(plan.jobs.clone())).unwrap();
    let fit = &report.d_scaling[0];
    eprintln!("{}", serde_json::to_string_pretty(fit).unwrap());
    assert_eq!((fit.protocol, fit.mu), (Loss::Correlation, 1.0));
    assert_eq!(fit.d, [128, 256, 512, 1024, 2048]);
    assert!(fit.censored_d.is_empty(), "{fit:?}");
    let theta = fit.theta_fit.unwrap();
    assert!((theta - 1.0).abs() < 0.1, "theta_fit = {theta}");
    assert_eq!(fit.theta_asymptotic, Some(1.0));
    assert!((fit.delta.unwrap() - 0.5).abs() < 1e-9);
    assert_eq!(fit.seed_fits + fit.censored_seeds, 11);
    assert!(fit.seed_fits >= 9, "{fit:?}");
    let (lo, hi) = (fit.theta_seed_min.unwrap(), fit.theta_seed_max.unwrap());
    assert!(lo <= theta && theta <= hi, "{lo} <= {theta} <= {hi}");
    assert!(lo < hi);
    // the prefactor reproduces the medians it was fitted to within their scatter
    let c = fit.prefactor.unwrap();
    for (d, t) in fit.d.iter().zip(&fit.median_steps) {
        let model = c * (*d as f64).powf(theta);
        let ratio = t.unwrap() / model;
        assert!(
            (0.67..1.5).contains(&ratio),
            "d = {d}: T = {t:?}, C d^theta = {model}"
        );
    }
    // the per-(protocol, d, mu) summaries are there too, one per d
    assert_eq!(report.summaries.len(), 5);
    assert!(report.summaries.iter().zip(&fit.d).all(|(s, d)| s.d == *d));
}
