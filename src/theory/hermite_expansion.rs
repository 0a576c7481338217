//! Smooth non-polynomial links (tanh, erf) through truncated Hermite expansions, so that the
//! risk and the drift terms are exact Gaussian moments of polynomials, summed in the Hermite
//! basis (modules `hermite_committee`, `hermite_diagram_plan`, `hermite_diagrams`) instead of a
//! (p + k)-dimensional quadrature at every step.
//!
//! For a link F (sigma, or the teacher's g1) and z ~ N(0, 1):
//!
//! ```text
//! F(z) = sum_n c_n He_n(z),   c_n = E[F(z) He_n(z)] / n!,   ||F||_2^2 = sum_n n! c_n^2,
//! F_N  = sum_{n <= N} c_n He_n,          F_N' = sum_{n <= N} n c_n He_{n-1},
//! eps_F^2  = ||F - F_N||_2^2   = E[F^2]  - sum_{n <= N} n! c_n^2          (Parseval)
//! eps_F'^2 = ||F' - F_N'||_2^2 = E[F'^2] - sum_{n <= N} n n! c_n^2
//! ```
//!
//! The coefficients and E[F^2], E[F'^2] come from a 200-node Gauss-Hermite rule (the
//! `gauss-quad` crate), so the tails are computed, not extrapolated; a round-off allowance of
//! 1e-13 E[F^2] is added to each. The degree N is the smallest one with both relative tails
//! eps_F / ||F||_2 and eps_F' / ||F'||_2 at most the tolerance, capped at
//! [`MAX_EXPANSION_DEGREE`] (the reported tails then say how far the cap is from it).
//! Polynomial links are their own expansion (eps = 0); tanh is odd, so only odd c_n are
//! non-zero (coefficients below 1e-12 ||F||_2 are set to 0, which keeps the parity).
//!
//! The committee does not multiply the truncated series of the links: on each field it
//! projects the exact product of the factors that sit there (`projected_expansion`, e.g.
//! P_N (sigma'^2 sigma)), because products of truncated tanh series diverge in L^4 as N
//! grows. The truncation estimate carried in the [`super::Method`] label and where the
//! backend applies (unit variances, correlations up to [`MAX_CORRELATION`]) are documented in
//! `hermite_committee` and `hermite_diagram_plan`; docs/science.md §6 gives the measured
//! accuracy.

use super::error::TheoryError;
use super::gaussian_expectations::gauss_hermite_quadrature::standard_normal_rule;
use crate::model::hermite::{factorial, hermite_monomial_coefficients};
use crate::model::Link;
use nalgebra::DMatrix;

pub use super::hermite_committee::{HermiteCommittee, MAX_CORRELATION};

/// Largest truncation degree N. The diagram sums cost O(N^4) per product of four fields;
/// above the default degree the products of truncated series over strongly correlated fields
/// do not converge (docs/science.md §6); and beyond about N = 25 tanh's Parseval tails
/// (relative 1e-3, squared 1e-6 of E[F^2]) approach the accuracy of the 200-node rule.
pub const MAX_EXPANSION_DEGREE: u32 = 21;

/// The default tolerance on the relative L² tails eps_F / ||F||_2 and eps_F' / ||F'||_2.
/// For tanh it gives N = 11 (relative tails 1.3e-2 and 4.7e-2: the derivative's tail sets the
/// degree; tanh's coefficients decay like exp(-c sqrt n), not geometrically), the degree at
/// which the drift terms of p = 4, k = 1 meet the stated tolerance against quadrature and
/// 10^4 recursion steps take about a second.
pub const DEFAULT_EXPANSION_TOLERANCE: f64 = 0.05;

/// Gauss-Hermite nodes of the coefficient, tail and norm integrals (exact for polynomials of
/// degree <= 399).
pub const COEFFICIENT_NODES: usize = 200;

/// Coefficients |c_n| sqrt(n!) below this times ||F||_2 are set to zero.
const ZERO_COEFFICIENT: f64 = 1e-12;

/// Round-off allowance added to each Parseval tail, relative to E[F^2] (resp. E[F'^2]).
const TAIL_ROUND_OFF: f64 = 1e-13;

/// Largest difference |Omega_ii - 1| for which the fields count as unit-variance.
pub const UNIT_VARIANCE_TOLERANCE: f64 = 1e-9;

