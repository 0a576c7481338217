//! Batch-size sweeps: config validation, job expansion, determinism, summaries (cheap).

use sgdlab::config::scaling::LearningRate;
use sgdlab::config::ModelSettings;
use sgdlab::config::RunConfig;
use sgdlab::model::Loss;
use sgdlab::sampler::SamplerKind;
use sgdlab::sweep::*;

fn small() -> SweepConfig {
    SweepConfig::from_json(
        r#"{"d": 256, "protocols": ["mse", "correlation"], "mu": [0.5, 1, 1.5],
            "lr": {"policy": "optimal", "gamma0": 0.01}, "seeds": [3, 7, 11], "max_steps": 20000}"#,
    )
    .unwrap()
}

#[test]
fn jobs_expand_protocol_mu_seed_in_order() {
    let config = small();
    let jobs = config.jobs().unwrap();
    assert_eq!(jobs.len(), 2 * 3 * 3);
    // protocols outermost, seeds innermost
    assert_eq!(jobs[0].loss, Loss::Mse);
    assert_eq!(jobs[9].loss, Loss::Correlation);
    assert_eq!(
        jobs.iter().take(3).map(|j| j.seed).collect::<Vec<_>>(),
        [3, 7, 11]
    );
    assert_eq!(jobs[3].batch.unwrap().mu, 1.0);
    for j in &jobs {
        assert!(j.stop_at_recovery);
        assert_eq!(j.steps, 20000);
        assert_eq!(j.batch.unwrap().n0, 1.0);
        assert_eq!(j.lr, Some(LearningRate::Optimal { gamma0: 0.01 }));
    }
    // each protocol gets its own optimal delta: at mu = 1.5 (l = 3) both give gamma0,
    // beyond l/2 plain SGD stays at gamma0 while correlation loss keeps growing
    let config = SweepConfig {
        mu: vec![1.75],
        ..small()
    };
    let jobs = config.jobs().unwrap();
    let mse = jobs[0].resolve().unwrap();
    let corr = jobs[3].resolve().unwrap();
    assert!((mse.gamma_resolved - 0.01).abs() < 1e-15);
    assert!((corr.gamma_resolved - 0.01 * 256f64.powf(0.25)).abs() < 1e-12);
}

#[test]
fn auto_sampler_switches_to_clt_above_the_threshold() {
    let config = SweepConfig {
        model: ModelSettings {
            d: 4096,
            ..ModelSettings::default()
        },
        protocols: vec![Loss::Mse],
        mu: vec![1.5, 2.0],
        seeds: vec![0],
        ..Default::default()
    };
    let jobs = config.jobs().unwrap();
    assert_eq!(
        jobs[0].resolve().unwrap().sampler_resolved,
        SamplerKind::Exact
    );
    assert_eq!(
        jobs[1].resolve().unwrap().sampler_resolved,
        SamplerKind::Clt
    );
    // or as configured
    let config = SweepConfig {
        model: ModelSettings {
            sampler: sgdlab::sampler::SamplerChoice::Exact,
            ..config.model.clone()
        },
        ..config
    };
    assert_eq!(
        config.jobs().unwrap()[1]
            .resolve()
            .unwrap()
            .sampler_resolved,
        SamplerKind::Exact
    );
}

#[test]
fn max_samples_caps_the_steps_of_large_batches() {
    let config = SweepConfig {
        model: ModelSettings {
            d: 1024,
            ..ModelSettings::default()
        },
        mu: vec![0.5, 1.0, 2.0],
        max_steps: 1000,
        max_samples: Some(100_000),
        ..Default::default()
    };
    let jobs = config.jobs().unwrap();
    let steps: Vec<u64> = jobs.iter().take(15).step_by(5).map(|j| j.steps).collect();
    // n_b = 32, 1024, 1048576
    assert_eq!(steps, [1000, 97, 1]);
}

/// `run_sweep_jobs` on a rayon pool of `threads` threads.
fn on_threads(threads: usize, jobs: &[RunConfig]) -> Vec<SweepPoint> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| run_sweep_jobs(jobs).unwrap())
}

