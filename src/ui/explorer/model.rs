//! The explorer's sweep as a DOM-free model: the jobs, which pool worker runs which, the
//! points that came back, and the one transition [`update`] with the [`ExplorerEffect`]s the
//! web shell carries out (spawn or stop the pool, send a job, write the URL, redraw).

use super::form::{ExplorerForm, ValidSweep};
use super::saved::SavedSweep;
use crate::config::RunConfig;
use crate::protocol::ToWorker;
use crate::sampler::SamplerKind;
use crate::sweep::{SweepConfig, SweepPoint};
use serde_json::Value;

/// What the sweep is doing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SweepState {
    /// Nothing run yet.
    #[default]
    Idle,
    /// Running on this many workers.
    Running(usize),
    /// Every job came back (`failed` of them as errors).
    Finished {
        /// Jobs that failed.
        failed: usize,
        /// All jobs.
        total: usize,
    },
    /// Cancelled after this many points.
    Cancelled(usize),
    /// A worker could not start or failed: the message.
    WorkerFailed(String),
    /// Points read from a saved sweep: where from.
    Loaded(String),
}

impl SweepState {
    /// The status line, e.g. "running on 3 workers", "finished: 2 of 40 runs failed".
    pub fn text(&self) -> String {
        match self {
            SweepState::Idle => String::new(),
            SweepState::Running(n) => format!("running on {n} workers"),
            SweepState::Finished { failed: 0, .. } => "finished".into(),
            SweepState::Finished { failed, total } => {
                format!("finished: {failed} of {total} runs failed (listed below)")
            }
            SweepState::Cancelled(n) => format!("cancelled after {n} runs"),
            SweepState::WorkerFailed(m) => m.clone(),
            SweepState::Loaded(source) => format!("showing {source} (Run sweep measures it again)"),
        }
    }
}

/// The explorer's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExplorerModel {
    /// Incremented on every Run: messages of an older sweep's workers are ignored.
    pub generation: u32,
    /// The sweep being run or shown.
    pub config: Option<SweepConfig>,
    /// The form's last valid sweep (its phase diagram is drawn before the first run).
    pub preview: Option<SweepConfig>,
    /// Its jobs.
    pub jobs: Vec<RunConfig>,
    /// The next job to hand out.
    next_job: usize,
    /// The job each pool worker runs (None: idle).
    busy: Vec<Option<u32>>,
    /// Points that came back, with their job index.
    pub points: Vec<(u32, SweepPoint)>,
    /// Jobs that failed, as messages.
    pub errors: Vec<String>,
    /// Time of Run and of the last result (ms, the shell's clock).
    pub started_ms: f64,
    /// Time the last job came back.
    pub finished_ms: Option<f64>,
    /// What the sweep is doing.
    pub state: SweepState,
    /// A link's config and the form's JSON as shown for it (see [`ExplorerForm::validate`]).
    pub form_base: Option<(SweepConfig, Value)>,
}

/// One thing that happened in the explorer.
#[derive(Clone, Debug, PartialEq)]
pub enum ExplorerMessage {
    /// The form changed: validate it.
    Edited(ExplorerForm),
    /// Run the form's sweep (at time `now_ms`).
    Run(ExplorerForm, f64),
    /// Cancel the sweep (the workers are terminated).
    Cancel,
    /// A job came back from pool worker `worker`.
    JobDone {
        /// Pool index of the worker.
        worker: usize,
        /// Sweep generation the worker belongs to.
        generation: u32,
        /// Job index.
        job: u32,
        /// Its point, or why it failed.
        point: Result<SweepPoint, String>,
        /// Time it came back (ms).
        now_ms: f64,
    },
    /// Pool worker `worker` crashed (its job is lost; a fresh worker takes the next one).
    Crashed {
        /// Pool index.
        worker: usize,
        /// Sweep generation the worker belongs to.
        generation: u32,
        /// The panic message.
        message: String,
        /// Time (ms).
        now_ms: f64,
    },
    /// A worker could not start or failed.
    WorkerFailed(String),
    /// A saved sweep arrived (the precomputed one, or a file the reader chose).
    Loaded {
        /// The file's text.
        text: String,
        /// Where it came from, e.g. "the precomputed sweep (sgdlab sweep)".
        source: String,
        /// Show it only if it is the sweep the form holds (the precomputed sweep on start-up);
        /// otherwise the form takes the file's config.
        only_if_form_matches: Option<ExplorerForm>,
    },
}

