//! Run configuration: the JSON schema shared by the CLI (`sgdlab run CONFIG.json`), the
//! browser worker and the URL state, and its validation into a [`ResolvedConfig`].
//!
//! Every key is validated; unknown keys are rejected. Errors name the field and the valid
//! range ([`ConfigError`]). See the README for the full schema.

pub mod auto_sampler;
pub mod scaling;

use crate::initialisation::Initialisation;
use crate::model::{target_information_exponent, AdaptiveSchedule, Link, Loss, Target};
use crate::sampler::{SamplerChoice, SamplerKind, Update};
use auto_sampler::{resolve_auto_sampler, AutoSamplerInput, MAX_DRAWN_BATCH};
use scaling::{BatchScaling, LearningRate};
use serde::{Deserialize, Serialize};

/// Largest number of student neurons p.
pub const MAX_P: usize = 16;
/// Largest number of teacher directions k.
pub const MAX_K: usize = 8;
/// Largest input dimension d.
pub const MAX_D: u64 = 1_000_000_000;
/// Largest d for the literal `full` sampler (W is p x d in memory).
pub const MAX_D_FULL: u64 = 4_000_000;
/// Largest batch size n_b.
pub const MAX_NB: f64 = 1e13;
/// Largest number of steps.
pub const MAX_STEPS: u64 = 1_000_000_000;
/// Learning rate when neither `gamma` nor `lr` is given: the authors' convention
/// gamma = c n_b p d^(-l/2) with c = 0.032 (their mu = 1.75 figure); gamma = 1e-3 at
/// d = n_b = 1024, p = 1, l = 3, where both protocols learn He_3 within about 3 x 10^4 steps.
pub const DEFAULT_LEARNING_RATE: LearningRate = LearningRate::Authors { c: 0.032 };
/// Default CLT threshold of the `auto` sampler, in samples per step.
pub const DEFAULT_CLT_THRESHOLD: u64 = 1 << 22;

/// A run as written by a user (JSON keys in parentheses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Input dimension d (`d`).
    pub d: u64,
    /// Student hidden units p (`p`).
    pub p: usize,
    /// Teacher directions k (`k`).
    pub k: usize,
    /// Teacher g (`target`).
    pub target: Target,
    /// Student activation sigma (`activation`); defaults to the teacher's link (tanh for
    /// `tanh_product`).
    pub activation: Option<Link>,
    /// Label-noise variance Delta (`noise`).
    pub noise: f64,
    /// Batch size n_b given directly (`nb`); exclusive with `batch`.
    pub nb: Option<f64>,
    /// Batch size as n0 d^mu (`batch: {n0, mu}`).
    pub batch: Option<BatchScaling>,
    /// Learning rate given directly (`gamma`); exclusive with `lr`.
    pub gamma: Option<f64>,
    /// Learning-rate policy (`lr: {policy: fixed|optimal|authors, ...}`).
    pub lr: Option<LearningRate>,
    /// Protocol (`loss`: mse | correlation | adaptive).
    pub loss: Loss,
    /// Adaptive-protocol settings (`adaptive: {threshold, decay, jump}`).
    pub adaptive: AdaptiveSchedule,
    /// Projected or spherical (`update`).
    pub update: Update,
    /// Initial weights (`init: {kind: warm|cold|m0|overlaps, m0, Q, M}`).
    pub init: Initialisation,
    /// Number of SGD steps (`steps`).
    pub steps: u64,
    /// Seed of the whole run (`seed`).
    pub seed: u64,
    /// Sampler (`sampler`: auto | full | exact | clt).
    pub sampler: SamplerChoice,
    /// Above this many samples per step `auto` considers the CLT sampler (`clt_threshold`; it
    /// takes it when its moments are exact or accurate, see [`auto_sampler`]).
    pub clt_threshold: u64,
    /// Weak-recovery threshold on max_j ||M_j|| (`eta`).
    pub eta: f64,
    /// Stop as soon as weak recovery is reached (`stop_at_recovery`).
    pub stop_at_recovery: bool,
    /// Number of uniformly spaced trajectory points kept (`record_points`).
    pub record_points: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            d: 1024,
            p: 1,
            k: 1,
            target: Target::Committee(Link::HE3),
            activation: None,
            noise: 1e-6,
            nb: None,
            batch: None,
            gamma: None,
            lr: None,
            loss: Loss::Mse,
            adaptive: AdaptiveSchedule::default(),
            update: Update::Projected,
            init: Initialisation::Warm,
            steps: 1000,
            seed: 0,
            sampler: SamplerChoice::Auto,
            clt_threshold: DEFAULT_CLT_THRESHOLD,
            eta: 0.5,
            stop_at_recovery: false,
            record_points: crate::trajectory::DEFAULT_CAPACITY,
        }
    }
}

