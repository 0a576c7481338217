//! The population risk of a Hermite polynomial teacher g = sum_alpha c_alpha He_alpha(z*)
//! (docs/science.md §11) for any smooth student activation, from one- and two-dimensional
//! integrals instead of one (p + k)-dimensional integral:
//!
//! ```text
//! E[(g - a0 f1)^2] = E[g^2] - 2 a0 E[g f1] + a0^2 E[f1^2],   f1 = (1/p) sum_j sigma(lambda_j)
//! E[g^2]           = sum_alpha c_alpha^2 alpha!               (orthogonality; equal multi-indices merged)
//! E[He_alpha(z*) sigma(lambda_j)] = prod_r M_jr^alpha_r E[sigma^(|alpha|)(lambda_j)]
//!                  = prod_r M_jr^alpha_r Q_jj^(-|alpha|/2) E_u[sigma(sqrt(Q_jj) u) He_|alpha|(u)]
//! E[f1^2]          = (1/p^2) sum_{j,l} E[sigma(lambda_j) sigma(lambda_l)]   (2-d integrals I2)
//! ```
//!
//! The middle line is Gaussian integration by parts: with z* standard (P = I) and
//! lambda_j = sum_r M_jr z*_r + nu (nu independent of z*), E[He_n(z*_r) F] = E[d^n F / dz*_r^n]
//! and d/dz*_r sigma(lambda_j) = M_jr sigma'(lambda_j); so every coordinate's Hermite factor
//! becomes M_jr^alpha_r times alpha_r derivatives of sigma, and a derivative of order n of a
//! function of lambda ~ N(0, q) has E[h^(n)(lambda)] = q^(-n/2) E[h(sqrt q u) He_n(u)]. The
//! one-dimensional expectations use the 80-node Gauss-Hermite rule of
//! [`crate::model::information_exponent::gaussian_expectation`]; the I2 terms are those of the
//! committee decomposition. Used for smooth activations (not ReLU, whose kink makes the
//! one-dimensional rule converge slowly).

use super::error::TheoryError;
use super::gaussian_expectations::i2;
use super::gaussian_expectations::Estimate;
use crate::model::hermite::{factorial, hermite};
use crate::model::information_exponent::gaussian_expectation;
use crate::model::{HermitePolynomial, Link};
use nalgebra::{DMatrix, Matrix2};

/// Whether [`hermite_teacher_risk`] applies to `activation` (every smooth link: not ReLU).
pub(crate) fn applies(activation: Link) -> bool {
    activation != Link::Relu
}

/// E[(g - a0 f1)^2] for the teacher `h`, the student `activation` with p units, and the
/// (validated) Omega of p + k fields (module docs).
pub(crate) fn hermite_teacher_risk(
    h: &HermitePolynomial,
    activation: Link,
    omega: &DMatrix<f64>,
    p: usize,
    a0: f64,
) -> Result<Estimate, TheoryError> {
    // E[g^2]: merge equal multi-indices, then sum c^2 alpha!
    let mut merged: Vec<(&[u32], f64)> = Vec::new();
    for (term, &c) in h.terms().iter().zip(h.scaled_coefficients()) {
        match merged
            .iter_mut()
            .find(|(a, _)| *a == term.degrees.as_slice())
        {
            Some((_, total)) => *total += c,
            None => merged.push((&term.degrees, c)),
        }
    }
    let teacher_energy: f64 = merged
        .iter()
        .map(|(alpha, c)| c * c * alpha.iter().map(|&a| factorial(a)).product::<f64>())
        .sum();
    // E[g f1] = (1/p) sum_j sum_alpha c_alpha M_j^alpha E[sigma^(|alpha|)(lambda_j)]
    let mut cross = 0.0;
    for j in 0..p {
        let q = omega[(j, j)];
        let sd = q.sqrt();
        for (alpha, c) in &merged {
            let n: u32 = alpha.iter().sum();
            let monomial: f64 = alpha
                .iter()
                .enumerate()
                .map(|(r, &a)| omega[(j, p + r)].powi(a as i32))
                .product();
            if monomial == 0.0 {
                continue;
            }
            // q = 0 forces M_j = 0 (Omega is PSD): only the constant term (n = 0) is left
            let derivative_mean = if q > 0.0 {
                gaussian_expectation(|u| activation.value(sd * u) * hermite(n, u))
                    / q.powf(n as f64 / 2.0)
            } else {
                activation.value(0.0)
            };
            cross += c * monomial * derivative_mean;
        }
    }
    cross /= p as f64;
    // E[f1^2] as the committee decomposition computes it
    let mut terms: Vec<(f64, Estimate)> = vec![
        (1.0, Estimate::exact_polynomial(teacher_energy)),
        (-2.0 * a0, Estimate::new(cross, quadrature())),
    ];
    for j in 0..p {
        for l in 0..p {
            let c = Matrix2::new(omega[(j, j)], omega[(j, l)], omega[(l, j)], omega[(l, l)]);
            let e = i2(activation, activation, &c)?;
            terms.push((a0 * a0 / (p * p) as f64, e));
        }
    }
    Ok(Estimate::linear_combination(&terms))
}

fn quadrature() -> super::gaussian_expectations::Method {
    super::gaussian_expectations::Method::Quadrature {
        nodes: crate::model::information_exponent::QUADRATURE_NODES.get(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Overlaps, Target};
    use crate::theory::LocalFieldModel;

    /// With a Hermite activation the exact Wick plan gives the same risk to round-off.
    #[test]
    fn agrees_with_the_exact_wick_moments_for_a_polynomial_student() {
        let target: Target =
            r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [0.5, [2, 0, 1]], [1, [1, 1, 0]]]}"#
                .parse()
                .unwrap();
        let Target::Hermite(h) = target else {
            unreachable!()
        };
        let q = DMatrix::from_row_slice(2, 2, &[1.0, 0.3, 0.3, 1.0]);
        let m = DMatrix::from_row_slice(2, 3, &[0.5, -0.2, 0.1, 0.1, 0.6, -0.3]);
        let o = Overlaps::new(q, m).unwrap();
        for activation in [Link::HE3, "he2n".parse().unwrap()] {
            let exact = LocalFieldModel::new(target, activation, 2, 3)
                .unwrap()
                .population_risk(&o, 0.0)
                .unwrap();
            let ours = hermite_teacher_risk(h, activation, &o.omega(), 2, 1.0).unwrap();
            assert!(
                (2.0 * exact.value - ours.value).abs() < 1e-9,
                "{activation}: {} vs {}",
                2.0 * exact.value,
                ours.value
            );
        }
    }
}
