//! The asymptotic regimes of projected online SGD (paper Fig. 3 left) for
//! gamma = gamma0 d^(-delta) and n_b = n0 d^mu as d -> infinity.
//!
//! # Orders of the three kinds of terms
//! One step of the overlap recursion moves the overlaps by three kinds of terms:
//! * the gradient (drift) terms, order gamma = d^(-delta);
//! * the SGD-noise term gamma^2 (d / n_b) phiHD, order d^(1 - 2 delta - mu) (the squared norm
//!   of the per-step fluctuation, which the projection divides out);
//! * the mean-step term gamma^2 |E step|^2, order d^(-2 delta), always below the drift when
//!   gamma -> 0.
//!
//! Two questions decide the regime:
//! 1. Which wins on the drift's own time scale (1/gamma steps)? The noise accumulates
//!    d^(1 - 2 delta - mu) / d^(-delta) = d^(1 - delta - mu) relative to the drift: the noise
//!    wins when delta + mu < 1, they balance on delta + mu = 1, the drift wins above.
//! 2. Is there a continuous-time limit? Only if every per-step term vanishes: delta > 0 and
//!    2 delta + mu > 1.
//!
//! # The labels, for a projected run
//! | regime | condition | what a run does |
//! |---|---|---|
//! | population flow | delta + mu > 1, delta > 0 | gradient flow on the population risk (drift only) |
//! | Saad & Solla line | delta + mu = 1, delta > 0 | the classical online ODEs: drift + noise, a noise-set plateau |
//! | noise learning | delta + mu < 1 | the noise beats the drift: the projection keeps the student near a random direction and nothing is learned; if also 2 delta + mu <= 1 the noise is order one or larger per step (no continuous-time limit, but the projected map is still well defined) |
//! | undefined | delta <= 0, delta + mu >= 1 | gamma does not vanish: the drift moves the overlaps by order one per step (large or "giant" steps); no continuous-time limit |
//!
//! The authors' noise-learning setting of Fig. 3 (n_b = 10, gamma = 0.3 d^(-1/8): mu = 1/4,
//! delta = 1/8) has delta + mu = 3/8 < 1, so it is noise learning; with 2 delta + mu = 1/2 it is
//! of the strong kind (gamma^2 d / n_b = 9 per step at d = 10^4, growing like d^(1/2)).
//!
//! A learning rate given as a bare number has no delta, hence no regime.

use super::overlap_recursion::Terms;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default tolerance on |delta + mu - 1| for the Saad & Solla line (and on delta = 0,
/// 2 delta + mu = 1).
pub const LINE_TOLERANCE: f64 = 1e-9;

/// An asymptotic regime of (delta, mu) for projected SGD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// delta + mu > 1 and delta > 0: drift only.
    PopulationFlow,
    /// delta + mu = 1 and delta > 0: drift and noise.
    SaadSollaLine,
    /// delta + mu < 1: the noise beats the drift.
    NoiseLearning,
    /// delta <= 0 and delta + mu >= 1: order-one steps driven by the drift.
    Undefined,
}

/// Classifies (delta, mu) with [`LINE_TOLERANCE`]; see [`classify_regime_with_tolerance`].
pub fn classify_regime(delta: f64, mu: f64) -> Regime {
    classify_regime_with_tolerance(delta, mu, LINE_TOLERANCE)
}

/// Classifies (delta, mu) by the orders of the recursion's terms (module documentation):
/// noise learning if delta + mu < 1 (beyond `tolerance`); otherwise undefined if
/// delta <= 0 (within `tolerance`) or an input is not finite; the Saad & Solla line if
/// |delta + mu - 1| <= `tolerance`; population flow otherwise.
pub fn classify_regime_with_tolerance(delta: f64, mu: f64, tolerance: f64) -> Regime {
    let tolerance = if tolerance.is_finite() {
        tolerance.abs()
    } else {
        LINE_TOLERANCE
    };
    if !delta.is_finite() || !mu.is_finite() {
        return Regime::Undefined;
    }
    let s = delta + mu - 1.0;
    if s < -tolerance {
        return Regime::NoiseLearning;
    }
    if delta <= tolerance {
        return Regime::Undefined;
    }
    if s.abs() <= tolerance {
        Regime::SaadSollaLine
    } else {
        Regime::PopulationFlow
    }
}

/// true when every per-step term vanishes as d grows (delta > 0 and 2 delta + mu > 1), so the
/// recursion has a continuous-time (ODE) limit.
pub fn has_continuous_time_limit(delta: f64, mu: f64) -> bool {
    delta.is_finite()
        && mu.is_finite()
        && delta > LINE_TOLERANCE
        && 2.0 * delta + mu - 1.0 > LINE_TOLERANCE
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
            Regime::PopulationFlow => "delta + mu > 1, delta > 0",
            Regime::SaadSollaLine => "delta + mu = 1, delta > 0",
            Regime::NoiseLearning => "delta + mu < 1",
            Regime::Undefined => "delta <= 0, delta + mu >= 1",
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
                "the SGD-noise term beats the gradient by d^(1 - delta - mu): the projection keeps the student near a random direction and nothing is learned (the risk stays at the random-student level)"
            }
            Regime::Undefined => {
                "gamma does not vanish with d: the gradient moves the overlaps by order one per step (large steps), so there is no continuous-time limit"
            }
        }
    }

    /// The terms of the recursion that survive as d -> infinity (`None` when undefined: with
    /// order-one steps every term, the mean-step one included, matters). The mean-step term
    /// is O(gamma) relative to the gradient term and is dropped.
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
