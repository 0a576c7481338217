//! The lab page's state as one value ([`LabModel`]) and what the page derives from it: the top
//! status line, the Pause button's label, whether the shown curves are stale, the preset
//! menu's explanation and the time axis.

use super::message::{FormPairs, View};
use super::panel::PanelModel;
use super::time_axis::TimeAxis;
use crate::lab_state::{FieldError, LabState};
use crate::model::Loss;
use crate::presets::preset;
use crate::protocol::RunId;
use crate::sweep::{SweepConfig, SweepPoint};
use crate::ui::chart_spec::ChartSpec;
use crate::ui::run_state::{lab_status, RunState, WorkerState};
use crate::url_state::UrlState;

/// Everything the lab page knows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LabModel {
    /// The settings of the runs shown (or about to be shown), with view and embed options.
    pub state: LabState,
    /// One panel per protocol of `state`.
    pub panels: Vec<PanelModel>,
    /// The runs are paused.
    pub paused: bool,
    /// The worker as the page sees it.
    pub worker: WorkerState,
    /// Incremented on every Start and Reset: worker messages of older generations are ignored.
    pub generation: u32,
    /// The settings (as a URL hash) whose cost warning was shown: a second Start runs them.
    pub confirmed: Option<String>,
    /// The form no longer matches the shown curves (until the next Start).
    pub stale: bool,
    /// The preset selected in the menu (cleared by editing a model setting).
    pub selected_preset: Option<String>,
    /// The open view.
    pub view: View,
    /// A message for the status line (e.g. "link copied"), shown instead of the runs' status
    /// until the reader's next action.
    pub notice: Option<String>,
    /// The ensembles finished earlier in this page's life, as (model, sweep point): the θ
    /// inset keeps them while the model (information exponent l and second layer a0) stays the
    /// same.
    pub inset_history: Vec<(InsetModel, SweepPoint)>,
}

impl LabModel {
    /// The model of a page opened on `url` (its state; nothing runs yet).
    pub fn from_url(url: &UrlState) -> Self {
        LabModel {
            state: url.lab.clone(),
            selected_preset: url.lab.preset.clone(),
            view: if url.explorer {
                View::Explorer
            } else {
                View::Compare
            },
            ..LabModel::default()
        }
    }

    /// The settings in the form: its pairs with the selected preset and the page's embed
    /// options (`embed`, `hide`, `autostart`, which have no control), validated like a URL.
    pub fn form_state(&self, form: &FormPairs) -> Result<LabState, Vec<FieldError>> {
        let mut pairs = form.clone();
        if self.state.embed {
            pairs.push(("embed".into(), "1".into()));
        }
        if !self.state.hide.is_empty() {
            pairs.push(("hide".into(), self.state.hide.join(",")));
        }
        if !self.state.autostart {
            pairs.push(("autostart".into(), "0".into()));
        }
        if let Some(p) = &self.selected_preset {
            pairs.push(("preset".into(), p.clone()));
        }
        LabState::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The top status line, e.g. "running 2 runs", "paused (2 runs)", "ready: press Start".
    pub fn status_text(&self) -> String {
        if let Some(notice) = &self.notice {
            return notice.clone();
        }
        let runs: Vec<RunState> = self.panels.iter().map(|p| p.state.clone()).collect();
        lab_status(&self.worker, &runs)
    }

    /// The Pause button's label: "Resume" while paused.
    pub fn pause_label(&self) -> &'static str {
        if self.paused {
            "Resume"
        } else {
            "Pause"
        }
    }

    /// The selected preset's explanation (empty when none is selected).
    pub fn preset_explanation(&self) -> &'static str {
        self.selected_preset
            .as_deref()
            .and_then(preset)
            .map_or("", |p| p.explanation)
    }

    /// The charts' time axis.
    pub fn axis(&self) -> TimeAxis {
        TimeAxis {
            log: self.state.view.log_time,
            samples: self.state.view.samples,
        }
    }

    /// The protocols the panels show, in order.
    pub fn panel_losses(&self) -> Vec<Loss> {
        self.panels.iter().map(|p| p.loss).collect()
    }

    /// The panel of run `run` and the run's member index in it: run ids are
    /// `panel + member · panels` ([`crate::lab_state::LabState::member_configs`] order).
    pub fn route(&mut self, run: RunId) -> Option<(&mut PanelModel, usize)> {
        let n = self.panels.len() as RunId;
        if n == 0 {
            return None;
        }
        let member = (run / n) as usize;
        let panel = self.panels.get_mut((run % n) as usize)?;
        (member == 0 || member < panel.members.len()).then_some((panel, member))
    }

    /// The information exponent l of the state's target (None when undefined).
    pub fn information_exponent(&self) -> Option<u32> {
        let m = &self.state.config.model;
        crate::model::target_information_exponent(&m.target, m.k)
    }

    /// What makes the inset's points comparable: the target's l and the second layer a0.
    fn inset_model(&self) -> Option<InsetModel> {
        let a0 = self.state.config.model.second_layer.a0;
        self.information_exponent().map(|l| InsetModel {
            l,
            a0_bits: a0.to_bits(),
        })
    }

    /// The points of the θ inset: every run of a batch exponent whose ensemble has ended (in
    /// this run and, for the same l, earlier ones).
    pub fn inset_points(&self) -> Vec<SweepPoint> {
        let model = self.inset_model();
        let mut points: Vec<SweepPoint> = self
            .inset_history
            .iter()
            .filter(|(m, _)| Some(*m) == model)
            .map(|(_, p)| p.clone())
            .collect();
        let d = self.state.config.model.d;
        let a0 = self.state.config.model.second_layer.a0;
        for panel in &self.panels {
            for i in 0..super::ensemble::exponents(&panel.members).len() {
                let mine = super::ensemble::of_exponent(&panel.members, i);
                if mine.iter().all(|m| m.done) {
                    points.extend(mine.iter().filter_map(|m| m.sweep_point(panel.loss, d, a0)));
                }
            }
        }
        points
    }

    /// Keeps the finished ensembles' points for the inset (called before new runs replace the
    /// panels); a point already kept is not added twice.
    pub fn keep_inset_points(&mut self) {
        let Some(model) = self.inset_model() else {
            return;
        };
        for p in self.inset_points() {
            let known = self
                .inset_history
                .iter()
                .any(|(m, q)| *m == model && *q == p);
            if !known {
                self.inset_history.push((model, p));
            }
        }
    }

    /// The θ = log_d T inset: the paper's Fig. 1 frontiers and regions for the target's l
    /// with the median (line) and every run (dots) of each finished batch exponent.
    pub fn inset_spec(&self) -> ChartSpec {
        let state = &self.state;
        let config = SweepConfig {
            model: state.config.model.clone(),
            protocols: state.panels.clone(),
            mu: state.batch_exponent_list(),
            max_steps: state.config.steps,
            ..SweepConfig::default()
        };
        let mut spec = crate::ui::explorer::sweep_charts(&config, &self.inset_points(), true).theta;
        spec.title = format!(
            "θ = log_d T of every finished batch size over the paper's frontiers (d = {})",
            state.config.model.d
        );
        spec
    }

    /// Every panel is idle: nothing was started since the panels were laid out or reset.
    pub fn all_idle(&self) -> bool {
        self.panels.iter().all(|p| p.state == RunState::Idle)
    }
}