/// What the explorer's shell must do.
#[allow(clippy::large_enum_variant)] // effects are carried out once, never stored in bulk
#[derive(Clone, Debug, PartialEq)]
pub enum ExplorerEffect {
    /// Show the validation: the summary line (Run enabled) or the error (Run disabled).
    ShowValidation(Result<String, String>),
    /// Terminate the pool, then start `workers` fresh workers for sweep `generation`.
    StartPool {
        /// Pool size.
        workers: usize,
        /// Sweep generation.
        generation: u32,
    },
    /// Replace pool worker `worker` by a fresh one (after a crash).
    Respawn {
        /// Pool index.
        worker: usize,
    },
    /// Send a message to pool worker `worker`.
    Send {
        /// Pool index.
        worker: usize,
        /// The message.
        message: ToWorker,
    },
    /// Terminate every pool worker.
    StopPool,
    /// Write `view=explorer&sweep=<config>` to the URL hash.
    WriteHash(String),
    /// Redraw the charts and progress.
    Redraw,
    /// Fill the form from this sweep's config.
    WriteForm(ExplorerForm),
    /// Show an error (a saved sweep that could not be read).
    ShowError(String),
}

impl ExplorerModel {
    /// The sweep the charts show: the one run, else the form's.
    pub fn shown_config(&self) -> Option<&SweepConfig> {
        self.config.as_ref().or(self.preview.as_ref())
    }

    /// Jobs done (points and errors).
    pub fn done(&self) -> usize {
        self.points.len() + self.errors.len()
    }

    /// The points with their job index, sorted by job.
    pub fn points_by_job(&self) -> Vec<(u32, SweepPoint)> {
        let mut p = self.points.clone();
        p.sort_by_key(|(job, _)| *job);
        p
    }

    /// The points sorted by job (the order of `sgdlab sweep`'s output).
    pub fn sorted_points(&self) -> Vec<SweepPoint> {
        self.points_by_job().into_iter().map(|(_, p)| p).collect()
    }

    /// Samples actually drawn by the finished runs: a clt step stands for n_b samples without
    /// drawing them, so clt runs are not counted.
    pub fn samples_drawn(&self) -> u64 {
        self.points
            .iter()
            .filter(|(_, p)| p.sampler != SamplerKind::Clt)
            .map(|(_, p)| p.samples)
            .sum()
    }

    /// "done / total runs · elapsed s · M samples/s drawn" at time `now_ms`.
    /// A loaded sweep was not timed here: "done / total runs · loaded, not timed here".
    pub fn progress_text(&self, now_ms: f64) -> String {
        if let SweepState::Loaded(_) = self.state {
            return format!(
                "{} / {} runs · loaded, not timed here",
                self.done(),
                self.jobs.len().max(1)
            );
        }
        let elapsed = self.elapsed_ms(now_ms);
        let rate = self.samples_drawn() as f64 / (elapsed / 1000.0).max(1e-3);
        format!(
            "{} / {} runs · {:.1} s · {:.1} M samples/s drawn (clt runs not counted)",
            self.done(),
            self.jobs.len().max(1),
            elapsed / 1000.0,
            rate / 1e6
        )
    }

    /// Milliseconds from Run to the last result (or to `now_ms` while running).
    pub fn elapsed_ms(&self, now_ms: f64) -> f64 {
        self.finished_ms.unwrap_or(now_ms) - self.started_ms
    }

    /// Hands the next job to `worker` (or marks it idle when none is left).
    fn next_for(&mut self, worker: usize) -> Option<ExplorerEffect> {
        if self.next_job >= self.jobs.len() || worker >= self.busy.len() {
            if let Some(b) = self.busy.get_mut(worker) {
                *b = None;
            }
            return None;
        }
        let job = self.next_job as u32;
        self.next_job += 1;
        self.busy[worker] = Some(job);
        Some(ExplorerEffect::Send {
            worker,
            message: ToWorker::Job {
                generation: self.generation,
                job,
                config: self.jobs[job as usize].clone(),
            },
        })
    }

    fn cancel(&mut self) {
        self.busy.clear();
        self.next_job = self.jobs.len();
    }

    /// A job of `worker` ended (a point, an error or a crash): the next job, and the end of the
    /// sweep when every job is back.
    fn job_ended(&mut self, worker: usize, now_ms: f64, effects: &mut Vec<ExplorerEffect>) {
        effects.extend(self.next_for(worker));
        if self.done() == self.jobs.len() {
            self.finished_ms = Some(now_ms);
            self.state = SweepState::Finished {
                failed: self.errors.len(),
                total: self.jobs.len(),
            };
            effects.push(ExplorerEffect::StopPool);
        }
        effects.push(ExplorerEffect::Redraw);
    }
}

