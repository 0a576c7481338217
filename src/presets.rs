//! The paper's figures as one-click presets (docs/science.md §8). Every "what to look for"
//! sentence is checked against its run by `tests/preset_captions.rs` and `tests/preset_captions_beyond.rs`. Each preset is a list of lab
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

/// The preset a page opened without a URL hash shows: both protocols at three batch sizes
/// on their optimal rates, eight seeds each.
pub const BATCH_SIZE_STORY: &str = "batch-size";

/// Every preset, in menu order.
pub const PRESETS: [Preset; 18] = [
    Preset {
        id: BATCH_SIZE_STORY,
        title: "The batch-size story · He₃, μ = 1, 1.5, 2, 8 seeds",
        explanation: "Eight seeds per batch size (bands: median and 25–75% of max_j ‖M_j‖ up to η; below: the escape times). In steps, both protocols speed up like d^(l−1)/n_b as n_b grows from d to d^1.5 = d^(l/2): plain SGD from 7 970 to 610 steps, correlation loss from 5 630 to 162. Below d^(l/2) plain SGD is slower only by a constant factor (1.4× at n_b = d, 3.8× at the critical batch d^1.5, where half its seeds take 900–1 300 steps): its self-interaction noise, not a different exponent. Beyond d^(l/2) plain SGD stops gaining (about 140 steps at n_b = d², some 18× correlation loss's 8). Switch the axis to samples: correlation loss needs about the same 5–8 M samples at every batch size, plain SGD 8 M, 20 M and 150 M.",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1,1.5,2"), ("gamma0", "0.01"), ("delta", "optimal"), ("steps", "60000"), ("seed", "1"), ("seeds", "8"), ("clt_threshold", "524288"), ("panels", "mse,correlation"), ("log", "1"), ("unit", "steps")],
    },
    Preset {
        id: "fig2-mu1",
        title: "Fig. 2 · He₃, μ = 1 (n_b = d)",
        explanation: "Both protocols need a constant times d^(l−1)/n_b = 1024 steps (γ = c·n_b·d^(−3/2), c = 0.01). Over seeds 1–8 the median escapes are 8.0k steps (plain SGD) and 5.6k (correlation loss): a constant factor from plain SGD's self-interaction noise, not a different exponent; single plain-SGD seeds range from 4k to 29k, so try a few. Plain SGD ends at the noise floor, correlation loss stalls at M ≈ 0.985 (its error term y never vanishes).",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1"), ("c", "0.01"), ("steps", "40000"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "fig2-mu1.5",
        title: "Fig. 2 · He₃, μ = 1.5 (n_b = d^(l/2))",
        explanation: "At the critical batch n_b = d^(l/2) = 32 768 correlation loss needs about d^(1/2) = 32 times fewer steps than at n_b = d (median over seeds 1–8: 162 steps, 35× fewer than the μ = 1 preset), for the same number of samples: switch the time axis to samples to see it. Plain SGD's escape times are broad here: seeds 1–4 escape after 102–304 steps, seeds 5–8 after 915–1291 (median 610, 13× fewer).",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1.5"), ("c", "0.01"), ("steps", "2000"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "fig2-mu1.75",
        title: "Fig. 2 · He₃, μ = 1.75 (beyond d^(l/2))",
        explanation: "Beyond n_b = d^(l/2) plain SGD cannot use the larger rate the batch allows: at γ = c·n_b·d^(−3/2) = 0.057 (correlation loss's rate) its self-interaction noise drowns the weak initial drift and it never escapes (seeds 1–8), while correlation loss escapes in about 34 steps. This is the rate over-scaled at finite d, not the asymptotic plateau: at its own optimal rate γ = 0.01 (δ = 0) plain SGD escapes after about 130 ≈ 4·√d steps, still 4× slower.",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1.75"), ("c", "0.01"), ("steps", "300"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "separation-large-d",
        title: "Wide student, μ = 1.75, at large d (exact sampler)",
        explanation: "The wide-student figure at d = 4096 instead of 256: n_b = d^1.75 = 2·10⁶ samples per step, simulated exactly at a cost independent of d. γ = c·n_b·p·d^(−3/2) ≈ 1 grows like d^(μ−l/2): at d = 256 plain SGD learns then forgets, here it fails in 3 of seeds 1–8 (it stays at its initial risk) and escapes later than correlation loss in the others (8–19 steps); correlation loss learns in every seed (median 14 steps).",
        pairs: &[("target", "he3"), ("p", "4"), ("d", "4096"), ("mu", "1.75"), ("c", "0.032"), ("steps", "40"), ("seed", "2"), ("sampler", "exact"), ("panels", "mse,correlation"), ("log", "0")],
    },
    Preset {
        id: "wide-mu1",
        title: "Wide student · p = 4, μ = 1",
        explanation: "Four neurons, one teacher direction (d = 256, c = 0.005): max_j M_j1 escapes after a constant times d^(l−1)/n_b = 256 steps, the same for both protocols below the critical batch (medians over seeds 1–8: 2.0k steps for both protocols; one seed of each has not escaped after 3000 steps).",
        pairs: &[("target", "he3"), ("p", "4"), ("d", "256"), ("mu", "1"), ("c", "0.005"), ("steps", "3000"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "wide-mu1.75",
        title: "Wide student · p = 4, μ = 1.75",
        explanation: "Large batches (n_b = d^1.75 = 16 384 at d = 256) and the authors' rate c = 0.032 (γ = 0.51): both reach weak recovery in a handful of steps (medians 4 and 6 over seeds 1–8), but the rate is over-scaled for plain SGD at this d and throws it off again in some seeds (2 of seeds 1–8 end with max M < 0.1), while correlation loss stays at M ≈ 0.96. A finite-d effect of the rate: compare the large-d preset.",
        pairs: &[("target", "he3"), ("p", "4"), ("d", "256"), ("mu", "1.75"), ("c", "0.032"), ("steps", "50"), ("seed", "1"), ("panels", "mse,correlation"), ("log", "0")],
    },
    Preset {
        id: "regime-noise-learning",
        title: "Fig. 3 · noise learning (erf, p = k = 2)",
        explanation: "n_b = 10, γ = 0.3 d^(−1/8): δ + μ = 3/8 < 1, so the SGD noise beats the gradient; here it is even order one per step (γ²d/n_b ≈ 9, 2δ + μ = 1/2), and the projection keeps re-randomising the student: max_j ‖M_j‖ stays below 0.15 and the risk ends above its start (0.24 vs 0.17, seeds 1–8). Dashed: the overlap recursion.",
        pairs: &[("target", "erf"), ("p", "2"), ("k", "2"), ("d", "10000"), ("noise", "0.01"), ("init", "m0"), ("m0", "0"), ("nb", "10"), ("gamma0", "0.3"), ("delta", "0.125"), ("steps", "10000"), ("panels", "mse"), ("theory", "1"), ("log", "1")],
    },
    Preset {
        id: "regime-saad-solla",
        title: "Fig. 3 · Saad & Solla line (erf, p = k = 2)",
        explanation: "n_b = 100, γ = 8 d^(−1/2): δ + μ = 1, the classical online-learning ODEs; the risk falls to a low plateau set by the SGD noise (0.032 at step 5000, 0.027 at 10⁴, from 0.17). Dashed: the overlap recursion.",
        pairs: &[("target", "erf"), ("p", "2"), ("k", "2"), ("d", "10000"), ("noise", "0.01"), ("init", "m0"), ("m0", "0"), ("nb", "100"), ("gamma0", "8"), ("delta", "0.5"), ("steps", "10000"), ("panels", "mse"), ("theory", "1"), ("log", "1")],
    },
    Preset {
        id: "regime-population-flow",
        title: "Fig. 3 · population flow (erf, p = k = 2)",
        explanation: "n_b = 100, γ = 10 d^(−1): δ + μ > 1, gradient flow on the population risk: the noise averages out and the risk keeps decreasing through the run (0.14, 0.05, 0.019 at steps 10³, 5·10³, 10⁴). Dashed: the overlap recursion.",
        pairs: &[("target", "erf"), ("p", "2"), ("k", "2"), ("d", "10000"), ("noise", "0.01"), ("init", "m0"), ("m0", "0"), ("nb", "100"), ("gamma0", "10"), ("delta", "1"), ("steps", "10000"), ("panels", "mse"), ("theory", "1"), ("log", "1")],
    },
    Preset {
        id: "second-layer",
        title: "Second layer a₀ = 0.1 · He₃, μ = 1, 8 seeds",
        explanation: "a₀ = 0.1 and γ = 0.1 d^(−1/2), so γ·a₀ is the batch-size story's optimal rate. Correlation loss depends on γ·a₀ only (its step is γ a₀ σ'(λ) y), while plain SGD's self-interaction term is a₀ times smaller: over seeds 1–8 its escapes (median 5 450 steps, slowest 8 330) match correlation loss's (median 5 630), where plain SGD at a₀ = 1 took a median 7 970 steps with seeds up to 28 750 (the batch-size story). The price comes after the escape: a fixed a₀ cannot fit the target's scale, so the risk stays near 3(1 − a₀)² = 2.43 instead of Δ/2 (README: the a₀ ablation).",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1"), ("gamma0", "0.1"), ("delta", "0.5"), ("a0", "0.1"), ("steps", "60000"), ("seed", "1"), ("seeds", "8"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "second-layer-trained",
        title: "Trained second layer · He₃, a₀ = 0.1, γ_a = 4·10⁻⁵, 8 seeds",
        explanation: "Every a_j starts at a₀ = 0.1 and is trained by MSE at the rate γ_a = 4·10⁻⁵ (d = n_b = 256, γ·a₀ = 0.01 d^(−1/2)). Plain SGD escapes like a small fixed a₀ (median 1 967 steps, slowest seed 2 789; at a₀ = 1 it takes a median 2 460 and up to 5 935), then a_j grows to 1 as M → 1: the risk falls below 10⁻³ after a median 25 300 steps and ends at 3·10⁻⁶, near the noise floor, with no loss switch (a fixed a₀ = 0.1 stays at 2.47). Correlation loss's first layer ignores f, so a growing a only raises its rate: it stalls at risk 1.46. The second layer must learn slower than the escape: at γ_a = 6.4·10⁻⁴ it first shrinks a towards the fit of M ≈ 0 (a ≈ M³ ≈ 0), which switches the first layer off, and no seed escapes (README: the trained second layer).",
        pairs: &[("target", "he3"), ("d", "256"), ("mu", "1"), ("gamma0", "0.1"), ("delta", "0.5"), ("a0", "0.1"), ("a_gamma", "4e-5"), ("steps", "40000"), ("seed", "1"), ("seeds", "8"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "student-tanh",
        title: "A tanh student on He₃ · both losses at γ₀ = 10, 8 seeds",
        explanation: "The teacher is He₃, the student tanh (d = n_b = 256, γ = 10 d^(−1/2), seeds 0–7). tanh carries a He₃ component, so it learns the target, and its derivative is bounded (|σ'| ≤ 1): the step noise that forces a He₃ student's plain SGD down to γ₀ = 0.01 (median 2 460 steps) is small, and both losses run at the same γ₀ = 10, escaping in a median 42 steps. The protocols' gap is the He₃ student's (README: the student activation, where a He₃ student's correlation loss takes γ₀ = 1 and 92 steps).",
        pairs: &[("target", "he3"), ("activation", "tanh"), ("d", "256"), ("mu", "1"), ("gamma0", "10"), ("delta", "0.5"), ("steps", "20000"), ("seed", "0"), ("seeds", "8"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "spiked-covariance",
        title: "Spiked covariance · He₃, a spike β = 1 along w*, 8 seeds",
        explanation: "The inputs have variance 1 + β = 2 along the teacher direction (x ~ N(0, I + w* w*ᵀ), d = n_b = 1024, γ = 0.01 d^(−1/2), seeds 0–7; the labels are not renormalised). Correlation loss escapes in a median 769 steps, against 6 565 with isotropic inputs: the He₃ signal it climbs is 6(1 + β)³ M³ instead of 6 M³. Plain SGD does not escape (no seed within 20 000 steps; M decays from 1/√d): its own output variance grows along the spike, 6(1 + βM²)³, a restoring force linear in M that the order-M² signal cannot beat. At β = 3 the signal wins and both escape (README: the spiked covariance).",
        pairs: &[("target", "he3"), ("d", "1024"), ("mu", "1"), ("gamma0", "0.01"), ("delta", "0.5"), ("covariance", r#"{"spikes":[{"beta":1,"teacher":[1]}]}"#), ("steps", "20000"), ("seed", "0"), ("seeds", "8"), ("panels", "mse,correlation"), ("log", "1")],
    },
    Preset {
        id: "adaptive",
        title: "Adaptive protocol · He₃, μ = 1.85",
        explanation: "Plain SGD stays at its initial risk (the rate is over-scaled for it); correlation loss escapes in about 6 steps but stalls at M ≈ 0.98, risk ≈ 0.3. With a_j = 1 and unit-norm neurons there is no scale to learn: this plateau is correlation loss's noise floor (its error y does not vanish at the optimum; at a ten times smaller rate it stalls at 0.09). The adaptive protocol switches to MSE after the escape and goes down to the noise floor Δ/2 = 5·10⁻⁷.",
        pairs: &[("target", "he3"), ("d", "512"), ("mu", "1.85"), ("c", "0.032"), ("noise", "1e-6"), ("steps", "100"), ("seed", "1"), ("panels", "mse,correlation,adaptive"), ("log", "0")],
    },
    Preset {
        id: "staircase",
        title: "Multi-index staircase · z₁ + z₁z₂ + z₁z₂z₃, k = p = 3",
        explanation: "Leap index 1, information exponent 1 (both computed from the Hermite support; the leap in the given basis). Three tanh units, n_b = d = 256, γ = 0.5: max_j |M_j1| passes 0.25 within 10 steps (z₁ is a degree-1 term), then a plateau: z₂ and z₃ pass 0.25 only after 40 steps or more, in every one of seeds 1–6 later than z₁. (An odd σ has no He₂ part, so it does not see z₁z₂; the next term it sees, z₁z₂z₃, brings both new directions.) Compare the parity preset at the same d.",
        pairs: &[("target", r#"{"hermite":[[1,[1,0,0]],[1,[1,1,0]],[1,[1,1,1]]]}"#), ("k", "3"), ("p", "3"), ("activation", "tanh"), ("d", "256"), ("nb", "256"), ("gamma", "0.5"), ("steps", "300"), ("seed", "1"), ("sampler", "exact"), ("panels", "mse"), ("log", "0")],
    },
    Preset {
        id: "parity",
        title: "Multi-index parity · z₁z₂z₃, k = p = 3",
        explanation: "Leap index 3 = information exponent 3: the only term brings all three directions at once. Same units, d, n_b and γ as the staircase preset, where z₁ is learned within 10 steps: here no direction reaches max_j |M_jr| = 0.25 in 300 steps (seeds 1–6).",
        pairs: &[("target", r#"{"hermite":[[1,[1,1,1]]]}"#), ("k", "3"), ("p", "3"), ("activation", "tanh"), ("d", "256"), ("nb", "256"), ("gamma", "0.5"), ("steps", "300"), ("seed", "1"), ("sampler", "exact"), ("panels", "mse"), ("log", "0")],
    },
    Preset {
        id: "odd-student",
        title: "Multi-index · He₃(z₁) + z₁He₃(z₂), a tanh student",
        explanation: "Leap index 3 and information exponent 3 (from the Hermite support), so the leap predicts two degree-3 escapes one after the other. Two tanh units, correlation loss, n_b = d = 256, γ = 0.1: max_j |M_j1| passes 0.5 after a median 425 steps over seeds 1–6 (the He₃(z₁) escape), but z₂ is never learned: over the last 2 000 of the 4 000 steps every |M_j2| stays below 0.1, the 1/√d = 0.06 level it starts at. z₁He₃(z₂) is even under x → −x and tanh is odd, so no unit's gradient ever correlates with it, whatever its direction: the leap counts degrees and assumes a student that can express every term.",
        pairs: &[("target", r#"{"hermite":[[1,[3,0]],[1,[1,3]]]}"#), ("k", "2"), ("p", "2"), ("activation", "tanh"), ("d", "256"), ("nb", "256"), ("gamma", "0.1"), ("steps", "4000"), ("seed", "1"), ("sampler", "exact"), ("panels", "correlation"), ("log", "0")],
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
