//! Arithmetic on univariate Hermite series F(z) = sum_n c_n He_n(z) (probabilists' Hermite
//! polynomials), kept in the Hermite basis so that high degrees stay well conditioned (the
//! monomial coefficients of He_n grow like sqrt(n!) and cancel; the Hermite coefficients of a
//! smooth function decay).
//!
//! Products use the linearisation formula
//!
//! ```text
//! He_m(z) He_n(z) = sum_{k=0}^{min(m, n)} C(m, k) C(n, k) k! He_{m+n-2k}(z),
//! ```
//!
//! so the product of two series of degrees M and N is the exact series of degree M + N.

use crate::model::hermite::factorial;

/// Whether a series has only even or only odd degrees (`Some(0)`, `Some(1)`), or both (`None`).
pub(crate) fn parity(coefficients: &[f64]) -> Option<usize> {
    let only = |r: usize| {
        coefficients
            .iter()
            .enumerate()
            .all(|(n, &c)| n % 2 == r || c == 0.0)
    };
    if only(0) {
        Some(0)
    } else if only(1) {
        Some(1)
    } else {
        None
    }
}

/// The binomial coefficient C(n, k) as a float (exact for the degrees used here, n <= 170).
fn binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// The Hermite coefficients of the product of two Hermite series `a` and `b` (degree
/// len(a) + len(b) - 2), by the linearisation formula of the module documentation.
pub(crate) fn product(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (m, &am) in a.iter().enumerate() {
        if am == 0.0 {
            continue;
        }
        for (n, &bn) in b.iter().enumerate() {
            if bn == 0.0 {
                continue;
            }
            for k in 0..=m.min(n) {
                let weight = binomial(m, k) * binomial(n, k) * factorial(k as u32);
                out[m + n - 2 * k] += am * bn * weight;
            }
        }
    }
    trim(out)
}

/// The series of F'(z): d/dz He_n = n He_{n-1}.
pub(crate) fn derivative(c: &[f64]) -> Vec<f64> {
    trim(
        c.iter()
            .enumerate()
            .skip(1)
            .map(|(n, &x)| n as f64 * x)
            .collect(),
    )
}

/// The series of the identity z = He_1(z).
pub(crate) fn identity() -> Vec<f64> {
    vec![0.0, 1.0]
}

/// Drops trailing zero coefficients (keeping at least one).
fn trim(mut c: Vec<f64>) -> Vec<f64> {
    while c.len() > 1 && c.last() == Some(&0.0) {
        c.pop();
    }
    if c.is_empty() {
        c.push(0.0);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sum_n c_n He_n(z) by the three-term recurrence.
    fn evaluate(c: &[f64], z: f64) -> f64 {
        let (mut prev, mut cur, mut sum) = (0.0, 1.0, 0.0);
        for (n, &x) in c.iter().enumerate() {
            sum += x * cur;
            let next = z * cur - n as f64 * prev;
            prev = cur;
            cur = next;
        }
        sum
    }

    #[test]
    fn products_are_pointwise_products() {
        let a = [0.3, -1.0, 0.0, 0.25, 0.0, 0.01];
        let b = [0.0, 2.0, 0.5, 0.0, -0.125];
        let ab = product(&a, &b);
        assert_eq!(ab.len(), a.len() + b.len() - 1);
        for z in [-2.5, -0.7, 0.0, 0.4, 1.9] {
            let (x, y) = (evaluate(&a, z), evaluate(&b, z));
            assert!(
                (evaluate(&ab, z) - x * y).abs() < 1e-12 * (1.0 + (x * y).abs()),
                "z = {z}"
            );
        }
        // z He_n = He_{n+1} + n He_{n-1}
        let mut he4 = vec![0.0; 5];
        he4[4] = 1.0;
        assert_eq!(
            product(&identity(), &he4),
            vec![0.0, 0.0, 0.0, 4.0, 0.0, 1.0]
        );
    }

    #[test]
    fn parity_and_derivative() {
        assert_eq!(parity(&[0.0, 1.0, 0.0, 3.0]), Some(1));
        assert_eq!(parity(&[1.0, 0.0, 3.0]), Some(0));
        assert_eq!(parity(&[1.0, 1.0]), None);
        assert_eq!(derivative(&[5.0, 1.0, 0.0, 2.0]), vec![1.0, 0.0, 6.0]);
        assert_eq!(derivative(&[5.0]), vec![0.0]);
    }
}