#[test]
fn sweep_is_deterministic_for_a_seed_list() {
    let config = small();
    let first = run_sweep(&config).unwrap();
    let second = run_sweep(&config).unwrap();
    assert_eq!(first, second);
    let jobs = config.jobs().unwrap();
    // any number of threads, any order: the same points
    for threads in 1..=3 {
        assert_eq!(
            on_threads(threads, &jobs),
            first.points,
            "{threads} threads"
        );
    }
    let reversed: Vec<RunConfig> = jobs.iter().rev().cloned().collect();
    let mut back = on_threads(3, &reversed);
    back.reverse();
    assert_eq!(back, first.points);
    // a job's result depends only on its RunConfig: seed 7 inside another seed list
    let other = SweepConfig {
        seeds: vec![7, 1000],
        ..config.clone()
    };
    let other = run_sweep(&other).unwrap();
    assert_eq!(other.points[0], first.points[1]);
    assert_eq!(run_job(&jobs[4]).unwrap(), first.points[4]);
    // different seeds do give different runs
    assert_ne!(first.points[0], first.points[1]);
    // points are complete and consistent
    for p in &first.points {
        match p.weak_recovery_step {
            Some(t) => {
                assert!(!p.censored);
                assert_eq!(p.samples, t * p.nb);
                let theta = p.theta.unwrap();
                assert!((theta - (t.max(1) as f64).ln() / 256f64.ln()).abs() < 1e-12);
            }
            None => assert!(p.censored && p.theta.is_none()),
        }
        assert!((p.mu_resolved - (p.nb as f64).ln() / 256f64.ln()).abs() < 1e-12);
    }
    // JSON round trip and CSV
    let json = serde_json::to_string(&first).unwrap();
    assert!(json.starts_with(r#"{"points":[{"protocol":"mse","mu":0.5,"nb":16,"#));
    // (serde_json parses floats to within one ulp unless its `float_roundtrip` feature is on)
    let back: SweepOutput = serde_json::from_str(&json).unwrap();
    assert_eq!(back.points.len(), first.points.len());
    for (a, b) in back.points.iter().zip(&first.points) {
        let close = |x: f64, y: f64| (x - y).abs() <= 4.0 * f64::EPSILON * y.abs();
        assert!(close(a.gamma, b.gamma) && close(a.mu_resolved, b.mu_resolved));
        assert_eq!(a.theta.is_some(), b.theta.is_some());
        assert!(close(a.theta.unwrap_or(0.0), b.theta.unwrap_or(0.0)));
        let strip = |p: &SweepPoint| SweepPoint {
            gamma: 0.0,
            mu_resolved: 0.0,
            theta: None,
            ..p.clone()
        };
        assert_eq!(strip(a), strip(b));
    }
    let csv = points_to_csv(&first.points);
    assert_eq!(csv.lines().count(), 1 + first.points.len());
    assert!(csv.starts_with("protocol,mu,nb,gamma,seed,weak_recovery_step,samples,sampler,censored,theta,mu_resolved,a0,diverged,d\nmse,0.5,16,"));
    // every point carries its d (the sweep's one d), last in JSON and CSV
    assert!(first.points.iter().all(|p| p.d == 256));
    assert!(json.contains(r#","diverged":false,"d":256}"#), "{json}");
    assert!(csv.lines().skip(1).all(|l| l.ends_with(",256")));
}

#[test]
fn censored_runs_are_marked_and_summarised_as_infinite() {
    // 5 steps are far too few at d = 256, mu = 0.5
    let config = SweepConfig {
        model: ModelSettings {
            d: 256,
            ..ModelSettings::default()
        },
        protocols: vec![Loss::Correlation],
        mu: vec![0.5],
        seeds: vec![0, 1, 2],
        max_steps: 5,
        ..Default::default()
    };
    let out = run_sweep(&config).unwrap();
    for p in &out.points {
        assert!(p.censored && p.weak_recovery_step.is_none() && p.theta.is_none());
        assert_eq!(p.samples, 5 * 16);
    }
    let s = &summarise(&out.points)[0];
    assert_eq!((s.runs, s.censored_runs), (3, 3));
    assert!(s.median_theta.is_none() && s.median_log_samples.is_none() && s.theta_min.is_none());
}

fn point(mu: f64, nb: u64, step: Option<u64>) -> SweepPoint {
    let ln_d = 1024f64.ln();
    SweepPoint {
        protocol: Loss::Correlation,
        mu,
        nb,
        gamma: 1.0,
        seed: 0,
        weak_recovery_step: step,
        samples: step.unwrap_or(100) * nb,
        sampler: SamplerKind::Exact,
        censored: step.is_none(),
        theta: step.map(|t| (t as f64).ln() / ln_d),
        mu_resolved: (nb as f64).ln() / ln_d,
        a0: 1.0,
        diverged: false,
        d: 1024,
    }
}

#[test]
fn summaries_take_medians_over_seeds_with_censoring() {
    // d = 1024: mu = 1 -> n_b = 1024
    let pts = vec![
        point(1.0, 1024, Some(32)),
        point(1.0, 1024, Some(1024)),
        point(1.0, 1024, None),
        point(0.5, 32, Some(1024)),
        point(0.5, 32, None),
        point(0.5, 32, None),
    ];
    let s = summarise(&pts);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].mu, 1.0);
    assert_eq!(s[0].censored_runs, 1);
    // median of {32, 1024, inf} is 1024: theta = 1, log_d N = 2
    assert!((s[0].median_theta.unwrap() - 1.0).abs() < 1e-12);
    assert!((s[0].median_log_samples.unwrap() - 2.0).abs() < 1e-12);
    assert!((s[0].theta_min.unwrap() - 0.5).abs() < 1e-12);
    assert!(s[0].theta_max.is_none());
    // more than half capped: the median is censored
    assert!(s[1].median_theta.is_none() && s[1].median_steps.is_none());
    assert!((s[1].theta_min.unwrap() - 1.0).abs() < 1e-12);
    // fitting needs two uncensored medians
    assert!(fit_frontier(&s, Loss::Correlation, 0.0, 3.0).is_none());
}

#[test]
fn least_squares_slope() {
    let xs = [0.5, 1.0, 1.5, 2.0];
    let ys = [1.5, 1.0, 0.5, 0.0];
    let (slope, intercept, se) = fit_slope(&xs, &ys);
    assert!((slope + 1.0).abs() < 1e-12 && (intercept - 2.0).abs() < 1e-12 && se < 1e-12);
}

fn error(json: &str) -> (String, String) {
    let e = match SweepConfig::from_json(json) {
        Ok(c) => c.jobs().unwrap_err(),
        Err(e) => e,
    };
    (e.field, e.message)
}

#[test]
fn config_errors_name_the_field_and_the_valid_range() {
    let cases: &[(&str, &str, &str)] = &[
        (r#"{"bogus": 1}"#, "bogus", "unknown key, expected one of"),
        (r#"{"steps": 10}"#, "steps", "unknown key"),
        (
            r#"{"mu": [0.5, "one"]}"#,
            "mu[1]",
            "expected a number in [0, 12], got \"one\"",
        ),
        (r#"{"mu": 1}"#, "mu", "expected a list of batch exponents"),
        (r#"{"seeds": [1, 2], "seeds": [3]}"#, "seeds", "given twice"),
        (r#"{"lr": [1, 2]}"#, "lr", "expected an object like"),
        (
            r#"{"lr_by_protocol": {"mse": {"policy": "optimal", "gamma0": "x"}}}"#,
            "lr_by_protocol.mse.gamma0",
            "expected a number",
        ),
        (r#"{"mu": []}"#, "mu", "at least one"),
        (r#"{"mu": [0.5, 13]}"#, "mu[1]", "[0, 12]"),
        (r#"{"mu": [1, 0.5, 1]}"#, "mu[2]", "listed twice"),
        (
            r#"{"d": 1000000, "mu": [1, 2.5]}"#,
            "mu[1]",
            "largest batch",
        ),
        (r#"{"protocols": []}"#, "protocols", "at least one"),
        (
            r#"{"protocols": ["mse", "hinge"]}"#,
            "protocols[1]",
            "correlation",
        ),
        (
            r#"{"protocols": ["mse", "mse"]}"#,
            "protocols[1]",
            "listed twice",
        ),
        (r#"{"n0": 0}"#, "n0", "[1e-9, 1e12]"),
        (r#"{"seeds": []}"#, "seeds", "at least one"),
        (r#"{"seeds": [1, 1]}"#, "seeds[1]", "listed twice"),
        (r#"{"max_steps": 0}"#, "max_steps", "[1, 1000000000]"),
        (r#"{"max_samples": 0}"#, "max_samples", "positive"),
        (
            r#"{"lr": {"policy": "optimal", "gamma0": -1}}"#,
            "lr.gamma0",
            "[1e-300, 1e12]",
        ),
        (
            r#"{"lr": {"policy": "fixed", "gamma0": 1}}"#,
            "lr.delta",
            "is required",
        ),
        (
            r#"{"lr": {"policy": "best", "gamma0": 1}}"#,
            "lr.policy",
            "optimal",
        ),
        (r#"{"eta": 2}"#, "eta", "[1e-9, 1]"),
        (r#"{"d": 2}"#, "d", "at least 2(p + k)"),
        (r#"{"p": 0}"#, "p", "[1, 16]"),
        (r#"{"sampler": "full", "d": 8000000}"#, "sampler", "mu[0]"),
        (r#"{"mu": [0.5"#, "(document)", "not valid JSON at line 1"),
        (r#"[1024, 2]"#, "(document)", "JSON object"),
    ];
    for (json, field, message) in cases {
        let (f, m) = error(json);
        assert_eq!(&f, field, "{json}: {f}: {m}");
        assert!(m.contains(message), "{json}: {f}: {m}");
    }
    // the default sweep is valid
    assert_eq!(SweepConfig::default().jobs().unwrap().len(), 2 * 7 * 5);
    assert_eq!(
        SweepConfig::from_json("{}").unwrap(),
        SweepConfig::default()
    );
}

#[test]
fn each_protocol_can_have_its_own_learning_rate_policy() {
    let config = SweepConfig::from_json(
        r#"{"d": 256, "protocols": ["mse", "correlation"], "mu": [1, 1.75], "seeds": [0],
            "lr": {"policy": "optimal", "gamma0": 0.01},
            "lr_by_protocol": {"correlation": {"policy": "fixed", "gamma0": 0.5, "delta": 0.25}}}"#,
    )
    .unwrap();
    assert_eq!(
        config.learning_rate(Loss::Mse),
        LearningRate::Optimal { gamma0: 0.01 }
    );
    let jobs = config.jobs().unwrap();
    let gamma: Vec<f64> = jobs
        .iter()
        .map(|j| j.resolve().unwrap().gamma_resolved)
        .collect();
    // mse: 0.01 d^-(3/2 - 1), then 0.01 (delta* = 0 beyond l/2); correlation: 0.5 d^-1/4 twice
    let expected = [
        0.01 / 16.0,
        0.01,
        0.5 * 256f64.powf(-0.25),
        0.5 * 256f64.powf(-0.25),
    ];
    for (g, e) in gamma.iter().zip(expected) {
        assert!((g - e).abs() < 1e-12 * e, "{gamma:?}");
    }
    // the sweep's points carry the resolved gamma; the config round-trips through JSON
    let out = run_sweep(&SweepConfig {
        max_steps: 3,
        ..config.clone()
    })
    .unwrap();
    assert_eq!(
        out.points.iter().map(|p| p.gamma).collect::<Vec<_>>(),
        gamma
    );
    let json = serde_json::to_string(&config).unwrap();
    assert!(json.contains(r#""lr_by_protocol":{"correlation":{"policy":"fixed""#));
    assert_eq!(SweepConfig::from_json(&json).unwrap(), config);
    // without overrides the key is written empty, so a report records the whole config
    assert!(serde_json::to_string(&SweepConfig::default())
        .unwrap()
        .contains(r#""lr_by_protocol":{}"#));

    // errors name the protocol's entry
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"lr_by_protocol": {"hinge": {"policy": "optimal", "gamma0": 1}}}"#,
            "lr_by_protocol.hinge",
            "unknown key",
        ),
        (
            r#"{"protocols": ["mse"], "lr_by_protocol": {"correlation": {"policy": "optimal", "gamma0": 1}}}"#,
            "lr_by_protocol.correlation",
            "not in protocols",
        ),
        (
            r#"{"lr_by_protocol": {"mse": {"policy": "optimal", "gamma0": -1}}}"#,
            "lr_by_protocol.mse.gamma0",
            "[1e-300, 1e12]",
        ),
        (
            r#"{"lr_by_protocol": {"correlation": {"policy": "fixed", "gamma0": 1}}}"#,
            "lr_by_protocol.correlation.delta",
            "is required",
        ),
    ];
    for (json, field, message) in cases {
        let (f, m) = error(json);
        assert_eq!(&f, field, "{json}: {f}: {m}");
        assert!(m.contains(message), "{json}: {f}: {m}");
    }
}

#[test]
fn per_protocol_prefactors_from_text() {
    use sgdlab::sweep::LearningRateByProtocol;
    let base = LearningRate::Fixed {
        gamma0: 1.0,
        delta: 0.5,
    };
    let by = LearningRateByProtocol::from_prefactors(base, " correlation=0.1,mse=2e-3 ").unwrap();
    assert_eq!(
        by.correlation,
        Some(LearningRate::Fixed {
            gamma0: 0.1,
            delta: 0.5
        })
    );
    assert_eq!(
        by.mse,
        Some(LearningRate::Fixed {
            gamma0: 2e-3,
            delta: 0.5
        })
    );
    assert_eq!(by.adaptive, None);
    assert_eq!(by.prefactors_text(), "mse=0.002, correlation=0.1");
    assert_eq!(
        LearningRateByProtocol::from_prefactors(base, &by.prefactors_text()).unwrap(),
        by
    );
    assert_eq!(
        LearningRateByProtocol::from_prefactors(base, "").unwrap(),
        LearningRateByProtocol::default()
    );
    for (text, message) in [
        ("correlation", "write protocol=prefactor"),
        ("hinge=1", "not a protocol"),
        ("mse=1, mse=2", "listed twice"),
        ("mse=-1", "not a positive number"),
        ("mse=abc", "not a positive number"),
    ] {
        let e = LearningRateByProtocol::from_prefactors(base, text).unwrap_err();
        assert!(e.contains(message), "{text}: {e}");
    }
}
