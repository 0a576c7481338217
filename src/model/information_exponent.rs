//! The information exponent of a link: the smallest j >= 1 with
//! c_j = E_{z~N(0,1)}[g(z) He_j(z)] != 0 (Ben Arous, Gheissari & Jagannath 2021).
//!
//! The Hermite coefficients are computed, not looked up: Gauss-Hermite quadrature with
//! weight exp(-x^2) (the `gauss-quad` crate), using
//! E[h(z)] = pi^(-1/2) sum_i w_i h(sqrt 2 x_i); for ReLU, whose kink quadrature resolves badly,
//! by Gaussian integration by parts: relu'' = delta, so c_0 = 1/sqrt(2 pi), c_1 = 1/2 and
//! c_j = E[delta(z) He_{j-2}(z)] = phi(0) He_{j-2}(0) for j >= 2 (zero for every odd j >= 3).
//!
//! A student σ meets a committee teacher g through E[σ(λ) g(λ*)] = Σ_n c_n(σ) c_n(g) M^n / n!
//! (unit norms, overlap M): only the degrees both links carry couple the student to the
//! teacher. [`pair_information_exponent`] is the smallest such degree; when there is none the
//! population risk does not depend on M at all, so the mean gradient has no component towards
//! the teacher (ReLU, whose only odd degree is 1, against He_3; an odd student against an even
//! teacher). What is left are the step's terms of order gamma^2, which see the teacher through
//! the square of the label (He_3^2 has a He_2 part): measured at d = 256, no ReLU student escapes
//! He_3 at gamma0 = 0.01, and at gamma0 = 1 they take about 25 000 steps against the He_3
//! student's 92 (README: the student activation).

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
    if *link == Link::Relu {
        let phi0 = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
        return (0..=max_degree)
            .map(|j| match j {
                0 => phi0,
                1 => 0.5,
                _ => phi0 * hermite(j - 2, 0.0),
            })
            .collect();
    }
    (0..=max_degree)
        .map(|j| gaussian_expectation(|z| link.value(z) * hermite(j, z)))
        .collect()
}

/// The degrees 1..=`max_degree` at which `link` has a non-zero Hermite coefficient
/// (|c_j| / sqrt(j! E[g^2]) > [`RELATIVE_ZERO`]).
fn nonzero_degrees(link: &Link, max_degree: u32) -> Vec<u32> {
    let energy = gaussian_expectation(|z| link.value(z).powi(2));
    let coefficients = hermite_coefficients(link, max_degree);
    (1..=max_degree)
        .filter(|&j| {
            coefficients[j as usize].abs() / (factorial(j) * energy).sqrt() > RELATIVE_ZERO
        })
        .collect()
}

/// The smallest degree n in 1..=`max_degree` at which both the student's activation and the
/// teacher's link have a non-zero Hermite coefficient (c_n(σ) c_n(g) ≠ 0): the exponent of the
/// first term of E[σ(λ) g(λ*)] = Σ_n c_n(σ) c_n(g) M^n / n!. `None` when they share no degree:
/// then the population risk does not depend on M and the mean gradient carries no signal from
/// the teacher (only the step's order-gamma^2 terms do).
pub fn pair_information_exponent(activation: &Link, link: &Link, max_degree: u32) -> Option<u32> {
    let student = nonzero_degrees(activation, max_degree);
    nonzero_degrees(link, max_degree)
        .into_iter()
        .find(|n| student.contains(n))
}

/// Information exponent of a one-dimensional link, or `None` if no coefficient up to degree
/// `max_degree` is non-zero.
pub fn link_information_exponent(link: &Link, max_degree: u32) -> Option<u32> {
    nonzero_degrees(link, max_degree).first().copied()
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
    fn relu_coefficients_are_exact() {
        // c_2 = E[relu (z^2 - 1)] = (E|z|^3 - E|z|) / 2 = sqrt(2/pi) / 2
        let c = hermite_coefficients(&Link::Relu, 6);
        assert!((c[1] - 0.5).abs() < 1e-15);
        assert!((c[2] - (2.0 / std::f64::consts::PI).sqrt() / 2.0).abs() < 1e-15);
        assert_eq!((c[3], c[5]), (0.0, 0.0));
        // c_4 = phi(0) He_2(0) = -phi(0); quadrature of the kink agrees only roughly
        let quadrature = gaussian_expectation(|z| Link::Relu.value(z) * hermite(4, z));
        assert!((c[4] - quadrature).abs() < 1e-2, "{} vs {quadrature}", c[4]);
    }

    #[test]
    fn a_student_meets_a_teacher_at_the_degrees_both_carry() {
        let he = |l: u32| Link::Hermite {
            degree: l,
            normalised: false,
        };
        let pair = |s: &Link, g: &Link| pair_information_exponent(s, g, 12);
        assert_eq!(pair(&he(3), &he(3)), Some(3));
        assert_eq!(pair(&Link::Tanh, &he(3)), Some(3));
        assert_eq!(pair(&Link::Erf, &he(3)), Some(3));
        // relu: degree 1 and the even degrees only
        assert_eq!(pair(&Link::Relu, &he(3)), None);
        assert_eq!(pair(&Link::Relu, &he(2)), Some(2));
        assert_eq!(pair(&Link::Relu, &he(4)), Some(4));
        assert_eq!(pair(&Link::Relu, &Link::Erf), Some(1));
        // odd students cannot see even teachers
        assert_eq!(pair(&Link::Tanh, &he(2)), None);
        assert_eq!(pair(&he(2), &he(3)), None);
    }

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
