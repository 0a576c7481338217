//! One panel per protocol: live overlap chart (with hover read-out), risk chart, M/Q heatmaps,
//! progress bar with samples/s and ETA, stats, and exports (CSV, JSON, PNG).

use crate::config::scaling::ResolvedRate;
use crate::export::{csv_header, csv_rows_from_points};
use crate::model::Loss;
use crate::protocol::{RunId, RunSummary};
use crate::simulation::TrajectoryPoint;
use crate::ui::format::{format_duration, format_rate};
use crate::ui::run_state::RunState;
use crate::web::chart::{draw_chart, draw_heatmaps, ChartGeometry, ChartSpec, Marker, Series};
use crate::web::dom::{create, set_hidden};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlCanvasElement};

/// How the time axis is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    /// Logarithmic axis.
    pub log: bool,
    /// Samples t n_b instead of steps t.
    pub samples: bool,
}

impl TimeAxis {
    /// x coordinate of step `step` with batch `nb`.
    pub fn x(&self, step: u64, nb: u64) -> f64 {
        if self.samples {
            step as f64 * nb as f64
        } else {
            step as f64
        }
    }

    /// Axis label.
    pub fn label(&self) -> String {
        let unit = if self.samples {
            "samples t·n_b"
        } else {
            "step t"
        };
        if self.log {
            format!("{unit} (log scale)")
        } else {
            unit.to_string()
        }
    }
}

/// The parts of a panel, drawn one per animation frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelPart {
    /// The M/Q heatmap, progress bar, ETA and stats text.
    Status,
    /// The overlap chart (the largest canvas).
    Overlaps,
    /// The risk chart.
    Risk,
}

impl PanelPart {
    /// Drawing order within a panel: the stats text first, so the step count and state shown
    /// lag the worker by at most one sweep interval and one frame.
    pub const ALL: [PanelPart; 3] = [PanelPart::Status, PanelPart::Overlaps, PanelPart::Risk];
}

/// State and DOM of one protocol's panel.
pub struct Panel {
    /// Run id used with the worker.
    pub id: RunId,
    /// Protocol.
    pub loss: Loss,
    /// Recorded points streamed by the worker.
    pub points: Vec<TrajectoryPoint>,
    /// Theory recursion points (dashed overlay).
    pub theory: Vec<TrajectoryPoint>,
    /// Why there is no theory overlay, if requested and unavailable.
    pub theory_note: Option<String>,
    /// Resolved numbers.
    pub summary: Option<RunSummary>,
    /// What the run is doing.
    pub state: RunState,
    /// Steps done / total.
    pub step: u64,
    /// Total steps.
    pub steps: u64,
    /// Samples per second over the last slice.
    pub rate: f64,
    /// Weak-recovery step.
    pub weak_recovery_step: Option<u64>,
    /// Geometry of the last overlap chart (for hover).
    pub geometry: ChartGeometry,
}

/// Draws `part` once, with made-up points, into a small canvas that is never shown.
///
/// V8 compiles a wasm function on its first call, and a canvas sets up its font on first use:
/// the first real chart paid 10–20 ms for that on top of its drawing. The page calls this for
/// each part, in tasks of their own, after its first panels have been laid out and before
/// their first drawing.
pub fn warm_up(document: &Document, part: PanelPart, eta: f64, axis: TimeAxis) {
    let Some(canvas) = document
        .create_element("canvas")
        .ok()
        .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return;
    };
    let mut panel = Panel::new(0, Loss::Mse);
    panel.points = [(1, 0.03, 1.0), (10, 0.2, 0.8), (100, 0.9, 0.1)]
        .into_iter()
        .map(|(step, m, risk)| TrajectoryPoint {
            step,
            m: vec![vec![m]],
            q: vec![vec![1.0]],
            risk,
        })
        .collect();
    panel.weak_recovery_step = Some(100);
    let result = match part {
        PanelPart::Overlaps => draw_chart(&canvas, &panel.overlap_spec(eta, axis)).map(|_| ()),
        PanelPart::Risk => draw_chart(&canvas, &panel.risk_spec(axis)).map(|_| ()),
        PanelPart::Status => draw_heatmaps(&canvas, &[vec![0.5]], &[vec![1.0]]),
    };
    if let Err(e) = result {
        web_sys::console::warn_1(&format!("chart warm-up: {e}").into());
    }
}

