//! Batch-size sweeps: weak-recovery time against the batch exponent mu = log_d n_b, per
//! protocol, over several seeds (the measured points of the paper's phase diagram, Fig. 1;
//! docs/science.md §3 and §7).
//!
//! A [`SweepConfig`] (JSON, the `sgdlab sweep CONFIG.json` schema) holds the
//! [`ModelSettings`] of a run (`d, p, k, target, activation, noise, update, init, eta,
//! adaptive, sampler, clt_threshold`, the same struct as in [`RunConfig`]) plus the sweep axes
//! `protocols` (losses), `mu` (batch exponents), `n0`, `lr` (and per-protocol overrides
//! `lr_by_protocol`), `seeds` and the cap `max_steps`; its `d` may also be a list of dimensions
//! ([`SweepConfig::d_list`], a sweep over d), and `a0` a list of second-layer weights
//! ([`SweepConfig::a0_list`], `a0_axis.rs`).
//! [`SweepConfig::jobs`] expands the grid (protocol x a0 x d x mu x seed, in that nesting order)
//! into independent [`RunConfig`]s: n_b = floor(n0 d^mu), the learning rate of `lr` resolved
//! with each protocol's own exponent at the job's d, `steps = max_steps`,
//! `stop_at_recovery = true`. A job's
//! result depends only on its `RunConfig` (one seed determines the run), so jobs may run in
//! any order on any number of workers and give bit-identical [`SweepPoint`]s: natively the
//! one runner [`run_sweep_jobs`] (rayon with the `cli` feature; used by the CLI, the tests and
//! the benchmarks), in the browser a Web Worker pool.
//!
//! Escape times from m0 ~ 1/sqrt(d) are heavy-tailed, so a sweep is read through
//! [`summarise`]: per (protocol, a0, d, mu) the median and quartiles of theta = log_d T over seeds,
//! with capped (censored) runs counted as T = +infinity, [`fit_slope`] for the exponent
//! of the frontier theta(mu), and, over two or more d, [`fit_d_scaling`]: per (protocol, a0, mu)
//! the exponent and prefactor of T = C d^theta, with their spread over seeds.
//!
//! The parts: the JSON form of the config (`config_json.rs`), the a0 axis (`a0_axis.rs`), the
//! per-protocol rates
//! (`learning_rate_by_protocol.rs`), the points and their CSV (`point.rs`), the one runner
//! (`runner.rs`), medians and slope fits (`summary.rs`) and the fits against d
//! (`d_scaling.rs`).

mod a0_axis;
mod config_json;
mod d_scaling;
mod learning_rate_by_protocol;
mod point;
mod runner;
mod summary;

pub use a0_axis::MAX_A0_VALUES;
pub use d_scaling::{fit_d_scaling, DScalingSummary, OPTIMAL_DELTA_TOLERANCE};
pub use learning_rate_by_protocol::LearningRateByProtocol;
pub use point::{points_to_csv, SweepOutput, SweepPoint, CSV_HEADER};
pub use runner::{run_job, run_resolved, run_resolved_jobs, run_sweep, run_sweep_jobs};
pub use summary::{
    fit_frontier, fit_frontier_at, fit_slope, quantile_sorted, summarise, FrontierFit, SweepSummary,
};

use crate::config::scaling::{BatchScaling, LearningRate};
use crate::config::{
    check_range, display_number, json, ConfigError, ModelSettings, RunConfig, MAX_STEPS,
};
use crate::model::Loss;
use serde::{Deserialize, Serialize};

/// Largest number of jobs (protocols x a0 values x d values x mu x seeds) in one sweep.
pub const MAX_JOBS: usize = 1_000_000;
/// Most dimensions in a sweep's `d` list.
pub const MAX_D_VALUES: usize = 16;
/// Trajectory capacity of a sweep job: only the weak-recovery step is kept, so the smallest
/// recording grid is used.
pub const JOB_RECORD_POINTS: usize = 16;

