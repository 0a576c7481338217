//! The lab page's one state transition: `update(model, message) -> effects`.

use super::ensemble::{EnsemblePoint, Member};
use super::message::{Effect, FormPairs, Message, View};
use super::model::LabModel;
use super::panel::{max_overlap, PanelModel};
use crate::lab_state::LabState;
use crate::presets::preset;
use crate::protocol::{FromWorker, RunId, ToWorker};
use crate::ui::run_state::{RunState, WorkerState};
use crate::ui::start_check::confirmation_needed;

/// Controls that change how the charts are drawn, not what runs: editing them keeps the
/// preset, and `log` / `unit` redraw at once without a new run.
const VIEW_KEYS: [&str; 3] = ["log", "unit", "theory"];

/// Applies `message` to `model` and returns what the page must do. Worker messages of an
/// older generation than the model's (a run replaced by Start or dropped by Reset) change
/// nothing.
pub fn update(model: &mut LabModel, message: Message) -> Vec<Effect> {
    // a notice lasts until the reader's next action (worker messages keep it)
    if !matches!(
        message,
        Message::Worker(_) | Message::WorkerFailed(_) | Message::Notice(_)
    ) {
        model.notice = None;
    }
    match message {
        Message::Notice(text) => {
            model.notice = Some(text);
            Vec::new()
        }
        Message::Start(form) => start_form(model, &form),
        Message::TogglePause => {
            model.paused = !model.paused;
            for p in &mut model.panels {
                p.state = p.state.paused(model.paused);
            }
            let send = if model.paused {
                ToWorker::Pause
            } else {
                ToWorker::Resume
            };
            vec![Effect::Send(send), Effect::Redraw]
        }
        Message::Step => vec![Effect::Send(ToWorker::Step)],
        Message::Reset => {
            model.generation += 1;
            model.paused = false;
            model.panels = model
                .panels
                .iter()
                .map(|p| p.cleared(RunState::Idle))
                .collect();
            // nothing drawn is out of date once the panels are cleared
            model.stale = false;
            vec![Effect::Send(ToWorker::Reset), Effect::Redraw]
        }
        Message::Edited { key, form } => edited(model, &key, &form),
        Message::PresetChosen(id) => match preset(&id).map(|p| p.state()) {
            Some(Ok(state)) => {
                model.selected_preset = Some(id);
                let state = LabState {
                    embed: model.state.embed,
                    hide: model.state.hide.clone(),
                    autostart: model.state.autostart,
                    ..state
                };
                model.state = state.clone();
                let mut effects = vec![
                    Effect::WriteForm,
                    Effect::ShowValid(Box::new(state.clone())),
                ];
                effects.extend(start(model, state));
                effects
            }
            // presets are validated by the tests; an unknown id selects none
            _ => {
                model.selected_preset = None;
                Vec::new()
            }
        },
        Message::HashChanged(url) => {
            model.state = url.lab.clone();
            model.selected_preset = url.lab.preset.clone();
            model.view = if url.explorer {
                View::Explorer
            } else {
                View::Compare
            };
            let mut effects = vec![
                Effect::ShowUrlErrors(url.errors),
                Effect::WriteForm,
                Effect::ShowValid(Box::new(url.lab.clone())),
                Effect::ApplyEmbed,
            ];
            effects.extend(show_view(model, model.view));
            if !url.explorer {
                effects.extend(start(model, url.lab));
            }
            effects
        }
        Message::ShowView(view) => show_view(model, view),
        Message::BecameVisible(form) => {
            if model.all_idle() {
                start_form(model, &form)
            } else {
                Vec::new()
            }
        }
        Message::Prepare => {
            let rebuilt = set_panels(model, RunState::Idle);
            let mut effects = Vec::new();
            if rebuilt {
                effects.push(Effect::RebuildPanels);
            }
            effects.extend([Effect::ApplyEmbed, Effect::Redraw]);
            effects
        }
        Message::Worker(message) => from_worker(model, message),
        Message::WorkerFailed(message) => {
            model.worker = WorkerState::Failed(message);
            Vec::new()
        }
    }
}

