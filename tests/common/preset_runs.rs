//! Running a preset's panels over seeds, as the page runs them, and reading off what the
//! captions claim (escape steps, risks, per-direction crossings). Shared by the caption tests
//! (`tests/preset_captions.rs`, `tests/preset_captions_beyond.rs`) and `tests/second_layer.rs`.

use sgdlab::config::{ResolvedConfig, RunConfig};
use sgdlab::model::Loss;
use sgdlab::presets::preset;
use sgdlab::simulation::{RunOutput, Simulation};
use sgdlab::statistics::median;
use sgdlab::sweep::run_sweep_jobs;
use sgdlab::trajectory::Trajectory;

/// One protocol's runs over seeds.
pub struct Panel {
    /// The protocol.
    pub loss: Loss,
    /// One run per seed.
    pub runs: Vec<RunOutput>,
}

impl Panel {
    /// Weak-recovery steps, `None` for runs that did not recover.
    pub fn escapes(&self) -> Vec<Option<u64>> {
        self.runs
            .iter()
            .map(|r| r.trajectory.weak_recovery_step)
            .collect()
    }
    pub fn recovered(&self) -> usize {
        self.escapes().iter().filter(|e| e.is_some()).count()
    }
    /// Median escape step, counting a run that never recovered as infinitely late.
    pub fn median_escape(&self) -> f64 {
        let v: Vec<f64> = self
            .escapes()
            .iter()
            .map(|e| e.map_or(f64::INFINITY, |t| t as f64))
            .collect();
        median(&v)
    }
    pub fn final_risks(&self) -> Vec<f64> {
        self.runs
            .iter()
            .map(|r| *r.trajectory.risk.last().unwrap())
            .collect()
    }
    pub fn median_final_risk(&self) -> f64 {
        median(&self.final_risks())
    }
    pub fn initial_risk(&self) -> f64 {
        self.runs[0].trajectory.risk[0]
    }
    /// max_j ||M_j|| at the end of each run.
    pub fn final_overlaps(&self) -> Vec<f64> {
        self.runs
            .iter()
            .map(|r| max_overlap(r.trajectory.m.last().unwrap()))
            .collect()
    }
    /// max over the run of max_j ||M_j||, per run.
    pub fn peak_overlaps(&self) -> Vec<f64> {
        self.runs
            .iter()
            .map(|r| {
                r.trajectory
                    .m
                    .iter()
                    .map(|m| max_overlap(m))
                    .fold(0.0, f64::max)
            })
            .collect()
    }
}

pub fn max_overlap(m: &[Vec<f64>]) -> f64 {
    m.iter()
        .map(|row| row.iter().map(|x| x * x).sum::<f64>().sqrt())
        .fold(0.0, f64::max)
}

/// The run configs of every panel of preset `id` (what the page runs).
pub fn preset_configs(id: &str) -> Vec<RunConfig> {
    preset(id).unwrap().state().unwrap().panel_configs()
}

/// Runs every panel of preset `id` for each seed (the preset's own settings otherwise).
pub fn run_preset(id: &str, seeds: impl IntoIterator<Item = u64> + Clone) -> Vec<Panel> {
    run_configs(id, preset_configs(id), seeds)
}

/// Runs each config for each seed, in parallel over seeds.
pub fn run_configs(
    label: &str,
    configs: Vec<RunConfig>,
    seeds: impl IntoIterator<Item = u64> + Clone,
) -> Vec<Panel> {
    let panels: Vec<Panel> = configs
        .into_iter()
        .map(|config| {
            let config: ResolvedConfig = config.resolve().unwrap();
            let runs = std::thread::scope(|scope| {
                let handles: Vec<_> = seeds
                    .clone()
                    .into_iter()
                    .map(|seed| {
                        let mut c = config.clone();
                        c.input.seed = seed;
                        scope.spawn(move || Simulation::from_resolved(c).run_to_end())
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            println!(
                "{label} {:?}: {}",
                config.input.loss,
                config.rate().describe()
            );
            Panel {
                loss: config.input.loss,
                runs,
            }
        })
        .collect();
    for p in &panels {
        println!(
            "{label} {:?}: escapes {:?}, median {:.0}, final risk median {:.3e} (start {:.3e}), final max M {:?}",
            p.loss,
            p.escapes(),
            p.median_escape(),
            p.median_final_risk(),
            p.initial_risk(),
            p.final_overlaps().iter().map(|x| (x * 1000.0).round() / 1000.0).collect::<Vec<_>>()
        );
    }
    panels
}

/// The risk of each run at step `t` (the recorded point at or just before it).
pub fn risks_at(panel: &Panel, t: u64) -> Vec<f64> {
    panel
        .runs
        .iter()
        .map(|r| {
            let i = r.trajectory.steps.partition_point(|&s| s <= t) - 1;
            r.trajectory.risk[i]
        })
        .collect()
}

pub fn panel(panels: &[Panel], loss: Loss) -> &Panel {
    panels.iter().find(|p| p.loss == loss).unwrap()
}

/// The first recorded step at which max_j |M_jr| >= `eta`, per run and teacher direction r.
pub fn direction_crossings(panel: &Panel, r: usize, eta: f64) -> Vec<f64> {
    panel
        .runs
        .iter()
        .map(|run| {
            let t = &run.trajectory;
            t.steps
                .iter()
                .zip(&t.m)
                .find(|(_, m)| m.iter().map(|row| row[r].abs()).fold(0.0, f64::max) >= eta)
                .map_or(f64::INFINITY, |(s, _)| *s as f64)
        })
        .collect()
}

/// Weak-recovery step of each job (run to its end by the sweep runner, in parallel), a job that
/// never recovered counting as infinitely late.
pub fn escape_steps(jobs: &[RunConfig]) -> Vec<f64> {
    run_sweep_jobs(jobs)
        .unwrap()
        .iter()
        .map(|p| p.weak_recovery_step.map_or(f64::INFINITY, |t| t as f64))
        .collect()
}

/// The first recorded step at or after weak recovery with risk below `threshold` (infinite if
/// none): the time a run takes to fit the target after its escape.
pub fn fit_step(t: &Trajectory, threshold: f64) -> f64 {
    let after = t.weak_recovery_step.unwrap_or(u64::MAX);
    t.steps
        .iter()
        .zip(&t.risk)
        .find(|&(&s, &risk)| s >= after && risk < threshold)
        .map_or(f64::INFINITY, |(&s, _)| s as f64)
}