/// A config value outside its valid range, naming the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    /// JSON path of the offending field, e.g. `batch.mu`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ConfigError {
    /// An error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Parses JSON into `T` (a config type with `deny_unknown_fields`), naming the offending field
/// of any error by its path (`batch.mu`, `init.m0`, `runs[2].eta`; an unknown key by its own
/// name) and prefixing syntax errors with "not valid JSON".
/// A top-level array is rejected ("must be a JSON object"): serde would read it positionally
/// into the struct's fields.
pub fn from_json_named<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ConfigError> {
    if text.trim_start().starts_with('[') {
        return Err(ConfigError::new("config", "must be a JSON object"));
    }
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let field = match message.split('`').nth(1) {
            Some(key) if message.starts_with("unknown field") => {
                if path == "." {
                    key.to_string()
                } else if path == key || path.ends_with(&format!(".{key}")) {
                    path
                } else {
                    format!("{path}.{key}")
                }
            }
            _ if path == "." || path.is_empty() => "config".to_string(),
            _ => path,
        };
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON: {message}")
        } else {
            message
        };
        ConfigError::new(field, message)
    })
}

/// A number as people write it: plain for 1e-3 <= |x| < 1e6, scientific otherwise (1e-9, 1e12).
pub fn display_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Checks lo <= x <= hi and finiteness.
pub fn check_range(field: &str, x: f64, lo: f64, hi: f64) -> Result<f64, ConfigError> {
    if !x.is_finite() || x < lo || x > hi {
        return Err(ConfigError::new(
            field,
            format!(
                "must be a number in [{}, {}], got {}",
                display_number(lo),
                display_number(hi),
                display_number(x)
            ),
        ));
    }
    Ok(x)
}

/// A parsed config file: its runs, and whether it was written as a `runs` list (errors then
/// name the entry, e.g. `runs[2].eta`).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigFile {
    /// One config per run.
    pub runs: Vec<RunConfig>,
    /// true when the file had a `runs` array.
    pub is_list: bool,
}

impl ConfigFile {
    /// Validates every run; errors of a list name the entry.
    pub fn resolve(&self) -> Result<Vec<ResolvedConfig>, ConfigError> {
        self.runs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.resolve().map_err(|e| {
                    if self.is_list {
                        ConfigError::new(format!("runs[{i}].{}", e.field), e.message)
                    } else {
                        e
                    }
                })
            })
            .collect()
    }
}

/// A validated run with n_b and gamma resolved to numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResolvedConfig {
    /// The config as given (with the activation default filled in).
    #[serde(flatten)]
    pub input: RunConfig,
    /// Student activation.
    pub activation_resolved: Link,
    /// Batch size n_b.
    pub nb_resolved: u64,
    /// mu = log_d n_b.
    pub mu_resolved: f64,
    /// Initial learning rate gamma.
    pub gamma_resolved: f64,
    /// delta = -log_d(gamma) relative to its prefactor (as given or implied).
    pub delta_resolved: f64,
    /// Information exponent l of the target.
    pub information_exponent: u32,
    /// Sampler actually used.
    pub sampler_resolved: SamplerKind,
}

