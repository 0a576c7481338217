//! A teacher-student pair seen through its local fields: the object that evaluates the
//! population risk and the drift terms for any overlaps, choosing (once) the most exact
//! backend and caching what can be prepared in advance.
//!
//! Backends ([`Backend`]):
//! * [`Backend::Decomposition`] (committee teachers): every quantity is written as a sum of
//!   the elementary expectations I2, I3, I4, I2noise over <= 4 fields
//!   (module `committee_decomposition`); with erf everywhere each one is a Saad & Solla
//!   closed form.
//! * [`Backend::CompiledPolynomial`] (polynomial activation and committee link, p + k <= 16):
//!   the integrands are expanded once into polynomials of the p + k fields and their exact
//!   Wick moments are planned once (module `polynomial_model`); each evaluation is then a
//!   fixed list of multiply-adds.
//! * [`Backend::HermiteExpansion`] (automatic for committees of smooth links without closed
//!   forms, e.g. tanh; p + k <= 16): the function on each field is replaced by its Hermite
//!   expansion to a degree chosen from the links' coefficient decay, and the products are
//!   summed exactly by the diagram formula in the Hermite basis; the truncation bound is in
//!   the [`super::Method`] label (module `hermite_expansion`). Overlaps outside its range
//!   (Q_jj != 1, or a correlation above 0.8) go to the anisotropic eigenbasis rule (module
//!   `eigenbasis_quadrature`, cheap when the fields are nearly aligned), and where that
//!   would need more than `NumericalSettings::anisotropic_max_nodes` points fall back to
//!   the numerical path, or stop a recursion run without fallback
//!   ([`LocalFieldModel::with_numerical_fallback`]).
//! * [`Backend::JointIntegration`] (everything else, ReLU in particular): one pass over all p + k fields at once,
//!   by Gauss-Hermite quadrature when the links are smooth and Omega has rank <= 5, otherwise
//!   by seeded Monte Carlo (module `joint_integration`).
//!   The risk of a Hermite polynomial teacher with a smooth student (not ReLU) is the
//!   exception: 1- and 2-dimensional integrals (module `hermite_target_risk`).

mod backend;
mod risk;
mod second_layer_terms;

pub use backend::{automatic_backend, automatic_risk_backend, Backend};

use super::committee_decomposition::drift_by_decomposition;
use super::drift_matrices::DriftTerms;
use super::eigenbasis_quadrature::{drift_by_eigenbasis_quadrature, BASE_TOLERANCE};
use super::error::TheoryError;
use super::gaussian_expectations::{NumericalSettings, MAX_POLYNOMIAL_FIELDS};
use super::hermite_expansion::{HermiteCommittee, DEFAULT_EXPANSION_TOLERANCE};
use super::joint_integration::drift_by_joint_integration;
use super::polynomial_model::{PolynomialDrift, PolynomialRisk};
use crate::linalg::{min_eigenvalue, psd_factor};
use crate::model::{Link, Overlaps, SpikeGeometry, StepLoss, Target};
use nalgebra::DMatrix;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

/// Risk and drift-term evaluator for one (target, activation, p, k).
#[derive(Debug)]
pub struct LocalFieldModel {
    target: Target,
    activation: Link,
    p: usize,
    k: usize,
    backend: Backend,
    risk_backend: Backend,
    numerics: NumericalSettings,
    risk_plan: OnceLock<Option<PolynomialRisk>>,
    drift_plans: [OnceLock<Option<PolynomialDrift>>; 2],
    hermite: Option<HermiteCommittee>,
    numerical_fallback: bool,
    /// A spiked input covariance: the overlaps given to every method then have one column per
    /// teacher and free direction, and the fields are Gaussian with their covariance under
    /// Sigma ([`LocalFieldModel::with_covariance`]).
    covariance: Option<SpikeGeometry>,
}

impl Clone for LocalFieldModel {
    fn clone(&self) -> Self {
        LocalFieldModel {
            target: self.target,
            activation: self.activation,
            p: self.p,
            k: self.k,
            backend: self.backend,
            risk_backend: self.risk_backend,
            numerics: self.numerics,
            risk_plan: self.risk_plan.clone(),
            drift_plans: self.drift_plans.clone(),
            hermite: self.hermite.clone(),
            numerical_fallback: self.numerical_fallback,
            covariance: self.covariance.clone(),
        }
    }
}

fn loss_slot(loss: StepLoss) -> usize {
    match loss {
        StepLoss::Mse => 0,
        StepLoss::Correlation => 1,
    }
}

