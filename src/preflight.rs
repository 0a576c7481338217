//! Checks made before a run starts: what it will cost ([`simulation_cost`], [`theory_cost`],
//! refused above [`MAX_OPERATIONS`] by [`check_budget`] unless forced), and whether its result
//! can mean anything ([`noise_warnings`]).
//!
//! # Cost model
//! Costs are counted in *operations* (one multiply-add of an inner loop; a Gaussian draw counts
//! 5, a non-polynomial link evaluation 50) and converted to seconds on a reference machine at
//! [`REFERENCE_SECONDS_PER_OPERATION`] (calibrated on one x86-64 core: measured times are
//! between 0.2 and 1.2 times the estimate for p <= 16, k <= 8 and every sampler and backend).
//! With r = p + k:
//! * `exact`: steps (n_b e + 1000 + 7 r^3), e = r^2 + p r + p (p + 1) / 2 + 5 (r + 1) + w (p + k)
//!   per sample, w = 5 for polynomial links and 50 otherwise; samples = steps n_b;
//! * `full`: steps n_b (d (4 + 2 p) + e); samples = steps n_b;
//! * `clt`: steps (S (e + D^2) + D^3 + theory step), D = p r + p (p + 1) / 2 the dimension of
//!   the batch sums, S = min(n_b, 65536) the Monte Carlo draws of a non-polynomial link's
//!   covariance; samples = S steps. For polynomial links the moments are exact and cheaper
//!   (3 microseconds a step at p = 1, 0.8 ms at p = 4), so this is an upper bound there;
//! * theory (the overlap recursion), per step by backend: erf closed forms
//!   2000 + 500 p^2 (p + k); compiled polynomials (r <= 16) 2000 + 10^(1.2 + 0.2 r) p^3;
//!   polynomial decomposition (r > 16) 2000 + 1.6 x 10^5 p^3 k^(1/3); Hermite expansion
//!   (tanh; truncation degree N, 11 for tanh) 2000 + 280 p^3 (p + k) ((N + 1) / 12)^3, from
//!   its diagram sums (about p^3 sums of O(N^3) over three fields and p^4 / 14 of O(N^4) over
//!   four; measured 60-90 us a step at p = 4, k = 1, 2.5-4 us at p = 2); a tanh run whose
//!   overlaps leave the expansion's range (a correlation above 0.8) takes the quadrature cost
//!   for those steps, so for a run that learns this is a lower bound; quadrature / Monte
//!   Carlo 10^6 r^2.
//!
//! # Noise-dominated steps
//! Per step, the noise term of dQ_jj is (gamma / p)^2 (d / n_b) phiHD_jj with
//! phiHD_jj = E[sigma'(lambda_j)^2 e^2], while the order-gamma drift terms are at most
//! 2 (gamma / p) sqrt(phiHD_jj) (Cauchy-Schwarz: |E[sigma'_j e lambda]| <= sqrt(phiHD_jj)).
//! Their ratio (gamma / p)(d / n_b) sqrt(phiHD_jj) / 2 above [`NOISE_DOMINANCE_WARNING`] means
//! the drift cannot compete: the projected weights perform a random walk (no error is raised,
//! the numbers stay finite), so the run gets a warning.

use crate::config::{display_number, ConfigError, ResolvedConfig};
use crate::linalg::psd_part_factor;
use crate::model::{Link, Overlaps};
use crate::random::{standard_normal, SimRng};
use crate::sampler::{per_sample_coefficients, SamplerKind, SecondLayerWeights, StepSettings};
use crate::theory::{automatic_backend, Backend};
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

/// Seconds per operation of the reference machine (one x86-64 core, optimised build).
pub const REFERENCE_SECONDS_PER_OPERATION: f64 = 1e-9;

/// Largest estimated cost run without `--force`: 10^12 operations, about 17 minutes on the
/// reference machine.
pub const MAX_OPERATIONS: f64 = 1e12;

/// Largest worst-case cost of a sweep run without `--force`: 10^15 operations (about 12 days
/// on one reference core). A sweep's jobs stop at weak recovery, usually long before their step
/// cap, so its estimate (every job running `max_steps`) is an upper bound; the sweep budget is
/// therefore 1000 times the budget of one run, and `max_samples` is the way to lower it.
pub const MAX_SWEEP_OPERATIONS: f64 = 1e15;

