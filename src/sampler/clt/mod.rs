//! Large-batch mode: the per-step sums replaced by their central-limit (Gaussian) law.
//!
//! With r = p + k, the exact sampler needs A = sum_u c_u s_u^T (p x r) and
//! C = sum_u c_u c_u^T (p x p) over n_b i.i.d. samples. For n_b up to d^l (10^10 and more)
//! drawing every sample is too slow, so this sampler draws the vector
//! t = (vec A, vech C) from N(n mu, n Sigma), where mu and Sigma are the mean and covariance of
//! one sample's (c s^T, c c^T) ([`StepVectorLayout`], [`StepMoments`]):
//!
//! * **Polynomial links** (a committee of He_l / normalised He_l teachers with a He_l student,
//!   any degrees): mu and Sigma are exact Gaussian polynomial moments, computed by the
//!   Isserlis/Wick recursion after integrating the input coordinates s out by parts
//!   ([`PolynomialStepMoments`]). No sampling: the law of t is the exact Gaussian
//!   approximation of the sum. This matters: the per-sample terms of He_3 with MSE have
//!   kurtosis 10^3..10^6, so a covariance estimated from a few thousand draws is off by
//!   100-2000% and the one-step law of M comes out 10-30% too narrow or too wide.
//! * **Other links** (erf, tanh, ReLU, tanh(z_1...z_k), mixed, or polynomial models whose
//!   moment plan exceeds [`MAX_PLANNED_MONOMIALS`]): mu is the theory engine's expectation,
//!   E[c_j s^T] = b_j (L^T)^+ with b_j = E[sigma'(lambda_j) e lambda^T] = [phiGF_j., psi_j.]
//!   (Stein, lambda = L s) and E[c_j c_l] = phiHD_jl; Sigma is the sample covariance of
//!   [`automatic_monte_carlo_samples`] exact draws per step (65536 unless n_b is smaller or the
//!   model is large), with a batch-means standard error
//!   ([`monte_carlo_moments`]). The largest relative error over the run is reported
//!   ([`CltSampler::moment_report`], the `clt_moments` key of a run's output).
//!
//! **Trained second layer** (`second_layer.gamma` = gamma_a > 0): t gains the p entries
//! b_j = sigma(lambda_j) e, e = y - (1/p) sum_l a_l sigma(lambda_l) ([`StepVectorLayout`]), and
//! c_j = a_j sigma'(lambda_j) e carries the current a_j. One draw gives A, C and
//! B = sum_u b^u jointly (their covariance comes from the same samples), and the step is
//! a_j += (gamma_a / (n_b p)) B_j, as in [`ExactSampler`], from the same pre-step state. The
//! moments depend on a and are computed at every step: exact for polynomial links
//! ([`cached_trained_polynomial_moments`]: the polynomials are expanded again at the new a, the
//! Gaussian moment plan is kept; about 1 ms a step for He_3 at p = 1, 7 ms at p = 2, 0.4 s at
//! p = 4), else Monte Carlo with b's mean E[sigma(lambda_j)(g - f)] from the theory engine.
//!
//! Moments are computed without the factor gamma / (n_b p) (so the A and C blocks have
//! comparable magnitudes); a draw's A part is multiplied by it, its C part by its square and its
//! b part by gamma_a / (n_b p).
//! The orthogonal (Wishart) part and the projection are then exactly those of
//! [`ExactSampler`]. If a Gaussian draw of C is not positive semi-definite (only when n_b is
//! small, where `exact` should be used anyway) its negative eigenvalues are set to zero.
//!
//! What remains is the CLT error for sums of n_b i.i.d. terms (skewness of order n_b^(-1/2)):
//! `tests/sampler_clt.rs` measures it against `exact` (one step and a few steps, 1500 seeds,
//! He_3 with MSE and correlation loss at n_b = 65536, erf committees at n_b = 8192).
//!
//! `auto` uses this sampler above `clt_threshold` samples per step only when its moments are
//! exact or their pilot relative error ([`auto_moment_error`]) is at most
//! [`AUTO_MAX_RELATIVE_ERROR`]; above 10^10 samples per step (beyond what `exact` can draw) it
//! uses clt in any case and the output reports the error.

mod moment_report;
mod monte_carlo_moments;
mod polynomial_moments;
mod polynomial_second_layer;
mod sample_polynomials;
mod step_moments;

