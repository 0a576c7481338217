//! The simulation Web Worker: receives [`ToWorker`] messages, runs every panel's
//! [`Simulation`] in slices of about [`SLICE_MILLISECONDS`] each, and streams the recorded
//! points back as [`FromWorker::Progress`].
//!
//! Slices are sized in samples (not steps), so even a batch of 10^8 samples is split and a
//! Pause message is handled within one slice. Between slices the worker yields to its event
//! loop through a `MessageChannel` (no 4 ms timer clamping).

use super::{from_js, to_js};
use crate::config::ResolvedConfig;
use crate::model::{Link, Target};
use crate::protocol::{FromWorker, RunId, RunSummary, ToWorker};
use crate::simulation::{RunStatus, Simulation, TrajectoryPoint};
use crate::sweep::SweepPoint;
use crate::theory::overlap_recursion::Terms;
use crate::theory::{automatic_backend, Backend};
use crate::theory_run::{run_theory, run_theory_without_fallback};
use crate::ui::slicing::{ProgressThrottle, SliceBudget};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

pub use crate::ui::slicing::SLICE_MILLISECONDS;

struct ActiveRun {
    id: RunId,
    /// Set for sweep jobs: report a [`FromWorker::JobDone`] instead of streaming points.
    job: Option<(u32, u32)>,
    simulation: Simulation,
    budget: SliceBudget,
    throttle: ProgressThrottle,
    done: bool,
}

impl ActiveRun {
    fn new(id: RunId, job: Option<(u32, u32)>, simulation: Simulation, budget: u64) -> Self {
        ActiveRun {
            id,
            job,
            simulation,
            budget: SliceBudget::new(budget),
            throttle: ProgressThrottle::new(),
            done: false,
        }
    }
}

#[derive(Default)]
struct WorkerState {
    generation: u32,
    runs: Vec<ActiveRun>,
    paused: bool,
    tick_pending: bool,
    channel: Option<MessageChannel>,
    /// The run the next tick starts with (ticks go round the runs).
    cursor: usize,
}

/// Shortest slice of one run within a tick, in ms: with many runs (an ensemble of 48) a tick
/// gives each of them SLICE_MILLISECONDS / runs but at least this, and ends after
/// SLICE_MILLISECONDS, the next tick going on with the next run, so a Pause still waits for
/// one slice at most.
const MIN_RUN_SLICE_MILLISECONDS: f64 = 2.0;

thread_local! {
    static STATE: RefCell<WorkerState> = RefCell::new(WorkerState::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

fn post(message: &FromWorker) {
    match to_js(message) {
        Ok(value) => {
            if let Err(e) = scope().post_message(&value) {
                web_sys::console::error_2(&"worker: postMessage failed".into(), &e);
            }
        }
        Err(e) => web_sys::console::error_2(&"worker: cannot serialise message".into(), &e),
    }
}

/// Entry point of the worker binary: installs the message handler and announces readiness.
pub fn start() {
    // a panic leaves the wasm instance unusable: tell the page why before it traps
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let message: String = info
            .to_string()
            .replace('\n', " ")
            .chars()
            .take(2000)
            .collect();
        post(&FromWorker::Crashed { message });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match from_js::<ToWorker>(event.data()) {
            Ok(message) => handle(message),
            Err(e) => web_sys::console::error_2(&"worker: unreadable message".into(), &e),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let channel = MessageChannel::new().expect("MessageChannel is available in workers");
    let on_tick = Closure::<dyn FnMut(MessageEvent)>::new(|_event: MessageEvent| tick());
    channel
        .port1()
        .set_onmessage(Some(on_tick.as_ref().unchecked_ref()));
    on_tick.forget();
    STATE.with(|s| s.borrow_mut().channel = Some(channel));
    post(&FromWorker::Ready);
}

fn summary(simulation: &Simulation) -> RunSummary {
    let c = simulation.config();
    RunSummary {
        nb: c.nb_resolved,
        gamma: c.gamma_resolved,
        mu: c.mu_resolved,
        gamma0: c.gamma0_resolved,
        delta: c.delta_resolved,
        information_exponent: c.information_exponent,
        leap_index: c.leap_index,
        sampler: c.sampler_resolved,
        risk_method: simulation.risk_method().to_string(),
        warnings: simulation.warnings().to_vec(),
        estimated_seconds: crate::preflight::simulation_cost(c).seconds,
        stops_at_recovery: c.input.stop_at_recovery,
    }
}

fn handle(message: ToWorker) {
    match message {
        ToWorker::Start {
            generation,
            runs,
            theory,
        } => {
            let mut active = Vec::new();
            for (id, config) in runs {
                match Simulation::new(&config) {
                    Ok(mut simulation) => {
                        post(&FromWorker::Started {
                            generation,
                            run: id,
                            summary: summary(&simulation),
                        });
                        let points = simulation.drain_new_points();
                        post(&progress(generation, id, &simulation, points, 0.0));
                        if theory {
                            post(&theory_overlay(generation, id, simulation.config()));
                        }
                        active.push(ActiveRun::new(id, None, simulation, 1024));
                    }
                    Err(e) => post(&FromWorker::Invalid {
                        generation,
                        run: id,
                        message: e.to_string(),
                    }),
                }
            }
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.generation = generation;
                s.runs = active;
                s.paused = false;
            });
            schedule();
        }
        ToWorker::Pause => {
            STATE.with(|s| s.borrow_mut().paused = true);
            post(&FromWorker::Paused);
        }
        ToWorker::Resume => {
            STATE.with(|s| s.borrow_mut().paused = false);
            schedule();
        }
        ToWorker::Step => {
            let messages = STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.paused = true;
                let generation = s.generation;
                let mut out = Vec::new();
                for run in s.runs.iter_mut().filter(|r| !r.done) {
                    run.simulation.run_steps(1);
                    // a single step is always shown
                    run.throttle = ProgressThrottle::new();
                    out.extend(after_slice(generation, run, now()));
                }
                out
            });
            messages.iter().for_each(post);
            post(&FromWorker::Paused);
        }
        ToWorker::Job {
            generation,
            job,
            config,
        } => {
            match Simulation::new(&config) {
                Ok(simulation) => STATE.with(|s| {
                    let mut s = s.borrow_mut();
                    if s.generation != generation {
                        s.runs.retain(|r| r.job.is_none());
                    }
                    s.generation = generation;
                    s.paused = false;
                    s.runs.push(ActiveRun::new(
                        job,
                        Some((generation, job)),
                        simulation,
                        1 << 14,
                    ));
                }),
                Err(e) => post(&FromWorker::JobDone {
                    generation,
                    job,
                    point: Err(e.to_string()),
                }),
            }
            schedule();
        }
        ToWorker::Panic => panic!("panic requested by the page (crash-recovery test)"),
        ToWorker::Reset => STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.runs.clear();
            s.paused = true;
        }),
    }
}

