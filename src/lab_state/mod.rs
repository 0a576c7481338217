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
//! | `nb` or `n0` + `mu` | batch size n_b, or n0 d^mu (the default: n0 = 1, mu = 1, so n_b = d follows d) | `mu=1.5` |
//! | `gamma`, or `gamma0` + `delta`, or `c` | learning rate: fixed, gamma0 d^-delta, or c n_b p d^(-l/2) | `c=0.032` |
//! | `update` | `projected` / `spherical` | |
//! | `init`, `m0` | `warm` / `cold` / `m0` (with `m0=`) | |
//! | `steps`, `seed`, `sampler`, `eta` | run | |
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
pub const KEYS: [&str; 30] = [
    "preset",
    "target",
    "activation",
    "d",
    "p",
    "k",
    "noise",
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
    "sampler",
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

    /// Validates every panel's config (errors name the lab key).
    pub fn resolve(&self) -> Result<Vec<ResolvedConfig>, FieldError> {
        self.panel_configs()
            .iter()
            .map(|c| {
                c.resolve().map_err(|e: ConfigError| {
                    FieldError::new(key_of_config_field(&e.field), e.message)
                })
            })
            .collect()
    }
}

/// Control groups that `hide=` may name.
pub const HIDEABLE: [&str; 9] = [
    "controls", "model", "batch", "rate", "run", "buttons", "presets", "export", "caption",
];