pub use moment_report::{CltMomentMethod, CltMomentReport};
pub use monte_carlo_moments::{
    monte_carlo_moments, monte_carlo_moments_with_second_layer, MonteCarloMoments, BATCHES,
};
pub use polynomial_moments::{
    cached_polynomial_moments, cached_polynomial_moments_with_second_layer,
    cached_trained_polynomial_moments, PolynomialStepMoments, MAX_PLANNED_MONOMIALS,
};
pub use step_moments::{StepMoments, StepVectorLayout};

use super::{ExactSampler, Sampler, SamplerKind, SecondLayerWeights, StepError, StepSettings};
use crate::linalg::pivoted_cholesky;
use crate::model::{Link, Loss, Overlaps, StepLoss, Target};
use crate::random::{standard_normal, SimRng};
use crate::theory::drift_terms_with_second_layer;
use crate::theory::local_field_model::with_cached_model;
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Exact draws per step for a Monte Carlo covariance, or n_b if smaller (relative standard
/// error of a variance about sqrt((kurtosis - 1) / 65536): 1.5% for erf).
pub const MONTE_CARLO_SAMPLES: usize = 65536;

/// Work budget of one Monte Carlo covariance, in accumulated products t_u t_v (65536 draws of a
/// 64-entry t): larger models (dimension of t above 64, i.e. about p >= 6) use fewer draws.
pub const MONTE_CARLO_WORK: usize = MONTE_CARLO_SAMPLES * 64 * 64;

/// Fewest draws of an automatic Monte Carlo covariance (unless n_b is smaller).
pub const MIN_MONTE_CARLO_SAMPLES: usize = 4096;

/// Draws of an automatic Monte Carlo covariance:
/// min(n_b, max(4096, min(65536, 2^28 / dim(t)^2))) with dim(t) = p (p + k) + p (p + 1) / 2
/// (+ p with a trained second layer; never more draws than the batch itself has, a bounded
/// cost per step for large models).
pub fn automatic_monte_carlo_samples(settings: &StepSettings, p: usize, k: usize) -> usize {
    let dim = StepVectorLayout::for_second_layer(p, k, settings.second_layer_trained())
        .len()
        .max(1);
    let by_work =
        (MONTE_CARLO_WORK / (dim * dim)).clamp(MIN_MONTE_CARLO_SAMPLES, MONTE_CARLO_SAMPLES);
    by_work.min(usize::try_from(settings.nb).unwrap_or(usize::MAX))
}

/// Largest pilot relative error ([`auto_moment_error`]) at which `auto` still picks clt:
/// 5% on a variance, about 2.5% on a standard deviation. Measured pilot errors (warm start,
/// d = 1000): erf, tanh and tanh(z_1 z_2 z_3) 0.8-1.6%, ReLU 2-3%, a He_l teacher with a bounded
/// student (heavy-tailed labels) 10-41%.
pub const AUTO_MAX_RELATIVE_ERROR: f64 = 0.05;

/// Seed of the pilot Monte Carlo estimate of [`auto_moment_error`] (independent of the run's
/// seed, so that the sampler choice does not depend on it).
pub const PILOT_SEED: u64 = 0x05ee_dc17;

/// Where the sampler takes its per-sample covariance from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MomentSource {
    /// Exact polynomial moments when the model allows, else Monte Carlo with
    /// [`automatic_monte_carlo_samples`] draws per step (65536 for small models).
    #[default]
    Automatic,
    /// Monte Carlo with this many draws per step for every model (4096 was the sampler's only
    /// method before exact moments; kept to measure what exact moments changed).
    MonteCarlo {
        /// Draws per step.
        samples: usize,
    },
}

/// Per-step Gaussian law of one sample's unscaled contribution.
#[derive(Clone, Debug)]
struct StepLaw {
    mean: DVector<f64>,
    covariance_factor: DMatrix<f64>,
}

/// Central-limit large-batch sampler.
#[derive(Clone, Debug)]
pub struct CltSampler {
    exact: ExactSampler,
    law: Option<StepLaw>,
    /// Samples of the current step accumulated so far: the Gaussian is drawn once, for the
    /// whole batch, when they reach n_b, so a step's draw does not depend on how its batch was
    /// split into slices (the browser splits by time).
    pending: u64,
    source: MomentSource,
    report: Option<CltMomentReport>,
    /// Number of steps where a drawn C had to be made positive semi-definite.
    pub clipped_steps: u64,
}

