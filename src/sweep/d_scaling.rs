//! Reading a sweep over d: per (protocol, a0, μ) the exponent θ_fit and prefactor C of
//! T = C d^θ_fit, fitted by least squares of ln T against ln d, next to the paper's asymptotic
//! exponent (docs/science.md §13).
//!
//! Two fits per (protocol, a0, μ):
//! * the **median fit**: at each d the median of T over the seeds, then one line through
//!   (ln d, ln median T). A d at which any seed is censored (capped before weak recovery) is
//!   left out of this fit and listed in `censored_d`: the median there is only a bound, and a
//!   partly censored sample biases it;
//! * the **per-seed fits**: for each seed its own line through (ln d, ln T) over all d; a seed
//!   censored at some d is left out (counted in `censored_seeds`). The median, min and max of
//!   these exponents (and prefactors) give the spread over seeds.

use super::summary::{finite, recovery_steps};
use super::{fit_slope, quantile_sorted, SweepConfig, SweepPoint};
use crate::model::{target_information_exponent, Loss};
use crate::theory::scaling_laws::{
    optimal_learning_rate_exponent, predicted_time_exponent, Protocol,
};
use serde::{Deserialize, Serialize};

/// Largest |δ − δ*| for which a sweep's learning rate counts as the optimal one the scaling
/// laws assume (δ measured from γ across d; the authors' convention floors n_b, so its δ is
/// off by a little).
pub const OPTIMAL_DELTA_TOLERANCE: f64 = 0.01;

/// The d-scaling of the weak-recovery time of one (protocol, a0, μ): T = C d^θ_fit over the
/// sweep's dimensions. Null values: not enough uncensored points to fit (fewer than two d).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DScalingSummary {
    /// Loss.
    pub protocol: Loss,
    /// Second-layer weight a0 every unit started with.
    pub a0: f64,
    /// Nominal batch exponent μ (n_b = ⌊n0 d^μ⌋ at each d).
    pub mu: f64,
    /// The dimensions, in the order of the sweep.
    pub d: Vec<u64>,
    /// Median over seeds of T at each d (same order); null when at least half the seeds are
    /// censored there.
    pub median_steps: Vec<Option<f64>>,
    /// Censored runs at each d (same order).
    pub censored_runs: Vec<usize>,
    /// The dimensions used by the median fit (every seed recovered there).
    pub fitted_d: Vec<u64>,
    /// The dimensions left out of the median fit because some seed is censored there.
    pub censored_d: Vec<u64>,
    /// Exponent θ_fit of the median fit: slope of ln(median T) against ln d.
    pub theta_fit: Option<f64>,
    /// Standard error of θ_fit from the residuals (null with fewer than three d).
    pub theta_fit_se: Option<f64>,
    /// Prefactor C = exp(intercept) of the median fit, T ≈ C d^θ_fit.
    pub prefactor: Option<f64>,
    /// Seeds with a fit of their own (recovered at at least two d and censored at none).
    pub seed_fits: usize,
    /// Seeds left out of the per-seed fits (censored at some d).
    pub censored_seeds: usize,
    /// Median over seeds of the per-seed exponents.
    pub theta_seed_median: Option<f64>,
    /// Smallest per-seed exponent.
    pub theta_seed_min: Option<f64>,
    /// Largest per-seed exponent.
    pub theta_seed_max: Option<f64>,
    /// Median over seeds of the per-seed prefactors.
    pub prefactor_seed_median: Option<f64>,
    /// Smallest per-seed prefactor.
    pub prefactor_seed_min: Option<f64>,
    /// Largest per-seed prefactor.
    pub prefactor_seed_max: Option<f64>,
    /// The learning-rate exponent δ of the sweep, γ ∝ d^−δ, measured from the points' γ across d.
    pub delta: Option<f64>,
    /// The exponent δ*(μ) of the optimal learning rate the scaling laws assume (null for the
    /// adaptive protocol or a target without an information exponent).
    pub delta_optimal: Option<f64>,
    /// The paper's asymptotic θ = log_d T for this (protocol, μ, l)
    /// ([`crate::theory::scaling_laws::predicted_time_exponent`]); null unless the sweep's δ is
    /// within [`OPTIMAL_DELTA_TOLERANCE`] of δ* (the laws are for the optimal rate), and for
    /// the adaptive protocol.
    pub theta_asymptotic: Option<f64>,
}

/// The scaling-law protocol of a loss (none for the adaptive protocol).
fn scaling_protocol(loss: Loss) -> Option<Protocol> {
    match loss {
        Loss::Mse => Some(Protocol::PlainSgd),
        Loss::Correlation => Some(Protocol::CorrelationLoss),
        Loss::Adaptive => None,
    }
}