/// Start from the form: validate it, then [`start`] (or show every error).
fn start_form(model: &mut LabModel, form: &FormPairs) -> Vec<Effect> {
    match model.form_state(form) {
        Ok(state) => {
            let mut effects = vec![Effect::ShowValid(Box::new(state.clone()))];
            effects.extend(start(model, state));
            effects
        }
        Err(errors) => vec![Effect::ShowFormErrors(errors)],
    }
}

/// Runs `state`: a second Start is needed for settings the cost check flags; otherwise the
/// panels are cleared into [`RunState::Starting`] and the worker gets every panel's config.
fn start(model: &mut LabModel, state: LabState) -> Vec<Effect> {
    let key = state.to_hash();
    if let Some(message) = state.resolve().ok().and_then(|r| confirmation_needed(&r)) {
        if model.confirmed.as_deref() != Some(key.as_str()) {
            model.confirmed = Some(key);
            return vec![Effect::ShowNotice(message)];
        }
    } else {
        model.confirmed = None;
    }
    model.keep_inset_points();
    model.state = state;
    model.stale = false;
    model.generation += 1;
    model.paused = false;
    if matches!(model.worker, WorkerState::Restarted(_)) {
        model.worker = WorkerState::Ready;
    }
    let rebuilt = set_panels(model, RunState::Starting);
    let mut effects = vec![Effect::WriteHash];
    if rebuilt {
        effects.push(Effect::RebuildPanels);
    }
    // run ids: panel i's member m is i + m · (number of panels), so member 0 keeps the
    // panel's own id
    let n = model.panels.len() as RunId;
    let runs = model
        .state
        .member_configs()
        .into_iter()
        .enumerate()
        .flat_map(|(i, members)| {
            members
                .into_iter()
                .enumerate()
                .map(move |(m, member)| (i as RunId + m as RunId * n, member.config))
        })
        .collect();
    effects.extend([
        // the panels' export buttons belong to the `export` group
        Effect::ApplyEmbed,
        Effect::Send(ToWorker::Start {
            generation: model.generation,
            runs,
            theory: model.state.view.theory,
        }),
        Effect::Redraw,
    ]);
    effects
}

/// Empty panels in `state`, one per protocol of the model's state; true when the protocol
/// list changed (the shell then recreates the panels' DOM).
fn set_panels(model: &mut LabModel, state: RunState) -> bool {
    let changed = model.panel_losses() != model.state.panels;
    let ensemble = model.state.is_ensemble();
    let members = model.state.member_configs();
    model.panels = model
        .state
        .panels
        .iter()
        .zip(members)
        .enumerate()
        .map(|(i, (&loss, members))| {
            let mut panel = PanelModel::new(i as RunId, loss);
            if ensemble {
                panel.members = members
                    .iter()
                    .map(|m| Member::new(m.mu_index, m.mu, m.seed))
                    .collect();
            }
            panel.cleared(state.clone())
        })
        .collect();
    changed
}

fn edited(model: &mut LabModel, key: &str, form: &FormPairs) -> Vec<Effect> {
    // editing a model setting leaves the preset
    if !VIEW_KEYS.contains(&key) {
        model.selected_preset = None;
    }
    let result = model.form_state(form);
    let mut effects = Vec::new();
    match &result {
        Ok(state) => {
            effects.push(Effect::ShowValid(Box::new(state.clone())));
            if matches!(key, "log" | "unit") {
                model.state.view = state.view;
                effects.extend([Effect::WriteHash, Effect::Redraw]);
            }
        }
        Err(errors) => effects.push(Effect::ShowFormErrors(errors.clone())),
    }
    // the curves shown no longer match the form until the next Start
    if model.generation > 0 {
        model.stale = !result
            .as_ref()
            .is_ok_and(|s| s.config == model.state.config);
    }
    effects
}

fn show_view(model: &mut LabModel, view: View) -> Vec<Effect> {
    model.view = view;
    let mut effects = vec![Effect::ShowView(view)];
    // a page opened on the explorer lays out its (idle) panels and the regime map the first
    // time the Compare view is shown, so it is never blank
    if view == View::Compare && model.panels.is_empty() {
        effects.extend(update(model, Message::Prepare));
    }
    // the comparison runs pause while the explorer has the cores
    if view == View::Explorer && !model.paused && model.panels.iter().any(|p| p.state.is_live()) {
        model.paused = true;
        effects.push(Effect::Send(ToWorker::Pause));
    }
    effects
}