/// The truncated Hermite expansion F_N = sum_{n <= N} c_n He_n of one link, with its
/// L²(N(0, 1)) truncation errors (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct HermiteExpansion {
    link: Link,
    coefficients: Vec<f64>,
    tail: f64,
    derivative_tail: f64,
    norm: f64,
    derivative_norm: f64,
}

/// sum_n c_n He_n(z).
fn hermite_series(coefficients: &[f64], z: f64) -> f64 {
    let (mut prev, mut cur, mut sum) = (0.0, 1.0, 0.0);
    for (n, &c) in coefficients.iter().enumerate() {
        sum += c * cur;
        let next = z * cur - n as f64 * prev;
        prev = cur;
        cur = next;
    }
    sum
}

impl HermiteExpansion {
    /// The expansion of `link` to the smallest degree N <= [`MAX_EXPANSION_DEGREE`] with
    /// eps_F / ||F||_2 <= `tolerance` and eps_F' / ||F'||_2 <= `tolerance` (N = the cap if no
    /// degree reaches it). Polynomial links are exact. Errors: a tolerance that is not a
    /// finite positive number, and ReLU, whose kink makes the coefficients decay like
    /// n^(-5/4) (and the quadrature of its coefficients inaccurate): it keeps the numerical
    /// path.
    pub fn new(link: Link, tolerance: f64) -> Result<Self, TheoryError> {
        if !tolerance.is_finite() || tolerance <= 0.0 {
            return Err(TheoryError::InvalidExpansionTolerance(tolerance));
        }
        if let Link::Hermite { degree, normalised } = link {
            let mut coefficients = vec![0.0; degree as usize + 1];
            let scale = if normalised {
                1.0 / factorial(degree).sqrt()
            } else {
                1.0
            };
            coefficients[degree as usize] = scale;
            let norm = scale * factorial(degree).sqrt();
            return Ok(HermiteExpansion {
                link,
                coefficients,
                tail: 0.0,
                derivative_tail: 0.0,
                norm,
                derivative_norm: norm * (degree as f64).sqrt(),
            });
        }
        if link == Link::Relu {
            return Err(TheoryError::UnsupportedBackend {
                backend: "Hermite expansion",
                reason: "relu is not smooth: its Hermite coefficients decay like n^(-5/4), so it keeps the numerical path",
            });
        }
        let rule = standard_normal_rule(COEFFICIENT_NODES)?;
        let max = MAX_EXPANSION_DEGREE as usize;
        // a_n = E[F h_n] with the orthonormal h_n = He_n / sqrt(n!)
        let mut a = vec![0.0; max + 1];
        let (mut energy, mut derivative_energy) = (0.0, 0.0);
        for &(t, w) in rule.iter() {
            let (v, dv) = link.value_and_derivative(t);
            energy += w * v * v;
            derivative_energy += w * dv * dv;
            let (mut prev, mut cur) = (0.0, 1.0);
            for (n, an) in a.iter_mut().enumerate() {
                *an += w * v * cur;
                let next = (t * cur - (n as f64).sqrt() * prev) / ((n + 1) as f64).sqrt();
                prev = cur;
                cur = next;
            }
        }
        let norm = energy.sqrt();
        for an in a.iter_mut() {
            if an.abs() <= ZERO_COEFFICIENT * norm {
                *an = 0.0;
            }
        }
        let tails = |degree: usize| {
            let kept: f64 = a[..=degree].iter().map(|x| x * x).sum();
            let kept_derivative: f64 = a[..=degree]
                .iter()
                .enumerate()
                .map(|(n, x)| n as f64 * x * x)
                .sum();
            (
                ((energy - kept).max(0.0) + TAIL_ROUND_OFF * energy).sqrt(),
                ((derivative_energy - kept_derivative).max(0.0)
                    + TAIL_ROUND_OFF * derivative_energy)
                    .sqrt(),
            )
        };
        let derivative_norm = derivative_energy.sqrt();
        let degree = (0..=max)
            .find(|&n| {
                let (e, de) = tails(n);
                e <= tolerance * norm && de <= tolerance * derivative_norm
            })
            .unwrap_or(max);
        let (tail, derivative_tail) = tails(degree);
        let coefficients = (0..=degree)
            .map(|n| a[n] / factorial(n as u32).sqrt())
            .collect();
        Ok(HermiteExpansion {
            link,
            coefficients,
            tail,
            derivative_tail,
            norm,
            derivative_norm,
        })
    }