/// Whether the recursion is cheap enough to compute per step here: closed forms (erf) and
/// exact polynomial moments (Hermite links, and Hermite polynomial teachers with a Hermite
/// activation) are microseconds per step, the Hermite expansion of tanh (committees of smooth
/// links, a_j = 1) about a hundred, and where its fields are too strongly correlated
/// (|Omega_ij| > 0.8, the aligned phase) the anisotropic eigenbasis rule takes over, about
/// 0.3 ms a step once aligned; it runs without the isotropic numerical fallback, so that it
/// stops only where neither applies; quadrature and Monte Carlo (ReLU, tanh product) are
/// milliseconds, too slow for 10^4 steps in a page.
fn theory_is_fast(config: &ResolvedConfig) -> bool {
    let model = &config.input.model;
    if hermite_expansion_applies(config) {
        return true;
    }
    let fast = |l: Link| matches!(l, Link::Erf | Link::Hermite { .. });
    let hermite = |l: Link| matches!(l, Link::Hermite { .. });
    let links = match model.target {
        Target::Committee(g) => fast(g) && fast(config.activation_resolved),
        // a Hermite polynomial teacher is exact (Wick moments) with a Hermite activation only
        Target::Hermite(_) => hermite(config.activation_resolved),
        Target::TanhProduct => false,
    };
    // other second layers take the decomposition, whose O(p^4) elementary terms per step are
    // cheap only for small p (the compiled plans are for a_j = 1)
    links && (model.second_layer.is_paper_default() || model.p <= 4)
}

/// Whether the automatic backend of the run's recursion is the Hermite expansion and its
/// plans apply (the paper's second layer a_j = 1).
fn hermite_expansion_applies(config: &ResolvedConfig) -> bool {
    let model = &config.input.model;
    automatic_backend(&model.target, &config.activation_resolved, model.p, model.k)
        == Backend::HermiteExpansion
        && model.second_layer.is_paper_default()
}

