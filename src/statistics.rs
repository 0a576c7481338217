//! Small statistics used to check samplers against each other and to summarise sweeps.

/// Two-sample Kolmogorov-Smirnov test. Returns (D, p-value) with
/// D = sup_x |F_a(x) - F_b(x)| and the asymptotic p-value
/// Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2),
/// lambda = (sqrt(n_e) + 0.12 + 0.11 / sqrt(n_e)) D, n_e = n_a n_b / (n_a + n_b)
/// (Stephens' correction, as in Numerical Recipes). Values are ordered by IEEE total order, so a
/// NaN (e.g. from a diverged run) counts as larger than +inf instead of stalling the scan.
pub fn two_sample_kolmogorov_smirnov(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    // in IEEE total order (NaN above +inf), so every value, NaN included, moves the scan on
    let le = |v: f64, x: f64| v.total_cmp(&x).is_le();
    while i < a.len() && j < b.len() {
        let x = if le(a[i], b[j]) { a[i] } else { b[j] };
        while i < a.len() && le(a[i], x) {
            i += 1;
        }
        while j < b.len() && le(b[j], x) {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    let ne = na * nb / (na + nb);
    let lambda = (ne.sqrt() + 0.12 + 0.11 / ne.sqrt()) * d;
    (d, kolmogorov_q(lambda))
}

/// Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2), the Kolmogorov tail.
pub fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=100 {
        let term = libm::exp(-2.0 * (j * j) as f64 * lambda * lambda);
        sum += if j % 2 == 1 { term } else { -term };
        if term < 1e-16 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Median of a sample (NaN for an empty one).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::random::{standard_normal, SimRng};
    use rand::SeedableRng;

    #[test]
    fn kolmogorov_smirnov_orders_nan_last() {
        let (d, _) = two_sample_kolmogorov_smirnov(&[f64::NAN, 0.0, f64::NAN], &[f64::NAN, 1.0]);
        // F_a jumps to 1/3 at 0, F_b stays 0 until 1: D = 1/3 there; NaNs tie at the end
        assert!((d - 1.0 / 3.0).abs() < 1e-15, "{d}");
        assert_eq!(
            two_sample_kolmogorov_smirnov(&[f64::NAN], &[f64::NAN]).0,
            0.0
        );
    }

    #[test]
    fn ks_accepts_same_law_and_rejects_shifted_law() {
        let mut rng = SimRng::seed_from_u64(9);
        let a: Vec<f64> = (0..3000).map(|_| standard_normal(&mut rng)).collect();
        let b: Vec<f64> = (0..3000).map(|_| standard_normal(&mut rng)).collect();
        let c: Vec<f64> = (0..3000)
            .map(|_| standard_normal(&mut rng) * 1.15)
            .collect();
        assert!(two_sample_kolmogorov_smirnov(&a, &b).1 > 0.01);
        assert!(two_sample_kolmogorov_smirnov(&a, &c).1 < 1e-3);
    }

    #[test]
    fn kolmogorov_tail_known_values() {
        // Q(1.36) ~ 0.05, Q(1.63) ~ 0.01
        assert!((kolmogorov_q(1.358) - 0.05).abs() < 1e-3);
        assert!((kolmogorov_q(1.628) - 0.01).abs() < 5e-4);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }
}
