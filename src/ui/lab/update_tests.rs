//! Tests of `update`: every state transition of the page, natively.

use super::*;
use crate::model::Loss;
use crate::protocol::RunSummary;
use crate::sampler::SamplerKind;
use crate::simulation::TrajectoryPoint;
use crate::url_state::UrlState;

/// The form as the shell reads it from a state (what the controls show).
fn form_of(state: &LabState) -> FormPairs {
    state
        .to_pairs()
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "preset" | "embed" | "hide" | "autostart"))
        .collect()
}

fn set(form: &FormPairs, key: &str, value: &str) -> FormPairs {
    let mut out: FormPairs = form.iter().filter(|(k, _)| k != key).cloned().collect();
    out.push((key.into(), value.into()));
    out
}

fn ready_model() -> LabModel {
    let mut model = LabModel::default();
    update(&mut model, Message::Worker(FromWorker::Ready));
    model
}

fn started(model: &mut LabModel) -> u32 {
    let form = form_of(&model.state.clone());
    let effects = update(model, Message::Start(form));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Send(ToWorker::Start { .. }))),
        "{effects:?}"
    );
    model.generation
}

fn summary() -> RunSummary {
    RunSummary {
        nb: 1024,
        gamma: 0.01,
        mu: 1.0,
        gamma0: None,
        delta: None,
        information_exponent: 3,
        leap_index: 3,
        sampler: SamplerKind::Exact,
        risk_method: "exact".into(),
        warnings: Vec::new(),
        estimated_seconds: 1.0,
        stops_at_recovery: false,
    }
}

fn progress(generation: u32, run: RunId, step: u64) -> Message {
    Message::Worker(FromWorker::Progress {
        generation,
        run,
        points: vec![TrajectoryPoint {
            step,
            m: vec![vec![0.1]],
            q: vec![vec![1.0]],
            a: None,
            r: None,
            risk: 0.5,
        }],
        step,
        steps: 30_000,
        samples_per_second: 1e7,
        weak_recovery_step: None,
        switch_step: None,
    })
}

#[test]
fn start_sends_every_panel_and_the_panels_start() {
    let mut model = ready_model();
    let form = form_of(&model.state);
    let effects = update(&mut model, Message::Start(form));
    let Some(Effect::Send(ToWorker::Start { runs, .. })) = effects
        .iter()
        .find(|e| matches!(e, Effect::Send(ToWorker::Start { .. })))
    else {
        panic!("{effects:?}")
    };
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].1.loss, Loss::Mse);
    assert_eq!(runs[1].1.loss, Loss::Correlation);
    assert!(effects.contains(&Effect::RebuildPanels));
    assert!(effects.contains(&Effect::WriteHash));
    assert!(model.panels.iter().all(|p| p.state == RunState::Starting));
    assert_eq!(model.status_text(), "running 2 runs");
    // the same protocols again: the panels' DOM stays
    let form = form_of(&model.state);
    let again = update(&mut model, Message::Start(form));
    assert!(!again.contains(&Effect::RebuildPanels));
}

#[test]
fn pause_says_paused_everywhere_and_shows_no_eta() {
    let mut model = ready_model();
    let g = started(&mut model);
    update(
        &mut model,
        Message::Worker(FromWorker::Started {
            generation: g,
            run: 0,
            summary: summary(),
        }),
    );
    update(&mut model, progress(g, 0, 100));
    assert!(model.panels[0].rate_text().contains("ETA"));
    let effects = update(&mut model, Message::TogglePause);
    assert!(effects.contains(&Effect::Send(ToWorker::Pause)));
    assert_eq!(model.pause_label(), "Resume");
    assert_eq!(model.panels[0].state, RunState::Paused);
    assert_eq!(model.panels[0].rate_text(), "");
    assert!(model.panels[0].stats_lines(0.5)[0].starts_with("paused"));
    // the run summary's exponents are on the stats line
    let lines = model.panels[0].stats_lines(0.5);
    assert!(
        lines.contains(&"risk: exact · l = 3 · leap index 3".to_string()),
        "{lines:?}"
    );
    assert_eq!(model.status_text(), "paused (2 runs)");
    update(&mut model, Message::TogglePause);
    assert_eq!(model.pause_label(), "Pause");
    assert_eq!(model.status_text(), "running 2 runs");
}

