//! The d-scaling mode's two charts as pure specs, over the fits of
//! [`crate::sweep::fit_d_scaling`] (T = C d^θ_fit per protocol (and a0) at the sweep's one μ):
//!
//! * **T against d** on log–log axes: the runs (dots; open triangles at the cap for capped
//!   runs), the median over seeds (bold), the seeds' range at each d (shaded), the fit
//!   C d^θ_fit (thin) and, dashed, the paper's asymptotic slope θ drawn through the median at
//!   the largest fitted d; a grey strip under the runs marks the dimensions the clt sampler
//!   ran; the cap is drawn when some run hit it;
//! * **log_d T against d** (log x): the measured exponent at each d, which is
//!   θ_fit + ln C / ln d on the fit, next to the paper's θ (dashed): how slowly the measured
//!   log_d T approaches the asymptote (SCIENCE.md §13).
//!
//! The note gives per series (protocol, and a0 in a sweep over a0) the fitted exponent with
//! its standard error and the seeds' spread next to the paper's exponent, and the measured
//! log_d T at the smallest and largest d.

use super::charts::SweepCharts;
use super::exponents::{frontier_exponent, information_exponent, leap_assumption};
use super::form::power_of_two;
use super::series::{series_keys, SeriesKey};
use crate::config::display_number;
use crate::sampler::SamplerKind;
use crate::sweep::{fit_d_scaling, DScalingSummary, SweepConfig, SweepPoint};
use crate::ui::chart_spec::{Band, ChartSpec, Marker, Series};

/// Palette index of the clt sampler's shading.
const CLT_COLOR: usize = 7;

/// The points of series `key`, each as (d, T) with a capped run at the cap.
fn times(points: &[SweepPoint], key: &SeriesKey, cap: f64) -> Vec<(u64, f64, bool)> {
    points
        .iter()
        .filter(|p| key.holds(p))
        .map(|p| {
            let t = p.weak_recovery_step.map_or(cap, |t| (t as f64).max(1.0));
            (p.d, t, p.censored)
        })
        .collect()
}

/// The paper's exponent to set next to a fit: the fit's own (the rate is the optimal one) when
/// the frontiers are the paper's; none when they are the leap's and it differs from l (the
/// rate policy follows l, so the leap law's rate is not the one run).
fn paper_theta(config: &SweepConfig, fit: &DScalingSummary) -> Option<f64> {
    (frontier_exponent(config) == information_exponent(config))
        .then_some(fit.theta_asymptotic)
        .flatten()
}

/// "0.502 ± 0.003" (the standard error only with three d or more).
fn with_error(theta: f64, se: Option<f64>) -> String {
    match se {
        Some(se) => format!("{theta:.3} ± {se:.3}"),
        None => format!("{theta:.3}"),
    }
}

