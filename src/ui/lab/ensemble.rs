//! A panel's ensemble: the runs of one protocol at several batch exponents μ and seeds, and
//! what the page draws of them.
//!
//! Every run of an ensemble stops at weak recovery (max_j ‖M_j‖ ≥ η), except with a trained
//! second layer, whose runs go on to their step cap (what they show is the fit after the
//! escape): then every run's value is known up to the cap, and the curves below are plain
//! quantiles over the seeds. At a time t the runs of
//! one μ are either still below η (their value at t is known) or have escaped (their value is
//! above η). A quantile of max_j ‖M_j‖ over the seeds is therefore known exactly while it is
//! below η: the escaped runs count as +∞, and a quantile that lands on one ends its curve. The
//! risk is read the same way with escaped runs counted as −∞ (below every run still on the
//! plateau). Curves also end at the step the slowest live run has reached. The escape times
//! themselves are drawn as an empirical distribution function (the fraction of seeds escaped
//! by t; runs capped before η never count), and each finished μ becomes a
//! [`SweepPoint`] for the θ = log_d T inset.

use super::time_axis::TimeAxis;
use crate::model::Loss;
use crate::protocol::RunSummary;
use crate::sweep::{quantile_sorted, SweepPoint};
use crate::ui::chart_spec::{Band, ChartSpec, Marker, Series};

/// One recorded point of an ensemble run, reduced to what the bands need.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnsemblePoint {
    /// Step t.
    pub step: u64,
    /// max_j ‖M_j‖ at t.
    pub overlap: f64,
    /// Population risk at t.
    pub risk: f64,
}

/// One run of an ensemble.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Index of its batch exponent in the panel's list.
    pub mu_index: usize,
    /// Its nominal batch exponent μ.
    pub mu: f64,
    /// Its seed.
    pub seed: u64,
    /// Resolved numbers, once the worker accepted the run.
    pub summary: Option<RunSummary>,
    /// Recorded points.
    pub points: Vec<EnsemblePoint>,
    /// Steps done.
    pub step: u64,
    /// Its step cap.
    pub steps: u64,
    /// Weak-recovery step, once reached.
    pub weak_recovery_step: Option<u64>,
    /// The run ended (recovered, capped, diverged or invalid).
    pub done: bool,
    /// Why the run ended without a result (diverged or invalid), if it did.
    pub failed: Option<String>,
}

impl Member {
    /// A member not started yet.
    pub fn new(mu_index: usize, mu: f64, seed: u64) -> Self {
        Member {
            mu_index,
            mu,
            seed,
            summary: None,
            points: Vec::new(),
            step: 0,
            steps: 0,
            weak_recovery_step: None,
            done: false,
            failed: None,
        }
    }

    /// Batch size n_b (1 until the worker reported it).
    pub fn nb(&self) -> u64 {
        self.summary.as_ref().map_or(1, |s| s.nb)
    }

