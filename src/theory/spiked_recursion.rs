//! The overlap recursion's terms under a spiked input covariance (docs/science.md §12).
//!
//! The recursion tracks the overlaps of the students with the k teachers and the m free
//! directions (M is p x (k + m)). With X = V x the fields of all tracked vectors V (rows:
//! students, teachers, free directions), x ~ N(0, Sigma), C = V Sigma V^T and
//! C2 = V Sigma^2 V^T ([`SpikeGeometry::field_moment`]), and the per-sample step
//! F_j(lambda, nu) x of unit j (F_j = sigma'(lambda_j) e, depending on the student and teacher
//! fields only):
//!
//! * **Gradient term of a free column.** The overlap of the mean step with u_i is
//!   E[F_j X_u,i]. As (X_pk, X_u) are jointly Gaussian, E[X_u | X_pk] = C_u,pk C_pk^+ X_pk,
//!   so E[F_j X_u] = C_u,pk C_pk^+ h_j with h_j = E[F_j X_pk] = [phiGF_j. ; psi_j.] (the
//!   drift terms the model already computes under C): [`free_direction_drift`].
//! * **Mean-step term.** By Stein's lemma E[F_j x] = Sigma V_pk^T C_pk^+ h_j, so the inner
//!   product of two mean steps is h_j^T C_pk^+ C2_pk C_pk^+ h_l
//!   ([`spiked_mean_step_gram`]); for Sigma = I (C = C2 = Omega) it is the isotropic
//!   h_j^T Omega^+ h_l.
//! * The noise term keeps d phiHD (the squared norm of x is d + sum_i beta_i, the same to
//!   leading order in d), and the spherical correction and the normalisation are unchanged
//!   (they act on the students' own norms).

use super::drift_matrices::DriftTerms;
use crate::model::{Overlaps, SpikeGeometry};
use nalgebra::DMatrix;

/// Relative tolerance of the pseudo-inverses of C_pk.
const PSEUDO_INVERSE_TOLERANCE: f64 = 1e-10;

/// C_pk^+ (pseudo-inverse of the students' and teachers' field covariance under Sigma).
fn field_pseudo_inverse(c_pk: &DMatrix<f64>) -> DMatrix<f64> {
    let symmetric = (c_pk + c_pk.transpose()) * 0.5;
    let tolerance = PSEUDO_INVERSE_TOLERANCE * symmetric.amax().max(1.0);
    let n = symmetric.nrows();
    symmetric
        .pseudo_inverse(tolerance)
        .unwrap_or_else(|_| DMatrix::zeros(n, n))
}

/// H = [phiGF | psi] (p x (p + k)): row j is h_j = E[F_j X_pk].
fn stein_rows(drift: &DriftTerms, k: usize) -> DMatrix<f64> {
    let p = drift.phi_gf.nrows();
    DMatrix::from_fn(p, p + k, |j, t| {
        if t < p {
            drift.phi_gf[(j, t)]
        } else {
            drift.psi[(j, t - p)]
        }
    })
}

/// The drift terms with psi widened to the free directions: psi_j,k+i = E[F_j X_u,i] =
/// (C_u,pk C_pk^+ h_j)_i for the tracked overlaps `tracked` (M: p x (k + m)) and the drift
/// terms `drift` (psi: p x k, computed under the fields' covariance).
pub fn free_direction_drift(
    tracked: &Overlaps,
    drift: &DriftTerms,
    geometry: &SpikeGeometry,
) -> DriftTerms {
    let (p, k, m) = (tracked.p(), drift.psi.ncols(), geometry.free_directions());
    let mut psi = DMatrix::zeros(p, k + m);
    psi.columns_mut(0, k).copy_from(&drift.psi);
    if m > 0 {
        let c = geometry.field_covariance(&tracked.omega());
        let c_pk = c.view((0, 0), (p + k, p + k)).into_owned();
        let c_u = c.view((p + k, 0), (m, p + k)).into_owned();
        let regression = c_u * field_pseudo_inverse(&c_pk);
        let free = stein_rows(drift, k) * regression.transpose();
        psi.columns_mut(k, m).copy_from(&free);
    }
    DriftTerms {
        psi,
        phi_gf: drift.phi_gf.clone(),
        phi_hd: drift.phi_hd.clone(),
        method: drift.method,
    }
}

