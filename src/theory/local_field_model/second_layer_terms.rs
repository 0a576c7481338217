//! The drift terms of a student with a second layer a_1..a_p, and the drift of a trained
//! second layer (docs/science.md §10), on a [`LocalFieldModel`].

use super::super::committee_decomposition::{
    drift_by_decomposition, second_layer_drift_by_decomposition,
};
use super::super::drift_matrices::DriftTerms;
use super::super::error::TheoryError;
use super::super::gaussian_expectations::Method;
use super::super::joint_integration::{
    drift_by_joint_integration, second_layer_drift_by_joint_integration,
};
use super::{Backend, LocalFieldModel};
use crate::model::{Overlaps, StepLoss};

impl LocalFieldModel {
    /// [`LocalFieldModel::drift_terms`] for the student f = (1/p) Σ_j a_j σ(λ_j) with
    /// `second_layer` = (a_1..a_p), the step of unit j carrying a_j: psi_j. and phiGF_j. are
    /// a_j times the expectations with this f in e, phiHD_jl is a_j a_l times its expectation.
    /// All ones gives [`LocalFieldModel::drift_terms`]'s numbers; other weights use the
    /// decomposition (committee teachers: exact Wick moments for polynomial links, closed
    /// forms for erf) or joint integration.
    pub fn drift_terms_with_second_layer(
        &self,
        overlaps: &Overlaps,
        step_loss: StepLoss,
        noise: f64,
        second_layer: &[f64],
    ) -> Result<DriftTerms, TheoryError> {
        self.check_second_layer(second_layer)?;
        let omega = self.validated_omega(overlaps, noise)?;
        if second_layer.iter().all(|&a| a == 1.0) {
            return self.unit_second_layer_drift(&omega, step_loss, noise);
        }
        match self.target.committee_link() {
            Some(link) if self.backend != Backend::JointIntegration => drift_by_decomposition(
                link,
                self.activation,
                step_loss,
                &omega,
                self.p,
                self.k,
                noise,
                second_layer,
                &self.numerics,
            ),
            _ => drift_by_joint_integration(
                &self.target,
                self.activation,
                step_loss,
                &omega,
                self.p,
                self.k,
                noise,
                second_layer,
                &self.numerics,
            ),
        }
    }

    /// The drift of a trained second layer, E[σ(λ_j)(g − f)] for j < p (MSE residual, with
    /// f = (1/p) Σ_m a_m σ(λ_m), `second_layer` = (a_1..a_p)), and the method: the mean step
    /// of a_j is (γ_a / p) times it. Decomposition for committee teachers (unless the backend
    /// is joint integration), joint integration otherwise.
    pub fn second_layer_drift(
        &self,
        overlaps: &Overlaps,
        second_layer: &[f64],
    ) -> Result<(Vec<f64>, Method), TheoryError> {
        self.check_second_layer(second_layer)?;
        let omega = self.validated_omega(overlaps, 0.0)?;
        match self.target.committee_link() {
            Some(link) if self.backend != Backend::JointIntegration => {
                second_layer_drift_by_decomposition(
                    link,
                    self.activation,
                    &omega,
                    (self.p, self.k),
                    second_layer,
                    &self.numerics,
                )
            }
            _ => second_layer_drift_by_joint_integration(
                &self.target,
                self.activation,
                &omega,
                self.p,
                second_layer,
                &self.numerics,
            ),
        }
    }

    pub(super) fn check_second_layer(&self, second_layer: &[f64]) -> Result<(), TheoryError> {
        if second_layer.len() != self.p {
            return Err(TheoryError::SecondLayerShape {
                p: self.p,
                got: second_layer.len(),
            });
        }
        Ok(())
    }
}
