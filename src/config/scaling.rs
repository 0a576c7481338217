//! Batch size and learning rate, given directly or by their scaling with d (SCIENCE.md
//! section 2): n_b = floor(n0 d^mu), gamma = gamma0 d^(-delta).
//!
//! Learning-rate policies:
//! * `fixed`: gamma = gamma0 d^(-delta).
//! * `optimal`: gamma = gamma0 d^(-delta*(mu)) with the protocol's optimal exponent
//!   (plain SGD: delta* = max(l/2 - mu, 0); correlation loss: delta* = l/2 - mu up to
//!   mu = l - 1, then (1 - mu)/2, i.e. gamma ~ sqrt(n_b / d)), mu = log_d n_b, l the
//!   information exponent of the target.
//! * `authors`: the authors' code convention gamma = c n_b p d^(-l/2).

use crate::model::Loss;
use crate::theory::scaling_laws::{optimal_delta_correlation_loss, optimal_delta_plain_sgd};
use serde::{Deserialize, Serialize};

/// Batch size scaling n_b = floor(n0 d^mu).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchScaling {
    /// Prefactor n0 > 0.
    pub n0: f64,
    /// Exponent mu = log_d(n_b / n0), 0 <= mu <= 12.
    pub mu: f64,
}

impl BatchScaling {
    /// floor(n0 d^mu) (at least 1).
    pub fn resolve(&self, d: u64) -> f64 {
        (self.n0 * (d as f64).powf(self.mu)).floor().max(1.0)
    }
}

/// How the learning rate is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "lowercase", deny_unknown_fields)]
pub enum LearningRate {
    /// gamma = gamma0 d^(-delta).
    Fixed {
        /// Prefactor gamma0 > 0.
        gamma0: f64,
        /// Exponent delta.
        delta: f64,
    },
    /// gamma = gamma0 d^(-delta*(mu)) with the protocol's optimal delta*.
    Optimal {
        /// Prefactor gamma0 > 0.
        gamma0: f64,
    },
    /// gamma = c n_b p d^(-l/2) (the authors' code).
    Authors {
        /// Prefactor c > 0 (0.032 in the paper's mu = 1.75 figure).
        c: f64,
    },
}

/// The optimal delta* for a protocol, from the paper's scaling laws
/// ([`crate::theory::scaling_laws`]); the adaptive protocol starts with correlation loss.
pub fn optimal_delta(loss: Loss, mu: f64, l: u32) -> f64 {
    match loss {
        Loss::Mse => optimal_delta_plain_sgd(mu, l),
        Loss::Correlation | Loss::Adaptive => {
            optimal_delta_correlation_loss(mu, l).unwrap_or_else(|_| optimal_delta_plain_sgd(mu, l))
        }
    }
}

impl LearningRate {
    /// The prefactor: gamma0 of `fixed` and `optimal`, c of `authors`.
    pub fn prefactor(&self) -> f64 {
        match *self {
            LearningRate::Fixed { gamma0, .. } | LearningRate::Optimal { gamma0 } => gamma0,
            LearningRate::Authors { c } => c,
        }
    }

    /// The same policy with another prefactor (gamma0 or c).
    pub fn with_prefactor(self, prefactor: f64) -> Self {
        match self {
            LearningRate::Fixed { delta, .. } => LearningRate::Fixed {
                gamma0: prefactor,
                delta,
            },
            LearningRate::Optimal { .. } => LearningRate::Optimal { gamma0: prefactor },
            LearningRate::Authors { .. } => LearningRate::Authors { c: prefactor },
        }
    }

    /// The learning rate gamma and its exponent delta = -log_d(gamma / gamma0-like prefactor)
    /// for dimension `d`, batch `nb`, `p` neurons, information exponent `l`, protocol `loss`.
    pub fn resolve(&self, d: u64, nb: f64, p: usize, l: u32, loss: Loss) -> (f64, f64) {
        let df = d as f64;
        let mu = nb.ln() / df.ln();
        match *self {
            LearningRate::Fixed { gamma0, delta } => (gamma0 * df.powf(-delta), delta),
            LearningRate::Optimal { gamma0 } => {
                let delta = optimal_delta(loss, mu, l);
                (gamma0 * df.powf(-delta), delta)
            }
            LearningRate::Authors { c } => {
                let gamma = c * nb * p as f64 * df.powf(-(l as f64) / 2.0);
                (gamma, -(gamma / c).ln() / df.ln())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_exponents_follow_the_paper() {
        assert_eq!(optimal_delta(Loss::Mse, 1.0, 3), 0.5);
        assert_eq!(optimal_delta(Loss::Mse, 1.75, 3), 0.0);
        assert_eq!(optimal_delta(Loss::Correlation, 1.75, 3), -0.25);
        assert_eq!(optimal_delta(Loss::Adaptive, 3.0, 3), -1.0);
    }

    #[test]
    fn authors_convention() {
        // gamma = c nb p d^(-3/2)
        let (g, _) = LearningRate::Authors { c: 0.032 }.resolve(256, 16384.0, 4, 3, Loss::Mse);
        assert!((g - 0.032 * 16384.0 * 4.0 / 4096.0).abs() < 1e-12);
        assert_eq!(BatchScaling { n0: 1.0, mu: 1.75 }.resolve(256), 16384.0);
    }
}