    /// The expanded link.
    pub fn link(&self) -> Link {
        self.link
    }

    /// The truncation degree N.
    pub fn degree(&self) -> u32 {
        (self.coefficients.len() - 1) as u32
    }

    /// c_0..c_N with F_N = sum_n c_n He_n, c_n = E[F He_n] / n!.
    pub fn coefficients(&self) -> &[f64] {
        &self.coefficients
    }

    /// ||F||_2 = E[F(z)^2]^(1/2), z ~ N(0, 1).
    pub fn norm(&self) -> f64 {
        self.norm
    }

    /// eps_F = ||F - F_N||_2 under N(0, 1) (0 for polynomial links).
    pub fn tail(&self) -> f64 {
        self.tail
    }

    /// eps_F' = ||F' - F_N'||_2 under N(0, 1).
    pub fn derivative_tail(&self) -> f64 {
        self.derivative_tail
    }

    /// max(eps_F / ||F||_2, eps_F' / ||F'||_2), the quantity compared with the tolerance.
    pub fn relative_tail(&self) -> f64 {
        (self.tail / self.norm).max(self.derivative_tail / self.derivative_norm)
    }

    /// true for polynomial links (no truncation).
    pub fn is_exact(&self) -> bool {
        self.tail == 0.0 && self.derivative_tail == 0.0
    }

    /// F_N(z) = sum_n c_n He_n(z).
    pub fn value(&self, z: f64) -> f64 {
        hermite_series(&self.coefficients, z)
    }

    /// F_N'(z) = sum_n n c_n He_{n-1}(z).
    pub fn derivative(&self, z: f64) -> f64 {
        hermite_series(&self.derivative_hermite_coefficients(), z)
    }

    fn derivative_hermite_coefficients(&self) -> Vec<f64> {
        self.coefficients
            .iter()
            .enumerate()
            .skip(1)
            .map(|(n, &c)| n as f64 * c)
            .collect()
    }

    /// Monomial coefficients of a Hermite series sum_n b_n He_n.
    fn monomials(hermite: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; hermite.len().max(1)];
        for (n, &b) in hermite.iter().enumerate() {
            if b != 0.0 {
                for (i, c) in hermite_monomial_coefficients(n as u32).iter().enumerate() {
                    out[i] += b * c;
                }
            }
        }
        out
    }

    /// Monomial coefficients of F_N (F_N(z) = sum_i out_i z^i).
    pub fn value_monomials(&self) -> Vec<f64> {
        Self::monomials(&self.coefficients)
    }

    /// Monomial coefficients of F_N'.
    pub fn derivative_monomials(&self) -> Vec<f64> {
        Self::monomials(&self.derivative_hermite_coefficients())
    }
}

/// A function h on one field replaced by its orthogonal projection P_N h onto the polynomials
/// of degree <= N in L²(N(0, 1)), with the L² sizes of h and of the remainder.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProjectedFunction {
    /// c_0..c_N of P_N h = sum_n c_n He_n, c_n = E[h(z) He_n(z)] / n!.
    pub(crate) coefficients: Vec<f64>,
    /// ||h - P_N h||_2 (Parseval: E[h^2] - sum_n n! c_n^2, plus a round-off allowance).
    pub(crate) tail: f64,
    /// ||h||_2.
    pub(crate) norm: f64,
}

impl ProjectedFunction {
    /// A polynomial given by its Hermite coefficients: no remainder.
    pub(crate) fn exact(coefficients: Vec<f64>) -> Self {
        let norm = coefficients
            .iter()
            .enumerate()
            .map(|(n, c)| c * c * factorial(n as u32))
            .sum::<f64>()
            .sqrt();
        ProjectedFunction {
            coefficients,
            tail: 0.0,
            norm,
        }
    }
}

