//! The asymptotic regimes of the overlap recursion (SCIENCE.md section 5; paper Fig. 3 left)
//! for gamma = gamma0 d^(-delta) and n_b = n0 d^mu as d -> infinity.
//!
//! Per step, the gradient terms are O(gamma) = d^(-delta), the noise term is
//! O(gamma^2 d / n_b) = d^(1 - 2 delta - mu); on the time scale where the gradient moves the
//! overlaps by O(1) (1/gamma steps) the noise term contributes d^(1 - delta - mu):
//!
//! | regime | condition | surviving terms |
//! |---|---|---|
//! | population flow | delta + mu > 1 | gradient only (gradient flow on the population risk) |
//! | Saad & Solla line | delta + mu = 1 | gradient + noise (the classical online ODEs) |
//! | noise learning | delta + mu < 1 < 2 delta + mu | noise only: the student diffuses, nothing is learned |
//! | undefined | 2 delta + mu <= 1 or delta < 0 | the noise term is O(1) per step: no deterministic limit |

use super::overlap_recursion::Terms;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default tolerance on |delta + mu - 1| for the Saad & Solla line (and on |2 delta + mu - 1|).
pub const LINE_TOLERANCE: f64 = 1e-9;

/// An asymptotic regime of (delta, mu).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// delta + mu > 1.
    PopulationFlow,
    /// delta + mu = 1.
    SaadSollaLine,
    /// delta + mu < 1 < 2 delta + mu.
    NoiseLearning,
    /// 2 delta + mu <= 1 or delta < 0.
    Undefined,
}

/// Classifies (delta, mu) with [`LINE_TOLERANCE`]; see [`classify_regime_with_tolerance`].
pub fn classify_regime(delta: f64, mu: f64) -> Regime {
    classify_regime_with_tolerance(delta, mu, LINE_TOLERANCE)
}

/// Classifies (delta, mu): undefined if delta < 0 (beyond `tolerance`), not finite, or
/// 2 delta + mu <= 1 (within `tolerance`); the Saad & Solla line if |delta + mu - 1| <=
/// `tolerance`; population flow if delta + mu > 1; noise learning otherwise.
pub fn classify_regime_with_tolerance(delta: f64, mu: f64, tolerance: f64) -> Regime {
    let tolerance = if tolerance.is_finite() {
        tolerance.abs()
    } else {
        LINE_TOLERANCE
    };
    if !delta.is_finite() || !mu.is_finite() || delta < -tolerance {
        return Regime::Undefined;
    }
    let s = delta + mu - 1.0;
    if s.abs() <= tolerance {
        return Regime::SaadSollaLine;
    }
    if s > 0.0 {
        return Regime::PopulationFlow;
    }
    if 2.0 * delta + mu - 1.0 > tolerance {
        Regime::NoiseLearning
    } else {
        Regime::Undefined
    }
}

impl Regime {
    /// All regimes, in the order of the paper's figure legend.
    pub const ALL: [Regime; 4] = [
        Regime::PopulationFlow,
        Regime::SaadSollaLine,
        Regime::NoiseLearning,
        Regime::Undefined,
    ];

    /// Short label for the UI.
    pub fn label(&self) -> &'static str {
        match self {
            Regime::PopulationFlow => "population flow",
            Regime::SaadSollaLine => "Saad & Solla line",
            Regime::NoiseLearning => "noise learning",
            Regime::Undefined => "undefined",
        }
    }

    /// The defining condition on (delta, mu).
    pub fn condition(&self) -> &'static str {
        match self {
            Regime::PopulationFlow => "delta + mu > 1",
            Regime::SaadSollaLine => "delta + mu = 1",
            Regime::NoiseLearning => "delta + mu < 1 < 2 delta + mu",
            Regime::Undefined => "2 delta + mu <= 1 or delta < 0",
        }
    }

    /// One-line explanation.
    pub fn explanation(&self) -> &'static str {
        match self {
            Regime::PopulationFlow => {
                "the batch averages out the SGD noise: only the order-gamma gradient terms survive and the overlaps follow gradient flow on the population risk"
            }
            Regime::SaadSollaLine => {
                "gradient and SGD-noise terms are of the same order: the classical Saad & Solla online-learning ODEs, with a noise-limited plateau"
            }
            Regime::NoiseLearning => {
                "the SGD-noise term dominates the gradient: the student diffuses on the sphere and nothing is learned (the risk stays high)"
            }
            Regime::Undefined => {
                "the step is too large (the noise term is order one per step, or gamma grows with d): no deterministic limit"
            }
        }
    }

    /// The terms of the recursion that survive as d -> infinity (`None` when undefined).
    /// The mean-step term is O(gamma) relative to the gradient term and is dropped.
    pub fn surviving_terms(&self) -> Option<Terms> {
        match self {
            Regime::PopulationFlow => Some(Terms {
                gradient: true,
                noise: false,
                mean_step: false,
            }),
            Regime::SaadSollaLine => Some(Terms {
                gradient: true,
                noise: true,
                mean_step: false,
            }),
            Regime::NoiseLearning => Some(Terms {
                gradient: false,
                noise: true,
                mean_step: false,
            }),
            Regime::Undefined => None,
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
