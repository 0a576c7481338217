//! Chi-square draws, chi^2(nu) = 2 Gamma(nu / 2), by Marsaglia & Tsang's gamma method (2000).
//!
//! For shape a >= 1: with d = a - 1/3, c = 1 / sqrt(9 d), draw z ~ N(0,1), v = (1 + c z)^3,
//! accept d v when v > 0 and ln U < z^2/2 + d - d v + d ln v (squeeze: U < 1 - 0.0331 z^4).
//! For a < 1: Gamma(a) = Gamma(a + 1) U^(1/a). Cost is O(1) whatever nu (nu = d - r can be 10^6).

use super::{standard_normal, uniform01};
use rand::Rng;

/// One draw from the chi-square law with `nu > 0` degrees of freedom.
pub fn chi_square<R: Rng + ?Sized>(rng: &mut R, nu: f64) -> f64 {
    assert!(
        nu > 0.0,
        "chi-square degrees of freedom must be positive, got {nu}"
    );
    2.0 * gamma(rng, 0.5 * nu)
}

fn gamma<R: Rng + ?Sized>(rng: &mut R, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = uniform01(rng);
        return gamma(rng, shape + 1.0) * libm::pow(1.0 - u, 1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / libm::sqrt(9.0 * d);
    loop {
        let z = standard_normal(rng);
        let v = 1.0 + c * z;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = 1.0 - uniform01(rng);
        let z2 = z * z;
        if u < 1.0 - 0.0331 * z2 * z2 || libm::log(u) < 0.5 * z2 + d * (1.0 - v + libm::log(v)) {
            return d * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SimRng;
    use rand::SeedableRng;

    fn mean_var(nu: f64, n: usize) -> (f64, f64) {
        let mut rng = SimRng::seed_from_u64(3);
        let xs: Vec<f64> = (0..n).map(|_| chi_square(&mut rng, nu)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    #[test]
    fn mean_and_variance_match_for_small_and_large_nu() {
        for &nu in &[0.5, 1.0, 3.0, 1021.0, 1e6] {
            let n = 200_000;
            let (m, v) = mean_var(nu, n);
            // E = nu, Var = 2 nu; standard error of the mean sqrt(2 nu / n)
            assert!(
                (m - nu).abs() < 5.0 * (2.0 * nu / n as f64).sqrt(),
                "nu={nu} mean={m}"
            );
            assert!((v / (2.0 * nu) - 1.0).abs() < 0.05, "nu={nu} var={v}");
        }
    }
}
