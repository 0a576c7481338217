//! A committee (teacher g = (1/k) sum_r g1(lambda*_r), student f = (1/p) sum_j sigma(lambda_j))
//! whose links are replaced by truncated Hermite expansions (module `hermite_expansion`),
//! with the risk and the drift terms evaluated exactly for the truncated series by the
//! diagram formula in the Hermite basis (modules `hermite_diagrams`, `hermite_diagram_plan`),
//! and the truncation error bounded or estimated per entry (`DiagramPlan::bounds`).

use super::drift_matrices::DriftTerms;
use super::error::TheoryError;
use super::gaussian_expectations::gauss_hermite_quadrature::{
    standard_normal_rule, StandardNormalRule,
};
use super::gaussian_expectations::{Estimate, Method};
use super::hermite_diagram_plan::{CommitteeSeries, DiagramDrift, DiagramRisk, Factor};
use super::hermite_expansion::{
    has_unit_variances, projected_expansion, HermiteExpansion, ProjectedFunction, COEFFICIENT_NODES,
};
use super::hermite_series::{derivative, identity, product};
use crate::model::{Link, StepLoss};
use nalgebra::DMatrix;
use std::sync::OnceLock;

/// The largest correlation |Omega_ij| (i != j) at which [`HermiteCommittee::applies`]:
/// measured on random overlaps (p = 4, k = 1, tanh student, tanh and He_3 teachers), the
/// degree-11 phiHD is within 1% of 20-node quadrature up to 0.83 and off by 4-40% above 0.85.
pub const MAX_CORRELATION: f64 = 0.8;

fn loss_slot(loss: StepLoss) -> usize {
    match loss {
        StepLoss::Mse => 0,
        StepLoss::Correlation => 1,
    }
}

/// A committee model with its links replaced by their Hermite expansions F_N and the risk
/// and drift terms computed exactly for the F_N by the Hermite-basis diagram formula
///
/// ```text
/// E[prod_i He_{n_i}(u_i)] = sum_G prod_i n_i! / prod_e m_e! prod_e rho_e^{m_e}
/// ```
///
/// (unit-variance fields, G the multigraphs with degree n_i at vertex i). The factors that sit
/// on one field form one function (e.g. sigma'(z)^2 sigma(z) on lambda_j in phiHD_jj), replaced
/// by its own degree-N projection P_N (coefficients by Gauss-Hermite quadrature); when every
/// factor is a polynomial (He_l links, z) the vertex is their exact product by the
/// linearisation formula He_m He_n = sum_k C(m,k) C(n,k) k! He_{m+n-2k}. The plans are compiled
/// on first use.
#[derive(Clone, Debug)]
pub struct HermiteCommittee {
    activation: HermiteExpansion,
    link: HermiteExpansion,
    p: usize,
    k: usize,
    rule: StandardNormalRule,
    risk: OnceLock<DiagramRisk>,
    drift: [OnceLock<DiagramDrift>; 2],
}

impl HermiteCommittee {
    /// Expands both links with `tolerance` (see [`HermiteExpansion::new`]) and computes the
    /// quadrature rule of the vertex expansions. Errors: p = 0 or k = 0, p + k > 16, ReLU, an invalid tolerance.
    pub fn new(
        link: Link,
        activation: Link,
        p: usize,
        k: usize,
        tolerance: f64,
    ) -> Result<Self, TheoryError> {
        if p == 0 || k == 0 {
            return Err(TheoryError::EmptyModel { p, k });
        }
        if p + k > super::gaussian_expectations::MAX_POLYNOMIAL_FIELDS {
            return Err(TheoryError::UnsupportedBackend {
                backend: "Hermite expansion",
                reason: "p + k must be at most 16",
            });
        }
        let activation = HermiteExpansion::new(activation, tolerance)?;
        let link = HermiteExpansion::new(link, tolerance)?;
        Ok(HermiteCommittee {
            activation,
            link,
            p,
            k,
            rule: standard_normal_rule(COEFFICIENT_NODES)?,
            risk: OnceLock::new(),
            drift: [OnceLock::new(), OnceLock::new()],
        })
    }