impl LocalFieldModel {
    /// The model with the [`automatic_backend`] (drift terms), the [`automatic_risk_backend`]
    /// (risk) and default [`NumericalSettings`].
    pub fn new(target: Target, activation: Link, p: usize, k: usize) -> Result<Self, TheoryError> {
        if p == 0 || k == 0 {
            return Err(TheoryError::EmptyModel { p, k });
        }
        let backend = automatic_backend(&target, &activation, p, k);
        let model = LocalFieldModel {
            target,
            activation,
            p,
            k,
            backend,
            risk_backend: automatic_risk_backend(&target, &activation, p, k),
            numerics: NumericalSettings::default(),
            risk_plan: OnceLock::new(),
            drift_plans: [OnceLock::new(), OnceLock::new()],
            hermite: None,
            numerical_fallback: true,
            covariance: None,
        };
        if backend == Backend::HermiteExpansion {
            return model.with_hermite_tolerance(DEFAULT_EXPANSION_TOLERANCE);
        }
        Ok(model)
    }

    /// Expands the links for the Hermite-expansion backend with `tolerance` on the relative
    /// L² tails (see [`super::hermite_expansion::HermiteExpansion::new`]; the default is
    /// [`DEFAULT_EXPANSION_TOLERANCE`]) and makes it the backend of the risk and the drift
    /// terms. Errors: an invalid tolerance, a teacher that is not a committee, ReLU,
    /// p + k > 16.
    pub fn with_hermite_tolerance(mut self, tolerance: f64) -> Result<Self, TheoryError> {
        let link = self
            .target
            .committee_link()
            .ok_or(TheoryError::UnsupportedBackend {
                backend: "Hermite expansion",
                reason: "the teacher is not a committee (1/k) sum_r g(z_r)",
            })?;
        self.hermite = Some(HermiteCommittee::new(
            link,
            self.activation,
            self.p,
            self.k,
            tolerance,
        )?);
        self.backend = Backend::HermiteExpansion;
        self.risk_backend = Backend::HermiteExpansion;
        Ok(self)
    }

    /// The Hermite expansions of the links and their bounds, when the backend is
    /// [`Backend::HermiteExpansion`].
    pub fn hermite_committee(&self) -> Option<&HermiteCommittee> {
        match self.backend {
            Backend::HermiteExpansion => self.hermite.as_ref(),
            _ => None,
        }
    }

    /// Forces a backend (for the risk and the drift terms). Decomposition needs a committee
    /// teacher; compiled polynomial needs a polynomial activation and committee link with
    /// p + k <= 16; Hermite expansion a committee of non-ReLU links with p + k <= 16 (with the
    /// default tolerance unless [`LocalFieldModel::with_hermite_tolerance`] set one).
    pub fn with_backend(mut self, backend: Backend) -> Result<Self, TheoryError> {
        match backend {
            Backend::HermiteExpansion => {
                return match self.hermite.take() {
                    Some(h) => {
                        self.hermite = Some(h);
                        self.backend = backend;
                        self.risk_backend = backend;
                        Ok(self)
                    }
                    None => self.with_hermite_tolerance(DEFAULT_EXPANSION_TOLERANCE),
                };
            }
            Backend::Decomposition if self.target.committee_link().is_none() => {
                return Err(TheoryError::UnsupportedBackend {
                    backend: "decomposition",
                    reason: "the teacher is not a committee (1/k) sum_r g(z_r)",
                })
            }
            Backend::CompiledPolynomial => {
                let teacher_polynomial = match self.target {
                    Target::Committee(l) => l.polynomial_coefficients().is_some(),
                    Target::Hermite(_) => true,
                    Target::TanhProduct => false,
                };
                let polynomial =
                    teacher_polynomial && self.activation.polynomial_coefficients().is_some();
                if !polynomial {
                    return Err(TheoryError::UnsupportedBackend {
                        backend: "compiled polynomial",
                        reason: "the activation and the teacher (a committee link or a Hermite polynomial) must both be polynomials",
                    });
                }
                if self.p + self.k > MAX_POLYNOMIAL_FIELDS {
                    return Err(TheoryError::UnsupportedBackend {
                        backend: "compiled polynomial",
                        reason: "p + k must be at most 16",
                    });
                }
            }
            _ => {}
        }
        self.backend = backend;
        self.risk_backend = backend;
        Ok(self)
    }

