//! Batch-size sweeps: weak-recovery time against the batch exponent mu = log_d n_b, per
//! protocol, over several seeds (the measured points of the paper's phase diagram, Fig. 1;
//! docs/science.md §3 and §7).
//!
//! A [`SweepConfig`] (JSON, the `sgdlab sweep CONFIG.json` schema) holds the model keys of a
//! run (`d, p, k, target, activation, noise, update, init, eta`) plus the sweep axes
//! `protocols` (losses), `mu` (batch exponents), `n0`, `lr` (and per-protocol overrides
//! `lr_by_protocol`), `seeds` and the cap `max_steps`.
//! [`SweepConfig::jobs`] expands the grid (protocol x mu x seed, in that nesting order) into
//! independent [`RunConfig`]s: n_b = floor(n0 d^mu), the learning rate of `lr` resolved with
//! each protocol's own exponent, `steps = max_steps`, `stop_at_recovery = true`. A job's
//! result depends only on its `RunConfig` (one seed determines the run), so jobs may run in
//! any order on any number of workers and give bit-identical [`SweepPoint`]s: natively the
//! one runner [`run_sweep_jobs`] (rayon with the `cli` feature; used by the CLI, the tests and
//! the benchmarks), in the browser a Web Worker pool.
//!
//! Escape times from m0 ~ 1/sqrt(d) are heavy-tailed, so a sweep is read through
//! [`summarise`]: per (protocol, mu) the median and quartiles of theta = log_d T over seeds,
//! with capped (censored) runs counted as T = +infinity, and [`fit_slope`] for the exponent
//! of the frontier theta(mu).

use crate::config::scaling::{BatchScaling, LearningRate};
use crate::config::{
    check_range, display_number, json, ConfigError, ResolvedConfig, RunConfig, MAX_STEPS,
};
use crate::initialisation::Initialisation;
use crate::model::{AdaptiveSchedule, Link, Loss, Target};
use crate::sampler::{SamplerChoice, SamplerKind, Update};
use crate::simulation::{RunStatus, Simulation};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Largest number of jobs (protocols x mu x seeds) in one sweep.
pub const MAX_JOBS: usize = 1_000_000;
/// Trajectory capacity of a sweep job: only the weak-recovery step is kept, so the smallest
/// recording grid is used.
pub const JOB_RECORD_POINTS: usize = 16;

/// A sweep as written by a user (JSON keys as field names). Every key is optional; unknown
/// keys are rejected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepConfig {
    /// Input dimension d (`d`), as in `run`.
    pub d: u64,
    /// Student hidden units p (`p`).
    pub p: usize,
    /// Teacher directions k (`k`).
    pub k: usize,
    /// Teacher g (`target`).
    pub target: Target,
    /// Student activation (`activation`); defaults to the teacher's link.
    pub activation: Option<Link>,
    /// Label-noise variance Delta (`noise`).
    pub noise: f64,
    /// Projected or spherical (`update`).
    pub update: Update,
    /// Initial weights (`init`).
    pub init: Initialisation,
    /// Weak-recovery threshold on max_j ||M_j|| (`eta`).
    pub eta: f64,
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
    #[serde(skip_serializing_if = "LearningRateByProtocol::is_empty")]
    pub lr_by_protocol: LearningRateByProtocol,
    /// Adaptive-protocol settings (`adaptive`), used by the `adaptive` protocol only.
    pub adaptive: AdaptiveSchedule,
    /// Seeds (`seeds`), no repeats; each (protocol, mu) runs once per seed.
    pub seeds: Vec<u64>,
    /// Step cap per run (`max_steps`); runs still short of eta are reported as censored.
    pub max_steps: u64,
    /// Optional sample cap per run (`max_samples`, null = none): a job runs at most
    /// max(1, floor(max_samples / n_b)) steps (and at most `max_steps`), so capped runs at large
    /// batches stay affordable.
    pub max_samples: Option<u64>,
    /// Sampler (`sampler`: auto | full | exact | clt); `auto` uses exact up to `clt_threshold`
    /// samples per step and clt above it where the clt moments are exact or accurate (see
    /// [`crate::config::auto_sampler`]).
    pub sampler: SamplerChoice,
    /// CLT threshold of `auto` in samples per step (`clt_threshold`).
    pub clt_threshold: u64,
}

