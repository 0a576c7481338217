//! Reading a sweep: per (protocol, a0, d, μ) medians and quartiles of θ over seeds (capped runs as
//! T = +∞), and least-squares slopes of the frontier θ(μ).

use super::*;
use crate::model::Loss;
use serde::{Deserialize, Serialize};

/// Summary of the runs of one (protocol, a0, d, mu) over its seeds. theta = log_d T; censored runs
/// count as T = +infinity, so a median or quartile that falls on them is reported as null.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// Loss.
    pub protocol: Loss,
    /// Second-layer weight a0 every unit started with.
    pub a0: f64,
    /// Input dimension d.
    pub d: u64,
    /// Nominal mu.
    pub mu: f64,
    /// log_d n_b of the actual batch size.
    pub mu_resolved: f64,
    /// Batch size.
    pub nb: u64,
    /// Learning rate.
    pub gamma: f64,
    /// Number of runs (seeds).
    pub runs: usize,
    /// Runs that did not reach weak recovery.
    pub censored_runs: usize,
    /// Median steps to weak recovery; null when censored.
    pub median_steps: Option<f64>,
    /// Median theta = log_d T; null when censored (at least half of an even number, or more
    /// than half of an odd number, of runs capped).
    pub median_theta: Option<f64>,
    /// Lower quartile of theta (always finite unless more than 3/4 are censored).
    pub theta_q1: Option<f64>,
    /// Upper quartile of theta; null when it falls on censored runs.
    pub theta_q3: Option<f64>,
    /// Smallest theta; null when every run is censored.
    pub theta_min: Option<f64>,
    /// Largest theta; null when any run is censored.
    pub theta_max: Option<f64>,
    /// Median log_d N, N = T n_b samples to weak recovery; null when censored.
    pub median_log_samples: Option<f64>,
}

/// Quantile with linear interpolation between order statistics (R type 7) of sorted values;
/// infinite values propagate (a quantile touching a censored run is +infinity).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    if lo == hi {
        return sorted[lo];
    }
    let (a, b) = (sorted[lo], sorted[hi]);
    if b.is_infinite() {
        return b;
    }
    a + (h - lo as f64) * (b - a)
}

pub(super) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Summaries per (protocol, a0, d, mu), in order of first appearance in `points` (with one a0
/// and one d: per (protocol, mu)). theta = log_d T with the points' own d.
pub fn summarise(points: &[SweepPoint]) -> Vec<SweepSummary> {
    let key = |p: &SweepPoint| (p.protocol, p.a0.to_bits(), p.d, p.mu.to_bits());
    let mut keys: Vec<(Loss, u64, u64, u64)> = Vec::new();
    for p in points {
        if !keys.contains(&key(p)) {
            keys.push(key(p));
        }
    }
    keys.into_iter()
        .map(|k| {
            let (protocol, a0_bits, d, _) = k;
            let group: Vec<&SweepPoint> = points.iter().filter(|p| key(p) == k).collect();
            let first = group[0];
            let mut steps: Vec<f64> = group.iter().map(|p| recovery_steps(p)).collect();
            steps.sort_by(f64::total_cmp);
            let ln_d = (d as f64).ln();
            let theta = |t: f64| if t.is_finite() { t.ln() / ln_d } else { t };
            let median_steps = quantile_sorted(&steps, 0.5);
            let median_theta = finite(theta(median_steps));
            SweepSummary {
                protocol,
                a0: f64::from_bits(a0_bits),
                d,
                mu: first.mu,
                mu_resolved: first.mu_resolved,
                nb: first.nb,
                gamma: first.gamma,
                runs: group.len(),
                censored_runs: group.iter().filter(|p| p.censored).count(),
                median_steps: finite(median_steps),
                median_theta,
                theta_q1: finite(theta(quantile_sorted(&steps, 0.25))),
                theta_q3: finite(theta(quantile_sorted(&steps, 0.75))),
                theta_min: finite(theta(steps[0])),
                theta_max: finite(theta(steps[steps.len() - 1])),
                median_log_samples: median_theta.map(|t| t + first.mu_resolved),
            }
        })
        .collect()
}

/// The weak-recovery step of a point as a number, max(T, 1) (as theta uses it), +infinity
/// when censored.
pub(super) fn recovery_steps(p: &SweepPoint) -> f64 {
    match p.weak_recovery_step {
        Some(t) => t.max(1) as f64,
        None => f64::INFINITY,
    }
}

/// Least-squares line y = slope x + intercept. Returns (slope, intercept, standard error of
/// the slope); the standard error is sqrt(RSS / (n - 2) / Sxx), NaN for n < 3; all NaN when
/// fewer than two points or all x equal.
pub fn fit_slope(xs: &[f64], ys: &[f64]) -> (f64, f64, f64) {
    let n = xs.len().min(ys.len());
    if n < 2 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let nf = n as f64;
    let mx = xs.iter().sum::<f64>() / nf;
    let my = ys.iter().sum::<f64>() / nf;
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx <= 0.0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let se = if n > 2 {
        let rss: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| {
                let r = y - intercept - slope * x;
                r * r
            })
            .sum();
        (rss / (nf - 2.0) / sxx).sqrt()
    } else {
        f64::NAN
    };
    (slope, intercept, se)
}

