//! The batch-size explorer's web shell, over the DOM-free model of [`crate::ui::explorer`]:
//! weak-recovery time and sample cost against μ = log_d n_b, measured by sweeps on a pool of
//! Web Workers and drawn over the paper's phase diagram (Fig. 1); in its d-scaling mode, T
//! against d at one μ with the fitted exponent next to the paper's (the form's `data-mode`
//! attribute shows the fields of the mode chosen).
//!
//! The form is read into an [`ExplorerForm`] and validated into a sweep config by the same
//! code as `sgdlab sweep`; the jobs are farmed to a pool of Web Workers (by default
//! `hardwareConcurrency - 1`, at least one; the "Web Workers" field sets it, 1 to
//! [`MAX_WORKERS`]), results stream into the plots, and Cancel terminates the workers. The
//! sweep config lives in the URL hash (`view=explorer&sweep=...`).

mod elements;
mod exports;

use crate::config::RunConfig;
use crate::protocol::FromWorker;
use crate::sweep::SweepConfig;
use crate::sweep::SweepPoint;
use crate::ui::chart_spec::ChartGeometry;
use crate::ui::explorer::form::D_SCALING_MODE;
use crate::ui::explorer::{
    compare_state, default_pool_size, explorer_charts, form::link_warnings, point_at,
    point_readout, position, update, ExplorerEffect, ExplorerForm, ExplorerMessage, ExplorerModel,
    SweepChart, COMPACT_LEGEND_BELOW_PX,
};
use crate::web::chart::draw_chart;
use crate::web::dom::{now_ms, set_hidden};
use crate::web::worker_client::{WorkerClient, WORKER_SCRIPT};
use elements::ExplorerElements;
use gloo_events::EventListener;
use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::Document;

pub use crate::ui::explorer::{mu_grid, MAX_WORKERS};

/// The explorer: its model, elements, worker pool and listeners.
struct Explorer {
    model: ExplorerModel,
    ui: ExplorerElements,
    /// The pool (None: a worker that could not be spawned).
    pool: Vec<Option<WorkerClient>>,
    /// The pending redraw frame.
    frame: Option<AnimationFrame>,
    /// Where the last θ and samples charts landed (for the point read-out).
    geometry: [ChartGeometry; 2],
    _listeners: Vec<EventListener>,
}

thread_local! {
    static EXPLORER: RefCell<Option<Explorer>> = const { RefCell::new(None) };
}

fn with<R>(f: impl FnOnce(&mut Explorer) -> R) -> Option<R> {
    EXPLORER.with(|e| e.try_borrow_mut().ok()?.as_mut().map(f))
}

fn dispatch(message: ExplorerMessage) {
    with(|ex| ex.dispatch(message));
}

/// Reads the form and dispatches the message built from it.
fn dispatch_with_form(message: impl FnOnce(ExplorerForm) -> ExplorerMessage) {
    with(|ex| {
        let form = ex.ui.controls.read();
        ex.show_mode(&form.mode);
        ex.dispatch(message(form));
    });
}

impl Explorer {
    /// Shows the fields of `mode` (`d`: the d-scaling fields; else the μ grid and d): the
    /// form's `data-mode` attribute, which the style sheet follows.
    fn show_mode(&self, mode: &str) {
        let d_scaling = mode == D_SCALING_MODE;
        let _ = self
            .ui
            .form
            .set_attribute("data-mode", if d_scaling { "d" } else { "mu" });
    }

    fn dispatch(&mut self, message: ExplorerMessage) {
        for effect in update(&mut self.model, message) {
            self.run(effect);
        }
        self.ui
            .status
            .set_text_content(Some(&self.model.state.text()));
    }