impl Default for SweepConfig {
    fn default() -> Self {
        let run = RunConfig::default();
        SweepConfig {
            d: run.d,
            p: run.p,
            k: run.k,
            target: run.target,
            activation: run.activation,
            noise: run.noise,
            update: run.update,
            init: run.init,
            eta: run.eta,
            protocols: vec![Loss::Mse, Loss::Correlation],
            mu: vec![0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0],
            n0: 1.0,
            lr: DEFAULT_SWEEP_LEARNING_RATE,
            lr_by_protocol: LearningRateByProtocol::default(),
            adaptive: run.adaptive,
            seeds: (0..5).collect(),
            max_steps: 1_000_000,
            max_samples: None,
            sampler: run.sampler,
            clt_threshold: run.clt_threshold,
        }
    }
}

/// Learning rate of a sweep when `lr` is not given: the protocol's optimal exponent with
/// prefactor 0.01. For plain SGD on He_3 the normalisation's noise beats the drift unless
/// gamma0 < 36/3456 ~ 0.0104 (tests/sweep_frontier.rs); with 0.1 plain SGD does not recover at
/// d = 1024.
pub const DEFAULT_SWEEP_LEARNING_RATE: LearningRate = LearningRate::Optimal { gamma0: 0.01 };

/// Learning-rate policies for single protocols (`lr_by_protocol`); a protocol without one uses
/// the sweep's `lr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningRateByProtocol {
    /// Policy of plain (MSE) SGD (`mse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mse: Option<LearningRate>,
    /// Policy of correlation-loss SGD (`correlation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<LearningRate>,
    /// Policy of the adaptive protocol (`adaptive`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<LearningRate>,
}

impl LearningRateByProtocol {
    /// The policy given for `protocol`, if any.
    pub fn get(&self, protocol: Loss) -> Option<LearningRate> {
        match protocol {
            Loss::Mse => self.mse,
            Loss::Correlation => self.correlation,
            Loss::Adaptive => self.adaptive,
        }
    }

    /// Sets (or clears, with None) the policy of `protocol`.
    pub fn set(&mut self, protocol: Loss, policy: Option<LearningRate>) {
        match protocol {
            Loss::Mse => self.mse = policy,
            Loss::Correlation => self.correlation = policy,
            Loss::Adaptive => self.adaptive = policy,
        }
    }