/// The theory engine's mean of one sample's unscaled t: E[c_j s^T] = b_j (L^T)^+ with
/// b_j = [phiGF_j., psi_j.], E[c_j c_l] = phiHD_jl, and with a trained second layer
/// E[sigma(lambda_j) e] = E[sigma(lambda_j) (g - f)] (the label noise is independent and
/// centred), all at the weights `weights`.
fn theory_mean(
    settings: &StepSettings,
    overlaps: &Overlaps,
    l: &DMatrix<f64>,
    weights: &[f64],
) -> DVector<f64> {
    let (p, k) = (overlaps.p(), overlaps.k());
    let r = p + k;
    let trained = settings.second_layer_trained();
    let layout = StepVectorLayout::for_second_layer(p, k, trained);
    // (with a second layer the terms carry it: the means of c s^T and c c^T for
    // c_j = a_j sigma'(lambda_j) e)
    let terms = drift_terms_with_second_layer(
        &settings.target,
        &settings.activation,
        settings.step_loss,
        overlaps,
        settings.noise_sd * settings.noise_sd,
        weights,
    );
    let lt_pinv = l
        .transpose()
        .pseudo_inverse(1e-12)
        .unwrap_or_else(|_| DMatrix::zeros(r, r));
    let mut mean = DVector::zeros(layout.len());
    for j in 0..p {
        let b = DMatrix::from_fn(1, r, |_, m| {
            if m < p {
                terms.phi_gf[(j, m)]
            } else {
                terms.psi[(j, m - p)]
            }
        });
        let x = b * &lt_pinv;
        for a in 0..r {
            mean[layout.a(j, a)] = x[(0, a)];
        }
        for l2 in j..p {
            mean[layout.c(j, l2)] = terms.phi_hd[(j, l2)];
        }
    }
    if trained {
        let drift = with_cached_model(&settings.target, &settings.activation, p, k, |model| {
            model.second_layer_drift(overlaps, weights)
        });
        match drift {
            Ok(Ok((drift, _))) => {
                for (j, x) in drift.into_iter().enumerate().take(p) {
                    mean[layout.b(j)] = x;
                }
            }
            // NaN, like the drift terms on invalid input: the step then fails as diverged
            _ => (0..p).for_each(|j| mean[layout.b(j)] = f64::NAN),
        }
    }
    mean
}

/// The factor L (Omega = L L^T) the exact sampler uses for `overlaps`.
fn gram_factor(overlaps: &Overlaps) -> DMatrix<f64> {
    let r = overlaps.p() + overlaps.k();
    pivoted_cholesky(&overlaps.omega())
        .map(|(l, _)| l)
        .unwrap_or_else(|| DMatrix::zeros(r, r))
}

/// The moments of one sample's unscaled t at `overlaps` for `settings`, from `source`, with
/// the method and the relative error of the covariance (0 for exact moments). A trained
/// second layer (`settings.second_layer_trained()`) is taken at its current weights
/// `second_layer` and t carries its b block; a fixed one is a_j = `settings.a0`.
fn moments_at(
    settings: &StepSettings,
    overlaps: &Overlaps,
    l: &DMatrix<f64>,
    source: MomentSource,
    second_layer: &SecondLayerWeights,
    data: &mut SimRng,
) -> (StepMoments, CltMomentMethod, f64) {
    let (p, k) = (overlaps.p(), overlaps.k());
    let trained = settings.second_layer_trained();
    let fixed = SecondLayerWeights::uniform(p, settings.a0);
    let second_layer = if trained { second_layer } else { &fixed };
    let polynomial = match source {
        MomentSource::Automatic if trained => cached_trained_polynomial_moments(
            settings.target,
            settings.activation,
            settings.step_loss,
            (p, k),
            second_layer.values(),
        ),
        MomentSource::Automatic => cached_polynomial_moments_with_second_layer(
            settings.target,
            settings.activation,
            settings.step_loss,
            p,
            k,
            settings.a0,
        ),
        MomentSource::MonteCarlo { .. } => None,
    };
    if let Some(exact) = polynomial {
        let noise = settings.noise_sd * settings.noise_sd;
        let moments = exact.evaluate(&overlaps.omega(), l, noise);
        if moments
            .mean
            .iter()
            .chain(moments.covariance.iter())
            .all(|x| x.is_finite())
        {
            return (moments, CltMomentMethod::ExactPolynomial, 0.0);
        }
    }
    let samples = match source {
        MomentSource::MonteCarlo { samples } => samples,
        MomentSource::Automatic => automatic_monte_carlo_samples(settings, p, k),
    };
    let estimate = monte_carlo_moments_with_second_layer(settings, l, second_layer, data, samples);
    (
        StepMoments {
            mean: theory_mean(settings, overlaps, l, second_layer.values()),
            covariance: estimate.moments.covariance,
        },
        CltMomentMethod::MonteCarlo {
            samples: estimate.samples,
        },
        estimate.max_relative_error,
    )
}

