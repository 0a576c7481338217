//! The DOM of one protocol's panel: progress bar, rate/ETA line, overlap chart (with a hover
//! and tap read-out), risk chart, M/Q heatmaps, stats text and export buttons. The element
//! handles are created with the panel and kept; everything drawn comes from the pure builders
//! of [`PanelModel`].

use crate::model::Loss;
use crate::simulation::TrajectoryPoint;
use crate::ui::chart_spec::{ChartGeometry, ChartSpec};
use crate::ui::lab::{PanelModel, TimeAxis};
use crate::web::chart::{draw_chart, draw_heatmaps};
use crate::web::dom::{create, set_hidden};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlButtonElement, HtmlCanvasElement};

/// The parts of a panel, drawn one per animation frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelPart {
    /// The M/Q heatmap, progress bar, ETA and stats text.
    Status,
    /// The overlap chart (the largest canvas).
    Overlaps,
    /// The risk chart.
    Risk,
    /// The escape-time distribution (ensembles only).
    Escape,
}

impl PanelPart {
    /// Drawing order within a panel: the stats text first, so the step count and state shown
    /// lag the worker by at most one sweep interval and one frame.
    pub const ALL: [PanelPart; 4] = [
        PanelPart::Status,
        PanelPart::Overlaps,
        PanelPart::Risk,
        PanelPart::Escape,
    ];
}

/// What an export button exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The recorded points as CSV.
    Csv,
    /// Points, theory and resolved numbers as JSON.
    Json,
    /// The charts as PNG.
    Png,
    /// The charts as SVG (vector, for slides and papers).
    Svg,
}

impl Export {
    /// Every export, in button order.
    pub const ALL: [Export; 4] = [Export::Csv, Export::Json, Export::Png, Export::Svg];

    fn id(self) -> &'static str {
        match self {
            Export::Csv => "csv",
            Export::Json => "json",
            Export::Png => "png",
            Export::Svg => "svg",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Export::Csv => "CSV",
            Export::Json => "JSON",
            Export::Png => "PNG",
            Export::Svg => "SVG",
        }
    }
}

/// Element id prefix of a protocol's panel: `panel-mse`, `panel-correlation`, `panel-adaptive`.
pub fn panel_prefix(loss: Loss) -> String {
    format!("panel-{loss}")
}

/// One panel's elements.
pub struct PanelView {
    /// Protocol shown.
    pub loss: Loss,
    bar: Element,
    progress: Element,
    eta: Element,
    /// The overlap chart (hover and tap read-out).
    pub overlaps: HtmlCanvasElement,
    tooltip: Element,
    /// The risk chart.
    pub risk: HtmlCanvasElement,
    heatmap: HtmlCanvasElement,
    /// The row of the risk chart and the heatmap (or the escape times).
    row: Element,
    /// The escape-time chart (shown for ensembles, in place of the heatmap).
    pub escape: HtmlCanvasElement,
    stats: Element,
    /// The export buttons.
    pub exports: Vec<(Export, HtmlButtonElement)>,
    /// Geometry of the last overlap chart (maps the pointer back to a step).
    geometry: ChartGeometry,
}

fn canvas(
    document: &Document,
    class: &str,
    id: String,
    label: String,
) -> Result<HtmlCanvasElement, JsValue> {
    let c = create(document, "canvas", class);
    c.set_id(&id);
    c.set_attribute("role", "img")?;
    c.set_attribute("aria-label", &label)?;
    c.dyn_into::<HtmlCanvasElement>()
        .map_err(|_| JsValue::from_str("a canvas is not an HtmlCanvasElement"))
}

/// Records on a chart canvas the step count of the data it was last drawn from
/// (`data-drawn-steps`): the stats text is drawn a frame or more before the charts, so a test
/// that waits for a step count waits for this attribute before it looks at the pixels.
fn mark_drawn(canvas: &HtmlCanvasElement, panel: &PanelModel) {
    let _ = canvas.set_attribute("data-drawn-steps", &panel.step.to_string());
}