    fn run(&mut self, effect: ExplorerEffect) {
        match effect {
            ExplorerEffect::ShowValidation(Ok(summary)) => {
                self.ui.error.set_text_content(Some(""));
                self.ui.summary.set_text_content(Some(&summary));
                let _ = self.ui.run.remove_attribute("disabled");
            }
            ExplorerEffect::ShowValidation(Err(message)) => {
                self.ui.error.set_text_content(Some(&message));
                self.ui.summary.set_text_content(Some(""));
                let _ = self.ui.run.set_attribute("disabled", "");
            }
            ExplorerEffect::StartPool {
                workers,
                generation,
            } => {
                // dropping a client terminates its worker
                self.pool.clear();
                self.pool = (0..workers)
                    .map(|i| spawn_pool_worker(i, generation))
                    .collect();
            }
            ExplorerEffect::Respawn { worker } => {
                if worker < self.pool.len() {
                    self.pool[worker] = spawn_pool_worker(worker, self.model.generation);
                }
            }
            ExplorerEffect::Send { worker, message } => {
                if let Some(Some(client)) = self.pool.get(worker) {
                    client.send(message);
                }
            }
            ExplorerEffect::StopPool => self.pool.clear(),
            ExplorerEffect::WriteHash(hash) => {
                if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{hash}")));
                }
            }
            ExplorerEffect::WriteForm(form) => {
                self.ui.controls.write(&form);
                self.show_mode(&form.mode);
            }
            ExplorerEffect::ShowError(message) => self.ui.error.set_text_content(Some(&message)),
            ExplorerEffect::Redraw => {
                if self.frame.is_none() {
                    self.frame = Some(request_animation_frame(|_| {
                        with(|ex| {
                            ex.frame = None;
                            ex.redraw();
                        });
                    }));
                }
            }
        }
    }

    /// Progress, the θ and samples charts with the theory of the chosen l, the note, and the
    /// failed jobs.
    fn redraw(&mut self) {
        let (model, ui) = (&self.model, &self.ui);
        let Some(config) = model.shown_config() else {
            return;
        };
        let now = now_ms();
        let (done, total) = (model.done(), model.jobs.len().max(1));
        let _ = ui.bar.set_attribute(
            "style",
            &format!("width: {:.1}%", 100.0 * done as f64 / total as f64),
        );
        ui.progress_text
            .set_text_content(Some(&model.progress_text(now)));
        // on narrow screens the legend keeps the measurements only; the note explains the theory
        let compact = ui.theta.client_width() < COMPACT_LEGEND_BELOW_PX;
        let charts = explorer_charts(config, &model.sorted_points(), compact);
        if let Some(note) = &charts.note {
            ui.note.set_text_content(Some(note));
        }
        let mut geometry = self.geometry;
        for (i, (canvas, spec)) in [(&ui.theta, &charts.theta), (&ui.samples, &charts.samples)]
            .into_iter()
            .enumerate()
        {
            let _ = canvas.set_attribute("aria-label", &spec.title);
            // the legend's entries, one a line (the canvas draws them; tests read them here)
            let legend: Vec<&str> = spec
                .series
                .iter()
                .map(|s| s.label.as_str())
                .chain(spec.bands.iter().map(|b| b.label.as_str()))
                .filter(|label| !label.is_empty())
                .collect();
            let _ = canvas.set_attribute("data-legend", &legend.join("\n"));
            match draw_chart(canvas, spec) {
                Ok(g) => geometry[i] = g,
                Err(e) => web_sys::console::warn_1(&format!("explorer chart: {e}").into()),
            }
        }
        let e = &ui.progress_text;
        let _ = e.set_attribute("data-done", &done.to_string());
        let _ = e.set_attribute("data-total", &total.to_string());
        let elapsed = format!("{:.0}", model.elapsed_ms(now));
        let _ = e.set_attribute("data-elapsed-ms", &elapsed);
        let _ = e.set_attribute("data-samples", &model.samples_drawn().to_string());
        if !model.errors.is_empty() {
            ui.error.set_text_content(Some(&model.errors.join("\n")));
        }
        self.geometry = geometry;
        // test hook: where the first measured point is drawn (CSS px), for the e2e read-out test
        let first = model.points_by_job().into_iter().next();
        for (i, (chart, canvas)) in [
            (SweepChart::Theta, &ui.theta),
            (SweepChart::Samples, &ui.samples),
        ]
        .into_iter()
        .enumerate()
        {
            let css = first.as_ref().and_then(|(_, p)| {
                let (x, y) = position(chart, p, config)?;
                geometry[i].css_of(x, y)
            });
            if let Some((x, y)) = css {
                let _ = canvas.set_attribute("data-first-point", &format!("{x:.1},{y:.1}"));
            }
        }
    }

    /// The measured point under CSS offset (x, y) of `chart`, with its job.
    fn point_under(&self, chart: SweepChart, x: f64, y: f64) -> Option<(RunConfig, SweepPoint)> {
        let config = self.model.config.as_ref()?;
        let points = self.model.points_by_job();
        let just_points: Vec<SweepPoint> = points.iter().map(|(_, p)| p.clone()).collect();
        let geometry = &self.geometry[chart as usize];
        let i = point_at(chart, &just_points, config, geometry, x, y)?;
        let (job, point) = &points[i];
        Some((self.model.jobs.get(*job as usize)?.clone(), point.clone()))
    }

    /// Shows the read-out of the point under (x, y) of `chart` next to it, or hides it.
    fn show_readout(&self, chart: SweepChart, x: f64, y: f64) {
        let canvas = match chart {
            SweepChart::Theta => &self.ui.theta,
            SweepChart::Samples => &self.ui.samples,
        };
        match self.point_under(chart, x, y) {
            Some((_, point)) => {
                let Some(config) = self.model.config.as_ref() else {
                    return;
                };
                self.ui
                    .tooltip
                    .set_text_content(Some(&point_readout(&point, config)));
                let (left, top) = (
                    canvas.offset_left() as f64 + x + 14.0,
                    canvas.offset_top() as f64 + y + 8.0,
                );
                let _ = self
                    .ui
                    .tooltip
                    .set_attribute("style", &format!("left: {left:.0}px; top: {top:.0}px"));
                set_hidden(&self.ui.tooltip, false);
            }
            None => set_hidden(&self.ui.tooltip, true),
        }
    }

    /// Opens the run of the point under (x, y) of `chart` in the Compare view (through the
    /// URL hash, which the lab page follows).
    fn open_in_compare(&self, chart: SweepChart, x: f64, y: f64) {
        let (Some(config), Some((job, point))) =
            (&self.model.config, self.point_under(chart, x, y))
        else {
            return;
        };
        let hash = compare_state(config, &job, &point).to_hash();
        if let Some(location) = web_sys::window().map(|w| w.location()) {
            let _ = location.set_hash(&hash);
        }
    }
}

fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a page has a document")
}

fn cores() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(2.0) as usize
}

/// Spawns pool worker `index` for sweep `generation`; its messages become
/// [`ExplorerMessage`]s.
fn spawn_pool_worker(index: usize, generation: u32) -> Option<WorkerClient> {
    let client = WorkerClient::spawn(
        WORKER_SCRIPT,
        move |message| {
            let now_ms = now_ms();
            match message {
                FromWorker::JobDone { job, point, .. } => dispatch(ExplorerMessage::JobDone {
                    worker: index,
                    generation,
                    job,
                    point,
                    now_ms,
                }),
                FromWorker::Crashed { message } => dispatch(ExplorerMessage::Crashed {
                    worker: index,
                    generation,
                    message,
                    now_ms,
                }),
                _ => {}
            }
        },
        |e| dispatch(ExplorerMessage::WorkerFailed(e)),
    );
    match client {
        Ok(w) => Some(w),
        Err(e) => {
            web_sys::console::error_1(&e);
            None
        }
    }
}

/// The pointer's CSS offset in the canvas of an event.
fn offset(event: &web_sys::Event) -> Option<(f64, f64)> {
    use wasm_bindgen::JsCast;
    let e = event.dyn_ref::<web_sys::MouseEvent>()?;
    Some((e.offset_x() as f64, e.offset_y() as f64))
}

/// Hover and tap read-out, and click to open, on both charts.
fn chart_listeners(ui: &ExplorerElements) -> Vec<EventListener> {
    let mut out = Vec::new();
    for (chart, canvas) in [
        (SweepChart::Theta, &ui.theta),
        (SweepChart::Samples, &ui.samples),
    ] {
        for event in ["mousemove", "pointerdown"] {
            out.push(EventListener::new(canvas, event, move |e| {
                if let Some((x, y)) = offset(e) {
                    with(|ex| ex.show_readout(chart, x, y));
                }
            }));
        }
        out.push(EventListener::new(canvas, "mouseleave", |_| {
            with(|ex| set_hidden(&ex.ui.tooltip, true));
        }));
        out.push(EventListener::new(canvas, "click", move |e| {
            if let Some((x, y)) = offset(e) {
                with(|ex| ex.open_in_compare(chart, x, y));
            }
        }));
    }
    out
}