/// The d-scaling charts of `points` (sorted by job) of the d-scaling sweep `config` (its
/// `theta` field is T against d, its `samples` field log_d T against d); `compact` keeps the
/// theory out of the legends.
pub fn d_scaling_charts(config: &SweepConfig, points: &[SweepPoint], compact: bool) -> SweepCharts {
    let dims = config.dimensions();
    let (d_lo, d_hi) = (
        dims.iter().copied().min().unwrap_or(256) as f64,
        dims.iter().copied().max().unwrap_or(1024) as f64,
    );
    let cap = config.max_steps as f64;
    let mu = config.mu.first().copied().unwrap_or(1.0);
    let mut time = ChartSpec {
        title: format!(
            "steps to weak recovery T against d (μ = {})",
            display_number(mu)
        ),
        x_label: "d".into(),
        y_label: "T".into(),
        log_x: true,
        log_y: true,
        x_range: Some((d_lo / 1.4, d_hi * 1.4)),
        ..Default::default()
    };
    let mut exponent = ChartSpec {
        title: "measured exponent log_d T against d".into(),
        x_label: "d".into(),
        y_label: "log_d T".into(),
        log_x: true,
        x_range: Some((d_lo / 1.4, d_hi * 1.4)),
        ..Default::default()
    };
    if points.is_empty() {
        // before a run: the frame of 1 step to the cap
        time.y_range = Some((1.0, cap.max(10.0)));
    }
    let fits = fit_d_scaling(config, points);
    let mut lines = Vec::new();
    let (mut y_lo, mut y_hi) = (f64::INFINITY, 0.0f64);
    for key in series_keys(config) {
        let name = key.label();
        let runs = times(points, &key, cap);
        y_lo = runs.iter().map(|r| r.1).fold(y_lo, f64::min);
        y_hi = runs.iter().map(|r| r.1).fold(y_hi, f64::max);
        let recovered: Vec<(f64, f64)> = runs
            .iter()
            .filter(|r| !r.2)
            .map(|r| (r.0 as f64, r.1))
            .collect();
        time.series.push(Series {
            label: String::new(),
            points: recovered.clone(),
            color: key.color(),
            dashed: false,
            bold: false,
            markers: Marker::Dots,
        });
        exponent.series.push(Series {
            label: String::new(),
            points: recovered
                .iter()
                .map(|&(d, t)| (d, t.ln() / d.ln()))
                .collect(),
            color: key.color(),
            dashed: false,
            bold: false,
            markers: Marker::Dots,
        });
        let capped: Vec<(f64, f64)> = runs
            .iter()
            .filter(|r| r.2)
            .map(|r| (r.0 as f64, cap))
            .collect();
        if !capped.is_empty() {
            if time.horizontal_lines.is_empty() {
                time.horizontal_lines
                    .push((cap, format!("cap: {} steps", config.max_steps)));
            }
            time.series.push(Series {
                label: format!("{name}: capped"),
                points: capped,
                color: key.color(),
                dashed: false,
                bold: false,
                markers: Marker::OpenTriangles,
            });
        }
        // the seeds' range (capped runs at the cap) and the median at each d
        let (mut lower, mut upper) = (Vec::new(), Vec::new());
        for &d in &dims {
            let at: Vec<f64> = runs.iter().filter(|r| r.0 == d).map(|r| r.1).collect();
            if at.len() >= 2 {
                lower.push((d as f64, at.iter().copied().fold(f64::INFINITY, f64::min)));
                upper.push((d as f64, at.iter().copied().fold(0.0, f64::max)));
            }
        }
        if !lower.is_empty() {
            time.bands.push(Band {
                label: format!("{name}: seeds' range"),
                lower,
                upper,
                color: key.color(),
            });
        }
        let Some(fit) = fits
            .iter()
            .find(|f| f.protocol == key.protocol && f.a0.to_bits() == key.a0.to_bits())
        else {
            continue;
        };
        let medians: Vec<(f64, f64)> = fit
            .d
            .iter()
            .zip(&fit.median_steps)
            .filter_map(|(&d, t)| Some((d as f64, (*t)?.max(1.0))))
            .collect();
        time.series.push(Series {
            label: format!("{name}: median"),
            points: medians.clone(),
            color: key.color(),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
        exponent.series.push(Series {
            label: format!("{name}: median"),
            points: medians.iter().map(|&(d, t)| (d, t.ln() / d.ln())).collect(),
            color: key.color(),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
        let paper = paper_theta(config, fit);
        if let (Some(theta), Some(c)) = (fit.theta_fit, fit.prefactor) {
            let fitted: Vec<f64> = fit.fitted_d.iter().map(|&d| d as f64).collect();
            let (lo, hi) = (
                fitted.iter().copied().fold(f64::INFINITY, f64::min),
                fitted.iter().copied().fold(0.0, f64::max),
            );
            let grid: Vec<f64> = (0..=16)
                .map(|i| lo * (hi / lo).powf(i as f64 / 16.0))
                .collect();
            time.series.push(Series {
                label: format!("{name}: fit θ = {}", with_error(theta, fit.theta_fit_se)),
                points: grid.iter().map(|&d| (d, c * d.powf(theta))).collect(),
                color: key.color(),
                dashed: false,
                bold: false,
                markers: Marker::Line,
            });
            exponent.series.push(Series {
                label: format!("{name}: fit θ + ln C / ln d"),
                points: grid.iter().map(|&d| (d, theta + c.ln() / d.ln())).collect(),
                color: key.color(),
                dashed: false,
                bold: false,
                markers: Marker::Line,
            });
            // the paper's slope through the median at the largest fitted d
            if let (Some(theta_paper), Some(&(d_top, t_top))) = (
                paper,
                medians
                    .iter()
                    .rev()
                    .find(|m| fit.fitted_d.contains(&(m.0 as u64))),
            ) {
                let label = if compact {
                    String::new()
                } else {
                    format!("{name}: paper θ = {} (slope)", display_number(theta_paper))
                };
                time.series.push(Series {
                    label,
                    points: vec![(lo, t_top * (lo / d_top).powf(theta_paper)), (d_top, t_top)],
                    color: key.color(),
                    dashed: true,
                    bold: false,
                    markers: Marker::Line,
                });
            }
        }
        if let Some(theta_paper) = paper {
            exponent.series.push(Series {
                label: if compact {
                    String::new()
                } else {
                    format!("{name}: paper θ = {}", display_number(theta_paper))
                },
                points: vec![(d_lo, theta_paper), (d_hi, theta_paper)],
                color: key.color(),
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
        }
        lines.push(fit_line(config, &name, fit, paper));
    }
    // the dimensions the clt sampler ran: a grey strip under the runs of the T chart
    let clt: Vec<f64> = dims
        .iter()
        .filter(|&&d| {
            points
                .iter()
                .any(|p| p.d == d && p.sampler == SamplerKind::Clt)
        })
        .map(|&d| d as f64)
        .collect();
    if let (Some(&first), Some(&last), true) = (clt.first(), clt.last(), y_lo.is_finite()) {
        let (a, b) = (first / 1.2, last * 1.2);
        // a strip a tenth of the data's decades high, just under the lowest run
        let height = (y_hi / y_lo).max(10.0).powf(0.1);
        let top = y_lo / height.sqrt();
        time.bands.push(Band {
            label: "clt sampler (large batches)".into(),
            lower: vec![(a, top / height), (b, top / height)],
            upper: vec![(a, top), (b, top)],
            color: CLT_COLOR,
        });
    }
    let mut note = format!(
        "T = C·d^θ fitted per protocol at μ = {} over d = {} to {} (least squares of ln median T \
         against ln d; a d where a seed is capped leaves the fit); the measured log_d T = θ + \
         ln C / ln d approaches θ only like 1/ln d.",
        display_number(mu),
        power_of_two(d_lo as u64),
        power_of_two(d_hi as u64),
    );
    for line in lines {
        note.push(' ');
        note.push_str(&line);
    }
    if !clt.is_empty() {
        let at: Vec<String> = clt.iter().map(|&d| power_of_two(d as u64)).collect();
        note.push_str(&format!(
            " Grey strip: d = {} ran the clt (large-batch) sampler.",
            at.join(", ")
        ));
    }
    if let Some(assumption) = leap_assumption(config) {
        note.push(' ');
        note.push_str(&assumption);
    }
    SweepCharts {
        theta: time,
        samples: exponent,
        note: Some(note),
    }
}

/// The note's sentence of one series' fit (`name`: its label).
fn fit_line(config: &SweepConfig, name: &str, fit: &DScalingSummary, paper: Option<f64>) -> String {
    let Some(theta) = fit.theta_fit else {
        return format!(
            "{name}: no fit yet (fewer than two d where every seed recovered{}).",
            if fit.censored_d.is_empty() {
                ""
            } else {
                "; capped runs"
            }
        );
    };
    let seeds = match (fit.theta_seed_min, fit.theta_seed_max) {
        (Some(lo), Some(hi)) => {
            format!(", seeds {lo:.2} to {hi:.2} ({} fitted)", fit.seed_fits)
        }
        _ => String::new(),
    };
    let paper = match paper {
        Some(p) => format!("paper θ = {}", display_number(p)),
        None if information_exponent(config) != frontier_exponent(config) => {
            "no paper exponent (the rate follows l, not the leap)".into()
        }
        None => "no paper exponent (the rate is not the optimal one)".into(),
    };
    let measured: Vec<(u64, f64)> = fit
        .d
        .iter()
        .zip(&fit.median_steps)
        .filter_map(|(&d, t)| Some((d, (*t)?.max(1.0).ln() / (d as f64).ln())))
        .collect();
    let measured = match (measured.first(), measured.last()) {
        (Some(a), Some(b)) if measured.len() >= 2 => format!(
            "; log_d T = {:.2} at d = {} and {:.2} at {}",
            a.1,
            power_of_two(a.0),
            b.1,
            power_of_two(b.0)
        ),
        _ => String::new(),
    };
    let left_out = if fit.censored_d.is_empty() {
        String::new()
    } else {
        let d: Vec<String> = fit.censored_d.iter().map(|&d| power_of_two(d)).collect();
        format!(" (left out, a seed capped: d = {})", d.join(", "))
    };
    format!(
        "{name}: θ_fit = {}, C = {:.3}{seeds}; {paper}{measured}{left_out}.",
        with_error(theta, fit.theta_fit_se),
        fit.prefactor.unwrap_or(f64::NAN),
    )
}

#[cfg(test)]
#[path = "d_charts_tests.rs"]
mod tests;