/// P_N h for `degree` N by the [`COEFFICIENT_NODES`]-node Gauss-Hermite `rule` (exact when h
/// is a polynomial of degree <= 399 - N); coefficients with |c_n| sqrt(n!) below
/// 1e-12 ||h||_2 are set to 0, so that odd and even functions keep their parity.
pub(crate) fn projected_expansion(
    h: impl Fn(f64) -> f64,
    degree: u32,
    rule: &[(f64, f64)],
) -> ProjectedFunction {
    let len = degree as usize + 1;
    let mut a = vec![0.0; len];
    let mut energy = 0.0;
    for &(t, w) in rule {
        let v = h(t);
        energy += w * v * v;
        let (mut prev, mut cur) = (0.0, 1.0);
        for (n, an) in a.iter_mut().enumerate() {
            *an += w * v * cur;
            let next = (t * cur - (n as f64).sqrt() * prev) / ((n + 1) as f64).sqrt();
            prev = cur;
            cur = next;
        }
    }
    let norm = energy.sqrt();
    let kept: f64 = a.iter().map(|x| x * x).sum();
    let coefficients = a
        .iter()
        .enumerate()
        .map(|(n, &x)| {
            if x.abs() <= ZERO_COEFFICIENT * norm {
                0.0
            } else {
                x / factorial(n as u32).sqrt()
            }
        })
        .collect();
    ProjectedFunction {
        coefficients,
        tail: ((energy - kept).max(0.0) + TAIL_ROUND_OFF * energy).sqrt(),
        norm,
    }
}

/// true when every diagonal entry of Omega is 1 within [`UNIT_VARIANCE_TOLERANCE`].
pub fn has_unit_variances(omega: &DMatrix<f64>) -> bool {
    (0..omega.nrows()).all(|i| (omega[(i, i)] - 1.0).abs() <= UNIT_VARIANCE_TOLERANCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// E[|h(z)|^q]^(1/q), z ~ N(0, 1), by the [`COEFFICIENT_NODES`]-node rule.
    fn lq_norm(h: impl Fn(f64) -> f64, q: i32) -> Result<f64, TheoryError> {
        let rule = standard_normal_rule(COEFFICIENT_NODES)?;
        let mean: f64 = rule.iter().map(|&(t, w)| w * h(t).abs().powi(q)).sum();
        Ok(mean.powf(1.0 / q as f64))
    }

    #[test]
    fn tanh_is_odd_and_its_tails_are_parseval() {
        let e = HermiteExpansion::new(Link::Tanh, DEFAULT_EXPANSION_TOLERANCE).unwrap();
        assert_eq!(e.degree(), 11);
        assert!(e.degree() % 2 == 1, "degree {}", e.degree());
        for (n, c) in e.coefficients().iter().enumerate() {
            if n % 2 == 0 {
                assert_eq!(*c, 0.0, "c_{n}");
            }
        }
        // c_1 = E[tanh(z) z] = E[tanh'(z)] = E[1 - tanh^2]
        let c1 = 1.0 - lq_norm(|z| z.tanh(), 2).unwrap().powi(2);
        assert!((e.coefficients()[1] - c1).abs() < 1e-12);
        // the tail is the L² distance, measured directly by quadrature
        let direct = lq_norm(|z| z.tanh() - e.value(z), 2).unwrap();
        assert!(
            (direct - e.tail()).abs() < 1e-7 * e.tail(),
            "{direct} vs {}",
            e.tail()
        );
        let direct = lq_norm(|z| Link::Tanh.derivative(z) - e.derivative(z), 2).unwrap();
        assert!((direct - e.derivative_tail()).abs() < 1e-8, "{direct}");
        // monomial form = Hermite form
        let m = e.value_monomials();
        for z in [-2.0f64, 0.3, 1.7] {
            let poly: f64 = m
                .iter()
                .enumerate()
                .map(|(i, c)| c * z.powi(i as i32))
                .sum();
            assert!((poly - e.value(z)).abs() < 1e-10);
        }
    }

    #[test]
    fn bad_tolerances_and_relu_are_refused() {
        for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = HermiteExpansion::new(Link::Tanh, t).unwrap_err();
            assert!(e.to_string().contains("hermite_tolerance"), "{e}");
        }
        assert!(HermiteExpansion::new(Link::Relu, 0.1)
            .unwrap_err()
            .to_string()
            .contains("relu"));
        let he3 = HermiteExpansion::new(Link::HE3, 0.1).unwrap();
        assert!(he3.is_exact());
        assert_eq!(he3.degree(), 3);
    }
}