/// A sweep as written by a user (JSON keys as field names). Every key is optional; unknown
/// keys are rejected. Its JSON key `d` is a number (one dimension: `model.d`) or a list (a
/// sweep over d: `d_list`), and so is its key `a0` (one weight: `model.second_layer.a0`; a
/// list: `a0_list`); see `config_json.rs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    from = "config_json::SweepConfigJson",
    into = "config_json::SweepConfigJson"
)]
pub struct SweepConfig {
    /// Model, initialisation, sampler and recovery threshold, as in `run` (flattened: `d`,
    /// `p`, `k`, `target`, `activation`, `noise`, `update`, `init`, `eta`, `adaptive` (used by
    /// the `adaptive` protocol only), `sampler`, `clt_threshold`). `auto` uses exact up to
    /// `clt_threshold` samples per step and clt above it where the clt moments are exact or
    /// accurate (see [`crate::config::auto_sampler`]). With a `d_list`, `model.d` is not used
    /// (reading JSON sets it to the list's first entry).
    pub model: ModelSettings,
    /// The dimensions of a sweep over d (`d` given as a list, `"d": [256, 1024, 4096]`): 1 to
    /// [`MAX_D_VALUES`] entries, each in [max(4, 2(p + k)), [`crate::config::MAX_D`]], no
    /// repeats; every (protocol, mu, seed) runs at each. `None` when `d` is a number, the one
    /// dimension `model.d`.
    pub d_list: Option<Vec<u64>>,
    /// The second-layer weights of a sweep over a0 (`a0` given as a list, `"a0": [0.01, 0.1,
    /// 1]`): 1 to [`MAX_A0_VALUES`] entries, each in (0, [`crate::config::MAX_A0`]], no repeats;
    /// every (protocol, d, mu, seed) runs at each (the model's other second-layer settings,
    /// `second_layer.gamma`, are shared). `None` when `a0` is absent (the model's
    /// `second_layer.a0`) or a number (which sets `second_layer.a0`). With a list,
    /// `model.second_layer.a0` is not used (reading JSON sets it to the list's first entry).
    pub a0_list: Option<Vec<f64>>,
    /// Hold γ a0 fixed across the second-layer weights (`fixed_gamma_a0`, default false): each
    /// job's rate prefactor (γ₀ or c of its policy) is divided by its a0, so the first layer's
    /// step, which carries the factor a_j = a0, has the same scale γ a0 at every a0 (the limit
    /// a0 → 0 of MSE SGD is then correlation-loss SGD at rate γ a0; docs/science.md §10).
    pub fixed_gamma_a0: bool,
    /// Losses to compare (`protocols`: list of mse | correlation | adaptive), no repeats.
    pub protocols: Vec<Loss>,
    /// Batch exponents mu (`mu`), each in [0, 12], no repeats: n_b = floor(n0 d^mu).
    pub mu: Vec<f64>,
    /// Batch prefactor n0 (`n0`).
    pub n0: f64,
    /// Learning-rate policy (`lr`): `{"policy": "optimal", "gamma0": c}` (gamma = c d^-delta*
    /// with each protocol's optimal delta*(mu)), `{"policy": "fixed", "gamma0", "delta"}` or
    /// `{"policy": "authors", "c"}` (gamma = c n_b p d^(-l/2)).
    pub lr: LearningRate,
    /// Per-protocol learning-rate policies (`lr_by_protocol`: `{"mse": {...}, "correlation":
    /// {...}, "adaptive": {...}}`, each like `lr`), overriding `lr` for the protocols listed.
    pub lr_by_protocol: LearningRateByProtocol,
    /// Seeds (`seeds`), no repeats; each (protocol, mu) runs once per seed.
    pub seeds: Vec<u64>,
    /// Step cap per run (`max_steps`); runs still short of eta are reported as censored.
    pub max_steps: u64,
    /// Optional sample cap per run (`max_samples`, null = none): a job runs at most
    /// max(1, floor(max_samples / n_b)) steps (and at most `max_steps`), so capped runs at large
    /// batches stay affordable.
    pub max_samples: Option<u64>,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            model: ModelSettings::default(),
            d_list: None,
            a0_list: None,
            fixed_gamma_a0: false,
            protocols: vec![Loss::Mse, Loss::Correlation],
            mu: vec![0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0],
            n0: 1.0,
            lr: DEFAULT_SWEEP_LEARNING_RATE,
            lr_by_protocol: LearningRateByProtocol::default(),
            seeds: (0..5).collect(),
            max_steps: 1_000_000,
            max_samples: None,
        }
    }
}

