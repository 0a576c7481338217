//! A whole run: initialisation, the chosen sampler, learning-rate schedule, the adaptive
//! protocol's switch, weak-recovery detection, divergence detection and the recorded
//! [`Trajectory`].
//!
//! A run advances by a budget of *samples*, not steps, so callers (the browser worker, the
//! CLI) can interleave other work even when one batch holds 10^8 samples:
//! [`Simulation::advance`] processes at most `budget` samples and returns.
//!
//! Reproducibility: one `seed` determines the run ([`crate::random::streams_from_seed`]);
//! the same seed and config give bit-identical trajectories on every target.

use crate::config::{ConfigError, ResolvedConfig, RunConfig};
use crate::model::{Loss, Overlaps, SpikeGeometry, StepLoss};
use crate::preflight::{noise_warnings, simulation_cost, CostEstimate};
use crate::random::{streams_from_seed, RandomStreams};
use crate::sampler::{
    CltMomentReport, CltSampler, ExactSampler, FullSampler, Sampler, SamplerKind,
    SecondLayerWeights, StepSettings,
};
use crate::theory::population_risk_under_covariance;
use crate::trajectory::{matrix_rows, Trajectory};
use serde::{Deserialize, Serialize};

/// Where a run stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum RunStatus {
    /// More steps to go.
    Running,
    /// All steps done (or weak recovery reached with `stop_at_recovery`).
    Finished,
    /// Stopped on NaN/inf.
    Diverged {
        /// Step at which the update failed.
        step: u64,
        /// What happened.
        message: String,
    },
}

/// One recorded point, as streamed to the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryPoint {
    /// Step t.
    pub step: u64,
    /// M (p x k rows).
    #[serde(rename = "M")]
    pub m: Vec<Vec<f64>>,
    /// Q (p x p rows).
    #[serde(rename = "Q")]
    pub q: Vec<Vec<f64>>,
    /// The second layer a_1..a_p (trained second layer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<Vec<f64>>,
    /// R (p x m rows): the overlaps with the free directions of a spiked covariance (runs
    /// whose spikes have free directions only).
    #[serde(rename = "R", default, skip_serializing_if = "Option::is_none")]
    pub r: Option<Vec<Vec<f64>>>,
    /// Population risk.
    pub risk: f64,
}

/// The result of a run in the CLI's JSON schema.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutput {
    /// The resolved config (n_b and gamma as numbers).
    pub config: ResolvedConfig,
    /// Sampler used.
    pub sampler: SamplerKind,
    /// How the risk was computed (closed form, exact polynomial, quadrature, Monte Carlo).
    pub risk_method: String,
    /// clt runs only: how the per-sample moments of the Gaussian step law were obtained and
    /// the largest relative standard error of their covariance (0 when exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clt_moments: Option<CltMomentReport>,
    /// The recorded trajectory (`steps`, `M`, `Q`, `risk`, `weak_recovery_step`).
    #[serde(flatten)]
    pub trajectory: Trajectory,
    /// Step at which the adaptive protocol switched to MSE.
    pub switch_step: Option<u64>,
    /// Steps completed.
    pub steps_done: u64,
    /// true when the run stopped on NaN/inf.
    pub diverged: bool,
    /// Why it diverged (null otherwise).
    pub message: Option<String>,
    /// Warnings about settings whose result cannot mean much (see
    /// [`crate::preflight::noise_warnings`]); empty for sound settings.
    pub warnings: Vec<String>,
    /// The estimated cost of the run before it started ([`crate::preflight::simulation_cost`]).
    pub estimated_cost: CostEstimate,
}