    /// Per-protocol prefactors written as `name=value` pairs separated by commas or spaces
    /// (`"mse=0.01, correlation=0.1"`; empty text: none), each applied to the policy `base`
    /// ([`LearningRate::with_prefactor`]). Errors name the pair and the valid values.
    pub fn from_prefactors(base: LearningRate, text: &str) -> Result<Self, String> {
        let mut out = Self::default();
        for pair in text.split([',', ' ', ';']).filter(|t| !t.is_empty()) {
            let (name, value) = pair.split_once('=').ok_or_else(|| {
                format!(
                    "'{}': write protocol=prefactor, e.g. correlation=0.1",
                    json::cut(pair)
                )
            })?;
            let protocol = Loss::ALL
                .into_iter()
                .find(|p| p.to_string() == name.trim())
                .ok_or_else(|| {
                    format!(
                        "'{}': not a protocol (mse, correlation or adaptive)",
                        json::cut(name)
                    )
                })?;
            if out.get(protocol).is_some() {
                return Err(format!("'{name}' is listed twice"));
            }
            let x: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x > 0.0)
                .ok_or_else(|| {
                    format!("{name}: '{}' is not a positive number", json::cut(value))
                })?;
            out.set(protocol, Some(base.with_prefactor(x)));
        }
        Ok(out)
    }

    /// The prefactors as `name=value` pairs (the inverse of [`Self::from_prefactors`]).
    pub fn prefactors_text(&self) -> String {
        Loss::ALL
            .into_iter()
            .filter_map(|p| {
                self.get(p)
                    .map(|lr| format!("{p}={}", display_number(lr.prefactor())))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// No protocol has its own policy.
    pub fn is_empty(&self) -> bool {
        Loss::ALL.iter().all(|&p| self.get(p).is_none())
    }
}

impl SweepConfig {
    /// Parses a JSON sweep config; unknown keys and type errors name the field.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        json::read(json::Schema::Sweep, text)
    }

    /// The learning-rate policy of `protocol`: its entry of `lr_by_protocol`, else `lr`.
    pub fn learning_rate(&self, protocol: Loss) -> LearningRate {
        self.lr_by_protocol.get(protocol).unwrap_or(self.lr)
    }

    /// The run config of one job (not validated; [`SweepConfig::jobs`] validates).
    pub fn job(&self, protocol: Loss, mu: f64, seed: u64) -> RunConfig {
        let batch = BatchScaling { n0: self.n0, mu };
        let steps = match self.max_samples {
            Some(cap) => {
                let by_samples = (cap as f64 / batch.resolve(self.d)).floor().max(1.0);
                self.max_steps.min(by_samples.min(MAX_STEPS as f64) as u64)
            }
            None => self.max_steps,
        };
        RunConfig {
            d: self.d,
            p: self.p,
            k: self.k,
            target: self.target,
            activation: self.activation,
            noise: self.noise,
            nb: None,
            batch: Some(batch),
            gamma: None,
            lr: Some(self.learning_rate(protocol)),
            loss: protocol,
            adaptive: self.adaptive,
            update: self.update,
            init: self.init.clone(),
            steps,
            seed,
            sampler: self.sampler,
            clt_threshold: self.clt_threshold,
            eta: self.eta,
            stop_at_recovery: true,
            record_points: JOB_RECORD_POINTS,
        }
    }

    /// Validates the sweep axes (lists non-empty, no repeats, ranges), naming the field.
    fn validate_axes(&self) -> Result<(), ConfigError> {
        // the size first, so a huge list is refused before any per-entry work
        let jobs = self
            .protocols
            .len()
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
                    "the sweep has {jobs} runs (protocols x mu x seeds = {} x {} x {}); at most {MAX_JOBS} are allowed",
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

    /// Validates everything and expands the grid into one [`RunConfig`] per
    /// (protocol, mu, seed), nested in that order (protocols outermost, seeds innermost).
    /// Errors name the sweep's field (`mu[2]`, `n0`, `max_steps`, `lr.gamma0`, ...).
    pub fn jobs(&self) -> Result<Vec<RunConfig>, ConfigError> {
        self.validate_axes()?;
        let mut jobs = Vec::with_capacity(self.protocols.len() * self.mu.len() * self.seeds.len());
        for &protocol in &self.protocols {
            for (i, &mu) in self.mu.iter().enumerate() {
                // the seed does not affect validity: resolve once per (protocol, mu)
                self.job(protocol, mu, self.seeds[0])
                    .resolve()
                    .map_err(|e| self.rename_error(e, protocol, i))?;
                jobs.extend(self.seeds.iter().map(|&seed| self.job(protocol, mu, seed)));
            }
        }
        Ok(jobs)
    }

    /// Maps an error of a job's `RunConfig` onto the sweep's own field names; an error of a
    /// protocol's own policy names its entry of `lr_by_protocol`.
    fn rename_error(&self, e: ConfigError, protocol: Loss, i: usize) -> ConfigError {
        let mu = display_number(self.mu[i]);
        let name = protocol;
        let context = |message: String| format!("{message} (protocol {name}, mu[{i}] = {mu})");
        let own_policy = self.lr_by_protocol.get(protocol).is_some();
        match e.field.as_str() {
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

/// The outcome of one sweep job (one row of `sgdlab sweep`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Loss of the run (`mse`, `correlation`, `adaptive`).
    pub protocol: Loss,
    /// Nominal batch exponent mu as listed in the config.
    pub mu: f64,
    /// Batch size n_b = floor(n0 d^mu).
    pub nb: u64,
    /// Initial learning rate gamma.
    pub gamma: f64,
    /// Seed of the run.
    pub seed: u64,
    /// First step t with max_j ||M_j|| >= eta; null when the run hit `max_steps` (censored).
    pub weak_recovery_step: Option<u64>,
    /// Samples drawn, t n_b: to weak recovery, or up to the cap for a censored run (then a lower
    /// bound). Saturates at 2^64 - 1.
    pub samples: u64,
    /// Sampler used.
    pub sampler: SamplerKind,
    /// true when weak recovery was not reached (cap hit, or the run diverged).
    pub censored: bool,
    /// theta = log_d max(T, 1) for T = `weak_recovery_step`; null when censored.
    pub theta: Option<f64>,
    /// log_d n_b of the actual (floor'ed) batch size.
    pub mu_resolved: f64,
    /// true when the run stopped on NaN/inf before weak recovery (also `censored`).
    pub diverged: bool,
}

/// Columns of [`points_to_csv`].
pub const CSV_HEADER: &str = "protocol,mu,nb,gamma,seed,weak_recovery_step,samples,sampler,censored,theta,mu_resolved,diverged";

impl SweepPoint {
    /// The point of a finished (or stopped) simulation.
    pub fn from_simulation(simulation: &Simulation) -> SweepPoint {
        let config = simulation.config();
        let c = &config.input;
        let d = c.d as f64;
        let step = simulation.trajectory().weak_recovery_step;
        let steps_drawn = step.unwrap_or(simulation.step());
        let diverged = matches!(simulation.status(), RunStatus::Diverged { .. });
        SweepPoint {
            protocol: c.loss,
            mu: c.batch.map(|b| b.mu).unwrap_or(config.mu_resolved),
            nb: config.nb_resolved,
            gamma: config.gamma_resolved,
            seed: c.seed,
            weak_recovery_step: step,
            samples: steps_drawn.saturating_mul(config.nb_resolved),
            sampler: config.sampler_resolved,
            censored: step.is_none(),
            theta: step.map(|t| (t.max(1) as f64).ln() / d.ln()),
            mu_resolved: config.mu_resolved,
            diverged: diverged && step.is_none(),
        }
    }

    /// One CSV row in the columns of [`CSV_HEADER`] (empty cells for nulls).
    pub fn csv_row(&self) -> String {
        let opt = |x: Option<String>| x.unwrap_or_default();
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            self.protocol,
            self.mu,
            self.nb,
            self.gamma,
            self.seed,
            opt(self.weak_recovery_step.map(|t| t.to_string())),
            self.samples,
            self.sampler,
            self.censored,
            opt(self.theta.map(|t| t.to_string())),
            self.mu_resolved,
            self.diverged
        )
    }
}

/// The whole output of `sgdlab sweep`: `{"points": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepOutput {
    /// One point per job, in the order of [`SweepConfig::jobs`].
    pub points: Vec<SweepPoint>,
}

/// The points as CSV, header included (numbers in shortest round-trip form).
pub fn points_to_csv(points: &[SweepPoint]) -> String {
    let mut out = String::with_capacity(64 * (points.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    for p in points {
        let _ = writeln!(out, "{}", p.csv_row());
    }
    out
}

/// Runs an already validated job to weak recovery or its cap.
pub fn run_resolved(config: ResolvedConfig) -> SweepPoint {
    let mut simulation = Simulation::from_resolved(config);
    let remaining = simulation.config().input.steps;
    simulation.run_steps(remaining);
    SweepPoint::from_simulation(&simulation)
}

/// Runs one job (a [`RunConfig`] from [`SweepConfig::jobs`]) to weak recovery or its cap. The
/// result depends only on `job`. Errors only when `job` does not validate.
pub fn run_job(job: &RunConfig) -> Result<SweepPoint, ConfigError> {
    Ok(run_resolved(job.resolve()?))
}

/// Runs already validated jobs and returns one point per job, in the order of `resolved`.
///
/// With the `cli` feature the jobs run on the current rayon thread pool (the global one, or
/// the pool of an enclosing `ThreadPool::install`); without it (the browser build, whose page
/// spreads jobs over its own Web Worker pool) one after the other on the calling thread.
/// Each point depends only on its job, so the result is the same for any number of threads.
pub fn run_resolved_jobs(resolved: Vec<ResolvedConfig>) -> Vec<SweepPoint> {
    #[cfg(feature = "cli")]
    {
        use rayon::prelude::*;
        resolved.into_par_iter().map(run_resolved).collect()
    }
    #[cfg(not(feature = "cli"))]
    {
        resolved.into_iter().map(run_resolved).collect()
    }
}

/// The sweep runner: validates every job (a [`RunConfig`] from [`SweepConfig::jobs`]), then
/// runs them with [`run_resolved_jobs`] (rayon with the `cli` feature, sequential otherwise).
/// Points come in the order of `jobs`. Errors, before running anything, when a job does not
/// validate.
pub fn run_sweep_jobs(jobs: &[RunConfig]) -> Result<Vec<SweepPoint>, ConfigError> {
    let resolved = jobs
        .iter()
        .map(RunConfig::resolve)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(run_resolved_jobs(resolved))
}

/// Runs every job of `config` with [`run_sweep_jobs`].
///
/// # Example
/// Two batch sizes n_b = d^μ, two seeds, plain and correlation-loss SGD; every run stops at
/// weak recovery or at the cap:
/// ```
/// use sgdlab::sweep::{run_sweep, SweepConfig};
///
/// let config = SweepConfig::from_json(
///     r#"{"d": 256, "mu": [1.0, 1.5], "seeds": [0, 1], "max_steps": 20000}"#,
/// )
/// .unwrap();
/// let output = run_sweep(&config).unwrap();
/// // one point per (protocol, mu, seed), in the order of `config.jobs()`
/// assert_eq!(output.points.len(), config.jobs().unwrap().len());
/// assert!(output.points.iter().all(|p| p.theta.is_some() || p.censored));
/// ```
pub fn run_sweep(config: &SweepConfig) -> Result<SweepOutput, ConfigError> {
    Ok(SweepOutput {
        points: run_sweep_jobs(&config.jobs()?)?,
    })
}

/// Summary of the runs of one (protocol, mu) over its seeds. theta = log_d T; censored runs
/// count as T = +infinity, so a median or quartile that falls on them is reported as null.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// Loss.
    pub protocol: Loss,
    /// Nominal mu.
    pub mu: f64,
    /// log_d n_b of the actual batch size.
    pub mu_resolved: f64,
    /// Batch size.
    pub nb: u64,
    /// Learning rate.
    pub gamma: f64,
    /// Number of runs (seeds).
    pub runs: usize,
    /// Runs that did not reach weak recovery.
    pub censored_runs: usize,
    /// Median steps to weak recovery; null when censored.
    pub median_steps: Option<f64>,
    /// Median theta = log_d T; null when censored (at least half of an even number, or more
    /// than half of an odd number, of runs capped).
    pub median_theta: Option<f64>,
    /// Lower quartile of theta (always finite unless more than 3/4 are censored).
    pub theta_q1: Option<f64>,
    /// Upper quartile of theta; null when it falls on censored runs.
    pub theta_q3: Option<f64>,
    /// Smallest theta; null when every run is censored.
    pub theta_min: Option<f64>,
    /// Largest theta; null when any run is censored.
    pub theta_max: Option<f64>,
    /// Median log_d N, N = T n_b samples to weak recovery; null when censored.
    pub median_log_samples: Option<f64>,
}

/// Quantile with linear interpolation between order statistics (R type 7) of sorted values;
/// infinite values propagate (a quantile touching a censored run is +infinity).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    if lo == hi {
        return sorted[lo];
    }
    let (a, b) = (sorted[lo], sorted[hi]);
    if b.is_infinite() {
        return b;
    }
    a + (h - lo as f64) * (b - a)
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Summaries per (protocol, mu), in order of first appearance in `points`. `d` is read from
/// n_b and mu_resolved of the points.
pub fn summarise(points: &[SweepPoint]) -> Vec<SweepSummary> {
    let mut keys: Vec<(Loss, u64)> = Vec::new();
    for p in points {
        let key = (p.protocol, p.mu.to_bits());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(protocol, mu_bits)| {
            let group: Vec<&SweepPoint> = points
                .iter()
                .filter(|p| p.protocol == protocol && p.mu.to_bits() == mu_bits)
                .collect();
            let first = group[0];
            let mut steps: Vec<f64> = group
                .iter()
                .map(|p| match p.weak_recovery_step {
                    Some(t) => t.max(1) as f64,
                    None => f64::INFINITY,
                })
                .collect();
            steps.sort_by(f64::total_cmp);
            // ln d from n_b = d^mu_resolved (mu_resolved = 0 when n_b = 1: use theta of a point)
            let ln_d = if first.nb > 1 && first.mu_resolved > 0.0 {
                (first.nb as f64).ln() / first.mu_resolved
            } else {
                group
                    .iter()
                    .find_map(|p| match (p.theta, p.weak_recovery_step) {
                        (Some(th), Some(t)) if th > 0.0 && t > 1 => Some((t as f64).ln() / th),
                        _ => None,
                    })
                    .unwrap_or(f64::NAN)
            };
            let theta = |t: f64| if t.is_finite() { t.ln() / ln_d } else { t };
            let median_steps = quantile_sorted(&steps, 0.5);
            let median_theta = finite(theta(median_steps));
            SweepSummary {
                protocol,
                mu: first.mu,
                mu_resolved: first.mu_resolved,
                nb: first.nb,
                gamma: first.gamma,
                runs: group.len(),
                censored_runs: group.iter().filter(|p| p.censored).count(),
                median_steps: finite(median_steps),
                median_theta,
                theta_q1: finite(theta(quantile_sorted(&steps, 0.25))),
                theta_q3: finite(theta(quantile_sorted(&steps, 0.75))),
                theta_min: finite(theta(steps[0])),
                theta_max: finite(theta(steps[steps.len() - 1])),
                median_log_samples: median_theta.map(|t| t + first.mu_resolved),
            }
        })
        .collect()
}

/// Least-squares line y = slope x + intercept. Returns (slope, intercept, standard error of
/// the slope); the standard error is sqrt(RSS / (n - 2) / Sxx), NaN for n < 3; all NaN when
/// fewer than two points or all x equal.
pub fn fit_slope(xs: &[f64], ys: &[f64]) -> (f64, f64, f64) {
    let n = xs.len().min(ys.len());
    if n < 2 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let nf = n as f64;
    let mx = xs.iter().sum::<f64>() / nf;
    let my = ys.iter().sum::<f64>() / nf;
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx <= 0.0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let se = if n > 2 {
        let rss: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| {
                let r = y - intercept - slope * x;
                r * r
            })
            .sum();
        (rss / (nf - 2.0) / sxx).sqrt()
    } else {
        f64::NAN
    };
    (slope, intercept, se)
}

/// The frontier of one protocol fitted over mu_lo <= mu <= mu_hi (nominal mu), from the
/// uncensored medians of [`summarise`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierFit {
    /// Protocol fitted.
    pub protocol: Loss,
    /// Points used (uncensored medians in range).
    pub points: usize,
    /// Fitted slope of median theta = log_d T against mu_resolved.
    pub slope: f64,
    /// Intercept of that line.
    pub intercept: f64,
    /// Standard error of the slope (least squares residuals).
    pub slope_se: f64,
    /// Fitted slope of median log_d N against mu_resolved (= slope + 1).
    pub samples_slope: f64,
    /// Largest median log_d N minus the smallest over the points used.
    pub samples_range: f64,
}

