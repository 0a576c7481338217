//! The information exponent of a link: the smallest j >= 1 with
//! c_j = E_{z~N(0,1)}[g(z) He_j(z)] != 0 (Ben Arous, Gheissari & Jagannath 2021).
//!
//! The Hermite coefficients are computed, not looked up: Gauss-Hermite quadrature with
//! weight exp(-x^2) (the `gauss-quad` crate), using
//! E[h(z)] = pi^(-1/2) sum_i w_i h(sqrt 2 x_i).

use super::hermite::{factorial, hermite};
use super::leap_index::{leap_index, support_information_exponent};
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

/// Largest degree searched for the Hermite coefficients of a committee link.
const COMMITTEE_MAX_DEGREE: u32 = 12;

/// Information exponent of a teacher with `k` directions.
///
/// A committee has the exponent of its link. For tanh(z_1...z_k) the function is odd in each
/// coordinate, so every Hermite coefficient with an even degree in some z_r vanishes; the
/// lowest candidate is z_1...z_k (degree k), whose coefficient E[tanh(z_1...z_k) z_1...z_k]
/// is positive, so the exponent is k. A Hermite polynomial has the smallest total degree >= 1
/// of its support ([`super::leap_index::support_information_exponent`]).
pub fn target_information_exponent(target: &Target, k: usize) -> Option<u32> {
    match target {
        Target::Committee(link) => link_information_exponent(link, COMMITTEE_MAX_DEGREE),
        Target::TanhProduct => Some(k as u32),
        Target::Hermite(h) => support_information_exponent(&h.support()),
    }
}

/// What the leap index is measured in, for labels: the teacher's own basis z_r = w*_r . x.
pub const LEAP_INDEX_BASIS: &str =
    "in the given basis: an upper bound on the rotation-invariant leap";

/// The Hermite support of a teacher with `k` directions, as far as it decides the leap index,
/// or `None` when no coefficient could be found.
///
/// * A Hermite polynomial: the degree lists of its non-zero terms.
/// * A committee (1/k) sum_r g1(z_r): {j e_r : c_j(g1) != 0, 1 <= j <= 12, r = 1..k}, with the
///   coefficients c_j computed by quadrature ([`hermite_coefficients`]).
/// * tanh(z_1 ... z_k): odd in every coordinate, so every multi-index of its support has all
///   k entries odd (>= 1), and (1, ..., 1) is in it (E[tanh(z_1...z_k) z_1...z_k] > 0, see
///   [`target_information_exponent`]). Every other multi-index uses only coordinates that
///   (1, ..., 1) uses, so it cannot change the leap: the support returned is {(1, ..., 1)}.
pub fn target_hermite_support(target: &Target, k: usize) -> Option<Vec<Vec<u32>>> {
    match target {
        Target::Hermite(h) => Some(h.support()),
        Target::TanhProduct => Some(vec![vec![1; k]]),
        Target::Committee(link) => {
            let energy = gaussian_expectation(|z| link.value(z).powi(2));
            let c = hermite_coefficients(link, COMMITTEE_MAX_DEGREE);
            let degrees: Vec<u32> = (1..=COMMITTEE_MAX_DEGREE)
                .filter(|&j| c[j as usize].abs() / (factorial(j) * energy).sqrt() > RELATIVE_ZERO)
                .collect();
            if degrees.is_empty() {
                return None;
            }
            let mut support = Vec::new();
            for r in 0..k {
                for &j in &degrees {
                    let mut alpha = vec![0; k];
                    alpha[r] = j;
                    support.push(alpha);
                }
            }
            Some(support)
        }
    }
}

/// The leap index of a teacher with `k` directions ([`super::leap_index::leap_index`] of
/// [`target_hermite_support`]), in the teacher's basis ([`LEAP_INDEX_BASIS`]); `None` when the
/// support could not be found.
pub fn target_leap_index(target: &Target, k: usize) -> Option<u32> {
    target_hermite_support(target, k).map(|s| leap_index(&s))
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
    fn leap_indices_of_the_named_targets_are_computed_from_their_support() {
        for (name, k, leap) in [("he3", 1, 3), ("he3", 4, 3), ("erf", 2, 1), ("he2n", 3, 2)] {
            let t: Target = name.parse().unwrap();
            assert_eq!(target_leap_index(&t, k), Some(leap), "{name}, k = {k}");
            assert_eq!(target_information_exponent(&t, k), Some(leap), "{name}");
        }
        assert_eq!(target_leap_index(&Target::TanhProduct, 3), Some(3));
        let staircase: Target = r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#
            .parse()
            .unwrap();
        assert_eq!(target_information_exponent(&staircase, 3), Some(1));
        assert_eq!(target_leap_index(&staircase, 3), Some(1));
        let mixed: Target = r#"{"hermite": [[1, [1, 0]], [0.5, [0, 3]]]}"#.parse().unwrap();
        assert_eq!(target_information_exponent(&mixed, 2), Some(1));
        assert_eq!(target_leap_index(&mixed, 2), Some(3));
        // a zero coefficient is not in the support
        let zero: Target = r#"{"hermite": [[1, [1, 1]], [0, [1, 0]]]}"#.parse().unwrap();
        assert_eq!(target_information_exponent(&zero, 2), Some(2));
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
