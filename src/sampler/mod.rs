//! Samplers of one SGD step, behind one interface.
//!
//! * [`FullSampler`]: the literal d-dimensional simulation (W is p x d, fresh Gaussian
//!   inputs every step). The reference.
//! * [`ExactSampler`]: the dimension-free Markov chain on the Gram matrix Omega. Same law as
//!   `full`, cost O(n_b r^2 + r^3) per step with r = p + k, independent of d.
//! * [`CltSampler`] (large-batch mode): the per-step sums replaced by their Gaussian law, with
//!   exact per-sample moments for polynomial links and a reported Monte Carlo error otherwise.
//!
//! A step is fed in pieces: [`Sampler::accumulate`] adds any number of the batch's samples
//! (so a worker can check for control messages inside a 10^8-sample batch), then
//! [`Sampler::finish_step`] applies the update.

pub mod clt;
mod exact;
mod full;
pub mod lanes;
mod per_sample;
mod second_layer;

pub use clt::{
    auto_moment_error, automatic_monte_carlo_samples, cached_polynomial_moments, moment_plan,
    moment_plan_with_second_layer, CltMomentMethod, CltMomentReport, CltSampler, MomentPlan,
    MomentSource, AUTO_MAX_RELATIVE_ERROR, MONTE_CARLO_SAMPLES, PILOT_SEED,
};
pub use exact::ExactSampler;
pub use full::FullSampler;
pub use lanes::SimdMode;
pub use per_sample::{per_sample_coefficients, CoefficientKernel};
pub use second_layer::SecondLayerWeights;

use crate::model::{Link, Overlaps, StepLoss, Target};
use crate::random::SimRng;
use serde::{Deserialize, Serialize};

/// How the weights are kept on the sphere.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Update {
    /// w_j <- (w_j + step_j) / ||w_j + step_j|| (the paper's main protocol).
    #[default]
    Projected,
    /// Remove the step's component along w_j, then normalise (paper appendix).
    Spherical,
}

/// Which sampler a run uses.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum SamplerKind {
    /// Literal d-dimensional simulation.
    Full,
    /// Exact dimension-free Gram-matrix chain.
    Exact,
    /// Central-limit large-batch approximation.
    Clt,
}

/// The sampler requested in a config: a kind, or `auto` (exact up to the CLT threshold of
/// samples per step; above it clt when its per-sample moments are exact or their pilot
/// relative error is at most [`AUTO_MAX_RELATIVE_ERROR`], and always above 10^10).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum SamplerChoice {
    /// exact if n_b <= clt_threshold; else clt if [`auto_moment_error`] <=
    /// [`AUTO_MAX_RELATIVE_ERROR`] (0 for polynomial links) or n_b > 10^10, exact otherwise.
    #[default]
    Auto,
    /// [`SamplerKind::Full`].
    Full,
    /// [`SamplerKind::Exact`].
    Exact,
    /// [`SamplerKind::Clt`].
    Clt,
}

/// Everything one step needs besides the state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepSettings {
    /// Teacher g.
    pub target: Target,
    /// Student activation sigma.
    pub activation: Link,
    /// sqrt(Delta): standard deviation of the label noise.
    pub noise_sd: f64,
    /// Input dimension d.
    pub d: u64,
    /// Batch size n_b.
    pub nb: u64,
    /// Learning rate gamma of this step.
    pub gamma: f64,
    /// Loss differentiated at this step.
    pub step_loss: StepLoss,
    /// Projected or spherical update.
    pub update: Update,
    /// Every unit's initial second-layer weight a0 ([`crate::config::SecondLayer`]); while the
    /// second layer is fixed, a_j = a0 throughout.
    pub a0: f64,
    /// The second layer's learning rate gamma_a (0: fixed). When positive the sampler carries
    /// a_1..a_p in its state ([`SecondLayerWeights`]) and steps them by
    /// a_j += (gamma_a / (n_b p)) Σ_u σ(λ_j^u) (y_u − f(x_u)).
    pub second_layer_gamma: f64,
}

impl StepSettings {
    /// true when the second layer is trained.
    pub fn second_layer_trained(&self) -> bool {
        self.second_layer_gamma > 0.0
    }
}

/// A step that could not be completed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StepError {
    /// The weights became NaN/inf or collapsed to zero norm.
    #[error("the run diverged: {0} (try a smaller learning rate)")]
    Diverged(String),
}

/// One-step sampler of projected/spherical minibatch SGD.
pub trait Sampler: Send {
    /// Which sampler this is.
    fn kind(&self) -> SamplerKind;
    /// The current overlaps (Q, M).
    fn overlaps(&self) -> Overlaps;
    /// The overlaps with every fixed vector the sampler tracks: the teachers, then a spiked
    /// covariance's free directions u_1..u_m (M is p x (k + m); without free directions the
    /// same as [`Sampler::overlaps`]). The population risk under a spiked covariance needs them.
    fn tracked_overlaps(&self) -> Overlaps {
        self.overlaps()
    }
    /// The current second layer a_1..a_p.
    fn second_layer(&self) -> SecondLayerWeights;
    /// How a large-batch sampler obtained its per-sample moments (`None` for the others).
    fn clt_moments(&self) -> Option<CltMomentReport> {
        None
    }
    /// Adds `samples` samples of the current step's batch, drawing from `data`.
    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64);
    /// Applies the accumulated step (after exactly n_b samples) and normalises.
    fn finish_step(
        &mut self,
        settings: &StepSettings,
        orthogonal: &mut SimRng,
    ) -> Result<(), StepError>;
}

/// Projection of a tentative Gram matrix: Q'_jl = Q~_jl / sqrt(Q~_jj Q~_ll),
/// M'_jr = M~_jr / sqrt(Q~_jj). Fails when a norm is zero or anything is non-finite.
pub fn project_overlaps(
    q: &nalgebra::DMatrix<f64>,
    m: &nalgebra::DMatrix<f64>,
) -> Result<Overlaps, StepError> {
    let p = q.nrows();
    let norms: Vec<f64> = (0..p).map(|j| q[(j, j)].sqrt()).collect();
    if let Some(j) = norms.iter().position(|n| !n.is_finite() || *n <= 0.0) {
        return Err(StepError::Diverged(format!(
            "||w_{j}||^2 = {} before projection",
            q[(j, j)]
        )));
    }
    let o = Overlaps {
        q: nalgebra::DMatrix::from_fn(p, p, |i, j| {
            if i == j {
                1.0
            } else {
                q[(i, j)] / (norms[i] * norms[j])
            }
        }),
        m: nalgebra::DMatrix::from_fn(p, m.ncols(), |j, r| m[(j, r)] / norms[j]),
    };
    if !o.is_finite() {
        return Err(StepError::Diverged("non-finite overlaps".into()));
    }
    Ok(o)
}