/// Fits the medians of `protocol` with nominal mu in [mu_lo, mu_hi]; `None` with fewer than two
/// uncensored medians.
pub fn fit_frontier(
    summaries: &[SweepSummary],
    protocol: Loss,
    mu_lo: f64,
    mu_hi: f64,
) -> Option<FrontierFit> {
    let used: Vec<(f64, f64, f64)> = summaries
        .iter()
        .filter(|s| s.protocol == protocol && s.mu >= mu_lo && s.mu <= mu_hi)
        .filter_map(|s| Some((s.mu_resolved, s.median_theta?, s.median_log_samples?)))
        .collect();
    if used.len() < 2 {
        return None;
    }
    let xs: Vec<f64> = used.iter().map(|u| u.0).collect();
    let thetas: Vec<f64> = used.iter().map(|u| u.1).collect();
    let logs: Vec<f64> = used.iter().map(|u| u.2).collect();
    let (slope, intercept, slope_se) = fit_slope(&xs, &thetas);
    let (samples_slope, _, _) = fit_slope(&xs, &logs);
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = logs.iter().copied().fold(f64::INFINITY, f64::min);
    Some(FrontierFit {
        protocol,
        points: used.len(),
        slope,
        intercept,
        slope_se,
        samples_slope,
        samples_range: max - min,
    })
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
