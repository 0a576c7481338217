//! The state of the lab page as flat `key=value` pairs: the form's fields, the URL hash
//! (`#d=1024&target=he3&...`, so reloading or sharing a link gives the same run, seed included)
//! and the embed options all use this one representation and one validation.
//!
//! Values from a URL are untrusted: every key is parsed with the same messages as the form
//! fields (naming the key and the valid range), unknown keys are reported, and nothing is ever
//! interpreted as HTML.
//!
//! | key | meaning | example |
//! |---|---|---|
//! | `target`, `activation` | links (`he3`, `erf`, `tanh`, `relu`, `tanh_product`; activation empty = target's) | `he3` |
//! | `d`, `p`, `k`, `noise` | model | `1024` |
//! | `a0` | second-layer weight every unit starts with (`second_layer.a0`; 1 when absent) | `a0=0.1` |
//! | `covariance` | input covariance as JSON (`covariance` of the run config; empty or absent: isotropic) | `covariance={"spikes":[{"beta":1,"teacher":[1]}]}` |
//! | `a_gamma` | the second layer's learning rate (`second_layer.gamma`; 0, fixed, when absent) | `a_gamma=4e-5` |
//! | `nb` or `n0` + `mu` | batch size n_b, or n0 d^mu (the default: n0 = 1, mu = 1, so n_b = d follows d); `mu` may list up to [`MAX_BATCH_EXPONENTS`] exponents, each panel then runs every one | `mu=1,1.5,2` |
//! | `gamma`, or `gamma0` + `delta`, or `c` | learning rate: fixed, gamma0 d^-delta, or c n_b p d^(-l/2) | `c=0.032` |
//! | `update` | `projected` / `spherical` | |
//! | `init`, `m0` | `warm` / `cold` / `m0` (with `m0=`) | |
//! | `steps`, `seed`, `sampler`, `clt_threshold`, `eta` | run | |
//! | `seeds` | ensemble size N: seeds seed, seed + 1, …, seed + N − 1 per setting (1 to [`MAX_SEEDS`]) | `seeds=8` |
//! | `panels` | protocols side by side | `mse,correlation,adaptive` |
//! | `log`, `unit`, `theory` | time axis log (1/0), `steps`/`samples`, theory overlay (1/0) | |
//! | `preset`, `embed`, `hide`, `autostart` | preset id, embed mode (1), controls to hide, start without waiting for Start (1, default) | `hide=controls` |

//!
//! The parts: [`FieldError`] and the value parsers (`field_error.rs`), reading pairs
//! (`from_pairs.rs`), writing them (`to_pairs.rs`).

use crate::config::scaling::BatchScaling;
use crate::config::{ConfigError, ResolvedConfig, RunConfig};
use crate::model::Loss;
use serde::{Deserialize, Serialize};

mod field_error;
mod from_pairs;
mod plain;
#[cfg(test)]
mod tests;
mod to_pairs;

pub use field_error::{key_of_config_field, whole_range, FieldError};
pub use plain::{read_plain, reset_plain, write_plain, PLAIN_KEYS};

/// Every key the lab understands, in display order.
pub const KEYS: [&str; 35] = [
    "preset",
    "target",
    "covariance",
    "activation",
    "d",
    "p",
    "k",
    "noise",
    "a0",
    "a_gamma",
    "nb",
    "n0",
    "mu",
    "gamma",
    "gamma0",
    "delta",
    "c",
    "update",
    "init",
    "m0",
    "steps",
    "seed",
    "seeds",
    "sampler",
    "clt_threshold",
    "eta",
    "panels",
    "log",
    "unit",
    "theory",
    "embed",
    "hide",
    "autostart",
    "adaptive_threshold",
    "adaptive_jump",
];

/// How the charts are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewOptions {
    /// Logarithmic time axis.
    pub log_time: bool,
    /// Time in samples t n_b instead of steps t.
    pub samples: bool,
    /// Overlay the deterministic overlap recursion (dashed).
    pub theory: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            log_time: true,
            samples: false,
            theory: false,
        }
    }
}

/// Everything the page shows, as one value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabState {
    /// The run settings shared by all panels (the loss is set per panel).
    pub config: RunConfig,
    /// Protocols shown side by side.
    pub panels: Vec<Loss>,
    /// Chart options.
    pub view: ViewOptions,
    /// The preset this state came from, if any.
    pub preset: Option<String>,
    /// Embed mode: panels and a chosen subset of controls only.
    pub embed: bool,
    /// Control groups hidden in embed mode (`controls`, `model`, `batch`, `rate`, `run`, `buttons`, `presets`, `export`, `caption`).
    pub hide: Vec<String>,
    /// Start the runs without waiting for the reader (`autostart=0` waits for Start). Embeds
    /// that autostart begin when they are scrolled into view, not on load.
    pub autostart: bool,
    /// Every batch exponent μ each panel runs (`mu=1,1.5,2`), the first being
    /// `config.batch`'s; empty for one batch size.
    pub batch_exponents: Vec<f64>,
    /// Seeds per setting (`seeds`): `config.seed`, `config.seed + 1`, ….
    pub seeds: u32,
}

