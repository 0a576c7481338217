//! A run of the deterministic overlap recursion of docs/science.md §5: the one-step map of
//! [`super::overlap_step`] iterated from initial overlaps, with its recording, stopping rules,
//! the learning-rate schedule of the adaptive protocol and the second layer.
//!
//! A second layer a_1..a_p ([`SecondLayer`]: a_j starts at a0, trained when its rate
//! gamma_a > 0) enters through the drift terms (e uses f = (1/p) Σ a_m σ(λ_m), and the step of
//! unit j carries a_j: [`LocalFieldModel::drift_terms_with_second_layer`]); a trained one takes
//! its mean step from the same overlaps, da_j = (gamma_a / p) E[σ(λ_j)(g − f)]
//! ([`LocalFieldModel::second_layer_drift`]). Its fluctuation, of mean zero and variance
//! (gamma_a / p)^2 Var[σ(λ_j) e] / n_b, is left out: a_j is not normalised, so it does not enter
//! the mean at this order.
//!
//! Losses: MSE (e = y - f), correlation (e = y), or adaptive ([`AdaptiveSchedule`]):
//! correlation until R(t) < threshold R(0), then MSE with gamma <- jump gamma at the switch and
//! gamma <- decay gamma after every MSE step (the same bookkeeping as the simulations).

use super::error::TheoryError;
use super::gaussian_expectations::{ExpectationError, Method, NumericalSettings};
use super::local_field_model::LocalFieldModel;
pub use super::overlap_step::{
    mean_step_gram, overlap_increments, overlap_update, overlap_update_under_covariance,
    StepFailure, StepParameters, Terms,
};
use super::spiked_recursion::free_direction_drift;
use crate::config::SecondLayer;
use crate::model::{
    AdaptiveSchedule, CovarianceError, Link, Loss, Overlaps, SpikedCovariance, StepLoss, Target,
};
use crate::sampler::Update;
use crate::trajectory::{Trajectory, DEFAULT_CAPACITY};
use serde::{Deserialize, Serialize};
use std::fmt;

fn default_true() -> bool {
    true
}

/// Settings of a recursion run. The dimension d and the batch size n_b only enter through
/// the weight d / n_b of the noise term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecursionSettings {
    /// Teacher g.
    pub target: Target,
    /// Student activation sigma.
    pub activation: Link,
    /// Label-noise variance Delta (>= 0).
    pub noise: f64,
    /// Input dimension d (>= 1).
    pub dimension: u64,
    /// Batch size n_b (>= 1).
    pub batch_size: u64,
    /// Learning rate gamma (finite, > 0).
    pub learning_rate: f64,
    /// Training protocol.
    pub loss: Loss,
    /// Adaptive-protocol settings (used when `loss` is adaptive).
    #[serde(default)]
    pub adaptive: AdaptiveSchedule,
    /// Which terms are kept.
    #[serde(default)]
    pub terms: Terms,
    /// Normalise neurons each step (projected SGD); false: the unprojected map.
    #[serde(default = "default_true")]
    pub projected: bool,
    /// Projected or spherical SGD (the step projected on the tangent space first).
    #[serde(default)]
    pub update: Update,
    /// Number of steps T.
    pub steps: u64,
    /// Weak-recovery threshold on max_j ||M_j||.
    #[serde(default = "default_eta")]
    pub eta: f64,
    /// Uniformly spaced points kept in the trajectory.
    #[serde(default = "default_capacity")]
    pub trajectory_capacity: usize,
    /// Quadrature / Monte Carlo settings for links without exact expectations.
    #[serde(default)]
    pub numerics: NumericalSettings,
    /// The second layer: a_j starts at `a0`, trained at the rate `gamma` (default: a_j = 1,
    /// fixed).
    #[serde(default)]
    pub second_layer: SecondLayer,
    /// When false, a step whose overlaps lie outside the range of the Hermite-expansion
    /// backend (a correlation above
    /// [`crate::theory::hermite_expansion::MAX_CORRELATION`]) stops the recursion with that
    /// reason instead of switching to quadrature (milliseconds per step); the page's overlay
    /// uses it. Default true.
    #[serde(default = "default_true")]
    pub numerical_fallback: bool,
    /// The input covariance (default: isotropic). With spikes that have free directions the
    /// initial overlaps of [`run_overlap_recursion`] carry a column per teacher and free
    /// direction ([`crate::sampler::Sampler::tracked_overlaps`]).
    #[serde(default)]
    pub covariance: SpikedCovariance,
}