/// Element id prefix of a protocol's panel: `panel-mse`, `panel-correlation`, `panel-adaptive`.
pub fn panel_prefix(loss: Loss) -> String {
    format!("panel-{loss}")
}

impl Panel {
    /// A new, empty panel.
    pub fn new(id: RunId, loss: Loss) -> Self {
        Panel {
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
            geometry: ChartGeometry::default(),
        }
    }

    /// Batch size (1 until known).
    pub fn nb(&self) -> u64 {
        self.summary.as_ref().map_or(1, |s| s.nb)
    }

    /// Builds the panel's DOM inside `container`.
    pub fn create_dom(
        &self,
        document: &Document,
        container: &Element,
    ) -> Result<(), wasm_bindgen::JsValue> {
        let prefix = panel_prefix(self.loss);
        let section = create(document, "section", "panel");
        section.set_id(&prefix);
        section.set_attribute("aria-label", self.loss.label())?;
        let h2 = create(document, "h2", "");
        h2.set_text_content(Some(self.loss.label()));
        section.append_child(&h2)?;
        let progress = create(document, "div", "progress");
        progress.set_attribute("role", "progressbar")?;
        progress.set_attribute("aria-label", &format!("{} progress", self.loss.label()))?;
        progress.set_id(&format!("{prefix}-progress"));
        let bar = create(document, "div", "bar");
        bar.set_id(&format!("{prefix}-bar"));
        progress.append_child(&bar)?;
        section.append_child(&progress)?;
        let eta = create(document, "div", "eta");
        eta.set_id(&format!("{prefix}-eta"));
        section.append_child(&eta)?;
        let wrap = create(document, "div", "chart-wrap");
        let overlaps = create(document, "canvas", "chart");
        overlaps.set_id(&format!("{prefix}-overlaps"));
        overlaps.set_attribute("role", "img")?;
        overlaps.set_attribute(
            "aria-label",
            &format!("{}: overlaps over time", self.loss.label()),
        )?;
        wrap.append_child(&overlaps)?;
        let tooltip = create(document, "div", "tooltip");
        tooltip.set_id(&format!("{prefix}-tooltip"));
        set_hidden(&tooltip, true);
        wrap.append_child(&tooltip)?;
        section.append_child(&wrap)?;
        let row = create(document, "div", "row");
        let risk = create(document, "canvas", "chart small");
        risk.set_id(&format!("{prefix}-risk"));
        risk.set_attribute("role", "img")?;
        risk.set_attribute(
            "aria-label",
            &format!("{}: population risk", self.loss.label()),
        )?;
        row.append_child(&risk)?;
        let heat = create(document, "canvas", "heatmap");
        heat.set_id(&format!("{prefix}-heatmap"));
        heat.set_attribute("role", "img")?;
        heat.set_attribute(
            "aria-label",
            &format!("{}: current M and Q", self.loss.label()),
        )?;
        row.append_child(&heat)?;
        section.append_child(&row)?;
        let stats = create(document, "pre", "stats");
        stats.set_id(&format!("{prefix}-stats"));
        stats.set_attribute("aria-live", "polite")?;
        section.append_child(&stats)?;
        let exports = create(document, "div", "exports");
        exports.set_attribute("data-group", "export")?;
        for (what, label) in [("csv", "CSV"), ("json", "JSON"), ("png", "PNG")] {
            let b = create(document, "button", "");
            b.set_attribute("type", "button")?;
            b.set_id(&format!("{prefix}-export-{what}"));
            b.set_text_content(Some(&format!("Export {label}")));
            exports.append_child(&b)?;
        }
        section.append_child(&exports)?;
        container.append_child(&section)?;
        Ok(())
    }

    /// Overlap chart spec: every M_jr, max_j ||M_j|| (bold), off-diagonal Q_jl (dashed), eta
    /// line, weak-recovery marker, theory overlay (dashed black/grey).
    pub fn overlap_spec(&self, eta: f64, axis: TimeAxis) -> ChartSpec {
        let mut spec = overlap_spec(
            "overlaps",
            &self.points,
            eta,
            self.weak_recovery_step,
            axis,
            self.nb(),
        );
        if !self.theory.is_empty() {
            let nb = self.nb();
            let max_m = |pt: &TrajectoryPoint| {
                pt.m.iter()
                    .map(|r| r.iter().map(|x| x * x).sum::<f64>().sqrt())
                    .fold(0.0, f64::max)
            };
            spec.series.push(Series {
                label: "theory: max_j ||M_j||".into(),
                points: self
                    .theory
                    .iter()
                    .map(|pt| (axis.x(pt.step, nb), max_m(pt)))
                    .collect(),
                color: 7,
                dashed: true,
                bold: true,
                markers: Marker::Line,
            });
        }
        spec
    }

