//! The lab page: controls, the MSE vs correlation-loss panels, live charts.
//!
//! The page never simulates: it validates the controls into [`RunConfig`]s, sends them to the
//! worker ([`WorkerClient`]) and draws the points the worker streams back. Redraws are
//! coalesced with `requestAnimationFrame`.

use super::chart::{draw_chart, ChartSpec, Series};
use super::worker_client::{WorkerClient, WORKER_SCRIPT};
use crate::config::scaling::LearningRate;
use crate::config::{ConfigError, RunConfig};
use crate::model::{target_information_exponent, Loss, Target};
use crate::protocol::{FromWorker, RunId, RunSummary, ToWorker};
use crate::sampler::SamplerChoice;
use crate::simulation::TrajectoryPoint;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement,
};

/// The protocols compared side by side, with their panel element ids.
pub const PANELS: [(Loss, &str); 2] = [
    (Loss::Mse, "panel-mse"),
    (Loss::Correlation, "panel-correlation"),
];

/// Form fields: (input id, config field name used in error messages).
const FIELDS: [(&str, &str); 9] = [
    ("target", "target"),
    ("d", "d"),
    ("nb", "nb"),
    ("gamma", "gamma"),
    ("c", "lr.c"),
    ("steps", "steps"),
    ("seed", "seed"),
    ("sampler", "sampler"),
    ("noise", "noise"),
];

struct Panel {
    id: RunId,
    loss: Loss,
    element: String,
    points: Vec<TrajectoryPoint>,
    summary: Option<RunSummary>,
    state: String,
    step: u64,
    steps: u64,
    rate: f64,
    weak_recovery_step: Option<u64>,
}

/// How the time axis is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    /// Logarithmic axis.
    pub log: bool,
    /// Samples t n_b instead of steps t.
    pub samples: bool,
}

impl TimeAxis {
    fn x(&self, step: u64, nb: u64) -> f64 {
        if self.samples {
            step as f64 * nb as f64
        } else {
            step as f64
        }
    }

    fn label(&self) -> String {
        let unit = if self.samples {
            "samples t n_b"
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

fn time_axis(document: &Document) -> TimeAxis {
    let checked = |id: &str| {
        document
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.checked())
            .unwrap_or(false)
    };
    TimeAxis {
        log: checked("log-time"),
        samples: input_value(document, "time-unit") == "samples",
    }
}

struct App {
    document: Document,
    client: Option<WorkerClient>,
    generation: u32,
    panels: Vec<Panel>,
    paused: bool,
    redraw_pending: bool,
    eta: f64,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

fn element(document: &Document, id: &str) -> Result<Element, JsValue> {
    document
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("missing element #{id}")))
}

fn input_value(document: &Document, id: &str) -> String {
    document
        .get_element_by_id(id)
        .and_then(|e| {
            e.dyn_ref::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| e.dyn_ref::<HtmlSelectElement>().map(|s| s.value()))
        })
        .unwrap_or_default()
}

fn set_text(document: &Document, id: &str, text: &str) {
    if let Some(e) = document.get_element_by_id(id) {
        e.set_text_content(Some(text));
    }
}

fn parse_number(field: &str, text: &str) -> Result<f64, ConfigError> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| ConfigError::new(field, format!("'{}' is not a number", text.trim())))
}

