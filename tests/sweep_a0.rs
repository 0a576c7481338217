//! The second-layer weight a0 as a sweep axis (`"a0": [0.01, 0.1, 1]`): reading and checking
//! the list (errors name `a0[i]` and the range), the jobs (protocol x a0 x d x mu x seed), the
//! points and their CSV column, the summaries and d-scaling fits per (protocol, a0, ...), and a
//! sweep without the list behaving as before the axis existed.

use sgdlab::config::RunConfig;
use sgdlab::model::Loss;
use sgdlab::sweep::{
    fit_d_scaling, fit_frontier_at, points_to_csv, run_sweep, summarise, SweepConfig, CSV_HEADER,
};
use sgdlab::sweep_shard::SweepPlan;

const BASE: &str = r#""d": 64, "protocols": ["mse", "correlation"], "mu": [0.5, 1], "seeds": [1, 2], "max_steps": 3000"#;

fn sweep(extra: &str) -> Result<SweepConfig, sgdlab::config::ConfigError> {
    SweepConfig::from_json(&format!("{{{BASE}{extra}}}"))
}

#[test]
fn a_list_of_a0_is_read_written_back_and_expanded_into_jobs() {
    let config = sweep(r#", "a0": [0.01, 0.1, 1]"#).unwrap();
    assert_eq!(config.a0_list, Some(vec![0.01, 0.1, 1.0]));
    assert_eq!(config.model.second_layer.a0, 0.01);
    // the list is written back as a list, and reads back to the same config
    let text = serde_json::to_string(&config).unwrap();
    assert!(text.contains(r#""a0":[0.01,0.1,1.0]"#), "{text}");
    assert_eq!(SweepConfig::from_json(&text).unwrap(), config);
    // protocol outermost, then a0, then mu, then seed
    let jobs = config.jobs().unwrap();
    assert_eq!(jobs.len(), 2 * 3 * 2 * 2);
    let a0: Vec<f64> = jobs.iter().map(|j| j.model.second_layer.a0).collect();
    assert_eq!(
        &a0[..12],
        &[0.01, 0.01, 0.01, 0.01, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0]
    );
    assert!(jobs[..12].iter().all(|j| j.loss == Loss::Mse));
    // the second layer's rate is shared by every a0
    let trained = sweep(r#", "a0": [0.1, 1], "second_layer": {"gamma": 0.5}"#).unwrap();
    assert!(trained
        .jobs()
        .unwrap()
        .iter()
        .all(|j| j.model.second_layer.gamma == 0.5));
}

#[test]
fn bad_a0_lists_name_the_entry_and_the_range() {
    for (extra, field, words) in [
        (
            r#", "a0": [0.1, 0]"#,
            "a0[1]",
            "must be a number in (0, 1e6], got 0",
        ),
        (r#", "a0": [-1]"#, "a0[0]", "(0, 1e6]"),
        (r#", "a0": [1, 2e6]"#, "a0[1]", "(0, 1e6], got 2e6"),
        (r#", "a0": [0.1, 1, 0.1]"#, "a0[2]", "0.1 is listed twice"),
        (r#", "a0": []"#, "a0", "1 to 8 entries, got 0"),
        (
            r#", "a0": [1, 2, 3, 4, 5, 6, 7, 8, 9]"#,
            "a0",
            "1 to 8 entries, got 9",
        ),
    ] {
        let e = sweep(extra).unwrap().jobs().unwrap_err();
        assert_eq!(e.field, field, "{extra}: {e}");
        assert!(e.message.contains(words), "{extra}: {e}");
    }
    // the JSON types, by the strict reader
    let e = sweep(r#", "a0": "0.1""#).unwrap_err();
    assert_eq!(e.field, "a0");
    assert!(e.message.contains("a number in (0, 1e6]"), "{e}");
    let e = sweep(r#", "a0": [0.1, "x"]"#).unwrap_err();
    assert_eq!(e.field, "a0[1]");
    assert!(e.message.contains("a number in (0, 1e6]"), "{e}");
    // a number is the model's one weight, checked by the model
    let e = sweep(r#", "a0": 0"#).unwrap().jobs().unwrap_err();
    assert_eq!(e.field, "second_layer.a0");
}

#[test]
fn without_a_list_the_sweep_is_what_it_was() {
    let plain = sweep("").unwrap();
    assert_eq!(plain.a0_list, None);
    // no `a0` key is written: the config's JSON is that of a sweep without the axis
    let text = serde_json::to_string(&plain).unwrap();
    assert!(
        !text.contains(r#""a0":["#) && !text.starts_with(r#"{"d":64,"a0""#),
        "{text}"
    );
    // a number is the model's second_layer.a0, the same sweep and the same jobs
    let number = sweep(r#", "a0": 0.1"#).unwrap();
    let nested = sweep(r#", "second_layer": {"a0": 0.1, "gamma": 0}"#).unwrap();
    assert_eq!(number, nested);
    assert_eq!(number.jobs().unwrap(), nested.jobs().unwrap());
    let jobs: Vec<RunConfig> = plain.jobs().unwrap();
    assert!(jobs.iter().all(|j| j.model.second_layer.a0 == 1.0));
    // a list of one runs the same jobs and points as the number
    let one = sweep(r#", "a0": [0.1]"#).unwrap();
    assert_eq!(one.jobs().unwrap(), number.jobs().unwrap());
    assert_eq!(run_sweep(&one).unwrap(), run_sweep(&number).unwrap());
}

/// `a0` next to a `second_layer.a0` that disagrees is refused by name (neither wins silently);
/// one that agrees (the form a sweep writes back) is accepted; the unknown-key message lists the
/// sweep's own optional keys.
#[test]
fn a0_and_second_layer_a0_must_agree() {
    for extra in [
        r#", "a0": 0.1, "second_layer": {"a0": 0.5}"#,
        r#", "a0": [0.1, 1], "second_layer": {"a0": 1, "gamma": 0.5}"#,
    ] {
        let e = sweep(extra).unwrap_err();
        assert_eq!(e.field, "a0", "{extra}: {e}");
        assert!(
            e.message.contains("second_layer.a0") && e.message.contains("disagree"),
            "{e}"
        );
    }
    let agreeing = sweep(r#", "a0": [0.1, 1], "second_layer": {"a0": 0.1, "gamma": 0.5}"#).unwrap();
    assert_eq!(agreeing.a0_list, Some(vec![0.1, 1.0]));
    assert_eq!(
        sweep(r#", "a0": 0.5, "second_layer": {"a0": 0.5}"#)
            .unwrap()
            .model
            .second_layer
            .a0,
        0.5
    );
    let e = sweep(r#", "a00": 1"#).unwrap_err();
    assert_eq!(e.field, "a00");
    assert!(
        e.message.contains("`a0`") && e.message.contains("`fixed_gamma_a0`"),
        "{e}"
    );
}

#[test]
fn points_carry_their_a0_into_the_csv_the_summaries_and_the_fits() {
    let config = SweepConfig::from_json(
        r#"{"d": 64, "a0": [1, 0.1], "protocols": ["mse"], "mu": [1], "seeds": [1, 2, 3], "max_steps": 3000}"#,
    )
    .unwrap();
    let out = run_sweep(&config).unwrap();
    let a0: Vec<f64> = out.points.iter().map(|p| p.a0).collect();
    assert_eq!(a0, [1.0, 1.0, 1.0, 0.1, 0.1, 0.1]);
    // the column sits between mu_resolved and diverged; d stays last
    assert_eq!(
        CSV_HEADER,
        "protocol,mu,nb,gamma,seed,weak_recovery_step,samples,sampler,censored,theta,mu_resolved,a0,diverged,d"
    );
    let csv = points_to_csv(&out.points);
    let column: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(11).unwrap())
        .collect();
    assert_eq!(column, ["1", "1", "1", "0.1", "0.1", "0.1"]);
    // one summary per (protocol, a0, d, mu), each over its own three seeds
    let s = summarise(&out.points);
    assert_eq!(s.len(), 2);
    assert_eq!((s[0].a0, s[1].a0), (1.0, 0.1));
    assert!(s.iter().all(|s| s.runs == 3));
    // each a0 fits a frontier of its own
    assert!(fit_frontier_at(&s, Loss::Mse, 0.1, 0.0, 2.0).is_none()); // one mu: no line
                                                                      // a point is checked against its job's a0 (a shard or a saved file of another a0)
    let plan = SweepPlan::new(config.clone()).unwrap();
    let mut swapped = out.points.clone();
    swapped[0].a0 = 0.1;
    let e = plan.report(swapped).unwrap_err();
    assert_eq!(e.field, "points[0]");
    assert!(
        e.message.contains("a0 0.1") && e.message.contains("a0 1"),
        "{e}"
    );
    assert_eq!(plan.report(out.points.clone()).unwrap().summaries, s);
}

#[test]
fn a_sweep_over_d_and_a0_fits_each_a0_over_d() {
    let config = SweepConfig::from_json(
        r#"{"d": [32, 64], "a0": [1, 0.5], "protocols": ["correlation"], "mu": [1], "seeds": [1, 2], "max_steps": 3000}"#,
    )
    .unwrap();
    let out = run_sweep(&config).unwrap();
    let fits = fit_d_scaling(&config, &out.points);
    assert_eq!(fits.len(), 2);
    assert_eq!((fits[0].a0, fits[1].a0), (1.0, 0.5));
    assert!(fits.iter().all(|f| f.d == [32, 64]));
    assert_eq!(summarise(&out.points).len(), 2 * 2);
}

/// The README's example (`examples/sweeps/a0_he3_d256.json`): He3, d = n_b = 256, γ a0 =
/// 0.01 d^(-1/2) held fixed, 16 seeds. MSE SGD's escape times shrink towards correlation loss's
/// as a0 falls (median 1970.5 → 1546 → 1599.5 steps, slowest seed 5935 → 3670 → 3295), and
/// correlation loss, whose step depends on γ a0 only, is the same at every a0 (median 1606,
/// slowest 3206).
#[test]
fn the_readme_example_mse_tends_to_correlation_loss_as_a0_falls() {
    let config =
        SweepConfig::from_json(include_str!("../examples/sweeps/a0_he3_d256.json")).unwrap();
    let out = run_sweep(&config).unwrap();
    let s = summarise(&out.points);
    let row = |loss: Loss, a0: f64| s.iter().find(|s| s.protocol == loss && s.a0 == a0).unwrap();
    let slowest = |loss: Loss, a0: f64| {
        out.points
            .iter()
            .filter(|p| p.protocol == loss && p.a0 == a0)
            .map(|p| p.weak_recovery_step.unwrap())
            .max()
            .unwrap()
    };
    for (a0, median, max) in [
        (1.0, 1970.5, 5935),
        (0.1, 1546.0, 3670),
        (0.01, 1599.5, 3295),
    ] {
        assert_eq!(row(Loss::Mse, a0).median_steps, Some(median), "a0 = {a0}");
        assert_eq!(slowest(Loss::Mse, a0), max, "a0 = {a0}");
    }
    let steps = |a0: f64| -> Vec<Option<u64>> {
        out.points
            .iter()
            .filter(|p| p.protocol == Loss::Correlation && p.a0 == a0)
            .map(|p| p.weak_recovery_step)
            .collect()
    };
    for a0 in [1.0, 0.1, 0.01] {
        assert_eq!(row(Loss::Correlation, a0).median_steps, Some(1606.0));
        assert_eq!(slowest(Loss::Correlation, a0), 3206);
        assert_eq!(steps(a0), steps(1.0), "a0 = {a0}");
    }
    assert!(out.points.iter().all(|p| !p.censored));
}