/// Ratio of the noise term to the largest order-gamma drift above which a run is flagged:
/// two orders of magnitude (the paper's noise-learning setting, d = 10^4, n_b = 10,
/// gamma = 0.3 d^(-1/8), erf, p = k = 2, is about 8).
pub const NOISE_DOMINANCE_WARNING: f64 = 100.0;

/// Monte Carlo samples of the phiHD estimate behind [`noise_warnings`].
pub const NOISE_PROBE_SAMPLES: usize = 4096;

/// An estimated cost, reported in the output (`estimated_cost`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostEstimate {
    /// Samples drawn (steps n_b for `exact` and `full`, at most 65536 per step for `clt`, 0 for the
    /// theory recursion).
    pub samples: f64,
    /// Operations (see the module documentation).
    pub operations: f64,
    /// operations x [`REFERENCE_SECONDS_PER_OPERATION`]: seconds on the reference machine.
    pub seconds: f64,
}

impl CostEstimate {
    fn new(samples: f64, operations: f64) -> Self {
        CostEstimate {
            samples,
            operations,
            seconds: operations * REFERENCE_SECONDS_PER_OPERATION,
        }
    }

    /// The sum of two estimates (a sweep's jobs).
    pub fn plus(self, other: CostEstimate) -> CostEstimate {
        CostEstimate::new(
            self.samples + other.samples,
            self.operations + other.operations,
        )
    }

    /// No cost.
    pub const ZERO: CostEstimate = CostEstimate {
        samples: 0.0,
        operations: 0.0,
        seconds: 0.0,
    };
}

fn link_cost(link: Link) -> f64 {
    if link.polynomial_coefficients().is_some() {
        5.0
    } else {
        50.0
    }
}

/// Operations per exact sample: r^2 + p r + p (p + 1) / 2 + 5 (r + 1) + w (p + k).
fn per_sample_operations(config: &ResolvedConfig) -> f64 {
    let (p, k) = (config.input.model.p as f64, config.input.model.k as f64);
    let r = p + k;
    let teacher = match config.input.model.target {
        crate::model::Target::Committee(link) => link_cost(link),
        crate::model::Target::TanhProduct => 50.0,
        // per direction: the He table, plus each term's product spread over the k directions
        crate::model::Target::Hermite(h) => {
            let degrees: u32 = h.terms().iter().map(|t| t.total_degree()).sum();
            5.0 + (2 * degrees + h.terms().len() as u32) as f64 / k.max(1.0)
        }
    };
    r * r
        + p * r
        + p * (p + 1.0) / 2.0
        + 5.0 * (r + 1.0)
        + link_cost(config.activation_resolved) * p
        + teacher * k
}

/// Operations of one step of the overlap recursion (see the module documentation).
pub fn theory_step_operations(config: &ResolvedConfig) -> f64 {
    let c = &config.input;
    let (p, k) = (c.model.p as f64, c.model.k as f64);
    let r = p + k;
    match automatic_backend(
        &c.model.target,
        &config.activation_resolved,
        c.model.p,
        c.model.k,
    ) {
        Backend::Decomposition if config.activation_resolved == Link::Erf => {
            2000.0 + 500.0 * p * p * r
        }
        Backend::CompiledPolynomial => 2000.0 + 10f64.powf(1.2 + 0.2 * r) * p.powi(3),
        Backend::Decomposition => 2000.0 + 1.6e5 * p.powi(3) * k.cbrt(),
        Backend::JointIntegration => 1e6 * r * r,
        Backend::HermiteExpansion => {
            let n = hermite_degree(config) as f64;
            2000.0 + 280.0 * p.powi(3) * r * ((n + 1.0) / 12.0).powi(3)
        }
    }
}

/// The truncation degree N of the Hermite-expansion backend for the config's links (the
/// larger of the two, at the default tolerance; 11, tanh's, if a link cannot be expanded).
fn hermite_degree(config: &ResolvedConfig) -> u32 {
    use crate::theory::hermite_expansion::{HermiteExpansion, DEFAULT_EXPANSION_TOLERANCE};
    let degree = |l: Link| {
        HermiteExpansion::new(l, DEFAULT_EXPANSION_TOLERANCE)
            .map(|e| e.degree())
            .unwrap_or(11)
    };
    let link = config
        .input
        .model
        .target
        .committee_link()
        .unwrap_or(config.activation_resolved);
    degree(link).max(degree(config.activation_resolved))
}