/// Reads the form into the base config (loss set per panel later). Errors name the field.
fn read_form(document: &Document) -> Result<RunConfig, ConfigError> {
    let mut c = RunConfig::default();
    c.target = input_value(document, "target")
        .parse::<Target>()
        .map_err(|e| ConfigError::new("target", e.to_string()))?;
    let d = parse_number("d", &input_value(document, "d"))?;
    if d.fract() != 0.0 || d < 0.0 {
        return Err(ConfigError::new("d", "must be a whole number"));
    }
    c.d = d as u64;
    let nb = input_value(document, "nb");
    c.nb = if nb.trim().is_empty() {
        None
    } else {
        Some(parse_number("nb", &nb)?)
    };
    let gamma = input_value(document, "gamma");
    if gamma.trim().is_empty() {
        c.lr = Some(LearningRate::Authors {
            c: parse_number("lr.c", &input_value(document, "c"))?,
        });
    } else {
        c.gamma = Some(parse_number("gamma", &gamma)?);
    }
    let steps = parse_number("steps", &input_value(document, "steps"))?;
    if steps.fract() != 0.0 || steps < 0.0 {
        return Err(ConfigError::new("steps", "must be a whole number"));
    }
    c.steps = steps as u64;
    let seed = input_value(document, "seed");
    c.seed = seed.trim().parse::<u64>().map_err(|_| {
        ConfigError::new(
            "seed",
            format!("must be a whole number in [0, {}]", u64::MAX),
        )
    })?;
    c.noise = parse_number("noise", &input_value(document, "noise"))?;
    c.sampler = match input_value(document, "sampler").as_str() {
        "exact" => SamplerChoice::Exact,
        "full" => SamplerChoice::Full,
        "clt" => SamplerChoice::Clt,
        _ => SamplerChoice::Auto,
    };
    Ok(c)
}

/// Validates the form for every panel's protocol; shows inline messages; returns the configs.
fn validate(document: &Document) -> Option<Vec<(RunId, RunConfig)>> {
    for (id, _) in FIELDS {
        set_text(document, &format!("{id}-error"), "");
    }
    let show = |e: &ConfigError| {
        let id = FIELDS
            .iter()
            .find(|(_, f)| e.field.starts_with(f))
            .map(|(id, _)| *id)
            .unwrap_or("form");
        set_text(document, &format!("{id}-error"), &e.message);
    };
    let base = match read_form(document) {
        Ok(c) => c,
        Err(e) => {
            show(&e);
            return None;
        }
    };
    if let Ok(target) = input_value(document, "target").parse::<Target>() {
        let l = target_information_exponent(&target, 1)
            .map(|l| l.to_string())
            .unwrap_or("?".into());
        set_text(
            document,
            "information-exponent",
            &format!("information exponent l = {l}"),
        );
    }
    let mut runs = Vec::new();
    for (i, (loss, _)) in PANELS.iter().enumerate() {
        let config = RunConfig {
            loss: *loss,
            ..base.clone()
        };
        if let Err(e) = config.resolve() {
            show(&e);
            return None;
        }
        runs.push((i as RunId, config));
    }
    Some(runs)
}

fn update_buttons(app: &App, valid: bool) {
    if let Some(b) = app.document.get_element_by_id("start") {
        let _ = if valid {
            b.remove_attribute("disabled")
        } else {
            b.set_attribute("disabled", "")
        };
    }
    set_text(
        &app.document,
        "pause",
        if app.paused { "Resume" } else { "Pause" },
    );
}

fn start_runs(app: &mut App) {
    let Some(runs) = validate(&app.document) else {
        update_buttons(app, false);
        return;
    };
    app.generation += 1;
    app.paused = false;
    app.eta = runs[0].1.eta;
    for panel in &mut app.panels {
        panel.points.clear();
        panel.summary = None;
        panel.state = "starting".into();
        panel.weak_recovery_step = None;
        panel.step = 0;
    }
    if let Some(client) = &app.client {
        client.send(ToWorker::Start {
            generation: app.generation,
            runs,
        });
    }
    update_buttons(app, true);
    request_redraw(app);
}

