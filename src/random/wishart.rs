//! Wishart draws by the Bartlett decomposition.
//!
//! If W ~ Wishart_p(nu, I) then W = T T^T with T lower triangular, T_ii = sqrt(chi^2(nu - i))
//! (i = 0..p-1) and T_ij ~ N(0, 1) for i > j, all independent. Cost: p chi-square and
//! p(p-1)/2 normal draws, independent of nu.

use super::{chi_square, standard_normal};
use rand::Rng;

/// Draws the Bartlett factor T (p x p, row-major, lower triangular) of W ~ Wishart_p(nu, I),
/// writing it into `out` (length p * p). Requires `nu > p - 1`.
pub fn wishart_bartlett_factor<R: Rng + ?Sized>(rng: &mut R, p: usize, nu: f64, out: &mut [f64]) {
    assert_eq!(out.len(), p * p);
    assert!(
        nu > (p as f64) - 1.0,
        "Wishart needs nu > p - 1 (nu = {nu}, p = {p})"
    );
    out.fill(0.0);
    for i in 0..p {
        out[i * p + i] = libm::sqrt(chi_square(rng, nu - i as f64));
        for j in 0..i {
            out[i * p + j] = standard_normal(rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SimRng;
    use rand::SeedableRng;

    #[test]
    fn mean_is_nu_identity_and_offdiagonal_variance_is_nu() {
        let (p, nu, n) = (3usize, 17.0, 100_000);
        let mut rng = SimRng::seed_from_u64(5);
        let mut t = vec![0.0; p * p];
        let mut mean = vec![0.0; p * p];
        let mut second01 = 0.0;
        for _ in 0..n {
            wishart_bartlett_factor(&mut rng, p, nu, &mut t);
            for a in 0..p {
                for b in 0..p {
                    let w: f64 = (0..p).map(|c| t[a * p + c] * t[b * p + c]).sum();
                    mean[a * p + b] += w / n as f64;
                    if a == 0 && b == 1 {
                        second01 += w * w / n as f64;
                    }
                }
            }
        }
        for a in 0..p {
            for b in 0..p {
                let expect = if a == b { nu } else { 0.0 };
                // Var(W_aa) = 2 nu, Var(W_ab) = nu
                let tol = 5.0 * (2.0 * nu / n as f64).sqrt();
                assert!(
                    (mean[a * p + b] - expect).abs() < tol,
                    "E[W_{a}{b}] = {}",
                    mean[a * p + b]
                );
            }
        }
        assert!((second01 / nu - 1.0).abs() < 0.05, "Var(W_01) = {second01}");
    }
}
