//! The settings every run, sweep and page state share: the teacher–student model, its
//! initialisation, the sampler and the weak-recovery threshold ([`ModelSettings`]).
//!
//! [`RunConfig`](super::RunConfig) and [`SweepConfig`](crate::sweep::SweepConfig) both hold one
//! `ModelSettings` (flattened: its keys are top-level JSON keys of either file), and the lab
//! page's state holds a `RunConfig`, so a new model setting is declared once, here, with its
//! default, its check in [`ModelSettings::validate`] and its JSON type in
//! [`super::json::field_spec`].

use super::{check_range, ConfigError, MAX_D, MAX_K, MAX_P};
use crate::initialisation::Initialisation;
use crate::model::{AdaptiveSchedule, Link, SpikedCovariance, Target};
use crate::sampler::{SamplerChoice, Update};
use serde::{Deserialize, Serialize};

/// Default CLT threshold of the `auto` sampler, in samples per step.
pub const DEFAULT_CLT_THRESHOLD: u64 = 1 << 22;

/// The model, initialisation, sampler and recovery threshold of a run (JSON keys in
/// parentheses), shared by run, sweep and page configs.
///
/// The student is f(x) = Σ_j σ(w_j · x) with p rows w_j on the unit sphere of R^d; the teacher
/// is y = g(W* x) + sqrt(Δ) ξ with k orthonormal rows w*_r; recovery is measured by the
/// overlaps M = W W*ᵀ (docs/science.md §1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelSettings {
    /// Input dimension d (`d`), in [max(4, 2(p + k)), [`MAX_D`]].
    pub d: u64,
    /// Student hidden units p (`p`), in [1, [`MAX_P`]].
    pub p: usize,
    /// Teacher directions k (`k`), in [1, [`MAX_K`]].
    pub k: usize,
    /// Teacher g (`target`).
    pub target: Target,
    /// Student activation σ (`activation`); defaults to the teacher's link (tanh for
    /// `tanh_product`).
    pub activation: Option<Link>,
    /// Label-noise variance Δ (`noise`), in [0, 1e6].
    pub noise: f64,
    /// Projected or spherical (`update`).
    pub update: Update,
    /// Initial weights (`init: {kind: warm|cold|m0|overlaps, m0, Q, M}`).
    pub init: Initialisation,
    /// Weak-recovery threshold η on max_j ‖M_j‖ (`eta`), in [1e-9, 1].
    pub eta: f64,
    /// Adaptive-protocol settings (`adaptive: {threshold, decay, jump}`), used by the
    /// `adaptive` loss only.
    pub adaptive: AdaptiveSchedule,
    /// Sampler (`sampler`: auto | full | exact | clt; clt needs n_b >=
    /// [`super::MIN_CLT_BATCH`]).
    pub sampler: SamplerChoice,
    /// Above this many samples per step `auto` considers the CLT sampler (`clt_threshold`; it
    /// takes it when its moments are exact or accurate, see [`super::auto_sampler`]).
    pub clt_threshold: u64,
    /// The second layer (`second_layer: {"a0": number, "gamma": number}`): every unit's output
    /// weight starts at a_j = a0 and is trained with rate `gamma` (default a0 = 1, gamma = 0:
    /// f = (1/p) Σ_j σ(λ_j), fixed).
    pub second_layer: SecondLayer,
    /// The input covariance (`covariance: {"spikes": [{"beta", "teacher", "free"}, ...]}`):
    /// x ~ N(0, I + Σ_i β_i v_i v_iᵀ) (docs/science.md §12; default: no spikes, isotropic).
    pub covariance: SpikedCovariance,
}

/// The student's second layer: f(x) = (1/p) Σ_j a_j σ(w_j · x), every a_j starting at `a0`
/// (JSON `{"a0": number, "gamma": number}`, a0 in (0, [`MAX_A0`]], gamma in
/// [0, [`MAX_SECOND_LAYER_GAMMA`]]). The step of w_j carries the factor a_j and the MSE error
/// e = y − f uses it: c_j = (γ / (n_b p)) a_j σ'(λ_j) e. MSE SGD with a0 → 0 and γ replaced
/// by γ/a0 is correlation-loss SGD with rate γ (docs/science.md §10); the correlation loss
/// uses a_j in its step too (e = y), so its rate scales with a_j.
///
/// With `gamma` > 0 the second layer is trained, in the same step as the first layer (both
/// from the batch's fields before the step), by the MSE gradient in a under every loss:
/// a_j ← a_j + (gamma / (n_b p)) Σ_u σ(λ_j^u) (y_u − f(x_u)). (The correlation loss' own
/// gradient in a, y σ(λ_j) / p, has no fixed point: it would grow a_j without bound. So under
/// `correlation` and in the correlation phase of `adaptive` the second layer still fits the
/// scale by MSE, while the first layer follows the correlation loss.)
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecondLayer {
    /// The output weight every unit starts with.
    pub a0: f64,
    /// The second layer's learning rate (0: fixed at a0).
    pub gamma: f64,
}

impl SecondLayer {
    /// true when the second layer is trained (gamma > 0).
    pub fn trained(&self) -> bool {
        self.gamma > 0.0
    }

    /// true for the paper's student: a_j = 1, fixed.
    pub fn is_paper_default(&self) -> bool {
        self.a0 == 1.0 && !self.trained()
    }
}

