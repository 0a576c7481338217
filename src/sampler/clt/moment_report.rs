//! How the large-batch sampler obtained the covariance of its Gaussian law, as reported in a
//! run's output (`clt_moments`).

use serde::Serialize;
use std::fmt;

/// Source of the per-sample moments of one clt step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CltMomentMethod {
    /// Exact Gaussian polynomial moments (Isserlis/Wick): mean and covariance exact up to
    /// round-off.
    ExactPolynomial,
    /// Sample covariance of `samples` exact draws per step (mean still exact or from the
    /// theory engine's expectations).
    MonteCarlo {
        /// Draws per step.
        samples: usize,
    },
}

impl fmt::Display for CltMomentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CltMomentMethod::ExactPolynomial => f.write_str("exact polynomial moments"),
            CltMomentMethod::MonteCarlo { samples } => {
                write!(f, "Monte Carlo covariance ({samples} samples per step)")
            }
        }
    }
}

/// The moments used by a clt run so far.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CltMomentReport {
    /// Method of the last step (Monte Carlo if any step used it).
    pub method: CltMomentMethod,
    /// Largest relative standard error of a covariance entry over the steps,
    /// max_{u <= v} SE(Sigma_uv) / sqrt(Sigma_uu Sigma_vv); 0 for exact moments.
    pub max_relative_error: f64,
    /// Steps whose law was computed.
    pub steps: u64,
}