fn default_eta() -> f64 {
    0.5
}

fn default_capacity() -> usize {
    DEFAULT_CAPACITY
}

/// An out-of-range recursion setting or initial condition.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecursionError {
    /// A setting is out of range.
    #[error("invalid recursion setting {name} = {value}: {reason}")]
    InvalidSetting {
        /// Setting name.
        name: &'static str,
        /// Value given.
        value: f64,
        /// What is expected.
        reason: &'static str,
    },
    /// The quadrature / Monte Carlo settings are out of range.
    #[error("invalid numerical settings: {0}")]
    InvalidNumerics(#[from] ExpectationError),
    /// The initial overlaps (or the model) cannot be evaluated.
    #[error("invalid initial condition: {0}")]
    InvalidInitialCondition(#[from] TheoryError),
    /// The spiked input covariance is invalid for this teacher.
    #[error("invalid covariance: {0}")]
    InvalidCovariance(#[from] CovarianceError),
}

/// Where and why a run stopped early.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// The step that could not be completed.
    pub step: u64,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the overlap recursion diverged at step {}: {}",
            self.step, self.message
        )
    }
}

/// The output of [`run_overlap_recursion`].
#[derive(Clone, Debug, PartialEq)]
pub struct RecursionRun {
    /// Recorded overlaps and risk (same schema as simulations; the last completed step and the
    /// weak-recovery step are always recorded).
    pub trajectory: Trajectory,
    /// Overlaps after the last completed step (the tracked ones, with a column per free
    /// direction after the teachers', under a spiked covariance).
    pub final_overlaps: Overlaps,
    /// The second layer a_1..a_p after the last completed step.
    pub final_second_layer: Vec<f64>,
    /// Steps completed.
    pub steps_done: u64,
    /// Step after which the adaptive protocol switched to MSE.
    pub switch_step: Option<u64>,
    /// gamma after the last step (differs from the setting for the adaptive protocol).
    pub final_learning_rate: f64,
    /// How the risks were computed (least exact over the run).
    pub risk_method: Method,
    /// How the drift terms were computed (least exact over the run).
    pub drift_method: Method,
    /// Set if the map stopped on a non-finite value or an overshooting step.
    pub divergence: Option<Divergence>,
}

fn check(
    name: &'static str,
    value: f64,
    ok: bool,
    reason: &'static str,
) -> Result<(), RecursionError> {
    if ok {
        Ok(())
    } else {
        Err(RecursionError::InvalidSetting {
            name,
            value,
            reason,
        })
    }
}

impl RecursionSettings {
    /// Checks every range.
    pub fn validate(&self) -> Result<(), RecursionError> {
        check(
            "noise",
            self.noise,
            self.noise.is_finite() && self.noise >= 0.0,
            "must be finite and >= 0",
        )?;
        check(
            "dimension",
            self.dimension as f64,
            self.dimension >= 1,
            "must be >= 1",
        )?;
        check(
            "batch_size",
            self.batch_size as f64,
            self.batch_size >= 1,
            "must be >= 1",
        )?;
        check(
            "learning_rate",
            self.learning_rate,
            self.learning_rate.is_finite() && self.learning_rate > 0.0,
            "must be finite and > 0",
        )?;
        check(
            "eta",
            self.eta,
            self.eta.is_finite() && self.eta > 0.0,
            "must be finite and > 0",
        )?;
        let a = &self.adaptive;
        check(
            "adaptive.threshold",
            a.threshold,
            a.threshold.is_finite() && a.threshold > 0.0,
            "must be finite and > 0",
        )?;
        check(
            "adaptive.decay",
            a.decay,
            a.decay.is_finite() && a.decay > 0.0,
            "must be finite and > 0",
        )?;
        check(
            "adaptive.jump",
            a.jump,
            a.jump.is_finite() && a.jump > 0.0,
            "must be finite and > 0",
        )?;
        let s = &self.second_layer;
        check(
            "second_layer.a0",
            s.a0,
            s.a0.is_finite() && s.a0 > 0.0 && s.a0 <= crate::config::MAX_A0,
            "must be a number in (0, 1e6]",
        )?;
        check(
            "second_layer.gamma",
            s.gamma,
            s.gamma.is_finite() && (0.0..=1e6).contains(&s.gamma),
            "must be a number in [0, 1e6]",
        )?;
        self.numerics.validate()?;
        Ok(())
    }

