//! `sgdlab._native`: the Online SGD Lab engine for Python (the `sgdlab` package in
//! `python/pysrc/sgdlab` wraps it in dicts and numpy arrays).
//!
//! Every function takes and returns JSON text, read and written by the same library code as the
//! `sgdlab` command line ([`sgdlab::config`]'s strict reader, [`sgdlab::host`]'s checks,
//! [`sgdlab::sweep_shard::SweepPlan`]), so the schema, the validation messages and the numbers
//! are the CLI's. Invalid input raises `sgdlab.ConfigError` (a `ValueError`) whose message names
//! the field and the valid range, exactly as the CLI prints after `error: `.
//!
//! The work runs on a thread of its own while the calling thread waits without the GIL, looking
//! at Python's signals every [`SIGNAL_POLL`]: Ctrl-C raises `KeyboardInterrupt` at once and sets
//! a cancel flag that stops simulations within one slice of stepping ([`sgdlab::host`]). A
//! panic of the engine becomes a `RuntimeError` with the panic's message.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use sgdlab::config::{ConfigError as EngineError, ConfigFile, RunConfig};
use sgdlab::host::{
    prepare_theory, resolve_runs, run_all_cancellable, run_job_cancellable, run_jobs_cancellable,
};
use sgdlab::sweep::SweepPoint;
use sgdlab::sweep_shard::SweepPlan;
use sgdlab::theory_run::run_theory;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// How often a waiting call looks at Python's signals (Ctrl-C).
pub const SIGNAL_POLL: Duration = Duration::from_millis(50);

pyo3::create_exception!(
    sgdlab,
    ConfigError,
    PyValueError,
    "An invalid config: the message names the field (its JSON path) and the valid range."
);

/// What a background computation ends with.
enum Failure {
    /// Invalid input, named by its field.
    Config(EngineError),
    /// Anything else (serialisation).
    Other(String),
    /// The cancel flag was set before the work finished.
    Cancelled,
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        Failure::Config(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::Other(e.to_string())
    }
}

/// JSON text of `value`.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    Ok(serde_json::to_string(value)?)
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs `work` on a new thread and waits for it without the GIL, polling Python's signals; on
/// a signal (KeyboardInterrupt) the cancel flag is set and the exception returned at once (a
/// cancelled simulation stops within a slice; its thread then ends on its own).
fn in_background<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce(&AtomicBool) -> Result<T, Failure> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("sgdlab".to_string())
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&flag)));
            // the receiver is gone when the caller was interrupted: nothing to report then
            let _ = sender.send(result);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    let mut receiver = receiver;
    loop {
        // the receiver is Send but not Sync: move it into the GIL-free closure and back
        let (received, back) = py.detach(move || (receiver.recv_timeout(SIGNAL_POLL), receiver));
        receiver = back;
        match received {
            Ok(Ok(Ok(value))) => return Ok(value),
            Ok(Ok(Err(Failure::Config(e)))) => return Err(ConfigError::new_err(e.to_string())),
            Ok(Ok(Err(Failure::Other(message)))) => return Err(PyRuntimeError::new_err(message)),
            Ok(Ok(Err(Failure::Cancelled))) => {
                return Err(PyRuntimeError::new_err("the computation was cancelled"))
            }
            Ok(Err(payload)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "sgdlab engine panicked: {}",
                    panic_message(payload.as_ref())
                )))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    cancel.store(true, Ordering::Relaxed);
                    return Err(interrupt);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "the sgdlab thread ended without a result",
                ))
            }
        }
    }
}

/// `Some(value)` or [`Failure::Cancelled`].
fn finished<T>(value: Option<T>) -> Result<T, Failure> {
    value.ok_or(Failure::Cancelled)
}

/// The output of `sgdlab run` for `config` (JSON of one run, or of `{"runs": [...]}`): same
/// reader, checks (cost budget unless `force`, memory bound) and output as the CLI's JSON.
#[pyfunction]
#[pyo3(signature = (config, force = false))]
fn run(py: Python<'_>, config: String, force: bool) -> PyResult<String> {
    in_background(py, move |cancel| {
        let file: ConfigFile = RunConfig::list_from_json(&config)?;
        let resolved = resolve_runs(&file, force)?;
        let mut outputs = finished(run_all_cancellable(resolved, cancel))?;
        if file.is_list {
            // a struct, not json!(): keys in the order the CLI writes them
            #[derive(serde::Serialize)]
            struct Runs {
                runs: Vec<sgdlab::simulation::RunOutput>,
            }
            to_json(&Runs { runs: outputs })
        } else {
            to_json(&outputs.remove(0))
        }
    })
}

