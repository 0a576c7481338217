//! Run configuration: the JSON schema shared by the CLI (`sgdlab run CONFIG.json`), the
//! browser worker and the URL state, and its validation into a [`ResolvedConfig`].
//!
//! Every key is validated; unknown keys are rejected. Errors name the field and the valid
//! range ([`ConfigError`]). See the README for the full schema.

pub mod auto_sampler;
mod error;
mod field_spec;
pub mod json;
mod model_settings;
mod resolved;
pub mod scaling;

pub use error::{check_range, display_number, ConfigError, ErrorKind, PathSegment};
pub use model_settings::{
    ModelSettings, SecondLayer, DEFAULT_CLT_THRESHOLD, MAX_A0, MAX_SECOND_LAYER_GAMMA,
};
pub use resolved::{ConfigFile, ResolvedConfig};

use crate::initialisation::Initialisation;
use crate::model::{target_information_exponent, target_leap_index, Link, Loss, LEAP_INDEX_BASIS};
use crate::sampler::{SamplerChoice, SamplerKind};
use crate::theory::regimes::{classify_regime, Regime};
use auto_sampler::{resolve_auto_sampler, AutoSamplerInput, MAX_DRAWN_BATCH};
use scaling::{BatchScaling, LearningRate, ResolvedRate};
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
/// Largest number of entries in a `runs` list.
pub const MAX_RUNS: usize = 10_000;
/// Largest estimated memory of one run's recorded trajectory and its JSON text
/// ([`ResolvedConfig::output_bytes_estimate`]), in bytes (4 GiB).
pub const MAX_RUN_OUTPUT_BYTES: u64 = 4 << 30;
/// Smallest batch of the `clt` sampler: n_b >= 4096. The clt sampler replaces a sum of n_b
/// terms by a Gaussian, whose error (skewness of order n_b^(-1/2)) is poor at small batches
/// (the one-step laws of He_3 with MSE still differ visibly at n_b = 16384), and below this
/// batch the exact sampler is cheap and exact.
pub const MIN_CLT_BATCH: u64 = 4096;

/// A run as written by a user (JSON keys in parentheses): the shared [`ModelSettings`]
/// (top-level keys `d`, `p`, `k`, `target`, ...) plus the batch, the rate, the loss and the
/// length of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Model, initialisation, sampler and recovery threshold (flattened: `d`, `p`, `k`,
    /// `target`, `activation`, `noise`, `update`, `init`, `eta`, `adaptive`, `sampler`,
    /// `clt_threshold`).
    #[serde(flatten)]
    pub model: ModelSettings,
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
    /// Number of SGD steps (`steps`).
    pub steps: u64,
    /// Seed of the whole run (`seed`).
    pub seed: u64,
    /// Stop as soon as weak recovery is reached (`stop_at_recovery`).
    pub stop_at_recovery: bool,
    /// Number of uniformly spaced trajectory points kept (`record_points`), in
    /// [16, [`crate::trajectory::max_record_points`]`(p, k, m)`] so that at most
    /// [`crate::trajectory::MAX_TRAJECTORY_FLOATS`] numbers are stored.
    pub record_points: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            model: ModelSettings::default(),
            nb: None,
            batch: None,
            gamma: None,
            lr: None,
            loss: Loss::Mse,
            steps: 1000,
            seed: 0,
            stop_at_recovery: false,
            record_points: crate::trajectory::DEFAULT_CAPACITY,
        }
    }
}

