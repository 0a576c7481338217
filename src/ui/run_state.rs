//! What a panel's run is doing, as one enum that drives its status line, its ETA, the Pause
//! button and the page's top status line (no state compared as a string).

use std::fmt;

/// The state of one panel's run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RunState {
    /// Nothing started (or reset).
    #[default]
    Idle,
    /// Sent to the worker, not yet accepted.
    Starting,
    /// Running.
    Running,
    /// Paused by the user.
    Paused,
    /// All steps done.
    Finished,
    /// Stopped on non-finite numbers: step and reason.
    Diverged(String),
    /// The config was rejected: field and valid range.
    Invalid(String),
    /// The worker crashed while running it: the panic message.
    Crashed(String),
}

impl RunState {
    /// A short machine-readable name (the panel's `data-state` attribute).
    pub fn key(&self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Starting => "starting",
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Finished => "finished",
            RunState::Diverged(_) => "diverged",
            RunState::Invalid(_) => "invalid",
            RunState::Crashed(_) => "crashed",
        }
    }

    /// true while the run may still make progress (starting, running or paused).
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            RunState::Starting | RunState::Running | RunState::Paused
        )
    }

    /// true when an ETA is meaningful (running).
    pub fn shows_eta(&self) -> bool {
        *self == RunState::Running
    }

    /// The state after the user pauses (live runs pause) or resumes (paused runs run).
    pub fn paused(&self, paused: bool) -> RunState {
        match (self, paused) {
            (RunState::Running | RunState::Starting, true) => RunState::Paused,
            (RunState::Paused, false) => RunState::Running,
            (other, _) => other.clone(),
        }
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunState::Idle => f.write_str("not started"),
            RunState::Starting => f.write_str("starting"),
            RunState::Running => f.write_str("running"),
            RunState::Paused => f.write_str("paused"),
            RunState::Finished => f.write_str("finished"),
            RunState::Diverged(m) => write!(f, "diverged at {m}"),
            RunState::Invalid(m) => write!(f, "invalid: {m}"),
            RunState::Crashed(m) => write!(f, "the simulation worker crashed: {m}"),
        }
    }
}

/// The worker as the page sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum WorkerState {
    /// Spawned, not yet ready.
    #[default]
    Loading,
    /// Ready for runs.
    Ready,
    /// Could not start, or failed: the message.
    Failed(String),
    /// Crashed and was restarted: the panic message.
    Restarted(String),
}

/// The page's top status line from the worker and the panels' states, e.g. "running 2 runs",
/// "paused", "finished", "worker crashed (…) and was restarted: press Start to run again".
pub fn lab_status(worker: &WorkerState, runs: &[RunState]) -> String {
    match worker {
        WorkerState::Loading => return "loading the simulation worker…".into(),
        WorkerState::Failed(m) => return format!("simulation worker failed: {m}"),
        WorkerState::Restarted(m) => {
            return format!(
                "the simulation worker crashed ({m}) and was restarted: press Start to run again"
            )
        }
        WorkerState::Ready => {}
    }
    let count = |pred: fn(&RunState) -> bool| runs.iter().filter(|r| pred(r)).count();
    let running = count(|r| matches!(r, RunState::Running | RunState::Starting));
    let paused = count(|r| *r == RunState::Paused);
    let finished = count(|r| *r == RunState::Finished);
    let failed = count(|r| {
        matches!(
            r,
            RunState::Diverged(_) | RunState::Invalid(_) | RunState::Crashed(_)
        )
    });
    let plural = |n: usize| if n == 1 { "run" } else { "runs" };
    if running > 0 {
        format!("running {running} {}", plural(running))
    } else if paused > 0 {
        format!("paused ({paused} {})", plural(paused))
    } else if runs.is_empty() || runs.iter().all(|r| *r == RunState::Idle) {
        "ready: press Start".into()
    } else if failed > 0 {
        format!("done: {finished} finished, {failed} stopped (see the panels)")
    } else {
        "finished".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_and_resume() {
        assert_eq!(RunState::Running.paused(true), RunState::Paused);
        assert_eq!(RunState::Paused.paused(false), RunState::Running);
        assert_eq!(RunState::Finished.paused(true), RunState::Finished);
        assert!(!RunState::Paused.shows_eta());
        assert!(RunState::Running.shows_eta());
        assert!(!RunState::Finished.is_live());
    }

    #[test]
    fn the_top_status_follows_the_runs() {
        let ready = WorkerState::Ready;
        assert_eq!(
            lab_status(&ready, &[RunState::Running, RunState::Running]),
            "running 2 runs"
        );
        assert_eq!(
            lab_status(&ready, &[RunState::Paused, RunState::Paused]),
            "paused (2 runs)"
        );
        assert_eq!(
            lab_status(&ready, &[RunState::Finished, RunState::Finished]),
            "finished"
        );
        assert_eq!(
            lab_status(&ready, &[RunState::Idle, RunState::Idle]),
            "ready: press Start"
        );
        assert!(lab_status(
            &ready,
            &[RunState::Finished, RunState::Diverged("step 3".into())]
        )
        .contains("1 stopped"));
        assert!(lab_status(&WorkerState::Restarted("boom".into()), &[]).contains("crashed (boom)"));
        assert_eq!(
            RunState::Crashed("index out of bounds".into()).to_string(),
            "the simulation worker crashed: index out of bounds"
        );
    }
}