fn from_worker(model: &mut LabModel, message: FromWorker) -> Vec<Effect> {
    let generation = model.generation;
    let current = |g: u32| g == generation;
    match message {
        // after a crash the page stays in Restarted (its message shown) until a new run
        FromWorker::Ready => {
            if !matches!(model.worker, WorkerState::Restarted(_)) {
                model.worker = WorkerState::Ready;
            }
            Vec::new()
        }
        FromWorker::Crashed { message } => {
            for p in model.panels.iter_mut().filter(|p| p.state.is_live()) {
                p.state = RunState::Crashed(message.clone());
            }
            model.worker = WorkerState::Restarted(message);
            model.paused = false;
            // a new worker; the form, the URL and the drawn results stay as they are
            vec![Effect::RespawnWorker, Effect::Redraw]
        }
        FromWorker::Started {
            generation: g,
            run,
            summary,
        } if current(g) => {
            let paused = model.paused;
            if let Some((p, m)) = model.route(run) {
                if let Some(member) = p.members.get_mut(m) {
                    member.summary = Some(summary.clone());
                }
                if m == 0 {
                    p.summary = Some(summary);
                }
                p.state = if paused {
                    RunState::Paused
                } else {
                    RunState::Running
                };
            }
            vec![Effect::Redraw]
        }
        FromWorker::Progress {
            generation: g,
            run,
            points,
            step,
            steps,
            samples_per_second,
            weak_recovery_step,
            switch_step,
        } if current(g) => {
            if let Some((p, m)) = model.route(run) {
                if let Some(member) = p.members.get_mut(m) {
                    member.points.extend(points.iter().map(|pt| EnsemblePoint {
                        step: pt.step,
                        overlap: max_overlap(pt),
                        risk: pt.risk,
                    }));
                    member.step = step;
                    member.steps = steps;
                    member.weak_recovery_step = weak_recovery_step;
                }
                if m > 0 {
                    return vec![Effect::Redraw];
                }
                p.switch_step = switch_step;
                p.points.extend(points);
                p.step = step;
                p.steps = steps;
                if samples_per_second > 0.0 {
                    p.rate = samples_per_second;
                }
                p.weak_recovery_step = weak_recovery_step;
            }
            vec![Effect::Redraw]
        }
        FromWorker::Theory {
            generation: g,
            run,
            points,
            note,
        } if current(g) => {
            if let Some((p, 0)) = model.route(run) {
                p.theory = points;
                p.theory_note = note;
            }
            vec![Effect::Redraw]
        }
        FromWorker::Finished { generation: g, run } if current(g) => {
            set_state(model, run, RunState::Finished)
        }
        FromWorker::Diverged {
            generation: g,
            run,
            message,
        } if current(g) => set_state(model, run, RunState::Diverged(message)),
        FromWorker::Invalid {
            generation: g,
            run,
            message,
        } if current(g) => set_state(model, run, RunState::Invalid(message)),
        FromWorker::Paused => {
            model.paused = true;
            for p in &mut model.panels {
                p.state = p.state.paused(true);
            }
            vec![Effect::PauseAcknowledged, Effect::Redraw]
        }
        // older generations, and the explorer's sweep jobs (its own model handles those)
        _ => Vec::new(),
    }
}

/// A run ended in `state`. A single run's panel takes it at once; an ensemble's member is
/// marked done (with the reason when it failed) and the panel is finished once every member
/// is, unless its own run (member 0) failed.
fn set_state(model: &mut LabModel, run: RunId, state: RunState) -> Vec<Effect> {
    if let Some((p, m)) = model.route(run) {
        if !p.is_ensemble() {
            p.state = state;
            return vec![Effect::Redraw];
        }
        if let Some(member) = p.members.get_mut(m) {
            member.done = true;
            member.failed = match &state {
                RunState::Diverged(why) | RunState::Invalid(why) => Some(why.clone()),
                _ => None,
            };
        }
        if m == 0 && state != RunState::Finished {
            p.state = state;
        } else if p.members.iter().all(|m| m.done) && p.state.is_live() {
            p.state = RunState::Finished;
        }
    }
    vec![Effect::Redraw]
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