fn on_worker_message(message: FromWorker) {
    with_app(|app| {
        let generation = app.generation;
        match message {
            FromWorker::Ready => set_text(&app.document, "status", "worker ready"),
            FromWorker::Started {
                generation: g,
                run,
                summary,
            } if g == generation => {
                if let Some(p) = app.panels.iter_mut().find(|p| p.id == run) {
                    p.summary = Some(summary);
                    p.state = "running".into();
                }
            }
            FromWorker::Progress {
                generation: g,
                run,
                points,
                step,
                steps,
                samples_per_second,
                weak_recovery_step,
            } if g == generation => {
                if let Some(p) = app.panels.iter_mut().find(|p| p.id == run) {
                    p.points.extend(points);
                    p.step = step;
                    p.steps = steps;
                    if samples_per_second > 0.0 {
                        p.rate = samples_per_second;
                    }
                    p.weak_recovery_step = weak_recovery_step;
                }
                request_redraw(app);
            }
            FromWorker::Finished { generation: g, run } if g == generation => {
                if let Some(p) = app.panels.iter_mut().find(|p| p.id == run) {
                    p.state = "finished".into();
                }
                request_redraw(app);
            }
            FromWorker::Diverged {
                generation: g,
                run,
                message,
            } if g == generation => {
                if let Some(p) = app.panels.iter_mut().find(|p| p.id == run) {
                    p.state = format!("diverged at {message}");
                }
                request_redraw(app);
            }
            FromWorker::Invalid {
                generation: g,
                run,
                message,
            } if g == generation => {
                if let Some(p) = app.panels.iter_mut().find(|p| p.id == run) {
                    p.state = format!("invalid: {message}");
                }
                request_redraw(app);
            }
            FromWorker::Paused => {
                app.paused = true;
                update_buttons(app, true);
            }
            _ => {}
        }
    });
}

fn request_redraw(app: &mut App) {
    if app.redraw_pending {
        return;
    }
    app.redraw_pending = true;
    let callback = Closure::once_into_js(|| {
        with_app(|app| {
            app.redraw_pending = false;
            redraw(app);
        });
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(callback.unchecked_ref());
    }
}

fn format_rate(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.1} M samples/s", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1} k samples/s", rate / 1e3)
    } else {
        format!("{rate:.0} samples/s")
    }
}

/// Overlap chart: every M_jr, max_j ||M_j|| (bold), off-diagonal Q_jl (dashed), eta line.
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
        horizontal_lines: vec![(eta, format!("eta = {eta}"))],
        vertical_marker: weak.map(|t| (axis.x(t, nb), format!("weak recovery, t = {t}"))),
        series,
        ..Default::default()
    }
}

/// Risk chart, log y.
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
        }],
        ..Default::default()
    }
}

fn redraw(app: &mut App) {
    let axis = time_axis(&app.document);
    for panel in &app.panels {
        let title = panel.loss.label();
        let nb = panel.summary.as_ref().map_or(1, |s| s.nb);
        if let Some(canvas) = app
            .document
            .get_element_by_id(&format!("{}-overlaps", panel.element))
            .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
        {
            if let Err(e) = draw_chart(
                &canvas,
                &overlap_spec(
                    title,
                    &panel.points,
                    app.eta,
                    panel.weak_recovery_step,
                    axis,
                    nb,
                ),
            ) {
                web_sys::console::warn_1(&format!("chart: {e}").into());
            }
        }
        if let Some(canvas) = app
            .document
            .get_element_by_id(&format!("{}-risk", panel.element))
            .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
        {
            if let Err(e) = draw_chart(&canvas, &risk_spec(&panel.points, axis, nb)) {
                web_sys::console::warn_1(&format!("chart: {e}").into());
            }
        }
        let last = panel.points.last();
        let mut lines = vec![format!(
            "{} · step {} / {}",
            panel.state, panel.step, panel.steps
        )];
        if let Some(s) = &panel.summary {
            lines.push(format!(
                "n_b = {} · gamma = {:.4e} · mu = {:.3} · delta = {:.3} · sampler: {}",
                s.nb, s.gamma, s.mu, s.delta, s.sampler
            ));
        }
        if let Some(p) = last {
            let m: f64 =
                p.m.iter()
                    .map(|row| row.iter().map(|x| x * x).sum::<f64>().sqrt())
                    .fold(0.0, f64::max);
            lines.push(format!(
                "max_j ||M_j|| = {m:.4} · risk = {:.4e} · {}",
                p.risk,
                format_rate(panel.rate)
            ));
        }
        lines.push(match panel.weak_recovery_step {
            Some(t) => format!("weak recovery (max_j ||M_j|| >= {}) at step {t}", app.eta),
            None => format!(
                "weak recovery (max_j ||M_j|| >= {}) not reached yet",
                app.eta
            ),
        });
        set_text(
            &app.document,
            &format!("{}-stats", panel.element),
            &lines.join("\n"),
        );
        if let Some(e) = app
            .document
            .get_element_by_id(&format!("{}-stats", panel.element))
        {
            let _ = e.set_attribute("data-steps", &panel.step.to_string());
        }
    }
}

