//! The engine as a native host program drives it (the `sgdlab` command line and the Python
//! package): the checks made before anything is computed, and runners that a host can stop.
//!
//! * [`resolve_runs`] validates every run of a config file and checks it against the cost budget
//!   and the per-run memory bound; [`prepare_theory`] does the same for a theory config.
//! * [`run_cancellable`], [`run_job_cancellable`] and [`run_jobs_cancellable`] run simulations in
//!   slices of about [`crate::ui::slicing::SLICE_MILLISECONDS`] and look at a cancel flag between
//!   slices, so a host (Python's Ctrl-C) stops a run within a slice however large its batches.
//!   The slices split a step's batch for the `exact` and `full` samplers, whose samples are
//!   drawn one after the other (so the split changes nothing), and advance whole steps for
//!   `clt`, which draws one Gaussian per call: the result is bit-identical to
//!   [`Simulation::run_to_end`] and [`crate::sweep::run_resolved`].

use crate::config::{ConfigError, ConfigFile, ResolvedConfig, MAX_RUN_OUTPUT_BYTES};
use crate::preflight::{check_budget, simulation_cost, theory_cost};
use crate::sampler::SamplerKind;
use crate::simulation::{RunOutput, RunStatus, Simulation};
use crate::sweep::SweepPoint;
use crate::theory::Terms;
use crate::theory_run::theory_config_from_json;
use crate::ui::slicing::SliceBudget;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Settings a run's cost budget names when it refuses a run.
pub const RUN_BUDGET_FIELDS: &str = "nb, steps, sampler";
/// Settings a theory config's cost budget names.
pub const THEORY_BUDGET_FIELDS: &str = "p, k, steps";

/// Validates every run of `file` and checks its cost ([`check_budget`], unless `force`) and its
/// memory estimate against [`MAX_RUN_OUTPUT_BYTES`]; errors of a `runs` list name the entry
/// (`runs[3].record_points`).
pub fn resolve_runs(file: &ConfigFile, force: bool) -> Result<Vec<ResolvedConfig>, ConfigError> {
    let resolved = file.resolve()?;
    let name = |i: usize, field: &str| {
        if file.is_list {
            format!("runs[{i}].{field}")
        } else {
            field.to_string()
        }
    };
    for (i, r) in resolved.iter().enumerate() {
        check_budget(&simulation_cost(r), RUN_BUDGET_FIELDS, force).map_err(|e| {
            let field = name(i, &e.field);
            e.renamed(field)
        })?;
        let bytes = r.output_bytes_estimate();
        if bytes > MAX_RUN_OUTPUT_BYTES {
            return Err(ConfigError::new(
                name(i, "record_points"),
                format!(
                    "this run would hold about {:.1} GiB of trajectory and JSON ({} points of {} numbers); at most {} GiB per run: lower record_points or steps",
                    bytes as f64 / (1u64 << 30) as f64,
                    r.recorded_points_bound(),
                    r.input.model.p * (r.input.model.p + r.input.model.k) + 2,
                    MAX_RUN_OUTPUT_BYTES >> 30
                ),
            ));
        }
    }
    Ok(resolved)
}

/// Reads a theory config ([`theory_config_from_json`]), validates it and checks its cost
/// ([`theory_cost`] against the budget, unless `force`).
pub fn prepare_theory(text: &str, force: bool) -> Result<(ResolvedConfig, Terms), ConfigError> {
    let (run, terms) = theory_config_from_json(text)?;
    let resolved = run.resolve()?;
    check_budget(&theory_cost(&resolved), THEORY_BUDGET_FIELDS, force)?;
    Ok((resolved, terms))
}

/// Steps `simulation` to its end in slices, looking at `cancel` before each; false when it was
/// cancelled first.
fn step_to_end(simulation: &mut Simulation, cancel: &AtomicBool) -> bool {
    let whole_steps = simulation.config().sampler_resolved == SamplerKind::Clt;
    let mut budget = SliceBudget::new(0);
    while *simulation.status() == RunStatus::Running {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let start = Instant::now();
        if whole_steps {
            simulation.run_steps(1);
        } else {
            simulation.advance(budget.samples());
        }
        budget.adapt(start.elapsed().as_secs_f64() * 1e3);
        // nobody streams these points: drop them so the queue stays empty
        drop(simulation.drain_new_points());
    }
    true
}

/// Runs `config` to its end like [`Simulation::run_to_end`] (same output, bit for bit);
/// `None` when `cancel` was set first.
pub fn run_cancellable(config: ResolvedConfig, cancel: &AtomicBool) -> Option<RunOutput> {
    let mut simulation = Simulation::from_resolved(config);
    step_to_end(&mut simulation, cancel).then(|| simulation.into_output())
}

/// Runs a validated sweep job to weak recovery or its cap like [`crate::sweep::run_resolved`]
/// (same point); `None` when `cancel` was set first.
pub fn run_job_cancellable(config: ResolvedConfig, cancel: &AtomicBool) -> Option<SweepPoint> {
    let mut simulation = Simulation::from_resolved(config);
    step_to_end(&mut simulation, cancel).then(|| SweepPoint::from_simulation(&simulation))
}

/// Runs validated sweep jobs on the current rayon pool, one point per job in their order;
/// `None` when `cancel` was set before the last one finished (running jobs stop within a
/// slice, the others do not start).
pub fn run_jobs_cancellable(
    jobs: Vec<ResolvedConfig>,
    cancel: &AtomicBool,
) -> Option<Vec<SweepPoint>> {
    jobs.into_par_iter()
        .map(|job| run_job_cancellable(job, cancel))
        .collect()
}

/// Runs validated configs on the current rayon pool, one output per config in their order;
/// `None` when `cancel` was set first.
pub fn run_all_cancellable(
    configs: Vec<ResolvedConfig>,
    cancel: &AtomicBool,
) -> Option<Vec<RunOutput>> {
    configs
        .into_par_iter()
        .map(|config| run_cancellable(config, cancel))
        .collect()
}