impl PanelView {
    /// Creates the panel's DOM at the end of `container`.
    pub fn create(document: &Document, container: &Element, loss: Loss) -> Result<Self, JsValue> {
        let prefix = panel_prefix(loss);
        let label = loss.label();
        let section = create(document, "section", "panel");
        section.set_id(&prefix);
        section.set_attribute("aria-label", label)?;
        let h2 = create(document, "h2", "");
        h2.set_text_content(Some(label));
        section.append_child(&h2)?;
        let progress = create(document, "div", "progress");
        progress.set_attribute("role", "progressbar")?;
        progress.set_attribute("aria-label", &format!("{label} progress"))?;
        progress.set_id(&format!("{prefix}-progress"));
        let bar = create(document, "div", "bar");
        bar.set_id(&format!("{prefix}-bar"));
        progress.append_child(&bar)?;
        section.append_child(&progress)?;
        let eta = create(document, "div", "eta");
        eta.set_id(&format!("{prefix}-eta"));
        section.append_child(&eta)?;
        let wrap = create(document, "div", "chart-wrap");
        let overlaps = canvas(
            document,
            "chart",
            format!("{prefix}-overlaps"),
            format!("{label}: overlaps over time"),
        )?;
        wrap.append_child(&overlaps)?;
        let tooltip = create(document, "div", "tooltip");
        tooltip.set_id(&format!("{prefix}-tooltip"));
        set_hidden(&tooltip, true);
        wrap.append_child(&tooltip)?;
        section.append_child(&wrap)?;
        let row = create(document, "div", "row");
        let risk = canvas(
            document,
            "chart small",
            format!("{prefix}-risk"),
            format!("{label}: population risk"),
        )?;
        row.append_child(&risk)?;
        let heatmap = canvas(
            document,
            "heatmap",
            format!("{prefix}-heatmap"),
            format!("{label}: current M and Q"),
        )?;
        row.append_child(&heatmap)?;
        let escape = canvas(
            document,
            "chart small",
            format!("{prefix}-escape"),
            format!("{label}: escape times over seeds"),
        )?;
        set_hidden(&escape, true);
        row.append_child(&escape)?;
        section.append_child(&row)?;
        let stats = create(document, "pre", "stats");
        stats.set_id(&format!("{prefix}-stats"));
        stats.set_attribute("aria-live", "polite")?;
        section.append_child(&stats)?;
        let buttons = create(document, "div", "exports");
        buttons.set_attribute("data-group", "export")?;
        let mut exports = Vec::new();
        for what in Export::ALL {
            let b = create(document, "button", "");
            b.set_attribute("type", "button")?;
            b.set_id(&format!("{prefix}-export-{}", what.id()));
            b.set_text_content(Some(&format!("Export {}", what.label())));
            buttons.append_child(&b)?;
            exports.push((
                what,
                b.dyn_into::<HtmlButtonElement>()
                    .map_err(|_| JsValue::from_str("a button is not an HtmlButtonElement"))?,
            ));
        }
        section.append_child(&buttons)?;
        container.append_child(&section)?;
        Ok(PanelView {
            loss,
            bar,
            progress,
            eta,
            overlaps,
            tooltip,
            risk,
            heatmap,
            row,
            escape,
            stats,
            exports,
            geometry: ChartGeometry::default(),
        })
    }

    /// Redraws one part of the panel from `panel`. The page draws one part per animation
    /// frame, so no frame pays for more than one chart.
    pub fn draw_part(&mut self, part: PanelPart, panel: &PanelModel, eta: f64, axis: TimeAxis) {
        match part {
            PanelPart::Overlaps => {
                let spec = panel.overlap_spec(eta, axis);
                // the bands drawn (quartile curves of at least two points), for the tests
                let bands = spec
                    .bands
                    .iter()
                    .filter(|b| b.lower.len().min(b.upper.len()) >= 2)
                    .count();
                let _ = self
                    .overlaps
                    .set_attribute("data-bands", &bands.to_string());
                match draw_chart(&self.overlaps, &spec) {
                    Ok(g) => {
                        self.geometry = g;
                        mark_drawn(&self.overlaps, panel);
                    }
                    Err(e) => web_sys::console::warn_1(&format!("chart: {e}").into()),
                }
            }
            PanelPart::Risk => match draw_chart(&self.risk, &panel.risk_spec(axis)) {
                Ok(_) => mark_drawn(&self.risk, panel),
                Err(e) => web_sys::console::warn_1(&format!("chart: {e}").into()),
            },
            PanelPart::Escape => {
                if panel.is_ensemble() {
                    if let Err(e) = draw_chart(&self.escape, &panel.escape_spec(eta, axis)) {
                        web_sys::console::warn_1(&format!("chart: {e}").into());
                    }
                }
            }
            PanelPart::Status => {
                let ensemble = panel.is_ensemble();
                set_hidden(&self.heatmap, ensemble);
                set_hidden(&self.escape, !ensemble);
                let class = if ensemble { "row ensemble" } else { "row" };
                if self.row.class_name() != class {
                    self.row.set_class_name(class);
                }
                if let (false, Some(last)) = (ensemble, panel.points.last()) {
                    if let Err(e) = draw_heatmaps(&self.heatmap, &last.m, &last.q) {
                        web_sys::console::warn_1(&format!("heatmap: {e}").into());
                    }
                }
                self.write_status(panel, eta);
            }
        }
    }

