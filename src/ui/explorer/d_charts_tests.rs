//! Tests of `d_charts`: the d-scaling mode's charts and note from synthetic points with known
//! power laws, natively.

use super::*;
use crate::config::ModelSettings;
use crate::model::Loss;

/// A He3 sweep over `dims` at μ, both protocols, three seeds, the optimal rate.
fn config(dims: &[u64], mu: f64) -> SweepConfig {
    SweepConfig {
        model: ModelSettings::default(),
        d_list: Some(dims.to_vec()),
        mu: vec![mu],
        seeds: vec![0, 1, 2],
        max_steps: 100_000,
        ..SweepConfig::default()
    }
}

/// One point per job of `config`, with T = t(protocol, d, seed) (None: capped), γ, n_b and
/// the sampler of the resolved job.
fn points(config: &SweepConfig, t: impl Fn(Loss, u64, u64) -> Option<u64>) -> Vec<SweepPoint> {
    config
        .jobs()
        .unwrap()
        .iter()
        .map(|job| {
            let r = job.resolve().unwrap();
            let d = job.model.d;
            let steps = t(job.loss, d, job.seed);
            SweepPoint {
                protocol: job.loss,
                mu: job.batch.unwrap().mu,
                nb: r.nb_resolved,
                gamma: r.gamma_resolved,
                seed: job.seed,
                weak_recovery_step: steps,
                samples: steps.unwrap_or(config.max_steps) * r.nb_resolved,
                sampler: r.sampler_resolved,
                censored: steps.is_none(),
                theta: steps.map(|s| (s as f64).ln() / (d as f64).ln()),
                mu_resolved: r.mu_resolved,
                a0: job.model.second_layer.a0,
                diverged: false,
                d,
            }
        })
        .collect()
}

fn labelled<'a>(spec: &'a ChartSpec, label: &str) -> Option<&'a Series> {
    spec.series.iter().find(|s| s.label.starts_with(label))
}

#[test]
fn the_fit_sits_next_to_the_paper_exponent_and_log_d_t_approaches_it_slowly() {
    // above d^(l/2): plain SGD T = (4 + s) sqrt(d), correlation loss 5 steps at every d
    let config = config(&[1 << 10, 1 << 14, 1 << 18], 2.25);
    let t = |loss, d: u64, s: u64| {
        Some(match loss {
            Loss::Mse => ((4 + s) as f64 * (d as f64).sqrt()).round() as u64,
            _ => 5,
        })
    };
    let points = points(&config, t);
    let charts = d_scaling_charts(&config, &points, false);
    assert!(charts.theta.log_x && charts.theta.log_y && charts.samples.log_x);
    let fit = labelled(&charts.theta, "MSE SGD: fit θ = 0.500 ± 0.000").expect("the fit");
    assert!(!fit.dashed && !fit.bold);
    let paper = labelled(&charts.theta, "MSE SGD: paper θ = 0.5 (slope)").expect("paper");
    assert!(paper.dashed);
    let median = labelled(&charts.theta, "MSE SGD: median").unwrap();
    assert_eq!(median.points.len(), 3);
    assert!(charts
        .theta
        .bands
        .iter()
        .any(|b| b.label == "MSE SGD: seeds' range"));
    // the measured exponent falls towards 1/2: 1/2 + ln 5 / ln d
    let measured = labelled(&charts.samples, "MSE SGD: median").unwrap();
    let logd: Vec<f64> = measured.points.iter().map(|p| p.1).collect();
    assert!(logd.windows(2).all(|w| w[1] < w[0]), "{logd:?}");
    assert!(
        (logd[0] - (0.5 + 5f64.ln() / 1024f64.ln())).abs() < 1e-3,
        "{logd:?}"
    );
    assert!(
        labelled(&charts.samples, "MSE SGD: paper θ = 0.5")
            .unwrap()
            .dashed
    );
    let note = charts.note.unwrap();
    assert!(
        note.contains("MSE SGD: θ_fit = 0.500 ± 0.000, C = 5.000, seeds 0.50 to 0.50 (3 fitted); paper θ = 0.5; log_d T = 0.73 at d = 2¹⁰ and 0.63 at 2¹⁸."),
        "{note}"
    );
    assert!(
        note.contains("Correlation-loss SGD: θ_fit = 0.000 ± 0.000, C = 5.000"),
        "{note}"
    );
    // n_b = d^2.25 is above 4e6 samples a step at every d here: all run by the clt sampler
    assert!(note.contains("d = 2¹⁰, 2¹⁴, 2¹⁸ ran the clt"), "{note}");
    let strip = charts
        .theta
        .bands
        .iter()
        .find(|b| b.label.starts_with("clt sampler"));
    // under the lowest run (5 steps), across every d
    let strip = strip.expect("the clt strip");
    assert!(strip.upper.iter().all(|p| p.1 < 5.0), "{strip:?}");
    assert!(strip.lower[0].0 < 1024.0 && strip.lower[1].0 > 262_144.0);
    // no run is capped: no cap line
    assert!(charts.theta.horizontal_lines.is_empty());
}