#[test]
fn reset_clears_the_panels_and_the_pause_and_ignores_late_messages() {
    let mut model = ready_model();
    let g = started(&mut model);
    update(&mut model, progress(g, 0, 100));
    update(&mut model, Message::TogglePause);
    let effects = update(&mut model, Message::Reset);
    assert!(effects.contains(&Effect::Send(ToWorker::Reset)));
    assert_eq!(model.pause_label(), "Pause");
    assert!(model
        .panels
        .iter()
        .all(|p| p.state == RunState::Idle && p.points.is_empty()));
    assert_eq!(model.status_text(), "ready: press Start");
    // a message of the dropped run that was already in flight changes nothing
    update(&mut model, progress(g, 0, 200));
    assert!(model.panels[0].points.is_empty());
}

#[test]
fn an_edit_marks_the_results_stale_until_the_next_start() {
    let mut model = ready_model();
    let form = form_of(&model.state);
    // before any run nothing is stale
    update(
        &mut model,
        Message::Edited {
            key: "seed".into(),
            form: set(&form, "seed", "9"),
        },
    );
    assert!(!model.stale);
    started(&mut model);
    let edited = set(&form_of(&model.state), "seed", "9");
    update(
        &mut model,
        Message::Edited {
            key: "seed".into(),
            form: edited.clone(),
        },
    );
    assert!(model.stale);
    // an invalid form is stale too, and its errors are all shown
    let bad = set(&set(&edited, "steps", "0"), "eta", "2");
    let effects = update(
        &mut model,
        Message::Edited {
            key: "steps".into(),
            form: bad,
        },
    );
    let Some(Effect::ShowFormErrors(errors)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(model.stale);
    update(&mut model, Message::Start(edited));
    assert!(!model.stale);
    assert_eq!(model.state.config.seed, 9);
}

#[test]
fn the_time_axis_redraws_without_a_new_run_and_keeps_the_preset() {
    let mut model = ready_model();
    update(&mut model, Message::PresetChosen("fig2-mu1.5".into()));
    let generation = model.generation;
    let form = set(&form_of(&model.state), "unit", "samples");
    let effects = update(
        &mut model,
        Message::Edited {
            key: "unit".into(),
            form,
        },
    );
    assert!(effects.contains(&Effect::Redraw));
    assert!(model.axis().samples);
    assert_eq!(model.generation, generation, "no new run");
    assert!(!model.stale);
    assert_eq!(model.selected_preset.as_deref(), Some("fig2-mu1.5"));
    // a model setting leaves the preset
    let form = set(&form_of(&model.state), "d", "2048");
    update(
        &mut model,
        Message::Edited {
            key: "d".into(),
            form,
        },
    );
    assert_eq!(model.selected_preset, None);
    assert_eq!(model.preset_explanation(), "");
}

#[test]
fn a_preset_with_another_key_in_the_url_runs_the_preset_with_that_key() {
    let mut model = ready_model();
    let url = UrlState::parse("#preset=fig2-mu1.5&seed=7");
    let effects = update(&mut model, Message::HashChanged(url));
    assert!(effects.contains(&Effect::WriteForm));
    let Some(Effect::Send(ToWorker::Start { runs, .. })) = effects
        .iter()
        .find(|e| matches!(e, Effect::Send(ToWorker::Start { .. })))
    else {
        panic!("{effects:?}")
    };
    let preset_state = preset("fig2-mu1.5").unwrap().state().unwrap();
    assert_eq!(runs[0].1.seed, 7);
    assert_eq!(runs[0].1.batch, preset_state.config.batch);
    assert_eq!(runs[0].1.steps, preset_state.config.steps);
    assert!(!model.preset_explanation().is_empty());
}

#[test]
fn a_hash_naming_the_explorer_opens_it_without_a_run() {
    let mut model = ready_model();
    let effects = update(
        &mut model,
        Message::HashChanged(UrlState::parse("#view=explorer")),
    );
    assert!(effects.contains(&Effect::ShowView(View::Explorer)));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::Send(ToWorker::Start { .. }))));
    // the first look at the Compare view lays out idle panels (and so the regime map)
    let effects = update(&mut model, Message::ShowView(View::Compare));
    assert!(effects.contains(&Effect::RebuildPanels), "{effects:?}");
    assert!(model.all_idle() && !model.panels.is_empty());
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::Send(ToWorker::Start { .. }))));
    // later looks change nothing
    let effects = update(&mut model, Message::ShowView(View::Compare));
    assert_eq!(effects, vec![Effect::ShowView(View::Compare)]);
}