/// How the clt sampler obtains the per-step moments of a protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MomentPlan {
    /// Exact Wick moments of polynomial links: at most this many Gaussian moments per step
    /// (the largest over the protocol's step losses).
    Exact {
        /// Gaussian moments evaluated per step.
        planned_moments: usize,
    },
    /// Monte Carlo estimates (non-polynomial links, or a plan over its size cap).
    MonteCarlo,
}

/// The one answer to "exact moments or Monte Carlo" for a run of protocol `loss` (every step
/// loss it may take) with a fixed second layer, used by the sampler itself, by `auto` and by
/// the cost estimate.
pub fn moment_plan(target: Target, activation: Link, loss: Loss, p: usize, k: usize) -> MomentPlan {
    moment_plan_with_second_layer(target, activation, loss, (p, k), false)
}

/// [`moment_plan`] for a fixed (`trained` false) or trained second layer: a trained one's t
/// also carries b_j = sigma(lambda_j) e, whose moments raise the degree of the plan (the plan
/// does not depend on the weights; it is sized at a_j = 1).
pub fn moment_plan_with_second_layer(
    target: Target,
    activation: Link,
    loss: Loss,
    (p, k): (usize, usize),
    trained: bool,
) -> MomentPlan {
    loss.step_losses()
        .iter()
        .map(|&step_loss| {
            if trained {
                cached_trained_polynomial_moments(
                    target,
                    activation,
                    step_loss,
                    (p, k),
                    &vec![1.0; p],
                )
            } else {
                cached_polynomial_moments(target, activation, step_loss, p, k)
            }
            .map(|plan| plan.planned_moments())
        })
        .try_fold(0usize, |most, n| n.map(|n| most.max(n)))
        .map_or(MomentPlan::MonteCarlo, |planned_moments| {
            MomentPlan::Exact { planned_moments }
        })
}

/// The relative error of the clt covariance for `settings` at `overlaps`: 0 when the moments
/// are exact polynomial moments, else the batch-means relative standard error
/// max_{u <= v} SE(Sigma_uv) / sqrt(Sigma_uu Sigma_vv) of a pilot estimate with the draws a
/// step at n_b >= 65536 would use (seeded with [`PILOT_SEED`]). `auto` compares it with [`AUTO_MAX_RELATIVE_ERROR`].
///
/// The unscaled moments do not depend on gamma, n_b or d, so results are cached per model,
/// noise level and overlaps (a sweep resolves many such configs).
pub fn auto_moment_error(settings: &StepSettings, overlaps: &Overlaps) -> f64 {
    type Key = (Target, Link, StepLoss, u64, usize, usize, bool, Vec<u64>);
    static CACHE: OnceLock<Mutex<Vec<(Key, f64)>>> = OnceLock::new();
    let key: Key = (
        settings.target,
        settings.activation,
        settings.step_loss,
        settings.noise_sd.to_bits(),
        overlaps.p(),
        overlaps.k(),
        settings.second_layer_trained(),
        // the overlaps' bits, then the second layer's a0
        overlaps
            .q
            .iter()
            .chain(overlaps.m.iter())
            .map(|x| x.to_bits())
            .chain(std::iter::once(settings.a0.to_bits()))
            .collect(),
    );
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    if let Some((_, e)) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(k, _)| *k == key)
    {
        return *e;
    }
    let l = gram_factor(overlaps);
    let mut pilot = SimRng::seed_from_u64(PILOT_SEED);
    let settings = StepSettings {
        nb: settings.nb.max(MONTE_CARLO_SAMPLES as u64),
        ..*settings
    };
    let weights = SecondLayerWeights::uniform(overlaps.p(), settings.a0);
    let error = moments_at(
        &settings,
        overlaps,
        &l,
        MomentSource::Automatic,
        &weights,
        &mut pilot,
    )
    .2;
    let mut entries = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if entries.len() >= 64 {
        entries.remove(0);
    }
    entries.push((key, error));
    error
}

impl CltSampler {
    /// A sampler starting at `overlaps`, with exact moments where the model allows
    /// ([`MomentSource::Automatic`]).
    pub fn new(overlaps: Overlaps) -> Self {
        Self::with_moment_source(overlaps, MomentSource::Automatic)
    }

