//! Seeded Monte Carlo for E[F(z)], z ~ N(0, C): z = L s with s ~ N(0, I_rank) drawn by the
//! crate's portable generator ([`crate::random::SimRng`], xoshiro256++, ziggurat normals),
//! so a seed gives the same estimate on every target. Reported with its standard error
//! SE = sqrt(sample variance / N).
//!
//! A fixed seed makes the estimate a deterministic (and, across nearby covariances, smooth)
//! function of C: the same normals are reused (common random numbers).

use super::covariance_factor::CovarianceFactor;
use super::error::ExpectationError;
use super::estimate::{Estimate, Method};
use crate::random::{standard_normal, SimRng};
use nalgebra::DMatrix;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

/// Number of draws and seed of a Monte Carlo estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonteCarloSettings {
    /// Number of Gaussian draws N (>= 2).
    pub samples: usize,
    /// Seed of the [`SimRng`] stream.
    pub seed: u64,
}

impl Default for MonteCarloSettings {
    /// 100 000 draws (relative standard error about 0.3% of the integrand's spread),
    /// seed 2406_02157.
    fn default() -> Self {
        MonteCarloSettings {
            samples: 100_000,
            seed: 2406_02157,
        }
    }
}

impl MonteCarloSettings {
    /// Errors unless `samples >= 2`.
    pub fn validate(&self) -> Result<(), ExpectationError> {
        if self.samples < 2 {
            return Err(ExpectationError::InvalidSetting {
                name: "Monte Carlo samples",
                value: self.samples as f64,
                reason: "at least 2 draws are needed for a standard error",
            });
        }
        Ok(())
    }
}

/// Running means and variances of several outputs (Welford's algorithm):
/// after N values x_1..x_N, mean = sum x / N and
/// standard error = sqrt(sum (x - mean)^2 / (N (N - 1))).
#[derive(Clone, Debug, PartialEq)]
pub struct SampleMeans {
    count: usize,
    mean: Vec<f64>,
    squares: Vec<f64>,
}

impl SampleMeans {
    /// Accumulator for `outputs` quantities.
    pub fn new(outputs: usize) -> Self {
        SampleMeans {
            count: 0,
            mean: vec![0.0; outputs],
            squares: vec![0.0; outputs],
        }
    }

    /// Adds one draw of every output.
    #[inline]
    pub fn push(&mut self, values: &[f64]) {
        self.count += 1;
        let n = self.count as f64;
        for ((m, s), &x) in self.mean.iter_mut().zip(&mut self.squares).zip(values) {
            let delta = x - *m;
            *m += delta / n;
            *s += delta * (x - *m);
        }
    }

    /// Number of draws so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Mean of output `i`.
    pub fn mean(&self, i: usize) -> f64 {
        self.mean[i]
    }

    /// Standard error of the mean of output `i` (infinite with fewer than 2 draws).
    pub fn standard_error(&self, i: usize) -> f64 {
        if self.count < 2 {
            return f64::INFINITY;
        }
        let n = self.count as f64;
        (self.squares[i] / (n * (n - 1.0))).sqrt()
    }
}

/// Calls `visit(z)` for `settings.samples` draws z = L s, s ~ N(0, I_rank).
pub fn for_each_monte_carlo_sample(
    factor: &CovarianceFactor,
    settings: &MonteCarloSettings,
    mut visit: impl FnMut(&[f64]),
) -> Result<(), ExpectationError> {
    settings.validate()?;
    let mut rng = SimRng::seed_from_u64(settings.seed);
    let mut s = vec![0.0; factor.rank()];
    let mut z = vec![0.0; factor.fields()];
    for _ in 0..settings.samples {
        for x in s.iter_mut() {
            *x = standard_normal(&mut rng);
        }
        factor.fields_from_standard(&s, &mut z);
        visit(&z);
    }
    Ok(())
}

/// E[F(z)], z ~ N(0, C), as a seeded Monte Carlo mean with its standard error.
/// C is validated (square, finite, symmetric, positive semi-definite).
pub fn monte_carlo_expectation(
    covariance: &DMatrix<f64>,
    settings: &MonteCarloSettings,
    mut integrand: impl FnMut(&[f64]) -> f64,
) -> Result<Estimate, ExpectationError> {
    let factor = CovarianceFactor::new(covariance)?;
    let mut means = SampleMeans::new(1);
    for_each_monte_carlo_sample(&factor, settings, |z| means.push(&[integrand(z)]))?;
    Ok(Estimate::new(
        means.mean(0),
        Method::MonteCarlo {
            samples: settings.samples,
            standard_error: means.standard_error(0),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_error_covers_a_known_mean() {
        let c = DMatrix::from_row_slice(2, 2, &[1.0, 0.6, 0.6, 2.0]);
        let settings = MonteCarloSettings {
            samples: 200_000,
            seed: 1,
        };
        let e = monte_carlo_expectation(&c, &settings, |z| z[0] * z[1]).unwrap();
        let se = e.method.standard_error().unwrap();
        // Var(ab) = C11 C22 + C12^2 = 2.36
        assert!((se - (2.36f64 / 200_000.0).sqrt()).abs() < 0.05 * se);
        assert!((e.value - 0.6).abs() < 5.0 * se);
        let again = monte_carlo_expectation(&c, &settings, |z| z[0] * z[1]).unwrap();
        assert_eq!(e, again, "a seed fixes the estimate");
        assert!(monte_carlo_expectation(
            &c,
            &MonteCarloSettings {
                samples: 1,
                seed: 0
            },
            |_| 0.0
        )
        .is_err());
    }
}
