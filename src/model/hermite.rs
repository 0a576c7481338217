//! Probabilists' Hermite polynomials He_n, orthogonal under the standard Gaussian weight:
//! E_{z~N(0,1)}[He_m(z) He_n(z)] = n! delta_mn.
//!
//! Three-term recurrence: He_0 = 1, He_1 = z, He_{n+1}(z) = z He_n(z) - n He_{n-1}(z).
//! Derivative: He_n'(z) = n He_{n-1}(z). Example: He_3(z) = z^3 - 3z.

/// He_n(z) by the three-term recurrence.
#[inline]
pub fn hermite(n: u32, z: f64) -> f64 {
    hermite_pair(n, z).0
}

/// (He_n(z), He_{n-1}(z)) in one pass of the recurrence (He_{-1} := 0).
#[inline]
pub fn hermite_pair(n: u32, z: f64) -> (f64, f64) {
    let (mut prev, mut cur) = (0.0, 1.0);
    for m in 0..n {
        let next = z * cur - m as f64 * prev;
        prev = cur;
        cur = next;
    }
    (cur, prev)
}

/// n! as f64 (exact up to n = 22).
pub fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// Monomial coefficients c_0..c_n of He_n(z) = sum_i c_i z^i
/// (from the recurrence on coefficient vectors).
pub fn hermite_monomial_coefficients(n: u32) -> Vec<f64> {
    let n = n as usize;
    let mut prev = vec![0.0; n + 1];
    let mut cur = vec![0.0; n + 1];
    cur[0] = 1.0;
    for m in 0..n {
        let mut next = vec![0.0; n + 1];
        for i in 0..n {
            next[i + 1] += cur[i];
        }
        for i in 0..=n {
            next[i] -= m as f64 * prev[i];
        }
        prev = cur;
        cur = next;
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_degrees_match_closed_forms() {
        for &z in &[-2.3, -0.5, 0.0, 0.7, 3.1] {
            assert_eq!(hermite(0, z), 1.0);
            assert_eq!(hermite(1, z), z);
            assert!((hermite(2, z) - (z * z - 1.0)).abs() < 1e-12);
            assert!((hermite(3, z) - (z * z * z - 3.0 * z)).abs() < 1e-12);
            assert!((hermite(4, z) - (z.powi(4) - 6.0 * z * z + 3.0)).abs() < 1e-12);
        }
    }

    #[test]
    fn monomial_coefficients_of_he5() {
        // He_5 = z^5 - 10 z^3 + 15 z
        assert_eq!(
            hermite_monomial_coefficients(5),
            vec![0.0, 15.0, 0.0, -10.0, 0.0, 1.0]
        );
    }
}