#[test]
fn opening_the_explorer_pauses_live_runs() {
    let mut model = ready_model();
    started(&mut model);
    let effects = update(&mut model, Message::ShowView(View::Explorer));
    assert!(effects.contains(&Effect::Send(ToWorker::Pause)));
    assert!(model.paused);
    // nothing live: nothing to pause
    let mut idle = ready_model();
    let effects = update(&mut idle, Message::ShowView(View::Explorer));
    assert_eq!(effects, vec![Effect::ShowView(View::Explorer)]);
}

#[test]
fn a_crash_marks_live_runs_and_restarts_the_worker() {
    let mut model = ready_model();
    let g = started(&mut model);
    update(
        &mut model,
        Message::Worker(FromWorker::Finished {
            generation: g,
            run: 1,
        }),
    );
    let effects = update(
        &mut model,
        Message::Worker(FromWorker::Crashed {
            message: "boom".into(),
        }),
    );
    assert!(effects.contains(&Effect::RespawnWorker));
    assert_eq!(model.panels[0].state, RunState::Crashed("boom".into()));
    assert_eq!(model.panels[1].state, RunState::Finished);
    // the new worker's Ready keeps the crash message up until the next Start
    update(&mut model, Message::Worker(FromWorker::Ready));
    assert!(model.status_text().contains("crashed (boom)"));
    started(&mut model);
    assert_eq!(model.worker, WorkerState::Ready);
    assert_eq!(model.status_text(), "running 2 runs");
}

#[test]
fn expensive_settings_need_a_second_start() {
    let mut model = ready_model();
    let form = set(
        &set(&form_of(&model.state), "d", "1000000"),
        "steps",
        "1000000000",
    );
    let first = update(&mut model, Message::Start(form.clone()));
    assert!(
        matches!(
            first.as_slice(),
            [Effect::ShowValid(_), Effect::ShowNotice(_)]
        ),
        "{first:?}"
    );
    assert_eq!(model.generation, 0, "nothing ran");
    let second = update(&mut model, Message::Start(form));
    assert!(second
        .iter()
        .any(|e| matches!(e, Effect::Send(ToWorker::Start { .. }))));
}

#[test]
fn an_embed_starts_when_visible_unless_the_reader_started_it() {
    let mut model = LabModel::from_url(&UrlState::parse("#embed=1"));
    update(&mut model, Message::Prepare);
    assert!(model.all_idle());
    let form = form_of(&model.state);
    let effects = update(&mut model, Message::BecameVisible(form.clone()));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::Send(ToWorker::Start { .. }))));
    assert!(model.state.embed, "the embed options survive the form");
    let again = update(&mut model, Message::BecameVisible(form));
    assert!(again.is_empty());
}

#[test]
fn a_notice_stays_while_runs_report_and_goes_with_the_next_action() {
    let mut model = ready_model();
    let g = started(&mut model);
    update(&mut model, Message::Notice("link copied".into()));
    update(&mut model, progress(g, 0, 10));
    assert_eq!(model.status_text(), "link copied");
    update(&mut model, Message::TogglePause);
    assert_eq!(model.status_text(), "paused (2 runs)");
}

#[test]
fn the_pause_acknowledgement_pauses_every_panel() {
    let mut model = ready_model();
    let g = started(&mut model);
    update(
        &mut model,
        Message::Worker(FromWorker::Finished {
            generation: g,
            run: 0,
        }),
    );
    update(&mut model, Message::Step);
    let effects = update(&mut model, Message::Worker(FromWorker::Paused));
    assert!(effects.contains(&Effect::PauseAcknowledged));
    assert_eq!(model.panels[0].state, RunState::Finished);
    assert_eq!(model.panels[1].state, RunState::Paused);
    assert_eq!(model.pause_label(), "Resume");
}

