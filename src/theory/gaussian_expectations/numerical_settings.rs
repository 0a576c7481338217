//! How expectations without a closed form or polynomial structure are approximated.

use super::error::ExpectationError;
use super::gauss_hermite_quadrature::{MAX_NODES_PER_DIMENSION, MAX_QUADRATURE_DIMENSIONS};
use super::monte_carlo::MonteCarloSettings;
use serde::{Deserialize, Serialize};

/// Numerical settings for non-exact expectations.
///
/// Smooth integrands over at most `max_quadrature_dimensions` independent Gaussian directions
/// use Gauss-Hermite quadrature (`quadrature_nodes` per dimension, or the default of
/// [`super::default_nodes_per_dimension`]); everything else (ReLU, the tanh-product teacher,
/// more directions) uses seeded Monte Carlo with `monte_carlo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NumericalSettings {
    /// Nodes per dimension of the tensor rule (`None`: depends on the dimension).
    pub quadrature_nodes: Option<usize>,
    /// Largest number of independent directions integrated by quadrature (<= 6).
    pub max_quadrature_dimensions: usize,
    /// Draws and seed of the Monte Carlo fallback.
    pub monte_carlo: MonteCarloSettings,
}

impl Default for NumericalSettings {
    /// Default node counts, quadrature up to 5 directions, default Monte Carlo settings.
    fn default() -> Self {
        NumericalSettings {
            quadrature_nodes: None,
            max_quadrature_dimensions: 5,
            monte_carlo: MonteCarloSettings::default(),
        }
    }
}

impl NumericalSettings {
    /// Checks the ranges (nodes in 1..=200, at most 6 quadrature dimensions, >= 2 samples).
    pub fn validate(&self) -> Result<(), ExpectationError> {
        if let Some(n) = self.quadrature_nodes {
            if n == 0 || n > MAX_NODES_PER_DIMENSION {
                return Err(ExpectationError::InvalidSetting {
                    name: "quadrature_nodes",
                    value: n as f64,
                    reason: "must be between 1 and 200",
                });
            }
        }
        if self.max_quadrature_dimensions > MAX_QUADRATURE_DIMENSIONS {
            return Err(ExpectationError::InvalidSetting {
                name: "max_quadrature_dimensions",
                value: self.max_quadrature_dimensions as f64,
                reason: "tensor-product quadrature is limited to 6 dimensions",
            });
        }
        self.monte_carlo.validate()
    }
}
