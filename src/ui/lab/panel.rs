//! One protocol's panel as data: what the worker streamed (recorded points, theory overlay,
//! resolved numbers, progress), the run's [`RunState`], and the pure builders of everything
//! the panel shows: the overlap and risk chart specs, the progress fraction, the rate/ETA
//! line, the stats text, the hover read-out and the CSV/JSON exports.

use super::ensemble::{band_chart, ensemble_lines, escape_spec, Member};
use super::panel_charts::{overlap_spec, risk_spec};
use super::time_axis::TimeAxis;
use crate::config::scaling::ResolvedRate;
use crate::export::CsvColumns;
use crate::model::Loss;
use crate::protocol::{RunId, RunSummary};
use crate::simulation::TrajectoryPoint;
use crate::ui::chart_spec::{ChartSpec, Marker, Series};
use crate::ui::format::{format_duration, format_rate};
use crate::ui::run_state::RunState;

/// Palette index of the theory overlays (black).
const THEORY_COLOR: usize = 7;

/// max_j ‖M_j‖ = max over student units j of the Euclidean norm of row j of M (the overlap of
/// unit j with the teacher subspace); weak recovery is max_j ‖M_j‖ ≥ η.
pub fn max_overlap(point: &TrajectoryPoint) -> f64 {
    point
        .m
        .iter()
        .map(|row| row.iter().map(|x| x * x).sum::<f64>().sqrt())
        .fold(0.0, f64::max)
}

/// One protocol's run as the page knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelModel {
    /// Run id used with the worker.
    pub id: RunId,
    /// Protocol.
    pub loss: Loss,
    /// Recorded points streamed by the worker.
    pub points: Vec<TrajectoryPoint>,
    /// Points of the overlap recursion (dashed overlay).
    pub theory: Vec<TrajectoryPoint>,
    /// Why there is no theory overlay (or its regime and method).
    pub theory_note: Option<String>,
    /// Resolved numbers, once the worker accepted the run.
    pub summary: Option<RunSummary>,
    /// What the run is doing.
    pub state: RunState,
    /// Steps done.
    pub step: u64,
    /// Total steps.
    pub steps: u64,
    /// Samples per second over the worker's last slice.
    pub rate: f64,
    /// Weak-recovery step, once reached.
    pub weak_recovery_step: Option<u64>,
    /// The adaptive protocol's switch to MSE, once it happened.
    pub switch_step: Option<u64>,
    /// The panel's runs when it runs an ensemble (several batch exponents or seeds; member 0
    /// is the run the fields above describe); empty for a single run.
    pub members: Vec<Member>,
}

impl PanelModel {
    /// A new, empty panel in [`RunState::Idle`].
    pub fn new(id: RunId, loss: Loss) -> Self {
        PanelModel {
            id,
            loss,
            points: Vec::new(),
            theory: Vec::new(),
            theory_note: None,
            summary: None,
            state: RunState::Idle,
            step: 0,
            steps: 0,
            rate: 0.0,
            weak_recovery_step: None,
            switch_step: None,
            members: Vec::new(),
        }
    }

    /// The panel runs an ensemble (more than one run).
    pub fn is_ensemble(&self) -> bool {
        self.members.len() > 1
    }

    /// Runs of the ensemble that ended, and how many there are.
    pub fn members_done(&self) -> (usize, usize) {
        let done = self.members.iter().filter(|m| m.done).count();
        (done, self.members.len())
    }

    /// The recursion's weak-recovery step: the first theory point with max_j ‖M_j‖ ≥ η.
    pub fn theory_weak_recovery_step(&self, eta: f64) -> Option<u64> {
        self.theory
            .iter()
            .find(|p| max_overlap(p) >= eta)
            .map(|p| p.step)
    }

    /// The same panel emptied (new run or Reset), in `state`.
    pub fn cleared(&self, state: RunState) -> Self {
        PanelModel {
            state,
            members: self
                .members
                .iter()
                .map(|m| Member::new(m.mu_index, m.mu, m.seed))
                .collect(),
            ..PanelModel::new(self.id, self.loss)
        }
    }

    /// Batch size n_b (1 until the worker reported it).
    pub fn nb(&self) -> u64 {
        self.summary.as_ref().map_or(1, |s| s.nb)
    }