/// Most batch exponents one `mu` list may hold.
pub const MAX_BATCH_EXPONENTS: usize = 4;
/// Largest ensemble (`seeds`): with 3 panels and 4 batch sizes at most 384 runs, each
/// holding at most `record_points` recorded points.
pub const MAX_SEEDS: u64 = 32;

/// One run of a panel's ensemble: its batch exponent's index, its seed and its config.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberConfig {
    /// Index into the state's batch exponents (0 for a single batch size).
    pub mu_index: usize,
    /// Its batch exponent μ ([`LabState::batch_exponent_list`]).
    pub mu: f64,
    /// Its seed.
    pub seed: u64,
    /// The run.
    pub config: RunConfig,
}

impl Default for LabState {
    fn default() -> Self {
        LabState {
            config: RunConfig {
                steps: 30_000,
                seed: 1,
                // n_b = n0 d^mu with n0 = 1, mu = 1: changing d keeps mu (n_b follows d)
                batch: Some(BatchScaling { n0: 1.0, mu: 1.0 }),
                ..RunConfig::default()
            },
            panels: vec![Loss::Mse, Loss::Correlation],
            view: ViewOptions::default(),
            preset: None,
            embed: false,
            hide: Vec::new(),
            autostart: true,
            batch_exponents: Vec::new(),
            seeds: 1,
        }
    }
}

impl LabState {
    /// The per-panel configs.
    pub fn panel_configs(&self) -> Vec<RunConfig> {
        self.panels
            .iter()
            .map(|&loss| RunConfig {
                loss,
                ..self.config.clone()
            })
            .collect()
    }

    /// Validates every panel's config (errors name the lab key); with several batch
    /// exponents every one is checked (an error names `mu` and the exponent).
    pub fn resolve(&self) -> Result<Vec<ResolvedConfig>, FieldError> {
        let as_field = |e: ConfigError| field_error::field_error_of(&e);
        let lead = self
            .panel_configs()
            .iter()
            .map(|c| c.resolve().map_err(as_field))
            .collect::<Result<Vec<_>, _>>()?;
        for members in self.member_configs() {
            for m in members
                .iter()
                .filter(|m| m.mu_index > 0 && m.seed == self.config.seed)
            {
                m.config.resolve().map_err(|e| {
                    let mu = self.batch_exponents[m.mu_index];
                    let error = field_error::field_error_of(&e);
                    FieldError::new(&error.key, format!("{} (at μ = {mu})", error.message))
                })?;
            }
        }
        Ok(lead)
    }

    /// Runs per panel: one per batch exponent and seed.
    pub fn members_per_panel(&self) -> usize {
        self.batch_exponents.len().max(1) * self.seeds.max(1) as usize
    }

    /// An ensemble: several batch exponents or several seeds per panel. Its runs stop at weak
    /// recovery (their charts show the median and quartiles up to η and the distribution of
    /// escape times), a single run goes on for all its steps.
    pub fn is_ensemble(&self) -> bool {
        self.members_per_panel() > 1
    }

    /// The batch exponents the panels run: the `mu` list, or the one μ of the batch (given
    /// as n0 d^μ, as n_b: log_d n_b, or the default n_b = d: 1).
    pub fn batch_exponent_list(&self) -> Vec<f64> {
        if !self.batch_exponents.is_empty() {
            return self.batch_exponents.clone();
        }
        let c = &self.config;
        let d = c.model.d as f64;
        vec![match (c.batch, c.nb) {
            (Some(b), _) => b.mu,
            (None, Some(nb)) => nb.ln() / d.ln(),
            (None, None) => 1.0,
        }]
    }

    /// Every panel's runs, in panel order; within a panel batch exponent by batch exponent,
    /// seed by seed (member 0 is the panel's own config, [`LabState::panel_configs`]). The runs
    /// of an ensemble (several seeds or exponents) stop at weak recovery, unless the second
    /// layer is trained.
    pub fn member_configs(&self) -> Vec<Vec<MemberConfig>> {
        let ensemble = self.is_ensemble();
        let exponents = self.batch_exponent_list();
        let listed = !self.batch_exponents.is_empty();
        self.panel_configs()
            .into_iter()
            .map(|panel| {
                let mut members = Vec::new();
                for (mu_index, &mu) in exponents.iter().enumerate() {
                    for s in 0..u64::from(self.seeds.max(1)) {
                        let mut config = panel.clone();
                        if let (true, Some(batch)) = (listed, config.batch.as_mut()) {
                            batch.mu = mu;
                        }
                        config.seed = panel.seed.wrapping_add(s);
                        // a trained second layer's story is the fit after the escape
                        config.stop_at_recovery |= ensemble && !config.model.second_layer.trained();
                        members.push(MemberConfig {
                            mu_index,
                            mu,
                            seed: config.seed,
                            config,
                        });
                    }
                }
                members
            })
            .collect()
    }
}

/// Control groups that `hide=` may name.
pub const HIDEABLE: [&str; 9] = [
    "controls", "model", "batch", "rate", "run", "buttons", "presets", "export", "caption",
];
