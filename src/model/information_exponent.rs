//! The information exponent of a link: the smallest j >= 1 with
//! c_j = E_{z~N(0,1)}[g(z) He_j(z)] != 0 (Ben Arous, Gheissari & Jagannath 2021).
//!
//! The Hermite coefficients are computed, not looked up: Gauss-Hermite quadrature with
//! weight exp(-x^2) (the `gauss-quad` crate), using
//! E[h(z)] = pi^(-1/2) sum_i w_i h(sqrt 2 x_i).

use super::hermite::{factorial, hermite};
use super::link::Link;
use super::target::Target;
use gauss_quad::GaussHermite;
use std::num::NonZeroUsize;
use std::sync::OnceLock;

/// Quadrature nodes used for the coefficients (exact for polynomials up to degree 2*QUADRATURE_NODES - 1).
pub const QUADRATURE_NODES: NonZeroUsize = NonZeroUsize::new(80).unwrap();

/// Coefficients |c_j| / sqrt(j! E[g^2]) below this are treated as zero.
pub const RELATIVE_ZERO: f64 = 1e-7;

/// E_{z~N(0,1)}[h(z)] by Gauss-Hermite quadrature with [`QUADRATURE_NODES`] nodes.
pub fn gaussian_expectation(h: impl Fn(f64) -> f64) -> f64 {
    // the rule (an 80 x 80 eigenproblem) is built once per process
    static RULE: OnceLock<GaussHermite> = OnceLock::new();
    let rule = RULE.get_or_init(|| GaussHermite::new(QUADRATURE_NODES));
    let s = std::f64::consts::SQRT_2;
    rule.integrate(|x| h(s * x)) / std::f64::consts::PI.sqrt()
}

/// Hermite coefficients c_0..c_max of `link`: c_j = E[g(z) He_j(z)]
/// (so g = sum_j c_j He_j / j!).
pub fn hermite_coefficients(link: &Link, max_degree: u32) -> Vec<f64> {
    (0..=max_degree)
        .map(|j| gaussian_expectation(|z| link.value(z) * hermite(j, z)))
        .collect()
}

/// Information exponent of a one-dimensional link, or `None` if no coefficient up to degree
/// `max_degree` is non-zero.
pub fn link_information_exponent(link: &Link, max_degree: u32) -> Option<u32> {
    let energy = gaussian_expectation(|z| link.value(z).powi(2));
    let coefficients = hermite_coefficients(link, max_degree);
    (1..=max_degree)
        .find(|&j| coefficients[j as usize].abs() / (factorial(j) * energy).sqrt() > RELATIVE_ZERO)
}

/// Information exponent of a teacher with `k` directions.
///
/// A committee has the exponent of its link. For tanh(z_1...z_k) the function is odd in each
/// coordinate, so every Hermite coefficient with an even degree in some z_r vanishes; the
/// lowest candidate is z_1...z_k (degree k), whose coefficient E[tanh(z_1...z_k) z_1...z_k]
/// is positive, so the exponent is k.
pub fn target_information_exponent(target: &Target, k: usize) -> Option<u32> {
    match target {
        Target::Committee(link) => link_information_exponent(link, 12),
        Target::TanhProduct => Some(k as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_of_the_paper_links() {
        for l in 1..=6 {
            let link = Link::Hermite {
                degree: l,
                normalised: false,
            };
            assert_eq!(link_information_exponent(&link, 12), Some(l), "He_{l}");
        }
        assert_eq!(link_information_exponent(&Link::Erf, 12), Some(1));
        assert_eq!(link_information_exponent(&Link::Tanh, 12), Some(1));
        assert_eq!(link_information_exponent(&Link::Relu, 12), Some(1));
    }

    #[test]
    fn he3_coefficients_are_exact() {
        let c = hermite_coefficients(&Link::HE3, 5);
        // He_3 = He_3: c_3 = 3! = 6, the others vanish
        for (j, cj) in c.iter().enumerate() {
            let expect = if j == 3 { 6.0 } else { 0.0 };
            assert!((cj - expect).abs() < 1e-9, "c_{j} = {cj}");
        }
        // relu: c_1 = E[relu(z) z] = 1/2 (slow quadrature convergence: kink at 0)
        let relu = hermite_coefficients(&Link::Relu, 1);
        assert!((relu[1] - 0.5).abs() < 1e-3);
    }
}