/// Learning rate of a sweep when `lr` is not given: the protocol's optimal exponent with
/// prefactor 0.01. For plain SGD on He_3 the normalisation's noise beats the drift unless
/// gamma0 < 36/3456 ~ 0.0104 (tests/sweep_frontier.rs); with 0.1 plain SGD does not recover at
/// d = 1024.
pub const DEFAULT_SWEEP_LEARNING_RATE: LearningRate = LearningRate::Optimal { gamma0: 0.01 };

impl SweepConfig {
    /// Parses a JSON sweep config; unknown keys and type errors name the field.
    /// A sweep's `a0` that disagrees with its `second_layer.a0` is refused (naming `a0`)
    /// instead of one silently winning.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let object = json::parse_object(text)?;
        json::check_types(json::Schema::Sweep, &object, "")?;
        config_json::check_a0_agrees(&object)?;
        json::from_object(json::Schema::Sweep, &object, "")
    }

    /// The learning-rate policy of `protocol`: its entry of `lr_by_protocol`, else `lr`.
    pub fn learning_rate(&self, protocol: Loss) -> LearningRate {
        self.lr_by_protocol.get(protocol).unwrap_or(self.lr)
    }

    /// The dimensions of the sweep, in the order given: `d_list`, or the one `model.d`.
    pub fn dimensions(&self) -> Vec<u64> {
        self.d_list.clone().unwrap_or_else(|| vec![self.model.d])
    }

    /// The run config of one job at the first of [`SweepConfig::a0_values`] and of
    /// [`SweepConfig::dimensions`] (not validated; [`SweepConfig::jobs`] validates).
    pub fn job(&self, protocol: Loss, mu: f64, seed: u64) -> RunConfig {
        let d = self.dimensions().first().copied().unwrap_or(self.model.d);
        let a0 = self.a0_values()[0];
        self.job_at(protocol, a0, d, mu, seed)
    }

    /// The run config of one job with second-layer weight `a0` at dimension `d` (not
    /// validated; [`SweepConfig::jobs`] validates).
    pub fn job_at(&self, protocol: Loss, a0: f64, d: u64, mu: f64, seed: u64) -> RunConfig {
        let mut model = ModelSettings {
            d,
            ..self.model.clone()
        };
        model.second_layer.a0 = a0;
        let batch = BatchScaling { n0: self.n0, mu };
        let steps = match self.max_samples {
            Some(cap) => {
                let by_samples = (cap as f64 / batch.resolve(d)).floor().max(1.0);
                self.max_steps.min(by_samples.min(MAX_STEPS as f64) as u64)
            }
            None => self.max_steps,
        };
        RunConfig {
            model,
            nb: None,
            batch: Some(batch),
            gamma: None,
            lr: Some(self.learning_rate_at(protocol, a0)),
            loss: protocol,
            steps,
            seed,
            stop_at_recovery: true,
            record_points: JOB_RECORD_POINTS,
        }
    }

    /// Validates the sweep axes (lists non-empty, no repeats, ranges), naming the field.
    fn validate_axes(&self) -> Result<(), ConfigError> {
        // the sizes first, so a huge list is refused before any per-entry work
        self.validate_d_list()?;
        self.validate_a0_list()?;
        let dims = self.d_list.as_ref().map_or(1, Vec::len);
        let weights = self.a0_list.as_ref().map_or(1, Vec::len);
        let jobs = dims
            .saturating_mul(weights)
            .saturating_mul(self.protocols.len())
            .saturating_mul(self.mu.len())
            .saturating_mul(self.seeds.len());
        if jobs > MAX_JOBS {
            let field = if self.seeds.len() >= self.mu.len() {
                "seeds"
            } else {
                "mu"
            };
            return Err(ConfigError::new(
                field,
                format!(
                    "the sweep has {jobs} runs (a0 x d x protocols x mu x seeds = {weights} x {dims} x {} x {} x {}); at most {MAX_JOBS} are allowed",
                    self.protocols.len(),
                    self.mu.len(),
                    self.seeds.len()
                ),
            ));
        }
        if self.protocols.is_empty() {
            return Err(ConfigError::new(
                "protocols",
                "must list at least one protocol (mse, correlation, adaptive)",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in self.protocols.iter().enumerate() {
            if !seen.insert(*p) {
                return Err(ConfigError::new(
                    format!("protocols[{i}]"),
                    format!("'{p}' is listed twice"),
                ));
            }
        }
        if self.mu.is_empty() {
            return Err(ConfigError::new(
                "mu",
                "must list at least one batch exponent in [0, 12]",
            ));
        }
        let mut seen_mu = std::collections::HashSet::with_capacity(self.mu.len());
        for (i, &mu) in self.mu.iter().enumerate() {
            check_range(&format!("mu[{i}]"), mu, 0.0, 12.0)?;
            // + 0.0 maps -0 to 0, so the two count as the same exponent
            if !seen_mu.insert((mu + 0.0).to_bits()) {
                return Err(ConfigError::new(
                    format!("mu[{i}]"),
                    format!("{} is listed twice", display_number(mu)),
                ));
            }
        }
        for p in Loss::ALL {
            if self.lr_by_protocol.get(p).is_some() && !self.protocols.contains(&p) {
                let name = p;
                return Err(ConfigError::new(
                    format!("lr_by_protocol.{name}"),
                    format!("'{name}' is not in protocols; list it there or remove this entry"),
                ));
            }
        }
        check_range("n0", self.n0, 1e-9, 1e12)?;
        if self.seeds.is_empty() {
            return Err(ConfigError::new("seeds", "must list at least one seed"));
        }
        let mut seen_seeds = std::collections::HashSet::with_capacity(self.seeds.len());
        for (i, s) in self.seeds.iter().enumerate() {
            if !seen_seeds.insert(*s) {
                return Err(ConfigError::new(
                    format!("seeds[{i}]"),
                    format!("{s} is listed twice"),
                ));
            }
        }
        if !(1..=MAX_STEPS).contains(&self.max_steps) {
            return Err(ConfigError::new(
                "max_steps",
                format!(
                    "must be an integer in [1, {MAX_STEPS}], got {}",
                    self.max_steps
                ),
            ));
        }
        if self.max_samples == Some(0) {
            return Err(ConfigError::new(
                "max_samples",
                "must be a positive integer (or null for no sample cap), got 0",
            ));
        }
        Ok(())
    }

    /// Checks a `d` list: 1 to [`MAX_D_VALUES`] entries, each a dimension the model allows
    /// (max(4, 2(p + k)) to [`crate::config::MAX_D`]), no repeats; errors name `d` or `d[i]`.
    fn validate_d_list(&self) -> Result<(), ConfigError> {
        let Some(list) = &self.d_list else {
            return Ok(());
        };
        if list.is_empty() || list.len() > MAX_D_VALUES {
            return Err(ConfigError::new(
                "d",
                format!(
                    "a list of dimensions must have 1 to {MAX_D_VALUES} entries, got {}",
                    list.len()
                ),
            ));
        }
        let min_d = (2 * (self.model.p + self.model.k)).max(4) as u64;
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        for (i, &d) in list.iter().enumerate() {
            if !(min_d..=crate::config::MAX_D).contains(&d) {
                return Err(ConfigError::new(
                    format!("d[{i}]"),
                    format!(
                        "must be an integer in [{min_d}, {}] (at least 2(p + k)), got {d}",
                        crate::config::MAX_D
                    ),
                ));
            }
            if !seen.insert(d) {
                return Err(ConfigError::new(
                    format!("d[{i}]"),
                    format!("{d} is listed twice"),
                ));
            }
        }
        Ok(())
    }

    /// Validates everything and expands the grid into one [`RunConfig`] per
    /// (protocol, a0, d, mu, seed), nested in that order (protocols outermost, then the
    /// second-layer weights, the dimensions, seeds innermost; with one `a0` and one `d` this
    /// is protocol x mu x seed).
    /// Errors name the sweep's field (`a0[0]`, `d[1]`, `mu[2]`, `n0`, `max_steps`, `lr.gamma0`, ...).
    pub fn jobs(&self) -> Result<Vec<RunConfig>, ConfigError> {
        self.validate_axes()?;
        let dims = self.dimensions();
        let weights = self.a0_values();
        let mut jobs = Vec::with_capacity(
            weights.len() * dims.len() * self.protocols.len() * self.mu.len() * self.seeds.len(),
        );
        for &protocol in &self.protocols {
            for (k, &a0) in weights.iter().enumerate() {
                for (j, &d) in dims.iter().enumerate() {
                    for (i, &mu) in self.mu.iter().enumerate() {
                        // the seed does not affect validity: resolve once per (protocol, a0, d, mu)
                        self.job_at(protocol, a0, d, mu, self.seeds[0])
                            .resolve()
                            .map_err(|e| self.rename_error(e, protocol, [k, j, i]))?;
                        jobs.extend(
                            self.seeds
                                .iter()
                                .map(|&seed| self.job_at(protocol, a0, d, mu, seed)),
                        );
                    }
                }
            }
        }
        Ok(jobs)
    }

    /// Maps an error of a job's `RunConfig` (job at `a0_list[k]`, `d_list[j]`, `mu[i]`, given
    /// as `[k, j, i]`) onto the sweep's own field names; an error of a protocol's own policy
    /// names its entry of `lr_by_protocol`.
    fn rename_error(&self, e: ConfigError, protocol: Loss, [k, j, i]: [usize; 3]) -> ConfigError {
        let mu = display_number(self.mu[i]);
        let name = protocol;
        let at_a0 = match &self.a0_list {
            Some(list) => format!(", a0[{k}] = {}", display_number(list[k])),
            None => String::new(),
        };
        let at_d = match &self.d_list {
            Some(list) => format!(", d[{j}] = {}", list[j]),
            None => String::new(),
        };
        let context =
            |message: String| format!("{message} (protocol {name}{at_a0}{at_d}, mu[{i}] = {mu})");
        let own_policy = self.lr_by_protocol.get(protocol).is_some();
        match e.field.as_str() {
            "d" if self.d_list.is_some() => ConfigError::new(format!("d[{j}]"), e.message),
            "steps" => ConfigError::new("max_steps", e.message),
            "batch.n0" => ConfigError::new("n0", e.message),
            "batch.mu" => ConfigError::new(format!("mu[{i}]"), e.message),
            "lr" if own_policy => {
                ConfigError::new(format!("lr_by_protocol.{name}"), context(e.message))
            }
            "lr" | "sampler" => ConfigError::new(e.field, context(e.message)),
            field if own_policy && field.starts_with("lr.") => {
                ConfigError::new(format!("lr_by_protocol.{name}{}", &field[2..]), e.message)
            }
            _ => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_an_exact_line() {
        let (s, i, se) = fit_slope(&[0.0, 1.0, 2.0, 3.0], &[1.0, -1.0, -3.0, -5.0]);
        assert!((s + 2.0).abs() < 1e-12 && (i - 1.0).abs() < 1e-12 && se.abs() < 1e-12);
        assert!(fit_slope(&[1.0], &[2.0]).0.is_nan());
        // y = x + noise: se = sqrt(RSS/(n-2)/Sxx)
        let (s, _, se) = fit_slope(&[0.0, 1.0, 2.0], &[0.0, 2.0, 2.0]);
        assert!((s - 1.0).abs() < 1e-12);
        // residuals: -1/3, 2/3, -1/3 -> RSS = 2/3; Sxx = 2
        assert!((se - (2.0f64 / 3.0 / 2.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn quantiles_with_censoring() {
        let inf = f64::INFINITY;
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0], 0.5), 2.0);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile_sorted(&[1.0, 2.0, inf], 0.5), 2.0);
        assert_eq!(quantile_sorted(&[1.0, inf, inf], 0.5), inf);
        assert_eq!(quantile_sorted(&[1.0, 2.0, inf, inf], 0.5), inf);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, inf], 0.5), 2.5);
    }
}