/// The mean-step Gram matrix under Sigma, G_jl = h_j^T C_pk^+ C2_pk C_pk^+ h_l (p x p), for
/// the tracked overlaps `tracked` and drift terms whose first k columns of psi are the
/// teachers' (`k` = teachers).
pub fn spiked_mean_step_gram(
    tracked: &Overlaps,
    drift: &DriftTerms,
    geometry: &SpikeGeometry,
    k: usize,
) -> DMatrix<f64> {
    let p = tracked.p();
    let omega = tracked.omega();
    let c_pk = geometry.field_moment_block(&omega, 1, p + k);
    let c2_pk = geometry.field_moment_block(&omega, 2, p + k);
    let inverse = field_pseudo_inverse(&c_pk);
    let h = stein_rows(drift, k);
    let gram = &h * &inverse * c2_pk * &inverse * h.transpose();
    (&gram + gram.transpose()) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Spike, SpikedCovariance};
    use crate::theory::gaussian_expectations::Method;
    use crate::theory::overlap_recursion::mean_step_gram;

    fn drift(p: usize, k: usize) -> DriftTerms {
        DriftTerms {
            psi: DMatrix::from_fn(p, k, |j, r| 0.3 + 0.1 * j as f64 - 0.2 * r as f64),
            phi_gf: DMatrix::from_fn(p, p, |j, l| 0.5 * (j as f64 - l as f64) + 0.2),
            phi_hd: DMatrix::identity(p, p),
            method: Method::ClosedForm,
        }
    }

    /// A spike of strength 0 is isotropic: the mean-step Gram matrix is the isotropic one, and
    /// the free column is the overlap with u of the isotropic mean step E[F x] = V^T Omega^+ h.
    #[test]
    fn without_strength_the_isotropic_terms_come_back() {
        let geometry = SpikedCovariance {
            spikes: vec![Spike {
                beta: 0.0,
                teacher: vec![1.0],
                free: 1.0,
            }],
        }
        .geometry(1);
        let tracked = Overlaps {
            q: DMatrix::from_row_slice(2, 2, &[1.0, 0.3, 0.3, 1.0]),
            m: DMatrix::from_row_slice(2, 2, &[0.4, 0.2, -0.1, 0.5]),
        };
        let d = drift(2, 1);
        let teacher_only = Overlaps {
            q: tracked.q.clone(),
            m: tracked.m.columns(0, 1).into_owned(),
        };
        let isotropic = mean_step_gram(&teacher_only, &d);
        let spiked = spiked_mean_step_gram(&tracked, &d, &geometry, 1);
        assert!((isotropic - spiked).abs().max() < 1e-12);
        // the free column: E[F x] . u with E[F x] = V^T Omega^+ h (isotropic Stein)
        let widened = free_direction_drift(&tracked, &d, &geometry);
        let omega = teacher_only.omega();
        let pinv = omega.clone().pseudo_inverse(1e-12).unwrap();
        let h = stein_rows(&d, 1);
        let r = tracked.m.column(1); // students' overlaps with u (teacher's is 0)
        let v_u = DMatrix::from_fn(3, 1, |i, _| if i < 2 { r[i] } else { 0.0 });
        let expected = &h * pinv * v_u;
        for j in 0..2 {
            assert!((widened.psi[(j, 1)] - expected[(j, 0)]).abs() < 1e-12);
            assert_eq!(widened.psi[(j, 0)], d.psi[(j, 0)]);
        }
    }
}
