//! One measured point of a sweep (a job's weak-recovery step, samples and θ = log_d T) and
//! the CSV of a list of them.

use crate::model::Loss;
use crate::sampler::SamplerKind;
use crate::simulation::{RunStatus, Simulation};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

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
    /// Second-layer weight every unit started with (the model's `second_layer.a0`, or one
    /// entry of the sweep's `a0` list). Points written before the a0 axis existed have no
    /// `a0`; they read as 1 (the default `second_layer.a0`), and `sgdlab merge` checks every
    /// point against its job, so a shard of a sweep at another `second_layer.a0` is refused by
    /// name rather than merged with a wrong weight.
    #[serde(default = "default_a0")]
    pub a0: f64,
    /// true when the run stopped on NaN/inf before weak recovery (also `censored`).
    pub diverged: bool,
    /// Input dimension d of the run (one of the sweep's dimensions).
    pub d: u64,
}

/// `a0` of a point written without one: the default second-layer weight.
fn default_a0() -> f64 {
    1.0
}

/// Columns of [`points_to_csv`]. `a0` sits between `mu_resolved` and `diverged`: the first six
/// columns (read by position, `weak_recovery_step` is the sixth) and the last two (`diverged,d`,
/// `d` last) are where they were before the a0 axis.
pub const CSV_HEADER: &str = "protocol,mu,nb,gamma,seed,weak_recovery_step,samples,sampler,censored,theta,mu_resolved,a0,diverged,d";

impl SweepPoint {
    /// The point of a finished (or stopped) simulation.
    pub fn from_simulation(simulation: &Simulation) -> SweepPoint {
        let config = simulation.config();
        let c = &config.input;
        let d = c.model.d as f64;
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
            a0: c.model.second_layer.a0,
            diverged: diverged && step.is_none(),
            d: c.model.d,
        }
    }

    /// One CSV row in the columns of [`CSV_HEADER`] (empty cells for nulls).
    pub fn csv_row(&self) -> String {
        let opt = |x: Option<String>| x.unwrap_or_default();
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
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
            self.a0,
            self.diverged,
            self.d
        )
    }
}

/// The whole output of `sgdlab sweep`: `{"points": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepOutput {
    /// One point per job, in the order of [`super::SweepConfig::jobs`].
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
