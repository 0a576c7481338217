//! The deterministic overlap recursion of docs/science.md §5: the expected SGD step
//! projected on the order parameters, with exact normalisation.
//!
//! With g = gamma / p, a_j = 1 and the drift terms psi, phiGF, phiHD of [`DriftTerms`]:
//!
//! ```text
//! dM_jr = g psi_jr                                                   [gradient]
//! dQ_jl = g (phiGF_jl + phiGF_lj)                                    [gradient]
//!       + g^2 (d / n_b) phiHD_jl                                     [noise]
//!       + g^2 h_j^T Omega^+ h_l,  h_j = [phiGF_j. ; psi_j.]          [mean step]
//! ```
//!
//! The mean-step term is the inner product of the mean steps (Stein:
//! E[F(lambda) x] = V^T Omega^+ E[F(lambda) lambda], V the rows of [W; W*]); with P = I and the
//! Schur complement it is psi_j. psi_l.^T + o_j^T Qperp^+ o_l with o_j = phiGF_j.^T - M psi_j.^T
//! and Qperp = Q - M M^T (pseudo-inverse, so a neuron aligned with the teacher is fine).
//!
//! Projected (the paper's protocol): Q~ = Q + dQ, then
//!
//! ```text
//! M'_jr = (M + dM)_jr / sqrt(Q~_jj),   Q'_jl = Q~_jl / sqrt(Q~_jj Q~_ll)
//! ```
//!
//! (for unit-norm neurons Q~_jj = 1 + dQ_jj). Unprojected: M' = M + dM, Q' = Q + dQ.
//!
//! Spherical SGD projects each neuron's step on the tangent space at w_j before normalising:
//! the mean step G_j = g E[c_j x] becomes P_j G_j = G_j − α_j w_j with
//! α_j = G_j·w_j / Q_jj = g phiGF_jj / Q_jj, while the noise (orthogonal to the span of the
//! weights) is unchanged. With D = diag(α):
//!
//! ```text
//! dM = g psi − D M                                                   [gradient]
//! dQ = g (phiGF + phiGF^T) − (D Q + Q D)                             [gradient]
//!    + g^2 (d / n_b) phiHD                                           [noise]
//!    + g^2 G − g (phiGF D + D phiGF^T) + D Q D                       [mean step]
//! ```
//!
//! then the same normalisation. To first order in g both updates agree.
//! Each kind of term can be switched off ([`Terms`]): the asymptotic regimes of
//! [`super::regimes`] keep different terms.

use super::drift_matrices::DriftTerms;
use super::spiked_recursion::spiked_mean_step_gram;
use crate::model::{Overlaps, SpikeGeometry};
use crate::sampler::Update;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// Which terms of the recursion are kept.
///
/// The full recursion keeps Omega a Gram matrix (Q~ is the Gram matrix of the mean-updated
/// neurons plus the positive noise term). Without the mean-step term this is no longer
/// guaranteed at finite gamma: an overlap can exceed 1, and the run then stops with a
/// [`Divergence`](super::overlap_recursion::Divergence) ("Omega ... is not positive semi-definite").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Terms {
    /// Order-gamma terms: dM = g psi and g (phiGF + phiGF^T) in dQ.
    pub gradient: bool,
    /// The SGD-noise term g^2 (d / n_b) phiHD in dQ.
    pub noise: bool,
    /// The mean-step term g^2 h_j^T Omega^+ h_l in dQ.
    pub mean_step: bool,
}

impl Default for Terms {
    /// All terms.
    fn default() -> Self {
        Terms::ALL
    }
}

impl Terms {
    /// Every term (the finite-d recursion).
    pub const ALL: Terms = Terms {
        gradient: true,
        noise: true,
        mean_step: true,
    };
}

/// The parameters of one deterministic step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepParameters {
    /// gamma.
    pub learning_rate: f64,
    /// d / n_b, the weight of the noise term.
    pub dimension_over_batch: f64,
    /// Which terms are kept.
    pub terms: Terms,
    /// Normalise each neuron back to the unit sphere.
    pub projected: bool,
    /// Projected or spherical SGD: spherical first projects each neuron's step on the tangent
    /// space of the sphere at it (see the module documentation); both then normalise.
    pub update: Update,
}

/// Why one deterministic step failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StepFailure {
    /// Drift-term shapes do not match the overlaps.
    #[error("drift terms must be psi: {p} x {k}, phiGF and phiHD: {p} x {p}")]
    Shape {
        /// Student neurons.
        p: usize,
        /// Teacher directions.
        k: usize,
    },
    /// Q~_jj <= 0: the neuron cannot be normalised.
    #[error(
        "the squared norm of neuron {neuron} became {value:.3e} (the step overshoots; lower gamma)"
    )]
    NonPositiveNorm {
        /// Neuron index j.
        neuron: usize,
        /// Q~_jj.
        value: f64,
    },
    /// A NaN or infinity appeared.
    #[error("the overlaps became non-finite")]
    NotFinite,
}

/// The mean-step Gram matrix G_jl = h_j^T Omega^+ h_l = psi_j. psi_l.^T + o_j^T Qperp^+ o_l,
/// o_j = phiGF_j.^T - M psi_j.^T, Qperp = Q - M M^T (p x p; pseudo-inverse with relative
/// tolerance 1e-10).
pub fn mean_step_gram(overlaps: &Overlaps, drift: &DriftTerms) -> DMatrix<f64> {
    let (q, m) = (&overlaps.q, &overlaps.m);
    let q_perp = q - m * m.transpose();
    let q_perp = (&q_perp + q_perp.transpose()) * 0.5;
    let tolerance = 1e-10 * q_perp.amax().max(1.0);
    let p = q.nrows();
    let pinv = q_perp
        .pseudo_inverse(tolerance)
        .unwrap_or_else(|_| DMatrix::zeros(p, p));
    // rows o_j: O = phiGF - psi M^T  (p x p)
    let o = &drift.phi_gf - &drift.psi * m.transpose();
    let gram = &drift.psi * drift.psi.transpose() + &o * pinv * o.transpose();
    (&gram + gram.transpose()) * 0.5
}