    /// The student activation's expansion.
    pub fn activation(&self) -> &HermiteExpansion {
        &self.activation
    }

    /// The teacher link's expansion.
    pub fn link(&self) -> &HermiteExpansion {
        &self.link
    }

    /// The largest truncation degree of the two links.
    pub fn degree(&self) -> u32 {
        self.activation.degree().max(self.link.degree())
    }

    /// The Hermite series of the vertex of `factors` (sorted) on one field: the exact product
    /// when every factor is a polynomial, otherwise P_N of the exact product function.
    fn vertex_series(&self, factors: &[Factor]) -> ProjectedFunction {
        let exact = |f: &Factor| match f {
            Factor::Identity => true,
            Factor::Link => self.link.is_exact(),
            Factor::Sigma | Factor::SigmaPrime => self.activation.is_exact(),
        };
        if factors.iter().all(exact) {
            let series = |f: &Factor| match f {
                Factor::Sigma => self.activation.coefficients().to_vec(),
                Factor::SigmaPrime => derivative(self.activation.coefficients()),
                Factor::Link => self.link.coefficients().to_vec(),
                Factor::Identity => identity(),
            };
            let coefficients = factors
                .iter()
                .fold(vec![1.0], |acc, f| product(&acc, &series(f)));
            return ProjectedFunction::exact(coefficients);
        }
        let (sigma, g) = (self.activation.link(), self.link.link());
        let value = |f: &Factor, z: f64| match f {
            Factor::Sigma => sigma.value(z),
            Factor::SigmaPrime => sigma.derivative(z),
            Factor::Link => g.value(z),
            Factor::Identity => z,
        };
        projected_expansion(
            |z| factors.iter().map(|f| value(f, z)).product(),
            self.degree(),
            &self.rule,
        )
    }

    fn with_series<R>(&self, f: impl FnOnce(&CommitteeSeries) -> R) -> R {
        let vertex = |factors: &[Factor]| self.vertex_series(factors);
        f(&CommitteeSeries {
            vertex: &vertex,
            p: self.p,
            k: self.k,
        })
    }

    fn drift_plan(&self, step_loss: StepLoss) -> &DiagramDrift {
        self.drift[loss_slot(step_loss)]
            .get_or_init(|| self.with_series(|s| DiagramDrift::compile(s, step_loss)))
    }

    /// The number of distinct diagram sums over 1, 2, 3 and 4 fields in one evaluation of
    /// the drift terms (a measure of the cost per recursion step).
    pub fn diagram_sums(&self, step_loss: StepLoss) -> [usize; 4] {
        self.drift_plan(step_loss).sums_by_fields()
    }

    /// E[(g - f)^2] with every vertex function replaced by P_N of it, and its bound
    /// sum |c| eps_a eps_b over the two-field products (at most (eps_g1 + eps_sigma)^2; see
    /// `DiagramPlan::bounds`); Omega must have a unit diagonal (the caller checks).
    pub fn squared_error(&self, omega: &DMatrix<f64>) -> Result<Estimate, TheoryError> {
        let plan = self
            .risk
            .get_or_init(|| self.with_series(DiagramRisk::compile));
        Ok(Estimate::new(
            plan.evaluate(omega),
            Method::HermiteExpansion {
                degree: self.degree(),
                error_bound: plan.bound(),
            },
        ))
    }

    /// Whether the diagram sums are used for `omega`: unit variances and every correlation
    /// |Omega_ij| <= [`MAX_CORRELATION`] (above it the sums over three and four fields of
    /// truncated series drift away from the exact value as N grows; see the module
    /// documentation of `hermite_diagram_plan` and docs/science.md §6).
    pub fn applies(&self, omega: &DMatrix<f64>) -> bool {
        let r = omega.nrows();
        has_unit_variances(omega)
            && (0..r).all(|i| (0..i).all(|j| omega[(i, j)].abs() <= MAX_CORRELATION))
    }

