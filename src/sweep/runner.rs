//! The one sweep runner: validated jobs run on the rayon pool (the `cli` feature) or one
//! after the other (the browser build, whose page has its own Web Worker pool).

use super::*;
use crate::config::{ConfigError, ResolvedConfig, RunConfig};
use crate::simulation::Simulation;

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