fn listeners(ui: &ExplorerElements) -> Vec<EventListener> {
    let mut listeners = chart_listeners(ui);
    listeners.extend([
        EventListener::new(&ui.run, "click", |_| {
            dispatch_with_form(|form| ExplorerMessage::Run(form, now_ms()))
        }),
        EventListener::new(&ui.cancel, "click", |_| dispatch(ExplorerMessage::Cancel)),
        EventListener::new(&ui.form, "input", |_| {
            dispatch_with_form(ExplorerMessage::Edited)
        }),
        EventListener::new(&ui.export_csv, "click", |_| {
            with(|ex| ex.export_csv());
        }),
        EventListener::new(&ui.export_png, "click", |_| {
            with(|ex| ex.export_charts(false));
        }),
        EventListener::new(&ui.export_svg, "click", |_| {
            with(|ex| ex.export_charts(true));
        }),
        EventListener::new(&ui.export_json, "click", |_| {
            with(|ex| ex.export_json());
        }),
        EventListener::new(&ui.load, "change", |_| {
            let Some(file) = with(|ex| ex.ui.load.files().and_then(|f| f.get(0))).flatten() else {
                return;
            };
            let name = file.name();
            wasm_bindgen_futures::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                match text {
                    Some(text) => dispatch(ExplorerMessage::Loaded {
                        text,
                        source: format!("{} (loaded)", crate::config::json::cut(&name)),
                        only_if_form_matches: None,
                    }),
                    None => with(|ex| {
                        ex.ui
                            .error
                            .set_text_content(Some(&format!("could not read {name}")))
                    })
                    .unwrap_or_default(),
                }
            });
        }),
    ]);
    listeners
}

/// Installs the explorer; `sweep_json` is the `sweep=` URL parameter, if any (a bad one is
/// reported by name and ignored).
pub fn install(document: &Document, sweep_json: Option<&str>) -> Result<(), JsValue> {
    let ui = ExplorerElements::resolve(document)?;
    let mut model = ExplorerModel::default();
    let mut url_error = None;
    if let Some(json) = sweep_json {
        match SweepConfig::from_json(json) {
            Ok(config) => {
                ui.controls.write(&ExplorerForm::from_config(&config));
                // what the form shows for the link, as read back from the controls
                if let Ok(shown) = ui.controls.read().to_json() {
                    model.form_base = Some((config.clone(), shown));
                }
                url_error = link_warnings(&config);
            }
            Err(e) => url_error = Some(format!("URL parameter sweep: {e} — ignored")),
        }
    }
    let pool = default_pool_size(cores());
    ui.controls.workers.set_value(&pool.to_string());
    ui.workers_hint.set_text_content(Some(&format!(
        "this device reports {} cores; default {pool}",
        cores()
    )));
    let listeners = listeners(&ui);
    EXPLORER.with(|e| {
        *e.borrow_mut() = Some(Explorer {
            model,
            ui,
            pool: Vec::new(),
            frame: None,
            geometry: [ChartGeometry::default(); 2],
            _listeners: listeners,
        })
    });
    dispatch_with_form(ExplorerMessage::Edited);
    if let Some(message) = url_error {
        with(|ex| ex.ui.error.set_text_content(Some(&message)));
    }
    Ok(())
}

thread_local! {
    /// The precomputed sweep was requested (once per page).
    static PRECOMPUTED_REQUESTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The explorer's tab is shown: the first time, fetch the precomputed sweep, shown at once
/// when the form holds its settings (the default form, or a link to that sweep). Not at
/// install, so the comparison view's main thread never parses or draws it.
pub fn shown() {
    if PRECOMPUTED_REQUESTED.with(|r| r.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        let Some(text) = fetch_text(PRECOMPUTED_SWEEP).await else {
            return;
        };
        dispatch_with_form(|form| ExplorerMessage::Loaded {
            text,
            source: "the precomputed sweep (sgdlab sweep, make explorer-data)".into(),
            only_if_form_matches: Some(form),
        });
    });
}

/// The precomputed sweep shipped with the page (relative to the page, `www/data/`).
pub const PRECOMPUTED_SWEEP: &str = "data/explorer-he3-d1024.json";

/// The text at `url` (relative to the page), or None on any failure (the page then just has
/// no precomputed points).
async fn fetch_text(url: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()?
        .dyn_into::<web_sys::Response>()
        .ok()?;
    if !response.ok() {
        return None;
    }
    wasm_bindgen_futures::JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}