/// The estimated cost of simulating `config` for its `steps` steps with its resolved sampler.
pub fn simulation_cost(config: &ResolvedConfig) -> CostEstimate {
    let c = &config.input;
    let steps = c.steps as f64;
    let nb = config.nb_resolved as f64;
    let (p, r) = (c.model.p as f64, (c.model.p + c.model.k) as f64);
    let e = per_sample_operations(config);
    match config.sampler_resolved {
        SamplerKind::Exact => {
            CostEstimate::new(steps * nb, steps * (nb * e + 1000.0 + 7.0 * r.powi(3)))
        }
        SamplerKind::Full => CostEstimate::new(
            steps * nb,
            steps * (nb * (c.model.d as f64 * (4.0 + 2.0 * p) + e) + 1000.0),
        ),
        SamplerKind::Clt => {
            let trained = c.model.second_layer.trained();
            let dim = p * r + p * (p + 1.0) / 2.0 + if trained { p } else { 0.0 };
            let fixed = dim.powi(3) + theory_step_operations(config);
            // exact moments: about 30 operations per planned Gaussian moment; a trained second
            // layer's moments are expanded again at each step's a (measured: 0.4 s a step for
            // He_3, p = 4, about 2000 operations per planned moment)
            let per_moment = if trained { 2030.0 } else { 30.0 };
            match exact_clt_moments(config) {
                Some(moments) => CostEstimate::new(0.0, steps * (per_moment * moments + fixed)),
                None => {
                    let draws = nb.min(crate::sampler::MONTE_CARLO_SAMPLES as f64);
                    CostEstimate::new(steps * draws, steps * (draws * (e + dim * dim) + fixed))
                }
            }
        }
    }
}

/// The Gaussian moments the clt sampler evaluates per step when its moments are exact
/// ([`crate::sampler::moment_plan`]), `None` when it estimates them by Monte Carlo.
fn exact_clt_moments(config: &ResolvedConfig) -> Option<f64> {
    let c = &config.input;
    match crate::sampler::moment_plan_with_second_layer(
        c.model.target,
        config.activation_resolved,
        c.loss,
        (c.model.p, c.model.k),
        c.model.second_layer.trained(),
    ) {
        crate::sampler::MomentPlan::Exact { planned_moments } => Some(planned_moments as f64),
        crate::sampler::MomentPlan::MonteCarlo => None,
    }
}

/// The estimated cost of the overlap recursion of `config` (`steps` steps, no samples).
pub fn theory_cost(config: &ResolvedConfig) -> CostEstimate {
    CostEstimate::new(
        0.0,
        config.input.steps as f64 * theory_step_operations(config),
    )
}

/// Refuses an estimate above [`MAX_OPERATIONS`] unless `force`, naming `fields` (the settings
/// that set the cost, e.g. `nb, steps, sampler`).
pub fn check_budget(estimate: &CostEstimate, fields: &str, force: bool) -> Result<(), ConfigError> {
    check_budget_of(estimate, MAX_OPERATIONS, fields, force)
}

/// Refuses an estimate above `budget` operations unless `force`, naming `fields`.
pub fn check_budget_of(
    estimate: &CostEstimate,
    budget: f64,
    fields: &str,
    force: bool,
) -> Result<(), ConfigError> {
    if force || estimate.operations <= budget {
        return Ok(());
    }
    Err(ConfigError::new(
        fields,
        format!(
            "the estimated cost is {} operations ({} samples), about {} on the reference machine, above the budget of {} operations (about {}); lower these settings, or pass --force to run anyway",
            display_number(estimate.operations),
            display_number(estimate.samples),
            human_seconds(estimate.seconds),
            display_number(budget),
            human_seconds(budget * REFERENCE_SECONDS_PER_OPERATION),
        ),
    ))
}