/// A run in progress: online SGD of a p-unit student on the teacher of a [`RunConfig`], one
/// fresh batch of n_b samples per step, drawn by the resolved sampler (docs/science.md §2–§4).
///
/// # Example
/// He₃ (information exponent 3) at d = 256, n_b = d, with correlation loss, which escapes
/// the initial plateau within a few hundred steps:
/// ```
/// use sgdlab::config::RunConfig;
/// use sgdlab::model::Loss;
/// use sgdlab::simulation::Simulation;
///
/// let config = RunConfig::from_json(
///     r#"{"d": 256, "nb": 256, "loss": "correlation", "steps": 2000, "seed": 1,
///         "stop_at_recovery": true}"#,
/// )
/// .unwrap();
/// assert_eq!(config.loss, Loss::Correlation);
/// let mut run = Simulation::new(&config).unwrap();
/// run.run_steps(10);
/// assert_eq!(run.step(), 10);
/// let output = run.run_to_end();
/// // max_j ||M_j|| crossed eta = 0.5 before the cap
/// assert!(output.trajectory.weak_recovery_step.is_some());
/// ```
pub struct Simulation {
    config: ResolvedConfig,
    sampler: Box<dyn Sampler>,
    streams: RandomStreams,
    step: u64,
    samples_in_step: u64,
    gamma: f64,
    step_loss: StepLoss,
    switch_step: Option<u64>,
    initial_risk: f64,
    risk_method: String,
    trajectory: Trajectory,
    new_points: Vec<TrajectoryPoint>,
    /// Whether recorded points are also queued for [`Simulation::drain_new_points`] (off in
    /// [`Simulation::run_to_end`], where nobody drains them and the queue would grow with
    /// every point ever recorded, thinned ones included).
    streaming: bool,
    warnings: Vec<String>,
    status: RunStatus,
    /// The spiked input covariance (None: isotropic).
    covariance: Option<SpikeGeometry>,
}

/// The sampler a run of `config` starts with, its initial state drawn from the `init`
/// stream of `streams`: literal d-dimensional weights for the full sampler, the overlaps
/// (Q, M) directly for the exact and clt samplers. The simulation and the overlap recursion
/// ([`crate::theory_run::initial_overlaps`]) both start from it, so the same seed gives them the
/// same initial overlaps.
pub fn initial_sampler(config: &ResolvedConfig, streams: &mut RandomStreams) -> Box<dyn Sampler> {
    let c = &config.input;
    match config.sampler_resolved {
        SamplerKind::Full => {
            let w = c
                .model
                .init
                .sample_weights(&mut streams.init, c.model.p, c.model.k, c.model.d);
            Box::new(
                FullSampler::new(c.model.p, c.model.k, c.model.d as usize, w)
                    .with_second_layer(c.model.second_layer.a0)
                    .with_covariance(c.model.covariance.geometry(c.model.k)),
            )
        }
        SamplerKind::Exact => Box::new(
            ExactSampler::new(c.model.init.sample_tracked_overlaps(
                &mut streams.init,
                c.model.p,
                (c.model.k, c.model.covariance.free_directions()),
                c.model.d,
            ))
            .with_second_layer(c.model.second_layer.a0)
            .with_covariance(c.model.covariance.geometry(c.model.k)),
        ),
        SamplerKind::Clt => Box::new(
            CltSampler::new(c.model.init.sample_overlaps(
                &mut streams.init,
                c.model.p,
                c.model.k,
                c.model.d,
            ))
            .with_second_layer(c.model.second_layer.a0),
        ),
    }
}

impl Simulation {
    /// Validates `config` and draws the initial state.
    pub fn new(config: &RunConfig) -> Result<Self, ConfigError> {
        let resolved = config.resolve()?;
        Ok(Self::from_resolved(resolved))
    }

    /// Starts a run from an already validated config.
    pub fn from_resolved(config: ResolvedConfig) -> Self {
        let c = &config.input;
        let mut streams = streams_from_seed(c.seed);
        let sampler = initial_sampler(&config, &mut streams);
        let overlaps = sampler.overlaps();
        let warnings = noise_warnings(&config, &overlaps);
        let covariance =
            (!c.model.covariance.is_isotropic()).then(|| c.model.covariance.geometry(c.model.k));
        let estimate = population_risk_under_covariance(
            &c.model.target,
            &config.activation_resolved,
            &sampler.tracked_overlaps(),
            covariance.as_ref(),
            c.model.noise,
            sampler.second_layer().values(),
        );
        let mut simulation = Simulation {
            gamma: config.gamma_resolved,
            step_loss: c.loss.initial_step_loss(),
            trajectory: Trajectory::with_capacity(c.record_points),
            sampler,
            streams,
            step: 0,
            samples_in_step: 0,
            switch_step: None,
            initial_risk: estimate.value,
            risk_method: estimate.method.to_string(),
            new_points: Vec::new(),
            streaming: true,
            warnings,
            status: RunStatus::Running,
            covariance,
            config,
        };
        simulation.observe(&overlaps, Some(estimate.value), true);
        simulation
    }

