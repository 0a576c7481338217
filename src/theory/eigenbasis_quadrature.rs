//! The drift terms of smooth committees whose fields are strongly correlated (the aligned
//! phase of a run that learns), by the anisotropic tensor rule in the eigenbasis of
//! Omega with an embedded error estimate (docs/science.md §6).
//!
//! With Omega = Q Λ Q^T, L = Q Λ^(1/2) and the loadings ℓ_a = max_j |L_ja|, direction a gets
//! the smallest n_a of the node ladder (Gauss-Hermite or trapezoidal) that integrates the probe
//! h(x) = σ'(x)² (1 + σ(x)²) + g'(x)² (1 + g(x)²) along it within `BASE_TOLERANCE` (module
//! `gaussian_expectations::anisotropic_quadrature`; loadings rounded up to 1/128 and the
//! choices kept per thread, so a recursion pays for the probes once per loading). When the
//! students have aligned (|Omega_ij| -> 1) one direction carries almost all the variance and
//! needs about twenty-five nodes, the others one to three: about 10^2–10^3 points instead of
//! the 10^5 of the isotropic five-dimensional rule. The rule is run twice, as chosen (base, B)
//! and with every direction one rung finer (refined, R); the drift terms are R's and the label
//! reports
//!
//! ```text
//! estimate = max over the entries of psi, phiGF, phiHD of |R - B|,
//! ```
//!
//! an estimate of B's error and so, for a rule converging geometrically, on the safe side
//! for R's (tests/theory_aligned_tanh.rs checks it against the same rule at probe tolerance
//! 1e-7: the 20-node isotropic rule is itself 10^-3 off there).

use super::drift_matrices::DriftTerms;
use super::error::TheoryError;
use super::gaussian_expectations::anisotropic_quadrature::DirectionChoices;
use super::gaussian_expectations::{AnisotropicRule, CovarianceFactor, Method};
use super::joint_integration::{drift_from_means, smooth, DriftIntegrand};
use crate::model::{Link, StepLoss, Target};
use nalgebra::DMatrix;
use std::cell::RefCell;
use std::collections::HashMap;

/// Probe tolerance of the base rule: each direction's one-dimensional probe integrals within
/// this of a 100-node rule.
pub const BASE_TOLERANCE: f64 = 1e-3;

/// Rungs of the node ladder between the base and the refined rule.
pub const REFINEMENT_RUNGS: usize = 1;

/// Probe memos kept per thread (one per student link, teacher link and tolerance).
const MEMO_SIZE: usize = 16;

thread_local! {
    static CHOICES: RefCell<HashMap<(Link, Link, u64), DirectionChoices>> =
        RefCell::new(HashMap::new());
}

/// σ'(x)² (1 + σ(x)²) + g'(x)² (1 + g(x)²): the shape of the drift integrands on one field
/// (squared derivatives times the squared error), for the student's and the teacher's link.
fn probe(activation: Link, teacher: Link, x: f64) -> f64 {
    let (s, ds) = activation.value_and_derivative(x);
    let (g, dg) = teacher.value_and_derivative(x);
    ds * ds * (1.0 + s * s) + dg * dg * (1.0 + g * g)
}

/// The base rule (probe tolerance `tolerance`) and the refined rule for the fields'
/// covariance `omega`, or `None` when the pair is not a committee of smooth links or the two
/// grids together exceed `max_nodes` points.
pub fn eigenbasis_rules(
    target: &Target,
    activation: Link,
    omega: &DMatrix<f64>,
    max_nodes: usize,
    tolerance: f64,
) -> Result<Option<(AnisotropicRule, AnisotropicRule)>, TheoryError> {
    let Some(teacher) = target.committee_link() else {
        return Ok(None);
    };
    if !smooth(target, activation) || max_nodes == 0 {
        return Ok(None);
    }
    let factor = CovarianceFactor::new(omega)?;
    let h = move |x: f64| probe(activation, teacher, x);
    let key = (activation, teacher, tolerance.to_bits());
    let base = CHOICES.with(|cell| {
        let mut memo = cell.borrow_mut();
        if memo.len() >= MEMO_SIZE && !memo.contains_key(&key) {
            memo.clear();
        }
        AnisotropicRule::with_choices(factor, &h, tolerance, memo.entry(key).or_default())
    })?;
    let refined = base.refined(REFINEMENT_RUNGS)?;
    if base.size().saturating_add(refined.size()) > max_nodes {
        return Ok(None);
    }
    Ok(Some((base, refined)))
}

/// psi, phiGF, phiHD by the anisotropic eigenbasis rule (module docs) over the p + k fields
/// of covariance `omega` (students first), for the second layer `second_layer` and label
/// noise `noise`, with probe tolerance `tolerance` (the automatic backend uses
/// [`BASE_TOLERANCE`]); `None` when [`eigenbasis_rules`] gives no rule within `max_nodes`.
#[allow(clippy::too_many_arguments)]
pub fn drift_by_eigenbasis_quadrature(
    target: &Target,
    activation: Link,
    step_loss: StepLoss,
    omega: &DMatrix<f64>,
    p: usize,
    k: usize,
    noise: f64,
    second_layer: &[f64],
    max_nodes: usize,
    tolerance: f64,
) -> Result<Option<DriftTerms>, TheoryError> {
    if omega.nrows() != p + k || second_layer.len() != p {
        return Err(TheoryError::UnsupportedBackend {
            backend: "anisotropic eigenbasis quadrature",
            reason: "the covariance must be (p + k) x (p + k) and the second layer of length p",
        });
    }
    let Some((base, refined)) = eigenbasis_rules(target, activation, omega, max_nodes, tolerance)?
    else {
        return Ok(None);
    };
    let mut integrand =
        DriftIntegrand::new(target, activation, step_loss, p, k, noise, second_layer);
    let outputs = integrand.outputs();
    let mut values = vec![0.0; outputs];
    let mut sums = [vec![0.0; outputs], vec![0.0; outputs]];
    for (rule, sum) in [&base, &refined].into_iter().zip(sums.iter_mut()) {
        rule.for_each_node(|z, w| {
            integrand.evaluate(z, &mut values);
            for (s, v) in sum.iter_mut().zip(&values) {
                *s += w * v;
            }
        })?;
    }
    let mut drift = drift_from_means(&sums[1], p, k, Method::ClosedForm);
    let coarse = drift_from_means(&sums[0], p, k, Method::ClosedForm);
    let estimate = (&drift.psi - &coarse.psi)
        .amax()
        .max((&drift.phi_gf - &coarse.phi_gf).amax())
        .max((&drift.phi_hd - &coarse.phi_hd).amax());
    drift.method = Method::AnisotropicQuadrature {
        nodes: refined.size(),
        error_estimate: estimate,
    };
    Ok(Some(drift))
}
