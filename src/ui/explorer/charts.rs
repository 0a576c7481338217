//! The explorer's two charts as pure specs: θ = log_d T and log_d N against μ = log_d n_b,
//! measured points (dots: runs; open triangles: runs capped before weak recovery; bold line:
//! the median per μ; one series per protocol, and per a0 in a sweep over a0) over the paper's
//! phase diagram for the target's information exponent l
//! (Fig. 1: shaded regions, dashed frontiers, × at the optimal batch sizes).

use super::exponents::{frontier_exponent, frontiers_use_the_leap, leap_assumption};
use super::series::{series_keys, series_of_points, SeriesKey};
use crate::config::display_number;
use crate::model::Loss;
use crate::sweep::{fit_slope, summarise, SweepConfig, SweepPoint, SweepSummary};
use crate::theory::scaling_laws::{phase_diagram, FrontierOwner, Protocol};
use crate::ui::chart_spec::{ChartSpec, Marker, Region, Series};

/// Charts narrower than this (CSS px) leave the theory out of their legends (the note under
/// the charts explains it).
pub const COMPACT_LEGEND_BELOW_PX: i32 = 560;

/// Colour per protocol (palette index).
pub fn color(loss: Loss) -> usize {
    match loss {
        Loss::Mse => 0,
        Loss::Correlation => 1,
        Loss::Adaptive => 2,
    }
}

/// The explorer's charts (the first and second canvas).
#[derive(Clone, Debug)]
pub struct SweepCharts {
    /// θ = log_d T against μ (d-scaling mode: T against d).
    pub theta: ChartSpec,
    /// log_d N, N = T n_b, against μ (d-scaling mode: log_d T against d).
    pub samples: ChartSpec,
    /// What the theory lines mean (None when the phase diagram is undefined).
    pub note: Option<String>,
}

