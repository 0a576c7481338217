//! Batch size and learning rate, given directly or by their scaling with d (docs/science.md
//! section 2): n_b = floor(n0 d^mu), gamma = gamma0 d^(-delta).
//!
//! Learning-rate policies:
//! * `fixed`: gamma = gamma0 d^(-delta).
//! * `optimal`: gamma = gamma0 d^(-delta*(mu)) with the protocol's optimal exponent from
//!   [`optimal_learning_rate_exponent`] (the one source of delta*: for l <= 2 it is 1 - mu for
//!   both protocols below n_b = d; for l >= 3 it is l/2 - mu, then 0 for plain SGD beyond
//!   mu = l/2 and (1 - mu)/2 for correlation loss beyond mu = l - 1), mu = log_d n_b, l the
//!   information exponent of the target.
//! * `authors`: the authors' code convention gamma = c n_b p d^(-l/2) = (c p) d^(-(l/2 - mu)),
//!   i.e. gamma0 = c p and delta = l/2 - mu.
//!
//! A learning rate typed as a bare number (`gamma`) has a value but no exponent: it is not a
//! statement about how gamma scales with d, so no delta (and no asymptotic regime) is implied.

use crate::model::Loss;
use crate::theory::scaling_laws::{optimal_learning_rate_exponent, Protocol, ScalingError};
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

/// The scaling-law protocol whose learning rate `loss` uses: MSE is plain SGD; correlation loss
/// and the adaptive protocol (which starts with correlation loss) share correlation loss's.
pub fn rate_protocol(loss: Loss) -> Protocol {
    match loss {
        Loss::Mse => Protocol::PlainSgd,
        Loss::Correlation | Loss::Adaptive => Protocol::CorrelationLoss,
    }
}

/// The optimal delta*(mu, l) of `loss`'s protocol ([`optimal_learning_rate_exponent`]).
pub fn optimal_delta(loss: Loss, mu: f64, l: u32) -> Result<f64, ScalingError> {
    optimal_learning_rate_exponent(rate_protocol(loss), mu, l)
}

/// A resolved learning rate: its value and, when the policy defines them, the prefactor and
/// exponent of gamma = gamma0 d^(-delta) in the user's own parameterisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResolvedRate {
    /// gamma, the number the simulation uses.
    pub gamma: f64,
    /// gamma0: `fixed`/`optimal` as given, `authors`: c p; `None` for a bare gamma.
    pub gamma0: Option<f64>,
    /// delta: `fixed` as given, `optimal`: delta*(mu), `authors`: l/2 - mu; `None` for a bare
    /// gamma.
    pub delta: Option<f64>,
}

impl ResolvedRate {
    /// A bare learning rate: a value with no scaling in d.
    pub fn bare(gamma: f64) -> Self {
        ResolvedRate {
            gamma,
            gamma0: None,
            delta: None,
        }
    }

    /// The rate for status lines: "γ = 1.2800e-1 = γ₀·d^(−δ), γ₀ = 0.128, δ = -0.250", or for
    /// a bare number "γ = 8.0000e-2 (a bare number: no δ, no regime)".
    pub fn describe(&self) -> String {
        match (self.gamma0, self.delta) {
            (Some(gamma0), Some(delta)) => format!(
                "γ = {:.4e} = γ₀·d^(−δ), γ₀ = {}, δ = {:.3}",
                self.gamma,
                short_number(gamma0),
                delta
            ),
            _ => format!("γ = {:.4e} (a bare number: no δ, no regime)", self.gamma),
        }
    }
}

/// A number in at most 4 significant digits, without trailing zeros (0.128, 8, 1.5e-5).
pub fn short_number(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) {
        return format!("{x:.3e}");
    }
    let text = format!("{:.4}", x);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_string()
    } else {
        text.to_string()
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

    /// The learning rate for dimension `d`, batch `nb`, `p` neurons, information exponent `l`
    /// and protocol `loss`, with mu = ln n_b / ln d:
    /// `fixed`: gamma0 d^(-delta); `optimal`: gamma0 d^(-delta*(mu)); `authors`:
    /// c n_b p d^(-l/2), reported as gamma0 = c p, delta = l/2 - mu (the same number).
    pub fn resolve(
        &self,
        d: u64,
        nb: f64,
        p: usize,
        l: u32,
        loss: Loss,
    ) -> Result<ResolvedRate, ScalingError> {
        let df = d as f64;
        let mu = nb.ln() / df.ln();
        let (gamma, gamma0, delta) = match *self {
            LearningRate::Fixed { gamma0, delta } => (gamma0 * df.powf(-delta), gamma0, delta),
            LearningRate::Optimal { gamma0 } => {
                let delta = optimal_delta(loss, mu, l)?;
                (gamma0 * df.powf(-delta), gamma0, delta)
            }
            LearningRate::Authors { c } => {
                let gamma = c * nb * p as f64 * df.powf(-(l as f64) / 2.0);
                (gamma, c * p as f64, l as f64 / 2.0 - mu)
            }
        };
        Ok(ResolvedRate {
            gamma,
            gamma0: Some(gamma0),
            delta: Some(delta),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_exponents_follow_the_paper() {
        assert_eq!(optimal_delta(Loss::Mse, 1.0, 3), Ok(0.5));
        assert_eq!(optimal_delta(Loss::Mse, 1.75, 3), Ok(0.0));
        assert_eq!(optimal_delta(Loss::Correlation, 1.75, 3), Ok(-0.25));
        assert_eq!(optimal_delta(Loss::Adaptive, 3.0, 3), Ok(-1.0));
        // l = 1: gamma = n_b / d for both protocols
        assert_eq!(optimal_delta(Loss::Mse, 0.25, 1), Ok(0.75));
        assert_eq!(optimal_delta(Loss::Correlation, 0.25, 1), Ok(0.75));
    }

    #[test]
    fn authors_convention() {
        // gamma = c nb p d^(-3/2)
        let r = LearningRate::Authors { c: 0.032 }
            .resolve(256, 16384.0, 4, 3, Loss::Mse)
            .unwrap();
        assert!((r.gamma - 0.032 * 16384.0 * 4.0 / 4096.0).abs() < 1e-12);
        // gamma0 = c p and delta = l/2 - mu (mu = 1.75): p is not folded into delta
        assert!((r.gamma0.unwrap() - 0.128).abs() < 1e-15);
        assert!((r.delta.unwrap() + 0.25).abs() < 1e-12);
        let back = r.gamma0.unwrap() * 256f64.powf(-r.delta.unwrap());
        assert!((back - r.gamma).abs() < 1e-12 * r.gamma);
        assert_eq!(BatchScaling { n0: 1.0, mu: 1.75 }.resolve(256), 16384.0);
    }
}