    /// Progress bar, rate and ETA, and the stats text (with the run's state and step count as
    /// `data-state` / `data-steps`).
    fn write_status(&self, panel: &PanelModel, eta: f64) {
        let percent = 100.0 * panel.progress();
        let _ = self
            .bar
            .set_attribute("style", &format!("width: {percent:.1}%"));
        let _ = self
            .progress
            .set_attribute("aria-valuenow", &format!("{percent:.0}"));
        self.eta.set_text_content(Some(&panel.rate_text()));
        self.stats
            .set_text_content(Some(&panel.stats_lines(eta).join("\n")));
        let _ = self
            .stats
            .set_attribute("data-steps", &panel.step.to_string());
        let _ = self.stats.set_attribute("data-state", panel.state.key());
    }

    /// The panel's charts as (name, spec, CSS width, CSS height): overlaps and risk, and the
    /// escape times of an ensemble (what the PNG and SVG exports hold).
    pub fn charts(
        &self,
        panel: &PanelModel,
        eta: f64,
        axis: TimeAxis,
    ) -> Vec<(&'static str, ChartSpec, u32, u32)> {
        let size = |c: &HtmlCanvasElement| {
            let w = c.client_width().max(320) as u32;
            let h = c.client_height().max(200) as u32;
            (w, h)
        };
        let mut out = vec![
            (
                "overlaps",
                panel.overlap_spec(eta, axis),
                size(&self.overlaps),
            ),
            ("risk", panel.risk_spec(axis), size(&self.risk)),
        ];
        if panel.is_ensemble() {
            out.push(("escape", panel.escape_spec(eta, axis), size(&self.escape)));
        }
        out.into_iter()
            .map(|(name, spec, (w, h))| (name, spec, w, h))
            .collect()
    }

    /// The canvases of [`PanelView::charts`], by name.
    pub fn canvas_of(&self, name: &str) -> &HtmlCanvasElement {
        match name {
            "risk" => &self.risk,
            "escape" => &self.escape,
            _ => &self.overlaps,
        }
    }

    /// Shows the read-out of the point under CSS x offset `x` of the overlap chart, or hides
    /// it (`None`, or outside the plot).
    pub fn show_readout(&self, panel: &PanelModel, x: Option<f64>, axis: TimeAxis) {
        let text = x.and_then(|x| {
            let data_x = self.geometry.x_at(x)?;
            Some((x, panel.readout_at(data_x, axis)?))
        });
        match text {
            Some((x, text)) => {
                self.tooltip.set_text_content(Some(&text));
                let _ = self
                    .tooltip
                    .set_attribute("style", &format!("left: {:.0}px", x + 12.0));
                set_hidden(&self.tooltip, false);
            }
            None => set_hidden(&self.tooltip, true),
        }
    }
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
    let mut panel = PanelModel::new(0, Loss::Mse);
    panel.points = [(1, 0.03, 1.0), (10, 0.2, 0.8), (100, 0.9, 0.1)]
        .into_iter()
        .map(|(step, m, risk)| TrajectoryPoint {
            step,
            m: vec![vec![m]],
            q: vec![vec![1.0]],
            a: None,
            r: None,
            risk,
        })
        .collect();
    panel.weak_recovery_step = Some(100);
    let result = match part {
        PanelPart::Overlaps => draw_chart(&canvas, &panel.overlap_spec(eta, axis)).map(|_| ()),
        PanelPart::Risk => draw_chart(&canvas, &panel.risk_spec(axis)).map(|_| ()),
        PanelPart::Status => draw_heatmaps(&canvas, &[vec![0.5]], &[vec![1.0]]),
        PanelPart::Escape => draw_chart(&canvas, &panel.escape_spec(eta, axis)).map(|_| ()),
    };
    if let Err(e) = result {
        web_sys::console::warn_1(&format!("chart warm-up: {e}").into());
    }
}