fn listen(
    document: &Document,
    id: &str,
    event: &str,
    handler: impl FnMut() + 'static,
) -> Result<(), JsValue> {
    let mut handler = handler;
    let closure = Closure::<dyn FnMut()>::new(move || handler());
    element(document, id)?
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return (js_sys::Math::random() * 9.0e15) as u64;
    }
    // keep seeds below 2^53 so they survive every JSON consumer
    u64::from_le_bytes(bytes) >> 11
}

/// Entry point of the app binary.
pub fn start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let panels = PANELS
        .iter()
        .enumerate()
        .map(|(i, (loss, element))| Panel {
            id: i as RunId,
            loss: *loss,
            element: element.to_string(),
            points: Vec::new(),
            summary: None,
            state: "idle".into(),
            step: 0,
            steps: 0,
            rate: 0.0,
            weak_recovery_step: None,
        })
        .collect();
    let client = WorkerClient::spawn(WORKER_SCRIPT, on_worker_message, |message| {
        with_app(|app| set_text(&app.document, "status", &message));
    })?;
    APP.with(|a| {
        *a.borrow_mut() = Some(App {
            document: document.clone(),
            client: Some(client),
            generation: 0,
            panels,
            paused: false,
            redraw_pending: false,
            eta: 0.5,
        })
    });
    listen(&document, "start", "click", || {
        with_app(start_runs);
    })?;
    listen(&document, "pause", "click", || {
        with_app(|app| {
            if let Some(c) = &app.client {
                if app.paused {
                    c.send(ToWorker::Resume);
                    app.paused = false;
                } else {
                    c.send(ToWorker::Pause);
                    app.paused = true;
                }
            }
            update_buttons(app, true);
        });
    })?;
    listen(&document, "step", "click", || {
        with_app(|app| {
            if let Some(c) = &app.client {
                c.send(ToWorker::Step);
            }
        });
    })?;
    listen(&document, "reset", "click", || {
        with_app(|app| {
            if let Some(c) = &app.client {
                c.send(ToWorker::Reset);
            }
            app.generation += 1;
            for p in &mut app.panels {
                p.points.clear();
                p.state = "idle".into();
                p.step = 0;
                p.weak_recovery_step = None;
            }
            request_redraw(app);
        });
    })?;
    listen(&document, "new-seed", "click", move || {
        with_app(|app| {
            if let Some(e) = app
                .document
                .get_element_by_id("seed")
                .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            {
                e.set_value(&random_seed().to_string());
            }
            let valid = validate(&app.document).is_some();
            update_buttons(app, valid);
        });
    })?;
    for (id, _) in FIELDS {
        listen(&document, id, "input", || {
            with_app(|app| {
                let valid = validate(&app.document).is_some();
                update_buttons(app, valid);
            });
        })?;
    }
    for id in ["log-time", "time-unit"] {
        listen(&document, id, "change", || {
            with_app(request_redraw);
        })?;
    }
    let resize = Closure::<dyn FnMut()>::new(|| {
        with_app(request_redraw);
    });
    web_sys::window()
        .ok_or("no window")?
        .add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref())?;
    resize.forget();
    if let Some(e) = document
        .get_element_by_id("app-root")
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        e.set_class_name("loaded");
    }
    // start the default run at once: the page opens on live SGD
    with_app(start_runs);
    Ok(())
}
