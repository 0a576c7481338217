//! The order-parameter drift terms of docs/science.md §5.
//!
//! With local fields (lambda_1..lambda_p, lambda*_1..lambda*_k) ~ N(0, Omega), label
//! y = g(lambda*) + sqrt(Delta) xi and error term e = y - f (MSE) or e = y (correlation loss,
//! self-interaction dropped), f = (1/p) sum_j sigma(lambda_j):
//!
//! ```text
//! psi_jr   = E[sigma'(lambda_j) lambda*_r e]                      (p x k)
//! phiGF_jl = E[sigma'(lambda_j) lambda_l e]                       (p x p)
//! phiHD_jl = E[sigma'(lambda_j) sigma'(lambda_l) e^2]             (p x p, symmetric)
//!          = E[sigma'_j sigma'_l (g - f)^2] + Delta E[sigma'_j sigma'_l]   (MSE)
//! ```
//!
//! They are the per-sample means of the SGD step: with c_j = sigma'(lambda_j) e,
//! E[c_j lambda^T] = [phiGF_j., psi_j.] and E[c_j c_l] = phiHD_jl, which is also how the
//! large-batch (CLT) sampler uses them.

pub use super::drift_matrices::DriftTerms;
use super::error::TheoryError;
use super::local_field_model::with_cached_model;
use crate::model::{Link, Overlaps, StepLoss, Target};

/// The drift terms psi, phiGF, phiHD for `target` (g), student `activation` (sigma), the error
/// term of `step_loss`, the overlaps (Q, M) and label-noise variance `noise` = Delta.
///
/// Uses a per-thread cached [`super::LocalFieldModel`] (closed forms for erf, exact Wick
/// moments for polynomials, quadrature or Monte Carlo otherwise). On invalid input (bad
/// shapes, non-finite entries, Omega not positive semi-definite, Delta < 0) every entry is
/// NaN; use [`try_drift_terms`] for the reason.
///
/// Spot values (He_3 GLM, MSE, p = k = 1, correlation m): psi = 18(m^2 - m),
/// phiGF = 18(m^3 - 1).
pub fn drift_terms(
    target: &Target,
    activation: &Link,
    step_loss: StepLoss,
    overlaps: &Overlaps,
    noise: f64,
) -> DriftTerms {
    try_drift_terms(target, activation, step_loss, overlaps, noise)
        .unwrap_or_else(|_| DriftTerms::not_a_number(overlaps.q.nrows(), overlaps.m.ncols()))
}

/// [`drift_terms`] for the student f = (1/p) Σ_j a_j σ(λ_j), the step of unit j carrying a_j
/// (`second_layer` = (a_1..a_p); see
/// [`super::LocalFieldModel::drift_terms_with_second_layer`]); NaN on invalid input.
pub fn drift_terms_with_second_layer(
    target: &Target,
    activation: &Link,
    step_loss: StepLoss,
    overlaps: &Overlaps,
    noise: f64,
    second_layer: &[f64],
) -> DriftTerms {
    let (p, k) = (overlaps.q.nrows(), overlaps.m.ncols());
    with_cached_model(target, activation, p, k, |model| {
        model.drift_terms_with_second_layer(overlaps, step_loss, noise, second_layer)
    })
    .and_then(|r| r)
    .unwrap_or_else(|_| DriftTerms::not_a_number(p, k))
}

/// [`drift_terms`] with a typed error instead of NaN.
pub fn try_drift_terms(
    target: &Target,
    activation: &Link,
    step_loss: StepLoss,
    overlaps: &Overlaps,
    noise: f64,
) -> Result<DriftTerms, TheoryError> {
    let (p, k) = (overlaps.q.nrows(), overlaps.m.ncols());
    with_cached_model(target, activation, p, k, |model| {
        model.drift_terms(overlaps, step_loss, noise)
    })?
}