/// The `view=explorer&sweep=…` hash of a sweep.
pub fn sweep_hash(config: &SweepConfig) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("view", "explorer")
        .append_pair("sweep", &serde_json::to_string(config).unwrap_or_default())
        .finish()
}

/// Applies `message` to `model`; returns what the shell must do.
pub fn update(model: &mut ExplorerModel, message: ExplorerMessage) -> Vec<ExplorerEffect> {
    match message {
        ExplorerMessage::Edited(form) => match form.validate(model.form_base.as_ref()) {
            Ok(valid) => {
                // before the first run the charts show the form's phase diagram
                let redraw = model.config.is_none();
                model.preview = Some(valid.config);
                let mut effects = vec![ExplorerEffect::ShowValidation(Ok(valid.summary))];
                if redraw {
                    effects.push(ExplorerEffect::Redraw);
                }
                effects
            }
            Err(e) => vec![ExplorerEffect::ShowValidation(Err(e))],
        },
        ExplorerMessage::Run(form, now_ms) => match form.validate(model.form_base.as_ref()) {
            Err(e) => vec![ExplorerEffect::ShowValidation(Err(e))],
            Ok(ValidSweep {
                config,
                jobs,
                workers,
                summary,
            }) => {
                model.cancel();
                model.generation += 1;
                model.points.clear();
                model.errors.clear();
                model.next_job = 0;
                let mut effects = vec![
                    ExplorerEffect::ShowValidation(Ok(summary)),
                    ExplorerEffect::WriteHash(sweep_hash(&config)),
                    ExplorerEffect::StartPool {
                        workers,
                        generation: model.generation,
                    },
                ];
                model.config = Some(config);
                model.jobs = jobs;
                model.started_ms = now_ms;
                model.finished_ms = None;
                model.busy = vec![None; workers];
                model.state = SweepState::Running(workers);
                for worker in 0..workers {
                    effects.extend(model.next_for(worker));
                }
                effects.push(ExplorerEffect::Redraw);
                effects
            }
        },
        ExplorerMessage::Cancel => {
            model.cancel();
            model.state = SweepState::Cancelled(model.points.len());
            vec![ExplorerEffect::StopPool, ExplorerEffect::Redraw]
        }
        ExplorerMessage::JobDone {
            worker,
            generation,
            job,
            point,
            now_ms,
        } => {
            if generation != model.generation || model.busy.get(worker) != Some(&Some(job)) {
                return Vec::new();
            }
            match point {
                Ok(p) => model.points.push((job, p)),
                Err(e) => model.errors.push(e),
            }
            let mut effects = Vec::new();
            model.job_ended(worker, now_ms, &mut effects);
            effects
        }
        ExplorerMessage::Crashed {
            worker,
            generation,
            message,
            now_ms,
        } => {
            let Some(Some(job)) = model.busy.get(worker).copied() else {
                return Vec::new();
            };
            if generation != model.generation {
                return Vec::new();
            }
            model
                .errors
                .push(format!("job {job}: the worker crashed: {message}"));
            let mut effects = vec![ExplorerEffect::Respawn { worker }];
            model.job_ended(worker, now_ms, &mut effects);
            effects
        }
        ExplorerMessage::WorkerFailed(message) => {
            model.state = SweepState::WorkerFailed(message);
            Vec::new()
        }
        ExplorerMessage::Loaded {
            text,
            source,
            only_if_form_matches,
        } => {
            let saved = match SavedSweep::parse(&text) {
                Ok(saved) => saved,
                Err(e) => return vec![ExplorerEffect::ShowError(e)],
            };
            let mut effects = Vec::new();
            match only_if_form_matches {
                Some(form) => {
                    let matches = form
                        .validate(model.form_base.as_ref())
                        .is_ok_and(|v| v.config == saved.config);
                    // nothing run yet, and the form still holds the saved sweep's settings
                    if !matches || model.generation > 0 || model.config.is_some() {
                        return Vec::new();
                    }
                }
                None => {
                    let form = ExplorerForm::from_config(&saved.config);
                    model.form_base = Some((saved.config.clone(), Value::Null));
                    effects.push(ExplorerEffect::WriteForm(form));
                    effects.push(ExplorerEffect::WriteHash(sweep_hash(&saved.config)));
                }
            }
            model.cancel();
            model.generation += 1;
            model.points = (0u32..).zip(saved.points).collect();
            model.errors.clear();
            model.jobs = saved.jobs;
            model.next_job = model.jobs.len();
            model.config = Some(saved.config);
            model.started_ms = 0.0;
            model.finished_ms = Some(0.0);
            model.state = SweepState::Loaded(source);
            effects.extend([ExplorerEffect::StopPool, ExplorerEffect::Redraw]);
            effects
        }
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
