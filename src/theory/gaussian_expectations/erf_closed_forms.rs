//! Closed forms for s(z) = erf(z / sqrt 2) (Saad & Solla 1995; Biehl & Schwarze 1995), with
//! s'(z) = sqrt(2/pi) exp(-z^2/2), for zero-mean jointly Gaussian fields with covariance C
//! (indices 1..4 in the formulas are 0..3 in the arrays).
//!
//! Factor-2 convention: the classical I2 = (1/pi) arcsin(C12 / sqrt((1+C11)(1+C22))) is
//! HALF of E[s(a) s(b)]; every function here returns the plain expectation, so
//! E[s(a) s(b)] = (2/pi) arcsin(...).
//!
//! All formulas only need C positive semi-definite: a repeated field (C_11 = C_13 = C_33)
//! keeps every square root positive because of the "1 +" terms.

use std::f64::consts::PI;

#[inline]
fn clamped_arcsin(x: f64) -> f64 {
    libm::asin(x.clamp(-1.0, 1.0))
}

/// E[s(a) s(b)] = (2/pi) arcsin(C12 / sqrt((1 + C11)(1 + C22))).
#[inline]
pub fn erf_pair(c11: f64, c12: f64, c22: f64) -> f64 {
    2.0 / PI * clamped_arcsin(c12 / ((1.0 + c11) * (1.0 + c22)).sqrt())
}

/// I2noise = E[s'(a) s'(b)] = 2 / (pi sqrt((1 + C11)(1 + C22) - C12^2)).
#[inline]
pub fn erf_derivative_pair(c11: f64, c12: f64, c22: f64) -> f64 {
    2.0 / (PI * ((1.0 + c11) * (1.0 + c22) - c12 * c12).sqrt())
}

/// I3 = E[s'(a) b s(c)] = 2 (C23 (1 + C11) - C12 C13) / (pi (1 + C11) sqrt(L3)),
/// L3 = (1 + C11)(1 + C33) - C13^2.
#[inline]
pub fn erf_i3(c: &[[f64; 3]; 3]) -> f64 {
    let a11 = 1.0 + c[0][0];
    let l3 = a11 * (1.0 + c[2][2]) - c[0][2] * c[0][2];
    2.0 * (c[1][2] * a11 - c[0][1] * c[0][2]) / (PI * a11 * l3.sqrt())
}

/// I4 = E[s'(a) s'(b) s(c) s(d)] = 4 / (pi^2 sqrt(L4)) arcsin(L0 / sqrt(L1 L2)) with
/// L4 = (1+C11)(1+C22) - C12^2,
/// L0 = L4 C34 - C23 C24 (1+C11) - C13 C14 (1+C22) + C12 C13 C24 + C12 C14 C23,
/// L1 = L4 (1+C33) - C23^2 (1+C11) - C13^2 (1+C22) + 2 C12 C13 C23,
/// L2 = L4 (1+C44) - C24^2 (1+C11) - C14^2 (1+C22) + 2 C12 C14 C24.
#[inline]
pub fn erf_i4(c: &[[f64; 4]; 4]) -> f64 {
    let a11 = 1.0 + c[0][0];
    let a22 = 1.0 + c[1][1];
    let (c12, c13, c14) = (c[0][1], c[0][2], c[0][3]);
    let (c23, c24, c34) = (c[1][2], c[1][3], c[2][3]);
    let l4 = a11 * a22 - c12 * c12;
    let l0 = l4 * c34 - c23 * c24 * a11 - c13 * c14 * a22 + c12 * c13 * c24 + c12 * c14 * c23;
    let l1 = l4 * (1.0 + c[2][2]) - c23 * c23 * a11 - c13 * c13 * a22 + 2.0 * c12 * c13 * c23;
    let l2 = l4 * (1.0 + c[3][3]) - c24 * c24 * a11 - c14 * c14 * a22 + 2.0 * c12 * c14 * c24;
    4.0 / (PI * PI * l4.sqrt()) * clamped_arcsin(l0 / (l1 * l2).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_and_identical_fields() {
        // independent fields: E[s(a) s(b)] = E[s]^2 = 0
        assert_eq!(erf_pair(1.0, 0.0, 1.0), 0.0);
        // E[erf(z/sqrt2)^2] = (2/pi) arcsin(1/2) = 1/3
        assert!((erf_pair(1.0, 1.0, 1.0) - 1.0 / 3.0).abs() < 1e-15);
        // E[s'(z)^2] = (2/pi) E[exp(-z^2)] = (2/pi) / sqrt(3)
        assert!((erf_derivative_pair(1.0, 1.0, 1.0) - 2.0 / (PI * 3f64.sqrt())).abs() < 1e-15);
        // E[s'(a) b s(b)] with a independent of b is E[s'(a)] E[b s(b)], and
        // E[s'(a)] = sqrt(2/pi) / sqrt 2 = 1/sqrt(pi) = E[s'(b)] = E[b s(b)] (Stein)
        let c = [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]];
        assert!((erf_i3(&c) - 1.0 / PI).abs() < 1e-15);
    }
}