/// The frontier of one protocol at one second-layer weight a0 fitted over mu_lo <= mu <= mu_hi
/// (nominal mu), from the uncensored medians of [`summarise`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierFit {
    /// Protocol fitted.
    pub protocol: Loss,
    /// Second-layer weight a0 of the summaries fitted.
    pub a0: f64,
    /// Points used (uncensored medians in range).
    pub points: usize,
    /// Fitted slope of median theta = log_d T against mu_resolved.
    pub slope: f64,
    /// Intercept of that line.
    pub intercept: f64,
    /// Standard error of the slope (least squares residuals).
    pub slope_se: f64,
    /// Fitted slope of median log_d N against mu_resolved (= slope + 1).
    pub samples_slope: f64,
    /// Largest median log_d N minus the smallest over the points used.
    pub samples_range: f64,
}

/// Fits the medians of `protocol` with nominal mu in [mu_lo, mu_hi] at the a0 of its first
/// summary (a sweep's one a0; for a sweep over a0 see [`fit_frontier_at`]); `None` with fewer
/// than two uncensored medians.
pub fn fit_frontier(
    summaries: &[SweepSummary],
    protocol: Loss,
    mu_lo: f64,
    mu_hi: f64,
) -> Option<FrontierFit> {
    let a0 = summaries.iter().find(|s| s.protocol == protocol)?.a0;
    fit_frontier_at(summaries, protocol, a0, mu_lo, mu_hi)
}

/// Fits the medians of (`protocol`, `a0`) with nominal mu in [mu_lo, mu_hi]; `None` with fewer
/// than two uncensored medians.
pub fn fit_frontier_at(
    summaries: &[SweepSummary],
    protocol: Loss,
    a0: f64,
    mu_lo: f64,
    mu_hi: f64,
) -> Option<FrontierFit> {
    let used: Vec<(f64, f64, f64)> = summaries
        .iter()
        .filter(|s| s.protocol == protocol && s.a0.to_bits() == a0.to_bits())
        .filter(|s| s.mu >= mu_lo && s.mu <= mu_hi)
        .filter_map(|s| Some((s.mu_resolved, s.median_theta?, s.median_log_samples?)))
        .collect();
    if used.len() < 2 {
        return None;
    }
    let xs: Vec<f64> = used.iter().map(|u| u.0).collect();
    let thetas: Vec<f64> = used.iter().map(|u| u.1).collect();
    let logs: Vec<f64> = used.iter().map(|u| u.2).collect();
    let (slope, intercept, slope_se) = fit_slope(&xs, &thetas);
    let (samples_slope, _, _) = fit_slope(&xs, &logs);
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = logs.iter().copied().fold(f64::INFINITY, f64::min);
    Some(FrontierFit {
        protocol,
        a0,
        points: used.len(),
        slope,
        intercept,
        slope_se,
        samples_slope,
        samples_range: max - min,
    })
}