/// A duration as people say it: "12 s", "3.5 min", "2.1 h", "4.0e3 days".
pub fn human_seconds(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.2} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else if seconds < 172_800.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{} days", display_number((seconds / 86400.0).round()))
    }
}

/// max_j phiHD_jj = max_j E[sigma'(lambda_j)^2 e^2] at `overlaps`, estimated from
/// [`NOISE_PROBE_SAMPLES`] exact samples of a fixed-seed generator (independent of the run's
/// streams, so a run's result does not change).
pub fn second_moment_scale(config: &ResolvedConfig, overlaps: &Overlaps) -> f64 {
    let c = &config.input;
    let (p, k) = (c.model.p, c.model.k);
    let r = p + k;
    let Ok(factor) = psd_part_factor(&overlaps.omega()) else {
        return f64::NAN;
    };
    let settings = StepSettings {
        target: c.model.target,
        activation: config.activation_resolved,
        noise_sd: c.model.noise.sqrt(),
        d: c.model.d,
        nb: 1,
        gamma: 1.0,
        step_loss: c.loss.initial_step_loss(),
        update: c.model.update,
        a0: c.model.second_layer.a0,
        second_layer_gamma: 0.0,
    };
    let mut rng = SimRng::seed_from_u64(0x5eed_0ff1_e1d5);
    let (mut s, mut fields, mut coefficients) = (vec![0.0; r], vec![0.0; r], vec![0.0; p]);
    let mut sums = vec![0.0; p];
    let second_layer = SecondLayerWeights::uniform(p, settings.a0);
    for _ in 0..NOISE_PROBE_SAMPLES {
        for v in s.iter_mut() {
            *v = standard_normal(&mut rng);
        }
        let xi = standard_normal(&mut rng);
        for (i, field) in fields.iter_mut().enumerate() {
            *field = (0..r).map(|m| factor.factor[(i, m)] * s[m]).sum();
        }
        // scale 1: the coefficients are sigma'(lambda_j) e
        per_sample_coefficients(
            &settings,
            1.0,
            &second_layer,
            &fields[..p],
            &fields[p..],
            xi,
            &mut coefficients,
        );
        for (sum, c) in sums.iter_mut().zip(&coefficients) {
            *sum += c * c;
        }
    }
    sums.iter()
        .map(|s| s / NOISE_PROBE_SAMPLES as f64)
        .fold(0.0, f64::max)
}

/// The noise-to-drift ratio (gamma / p)(d / n_b) sqrt(phiHD) / 2 of `config` at `overlaps`
/// (see the module documentation), phiHD from [`second_moment_scale`].
pub fn noise_to_drift_ratio(config: &ResolvedConfig, overlaps: &Overlaps) -> f64 {
    let c = &config.input;
    let phi_hd = second_moment_scale(config, overlaps);
    (config.gamma_resolved / c.model.p as f64)
        * (c.model.d as f64 / config.nb_resolved as f64)
        * phi_hd.sqrt()
        / 2.0
}

/// Warnings about `config` started at `overlaps`: empty unless the noise term dominates the
/// drift by more than [`NOISE_DOMINANCE_WARNING`] at the initial learning rate, in which case
/// the message names the learning rate, the ratio and the learning rate that would bring it
/// to the threshold.
pub fn noise_warnings(config: &ResolvedConfig, overlaps: &Overlaps) -> Vec<String> {
    let mut warnings: Vec<String> = no_signal_warning(config).into_iter().collect();
    let ratio = noise_to_drift_ratio(config, overlaps);
    if ratio.is_nan() || ratio <= NOISE_DOMINANCE_WARNING {
        return warnings;
    }
    let gamma = config.gamma_resolved;
    warnings.push(format!(
        "noise-dominated: at the learning rate gamma = {} the step's noise term (gamma/p)^2 (d/n_b) phiHD exceeds the largest order-gamma drift 2 (gamma/p) sqrt(phiHD) by a ratio of {} (warning above {}): the weights perform a random walk and nothing is learned; a learning rate below about {} (or a larger batch n_b) keeps the ratio under {}",
        display_number(gamma),
        display_number(ratio),
        display_number(NOISE_DOMINANCE_WARNING),
        display_number(gamma * NOISE_DOMINANCE_WARNING / ratio),
        display_number(NOISE_DOMINANCE_WARNING),
    ));
    warnings
}