#[test]
fn capped_runs_are_drawn_at_the_cap_and_leave_the_fit() {
    let config = config(&[256, 1024, 4096], 1.0);
    // T = 2 d for seeds 0, 1; seed 2 capped at d = 4096
    let t = |_, d: u64, s: u64| (s < 2 || d < 4096).then_some(2 * d);
    let points = points(&config, t);
    let charts = d_scaling_charts(&config, &points, true);
    let capped = labelled(&charts.theta, "MSE SGD: capped").expect("capped runs");
    assert_eq!(capped.markers, Marker::OpenTriangles);
    assert_eq!(capped.points, vec![(4096.0, 100_000.0)]);
    assert_eq!(charts.theta.horizontal_lines[0].0, 100_000.0);
    let note = charts.note.unwrap();
    assert!(
        note.contains("MSE SGD: θ_fit = 1.000, C = 2.000, seeds 1.00 to 1.00 (2 fitted)"),
        "{note}"
    );
    assert!(
        note.contains("(left out, a seed capped: d = 2¹²)"),
        "{note}"
    );
    // compact legends keep no theory labels, and the exact sampler ran everything
    assert!(charts
        .theta
        .series
        .iter()
        .all(|s| !s.label.contains("paper")));
    assert!(!note.contains("clt"), "{note}");
}

#[test]
fn before_any_run_the_charts_are_empty_and_the_note_says_what_is_fitted() {
    let config = config(&[256, 1024], 1.0);
    let charts = d_scaling_charts(&config, &[], false);
    assert!(charts.theta.series.iter().all(|s| s.points.is_empty()));
    assert!(charts.theta.bands.is_empty());
    assert_eq!(charts.theta.y_range, Some((1.0, 100_000.0)));
    assert!(charts
        .note
        .unwrap()
        .starts_with("T = C·d^θ fitted per protocol at μ = 1 over d = 2⁸ to 2¹⁰"));
}

#[test]
fn a_multi_index_target_states_the_leap_assumption() {
    let mut config = config(&[256, 1024], 1.0);
    config.model.target = r#"{"hermite": [[1, [1, 1, 1]]]}"#.parse().unwrap();
    config.model.k = 3;
    let points = points(&config, |_, d, _| Some(3 * d));
    let note = d_scaling_charts(&config, &points, false).note.unwrap();
    assert!(note.contains("l replaced by the leap index 3"), "{note}");
    // parity: leap = l = 3, so the paper's exponent at mu = 1 is l - 1 - mu = 1
    assert!(note.contains("θ_fit = 1.000, C = 3.000"), "{note}");
    assert!(note.contains("paper θ = 1;"), "{note}");
}
