//! Tests of `model`: every state transition of the page, natively.

use super::*;
use crate::config::ModelSettings;
use crate::model::Loss;

fn small_form(workers: usize) -> ExplorerForm {
    let config = SweepConfig {
        model: ModelSettings {
            d: 64,
            ..ModelSettings::default()
        },
        mu: vec![0.5, 1.0],
        seeds: vec![0, 1],
        protocols: vec![Loss::Mse, Loss::Correlation],
        max_steps: 100,
        ..SweepConfig::default()
    };
    ExplorerForm {
        workers: workers.to_string(),
        ..ExplorerForm::from_config(&config)
    }
}

fn point(job: u32) -> SweepPoint {
    SweepPoint {
        protocol: Loss::Mse,
        mu: 0.5,
        nb: 8,
        gamma: 0.01,
        seed: job as u64,
        weak_recovery_step: Some(10),
        samples: 80,
        sampler: SamplerKind::Exact,
        censored: false,
        theta: Some(0.5),
        mu_resolved: 0.5,
        a0: 1.0,
        diverged: false,
        d: 1024,
    }
}

fn sent(effects: &[ExplorerEffect]) -> Vec<(usize, u32)> {
    effects
        .iter()
        .filter_map(|e| match e {
            ExplorerEffect::Send {
                worker,
                message: ToWorker::Job { job, .. },
            } => Some((*worker, *job)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_sweep_farms_every_job_once_and_finishes() {
    let mut model = ExplorerModel::default();
    let effects = update(&mut model, ExplorerMessage::Run(small_form(3), 0.0));
    assert!(effects.contains(&ExplorerEffect::StartPool {
        workers: 3,
        generation: 1
    }));
    assert_eq!(sent(&effects), vec![(0, 0), (1, 1), (2, 2)]);
    assert_eq!(model.state.text(), "running on 3 workers");
    let total = model.jobs.len() as u32;
    assert_eq!(total, 8);
    let mut handed: Vec<u32> = vec![0, 1, 2];
    let mut queue = vec![(0usize, 0u32), (1, 1), (2, 2)];
    while let Some((worker, job)) = queue.pop() {
        let effects = update(
            &mut model,
            ExplorerMessage::JobDone {
                worker,
                generation: 1,
                job,
                point: Ok(point(job)),
                now_ms: 10.0,
            },
        );
        for next in sent(&effects) {
            handed.push(next.1);
            queue.push(next);
        }
    }
    handed.sort();
    assert_eq!(handed, (0..total).collect::<Vec<_>>());
    assert_eq!(model.state.text(), "finished");
    assert_eq!(model.sorted_points().len(), 8);
    assert_eq!(model.samples_drawn(), 8 * 80);
    assert!(model.progress_text(20.0).starts_with("8 / 8 runs · 0.0 s"));
}

#[test]
fn a_crash_loses_one_job_and_the_sweep_goes_on() {
    let mut model = ExplorerModel::default();
    update(&mut model, ExplorerMessage::Run(small_form(1), 0.0));
    let effects = update(
        &mut model,
        ExplorerMessage::Crashed {
            worker: 0,
            generation: 1,
            message: "boom".into(),
            now_ms: 1.0,
        },
    );
    assert_eq!(effects[0], ExplorerEffect::Respawn { worker: 0 });
    assert_eq!(sent(&effects), vec![(0, 1)]);
    assert_eq!(model.errors, vec!["job 0: the worker crashed: boom"]);
}

#[test]
fn late_messages_of_an_old_sweep_and_a_cancel_change_nothing() {
    let mut model = ExplorerModel::default();
    update(&mut model, ExplorerMessage::Run(small_form(2), 0.0));
    update(&mut model, ExplorerMessage::Run(small_form(2), 5.0));
    let old = update(
        &mut model,
        ExplorerMessage::JobDone {
            worker: 0,
            generation: 1,
            job: 0,
            point: Ok(point(0)),
            now_ms: 6.0,
        },
    );
    assert!(old.is_empty());
    assert!(model.points.is_empty());
    let effects = update(&mut model, ExplorerMessage::Cancel);
    assert!(effects.contains(&ExplorerEffect::StopPool));
    assert_eq!(model.state.text(), "cancelled after 0 runs");
    let after = update(
        &mut model,
        ExplorerMessage::JobDone {
            worker: 0,
            generation: 2,
            job: 0,
            point: Ok(point(0)),
            now_ms: 7.0,
        },
    );
    assert!(after.is_empty(), "a cancelled sweep takes no more points");
}

#[test]
fn an_invalid_form_runs_nothing() {
    let mut model = ExplorerModel::default();
    let mut form = small_form(1);
    form.mu_step = "0".into();
    let effects = update(&mut model, ExplorerMessage::Run(form, 0.0));
    assert_eq!(
        effects,
        vec![ExplorerEffect::ShowValidation(Err(
            "mu step: must be > 0".into()
        ))]
    );
    assert_eq!(model.generation, 0);
}

#[test]
fn a_saved_sweep_shows_only_over_the_form_that_holds_it() {
    let form = small_form(1);
    let config = form.validate(None).unwrap().config;
    let points: Vec<SweepPoint> = config
        .jobs()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, job)| SweepPoint {
            protocol: job.loss,
            mu: job.batch.unwrap().mu,
            seed: job.seed,
            d: job.model.d,
            ..point(i as u32)
        })
        .collect();
    let text = serde_json::json!({ "config": config, "points": points }).to_string();
    let loaded = |only: Option<ExplorerForm>| ExplorerMessage::Loaded {
        text: text.clone(),
        source: "test".into(),
        only_if_form_matches: only,
    };
    // another form: nothing shown
    let mut other = small_form(1);
    other.d = "128".into();
    let mut model = ExplorerModel::default();
    assert!(update(&mut model, loaded(Some(other))).is_empty());
    // the form that holds it: shown at once, not timed
    let effects = update(&mut model, loaded(Some(form)));
    assert!(effects.contains(&ExplorerEffect::Redraw));
    assert_eq!(model.done(), 8);
    assert_eq!(
        model.progress_text(1e6),
        "8 / 8 runs · loaded, not timed here"
    );
    assert_eq!(
        model.state.text(),
        "showing test (Run sweep measures it again)"
    );
    // a file the reader chose brings its settings into the form
    let mut fresh = ExplorerModel::default();
    let effects = update(&mut fresh, loaded(None));
    assert!(effects
        .iter()
        .any(|e| matches!(e, ExplorerEffect::WriteForm(f) if f.d == "64")));
}

#[test]
fn the_phase_diagram_of_the_form_is_drawn_before_a_run() {
    let mut model = ExplorerModel::default();
    let effects = update(&mut model, ExplorerMessage::Edited(small_form(1)));
    assert!(effects.contains(&ExplorerEffect::Redraw));
    assert_eq!(model.shown_config().unwrap().model.d, 64);
}
