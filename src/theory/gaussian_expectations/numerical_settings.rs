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
    /// Largest grid of the anisotropic eigenbasis rule (base plus refined rule) that the
    /// Hermite-expansion backend hands strongly correlated fields to before the isotropic
    /// rule (0: never; see `theory::eigenbasis_quadrature`).
    pub anisotropic_max_nodes: usize,
}

/// Default of [`NumericalSettings::anisotropic_max_nodes`]: 2.5 times the 10^5 points of the
/// isotropic five-dimensional rule, which is 10^-2 off where the eigenbasis rule is 10^-4
/// (docs/science.md §6); a tanh p = 4 learning run needs at most 2.1·10^5 for a few steps
/// at max |Omega_ij| ≈ 0.8, and about 1.7·10^3 once aligned.
pub const DEFAULT_ANISOTROPIC_MAX_NODES: usize = 250_000;

impl Default for NumericalSettings {
    /// Default node counts, quadrature up to 5 directions, default Monte Carlo settings, the
    /// anisotropic rule up to [`DEFAULT_ANISOTROPIC_MAX_NODES`] points.
    fn default() -> Self {
        NumericalSettings {
            quadrature_nodes: None,
            max_quadrature_dimensions: 5,
            monte_carlo: MonteCarloSettings::default(),
            anisotropic_max_nodes: DEFAULT_ANISOTROPIC_MAX_NODES,
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