    /// psi, phiGF, phiHD of the expanded model (phiHD with the noise Delta E[sigma'_j
    /// sigma'_l]); Omega must have a unit diagonal. The label's bound is the largest
    /// per-entry truncation estimate (`DiagramPlan::bounds`).
    pub fn drift_terms(
        &self,
        omega: &DMatrix<f64>,
        step_loss: StepLoss,
        noise: f64,
    ) -> Result<DriftTerms, TheoryError> {
        let plan = self.drift_plan(step_loss);
        let m = plan.evaluate(omega);
        let [gradient, hessian, gram] = plan.bounds();
        Ok(DriftTerms {
            psi: m.psi,
            phi_gf: m.phi_gf,
            phi_hd: m.phi_hd + m.gram * noise,
            method: Method::HermiteExpansion {
                degree: self.degree(),
                error_bound: gradient.max(hessian + noise * gram),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::polynomial_model::{CommitteePolynomials, PolynomialDrift, PolynomialRisk};

    fn omega(p: usize) -> DMatrix<f64> {
        let r = p + 1;
        DMatrix::from_fn(r, r, |i, j| {
            if i == j {
                1.0
            } else if i == p || j == p {
                0.2 + 0.1 * i.min(j) as f64
            } else {
                0.3 + 0.05 * (i + j) as f64
            }
        })
    }

    /// At low degree the monomial Wick plans are well conditioned: both constructions compute
    /// the same exact moments of the same polynomials.
    #[test]
    fn the_diagram_sums_equal_the_monomial_wick_plans() {
        for (target, p) in [(Link::Tanh, 4), (Link::HE3, 3), (Link::Erf, 2)] {
            let h = HermiteCommittee::new(target, Link::Tanh, p, 1, 0.15).unwrap();
            let (a, l) = (h.activation(), h.link());
            let polys = CommitteePolynomials::from_coefficients(
                &a.value_monomials(),
                &a.derivative_monomials(),
                &l.value_monomials(),
                p,
                1,
            )
            .unwrap();
            let o = omega(p);
            let risk = PolynomialRisk::compile_polynomials(&polys, p, 1).unwrap();
            // the vertices as products of the truncated series, as the monomial plans have them
            let truncated = |factors: &[Factor]| {
                let series = |f: &Factor| match f {
                    Factor::Sigma => a.coefficients().to_vec(),
                    Factor::SigmaPrime => derivative(a.coefficients()),
                    Factor::Link => l.coefficients().to_vec(),
                    Factor::Identity => identity(),
                };
                ProjectedFunction::exact(
                    factors
                        .iter()
                        .fold(vec![1.0], |acc, f| product(&acc, &series(f))),
                )
            };
            let s = CommitteeSeries {
                vertex: &truncated,
                p,
                k: 1,
            };
            let r = DiagramRisk::compile(&s).evaluate(&o);
            assert!((r - risk.evaluate(&o)).abs() < 1e-12, "{target}: risk {r}");
            for loss in [StepLoss::Mse, StepLoss::Correlation] {
                let wick = PolynomialDrift::compile_polynomials(&polys, loss, p, 1)
                    .unwrap()
                    .evaluate(&o, 0.03);
                let m = DiagramDrift::compile(&s, loss).evaluate(&o);
                let hd = &m.phi_hd + &m.gram * 0.03;
                for (x, y, name) in [
                    (&m.psi, &wick.psi, "psi"),
                    (&m.phi_gf, &wick.phi_gf, "phiGF"),
                    (&hd, &wick.phi_hd, "phiHD"),
                ] {
                    let d = (x - y).amax();
                    assert!(
                        d < 1e-11 * (1.0 + y.amax()),
                        "{target} {loss:?} {name}: {d:.2e}"
                    );
                }
            }
        }
    }

    #[test]
    fn four_students_need_four_field_sums_only_for_phi_hd() {
        let h = HermiteCommittee::new(Link::Tanh, Link::Tanh, 4, 1, 0.15).unwrap();
        let mse = h.diagram_sums(StepLoss::Mse);
        // p = 4, k = 1: the 4-field products are E[s'_j s'_l g s_m] (12) and E[s'_j s'_l s_m s_n] (6)
        assert_eq!(mse[3], 18, "{mse:?}");
        // the correlation loss drops the self-interaction: at most three fields
        assert_eq!(h.diagram_sums(StepLoss::Correlation)[3], 0);
    }
}