    /// With `false`, the drift terms of the Hermite-expansion backend return
    /// [`TheoryError::UnsupportedBackend`] for overlaps outside its range
    /// ([`HermiteCommittee::applies`]) instead of falling back to joint integration (default
    /// `true`; other backends are unaffected).
    pub fn with_numerical_fallback(mut self, fallback: bool) -> Self {
        self.numerical_fallback = fallback;
        self
    }

    /// Replaces the numerical settings of the quadrature / Monte Carlo paths.
    pub fn with_numerical_settings(
        mut self,
        numerics: NumericalSettings,
    ) -> Result<Self, TheoryError> {
        numerics.validate()?;
        self.numerics = numerics;
        Ok(self)
    }

    /// The backend of the drift terms.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The backend of the population risk.
    pub fn risk_backend(&self) -> Backend {
        self.risk_backend
    }

    /// Student neurons p.
    pub fn p(&self) -> usize {
        self.p
    }

    /// Teacher directions k.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The teacher.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The student activation.
    pub fn activation(&self) -> Link {
        self.activation
    }

    /// The same model for inputs x ~ N(0, Sigma) with the spiked covariance `geometry`
    /// (docs/science.md §12): every method then takes the overlaps with the k teachers and the
    /// m free directions (M is p x (k + m), the tracked overlaps of
    /// [`crate::sampler::Sampler::tracked_overlaps`]) and evaluates its Gaussian expectations
    /// with the students' and teachers' fields distributed as N(0, C), C the leading (p + k)
    /// block of [`SpikeGeometry::field_covariance`]. An isotropic geometry changes nothing.
    pub fn with_covariance(mut self, geometry: SpikeGeometry) -> Self {
        self.covariance = (!geometry.is_isotropic()).then_some(geometry);
        self
    }

    /// The spiked input covariance, if any.
    pub fn covariance(&self) -> Option<&SpikeGeometry> {
        self.covariance.as_ref()
    }

    /// Columns of M the methods expect: k, plus the free directions with a spiked covariance.
    fn tracked_columns(&self) -> usize {
        self.k + self.covariance.as_ref().map_or(0, |g| g.free_directions())
    }

    /// Checks shapes, finiteness, the noise and that Omega is positive semi-definite;
    /// returns Omega, or with a spiked covariance the fields' covariance under Sigma.
    fn validated_omega(
        &self,
        overlaps: &Overlaps,
        noise: f64,
    ) -> Result<DMatrix<f64>, TheoryError> {
        let omega = self.validated_gram(overlaps, noise)?;
        Ok(match &self.covariance {
            None => omega,
            Some(geometry) => geometry.field_moment_block(&omega, 1, self.p + self.k),
        })
    }

    /// Checks shapes, finiteness, the noise and that Omega (the Gram matrix of the students
    /// and every tracked fixed vector) is positive semi-definite; returns Omega.
    fn validated_gram(&self, overlaps: &Overlaps, noise: f64) -> Result<DMatrix<f64>, TheoryError> {
        let (q, m) = (&overlaps.q, &overlaps.m);
        let columns = self.tracked_columns();
        if q.nrows() != self.p || q.ncols() != self.p || m.nrows() != self.p || m.ncols() != columns
        {
            return Err(TheoryError::OverlapShape {
                p: self.p,
                k: columns,
                q_rows: q.nrows(),
                q_cols: q.ncols(),
                m_rows: m.nrows(),
                m_cols: m.ncols(),
            });
        }
        if !overlaps.is_finite() {
            return Err(TheoryError::NotFinite);
        }
        if !noise.is_finite() || noise < 0.0 {
            return Err(TheoryError::InvalidNoise(noise));
        }
        let omega = overlaps.omega();
        let symmetric = (0..self.p).all(|i| {
            (0..i).all(|j| (q[(i, j)] - q[(j, i)]).abs() <= 1e-10 * (1.0 + q[(i, j)].abs()))
        });
        // the validation of the overlaps and the sampler's factorisation use the same test
        if !symmetric || psd_factor(&omega).is_err() {
            return Err(TheoryError::NotPositiveSemiDefinite {
                min_eigenvalue: min_eigenvalue(&omega),
            });
        }
        Ok(omega)
    }

    /// The drift terms psi (p x k), phiGF (p x p) and phiHD (p x p) of the overlap recursion
    /// for the error term of `step_loss` (see [`DriftTerms`]); `noise` is Delta.
    pub fn drift_terms(
        &self,
        overlaps: &Overlaps,
        step_loss: StepLoss,
        noise: f64,
    ) -> Result<DriftTerms, TheoryError> {
        let omega = self.validated_omega(overlaps, noise)?;
        self.unit_second_layer_drift(&omega, step_loss, noise)
    }