impl RunConfig {
    /// Parses a JSON config; unknown keys and type errors name the field.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        from_json_named(text)
    }

    /// Parses a config file that is either one run, or `{"runs": [...], ...shared keys}` where
    /// each entry of `runs` overrides the shared keys. Errors name the run index and field.
    pub fn list_from_json(text: &str) -> Result<ConfigFile, ConfigError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ConfigError::new("config", format!("not valid JSON: {e}")))?;
        let serde_json::Value::Object(mut object) = value else {
            return Err(ConfigError::new("config", "must be a JSON object"));
        };
        let Some(runs) = object.remove("runs") else {
            return Self::from_json(text).map(|c| ConfigFile {
                runs: vec![c],
                is_list: false,
            });
        };
        let serde_json::Value::Array(runs) = runs else {
            return Err(ConfigError::new("runs", "must be a list of run objects"));
        };
        if runs.is_empty() {
            return Err(ConfigError::new("runs", "must contain at least one run"));
        }
        let runs = runs
            .into_iter()
            .enumerate()
            .map(|(i, run)| {
                let serde_json::Value::Object(overrides) = run else {
                    return Err(ConfigError::new(format!("runs[{i}]"), "must be an object"));
                };
                let mut merged = object.clone();
                merged.extend(overrides);
                Self::from_json(&serde_json::Value::Object(merged).to_string())
                    .map_err(|e| ConfigError::new(format!("runs[{i}].{}", e.field), e.message))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ConfigFile {
            runs,
            is_list: true,
        })
    }

    /// Validates every field and resolves n_b, gamma and the sampler.
    pub fn resolve(&self) -> Result<ResolvedConfig, ConfigError> {
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
        let min_d = (2 * (c.p + c.k)).max(4) as u64;
        if c.d < min_d || c.d > MAX_D {
            return Err(ConfigError::new(
                "d",
                format!(
                    "must be an integer in [{min_d}, {MAX_D}] (at least 2(p + k)), got {}",
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
        let activation = c.activation.unwrap_or(match c.target {
            Target::Committee(l) => l,
            Target::TanhProduct => Link::Tanh,
        });
        check_range("noise", c.noise, 0.0, 1e6)?;
        check_range("eta", c.eta, 1e-9, 1.0)?;
        if !(1..=MAX_STEPS).contains(&c.steps) {
            return Err(ConfigError::new(
                "steps",
                format!("must be an integer in [1, {MAX_STEPS}], got {}", c.steps),
            ));
        }
        if !(16..=1_000_000).contains(&c.record_points) {
            return Err(ConfigError::new(
                "record_points",
                format!(
                    "must be an integer in [16, 1000000], got {}",
                    c.record_points
                ),
            ));
        }
        let d = c.d as f64;
        let nb = match (c.nb, c.batch) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "nb",
                    "give either nb or batch {n0, mu}, not both",
                ))
            }
            (Some(nb), None) => {
                if !nb.is_finite() || !(1.0..=MAX_NB).contains(&nb) || nb.fract() != 0.0 {
                    return Err(ConfigError::new(
                        "nb",
                        format!(
                            "must be an integer in [1, 1e13], got {}",
                            display_number(nb)
                        ),
                    ));
                }
                nb
            }
            (None, Some(b)) => {
                check_range("batch.n0", b.n0, 1e-9, 1e12)?;
                check_range("batch.mu", b.mu, 0.0, 12.0)?;
                let nb = b.resolve(c.d);
                if nb > MAX_NB {
                    return Err(ConfigError::new(
                        "batch.mu",
                        format!("n0 d^mu = {nb:e} exceeds the largest batch {MAX_NB:e}"),
                    ));
                }
                nb
            }
            (None, None) => d.floor(),
        };
        let mu = nb.ln() / d.ln();
        let l = target_information_exponent(&c.target, c.k)
            .ok_or_else(|| ConfigError::new("target", "its information exponent could not be computed (no non-zero Hermite coefficient up to degree 12)"))?;
        let (gamma, delta) = match (c.gamma, c.lr) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "gamma",
                    "give either gamma or lr {policy, ...}, not both",
                ))
            }
            (Some(g), None) => (check_range("gamma", g, 1e-300, 1e12)?, -g.ln() / d.ln()),
            (None, Some(lr)) => {
                match lr {
                    LearningRate::Fixed { gamma0, delta } => {
                        check_range("lr.gamma0", gamma0, 1e-300, 1e12)?;
                        check_range("lr.delta", delta, -10.0, 10.0)?;
                    }
                    LearningRate::Optimal { gamma0 } => {
                        check_range("lr.gamma0", gamma0, 1e-300, 1e12)?;
                    }
                    LearningRate::Authors { c } => {
                        check_range("lr.c", c, 1e-300, 1e12)?;
                    }
                }
                lr.resolve(c.d, nb, c.p, l, c.loss)
            }
            (None, None) => DEFAULT_LEARNING_RATE.resolve(c.d, nb, c.p, l, c.loss),
        };
        if !gamma.is_finite() || gamma <= 0.0 || gamma > 1e12 {
            return Err(ConfigError::new(
                "lr",
                format!("the resolved learning rate {gamma:e} must be in (0, 1e12]"),
            ));
        }
        let a = c.adaptive;
        check_range("adaptive.threshold", a.threshold, 0.0, 1.0)?;
        check_range("adaptive.decay", a.decay, 0.0, 1.0)?;
        check_range("adaptive.jump", a.jump, 1e-12, 1e6)?;
        match &c.init {
            Initialisation::M0 { m0 } => {
                check_range("init.m0", *m0, 0.0, 1.0)?;
            }
            init @ Initialisation::Overlaps { .. } => {
                init.explicit_overlaps(c.p, c.k)
                    .unwrap()
                    .map_err(|(field, message)| ConfigError::new(field, message))?;
            }
            _ => {}
        }
        let sampler = match c.sampler {
            SamplerChoice::Full => SamplerKind::Full,
            SamplerChoice::Exact => SamplerKind::Exact,
            SamplerChoice::Clt => SamplerKind::Clt,
            SamplerChoice::Auto => resolve_auto_sampler(&AutoSamplerInput {
                target: c.target,
                activation,
                loss: c.loss,
                p: c.p,
                k: c.k,
                d: c.d,
                nb,
                gamma,
                noise: c.noise,
                init: &c.init,
                update: c.update,
                clt_threshold: c.clt_threshold,
            }),
        };
        if sampler == SamplerKind::Full && c.d > MAX_D_FULL {
            return Err(ConfigError::new("sampler", format!("full keeps W (p x d) in memory: d must be <= {MAX_D_FULL} for it; use exact (same law, cost independent of d)")));
        }
        if sampler != SamplerKind::Clt && nb > MAX_DRAWN_BATCH {
            return Err(ConfigError::new("sampler", format!("{} would draw n_b = {nb:e} samples per step; use clt or auto for batches above 1e10", if sampler == SamplerKind::Full { "full" } else { "exact" })));
        }
        Ok(ResolvedConfig {
            input: RunConfig {
                activation: Some(activation),
                ..c.clone()
            },
            activation_resolved: activation,
            nb_resolved: nb as u64,
            mu_resolved: mu,
            gamma_resolved: gamma,
            delta_resolved: delta,
            information_exponent: l,
            sampler_resolved: sampler,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_to_the_paper_setting() {
        let r = RunConfig::default().resolve().unwrap();
        assert_eq!(r.nb_resolved, 1024);
        assert_eq!(r.information_exponent, 3);
        // authors' convention: 0.032 * 1024 * 1 * 1024^(-3/2) = 1e-3
        assert!((r.gamma_resolved - 1e-3).abs() < 1e-15);
        assert_eq!(r.sampler_resolved, SamplerKind::Exact);
    }

    #[test]
    fn errors_name_the_field_and_range() {
        let e = RunConfig::from_json(r#"{"d": 100, "bogus": 1}"#).unwrap_err();
        assert_eq!(e.field, "bogus");
        let e = RunConfig::from_json(r#"{"batch": {"n0": 1, "mu": 20}}"#)
            .unwrap()
            .resolve()
            .unwrap_err();
        assert_eq!(e.field, "batch.mu");
        assert!(e.message.contains("[0, 12]"));
        let e = RunConfig {
            p: 0,
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert_eq!(e.field, "p");
        let e = RunConfig::from_json(r#"{"loss": "hinge"}"#).unwrap_err();
        assert!(e.message.contains("mse"), "{e}");
        let e = RunConfig::from_json(r#"{"init": {"kind": "m0", "m0": 1.5}}"#)
            .unwrap()
            .resolve()
            .unwrap_err();
        assert_eq!(e.field, "init.m0");
        let e = RunConfig::from_json(r#"{"gamma": 0.1, "lr": {"policy": "optimal", "gamma0": 1}}"#)
            .unwrap()
            .resolve()
            .unwrap_err();
        assert_eq!(e.field, "gamma");
        let e = RunConfig::from_json(r#"{"target": "sigmoid"}"#).unwrap_err();
        assert!(e.message.contains("tanh_product"), "{e}");
    }
}