#[test]
fn an_ensemble_runs_every_batch_size_and_seed_and_finishes_when_all_did() {
    let mut model = ready_model();
    model.state = LabState::from_hash("mu=1,2&seeds=3&panels=mse,correlation&steps=100").unwrap();
    let form = form_of(&model.state.clone());
    let effects = update(&mut model, Message::Start(form));
    let Some(Effect::Send(ToWorker::Start {
        runs, generation, ..
    })) = effects
        .iter()
        .find(|e| matches!(e, Effect::Send(ToWorker::Start { .. })))
    else {
        panic!("{effects:?}")
    };
    let g = *generation;
    // 2 panels x 2 batch sizes x 3 seeds, ids panel + member * panels, all stopping at η
    assert_eq!(runs.len(), 12);
    let ids: Vec<RunId> = runs.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11]);
    // the MSE panel's member 4: the second batch size, the second seed
    let (_, fourth) = &runs[4];
    assert_eq!(fourth.batch.unwrap().mu, 2.0);
    assert_eq!(fourth.seed, model.state.config.seed + 1);
    assert!(runs.iter().all(|(_, c)| c.stop_at_recovery));
    assert_eq!(model.panels[0].members.len(), 6);
    // a member's progress goes to its member only; the panel's own fields follow member 0
    update(&mut model, progress(g, 4, 7));
    assert_eq!(model.panels[0].members[2].step, 7);
    assert_eq!(model.panels[0].step, 0);
    assert_eq!(model.panels[0].members[2].points[0].overlap, 0.1);
    for run in (0..12).filter(|r| r % 2 == 0) {
        update(
            &mut model,
            Message::Worker(FromWorker::Started {
                generation: g,
                run,
                summary: summary(),
            }),
        );
    }
    // the MSE panel finishes only with its last member
    for run in [0, 2, 4, 6, 8] {
        update(
            &mut model,
            Message::Worker(FromWorker::Finished { generation: g, run }),
        );
        assert_eq!(model.panels[0].state, RunState::Running, "after run {run}");
    }
    assert_eq!(model.panels[0].rate_text(), "5 of 6 runs done");
    update(
        &mut model,
        Message::Worker(FromWorker::Finished {
            generation: g,
            run: 10,
        }),
    );
    assert_eq!(model.panels[0].state, RunState::Finished);
    // an id beyond the ensemble is ignored
    assert!(model.route(99).is_none());
    // the finished batch sizes become inset points (the members have summaries)
    assert_eq!(model.inset_points().len(), 6);
    // and are kept when the next run starts
    let form = form_of(&model.state.clone());
    update(&mut model, Message::Start(form));
    assert_eq!(model.inset_history.len(), 6);
    assert_eq!(model.inset_points().len(), 6);
    // another second layer is another model: its inset does not show these points
    model.state.config.model.second_layer.a0 = 0.5;
    assert!(model.inset_points().is_empty());
}

#[test]
fn the_page_opens_on_the_batch_size_story() {
    let url = UrlState::parse("");
    assert_eq!(url.lab.preset.as_deref(), Some("batch-size"));
    assert_eq!(url.lab.batch_exponents, [1.0, 1.5, 2.0]);
    assert_eq!(url.lab.seeds, 8);
    assert_eq!(url.lab.member_configs()[0].len(), 24);
    // any key at all is read over the single-run defaults
    let url = UrlState::parse("#seed=3");
    assert_eq!(url.lab.seeds, 1);
    assert!(url.lab.batch_exponents.is_empty());
    // lists are bounded and checked
    let e = LabState::from_hash("mu=1,1,2").unwrap_err();
    assert!(e[0].message.contains("twice"), "{e:?}");
    let e = LabState::from_hash("mu=1,1.5,2,2.5,3").unwrap_err();
    assert!(e[0].message.contains("at most 4"), "{e:?}");
    let e = LabState::from_hash("seeds=33").unwrap_err();
    assert!(e[0].message.contains("[1, 32]"), "{e:?}");
    let e = LabState::from_hash("mu=1,13").unwrap_err();
    assert_eq!(e[0].key, "mu");
    assert!(e[0].message.contains("at μ = 13"), "{e:?}");
    let s = LabState::from_hash("mu=1,1.5&seeds=4").unwrap();
    assert_eq!(LabState::from_hash(&s.to_hash()).unwrap(), s);
}