    /// The parameters of a step with learning rate `learning_rate`.
    pub fn step_parameters(&self, learning_rate: f64) -> StepParameters {
        StepParameters {
            learning_rate,
            dimension_over_batch: self.dimension as f64 / self.batch_size as f64,
            terms: self.terms,
            projected: self.projected,
            update: self.update,
        }
    }
}

/// The mean step of a trained second layer, a_j + `rate` E[σ(λ_j)(g − f)] with `rate` =
/// gamma_a / p, and the method of the expectation; an error when it is not finite.
fn second_layer_step(
    model: &LocalFieldModel,
    overlaps: &Overlaps,
    a: &[f64],
    rate: f64,
) -> Result<(Vec<f64>, Method), String> {
    let (drift, method) = model
        .second_layer_drift(overlaps, a)
        .map_err(|e| e.to_string())?;
    let next: Vec<f64> = a.iter().zip(&drift).map(|(a, s)| a + rate * s).collect();
    if next.iter().all(|x| x.is_finite()) {
        Ok((next, method))
    } else {
        Err("the second layer became non-finite".to_string())
    }
}

/// Runs the deterministic recursion from `initial` for `settings.steps` steps.
///
/// Records with [`Trajectory::with_capacity`] (same decimation as the simulations), sets
/// `weak_recovery_step` to the first step with max_j ||M_j|| >= eta, and force-records that
/// step and the last one. If a step fails (non-finite drift or overlaps, a neuron whose squared
/// norm becomes <= 0, Omega no longer a Gram matrix), the run stops and `divergence` names the
/// step; everything up to the previous step is returned.
///
/// # Example
/// The recursion of a run config, from the simulation's own initial overlaps:
/// ```
/// use sgdlab::config::RunConfig;
/// use sgdlab::theory::{run_overlap_recursion, Terms};
/// use sgdlab::theory_run::recursion_from_config;
///
/// let config = RunConfig::from_json(r#"{"d": 1024, "nb": 1024, "steps": 200, "seed": 3}"#)
///     .unwrap()
///     .resolve()
///     .unwrap();
/// let (start, settings) = recursion_from_config(&config, Terms::default(), true).unwrap();
/// let run = run_overlap_recursion(&start, &settings).unwrap();
/// assert_eq!(run.steps_done, 200);
/// assert!(run.divergence.is_none());
/// ```
pub fn run_overlap_recursion(
    initial: &Overlaps,
    settings: &RecursionSettings,
) -> Result<RecursionRun, RecursionError> {
    settings.validate()?;
    let free = settings.covariance.free_directions();
    let (p, k) = (
        initial.q.nrows(),
        initial
            .m
            .ncols()
            .checked_sub(free)
            .filter(|&k| k > 0)
            .ok_or(TheoryError::OverlapShape {
                p: initial.q.nrows(),
                k: free + 1,
                q_rows: initial.q.nrows(),
                q_cols: initial.q.ncols(),
                m_rows: initial.m.nrows(),
                m_cols: initial.m.ncols(),
            })?,
    );
    settings.covariance.validate(k)?;
    let geometry = (!settings.covariance.is_isotropic()).then(|| settings.covariance.geometry(k));
    let mut model = LocalFieldModel::new(settings.target, settings.activation, p, k)?
        .with_numerical_settings(settings.numerics)?
        .with_numerical_fallback(settings.numerical_fallback);
    if let Some(g) = &geometry {
        model = model.with_covariance(g.clone());
    }
    // what is recorded and checked for recovery: the teachers' columns
    let teachers = |o: &Overlaps| Overlaps {
        q: o.q.clone(),
        m: o.m.columns(0, k).into_owned(),
    };
    // and R, the free directions' columns (spikes with free directions only)
    let free_columns = |o: &Overlaps| (free > 0).then(|| o.m.columns(k, free).into_owned());
    let noise = settings.noise;
    let second_layer = settings.second_layer;
    let trained = second_layer.trained();
    let mut a = vec![second_layer.a0; p];
    let initial_risk = model.population_risk_with_second_layer(initial, noise, &a)?;
    let mut risk_method = initial_risk.method;
    let mut drift_method: Option<Method> = None;
    let mut trajectory = Trajectory::with_capacity(settings.trajectory_capacity);
    if teachers(initial).max_teacher_overlap() >= settings.eta {
        trajectory.weak_recovery_step = Some(0);
    }
    let recorded = |a: &[f64]| trained.then(|| a.to_vec());
    trajectory.record_state(
        0,
        &teachers(initial),
        recorded(&a).as_deref(),
        free_columns(initial).as_ref(),
        initial_risk.value,
        true,
    );

    let mut overlaps = initial.clone();
    let mut gamma = settings.learning_rate;
    let mut step_loss = settings.loss.initial_step_loss();
    let mut switch_step = None;
    let mut divergence = None;
    let mut steps_done = 0;
    for t in 1..=settings.steps {
        // the second layer's step (trained only) and the first layer's, from the same overlaps
        let next_second_layer = if trained {
            second_layer_step(&model, &overlaps, &a, second_layer.gamma / p as f64).map(
                |(next, method)| {
                    drift_method = Some(drift_method.map_or(method, |m| m.least_exact(method)));
                    Some(next)
                },
            )
        } else {
            Ok(None)
        };
        let next = next_second_layer.and_then(|next_a| {
            model
                .drift_terms_with_second_layer(&overlaps, step_loss, noise, &a)
                .map_err(|e| e.to_string())
                .and_then(|drift| {
                    if !drift.is_finite() {
                        return Err("the drift terms are not finite".to_string());
                    }
                    drift_method =
                        Some(drift_method.map_or(drift.method, |m| m.least_exact(drift.method)));
                    let step = settings.step_parameters(gamma);
                    match &geometry {
                        None => overlap_update(&overlaps, &drift, &step),
                        Some(g) => {
                            let widened = free_direction_drift(&overlaps, &drift, g);
                            overlap_update_under_covariance(&overlaps, &widened, &step, Some(g))
                        }
                    }
                    .map_err(|e| e.to_string())
                })
                .map(|next| (next, next_a))
        });
        let next = match next {
            Ok((next, next_a)) => {
                if let Some(next_a) = next_a {
                    a = next_a;
                }
                next
            }
            Err(message) => {
                divergence = Some(Divergence { step: t, message });
                break;
            }
        };
        let mut risk = None;
        if settings.loss == Loss::Adaptive {
            match step_loss {
                StepLoss::Correlation => {
                    let r = match model.population_risk_with_second_layer(&next, noise, &a) {
                        Ok(r) => r,
                        Err(e) => {
                            divergence = Some(Divergence {
                                step: t,
                                message: e.to_string(),
                            });
                            break;
                        }
                    };
                    risk_method = risk_method.least_exact(r.method);
                    risk = Some(r.value);
                    if r.value < settings.adaptive.threshold * initial_risk.value {
                        step_loss = StepLoss::Mse;
                        gamma *= settings.adaptive.jump;
                        switch_step = Some(t);
                    }
                }
                StepLoss::Mse => gamma *= settings.adaptive.decay,
            }
        }
        overlaps = next;
        steps_done = t;
        let recovered_now = trajectory.weak_recovery_step.is_none()
            && teachers(&overlaps).max_teacher_overlap() >= settings.eta;
        if recovered_now {
            trajectory.weak_recovery_step = Some(t);
        }
        let force = recovered_now || t == settings.steps;
        if force || trajectory.wants(t) {
            let value = match risk {
                Some(v) => v,
                None => match model.population_risk_with_second_layer(&overlaps, noise, &a) {
                    Ok(r) => {
                        risk_method = risk_method.least_exact(r.method);
                        r.value
                    }
                    Err(e) => {
                        divergence = Some(Divergence {
                            step: t,
                            message: e.to_string(),
                        });
                        break;
                    }
                },
            };
            trajectory.record_state(
                t,
                &teachers(&overlaps),
                recorded(&a).as_deref(),
                free_columns(&overlaps).as_ref(),
                value,
                force,
            );
        }
    }
    if divergence.is_some() && trajectory.steps.last() != Some(&steps_done) {
        if let Ok(r) = model.population_risk_with_second_layer(&overlaps, noise, &a) {
            trajectory.record_state(
                steps_done,
                &teachers(&overlaps),
                recorded(&a).as_deref(),
                free_columns(&overlaps).as_ref(),
                r.value,
                true,
            );
        }
    }
    Ok(RecursionRun {
        trajectory,
        final_overlaps: overlaps,
        final_second_layer: a,
        steps_done,
        switch_step,
        final_learning_rate: gamma,
        risk_method,
        drift_method: drift_method.unwrap_or(risk_method),
        divergence,
    })
}