    /// Fraction done, in [0, 1].
    pub fn progress(&self) -> f64 {
        if self.done {
            1.0
        } else if self.steps > 0 {
            (self.step.min(self.steps) as f64 / self.steps as f64).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The value of `value` at step t: the last recorded point at or before t; `escaped` once
    /// the run stopped at weak recovery before t; `None` when t is beyond what is known.
    fn value_at(&self, t: u64, value: fn(&EnsemblePoint) -> f64, escaped: f64) -> Option<f64> {
        let last = self.points.last()?;
        if t > last.step {
            return match (self.done, self.weak_recovery_step) {
                (true, Some(_)) => Some(escaped),
                (true, None) => Some(value(last)),
                (false, _) => None,
            };
        }
        let i = self.points.partition_point(|p| p.step <= t);
        (i > 0).then(|| value(&self.points[i - 1]))
    }

    /// The run as a point of the θ inset (once done, without failure), at dimension `d` with
    /// second-layer weight `a0`.
    pub fn sweep_point(&self, loss: Loss, d: u64, a0: f64) -> Option<SweepPoint> {
        let s = self.summary.as_ref()?;
        if !self.done || self.failed.is_some() {
            return None;
        }
        let drawn = self.weak_recovery_step.unwrap_or(self.step);
        Some(SweepPoint {
            protocol: loss,
            mu: self.mu,
            nb: s.nb,
            gamma: s.gamma,
            seed: self.seed,
            weak_recovery_step: self.weak_recovery_step,
            samples: drawn.saturating_mul(s.nb),
            sampler: s.sampler,
            censored: self.weak_recovery_step.is_none(),
            theta: self
                .weak_recovery_step
                .map(|t| (t.max(1) as f64).ln() / (d as f64).ln()),
            mu_resolved: s.mu,
            a0,
            diverged: false,
            d,
        })
    }
}

/// Median and quartile curves of `value` over `members` (one μ) on the time axis, as (lower
/// quartile, median, upper quartile); escaped runs count as `escaped` (±∞), a quantile that
/// is infinite ends its curve.
pub fn quantile_curves(
    members: &[&Member],
    value: fn(&EnsemblePoint) -> f64,
    escaped: f64,
    axis: TimeAxis,
) -> [Vec<(f64, f64)>; 3] {
    let live: Vec<&&Member> = members.iter().filter(|m| m.failed.is_none()).collect();
    let mut steps: Vec<u64> = live
        .iter()
        .flat_map(|m| m.points.iter().map(|p| p.step))
        .collect();
    steps.sort_unstable();
    steps.dedup();
    let nb = live.first().map_or(1, |m| m.nb());
    let mut curves: [Vec<(f64, f64)>; 3] = Default::default();
    let mut ended = [false; 3];
    let mut values = Vec::with_capacity(live.len());
    for t in steps {
        values.clear();
        for m in &live {
            match m.value_at(t, value, escaped) {
                Some(v) => values.push(v),
                None => return curves,
            }
        }
        if values.is_empty() {
            break;
        }
        values.sort_by(f64::total_cmp);
        let x = axis.x(t, nb);
        for (k, q) in [0.25, 0.5, 0.75].into_iter().enumerate() {
            let v = quantile_sorted(&values, q);
            if ended[k] || !v.is_finite() {
                ended[k] = true;
                continue;
            }
            curves[k].push((x, v));
        }
        if ended.iter().all(|&e| e) {
            break;
        }
    }
    curves
}

/// The empirical distribution of escape times: (time, fraction of the seeds escaped by
/// then) as a step function from 0, over all `members` (capped, failed and live runs count
/// in the denominator and never escape).
pub fn escape_ecdf(members: &[&Member], axis: TimeAxis) -> Vec<(f64, f64)> {
    let n = members.len().max(1) as f64;
    let nb = members.first().map_or(1, |m| m.nb());
    let mut times: Vec<u64> = members
        .iter()
        .filter_map(|m| m.weak_recovery_step)
        .collect();
    times.sort_unstable();
    let mut points = Vec::with_capacity(2 * times.len() + 1);
    for (i, &t) in times.iter().enumerate() {
        let x = axis.x(t.max(1), nb);
        points.push((x, i as f64 / n));
        points.push((x, (i + 1) as f64 / n));
    }
    points
}

/// Median escape time in steps of `members` once every run ended, a capped run counting as
/// infinitely late (`None` while runs are live, or when more than half were capped).
pub fn median_escape(members: &[&Member]) -> Option<f64> {
    if members.is_empty() || members.iter().any(|m| !m.done) {
        return None;
    }
    let mut t: Vec<f64> = members
        .iter()
        .map(|m| m.weak_recovery_step.map_or(f64::INFINITY, |t| t as f64))
        .collect();
    t.sort_by(f64::total_cmp);
    Some(quantile_sorted(&t, 0.5)).filter(|v| v.is_finite())
}

/// The members of batch exponent index `i`.
pub fn of_exponent(members: &[Member], i: usize) -> Vec<&Member> {
    members.iter().filter(|m| m.mu_index == i).collect()
}

/// The batch exponents of `members`, by index.
pub fn exponents(members: &[Member]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for m in members {
        if m.mu_index >= out.len() {
            out.resize(m.mu_index + 1, m.mu);
        }
        out[m.mu_index] = m.mu;
    }
    out
}

/// Palette index of batch exponent index `i` (after the protocols' colours 0–2).
pub fn exponent_color(i: usize) -> usize {
    [0, 2, 1, 4][i % 4]
}

/// Bands (25–75% over seeds) and median curves of `value`, one per batch exponent, labelled
/// with μ, n_b and the number of seeds.
pub fn band_chart(
    members: &[Member],
    value: fn(&EnsemblePoint) -> f64,
    escaped: f64,
    axis: TimeAxis,
) -> (Vec<Band>, Vec<Series>) {
    let mut bands = Vec::new();
    let mut series = Vec::new();
    for (i, mu) in exponents(members).into_iter().enumerate() {
        let mine = of_exponent(members, i);
        let [lo, median, hi] = quantile_curves(&mine, value, escaped, axis);
        let color = exponent_color(i);
        let nb = mine.first().map_or(1, |m| m.nb());
        let label = format!("μ = {mu} (n_b = {nb}), median of {}", mine.len());
        bands.push(Band {
            label: String::new(),
            lower: lo,
            upper: hi,
            color,
        });
        series.push(Series {
            label,
            points: median,
            color,
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
    }
    (bands, series)
}

/// The escape-time chart: one empirical distribution function per batch exponent.
pub fn escape_spec(members: &[Member], axis: TimeAxis, eta: f64) -> ChartSpec {
    let mut spec = ChartSpec {
        title: format!("escaped by t (max_j ||M_j|| ≥ {eta})"),
        x_label: axis.label(),
        y_label: "fraction escaped".into(),
        log_x: axis.log,
        y_range: Some((0.0, 1.05)),
        ..Default::default()
    };
    for (i, mu) in exponents(members).into_iter().enumerate() {
        let mine = of_exponent(members, i);
        let median = median_escape(&mine)
            .map(|t| format!(", median {} steps", crate::ui::format::format_count(t)))
            .unwrap_or_default();
        spec.series.push(Series {
            label: format!("μ = {mu}{median}"),
            points: escape_ecdf(&mine, axis),
            color: exponent_color(i),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
    }
    spec
}

/// One line per batch exponent: escaped runs, the median escape in steps and samples and the
/// quartiles, e.g. "μ = 1 (n_b = 1024): 8/8 escaped · median 8.1k steps = 8.3M samples ·
/// quartiles 5.2k–12k steps".
pub fn ensemble_lines(members: &[Member]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, mu) in exponents(members).into_iter().enumerate() {
        let mine = of_exponent(members, i);
        let nb = mine.first().map_or(1, |m| m.nb());
        let escaped = mine
            .iter()
            .filter(|m| m.weak_recovery_step.is_some())
            .count();
        let done = mine.iter().filter(|m| m.done).count();
        let mut line = format!(
            "μ = {mu} (n_b = {nb}): {escaped}/{} escaped, {done} done",
            mine.len()
        );
        if let Some(t) = median_escape(&mine) {
            let mut all: Vec<f64> = mine
                .iter()
                .map(|m| m.weak_recovery_step.map_or(f64::INFINITY, |t| t as f64))
                .collect();
            all.sort_by(f64::total_cmp);
            let f = crate::ui::format::format_count;
            line.push_str(&format!(
                " · median {} steps = {} samples · quartiles {}–{} steps",
                f(t),
                f(t * nb as f64),
                f(quantile_sorted(&all, 0.25)),
                f(quantile_sorted(&all, 0.75)),
            ));
        }
        let failed = mine.iter().filter(|m| m.failed.is_some()).count();
        if failed > 0 {
            line.push_str(&format!(" · {failed} diverged or invalid"));
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(seed: u64, escape: Option<u64>, done: bool, last: u64) -> Member {
        let mut m = Member::new(0, 1.0, seed);
        m.points = (0..=last)
            .step_by(10)
            .map(|step| EnsemblePoint {
                step,
                overlap: 0.01 + step as f64 * 1e-3,
                risk: 1.0 - step as f64 * 1e-3,
            })
            .collect();
        m.step = last;
        m.steps = 1000;
        m.weak_recovery_step = escape;
        m.done = done;
        m
    }

    #[test]
    fn a_quantile_ends_where_it_lands_on_an_escaped_run() {
        // two runs escaped at 100 and 200, two go on to 400
        let runs = [
            member(1, Some(100), true, 100),
            member(2, Some(200), true, 200),
            member(3, None, false, 400),
            member(4, None, false, 400),
        ];
        let refs: Vec<&Member> = runs.iter().collect();
        let axis = TimeAxis {
            log: false,
            samples: false,
        };
        let [lo, median, hi] = quantile_curves(&refs, |p| p.overlap, f64::INFINITY, axis);
        // the upper quartile needs the third value: infinite once one run escaped
        assert_eq!(hi.last().unwrap().0, 100.0);
        // the median (mean of the middle two) is infinite once two escaped
        assert_eq!(median.last().unwrap().0, 200.0);
        // the lower quartile is known up to what the live runs reached
        assert_eq!(lo.last().unwrap().0, 400.0);
        let ecdf = escape_ecdf(&refs, axis);
        assert_eq!(ecdf.last(), Some(&(200.0, 0.5)));
        assert_eq!(median_escape(&refs), None, "two runs are still live");
    }

    #[test]
    fn the_median_escape_counts_capped_runs_as_late() {
        let runs = [
            member(1, Some(100), true, 100),
            member(2, Some(300), true, 300),
            member(3, None, true, 1000),
        ];
        let refs: Vec<&Member> = runs.iter().collect();
        assert_eq!(median_escape(&refs), Some(300.0));
        let lines = ensemble_lines(&runs);
        assert!(lines[0].contains("2/3 escaped, 3 done"), "{lines:?}");
    }
}