/// The model the θ inset's points belong to: points of another information exponent or
/// another second layer are not drawn together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsetModel {
    /// Information exponent l of the target.
    pub l: u32,
    /// The second layer's a0, as bits.
    pub a0_bits: u64,
}

/// The resolved numbers shown under the form, one line per protocol: n_b (and μ = log_d n_b),
/// the learning rate γ = γ₀ d^(−δ) as its policy defines it, the regime of (μ, δ) and the
/// sampler, e.g. "MSE SGD: n_b = 1024 (μ = 1.000), γ = …, noise-learning regime, sampler
/// exact". Empty when the state does not resolve.
pub fn resolved_text(state: &LabState) -> String {
    match state.resolve() {
        Ok(resolved) => resolved
            .iter()
            .map(|r| {
                format!(
                    "{}: n_b = {} (μ = {:.3}), {}, {}, sampler {}",
                    r.input.loss.label(),
                    r.nb_resolved,
                    r.mu_resolved,
                    r.rate().describe(),
                    r.regime()
                        .map(|g| format!("{} regime", g.label()))
                        .unwrap_or_else(|| "regime: give γ₀ and δ".to_string()),
                    r.sampler_resolved
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(_) => String::new(),
    }
}

/// Each panel's (protocol, μ, δ) for the regime map (δ None for a bare γ); empty when the
/// state does not resolve.
pub fn map_points(state: &LabState) -> Vec<super::regime_map::MapPoint> {
    state.resolve().map_or_else(
        |_| Vec::new(),
        |resolved| {
            resolved
                .iter()
                .map(|r| (r.input.loss, r.mu_resolved, r.delta_resolved))
                .collect()
        },
    )
}

/// The panels' runs as a config for `sgdlab run` (a `runs` list, one entry per protocol, in
/// panel order), so the same runs can be repeated natively or from Python.
pub fn cli_config(state: &LabState) -> String {
    let runs = state.panel_configs();
    serde_json::to_string_pretty(&serde_json::json!({ "runs": runs }))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// "information exponent l = 3" for the state's target (l = the lowest degree of a non-zero
/// Hermite coefficient of g), followed for a multi-index teacher (k >= 2) by its leap index
/// with its basis ("leap index 1 (in the given basis: an upper bound on the rotation-invariant
/// leap)"), or empty when the exponent is undefined.
pub fn information_exponent_text(state: &LabState) -> String {
    let (target, k) = (&state.config.model.target, state.config.model.k);
    let Some(l) = crate::model::target_information_exponent(target, k) else {
        return String::new();
    };
    match crate::model::target_leap_index(target, k) {
        Some(leap) if k >= 2 => format!(
            "information exponent l = {l}, leap index {leap} ({})",
            crate::model::LEAP_INDEX_BASIS
        ),
        _ => format!("information exponent l = {l}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;

    #[test]
    fn the_page_shows_the_leap_index_of_a_multi_index_target() {
        let mut state = LabState::default();
        assert_eq!(
            information_exponent_text(&state),
            "information exponent l = 3"
        );
        state.config.model.target = r#"{"hermite": [[1, [1, 0]], [1, [0, 3]]]}"#.parse().unwrap();
        state.config.model.k = 2;
        let text = information_exponent_text(&state);
        assert!(
            text.starts_with("information exponent l = 1, leap index 3 (in the given basis"),
            "{text}"
        );
        assert!(
            text.contains("upper bound on the rotation-invariant leap"),
            "{text}"
        );
    }

    #[test]
    fn the_cli_config_runs_what_the_panels_run() {
        let state =
            LabState::from_hash("d=2048&mu=1.25&seed=7&panels=mse,correlation,adaptive").unwrap();
        let file = RunConfig::list_from_json(&cli_config(&state)).unwrap();
        assert!(file.is_list);
        assert_eq!(file.runs, state.panel_configs());
        let resolved = file.resolve().unwrap();
        assert_eq!(resolved.len(), 3);
        assert_eq!(resolved[2].input.seed, 7);
    }
}