/// (slope, C = exp(intercept), se) of ln y against ln x.
fn power_fit(xs: &[f64], ys: &[f64]) -> (f64, f64, f64) {
    let lx: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    let ly: Vec<f64> = ys.iter().map(|y| y.ln()).collect();
    let (slope, intercept, se) = fit_slope(&lx, &ly);
    (slope, intercept.exp(), se)
}

/// (median, min, max) of finite values; all null when there are none.
fn spread(mut values: Vec<f64>) -> (Option<f64>, Option<f64>, Option<f64>) {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return (None, None, None);
    }
    values.sort_by(f64::total_cmp);
    (
        Some(quantile_sorted(&values, 0.5)),
        Some(values[0]),
        Some(values[values.len() - 1]),
    )
}

/// The d-scaling summaries of a sweep's points, one per (protocol, a0, μ) in order of first
/// appearance, when the points span at least two dimensions (else none). `config` gives the
/// target's information exponent for the asymptotic exponent.
pub fn fit_d_scaling(config: &SweepConfig, points: &[SweepPoint]) -> Vec<DScalingSummary> {
    let mut dims: Vec<u64> = Vec::new();
    let key = |p: &SweepPoint| (p.protocol, p.a0.to_bits(), p.mu.to_bits());
    let mut keys: Vec<(Loss, u64, u64)> = Vec::new();
    for p in points {
        if !dims.contains(&p.d) {
            dims.push(p.d);
        }
        if !keys.contains(&key(p)) {
            keys.push(key(p));
        }
    }
    if dims.len() < 2 {
        return Vec::new();
    }
    let l = target_information_exponent(&config.model.target, config.model.k);
    keys.into_iter()
        .map(|k| {
            let (protocol, a0_bits, mu_bits) = k;
            let mu = f64::from_bits(mu_bits);
            let group: Vec<&SweepPoint> = points.iter().filter(|p| key(p) == k).collect();
            let at = |d: u64| group.iter().filter(move |p| p.d == d);
            let mut median_steps = Vec::with_capacity(dims.len());
            let mut censored_runs = Vec::with_capacity(dims.len());
            let (mut fitted_d, mut censored_d, mut medians) = (Vec::new(), Vec::new(), Vec::new());
            let mut gammas = Vec::new();
            for &d in &dims {
                let mut steps: Vec<f64> = at(d).map(|p| recovery_steps(p)).collect();
                steps.sort_by(f64::total_cmp);
                let median = quantile_sorted(&steps, 0.5);
                let censored = at(d).filter(|p| p.censored).count();
                median_steps.push(finite(median));
                censored_runs.push(censored);
                if let Some(p) = at(d).next() {
                    gammas.push((d as f64, p.gamma));
                }
                if censored == 0 && !steps.is_empty() {
                    fitted_d.push(d);
                    medians.push(median);
                } else {
                    censored_d.push(d);
                }
            }
            let xs: Vec<f64> = fitted_d.iter().map(|&d| d as f64).collect();
            let (theta, prefactor, se) = power_fit(&xs, &medians);
            // per-seed fits
            let mut seeds: Vec<u64> = Vec::new();
            for p in &group {
                if !seeds.contains(&p.seed) {
                    seeds.push(p.seed);
                }
            }
            let (mut thetas, mut prefactors, mut censored_seeds) = (Vec::new(), Vec::new(), 0);
            for &seed in &seeds {
                let own: Vec<&&SweepPoint> = group.iter().filter(|p| p.seed == seed).collect();
                if own.iter().any(|p| p.censored) {
                    censored_seeds += 1;
                    continue;
                }
                let xs: Vec<f64> = own.iter().map(|p| p.d as f64).collect();
                let ys: Vec<f64> = own.iter().map(|p| recovery_steps(p)).collect();
                let (t, c, _) = power_fit(&xs, &ys);
                if t.is_finite() {
                    thetas.push(t);
                    prefactors.push(c);
                }
            }
            let seed_fits = thetas.len();
            let (theta_seed_median, theta_seed_min, theta_seed_max) = spread(thetas);
            let (prefactor_seed_median, prefactor_seed_min, prefactor_seed_max) =
                spread(prefactors);
            let (gx, gy): (Vec<f64>, Vec<f64>) = gammas.into_iter().unzip();
            // 0.0 - x: a zero exponent is +0
            let delta = finite(0.0 - power_fit(&gx, &gy).0);
            let scaling = scaling_protocol(protocol).zip(l);
            let delta_optimal =
                scaling.and_then(|(pr, l)| optimal_learning_rate_exponent(pr, mu, l).ok());
            let optimal = matches!((delta, delta_optimal),
                (Some(a), Some(b)) if (a - b).abs() <= OPTIMAL_DELTA_TOLERANCE);
            let theta_asymptotic = scaling
                .filter(|_| optimal)
                .and_then(|(pr, l)| predicted_time_exponent(pr, mu, l).ok());
            DScalingSummary {
                protocol,
                a0: f64::from_bits(a0_bits),
                mu,
                d: dims.clone(),
                median_steps,
                censored_runs,
                fitted_d,
                censored_d,
                theta_fit: finite(theta),
                theta_fit_se: finite(se),
                prefactor: finite(prefactor),
                seed_fits,
                censored_seeds,
                theta_seed_median,
                theta_seed_min,
                theta_seed_max,
                prefactor_seed_median,
                prefactor_seed_min,
                prefactor_seed_max,
                delta,
                delta_optimal,
                theta_asymptotic,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampler::SamplerKind;

    fn point(d: u64, seed: u64, step: Option<u64>, gamma: f64) -> SweepPoint {
        SweepPoint {
            protocol: Loss::Mse,
            mu: 1.0,
            nb: d,
            gamma,
            seed,
            weak_recovery_step: step,
            samples: step.unwrap_or(100) * d,
            sampler: SamplerKind::Exact,
            censored: step.is_none(),
            theta: step.map(|t| (t as f64).ln() / (d as f64).ln()),
            mu_resolved: 1.0,
            a0: 1.0,
            diverged: false,
            d,
        }
    }

    #[test]
    fn each_second_layer_weight_gets_its_own_fit() {
        // a0 = 1: T = 2 d^1.5; a0 = 0.1: T = 2 d^2, at each d and seed
        let mut points = Vec::new();
        for (a0, theta) in [(1.0, 1.5), (0.1, 2.0)] {
            for d in [64u64, 256, 1024] {
                for s in 0..2u64 {
                    let t = (2.0 * (d as f64).powf(theta)).round() as u64;
                    points.push(SweepPoint {
                        a0,
                        ..point(d, s, Some(t), 0.01 / (d as f64).sqrt())
                    });
                }
            }
        }
        let fits = fit_d_scaling(&SweepConfig::default(), &points);
        assert_eq!(fits.len(), 2);
        assert_eq!((fits[0].a0, fits[1].a0), (1.0, 0.1));
        assert!((fits[0].theta_fit.unwrap() - 1.5).abs() < 1e-4, "{fits:?}");
        assert!((fits[1].theta_fit.unwrap() - 2.0).abs() < 1e-4, "{fits:?}");
        assert_eq!(fits[1].seed_fits, 2);
    }

    #[test]
    fn exact_power_laws_are_recovered_and_censored_points_left_out() {
        // seed s: T = (2 + s) d^1.5, gamma = 0.01 d^-0.5 (the optimal rate of He3 at mu = 1)
        let dims = [64u64, 256, 1024];
        let mut points = Vec::new();
        for &d in &dims {
            for s in 0..3u64 {
                let t = ((2 + s) as f64 * (d as f64).powf(1.5)).round() as u64;
                points.push(point(d, s, Some(t), 0.01 / (d as f64).sqrt()));
            }
        }
        let config = SweepConfig::default();
        let fit = &fit_d_scaling(&config, &points)[0];
        assert!((fit.theta_fit.unwrap() - 1.5).abs() < 1e-4, "{fit:?}");
        assert!((fit.prefactor.unwrap() - 3.0).abs() < 1e-3, "{fit:?}");
        assert_eq!((fit.seed_fits, fit.censored_seeds), (3, 0));
        assert!((fit.theta_seed_min.unwrap() - 1.5).abs() < 1e-4);
        assert!((fit.prefactor_seed_min.unwrap() - 2.0).abs() < 1e-3);
        assert!((fit.prefactor_seed_max.unwrap() - 4.0).abs() < 1e-3);
        assert!((fit.delta.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(fit.delta_optimal, Some(0.5));
        assert_eq!(fit.theta_asymptotic, Some(1.0));
        // one censored seed at d = 1024: that d leaves the median fit, that seed its own
        points[8] = point(1024, 2, None, 0.01 / 32.0);
        let fit = &fit_d_scaling(&config, &points)[0];
        assert_eq!(fit.fitted_d, [64, 256]);
        assert_eq!(fit.censored_d, [1024]);
        assert_eq!(fit.censored_runs, [0, 0, 1]);
        assert_eq!((fit.seed_fits, fit.censored_seeds), (2, 1));
        assert!((fit.theta_fit.unwrap() - 1.5).abs() < 1e-3);
        assert_eq!(fit.theta_fit_se, None);
        // a rate that is not the optimal one: no asymptotic exponent to compare with
        for p in &mut points {
            p.gamma = 0.01;
        }
        let fit = &fit_d_scaling(&config, &points)[0];
        assert_eq!(fit.delta, Some(0.0));
        assert_eq!(fit.theta_asymptotic, None);
        // one dimension: nothing to fit
        assert!(fit_d_scaling(&config, &points[..3]).is_empty());
    }
}