/// The charts of `points` (sorted by job) of sweep `config`; `compact` keeps the theory out
/// of the legends (narrow screens).
pub fn sweep_charts(config: &SweepConfig, points: &[SweepPoint], compact: bool) -> SweepCharts {
    let df = config.model.d as f64;
    let cap = (config.max_steps as f64).ln() / df.ln();
    // the leap index for a multi-index target (the assumption is stated in the note)
    let l = frontier_exponent(config).unwrap_or(1);
    let exponent_name = if frontiers_use_the_leap(config) {
        format!("leap index {l}")
    } else {
        format!("l = {l}")
    };
    let mu_max = config
        .mu
        .iter()
        .cloned()
        .fold(0.0, f64::max)
        .max(l as f64 + 0.5);
    let summaries = summarise(points);
    let mut note = None;
    let mut theta = ChartSpec {
        title: format!(
            "time: θ = log_d T (d = {}, {exponent_name})",
            config.model.d
        ),
        x_label: "μ = log_d n_b".into(),
        y_label: "θ = log_d T".into(),
        x_range: Some((0.0, mu_max)),
        horizontal_lines: vec![(cap, format!("cap: {} steps", config.max_steps))],
        ..Default::default()
    };
    let mut samples = ChartSpec {
        title: "samples: log_d N, N = T n_b".into(),
        x_label: "μ = log_d n_b".into(),
        y_label: "log_d N".into(),
        x_range: Some((0.0, mu_max)),
        ..Default::default()
    };
    if let Ok(diagram) = phase_diagram(l, mu_max) {
        theta.y_range = Some((-0.2, diagram.theta_max.max(cap + 0.2)));
        for (i, region) in diagram.regions.iter().enumerate() {
            theta.regions.push(Region {
                polygon: region.polygon.iter().map(|p| (p[0], p[1])).collect(),
                color: 3 + i % 3,
                label: if compact {
                    String::new()
                } else {
                    region.label.clone()
                },
            });
        }
        let mut labelled: Vec<&str> = Vec::new();
        for segment in &diagram.frontiers {
            let c = match segment.owner {
                FrontierOwner::Both => 7,
                FrontierOwner::PlainSgd => color(Loss::Mse),
                FrontierOwner::CorrelationLoss => color(Loss::Correlation),
            };
            let line = vec![
                (segment.start[0], segment.start[1]),
                (segment.end[0], segment.end[1]),
            ];
            let owner = match segment.owner {
                FrontierOwner::Both => "theory: both protocols",
                FrontierOwner::PlainSgd => "theory: plain SGD",
                FrontierOwner::CorrelationLoss => "theory: correlation loss",
            };
            let label = if compact || labelled.contains(&owner) {
                String::new()
            } else {
                owner.to_string()
            };
            labelled.push(owner);
            theta.series.push(Series {
                label: label.clone(),
                points: line.clone(),
                color: c,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
            samples.series.push(Series {
                label,
                points: line.iter().map(|&(mu, t)| (mu, t + mu)).collect(),
                color: c,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
        }
        for o in &diagram.optimal_points {
            let c = match o.protocol {
                Protocol::PlainSgd => color(Loss::Mse),
                Protocol::CorrelationLoss => color(Loss::Correlation),
            };
            let [mu, t] = o.point;
            let label = match (compact, o.protocol) {
                (false, _) => o.label.clone(),
                (true, Protocol::PlainSgd) => "optimal n_b, plain SGD".into(),
                (true, Protocol::CorrelationLoss) => "optimal n_b, correlation loss".into(),
            };
            for (chart, y) in [(&mut theta, t), (&mut samples, t + mu)] {
                chart.series.push(Series {
                    label: label.clone(),
                    points: vec![(mu, y)],
                    color: c,
                    dashed: false,
                    bold: true,
                    markers: Marker::Crosses,
                });
            }
        }
        note = Some(phase_diagram_note(l));
    }
    let keys = series_keys(config);
    for key in &keys {
        let mine: Vec<&SweepPoint> = points.iter().filter(|p| key.holds(p)).collect();
        let name = key.label();
        theta.series.push(Series {
            label: String::new(),
            points: mine
                .iter()
                .filter_map(|p| p.theta.map(|t| (p.mu_resolved, t)))
                .collect(),
            color: key.color(),
            dashed: false,
            bold: false,
            markers: Marker::Dots,
        });
        let censored: Vec<(f64, f64)> = mine
            .iter()
            .filter(|p| p.censored)
            .map(|p| (p.mu_resolved, cap))
            .collect();
        if !censored.is_empty() {
            theta.series.push(Series {
                label: format!("{name}: capped"),
                points: censored,
                color: key.color(),
                dashed: false,
                bold: false,
                markers: Marker::OpenTriangles,
            });
        }
        let medians: Vec<&crate::sweep::SweepSummary> = summaries
            .iter()
            .filter(|s| s.protocol == key.protocol && s.a0.to_bits() == key.a0.to_bits())
            .collect();
        theta.series.push(Series {
            label: format!("{name}: median (dots: runs)"),
            points: medians
                .iter()
                .filter_map(|s| s.median_theta.map(|t| (s.mu_resolved, t)))
                .collect(),
            color: key.color(),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
        samples.series.push(Series {
            label: format!("{name}: median"),
            points: medians
                .iter()
                .filter_map(|s| s.median_log_samples.map(|n| (s.mu_resolved, n)))
                .collect(),
            color: key.color(),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
        samples.series.push(Series {
            label: String::new(),
            points: mine
                .iter()
                .filter(|p| !p.censored)
                .map(|p| (p.mu_resolved, (p.samples as f64).ln() / df.ln()))
                .collect(),
            color: key.color(),
            dashed: false,
            bold: false,
            markers: Marker::Dots,
        });
    }
    // the fitted frontier below n_b = d^(l/2), where both protocols share θ = l − 1 − μ
    let fits = fits_of(points, &summaries, l, &keys);
    for fit in &fits {
        let name = fit.series.label();
        theta.series.push(Series {
            label: format!(
                "{name}: fit μ ≤ {}, slope {:.2} (seeds {:.2} to {:.2})",
                display_number(fit.mu_hi),
                fit.slope,
                fit.seed_slopes.0,
                fit.seed_slopes.1
            ),
            points: vec![
                (fit.mu_lo, fit.intercept + fit.slope * fit.mu_lo),
                (fit.mu_hi, fit.intercept + fit.slope * fit.mu_hi),
            ],
            color: fit.series.color(),
            dashed: false,
            bold: false,
            markers: Marker::Line,
        });
    }
    if !fits.is_empty() {
        let offsets: Vec<String> = fits
            .iter()
            .map(|f| {
                format!(
                    "{} {:+.2} (a prefactor C ≈ {:.1} in T)",
                    f.series.label(),
                    f.offset,
                    df.powf(f.offset)
                )
            })
            .collect();
        let measured = format!(
            " Measured at d = {}: for μ ≤ l/2 the medians sit above θ = l − 1 − μ by {}.              T is a constant C times d^(l−1)/n_b, and log_d C is this offset; it shrinks like              ln C / ln d as d grows, while the slopes (thin lines, with the range of the              per-seed fits) are the exponents.",
            config.model.d,
            offsets.join(", ")
        );
        note = Some(note.unwrap_or_default() + &measured);
    }
    if let Some(assumption) = leap_assumption(config) {
        note = Some(note.map_or(assumption.clone(), |n| format!("{n} {assumption}")));
    }
    SweepCharts {
        theta,
        samples,
        note,
    }
}

/// The charts of either mode: [`sweep_charts`] for a batch-size sweep, the d-scaling charts
/// ([`super::d_charts::d_scaling_charts`]) for a sweep over d.
pub fn explorer_charts(config: &SweepConfig, points: &[SweepPoint], compact: bool) -> SweepCharts {
    if super::d_axis::is_d_scaling(config) {
        super::d_charts::d_scaling_charts(config, points, compact)
    } else {
        sweep_charts(config, points, compact)
    }
}

/// A series' frontier θ(μ) (one protocol at one a0) fitted where both protocols share the
/// theory line θ = l − 1 − μ (μ ≤ l/2, from the smallest measured μ).
#[derive(Clone, Debug, PartialEq)]
pub struct FittedFrontier {
    /// Protocol.
    pub protocol: Loss,
    /// The series (protocol and second-layer weight a0) fitted.
    pub series: SeriesKey,
    /// Fitted range of μ (resolved).
    pub mu_lo: f64,
    /// Upper end of the fitted range.
    pub mu_hi: f64,
    /// Least-squares slope of the median θ against μ.
    pub slope: f64,
    /// Its intercept.
    pub intercept: f64,
    /// Smallest and largest slope of the same fit to each seed's own θ(μ).
    pub seed_slopes: (f64, f64),
    /// Mean over the fitted μ of median θ − (l − 1 − μ): log_d of the escape time's
    /// prefactor at this d.
    pub offset: f64,
}

/// The fitted frontiers of `points` for information exponent l ≥ 2: per series (protocol, and
/// a0 in a sweep over a0; [`series_of_points`]), the medians over seeds of θ at each μ ≤ l/2
/// (capped runs as +∞), a least-squares line through them, the same fit per seed, and the mean
/// offset from the theory line. Series with fewer than two uncensored medians in range are
/// left out.
pub fn frontier_fits(points: &[SweepPoint], l: u32) -> Vec<FittedFrontier> {
    fits_of(points, &summarise(points), l, &series_of_points(points))
}

/// [`frontier_fits`] with the points' summaries and the series (in the order of
/// [`Loss::ALL`]) given.
fn fits_of(
    points: &[SweepPoint],
    summaries: &[SweepSummary],
    l: u32,
    keys: &[SeriesKey],
) -> Vec<FittedFrontier> {
    let top = l as f64 / 2.0 + 1e-9;
    let mut out = Vec::new();
    let ordered = Loss::ALL
        .into_iter()
        .flat_map(|loss| keys.iter().filter(move |k| k.protocol == loss));
    for key in ordered {
        let loss = key.protocol;
        let used: Vec<(f64, f64)> = summaries
            .iter()
            .filter(|s| s.protocol == loss && s.a0.to_bits() == key.a0.to_bits())
            .filter(|s| s.mu_resolved <= top)
            .filter_map(|s| Some((s.mu_resolved, s.median_theta?)))
            .collect();
        if used.len() < 2 || l < 2 {
            continue;
        }
        let xs: Vec<f64> = used.iter().map(|u| u.0).collect();
        let ys: Vec<f64> = used.iter().map(|u| u.1).collect();
        let (slope, intercept, _) = fit_slope(&xs, &ys);
        let mut seeds: Vec<u64> = points
            .iter()
            .filter(|p| key.holds(p))
            .map(|p| p.seed)
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        let per_seed: Vec<f64> = seeds
            .iter()
            .filter_map(|&seed| {
                let mine: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|p| key.holds(p) && p.seed == seed && p.mu_resolved <= top)
                    .filter_map(|p| Some((p.mu_resolved, p.theta?)))
                    .collect();
                (mine.len() >= 2).then(|| {
                    let xs: Vec<f64> = mine.iter().map(|m| m.0).collect();
                    let ys: Vec<f64> = mine.iter().map(|m| m.1).collect();
                    fit_slope(&xs, &ys).0
                })
            })
            .collect();
        let lo = per_seed.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = per_seed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let offset = used
            .iter()
            .map(|&(mu, t)| t - (l as f64 - 1.0 - mu))
            .sum::<f64>()
            / used.len() as f64;
        out.push(FittedFrontier {
            protocol: loss,
            series: *key,
            mu_lo: xs.iter().copied().fold(f64::INFINITY, f64::min),
            mu_hi: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            slope,
            intercept,
            seed_slopes: if per_seed.is_empty() {
                (slope, slope)
            } else {
                (lo, hi)
            },
            offset,
        });
    }
    out
}

/// What the dashed lines and crosses of the explorer's charts mean, for information exponent l
/// (the paper's Fig. 1).
pub fn phase_diagram_note(l: u32) -> String {
    if l <= 2 {
        format!(
            "Theory (l = {l}): both protocols need T = d{} / n_b steps up to n_b = d (×: the \
             optimal batch, N = T n_b stays flat up to it), then {} for larger batches, which only \
             waste samples.",
            if l == 2 { " log d" } else { "" },
            if l == 2 { "log d steps" } else { "one step" }
        )
    } else {
        format!(
            "Theory (l = {l}): T = d^(l−1) / n_b for both protocols up to n_b = d^(l/2) \
             (×, plain SGD's optimal batch); beyond it plain SGD stays at T = d^(l/2−1) while \
             the correlation loss keeps T = d^(l−1) / n_b up to n_b = d^(l−1) (×, its \
             optimal batch); then polylog(d) steps for d^(l−1) ≤ n_b < d^l \
             and one giant step for n_b ≥ d^l. Left of each × the number of samples N = T n_b is \
             flat; right of it larger batches only waste samples. Shading: below the dashed \
             lines no protocol reaches weak recovery; between them only correlation-loss (or \
             adaptive) SGD does; above them plain SGD does too."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampler::SamplerKind;

    fn point(protocol: Loss, mu: f64, seed: u64, theta: Option<f64>) -> SweepPoint {
        SweepPoint {
            protocol,
            mu,
            nb: 1,
            gamma: 0.01,
            seed,
            weak_recovery_step: theta.map(|_| 10),
            samples: 1000,
            sampler: SamplerKind::Exact,
            censored: theta.is_none(),
            theta,
            mu_resolved: mu,
            a0: 1.0,
            diverged: false,
            d: 1024,
        }
    }

    #[test]
    fn the_phase_diagram_is_drawn_before_any_run() {
        let charts = sweep_charts(&SweepConfig::default(), &[], false);
        assert!(!charts.theta.regions.is_empty());
        assert!(charts.theta.series.iter().any(|s| s.dashed));
        assert!(charts
            .theta
            .series
            .iter()
            .any(|s| s.markers == Marker::Crosses));
        assert!(charts.note.unwrap().contains("l = 3"));
    }

    #[test]
    fn a_multi_index_target_gets_the_frontiers_of_its_leap() {
        // z1 + He3(z2): l = 1 but leap 3, so the diagram is the l = 3 one, with the caveat
        let mut config = SweepConfig::default();
        config.model.target = r#"{"hermite": [[1, [1, 0]], [1, [0, 3]]]}"#.parse().unwrap();
        config.model.k = 2;
        let charts = sweep_charts(&config, &[], false);
        assert!(
            charts.theta.title.ends_with("leap index 3)"),
            "{}",
            charts.theta.title
        );
        let note = charts.note.clone().unwrap();
        assert!(note.starts_with("Theory (l = 3)"), "{note}");
        assert!(note.contains("l replaced by the leap index 3"), "{note}");
        assert!(
            note.contains("keeps the information exponent l = 1"),
            "{note}"
        );
        // the plain-SGD frontier of l = 3 ends at μ = l/2 = 1.5 with θ = l/2 − 1 = 0.5
        let he3 = sweep_charts(&SweepConfig::default(), &[], false);
        let ends = |c: &SweepCharts| -> Vec<(f64, f64)> {
            c.theta
                .series
                .iter()
                .filter(|s| s.markers == Marker::Crosses)
                .flat_map(|s| s.points.clone())
                .collect()
        };
        assert_eq!(ends(&charts), ends(&he3));
        assert!(ends(&charts).contains(&(1.5, 0.5)), "{:?}", ends(&charts));
    }

    #[test]
    fn a_sweep_over_a0_draws_one_series_per_protocol_and_a0() {
        let config = SweepConfig {
            a0_list: Some(vec![1.0, 0.1]),
            protocols: vec![Loss::Mse],
            ..SweepConfig::default()
        };
        let at = |a0: f64, mu: f64, seed: u64, theta: f64| {
            let t = 1024f64.powf(theta).round() as u64;
            SweepPoint {
                a0,
                weak_recovery_step: Some(t),
                ..point(Loss::Mse, mu, seed, Some((t as f64).ln() / 1024f64.ln()))
            }
        };
        // a0 = 1 recovers at theta = 2 - mu, a0 = 0.1 one unit of theta later
        let mut points = Vec::new();
        for a0 in [1.0, 0.1] {
            for mu in [0.5, 1.0, 1.5] {
                for seed in 0..3 {
                    let late = if a0 == 0.1 { 1.0 } else { 0.0 };
                    points.push(at(a0, mu, seed, 2.0 - mu + late + 0.01 * seed as f64));
                }
            }
        }
        let charts = sweep_charts(&config, &points, false);
        let find = |label: &str| {
            charts
                .theta
                .series
                .iter()
                .find(|s| s.label == label)
                .cloned()
                .unwrap_or_else(|| panic!("no series {label}"))
        };
        let one = find("MSE SGD, a0 = 1: median (dots: runs)");
        let tenth = find("MSE SGD, a0 = 0.1: median (dots: runs)");
        assert_ne!(one.color, tenth.color);
        let close = |s: &Series, want: [f64; 3]| {
            s.points.len() == 3
                && s.points
                    .iter()
                    .zip(want)
                    .all(|(p, w)| (p.1 - w).abs() < 5e-3)
        };
        assert!(close(&one, [1.51, 1.01, 0.51]), "{:?}", one.points);
        assert!(close(&tenth, [2.51, 2.01, 1.51]), "{:?}", tenth.points);
        // each a0 has its own frontier fit, with the same slope and offsets one apart
        let fits = frontier_fits(&points, 3);
        assert_eq!(fits.len(), 2);
        assert_eq!((fits[0].series.a0, fits[1].series.a0), (1.0, 0.1));
        assert!(
            fits.iter().all(|f| (f.slope + 1.0).abs() < 1e-2),
            "{fits:?}"
        );
        assert!((fits[1].offset - fits[0].offset - 1.0).abs() < 5e-3);
        assert!(charts.theta.series.iter().any(|s| s
            .label
            .starts_with("MSE SGD, a0 = 0.1: fit μ ≤ 1.5, slope -1.00")));
    }

    #[test]
    fn runs_medians_and_capped_runs_are_drawn_per_protocol() {
        let config = SweepConfig::default();
        let points = vec![
            point(Loss::Mse, 1.0, 0, Some(1.2)),
            point(Loss::Mse, 1.0, 1, Some(1.4)),
            point(Loss::Mse, 1.0, 2, None),
        ];
        let charts = sweep_charts(&config, &points, true);
        let mse = |label: &str| {
            charts
                .theta
                .series
                .iter()
                .find(|s| s.label == label)
                .cloned()
        };
        let capped = mse("MSE SGD: capped").expect("a capped series");
        assert_eq!(capped.markers, Marker::OpenTriangles);
        assert!(mse("MSE SGD: median (dots: runs)").is_some());
        // compact legends keep no theory labels
        assert!(charts.theta.regions.iter().all(|r| r.label.is_empty()));
    }
}
