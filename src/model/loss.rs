//! The three training protocols of the paper, as the per-sample error term e in
//! w_j <- w_j + (gamma / (n_b p)) sum_u a_j sigma'(lambda_j^u) e^u x^u.
//!
//! * MSE (plain SGD): e = y - f(x), the gradient of (1/2)(y - f)^2.
//! * Correlation loss: e = y, the gradient of -y f(x): the network's self-interaction is
//!   dropped (equivalently the second layer vanishes at initialisation).
//! * Adaptive (paper appendix): correlation loss until the population risk falls below
//!   `threshold` times its initial value, then MSE, with gamma multiplied by `jump` at the
//!   switch and by `decay` after every MSE step.

use serde::{Deserialize, Serialize};

/// Which loss the SGD step differentiates.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Loss {
    /// Plain SGD on (1/2)(y - f)^2: e = y - f.
    Mse,
    /// Correlation loss -y f: e = y.
    Correlation,
    /// Correlation loss, then MSE once the risk has dropped (see [`AdaptiveSchedule`]).
    Adaptive,
}

/// The loss actually differentiated at one step (the adaptive protocol alternates between them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepLoss {
    /// e = y - f.
    Mse,
    /// e = y.
    Correlation,
}

impl StepLoss {
    /// The error term e for label `y` and network output `f`.
    #[inline]
    pub fn error(self, y: f64, f: f64) -> f64 {
        match self {
            StepLoss::Mse => y - f,
            StepLoss::Correlation => y,
        }
    }
}

/// Settings of the adaptive protocol.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptiveSchedule {
    /// Switch to MSE once R(t) < threshold * R(0). Paper: 0.6.
    pub threshold: f64,
    /// gamma <- decay * gamma after every MSE step. Paper: 0.995.
    pub decay: f64,
    /// gamma <- jump * gamma at the switch. Authors' code: 0.1.
    pub jump: f64,
}

impl Default for AdaptiveSchedule {
    fn default() -> Self {
        AdaptiveSchedule {
            threshold: 0.6,
            decay: 0.995,
            jump: 0.1,
        }
    }
}

impl Loss {
    /// All protocols, in display order.
    pub const ALL: [Loss; 3] = [Loss::Mse, Loss::Correlation, Loss::Adaptive];

    /// The loss of the first step.
    pub fn initial_step_loss(self) -> StepLoss {
        match self {
            Loss::Mse => StepLoss::Mse,
            Loss::Correlation | Loss::Adaptive => StepLoss::Correlation,
        }
    }

    /// The step losses a run of this protocol may take: its own, or both for the adaptive
    /// protocol (correlation first, MSE after the switch).
    pub fn step_losses(self) -> &'static [StepLoss] {
        match self {
            Loss::Mse => &[StepLoss::Mse],
            Loss::Correlation => &[StepLoss::Correlation],
            Loss::Adaptive => &[StepLoss::Correlation, StepLoss::Mse],
        }
    }

    /// Display name used in the UI.
    pub fn label(self) -> &'static str {
        match self {
            Loss::Mse => "MSE SGD",
            Loss::Correlation => "Correlation-loss SGD",
            Loss::Adaptive => "Adaptive SGD",
        }
    }
}