impl RunConfig {
    /// Parses a JSON config strictly ([`json`]): unknown keys, keys given twice and type
    /// errors name the field and say what is expected.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        json::read(json::Schema::Run, text)
    }

    /// Parses a config file that is either one run, or `{"runs": [...], ...shared keys}` where
    /// each entry of `runs` overrides the shared keys (at most [`MAX_RUNS`] entries).
    ///
    /// The shared keys are checked once (errors name them plainly, e.g. `init.Q[3]`); each
    /// entry's overrides, and then the merged run, are checked with the entry's prefix
    /// (`runs[2].eta`); a range error in a shared value names the shared key and the entry
    /// (`init.Q: ... (a shared key, in runs[0])`). Every run is validated ([`RunConfig::resolve`]) as soon as it is built,
    /// so an invalid file fails at its first bad entry without copying the shared keys into
    /// every run first; a shared key an entry overrides is never copied for that entry.
    pub fn list_from_json(text: &str) -> Result<ConfigFile, ConfigError> {
        use json::Schema;
        let mut object = json::parse_object(text)?;
        let Some(runs) = object.remove("runs") else {
            json::check_types(Schema::Run, &object, "")?;
            return json::from_object(Schema::Run, &object, "").map(|c| ConfigFile {
                runs: vec![c],
                is_list: false,
            });
        };
        let serde_json::Value::Array(runs) = runs else {
            return Err(ConfigError::of_kind(
                ErrorKind::Type,
                "runs",
                format!(
                    "expected a list of run objects like [{{\"seed\": 1}}, {{\"seed\": 2}}], got {}",
                    json::echo(&runs)
                ),
            ));
        };
        if runs.is_empty() {
            return Err(ConfigError::new("runs", "must contain at least one run"));
        }
        if runs.len() > MAX_RUNS {
            return Err(ConfigError::new(
                "runs",
                format!(
                    "has {} entries; at most {MAX_RUNS} runs are allowed in one file",
                    runs.len()
                ),
            ));
        }
        // shared keys: types, names and unknown keys, once
        json::check_types(Schema::Run, &object, "")?;
        json::from_object::<RunConfig>(Schema::Run, &object, "")?;
        for (i, run) in runs.iter().enumerate() {
            let serde_json::Value::Object(overrides) = run else {
                return Err(ConfigError::new(
                    format!("runs[{i}]"),
                    format!(
                        "expected a run object like {{\"seed\": 1}}, got {}",
                        json::echo(run)
                    ),
                ));
            };
            json::check_types(Schema::Run, overrides, &format!("runs[{i}]"))?;
        }
        let mut configs = Vec::with_capacity(runs.len());
        for (i, run) in runs.into_iter().enumerate() {
            let serde_json::Value::Object(mut merged) = run else {
                unreachable!("checked above")
            };
            let overridden: std::collections::HashSet<String> = merged.keys().cloned().collect();
            for (key, value) in &object {
                if !merged.contains_key(key) {
                    merged.insert(key.clone(), value.clone());
                }
            }
            let prefix = format!("runs[{i}]");
            let config: RunConfig = json::from_object(Schema::Run, &merged, &prefix)?;
            drop(merged);
            config.resolve().map_err(|e| {
                // a value the entry sets is named in the entry; a shared one where it is written
                let root = e.field.split(['.', '[']).next().unwrap_or("");
                if overridden.contains(root) || !object.contains_key(root) {
                    let field = format!("{prefix}.{}", e.field);
                    e.renamed(field)
                } else {
                    let message = format!("{} (a shared key, in {prefix})", e.message);
                    ConfigError::of_kind(e.kind, e.field, message)
                }
            })?;
            configs.push(config);
        }
        Ok(ConfigFile {
            runs: configs,
            is_list: true,
        })
    }

    /// Validates every field and resolves n_b, gamma and the sampler.
    pub fn resolve(&self) -> Result<ResolvedConfig, ConfigError> {
        self.model.validate()?;
        let c = self;
        let activation = c.model.activation_or_default();
        if !(1..=MAX_STEPS).contains(&c.steps) {
            return Err(ConfigError::new(
                "steps",
                format!("must be an integer in [1, {MAX_STEPS}], got {}", c.steps),
            ));
        }
        // (the covariance itself is checked below; at most MAX_SPIKES free directions)
        let free = c
            .model
            .covariance
            .free_directions()
            .min(crate::model::MAX_SPIKES);
        let max_points = crate::trajectory::max_record_points(c.model.p, c.model.k, free);
        if !(crate::trajectory::MIN_RECORD_POINTS..=max_points).contains(&c.record_points) {
            return Err(ConfigError::new(
                "record_points",
                format!(
                    "must be an integer in [{}, {max_points}] at p = {}, k = {}, m = {free} free directions (the trajectory keeps at most record_points (p^2 + p k + p + p m + 1) <= {} numbers), got {}",
                    crate::trajectory::MIN_RECORD_POINTS,
                    c.model.p,
                    c.model.k,
                    crate::trajectory::MAX_TRAJECTORY_FLOATS,
                    c.record_points
                ),
            ));
        }
        let d = c.model.d as f64;
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
                let nb = b.resolve(c.model.d);
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
        let l = target_information_exponent(&c.model.target, c.model.k)
            .ok_or_else(|| ConfigError::new("target", "its information exponent could not be computed (no non-zero Hermite coefficient up to degree 12)"))?;
        let leap_index = target_leap_index(&c.model.target, c.model.k).unwrap_or(l);
        let rate = match (c.gamma, c.lr) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "gamma",
                    "give either gamma or lr {policy, ...}, not both",
                ))
            }
            (Some(g), None) => ResolvedRate::bare(check_range("gamma", g, 1e-300, 1e12)?),
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
                lr.resolve(c.model.d, nb, c.model.p, l, c.loss)
                    .map_err(|e| ConfigError::new("lr", e.to_string()))?
            }
            (None, None) => DEFAULT_LEARNING_RATE
                .resolve(c.model.d, nb, c.model.p, l, c.loss)
                .map_err(|e| ConfigError::new("lr", e.to_string()))?,
        };
        let gamma = rate.gamma;
        if !gamma.is_finite() || gamma <= 0.0 || gamma > 1e12 {
            return Err(ConfigError::new(
                "lr",
                format!("the resolved learning rate {gamma:e} must be in (0, 1e12]"),
            ));
        }
        let a = c.model.adaptive;
        check_range("adaptive.threshold", a.threshold, 0.0, 1.0)?;
        check_range("adaptive.decay", a.decay, 0.0, 1.0)?;
        check_range("adaptive.jump", a.jump, 1e-12, 1e6)?;
        match &c.model.init {
            Initialisation::M0 { m0 } => {
                check_range("init.m0", *m0, 0.0, 1.0)?;
            }
            init @ Initialisation::Overlaps { .. } => {
                init.explicit_overlaps(c.model.p, c.model.k)
                    .unwrap()
                    .map_err(|(field, message)| ConfigError::new(field, message))?;
            }
            _ => {}
        }
        let second_layer = c.model.second_layer;
        let sampler = match c.model.sampler {
            SamplerChoice::Full => SamplerKind::Full,
            SamplerChoice::Exact => SamplerKind::Exact,
            SamplerChoice::Clt if !c.model.covariance.is_isotropic() => {
                return Err(ConfigError::new(
                    "sampler",
                    "clt draws its steps from moments computed for isotropic inputs, but covariance has spikes: use exact (or auto, which then takes exact)",
                ))
            }
            SamplerChoice::Clt => SamplerKind::Clt,
            // the clt moments are for isotropic inputs (a trained second layer is part of them)
            SamplerChoice::Auto if !c.model.covariance.is_isotropic() => SamplerKind::Exact,
            SamplerChoice::Auto => resolve_auto_sampler(&AutoSamplerInput {
                target: c.model.target,
                activation,
                loss: c.loss,
                p: c.model.p,
                k: c.model.k,
                d: c.model.d,
                nb,
                gamma,
                noise: c.model.noise,
                init: &c.model.init,
                update: c.model.update,
                clt_threshold: c.model.clt_threshold,
                a0: second_layer.a0,
                second_layer_gamma: second_layer.gamma,
            }),
        };
        if sampler == SamplerKind::Clt && nb < MIN_CLT_BATCH as f64 {
            let (field, why) = if c.model.sampler == SamplerChoice::Auto {
                (
                    "clt_threshold",
                    format!(
                        "auto uses clt above clt_threshold = {}",
                        c.model.clt_threshold
                    ),
                )
            } else {
                ("sampler", "clt was requested".to_string())
            };
            return Err(ConfigError::new(field, format!("{why}, but clt needs n_b in [{MIN_CLT_BATCH}, 1e13], got n_b = {}: each clt step draws {MIN_CLT_BATCH} exact samples to estimate its covariance, so for smaller batches use exact (faster, and exact rather than a Gaussian approximation)", display_number(nb))));
        }
        if sampler == SamplerKind::Full && c.model.d > MAX_D_FULL {
            return Err(ConfigError::new("sampler", format!("full keeps W (p x d) in memory: d must be <= {MAX_D_FULL} for it; use exact (same law, cost independent of d)")));
        }
        if sampler != SamplerKind::Clt && nb > MAX_DRAWN_BATCH {
            return Err(ConfigError::new("sampler", format!("{} would draw n_b = {nb:e} samples per step; use clt or auto for batches above 1e10", if sampler == SamplerKind::Full { "full" } else { "exact" })));
        }
        Ok(ResolvedConfig {
            input: RunConfig {
                model: ModelSettings {
                    activation: Some(activation),
                    ..c.model.clone()
                },
                ..c.clone()
            },
            activation_resolved: activation,
            nb_resolved: nb as u64,
            mu_resolved: mu,
            gamma_resolved: gamma,
            gamma0_resolved: rate.gamma0,
            delta_resolved: rate.delta,
            information_exponent: l,
            leap_index,
            leap_index_basis: LEAP_INDEX_BASIS,
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
        assert_eq!(r.leap_index, 3);
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
            model: ModelSettings {
                p: 0,
                ..ModelSettings::default()
            },
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
        assert_eq!(e.kind, ErrorKind::Type);
    }

    #[test]
    fn errors_have_a_kind() {
        let kind = |text: &str| RunConfig::list_from_json(text).unwrap_err().kind;
        assert_eq!(kind("{"), ErrorKind::Syntax);
        assert_eq!(kind("[]"), ErrorKind::Syntax);
        assert_eq!(kind(r#"{"d": 1, "d": 2}"#), ErrorKind::Duplicate);
        assert_eq!(kind(r#"{"bogus": 1}"#), ErrorKind::UnknownKey);
        assert_eq!(kind(r#"{"lr": {"policy": "fixed"}}"#), ErrorKind::Missing);
        assert_eq!(kind(r#"{"steps": "1"}"#), ErrorKind::Type);
        assert_eq!(kind(r#"{"runs": [{"steps": 0}]}"#), ErrorKind::Value);
        let e =
            RunConfig::list_from_json(r#"{"runs": [{}, {"batch": {"n0": 1, "mu": 1, "x": 0}}]}"#)
                .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.kind),
            ("runs[1].batch.x", ErrorKind::UnknownKey)
        );
    }

    /// A regime is a statement about how gamma scales with d: the same number typed as a bare
    /// gamma has no delta and no regime, given as gamma0 d^(-delta) it has both.
    #[test]
    fn a_bare_gamma_has_no_delta_and_no_regime() {
        let bare = RunConfig::from_json(r#"{"d": 10000, "nb": 100, "gamma": 0.08}"#)
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(bare.delta_resolved, None);
        assert_eq!(bare.gamma0_resolved, None);
        assert_eq!(bare.regime(), None);
        assert!(bare.rate().describe().contains("no δ"));
        let scaled = RunConfig::from_json(
            r#"{"d": 10000, "nb": 100, "lr": {"policy": "fixed", "gamma0": 8, "delta": 0.5}}"#,
        )
        .unwrap()
        .resolve()
        .unwrap();
        assert!((scaled.gamma_resolved - bare.gamma_resolved).abs() < 1e-15);
        assert_eq!(scaled.regime(), Some(Regime::SaadSollaLine));
    }

    /// The authors' convention gamma = c n_b p d^(-l/2) is shown as gamma0 = c p and
    /// delta = l/2 - mu: p is not folded into delta (p = 4, He3, d = 256, mu = 1.75).
    #[test]
    fn authors_rate_shows_the_users_delta() {
        let r = RunConfig::from_json(
            r#"{"d": 256, "p": 4, "batch": {"n0": 1, "mu": 1.75}, "lr": {"policy": "authors", "c": 0.032}}"#,
        )
        .unwrap()
        .resolve()
        .unwrap();
        assert!(
            (r.delta_resolved.unwrap() + 0.25).abs() < 1e-12,
            "{:?}",
            r.delta_resolved
        );
        assert!((r.gamma0_resolved.unwrap() - 0.128).abs() < 1e-15);
        assert!(
            r.rate().describe().contains("δ = -0.250"),
            "{}",
            r.rate().describe()
        );
    }

    /// l = 1 targets get gamma = gamma0 n_b / d under `optimal`, for both protocols.
    #[test]
    fn optimal_rate_for_information_exponent_one() {
        for loss in ["mse", "correlation"] {
            let r = RunConfig::from_json(&format!(
                r#"{{"d": 4096, "target": "erf", "loss": "{loss}", "batch": {{"n0": 1, "mu": 0.5}},
                    "lr": {{"policy": "optimal", "gamma0": 0.5}}}}"#
            ))
            .unwrap()
            .resolve()
            .unwrap();
            assert_eq!(r.information_exponent, 1);
            assert!((r.delta_resolved.unwrap() - 0.5).abs() < 1e-12, "{loss}");
            assert!(
                (r.gamma_resolved - 0.5 * 64.0 / 4096.0).abs() < 1e-12,
                "{loss}"
            );
        }
    }
}