    /// Risk chart spec (log y), with the theory risk dashed.
    pub fn risk_spec(&self, axis: TimeAxis) -> ChartSpec {
        let mut spec = risk_spec(&self.points, axis, self.nb());
        if !self.theory.is_empty() {
            spec.series.push(Series {
                label: "theory R".into(),
                points: self
                    .theory
                    .iter()
                    .map(|p| (axis.x(p.step, self.nb()), p.risk))
                    .collect(),
                color: 7,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
        }
        spec
    }

    /// Redraws one part of the panel. The page draws one part per animation frame, so no
    /// frame pays for more than one chart.
    pub fn draw_part(&mut self, part: PanelPart, document: &Document, eta: f64, axis: TimeAxis) {
        let prefix = panel_prefix(self.loss);
        let canvas = |suffix: &str| {
            document
                .get_element_by_id(&format!("{prefix}-{suffix}"))
                .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
        };
        match part {
            PanelPart::Overlaps => {
                if let Some(c) = canvas("overlaps") {
                    match draw_chart(&c, &self.overlap_spec(eta, axis)) {
                        Ok(g) => self.geometry = g,
                        Err(e) => web_sys::console::warn_1(&format!("chart: {e}").into()),
                    }
                }
            }
            PanelPart::Risk => {
                if let Some(c) = canvas("risk") {
                    if let Err(e) = draw_chart(&c, &self.risk_spec(axis)) {
                        web_sys::console::warn_1(&format!("chart: {e}").into());
                    }
                }
            }
            PanelPart::Status => {
                if let (Some(c), Some(last)) = (canvas("heatmap"), self.points.last()) {
                    if let Err(e) = draw_heatmaps(&c, &last.m, &last.q) {
                        web_sys::console::warn_1(&format!("heatmap: {e}").into());
                    }
                }
                self.write_status(document, eta);
            }
        }
    }

    /// Progress bar, samples/s and ETA, and the stats text.
    fn write_status(&self, document: &Document, eta: f64) {
        let prefix = panel_prefix(self.loss);
        let fraction = if self.steps > 0 {
            self.step as f64 / self.steps as f64
        } else {
            0.0
        };
        if let Some(bar) = document.get_element_by_id(&format!("{prefix}-bar")) {
            let _ = bar.set_attribute("style", &format!("width: {:.1}%", 100.0 * fraction));
        }
        if let Some(p) = document.get_element_by_id(&format!("{prefix}-progress")) {
            let _ = p.set_attribute("aria-valuenow", &format!("{:.0}", 100.0 * fraction));
        }
        let eta_text = if self.state.shows_eta() && self.rate > 0.0 {
            let remaining =
                (self.steps - self.step.min(self.steps)) as f64 * self.nb() as f64 / self.rate;
            format!(
                "{} · ETA {}",
                format_rate(self.rate),
                format_duration(remaining)
            )
        } else {
            String::new()
        };
        if let Some(e) = document.get_element_by_id(&format!("{prefix}-eta")) {
            e.set_text_content(Some(&eta_text));
        }
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
            lines.push(format!("risk: {}", s.risk_method));
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
        if let Some(p) = self.points.last() {
            let m =
                p.m.iter()
                    .map(|row| row.iter().map(|x| x * x).sum::<f64>().sqrt())
                    .fold(0.0, f64::max);
            lines.push(format!("max_j ||M_j|| = {m:.4} · risk = {:.4e}", p.risk));
        }
        lines.push(match self.weak_recovery_step {
            Some(t) => format!(
                "weak recovery (max_j ||M_j|| ≥ {eta}) at step {t} = {} samples",
                t as u128 * self.nb() as u128
            ),
            None => format!("weak recovery (max_j ||M_j|| ≥ {eta}) not reached yet"),
        });
        if let Some(note) = &self.theory_note {
            lines.push(format!("theory: {note}"));
        }
        if let Some(e) = document.get_element_by_id(&format!("{prefix}-stats")) {
            e.set_text_content(Some(&lines.join("\n")));
            let _ = e.set_attribute("data-steps", &self.step.to_string());
            let _ = e.set_attribute("data-state", self.state.key());
        }
    }

    /// The hover read-out at a CSS x offset of the overlap chart.
    pub fn readout(&self, css_x: f64, axis: TimeAxis) -> Option<String> {
        let x = self.geometry.x_at(css_x)?;
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
        let m: Vec<String> = best.m.iter().flatten().map(|v| format!("{v:.3}")).collect();
        Some(format!(
            "t = {} ({} samples)\nM = [{}]\nrisk = {:.4e}",
            best.step,
            best.step as u128 * nb as u128,
            m.join(", "),
            best.risk
        ))
    }

    /// CSV of the recorded points (same columns as the CLI's `--csv`).
    pub fn csv(&self) -> String {
        let (p, k) = self.points.first().map_or((1, 1), |pt| {
            (pt.m.len(), pt.m.first().map_or(1, |r| r.len()))
        });
        format!(
            "{}\n{}",
            csv_header(p, k),
            csv_rows_from_points(&self.loss.to_string(), &self.points, self.nb())
        )
    }

    /// JSON of the recorded points and the resolved numbers.
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

/// Overlap chart of recorded points.
pub fn overlap_spec(
    title: &str,
    points: &[TrajectoryPoint],
    eta: f64,
    weak: Option<u64>,
    axis: TimeAxis,
    nb: u64,
) -> ChartSpec {
    let mut series = Vec::new();
    if let Some(first) = points.first() {
        let (p, k) = (first.m.len(), first.m.first().map_or(0, |r| r.len()));
        for j in 0..p {
            for r in 0..k {
                series.push(Series {
                    label: if p * k == 1 {
                        "m = M_11".into()
                    } else {
                        format!("M_{}{}", j + 1, r + 1)
                    },
                    points: points
                        .iter()
                        .map(|pt| (axis.x(pt.step, nb), pt.m[j][r]))
                        .collect(),
                    color: (j * k + r) % 6,
                    dashed: false,
                    bold: p * k == 1,
                    markers: Marker::Line,
                });
            }
        }
        if p * k > 1 {
            series.push(Series {
                label: "max_j ||M_j||".into(),
                points: points
                    .iter()
                    .map(|pt| {
                        (
                            axis.x(pt.step, nb),
                            pt.m.iter()
                                .map(|row| row.iter().map(|x| x * x).sum::<f64>().sqrt())
                                .fold(0.0, f64::max),
                        )
                    })
                    .collect(),
                color: 7,
                dashed: false,
                bold: true,
                markers: Marker::Line,
            });
        }
        for j in 0..p {
            for l in j + 1..p {
                series.push(Series {
                    label: format!("Q_{}{}", j + 1, l + 1),
                    points: points
                        .iter()
                        .map(|pt| (axis.x(pt.step, nb), pt.q[j][l]))
                        .collect(),
                    color: (j + l) % 6,
                    dashed: true,
                    bold: false,
                    markers: Marker::Line,
                });
            }
        }
    }
    ChartSpec {
        title: title.into(),
        x_label: axis.label(),
        log_x: axis.log,
        y_label: "overlap".into(),
        y_range: Some((-1.05, 1.05)),
        horizontal_lines: vec![(eta, format!("η = {eta}"))],
        vertical_marker: weak.map(|t| (axis.x(t, nb), format!("weak recovery, t = {t}"))),
        series,
        ..Default::default()
    }
}

/// Risk chart (log y).
pub fn risk_spec(points: &[TrajectoryPoint], axis: TimeAxis, nb: u64) -> ChartSpec {
    ChartSpec {
        title: "population risk R(t)".into(),
        x_label: axis.label(),
        log_x: axis.log,
        y_label: "risk".into(),
        log_y: true,
        series: vec![Series {
            label: "R".into(),
            points: points
                .iter()
                .map(|p| (axis.x(p.step, nb), p.risk))
                .collect(),
            color: 5,
            dashed: false,
            bold: true,
            markers: Marker::Line,
        }],
        ..Default::default()
    }
}