/// The overlap recursion of a run, from the simulation's own initial overlaps.
fn theory_overlay(generation: u32, run: RunId, config: &ResolvedConfig) -> FromWorker {
    if !theory_is_fast(config) {
        let note = "available for erf, tanh and Hermite links only (tanh with a_j = 1), and with a second layer other than a_j = 1 for p <= 4 (other settings need numerical expectations or many terms at every step)".to_string();
        return FromWorker::Theory {
            generation,
            run,
            points: Vec::new(),
            note: Some(note),
        };
    }
    let output = if hermite_expansion_applies(config) {
        run_theory_without_fallback(config, Terms::ALL)
    } else {
        run_theory(config, Terms::ALL)
    };
    match output {
        Ok(out) => {
            let t = &out.trajectory;
            let points = (0..t.len())
                .map(|i| TrajectoryPoint {
                    step: t.steps[i],
                    m: t.m[i].clone(),
                    q: t.q[i].clone(),
                    a: t.a.get(i).cloned(),
                    r: t.r.get(i).cloned(),
                    risk: t.risk[i],
                })
                .collect();
            let regime = out
                .regime
                .as_deref()
                .map(|r| format!("{r} regime"))
                .unwrap_or_else(|| "no regime (γ given as a bare number)".to_string());
            let mut note = format!("overlap recursion, {regime}, {}", out.drift_method);
            if let Some(m) = out.message {
                note.push_str(&format!("; stopped: {m}"));
            }
            FromWorker::Theory {
                generation,
                run,
                points,
                note: Some(note),
            }
        }
        Err(e) => FromWorker::Theory {
            generation,
            run,
            points: Vec::new(),
            note: Some(e.to_string()),
        },
    }
}

fn progress(
    generation: u32,
    id: RunId,
    simulation: &Simulation,
    points: Vec<TrajectoryPoint>,
    rate: f64,
) -> FromWorker {
    FromWorker::Progress {
        generation,
        run: id,
        points,
        step: simulation.step(),
        steps: simulation.config().input.steps,
        samples_per_second: rate,
        weak_recovery_step: simulation.trajectory().weak_recovery_step,
        switch_step: simulation.switch_step(),
    }
}

/// Messages to post after a slice of `run` at time `now_ms`; marks it done when it finished or
/// diverged. Progress goes out at most once per throttle interval, and always at the end.
fn after_slice(generation: u32, run: &mut ActiveRun, now_ms: f64) -> Vec<FromWorker> {
    if let Some((generation, job)) = run.job {
        if *run.simulation.status() == RunStatus::Running {
            return Vec::new();
        }
        run.done = true;
        return vec![FromWorker::JobDone {
            generation,
            job,
            point: Ok(SweepPoint::from_simulation(&run.simulation)),
        }];
    }
    let ended = *run.simulation.status() != RunStatus::Running;
    if !run.throttle.due(now_ms, ended) {
        return Vec::new();
    }
    let rate = run.throttle.posted(now_ms).unwrap_or(0.0);
    let points = run.simulation.drain_new_points();
    let mut out = vec![progress(generation, run.id, &run.simulation, points, rate)];
    match run.simulation.status().clone() {
        RunStatus::Running => {}
        RunStatus::Finished => {
            run.done = true;
            out.push(FromWorker::Finished {
                generation,
                run: run.id,
            });
        }
        RunStatus::Diverged { step, message } => {
            run.done = true;
            out.push(FromWorker::Diverged {
                generation,
                run: run.id,
                message: format!("step {step}: {message}"),
            });
        }
    }
    out
}

fn schedule() {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.tick_pending || s.paused || s.runs.iter().all(|r| r.done) {
            return;
        }
        s.tick_pending = true;
        if let Some(channel) = &s.channel {
            let _ = channel.port2().post_message(&JsValue::NULL);
        }
    });
}

/// One tick: a slice of each unfinished run in turn, from the cursor on, until the tick's
/// [`SLICE_MILLISECONDS`] are used (a slice: `advance` calls until its share of the tick is
/// used or the run ends, the budget adapting to the cost of a call); progress throttled per
/// run.
fn tick() {
    let messages = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.tick_pending = false;
        if s.paused {
            return Vec::new();
        }
        let generation = s.generation;
        let mut out = Vec::new();
        let live = s.runs.iter().filter(|r| !r.done).count().max(1);
        let per_run = (SLICE_MILLISECONDS / live as f64).max(MIN_RUN_SLICE_MILLISECONDS);
        let n = s.runs.len();
        let first = s.cursor % n.max(1);
        let tick_start = now();
        let mut next = first;
        for k in 0..n {
            let i = (first + k) % n;
            next = (i + 1) % n;
            let run = &mut s.runs[i];
            if run.done {
                continue;
            }
            let start = now();
            let before = run.simulation.samples();
            loop {
                let call = now();
                run.simulation.advance(run.budget.samples());
                let end = now();
                run.budget.adapt(end - call);
                if *run.simulation.status() != RunStatus::Running || end - start >= per_run {
                    break;
                }
            }
            let end = now();
            let drawn = (run.simulation.samples() - before) as f64;
            run.throttle.record(drawn, end - start);
            out.extend(after_slice(generation, run, end));
            if end - tick_start >= SLICE_MILLISECONDS {
                break;
            }
        }
        s.cursor = next;
        s.runs.retain(|r| !(r.done && r.job.is_some()));
        out
    });
    messages.iter().for_each(post);
    schedule();
}