    /// A sampler starting at `overlaps` taking its moments from `source`.
    pub fn with_moment_source(overlaps: Overlaps, source: MomentSource) -> Self {
        CltSampler {
            exact: ExactSampler::new(overlaps),
            law: None,
            pending: 0,
            source,
            report: None,
            clipped_steps: 0,
        }
    }

    /// The same sampler with every second-layer weight a_j = `a0` at the start (default 1):
    /// the weights it steps when the second layer is trained. A fixed second layer is read
    /// from the step settings' a0.
    pub fn with_second_layer(mut self, a0: f64) -> Self {
        self.exact = self.exact.with_second_layer(a0);
        self
    }

    /// How the covariance was obtained so far and its largest relative error (`None` before
    /// the first step).
    pub fn moment_report(&self) -> Option<CltMomentReport> {
        self.report
    }

    /// Largest relative standard error of a covariance entry over the steps so far
    /// (max_{u <= v} SE(Sigma_uv) / sqrt(Sigma_uu Sigma_vv); 0 for exact moments).
    pub fn max_relative_error(&self) -> f64 {
        self.report.map_or(0.0, |r| r.max_relative_error)
    }

    fn dims(&self) -> (usize, usize) {
        let o = self.exact.overlaps();
        (o.p(), o.k())
    }

    fn step_law(&mut self, settings: &StepSettings, data: &mut SimRng) -> StepLaw {
        let (p, k) = self.dims();
        let r = p + k;
        let overlaps = self.exact.overlaps();
        let l = DMatrix::from_row_slice(r, r, &self.exact.current_factor());
        let weights = self.exact.second_layer();
        let (moments, method, error) =
            moments_at(settings, &overlaps, &l, self.source, &weights, data);
        let previous = self.report;
        self.report = Some(CltMomentReport {
            method: match (previous.map(|r| r.method), method) {
                (
                    Some(m @ CltMomentMethod::MonteCarlo { .. }),
                    CltMomentMethod::ExactPolynomial,
                ) => m,
                _ => method,
            },
            max_relative_error: previous.map_or(error, |r| r.max_relative_error.max(error)),
            steps: previous.map_or(0, |r| r.steps) + 1,
        });
        StepLaw {
            covariance_factor: moments.covariance_factor(),
            mean: moments.mean,
        }
    }
}

impl Sampler for CltSampler {
    fn kind(&self) -> SamplerKind {
        SamplerKind::Clt
    }

    fn overlaps(&self) -> Overlaps {
        self.exact.overlaps()
    }

    fn second_layer(&self) -> crate::sampler::SecondLayerWeights {
        self.exact.second_layer()
    }

    fn clt_moments(&self) -> Option<CltMomentReport> {
        self.report
    }

    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64) {
        if samples == 0 {
            return;
        }
        if self.law.is_none() {
            self.law = Some(self.step_law(settings, data));
        }
        self.pending += samples;
        if self.pending < settings.nb {
            return;
        }
        let samples = std::mem::take(&mut self.pending);
        let (p, k) = self.dims();
        let layout = StepVectorLayout::for_second_layer(p, k, settings.second_layer_trained());
        let r = p + k;
        let scale = settings.gamma / (settings.nb as f64 * p as f64);
        let law = self.law.as_ref().unwrap();
        let z = DVector::from_fn(law.covariance_factor.ncols(), |_, _| standard_normal(data));
        let n = samples as f64;
        let draw = &law.mean * n + &law.covariance_factor * z * n.sqrt();
        let a: Vec<f64> = (0..p * r).map(|i| scale * draw[i]).collect();
        let mut c = vec![0.0; p * p];
        for j in 0..p {
            for l2 in j..p {
                c[j * p + l2] = scale * scale * draw[layout.c(j, l2)];
            }
        }
        self.exact.add_sums(&a, &c);
        if settings.second_layer_trained() {
            // B_j = sum_u b_j^u, unscaled: the exact sampler's step applies gamma_a / (n_b p)
            let b: Vec<f64> = (0..p).map(|j| draw[layout.b(j)]).collect();
            self.exact.add_second_layer_sums(&b);
        }
    }

    fn finish_step(
        &mut self,
        settings: &StepSettings,
        orthogonal: &mut SimRng,
    ) -> Result<(), StepError> {
        self.law = None;
        if self.exact.make_step_covariance_psd() {
            self.clipped_steps += 1;
        }
        self.exact.finish_step(settings, orthogonal)
    }
}