/// The output of `sgdlab theory` for `config` (a run config plus `terms`).
#[pyfunction]
#[pyo3(signature = (config, force = false))]
fn theory(py: Python<'_>, config: String, force: bool) -> PyResult<String> {
    in_background(py, move |_| {
        let (resolved, terms) = prepare_theory(&config, force)?;
        to_json(&run_theory(&resolved, terms)?)
    })
}

/// The output of `sgdlab sweep` for `config`, its jobs on all cores.
#[pyfunction]
#[pyo3(signature = (config, force = false))]
fn sweep(py: Python<'_>, config: String, force: bool) -> PyResult<String> {
    in_background(py, move |cancel| {
        let plan = SweepPlan::from_json(&config)?;
        plan.check_budget(force)?;
        let points = finished(run_jobs_cancellable(plan.jobs.clone(), cancel))?;
        to_json(&plan.report(points)?)
    })
}

/// The jobs of a sweep (validated, cost budget checked unless `force`), each as the JSON of
/// its run config, in job order: what [`run_job`] takes.
#[pyfunction]
#[pyo3(signature = (config, force = false))]
fn jobs(py: Python<'_>, config: String, force: bool) -> PyResult<Vec<String>> {
    in_background(py, move |_| {
        let plan = SweepPlan::from_json(&config)?;
        plan.check_budget(force)?;
        plan.jobs.iter().map(|job| to_json(&job.input)).collect()
    })
}

/// Runs one sweep job (the JSON of [`jobs`]) and returns its point as JSON.
#[pyfunction]
fn run_job(py: Python<'_>, job: String) -> PyResult<String> {
    in_background(py, move |cancel| {
        let resolved = RunConfig::from_json(&job)?.resolve()?;
        to_json(&finished(run_job_cancellable(resolved, cancel))?)
    })
}

/// The output of the whole sweep `config` from its points (a JSON list, one per job in job
/// order, from any runner): checks each point against its job and adds the summaries and the
/// estimated cost, exactly as `sgdlab sweep`.
#[pyfunction]
fn assemble(py: Python<'_>, config: String, points: String) -> PyResult<String> {
    in_background(py, move |_| {
        let plan = SweepPlan::from_json(&config)?;
        let points: Vec<SweepPoint> = serde_json::from_str(&points)
            .map_err(|e| EngineError::new("points", format!("not a list of sweep points: {e}")))?;
        to_json(&plan.report(points)?)
    })
}

/// The lab's presets (the paper's figures) as (id, title, what to look for).
#[pyfunction]
fn presets() -> Vec<(String, String, String)> {
    sgdlab::presets::PRESETS
        .iter()
        .map(|p| (p.id.into(), p.title.into(), p.explanation.into()))
        .collect()
}

/// The run configs of one preset's panels as the JSON of `{"runs": [...]}` (what
/// `sgdlab run --preset ID` runs).
#[pyfunction]
fn preset_runs(id: &str) -> PyResult<String> {
    let known = || {
        sgdlab::presets::PRESETS
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let preset = sgdlab::presets::preset(id).ok_or_else(|| {
        ConfigError::new_err(format!("preset: unknown id '{id}'; one of {}", known()))
    })?;
    let state = preset
        .state()
        .map_err(|e| PyRuntimeError::new_err(format!("preset {id}: {e:?}")))?;
    serde_json::to_string(&serde_json::json!({ "runs": state.panel_configs() }))
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(theory, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(jobs, m)?)?;
    m.add_function(wrap_pyfunction!(run_job, m)?)?;
    m.add_function(wrap_pyfunction!(assemble, m)?)?;
    m.add_function(wrap_pyfunction!(presets, m)?)?;
    m.add_function(wrap_pyfunction!(preset_runs, m)?)?;
    Ok(())
}
