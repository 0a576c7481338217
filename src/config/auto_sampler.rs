//! What `sampler: auto` resolves to.
//!
//! * n_b <= `clt_threshold`: `exact` (the same law as the literal simulation).
//! * n_b > 10^10: `clt`, the only sampler that can take such batches (its output reports the
//!   error of its moments when they are not exact).
//! * in between: `clt` when its per-sample moments are exact (polynomial links) or the pilot
//!   Monte Carlo relative error of its covariance, [`auto_moment_error`] at a reference initial
//!   state, is at most [`AUTO_MAX_RELATIVE_ERROR`] for every loss the run differentiates;
//!   `exact` otherwise. A trained second layer is judged the same way, on the moments that
//!   include its step (t = (vec A, vech C, b)), at its initial weights a_j = a0.

use crate::initialisation::Initialisation;
use crate::model::{Link, Loss, Target};
use crate::random::SimRng;
use crate::sampler::{
    auto_moment_error, moment_plan_with_second_layer, MomentPlan, SamplerKind, StepSettings,
    Update, AUTO_MAX_RELATIVE_ERROR, PILOT_SEED,
};
use rand::SeedableRng;

/// Largest batch the `exact` and `full` samplers accept.
pub const MAX_DRAWN_BATCH: f64 = 1e10;

/// The model and step parameters `auto` needs.
#[derive(Clone, Copy, Debug)]
pub struct AutoSamplerInput<'a> {
    /// Teacher g.
    pub target: Target,
    /// Student activation sigma.
    pub activation: Link,
    /// Loss protocol (adaptive runs check both step losses).
    pub loss: Loss,
    /// Student units p.
    pub p: usize,
    /// Teacher directions k.
    pub k: usize,
    /// Input dimension d.
    pub d: u64,
    /// Batch size n_b.
    pub nb: f64,
    /// Initial learning rate gamma.
    pub gamma: f64,
    /// Label-noise variance Delta.
    pub noise: f64,
    /// Initialisation (the pilot estimate is taken at one draw of it).
    pub init: &'a Initialisation,
    /// Projected or spherical.
    pub update: Update,
    /// `clt_threshold` in samples per step.
    pub clt_threshold: u64,
    /// The second layer's initial weight a0 (the Monte Carlo pilot's coefficients carry it).
    pub a0: f64,
    /// The second layer's learning rate gamma_a (0: fixed). Trained, the clt moments also
    /// cover its step, so the plan and the pilot are those of t = (vec A, vech C, b).
    pub second_layer_gamma: f64,
}

/// The sampler `auto` picks (see the module doc).
pub fn resolve_auto_sampler(input: &AutoSamplerInput) -> SamplerKind {
    if input.nb <= input.clt_threshold as f64 {
        return SamplerKind::Exact;
    }
    if input.nb > MAX_DRAWN_BATCH {
        return SamplerKind::Clt;
    }
    // exact moments need no pilot
    let plan = moment_plan_with_second_layer(
        input.target,
        input.activation,
        input.loss,
        (input.p, input.k),
        input.second_layer_gamma > 0.0,
    );
    if matches!(plan, MomentPlan::Exact { .. }) {
        return SamplerKind::Clt;
    }
    let mut rng = SimRng::seed_from_u64(PILOT_SEED);
    let overlaps = input
        .init
        .sample_overlaps(&mut rng, input.p, input.k, input.d);
    let accurate = input.loss.step_losses().iter().all(|&step_loss| {
        let settings = StepSettings {
            target: input.target,
            activation: input.activation,
            noise_sd: input.noise.sqrt(),
            d: input.d,
            nb: input.nb as u64,
            gamma: input.gamma,
            step_loss,
            update: input.update,
            a0: input.a0,
            second_layer_gamma: input.second_layer_gamma,
        };
        auto_moment_error(&settings, &overlaps) <= AUTO_MAX_RELATIVE_ERROR
    });
    if accurate {
        SamplerKind::Clt
    } else {
        SamplerKind::Exact
    }
}
