//! Messages between the page (main thread) and the simulation Web Worker.
//!
//! Both sides use these enums (serialised with serde / serde-wasm-bindgen), never ad-hoc
//! strings. Start-up handshake: the worker posts [`FromWorker::Ready`] once its wasm module is
//! initialised; the page queues every [`ToWorker`] message until then.

use crate::config::RunConfig;
use crate::sampler::SamplerKind;
use crate::simulation::TrajectoryPoint;
use crate::sweep::SweepPoint;
use serde::{Deserialize, Serialize};

/// Identifies one panel's run (e.g. 0 = MSE, 1 = correlation loss).
pub type RunId = u32;

/// Page -> worker.
#[allow(clippy::large_enum_variant)] // messages are moved once, never stored in bulk
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToWorker {
    /// Replace all runs by these and start them (interleaved, chunked per batch).
    Start {
        /// Incremented by the page on every start, so stale messages can be ignored.
        generation: u32,
        /// One config per panel.
        runs: Vec<(RunId, RunConfig)>,
        /// Also compute the deterministic overlap recursion of each run (theory overlay).
        theory: bool,
    },
    /// Stop computing (the runs are kept).
    Pause,
    /// Continue after a pause.
    Resume,
    /// Advance every unfinished run by exactly one step, then pause.
    Step,
    /// Drop all runs.
    Reset,
    /// Makes the worker panic on purpose. The page sends it only from its test hook
    /// `window.sgdlabCrashWorker()`, which the end-to-end tests call to check crash recovery.
    Panic,
    /// Run one sweep job to weak recovery or its cap (batch-size explorer); answered by
    /// [`FromWorker::JobDone`]. Jobs queue behind each other in the worker.
    Job {
        /// Generation of the sweep.
        generation: u32,
        /// Index of the job in the sweep.
        job: u32,
        /// Its run config.
        config: RunConfig,
    },
}

/// Resolved numbers of a run, shown next to its panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Batch size n_b.
    pub nb: u64,
    /// Initial learning rate gamma.
    pub gamma: f64,
    /// mu = log_d n_b.
    pub mu: f64,
    /// gamma0 of gamma = gamma0 d^(-delta) as the policy defines it (null for a bare gamma).
    pub gamma0: Option<f64>,
    /// delta of gamma = gamma0 d^(-delta) as the policy defines it (null for a bare gamma).
    pub delta: Option<f64>,
    /// Information exponent of the target.
    pub information_exponent: u32,
    /// Leap index of the target in the teacher's basis ([`crate::model::target_leap_index`]:
    /// an upper bound on the rotation-invariant leap; equal to `information_exponent` for
    /// k = 1).
    #[serde(default)]
    pub leap_index: u32,
    /// Sampler used.
    pub sampler: SamplerKind,
    /// How the risk is computed.
    pub risk_method: String,
    /// Warnings about the settings ([`crate::preflight::noise_warnings`]); empty for sound
    /// settings.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Estimated cost in seconds on the reference machine
    /// ([`crate::preflight::simulation_cost`]).
    #[serde(default)]
    pub estimated_seconds: f64,
    /// Whether the run stops at weak recovery (`stop_at_recovery`).
    #[serde(default)]
    pub stops_at_recovery: bool,
}

/// Worker -> page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromWorker {
    /// The worker's wasm is initialised; queued messages may be sent.
    Ready,
    /// A run was accepted.
    Started {
        /// Generation of the Start message.
        generation: u32,
        /// Which run.
        run: RunId,
        /// Its resolved numbers.
        summary: RunSummary,
    },
    /// New recorded points of a run.
    Progress {
        /// Generation of the Start message.
        generation: u32,
        /// Which run.
        run: RunId,
        /// Points recorded since the last message.
        points: Vec<TrajectoryPoint>,
        /// Steps completed.
        step: u64,
        /// Total steps.
        steps: u64,
        /// Samples drawn per second over the last slice.
        samples_per_second: f64,
        /// Weak-recovery step, once reached.
        weak_recovery_step: Option<u64>,
        /// The adaptive protocol's switch to MSE, once it happened.
        #[serde(default)]
        switch_step: Option<u64>,
    },
    /// The overlap recursion of a run (theory overlay), or why there is none.
    Theory {
        /// Generation of the Start message.
        generation: u32,
        /// Which run.
        run: RunId,
        /// Recorded points of the recursion (empty when unavailable).
        points: Vec<TrajectoryPoint>,
        /// Regime, method, or why the overlay is unavailable.
        note: Option<String>,
    },
    /// A run completed all its steps.
    Finished {
        /// Generation of the Start message.
        generation: u32,
        /// Which run.
        run: RunId,
    },
    /// A run stopped because the weights became NaN/inf.
    Diverged {
        /// Generation of the Start message.
        generation: u32,
        /// Which run.
        run: RunId,
        /// Step and explanation.
        message: String,
    },
    /// A config was rejected.
    Invalid {
        /// Generation of the Start message.
        generation: u32,
        /// Which run.
        run: RunId,
        /// Field and valid range.
        message: String,
    },
    /// All runs are paused (acknowledges Pause / Step).
    Paused,
    /// The worker panicked (its wasm instance is unusable; the page starts a new worker).
    Crashed {
        /// The panic message and location (at most 2000 characters).
        message: String,
    },
    /// A sweep job finished.
    JobDone {
        /// Generation of the sweep.
        generation: u32,
        /// Index of the job in the sweep.
        job: u32,
        /// Its measurement (or the validation error).
        point: Result<SweepPoint, String>,
    },
}