impl Default for SecondLayer {
    fn default() -> Self {
        SecondLayer {
            a0: 1.0,
            gamma: 0.0,
        }
    }
}

/// Largest second-layer learning rate.
pub const MAX_SECOND_LAYER_GAMMA: f64 = 1e6;

/// Largest second-layer weight a0.
pub const MAX_A0: f64 = 1e6;

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            d: 1024,
            p: 1,
            k: 1,
            target: Target::Committee(Link::HE3),
            activation: None,
            noise: 1e-6,
            update: Update::Projected,
            init: Initialisation::Warm,
            eta: 0.5,
            adaptive: AdaptiveSchedule::default(),
            sampler: SamplerChoice::Auto,
            clt_threshold: DEFAULT_CLT_THRESHOLD,
            second_layer: SecondLayer::default(),
            covariance: SpikedCovariance::default(),
        }
    }
}

impl ModelSettings {
    /// The JSON keys of these settings (the serialised field names, in alphabetical order).
    pub fn keys() -> &'static [String] {
        static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| match serde_json::to_value(ModelSettings::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => unreachable!("a struct serialises to an object"),
        })
    }

    /// The student activation: `activation`, or the teacher's link (tanh for `tanh_product`,
    /// relu for a Hermite polynomial: it has non-zero He_1 and He_2 coefficients, so a unit
    /// sees both the linear and the pairwise terms of the teacher).
    pub fn activation_or_default(&self) -> Link {
        self.activation.unwrap_or(match self.target {
            Target::Committee(l) => l,
            Target::TanhProduct => Link::Tanh,
            Target::Hermite(_) => Link::Relu,
        })
    }

    /// Checks the ranges of the settings that do not depend on the batch or the rate:
    /// 1 <= p <= [`MAX_P`], 1 <= k <= [`MAX_K`], max(4, 2(p + k + m)) <= d <= [`MAX_D`]
    /// (the exact sampler needs the 2(p + k + m) directions of W, W* and a spiked covariance's
    /// m free directions to be independent), the spikes ([`SpikedCovariance::validate`]:
    /// errors name `covariance.spikes[i]...`),
    /// `tanh_product` needs k >= 2, a Hermite polynomial needs every degree list of length k
    /// (the error names the term, `target.hermite[i]`), 0 <= Δ <= 1e6, 1e-9 <= η <= 1. Errors name the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let c = self;
        if !(1..=MAX_P).contains(&c.p) {
            return Err(ConfigError::new(
                "p",
                format!("must be an integer in [1, {MAX_P}], got {}", c.p),
            ));
        }
        if !(1..=MAX_K).contains(&c.k) {
            return Err(ConfigError::new(
                "k",
                format!("must be an integer in [1, {MAX_K}], got {}", c.k),
            ));
        }
        c.covariance
            .validate(c.k)
            .map_err(|e| ConfigError::new(format!("covariance.{}", e.field), e.message))?;
        let free = c.covariance.free_directions();
        let min_d = (2 * (c.p + c.k + free)).max(4) as u64;
        if c.d < min_d || c.d > MAX_D {
            let what = if free > 0 {
                "at least 2(p + k + m), m the spikes' free directions"
            } else {
                "at least 2(p + k)"
            };
            return Err(ConfigError::new(
                "d",
                format!(
                    "must be an integer in [{min_d}, {MAX_D}] ({what}), got {}",
                    c.d
                ),
            ));
        }
        if c.target == Target::TanhProduct && c.k < 2 {
            return Err(ConfigError::new(
                "target",
                "tanh_product needs k >= 2 teacher directions",
            ));
        }
        if let Target::Hermite(h) = c.target {
            if h.k() != c.k {
                return Err(ConfigError::new(
                    "target.hermite[0]",
                    format!(
                        "has {} degrees but k = {}: every term needs one degree per teacher direction (set k to the length of the degree lists)",
                        h.k(),
                        c.k
                    ),
                ));
            }
        }
        check_range("noise", c.noise, 0.0, 1e6)?;
        check_range("eta", c.eta, 1e-9, 1.0)?;
        let a0 = c.second_layer.a0;
        if !(a0.is_finite() && a0 > 0.0 && a0 <= MAX_A0) {
            return Err(ConfigError::new(
                "second_layer.a0",
                format!(
                    "must be a number in (0, {MAX_A0:e}], got {}",
                    super::display_number(a0)
                ),
            ));
        }
        let gamma = c.second_layer.gamma;
        if !(gamma.is_finite() && (0.0..=MAX_SECOND_LAYER_GAMMA).contains(&gamma)) {
            return Err(ConfigError::new(
                "second_layer.gamma",
                format!(
                    "must be a number in [0, {MAX_SECOND_LAYER_GAMMA:e}] (0: the second layer stays at a0), got {}",
                    super::display_number(gamma)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_json_keys() {
        assert_eq!(
            ModelSettings::keys(),
            [
                "activation",
                "adaptive",
                "clt_threshold",
                "covariance",
                "d",
                "eta",
                "init",
                "k",
                "noise",
                "p",
                "sampler",
                "second_layer",
                "target",
                "update"
            ]
        );
    }

    #[test]
    fn validate_names_the_key_and_its_range() {
        let e = ModelSettings {
            d: 5,
            p: 2,
            ..ModelSettings::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "d");
        assert!(e.message.contains("[6, 1000000000]"), "{}", e.message);
        let e = ModelSettings {
            eta: 2.0,
            ..ModelSettings::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "eta");
    }
}