/// The increments (dM, dQ) of one step (before normalisation).
pub fn overlap_increments(
    overlaps: &Overlaps,
    drift: &DriftTerms,
    step: &StepParameters,
) -> Result<(DMatrix<f64>, DMatrix<f64>), StepFailure> {
    increments(overlaps, drift, step, None)
}

/// [`overlap_increments`], under a spiked input covariance when `covariance` is given
/// (`overlaps` and `drift.psi` then have a column per teacher and free direction; the
/// mean-step term is [`spiked_mean_step_gram`]).
fn increments(
    overlaps: &Overlaps,
    drift: &DriftTerms,
    step: &StepParameters,
    covariance: Option<&SpikeGeometry>,
) -> Result<(DMatrix<f64>, DMatrix<f64>), StepFailure> {
    let (p, k) = (overlaps.q.nrows(), overlaps.m.ncols());
    if drift.psi.shape() != (p, k)
        || drift.phi_gf.shape() != (p, p)
        || drift.phi_hd.shape() != (p, p)
    {
        return Err(StepFailure::Shape { p, k });
    }
    let g = step.learning_rate / p as f64;
    let mut dm = DMatrix::zeros(p, k);
    let mut dq = DMatrix::zeros(p, p);
    if step.terms.gradient {
        dm += &drift.psi * g;
        dq += (&drift.phi_gf + drift.phi_gf.transpose()) * g;
    }
    if step.terms.noise {
        dq += &drift.phi_hd * (g * g * step.dimension_over_batch);
    }
    if step.terms.mean_step {
        let gram = match covariance {
            None => mean_step_gram(overlaps, drift),
            Some(geometry) => {
                spiked_mean_step_gram(overlaps, drift, geometry, k - geometry.free_directions())
            }
        };
        dq += gram * (g * g);
    }
    if step.update == Update::Spherical {
        // the mean step G_j minus its component along w_j: P_j G_j = G_j - alpha_j w_j with
        // alpha_j = G_j . w_j / Q_jj = g phiGF_jj / Q_jj (the noise is orthogonal to the span)
        let alpha: Vec<f64> = (0..p)
            .map(|j| g * drift.phi_gf[(j, j)] / overlaps.q[(j, j)])
            .collect();
        let q = &overlaps.q;
        if step.terms.gradient {
            for j in 0..p {
                for r in 0..k {
                    dm[(j, r)] -= alpha[j] * overlaps.m[(j, r)];
                }
                for l in 0..p {
                    dq[(j, l)] -= (alpha[j] + alpha[l]) * q[(j, l)];
                }
            }
        }
        if step.terms.mean_step {
            let phi = &drift.phi_gf;
            for j in 0..p {
                for l in 0..p {
                    dq[(j, l)] += alpha[j] * alpha[l] * q[(j, l)]
                        - g * (alpha[l] * phi[(j, l)] + alpha[j] * phi[(l, j)]);
                }
            }
        }
    }
    Ok((dm, dq))
}

/// One deterministic step: (Q, M) -> (Q', M') (see the module documentation).
pub fn overlap_update(
    overlaps: &Overlaps,
    drift: &DriftTerms,
    step: &StepParameters,
) -> Result<Overlaps, StepFailure> {
    overlap_update_under_covariance(overlaps, drift, step, None)
}

/// [`overlap_update`] under a spiked input covariance (None: isotropic): `overlaps` are the
/// tracked ones (M: p x (k + m)) and `drift` the drift terms from the fields' covariance under
/// Sigma, psi widened to the free directions by [`free_direction_drift`](super::spiked_recursion::free_direction_drift)
/// (docs/science.md §12, module [`super::spiked_recursion`]).
pub fn overlap_update_under_covariance(
    overlaps: &Overlaps,
    drift: &DriftTerms,
    step: &StepParameters,
    covariance: Option<&SpikeGeometry>,
) -> Result<Overlaps, StepFailure> {
    let (dm, dq) = increments(overlaps, drift, step, covariance)?;
    let mut m = &overlaps.m + dm;
    let mut q = &overlaps.q + dq;
    q = (&q + q.transpose()) * 0.5;
    if step.projected {
        let p = q.nrows();
        let mut norms = vec![0.0; p];
        for (j, n) in norms.iter_mut().enumerate() {
            let v = q[(j, j)];
            if !v.is_finite() {
                return Err(StepFailure::NotFinite);
            }
            if v <= 0.0 {
                return Err(StepFailure::NonPositiveNorm {
                    neuron: j,
                    value: v,
                });
            }
            *n = v.sqrt();
        }
        for j in 0..p {
            for r in 0..m.ncols() {
                m[(j, r)] /= norms[j];
            }
            for l in 0..p {
                q[(j, l)] = if j == l {
                    1.0
                } else {
                    q[(j, l)] / (norms[j] * norms[l])
                };
            }
        }
    }
    let next = Overlaps { q, m };
    if !next.is_finite() {
        return Err(StepFailure::NotFinite);
    }
    Ok(next)
}