/// Largest Hermite degree [`no_signal_warning`] looks at.
pub const NO_SIGNAL_MAX_DEGREE: u32 = 12;

/// For a committee teacher whose link shares no Hermite degree n <= [`NO_SIGNAL_MAX_DEGREE`]
/// with the student's activation ([`crate::model::pair_information_exponent`] is `None`):
/// the population risk does not depend on M, so the mean gradient has no component towards the
/// teacher and only the step's order-gamma^2 terms can move M.
pub fn no_signal_warning(config: &ResolvedConfig) -> Option<String> {
    let link = config.input.model.target.committee_link()?;
    let activation = config.activation_resolved;
    let teacher = crate::model::link_information_exponent(&link, NO_SIGNAL_MAX_DEGREE)?;
    if crate::model::pair_information_exponent(&activation, &link, NO_SIGNAL_MAX_DEGREE).is_some() {
        return None;
    }
    Some(format!(
        "no first-order signal: the student's activation {activation} shares no Hermite degree n <= {NO_SIGNAL_MAX_DEGREE} with the teacher's link {link} (c_n(sigma) c_n(g) = 0; the teacher's lowest degree is {teacher}), so the population risk does not depend on the overlaps M with the teacher and the mean gradient has no component towards it; only the step's terms of order gamma^2 (through the square of the label) can move M, which takes far larger rates; an activation with a He_{teacher} component learns at the usual ones"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;

    fn resolved(json: &str) -> ResolvedConfig {
        RunConfig::from_json(json).unwrap().resolve().unwrap()
    }

    #[test]
    fn a_student_without_the_teachers_degrees_is_flagged() {
        let relu = resolved(r#"{"activation": "relu"}"#);
        let start = crate::theory_run::initial_overlaps(&relu);
        let warnings = noise_warnings(&relu, &start);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("no first-order signal: the student's activation relu"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("lowest degree is 3"),
            "{}",
            warnings[0]
        );
        for fine in [
            r#"{"activation": "tanh"}"#,
            r#"{"activation": "relu", "target": "he2"}"#,
        ] {
            assert!(no_signal_warning(&resolved(fine)).is_none(), "{fine}");
        }
        assert!(
            no_signal_warning(&resolved(r#"{"activation": "tanh", "target": "he2"}"#)).is_some()
        );
    }

    #[test]
    fn huge_learning_rates_are_flagged_and_defaults_are_not() {
        let start = crate::theory_run::initial_overlaps(&resolved("{}"));
        assert!(noise_warnings(&resolved("{}"), &start).is_empty());
        let huge = resolved(r#"{"gamma": 1e12}"#);
        let warnings = noise_warnings(&huge, &start);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("gamma = 1e12"), "{}", warnings[0]);
        assert!(warnings[0].contains("ratio of"), "{}", warnings[0]);
        let ratio = noise_to_drift_ratio(&huge, &start);
        assert!(ratio > 1e12, "{ratio:e}");
    }

    #[test]
    fn costs_scale_with_batch_steps_and_sampler() {
        let small = simulation_cost(&resolved("{}"));
        assert_eq!(small.samples, 1000.0 * 1024.0);
        assert!(small.seconds < 1.0, "{small:?}");
        assert!(check_budget(&small, "nb, steps, sampler", false).is_ok());
        let huge = simulation_cost(&resolved(
            r#"{"nb": 1e10, "sampler": "exact", "steps": 1000000}"#,
        ));
        assert!(huge.operations > MAX_OPERATIONS);
        let e = check_budget(&huge, "nb, steps, sampler", false).unwrap_err();
        assert_eq!(e.field, "nb, steps, sampler");
        assert!(e.message.contains("--force"), "{e}");
        assert!(check_budget(&huge, "nb, steps, sampler", true).is_ok());
        // theory at p = 16, k = 8 costs far more per step than at p = k = 1
        let big = theory_cost(&resolved(r#"{"p": 16, "k": 8, "d": 4096}"#));
        let tiny = theory_cost(&resolved("{}"));
        assert!(big.operations > 1e4 * tiny.operations, "{big:?} {tiny:?}");
        assert_eq!(big.samples, 0.0);
    }
}