    /// The resolved config.
    pub fn config(&self) -> &ResolvedConfig {
        &self.config
    }

    /// The step at which the adaptive protocol switched from correlation loss to MSE, once it
    /// has (None for the other protocols).
    pub fn switch_step(&self) -> Option<u64> {
        self.switch_step
    }

    /// Steps completed.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Samples drawn so far, t n_b + samples of the current batch.
    pub fn samples(&self) -> u128 {
        self.step as u128 * self.config.nb_resolved as u128 + self.samples_in_step as u128
    }

    /// Current learning rate (changes in the adaptive protocol).
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Warnings about the settings, decided at the start (see
    /// [`crate::preflight::noise_warnings`]); empty for sound settings.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Current status.
    pub fn status(&self) -> &RunStatus {
        &self.status
    }

    /// Current overlaps.
    pub fn overlaps(&self) -> Overlaps {
        self.sampler.overlaps()
    }

    /// The current overlaps with every tracked fixed vector: the teachers, then a spiked
    /// covariance's free directions ([`Sampler::tracked_overlaps`]).
    pub fn tracked_overlaps(&self) -> Overlaps {
        self.sampler.tracked_overlaps()
    }

    /// How the population risk is computed.
    pub fn risk_method(&self) -> &str {
        &self.risk_method
    }

    /// For a clt run, how its per-sample moments were obtained and their largest relative
    /// error so far (`None` for other samplers and before the first step).
    pub fn clt_moments(&self) -> Option<CltMomentReport> {
        self.sampler.clt_moments()
    }

    /// The recorded trajectory so far.
    pub fn trajectory(&self) -> &Trajectory {
        &self.trajectory
    }

    /// Points recorded since the last call (for streaming).
    pub fn drain_new_points(&mut self) -> Vec<TrajectoryPoint> {
        std::mem::take(&mut self.new_points)
    }

    fn settings(&self) -> StepSettings {
        let c = &self.config.input;
        StepSettings {
            target: c.model.target,
            activation: self.config.activation_resolved,
            noise_sd: c.model.noise.sqrt(),
            d: c.model.d,
            nb: self.config.nb_resolved,
            gamma: self.gamma,
            step_loss: self.step_loss,
            update: c.model.update,
            a0: c.model.second_layer.a0,
            second_layer_gamma: c.model.second_layer.gamma,
        }
    }

    /// The current second layer a_1..a_p.
    pub fn second_layer(&self) -> SecondLayerWeights {
        self.sampler.second_layer()
    }

    /// The second layer to record: `Some` when it is trained.
    fn recorded_second_layer(&self) -> Option<SecondLayerWeights> {
        self.config
            .input
            .model
            .second_layer
            .trained()
            .then(|| self.sampler.second_layer())
    }

    /// R (p x m): the students' overlaps with the covariance's free directions, the last m
    /// columns of the sampler's tracked overlaps; `None` without free directions.
    fn free_overlaps(&self) -> Option<nalgebra::DMatrix<f64>> {
        let geometry = self.covariance.as_ref()?;
        let m = geometry.free_directions();
        if m == 0 {
            return None;
        }
        let tracked = self.sampler.tracked_overlaps();
        let k = tracked.m.ncols() - m;
        Some(tracked.m.columns(k, m).into_owned())
    }

    /// The population risk at `overlaps` (the sampler's current ones; under a spiked covariance
    /// the sampler's tracked overlaps, which include the free directions).
    fn risk(&self, overlaps: &Overlaps) -> f64 {
        let c = &self.config.input;
        let tracked = self
            .covariance
            .as_ref()
            .map(|_| self.sampler.tracked_overlaps());
        population_risk_under_covariance(
            &c.model.target,
            &self.config.activation_resolved,
            tracked.as_ref().unwrap_or(overlaps),
            self.covariance.as_ref(),
            c.model.noise,
            self.sampler.second_layer().values(),
        )
        .value
    }

    /// Records the state after step `self.step` when it is on the recording grid (or forced),
    /// and checks weak recovery.
    fn observe(&mut self, overlaps: &Overlaps, risk: Option<f64>, force: bool) {
        let recovered_now = self.trajectory.weak_recovery_step.is_none()
            && overlaps.max_teacher_overlap() >= self.config.input.model.eta;
        if recovered_now {
            self.trajectory.weak_recovery_step = Some(self.step);
        }
        let last = self.step >= self.config.input.steps;
        let force = force || recovered_now || last;
        if force || self.trajectory.wants(self.step) {
            let risk = risk.unwrap_or_else(|| self.risk(overlaps));
            let a = self.recorded_second_layer();
            let a = a.as_ref().map(|a| a.values());
            let r = self.free_overlaps();
            self.trajectory
                .record_state(self.step, overlaps, a, r.as_ref(), risk, force);
            if !self.streaming {
                return;
            }
            self.new_points.push(TrajectoryPoint {
                step: self.step,
                m: matrix_rows(&overlaps.m),
                q: matrix_rows(&overlaps.q),
                a: a.map(|a| a.to_vec()),
                r: r.as_ref().map(matrix_rows),
                risk,
            });
        }
    }

    /// Processes at most `budget` samples (completing steps as their batches fill) and
    /// returns the status. A diverging step stops the run with a message.
    pub fn advance(&mut self, mut budget: u64) -> &RunStatus {
        let nb = self.config.nb_resolved;
        while budget > 0 && self.status == RunStatus::Running {
            let settings = self.settings();
            let take = budget.min(nb - self.samples_in_step);
            self.sampler
                .accumulate(&settings, &mut self.streams.data, take);
            self.samples_in_step += take;
            budget -= take;
            if self.samples_in_step < nb {
                break;
            }
            self.samples_in_step = 0;
            if let Err(e) = self
                .sampler
                .finish_step(&settings, &mut self.streams.orthogonal)
            {
                self.status = RunStatus::Diverged {
                    step: self.step + 1,
                    message: e.to_string(),
                };
                break;
            }
            self.step += 1;
            self.after_step();
        }
        &self.status
    }

    /// Runs `n` whole steps (or to the end).
    pub fn run_steps(&mut self, n: u64) -> &RunStatus {
        let target = (self.step + n).min(self.config.input.steps);
        while self.step < target && self.status == RunStatus::Running {
            let remaining = self.config.nb_resolved - self.samples_in_step;
            self.advance(remaining);
        }
        &self.status
    }

    fn after_step(&mut self) {
        let overlaps = self.sampler.overlaps();
        let adaptive = self.config.input.loss == Loss::Adaptive;
        let mut risk = None;
        if adaptive {
            let schedule = self.config.input.model.adaptive;
            match self.step_loss {
                StepLoss::Correlation => {
                    let r = self.risk(&overlaps);
                    risk = Some(r);
                    if r < schedule.threshold * self.initial_risk {
                        self.step_loss = StepLoss::Mse;
                        self.gamma *= schedule.jump;
                        self.switch_step = Some(self.step);
                    }
                }
                StepLoss::Mse => self.gamma *= schedule.decay,
            }
        }
        let finished = self.step >= self.config.input.steps;
        self.observe(&overlaps, risk, false);
        if finished
            || (self.config.input.stop_at_recovery && self.trajectory.weak_recovery_step.is_some())
        {
            if !finished {
                let a = self.recorded_second_layer();
                let r = self.free_overlaps();
                self.trajectory.record_state(
                    self.step,
                    &overlaps,
                    a.as_ref().map(|a| a.values()),
                    r.as_ref(),
                    risk.unwrap_or_else(|| self.risk(&overlaps)),
                    true,
                );
            }
            self.status = RunStatus::Finished;
        }
    }

    /// Runs to the end and returns the output in the CLI schema.
    pub fn run_to_end(mut self) -> RunOutput {
        self.streaming = false;
        self.new_points = Vec::new();
        let remaining = self.config.input.steps - self.step;
        self.run_steps(remaining);
        self.into_output()
    }

    /// The output in the CLI schema.
    pub fn into_output(self) -> RunOutput {
        let (diverged, message) = match &self.status {
            RunStatus::Diverged { message, step } => {
                (true, Some(format!("step {step}: {message}")))
            }
            _ => (false, None),
        };
        RunOutput {
            estimated_cost: simulation_cost(&self.config),
            warnings: self.warnings,
            sampler: self.config.sampler_resolved,
            config: self.config,
            risk_method: self.risk_method,
            clt_moments: self.sampler.clt_moments(),
            trajectory: self.trajectory,
            switch_step: self.switch_step,
            steps_done: self.step,
            diverged,
            message,
        }
    }
}
