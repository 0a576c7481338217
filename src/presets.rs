//! The paper's figures as one-click presets (SCIENCE.md section 8). Each preset is a list of lab
//! key/value pairs ([`crate::lab_state`]), so it goes through exactly the validation of a URL
//! and can be shared as `#preset=<id>`.

use crate::lab_state::{FieldError, LabState};

/// A named setting with what to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Stable id, used in URLs (`#preset=fig2-mu1`).
    pub id: &'static str,
    /// Menu title.
    pub title: &'static str,
    /// One line: what to look for.
    pub explanation: &'static str,
    /// The lab keys it sets (everything else stays at its default).
    pub pairs: &'static [(&'static str, &'static str)],
}

/// Every preset, in menu order.
pub const PRESETS: [Preset; 10] = [
    Preset {
        id: "fig2-mu1",
        title: "Fig. 2 · He₃, μ = 1 (n_b = d)",
        explanation: "Both protocols learn after ~d^(l−1)/n_b steps (γ = c·n_b·d^(−3/2), c = 0.01); correlation loss escapes first because plain SGD's self-interaction term adds noise. Escape times vary a lot between seeds: try a few.",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1"), ("c", "0.01"), ("steps", "40000"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "fig2-mu1.5",
        title: "Fig. 2 · He₃, μ = 1.5 (n_b = d^(l/2))",
        explanation: "At the critical batch size n_b = d^(l/2) both protocols need ~d^(1/2) times fewer steps than at n_b = d, for the same number of samples (switch the time axis to samples to see it).",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1.5"), ("c", "0.01"), ("steps", "2000"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "fig2-mu1.75",
        title: "Fig. 2 · He₃, μ = 1.75 (beyond d^(l/2))",
        explanation: "Beyond n_b = d^(l/2) plain SGD cannot use the larger learning rate the batch allows: with γ = c·n_b·d^(−3/2) it never escapes, while correlation loss learns in a few steps.",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1.75"), ("c", "0.01"), ("steps", "300"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "separation-large-d",
        title: "Wide student, μ = 1.75, at large d (exact sampler)",
        explanation: "The wide-student figure at d = 4096 instead of 256: n_b = d^1.75 = 2·10⁶ samples per step, simulated exactly at a cost independent of d. γ = c·n_b·p·d^(−3/2) grows like d^(μ−l/2): at d = 256 plain SGD learns then forgets, here it mostly fails to escape; correlation loss learns in ~15 steps.",
        pairs: &[("target", "he3"), ("p", "4"), ("d", "4096"), ("mu", "1.75"), ("c", "0.032"), ("steps", "40"), ("seed", "2"), ("sampler", "exact"), ("panels", "mse,correlation"), ("log", "0")],
    },
    Preset {
        id: "wide-mu1",
        title: "Wide student · p = 4, μ = 1",
        explanation: "Four neurons, one teacher direction (d = 256): max_j M_j1 escapes after ~d^(l−1)/n_b steps; the neurons compete and the off-diagonal Q grows as they align.",
        pairs: &[("target", "he3"), ("p", "4"), ("d", "256"), ("mu", "1"), ("c", "0.005"), ("steps", "3000"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "wide-mu1.75",
        title: "Wide student · p = 4, μ = 1.75",
        explanation: "Large batches (n_b = d^1.75 = 16 384 at d = 256) and the authors' rate c = 0.032: both reach weak recovery in a handful of steps, but plain SGD's large learning rate throws it off again (finite d: compare the large-d preset).",
        pairs: &[("target", "he3"), ("p", "4"), ("d", "256"), ("mu", "1.75"), ("c", "0.032"), ("steps", "50"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "0")],
    },
    Preset {
        id: "regime-noise-learning",
        title: "Fig. 3 · noise learning (erf, p = k = 2)",
        explanation: "n_b = 10, γ = 0.3 d^(−1/8): δ + μ < 1, the SGD noise term dominates and the risk plateaus high, above its start. Dashed: the overlap recursion. (Here 2δ + μ = 1/2 < 1, which the classifier calls 'undefined'; the paper calls this setting noise learning.)",
        pairs: &[("target", "erf"), ("p", "2"), ("k", "2"), ("d", "10000"), ("noise", "0.01"), ("init", "m0"), ("m0", "0"), ("nb", "10"), ("gamma0", "0.3"), ("delta", "0.125"), ("steps", "10000"), ("panels", "mse"), ("theory", "1"), ("log", "1")],
    },
    Preset {
        id: "regime-saad-solla",
        title: "Fig. 3 · Saad & Solla line (erf, p = k = 2)",
        explanation: "n_b = 100, γ = 8 d^(−1/2): δ + μ = 1, the classical online-learning ODEs; the risk decreases and plateaus low, at a level set by the noise. Dashed: the overlap recursion.",
        pairs: &[("target", "erf"), ("p", "2"), ("k", "2"), ("d", "10000"), ("noise", "0.01"), ("init", "m0"), ("m0", "0"), ("nb", "100"), ("gamma0", "8"), ("delta", "0.5"), ("steps", "10000"), ("panels", "mse"), ("theory", "1"), ("log", "1")],
    },
    Preset {
        id: "regime-population-flow",
        title: "Fig. 3 · population flow (erf, p = k = 2)",
        explanation: "n_b = 100, γ = 10 d^(−1): δ + μ > 1, gradient flow on the population risk; the risk keeps decreasing. Dashed: the overlap recursion.",
        pairs: &[("target", "erf"), ("p", "2"), ("k", "2"), ("d", "10000"), ("noise", "0.01"), ("init", "m0"), ("m0", "0"), ("nb", "100"), ("gamma0", "10"), ("delta", "1"), ("steps", "10000"), ("panels", "mse"), ("theory", "1"), ("log", "1")],
    },
    Preset {
        id: "adaptive",
        title: "Adaptive protocol · He₃, μ = 1.85",
        explanation: "Plain SGD stays at its initial risk, correlation loss learns the direction but stalls on a plateau (it cannot fit the scale), the adaptive protocol switches to MSE and goes down to the noise floor.",
        pairs: &[("target", "he3"), ("d", "512"), ("mu", "1.85"), ("c", "0.032"), ("noise", "1e-6"), ("steps", "100"), ("seed", "1"), ("panels", "mse,correlation,adaptive"), ("log", "0")],
    },
];

/// The preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

impl Preset {
    /// The lab state of this preset.
    pub fn state(&self) -> Result<LabState, Vec<FieldError>> {
        let mut pairs: Vec<(&str, &str)> = self.pairs.to_vec();
        pairs.push(("preset", self.id));
        LabState::from_pairs(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_round_trips_through_a_url() {
        for p in PRESETS {
            let state = p.state().unwrap_or_else(|e| panic!("{}: {e:?}", p.id));
            assert_eq!(state.preset.as_deref(), Some(p.id));
            assert_eq!(
                LabState::from_hash(&state.to_hash()).unwrap(),
                state,
                "{}",
                p.id
            );
        }
        assert!(preset("fig2-mu1").is_some());
        assert!(preset("nope").is_none());
    }
}