    /// The drift terms with every a_j = 1, on the model's backend.
    fn unit_second_layer_drift(
        &self,
        omega: &DMatrix<f64>,
        step_loss: StepLoss,
        noise: f64,
    ) -> Result<DriftTerms, TheoryError> {
        let ones = &[1.0; crate::config::MAX_P][..self.p];
        match self.backend {
            Backend::Decomposition => {
                let link = self
                    .target
                    .committee_link()
                    .ok_or(TheoryError::UnsupportedBackend {
                        backend: "decomposition",
                        reason: "the teacher is not a committee",
                    })?;
                drift_by_decomposition(
                    link,
                    self.activation,
                    step_loss,
                    omega,
                    self.p,
                    self.k,
                    noise,
                    ones,
                    &self.numerics,
                )
            }
            Backend::CompiledPolynomial => {
                let plan = self.drift_plans[loss_slot(step_loss)].get_or_init(|| {
                    PolynomialDrift::compile(
                        self.target,
                        self.activation,
                        step_loss,
                        self.p,
                        self.k,
                    )
                });
                match plan {
                    Some(plan) => Ok(plan.evaluate(omega, noise)),
                    None if self.target.committee_link().is_none() => {
                        self.numerical_drift(omega, step_loss, noise)
                    }
                    None => drift_by_decomposition(
                        self.target.committee_link().unwrap_or(self.activation),
                        self.activation,
                        step_loss,
                        omega,
                        self.p,
                        self.k,
                        noise,
                        ones,
                        &self.numerics,
                    ),
                }
            }
            Backend::JointIntegration => self.numerical_drift(omega, step_loss, noise),
            Backend::HermiteExpansion => match &self.hermite {
                Some(h) if h.applies(omega) => h.drift_terms(omega, step_loss, noise),
                _ => {
                    // strongly correlated fields (the aligned phase): the anisotropic
                    // eigenbasis rule, when its grid is small enough to be cheap
                    if let Some(drift) = drift_by_eigenbasis_quadrature(
                        &self.target,
                        self.activation,
                        step_loss,
                        omega,
                        self.p,
                        self.k,
                        noise,
                        ones,
                        self.numerics.anisotropic_max_nodes,
                        BASE_TOLERANCE,
                    )? {
                        return Ok(drift);
                    }
                    if self.numerical_fallback {
                        self.numerical_drift(omega, step_loss, noise)
                    } else {
                        Err(TheoryError::UnsupportedBackend {
                            backend: "Hermite expansion",
                            reason: "a correlation |Omega_ij| exceeds 0.8 or a variance differs from 1: there the truncated series do not converge, the anisotropic eigenbasis rule would need more points than its limit, and the numerical fallback is off",
                        })
                    }
                }
            },
        }
    }

    /// The numerical path of the drift terms: one joint integration over the p + k fields.
    fn numerical_drift(
        &self,
        omega: &DMatrix<f64>,
        step_loss: StepLoss,
        noise: f64,
    ) -> Result<DriftTerms, TheoryError> {
        drift_by_joint_integration(
            &self.target,
            self.activation,
            step_loss,
            omega,
            self.p,
            self.k,
            noise,
            &[1.0; crate::config::MAX_P][..self.p],
            &self.numerics,
        )
    }
}

/// Models kept per thread by [`with_cached_model`].
const CACHE_SIZE: usize = 8;

thread_local! {
    static MODELS: RefCell<Vec<Rc<LocalFieldModel>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on a per-thread cached [`LocalFieldModel`] for (target, activation, p, k) with
/// the automatic backend, so repeated calls (a simulation recording the risk every step)
/// reuse compiled plans. Keeps the 8 most recently used models.
pub fn with_cached_model<R>(
    target: &Target,
    activation: &Link,
    p: usize,
    k: usize,
    f: impl FnOnce(&LocalFieldModel) -> R,
) -> Result<R, TheoryError> {
    let model = MODELS.with(|cell| {
        let mut models = cell.borrow_mut();
        let position = models.iter().position(|m| {
            m.target == *target && m.activation == *activation && m.p == p && m.k == k
        });
        let model = match position {
            Some(i) => models.remove(i),
            None => Rc::new(LocalFieldModel::new(*target, *activation, p, k)?),
        };
        models.insert(0, Rc::clone(&model));
        models.truncate(CACHE_SIZE);
        Ok::<_, TheoryError>(model)
    })?;
    Ok(f(&model))
}
