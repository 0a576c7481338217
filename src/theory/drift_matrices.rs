//! The [`DriftTerms`] value type: the matrices psi, phiGF and phiHD of docs/science.md §5 at
//! one point (Q, M).
//!
//! A leaf module: it depends on no other theory module but
//! [`super::gaussian_expectations`], so the engines that fill it (`local_field_model`,
//! `committee_decomposition`, `joint_integration`, `polynomial_model`) and the functions that
//! call them (`drift_terms`) depend on it one way.

use super::gaussian_expectations::Method;
use nalgebra::DMatrix;

/// psi, phiGF and phiHD at one point (Q, M), with how they were computed.
#[derive(Clone, Debug, PartialEq)]
pub struct DriftTerms {
    /// psi_jr = E[sigma'(lambda_j) lambda*_r e], p x k.
    pub psi: DMatrix<f64>,
    /// phiGF_jl = E[sigma'(lambda_j) lambda_l e], p x p (not symmetric).
    pub phi_gf: DMatrix<f64>,
    /// phiHD_jl = E[sigma'(lambda_j) sigma'(lambda_l) e^2] including the label noise
    /// Delta E[sigma'_j sigma'_l], p x p symmetric.
    pub phi_hd: DMatrix<f64>,
    /// The least exact method used for any entry (for Monte Carlo, the largest standard
    /// error of an entry).
    pub method: Method,
}

impl DriftTerms {
    /// Matrices of the right shapes filled with NaN (the infallible API's answer to invalid
    /// input).
    pub fn not_a_number(p: usize, k: usize) -> Self {
        DriftTerms {
            psi: DMatrix::from_element(p, k, f64::NAN),
            phi_gf: DMatrix::from_element(p, p, f64::NAN),
            phi_hd: DMatrix::from_element(p, p, f64::NAN),
            method: Method::ClosedForm,
        }
    }

    /// true when every entry is finite.
    pub fn is_finite(&self) -> bool {
        self.psi
            .iter()
            .chain(self.phi_gf.iter())
            .chain(self.phi_hd.iter())
            .all(|x| x.is_finite())
    }
}
