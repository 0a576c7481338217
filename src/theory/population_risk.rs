//! The population risk as a function of the overlaps (docs/science.md §3):
//!
//! ```text
//! R(Q, M) = (1/2) E[(y - f)^2] = (1/2) (Delta + E[(f* - f)^2]),
//! ```
//!
//! f* = g(lambda*), f = (1/p) sum_j sigma(lambda_j) (second layer a_j = 1),
//! (lambda, lambda*) ~ N(0, Omega), Omega = [[Q, M], [M^T, I_k]].
//!
//! Spot check: He_3 single index (p = k = 1, unit norms, correlation m):
//! E[He_3(a) He_3(b)] = 3! m^3, so R = (1/2)(2 * 6 (1 - m^3) + Delta) = 6 (1 - m^3) + Delta / 2.

use super::error::TheoryError;
use super::gaussian_expectations::{Estimate, Method};
use super::local_field_model::with_cached_model;
use crate::model::{Link, Overlaps, SpikeGeometry, Target};

/// R(Q, M) = (1/2)(Delta + E[(f* - f)^2]) for teacher `target`, student `activation`, the
/// overlaps and label-noise variance `noise` = Delta, with the method used.
///
/// Fast paths: erf (closed form, ~1 microsecond) and polynomial links (exact Wick moments,
/// a few microseconds for p = 4 once the per-thread plan is compiled). Other links use
/// cached Gauss-Hermite rules or seeded Monte Carlo (milliseconds).
///
/// On invalid input (bad shapes, non-finite entries, Omega not positive semi-definite,
/// Delta < 0 or not finite) the value is NaN; use [`try_population_risk`] for the reason.
pub fn population_risk(
    target: &Target,
    activation: &Link,
    overlaps: &Overlaps,
    noise: f64,
) -> Estimate {
    try_population_risk(target, activation, overlaps, noise)
        .unwrap_or(Estimate::new(f64::NAN, Method::ClosedForm))
}

/// [`population_risk`] with a typed error instead of NaN.
pub fn try_population_risk(
    target: &Target,
    activation: &Link,
    overlaps: &Overlaps,
    noise: f64,
) -> Result<Estimate, TheoryError> {
    let (p, k) = (overlaps.q.nrows(), overlaps.m.ncols());
    with_cached_model(target, activation, p, k, |model| {
        model.population_risk(overlaps, noise)
    })?
}

/// [`population_risk`] for the student f = (1/p) sum_j a_j sigma(lambda_j) with
/// `second_layer` = (a_1..a_p) ([`crate::config::SecondLayer`]); NaN on invalid input
/// (including a length other than p).
pub fn population_risk_with_second_layer(
    target: &Target,
    activation: &Link,
    overlaps: &Overlaps,
    noise: f64,
    second_layer: &[f64],
) -> Estimate {
    let (p, k) = (overlaps.q.nrows(), overlaps.m.ncols());
    with_cached_model(target, activation, p, k, |model| {
        model.population_risk_with_second_layer(overlaps, noise, second_layer)
    })
    .and_then(|r| r)
    .unwrap_or(Estimate::new(f64::NAN, Method::ClosedForm))
}

/// [`population_risk_with_second_layer`] under the input covariance `covariance` (None:
/// isotropic): `tracked` are the overlaps with every fixed vector (teachers, then the spikes'
/// free directions, [`crate::sampler::Sampler::tracked_overlaps`]) and the fields
/// (lambda, lambda*) are Gaussian with the leading (p + k) block of
/// [`SpikeGeometry::field_covariance`] of their Gram matrix.
pub fn population_risk_under_covariance(
    target: &Target,
    activation: &Link,
    tracked: &Overlaps,
    covariance: Option<&SpikeGeometry>,
    noise: f64,
    second_layer: &[f64],
) -> Estimate {
    let Some(geometry) = covariance else {
        return population_risk_with_second_layer(target, activation, tracked, noise, second_layer);
    };
    let p = tracked.p();
    let k = tracked.k() - geometry.free_directions();
    let fields = geometry.field_moment_block(&tracked.omega(), 1, p + k);
    with_cached_model(target, activation, p, k, |model| {
        model.population_risk_for_field_covariance(&fields, noise, second_layer)
    })
    .and_then(|r| r)
    .unwrap_or(Estimate::new(f64::NAN, Method::ClosedForm))
}
