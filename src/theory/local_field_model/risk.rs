//! The population risk of a [`LocalFieldModel`]: R = (1/2)(Delta + E[(f* - f)^2]) for isotropic
//! inputs, with a second layer, and for any covariance of the fields (a spiked input
//! covariance), by the model's risk backend or its numerical path.

use super::{Backend, LocalFieldModel};
use crate::linalg::{min_eigenvalue, psd_factor};
use crate::model::{Link, Overlaps, Target};
use crate::theory::committee_decomposition::risk_by_decomposition;
use crate::theory::error::TheoryError;
use crate::theory::gaussian_expectations::Estimate;
use crate::theory::hermite_expansion::has_unit_variances;
use crate::theory::hermite_target_risk;
use crate::theory::joint_integration::risk_by_joint_integration;
use crate::theory::polynomial_model::PolynomialRisk;
use nalgebra::DMatrix;

impl LocalFieldModel {
    /// Population risk R = (1/2)(Delta + E[(f* - f)^2]) with f* = g(lambda*),
    /// f = (1/p) sum_j sigma(lambda_j) and (lambda, lambda*) ~ N(0, Omega); `noise` is Delta.
    pub fn population_risk(
        &self,
        overlaps: &Overlaps,
        noise: f64,
    ) -> Result<Estimate, TheoryError> {
        self.population_risk_with_second_layer(
            overlaps,
            noise,
            &[1.0; crate::config::MAX_P][..self.p],
        )
    }

    /// [`LocalFieldModel::population_risk`] for the student f = (1/p) sum_j a_j sigma(lambda_j)
    /// with `second_layer` = (a_1..a_p):
    ///
    /// ```text
    /// E[(f* - f)^2] = E[f*^2] - (2/p) sum_j a_j E[f* sigma(lambda_j)]
    ///                 + (1/p^2) sum_jl a_j a_l E[sigma(lambda_j) sigma(lambda_l)].
    /// ```
    ///
    /// The compiled polynomial plan is for a_j = 1; other weights use the decomposition (exact
    /// Wick moments for polynomial links) or joint integration.
    pub fn population_risk_with_second_layer(
        &self,
        overlaps: &Overlaps,
        noise: f64,
        second_layer: &[f64],
    ) -> Result<Estimate, TheoryError> {
        self.check_second_layer(second_layer)?;
        let omega = self.validated_omega(overlaps, noise)?;
        self.risk_of_fields(&omega, noise, second_layer)
    }

    /// [`LocalFieldModel::population_risk_with_second_layer`] for fields (lambda, lambda*) ~
    /// N(0, `covariance`) with any positive semi-definite (p + k) x (p + k) covariance, not
    /// only a Gram matrix of unit vectors with orthonormal teachers: the fields of the students
    /// and teachers under a spiked input covariance
    /// ([`crate::model::SpikeGeometry::field_covariance`]). Every backend's formula is an
    /// expectation under the given covariance (the Hermite expansion and the closed forms fall
    /// back to their numerical path when a variance is not 1).
    pub fn population_risk_for_field_covariance(
        &self,
        covariance: &DMatrix<f64>,
        noise: f64,
        second_layer: &[f64],
    ) -> Result<Estimate, TheoryError> {
        self.check_second_layer(second_layer)?;
        let r = self.p + self.k;
        if covariance.nrows() != r || covariance.ncols() != r {
            return Err(TheoryError::OverlapShape {
                p: self.p,
                k: self.k,
                q_rows: covariance.nrows(),
                q_cols: covariance.ncols(),
                m_rows: covariance.nrows(),
                m_cols: covariance.ncols(),
            });
        }
        if !covariance.iter().all(|x| x.is_finite()) {
            return Err(TheoryError::NotFinite);
        }
        if !noise.is_finite() || noise < 0.0 {
            return Err(TheoryError::InvalidNoise(noise));
        }
        if psd_factor(covariance).is_err() {
            return Err(TheoryError::NotPositiveSemiDefinite {
                min_eigenvalue: min_eigenvalue(covariance),
            });
        }
        self.risk_of_fields(covariance, noise, second_layer)
    }

    /// The risk for the fields' covariance `omega` (validated).
    fn risk_of_fields(
        &self,
        omega: &DMatrix<f64>,
        noise: f64,
        second_layer: &[f64],
    ) -> Result<Estimate, TheoryError> {
        let omega = omega.clone();
        let decomposition = |link: Link| {
            risk_by_decomposition(
                link,
                self.activation,
                &omega,
                (self.p, self.k),
                second_layer,
                &self.numerics,
            )
        };
        // a Hermite polynomial teacher: 1- and 2-dimensional integrals (module
        // hermite_target_risk) instead of one (p + k)-dimensional one
        // (for a second layer of one weight a0 for every unit)
        let uniform = second_layer.iter().all(|&a| a == second_layer[0]);
        let numerical = || match self.target {
            Target::Hermite(h) if uniform && hermite_target_risk::applies(self.activation) => {
                hermite_target_risk::hermite_teacher_risk(
                    h,
                    self.activation,
                    &omega,
                    self.p,
                    second_layer[0],
                )
            }
            _ => risk_by_joint_integration(
                &self.target,
                self.activation,
                &omega,
                self.p,
                second_layer,
                &self.numerics,
            ),
        };
        let squared_error = match self.risk_backend {
            Backend::Decomposition => {
                let link = self
                    .target
                    .committee_link()
                    .ok_or(TheoryError::UnsupportedBackend {
                        backend: "decomposition",
                        reason: "the teacher is not a committee",
                    })?;
                decomposition(link)?
            }
            Backend::CompiledPolynomial => {
                let plan = if second_layer.iter().all(|&a| a == 1.0) {
                    self.risk_plan.get_or_init(|| {
                        PolynomialRisk::compile(self.target, self.activation, self.p, self.k)
                    })
                } else {
                    &None
                };
                match (plan, self.target.committee_link()) {
                    (Some(plan), _) => Estimate::exact_polynomial(plan.evaluate(&omega)),
                    (None, Some(link)) => decomposition(link)?,
                    (None, None) => numerical()?,
                }
            }
            Backend::JointIntegration => numerical()?,
            Backend::HermiteExpansion => match &self.hermite {
                Some(h) if second_layer.iter().all(|&a| a == 1.0) && has_unit_variances(&omega) => {
                    h.squared_error(&omega)?
                }
                _ => self.numerical_risk(&omega, second_layer)?,
            },
        };
        Ok(Estimate::new(
            0.5 * (noise + squared_error.value),
            squared_error.method.scaled(0.5),
        ))
    }

    /// The numerical path of E[(f* - f)^2]: the decomposition into 2-dimensional quadratures
    /// for smooth committees, joint integration otherwise.
    fn numerical_risk(
        &self,
        omega: &DMatrix<f64>,
        second_layer: &[f64],
    ) -> Result<Estimate, TheoryError> {
        match self.target.committee_link() {
            Some(link) if link != Link::Relu && self.activation != Link::Relu => {
                risk_by_decomposition(
                    link,
                    self.activation,
                    omega,
                    (self.p, self.k),
                    second_layer,
                    &self.numerics,
                )
            }
            _ => risk_by_joint_integration(
                &self.target,
                self.activation,
                omega,
                self.p,
                second_layer,
                &self.numerics,
            ),
        }
    }
}