    /// Fraction of the steps done, in [0, 1].
    pub fn progress(&self) -> f64 {
        if self.is_ensemble() {
            let n = self.members.len() as f64;
            return self.members.iter().map(Member::progress).sum::<f64>() / n;
        }
        if self.steps > 0 {
            (self.step.min(self.steps) as f64 / self.steps as f64).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// "12.3 M samples/s · ETA 4 s" while running (remaining samples (T − t)·n_b over the
    /// measured rate); empty otherwise.
    pub fn rate_text(&self) -> String {
        if self.is_ensemble() && self.state.shows_eta() {
            let (done, n) = self.members_done();
            return format!("{done} of {n} runs done");
        }
        if !self.state.shows_eta() || self.rate <= 0.0 {
            return String::new();
        }
        let remaining = (self.steps - self.step.min(self.steps)) as f64 * self.nb() as f64;
        format!(
            "{} · ETA {}",
            format_rate(self.rate),
            format_duration(remaining / self.rate)
        )
    }

    /// The stats text under the charts: state and step, resolved n_b, μ, rate and sampler,
    /// the risk method, warnings, the last max_j ‖M_j‖ and risk, the weak-recovery step (and
    /// its sample count t·n_b) against the threshold η, and the theory note.
    pub fn stats_lines(&self, eta: f64) -> Vec<String> {
        let mut lines = vec![format!(
            "{} · step {} / {}",
            self.state, self.step, self.steps
        )];
        if let Some(s) = &self.summary {
            let rate = ResolvedRate {
                gamma: s.gamma,
                gamma0: s.gamma0,
                delta: s.delta,
            };
            lines.push(format!(
                "n_b = {} · μ = {:.3} · {} · sampler: {}",
                s.nb,
                s.mu,
                rate.describe(),
                s.sampler
            ));
            lines.push(format!(
                "risk: {} · l = {} · leap index {}",
                s.risk_method, s.information_exponent, s.leap_index
            ));
            for w in &s.warnings {
                lines.push(format!("warning: {w}"));
            }
            if s.estimated_seconds > 60.0 {
                lines.push(format!(
                    "expensive: about {} on the reference core (estimated before the run)",
                    crate::preflight::human_seconds(s.estimated_seconds)
                ));
            }
        }
        if self.is_ensemble() {
            let (done, n) = self.members_done();
            let stops = self.summary.as_ref().is_none_or(|s| s.stops_at_recovery);
            lines[0] = format!(
                "{} · {done} of {n} runs done ({})",
                self.state,
                if stops {
                    "each stops at weak recovery"
                } else {
                    "each runs to its step cap: the second layer is trained"
                }
            );
            lines.extend(ensemble_lines(&self.members));
            return lines;
        }
        if let Some(p) = self.points.last() {
            lines.push(format!(
                "max_j ||M_j|| = {:.4} · risk = {:.4e}",
                max_overlap(p),
                p.risk
            ));
            if let Some(a) = &p.a {
                lines.push(format!("second layer a = [{}]", numbers(a)));
            }
        }
        lines.push(match self.weak_recovery_step {
            Some(t) => format!(
                "weak recovery (max_j ||M_j|| ≥ {eta}) at step {t} = {} samples",
                t as u128 * self.nb() as u128
            ),
            None => format!("weak recovery (max_j ||M_j|| ≥ {eta}) not reached yet"),
        });
        if let Some(t) = self.switch_step {
            lines.push(format!("switched to MSE at step {t}"));
        }
        if let Some(t) = self.theory_weak_recovery_step(eta) {
            lines.push(format!("theory: weak recovery at step {t}"));
        }
        if let Some(note) = &self.theory_note {
            lines.push(format!("theory: {note}"));
        }
        lines
    }

    /// Overlap chart: every M_jr, max_j ‖M_j‖ (bold), off-diagonal Q_jl (dashed), the η line,
    /// the weak-recovery marker and the recursion's max_j ‖M_j‖ (dashed black).
    pub fn overlap_spec(&self, eta: f64, axis: TimeAxis) -> ChartSpec {
        if self.is_ensemble() {
            let (bands, series) = band_chart(&self.members, |p| p.overlap, f64::INFINITY, axis);
            return ChartSpec {
                title: "max_j ||M_j|| over seeds (median, 25–75%)".into(),
                x_label: axis.label(),
                log_x: axis.log,
                y_label: "max_j ||M_j||".into(),
                y_range: Some((0.0, 1.05)),
                horizontal_lines: vec![(eta, format!("η = {eta}"))],
                bands,
                series,
                ..Default::default()
            };
        }
        let nb = self.nb();
        let mut spec = overlap_spec(
            "overlaps",
            &self.points,
            eta,
            self.weak_recovery_step,
            axis,
            nb,
        );
        if !self.theory.is_empty() {
            spec.series.push(Series {
                label: "theory: max_j ||M_j||".into(),
                points: self
                    .theory
                    .iter()
                    .map(|pt| (axis.x(pt.step, nb), max_overlap(pt)))
                    .collect(),
                color: THEORY_COLOR,
                dashed: true,
                bold: true,
                markers: Marker::Line,
            });
        }
        // vertical marks: the recursion's own weak-recovery step (dashed black) and the
        // adaptive protocol's switch to MSE (dashed, its own colour)
        let marks = [
            self.theory_weak_recovery_step(eta)
                .map(|t| (t, format!("theory: weak recovery, t = {t}"), THEORY_COLOR)),
            self.switch_step
                .map(|t| (t, format!("switch to MSE, t = {t}"), 4)),
        ];
        for (t, label, color) in marks.into_iter().flatten() {
            let x = axis.x(t, nb);
            spec.series.push(Series {
                label,
                points: vec![(x, -1.05), (x, 1.05)],
                color,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
        }
        spec
    }

    /// Risk chart (log y), with the recursion's risk dashed.
    pub fn risk_spec(&self, axis: TimeAxis) -> ChartSpec {
        if self.is_ensemble() {
            let (bands, series) = band_chart(&self.members, |p| p.risk, f64::NEG_INFINITY, axis);
            return ChartSpec {
                title: "risk over seeds (median, 25–75%)".into(),
                x_label: axis.label(),
                log_x: axis.log,
                y_label: "risk".into(),
                log_y: true,
                bands,
                series,
                ..Default::default()
            };
        }
        let nb = self.nb();
        let mut spec = risk_spec(&self.points, axis, nb);
        if !self.theory.is_empty() {
            spec.series.push(Series {
                label: "theory R".into(),
                points: self
                    .theory
                    .iter()
                    .map(|p| (axis.x(p.step, nb), p.risk))
                    .collect(),
                color: THEORY_COLOR,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
        }
        spec
    }

    /// The escape-time chart of an ensemble (one empirical distribution per batch exponent).
    pub fn escape_spec(&self, eta: f64, axis: TimeAxis) -> ChartSpec {
        escape_spec(&self.members, axis, eta)
    }

    /// The read-out at data x (a step, or a sample count on a samples axis): the recorded
    /// point nearest to x, as "t = … (… samples)", its M and its risk.
    pub fn readout_at(&self, x: f64, axis: TimeAxis) -> Option<String> {
        let nb = self.nb();
        let i = self.points.partition_point(|p| axis.x(p.step, nb) < x);
        let candidates = [
            i.saturating_sub(1),
            i.min(self.points.len().saturating_sub(1)),
        ];
        let best = candidates
            .iter()
            .filter_map(|&j| self.points.get(j))
            .min_by(|a, b| {
                (axis.x(a.step, nb) - x)
                    .abs()
                    .total_cmp(&(axis.x(b.step, nb) - x).abs())
            })?;
        let m: Vec<f64> = best.m.iter().flatten().copied().collect();
        let a = best
            .a
            .as_ref()
            .map(|a| format!("\na = [{}]", numbers(a)))
            .unwrap_or_default();
        Some(format!(
            "t = {} ({} samples)\nM = [{}]{a}\nrisk = {:.4e}",
            best.step,
            best.step as u128 * nb as u128,
            numbers(&m),
            best.risk
        ))
    }

    /// CSV of the recorded points (the same columns as the CLI's `--csv`).
    pub fn csv(&self) -> String {
        let (p, k) = self.points.first().map_or((1, 1), |pt| {
            (pt.m.len(), pt.m.first().map_or(1, |r| r.len()))
        });
        let columns = CsvColumns {
            second_layer: self.points.iter().any(|pt| pt.a.is_some()),
            free_directions: self
                .points
                .iter()
                .filter_map(|pt| pt.r.as_ref()?.first().map(Vec::len))
                .max()
                .unwrap_or(0),
            ..CsvColumns::new(p, k)
        };
        format!(
            "{}\n{}",
            columns.header(),
            columns.point_rows(&self.loss.to_string(), &self.points, self.nb())
        )
    }

    /// JSON of the recorded points, the theory points and the resolved numbers.
    pub fn json(&self) -> String {
        serde_json::json!({
            "protocol": self.loss,
            "summary": self.summary,
            "weak_recovery_step": self.weak_recovery_step,
            "points": self.points,
            "theory": self.theory,
        })
        .to_string()
    }
}

/// Numbers to three decimals, comma-separated.
fn numbers(values: &[f64]) -> String {
    let v: Vec<String> = values.iter().map(|v| format!("{v:.3}")).collect();
    v.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(step: u64, m: Vec<Vec<f64>>, risk: f64) -> TrajectoryPoint {
        let p = m.len();
        TrajectoryPoint {
            step,
            q: (0..p)
                .map(|j| (0..p).map(|l| if j == l { 1.0 } else { 0.1 }).collect())
                .collect(),
            a: None,
            r: None,
            m,
            risk,
        }
    }

    #[test]
    fn a_trained_second_layer_is_read_out() {
        let mut panel = PanelModel::new(0, Loss::Mse);
        let mut pt = point(7, vec![vec![0.2], vec![0.6]], 0.3);
        pt.a = Some(vec![0.25, 0.5]);
        panel.points.push(pt);
        let lines = panel.stats_lines(0.5);
        assert!(
            lines.iter().any(|l| l == "second layer a = [0.250, 0.500]"),
            "{lines:?}"
        );
        let readout = panel.readout_at(7.0, TimeAxis::default()).unwrap();
        assert!(readout.contains("\na = [0.250, 0.500]"), "{readout}");
        panel.points[0].a = None;
        assert!(!panel
            .stats_lines(0.5)
            .iter()
            .any(|l| l.contains("second layer")));
    }

    #[test]
    fn the_eta_line_and_the_samples_axis_follow_the_run() {
        let mut panel = PanelModel::new(0, Loss::Mse);
        panel.points = vec![point(2, vec![vec![0.6]], 0.3)];
        panel.weak_recovery_step = Some(2);
        let axis = TimeAxis {
            log: false,
            samples: true,
        };
        let spec = panel.overlap_spec(0.5, axis);
        assert_eq!(spec.horizontal_lines[0].0, 0.5);
        // n_b = 1 until the worker reported it
        assert_eq!(spec.series[0].points[0].0, 2.0);
        let lines = panel.stats_lines(0.5);
        assert!(lines.last().unwrap().contains("at step 2 = 2 samples"));
    }

    #[test]
    fn theory_overlays_are_dashed() {
        let mut panel = PanelModel::new(0, Loss::Correlation);
        panel.points = vec![point(1, vec![vec![0.1]], 1.0)];
        panel.theory = vec![point(1, vec![vec![0.2]], 0.9)];
        let overlaps = panel.overlap_spec(0.5, TimeAxis::default());
        let risk = panel.risk_spec(TimeAxis::default());
        assert!(overlaps.series.last().unwrap().dashed);
        assert_eq!(risk.series.len(), 2);
        // the recursion crosses eta = 0.5 at step 40: a dashed vertical mark there
        panel.theory.push(point(40, vec![vec![0.6]], 0.2));
        panel.switch_step = Some(25);
        let overlaps = panel.overlap_spec(0.5, TimeAxis::default());
        let mark = |label: &str| {
            overlaps
                .series
                .iter()
                .find(|s| s.label == label)
                .cloned()
                .unwrap_or_else(|| panic!("no {label}"))
        };
        let theory = mark("theory: weak recovery, t = 40");
        assert_eq!(theory.points, vec![(40.0, -1.05), (40.0, 1.05)]);
        assert!(theory.dashed);
        assert_eq!(mark("switch to MSE, t = 25").points[0].0, 25.0);
        let lines = panel.stats_lines(0.5);
        assert!(lines.contains(&"theory: weak recovery at step 40".to_string()));
        assert!(lines.contains(&"switched to MSE at step 25".to_string()));
        assert!(risk.series[1].dashed);
    }

    #[test]
    fn the_readout_picks_the_nearest_point() {
        let mut panel = PanelModel::new(0, Loss::Mse);
        panel.points = vec![
            point(10, vec![vec![0.1]], 1.0),
            point(100, vec![vec![0.7]], 0.2),
        ];
        let axis = TimeAxis::default();
        assert!(panel.readout_at(20.0, axis).unwrap().starts_with("t = 10 "));
        assert!(panel
            .readout_at(90.0, axis)
            .unwrap()
            .starts_with("t = 100 "));
        assert!(PanelModel::new(1, Loss::Mse)
            .readout_at(5.0, axis)
            .is_none());
    }

    #[test]
    fn the_eta_text_shows_only_while_running() {
        let mut panel = PanelModel::new(0, Loss::Mse);
        panel.steps = 100;
        panel.step = 50;
        panel.rate = 1e6;
        assert_eq!(panel.rate_text(), "");
        panel.state = RunState::Running;
        assert!(panel.rate_text().contains("ETA"));
        panel.state = RunState::Paused;
        assert_eq!(panel.rate_text(), "", "a paused run shows no ETA");
        assert_eq!(panel.progress(), 0.5);
    }

    #[test]
    fn exports_carry_the_points() {
        let mut panel = PanelModel::new(0, Loss::Mse);
        panel.points = vec![point(3, vec![vec![0.25]], 0.5)];
        assert_eq!(panel.csv().lines().count(), 2);
        let json: serde_json::Value = serde_json::from_str(&panel.json()).unwrap();
        assert_eq!(json["points"][0]["step"], 3);
        assert_eq!(json["protocol"], "mse");
    }
}
