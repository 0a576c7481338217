//! The lab page: preset menu, settings form, one panel per protocol (MSE, correlation loss,
//! optionally adaptive) with live charts, URL-hash state, embed mode, sharing and exports.
//!
//! The page never simulates: it validates the form into a [`LabState`] (the same validation
//! as URLs and the CLI), sends the panels' configs to the worker ([`WorkerClient`]) and draws
//! what the worker streams back. Redraws are coalesced with `requestAnimationFrame` and
//! spread over frames (see [`request_redraw`]).

mod form;
pub mod panels;

use crate::lab_state::{FieldError, LabState, HIDEABLE};
use crate::presets::{preset, PRESETS};
use crate::protocol::{FromWorker, RunId, ToWorker};
use crate::ui::run_state::{lab_status, RunState, WorkerState};
use crate::ui::start_check::confirmation_needed;
use crate::url_state::UrlState;
use crate::web::dom::{
    create, download, download_text, now_ms, set_hidden, set_text, set_value, value,
};
use crate::web::worker_client::{WorkerClient, WORKER_SCRIPT};
use panels::{panel_prefix, Panel, PanelPart};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, MouseEvent};

pub use panels::{overlap_spec, risk_spec, TimeAxis};

struct App {
    document: Document,
    client: Option<WorkerClient>,
    generation: u32,
    state: LabState,
    panels: Vec<Panel>,
    paused: bool,
    worker: WorkerState,
    /// The settings (as a URL hash) whose cost warning was shown: a second Start runs them.
    confirmed: Option<String>,
    redraw: Redraw,
}

/// Writes the top status line from the worker's and the panels' states.
fn show_status(app: &App) {
    let runs: Vec<RunState> = app.panels.iter().map(|p| p.state.clone()).collect();
    set_text(&app.document, "status", &lab_status(&app.worker, &runs));
}

/// Shortest time between the starts of two redraw sweeps. The worker streams a message per
/// run every ~12 ms; redrawing every chart at the display rate kept the main thread and the
/// compositor busy for most of each frame (on a 2-core machine, with the worker on the other
/// core, that stretched frames into long tasks). About seven full updates per second still
/// read as live.
pub const SWEEP_INTERVAL_MS: f64 = 150.0;

/// State of the redraw scheduler: a sweep draws every part of every panel, one part
/// ([`PanelPart`]) per animation frame.
#[derive(Default)]
struct Redraw {
    /// A frame (or the timer that leads to one) is scheduled.
    scheduled: bool,
    /// Position in the current sweep (panel * parts + part); None between sweeps.
    cursor: Option<usize>,
    /// A redraw was requested while a sweep was in progress.
    again: bool,
    /// `performance.now()` at the start of the last sweep.
    last_sweep_ms: f64,
    /// Time spent so far on the panel being drawn (for the benchmark hook).
    panel_ms: f64,
    /// New panel DOM: let one frame lay it out before drawing into its canvases.
    layout_frame: bool,
    /// The chart code has been warmed up ([`panels::warm_up`]).
    warm: bool,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

fn listen_element(
    element: &Element,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    element.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    closure.forget();
    Ok(())
}

fn listen(
    document: &Document,
    id: &str,
    event: &str,
    mut handler: impl FnMut() + 'static,
) -> Result<(), JsValue> {
    let element = document
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("missing #{id}")))?;
    listen_element(&element, event, move |_| handler())
}

/// The state in the form (with the current preset and embed options), or its errors.
fn form_state(app: &App) -> Result<LabState, Vec<FieldError>> {
    let mut pairs = form::read_pairs(&app.document);
    if app.state.embed {
        pairs.push(("embed".into(), "1".into()));
    }
    if !app.state.hide.is_empty() {
        pairs.push(("hide".into(), app.state.hide.join(",")));
    }
    if !app.state.autostart {
        pairs.push(("autostart".into(), "0".into()));
    }
    let selected = value(&app.document, "preset");
    if !selected.is_empty() {
        pairs.push(("preset".into(), selected));
    }
    LabState::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Re-validates the form: inline messages, Start enabled only when valid, resolved numbers.
fn validate(app: &mut App) -> Option<LabState> {
    form::sync_modes(&app.document);
    form::clear_errors(&app.document);
    let result = form_state(app);
    let start = app.document.get_element_by_id("start");
    match result {
        Ok(state) => {
            if let Some(b) = start {
                let _ = b.remove_attribute("disabled");
            }
            form::describe_resolved(&app.document, &state);
            Some(state)
        }
        Err(errors) => {
            if let Some(b) = start {
                let _ = b.set_attribute("disabled", "");
            }
            form::show_errors(&app.document, &errors);
            set_text(&app.document, "resolved", "");
            None
        }
    }
}

fn write_hash(state: &LabState) {
    if let Some(w) = web_sys::window() {
        if let Ok(history) = w.history() {
            let _ = history.replace_state_with_url(
                &JsValue::NULL,
                "",
                Some(&format!("#{}", state.to_hash())),
            );
        }
    }
}

fn axis(state: &LabState) -> TimeAxis {
    TimeAxis {
        log: state.view.log_time,
        samples: state.view.samples,
    }
}

/// Creates the panels of `state` (replacing existing ones when the protocol list changed).
fn build_panels(app: &mut App) -> Result<(), JsValue> {
    let current: Vec<_> = app.panels.iter().map(|p| p.loss).collect();
    if current == app.state.panels {
        return Ok(());
    }
    let container = app
        .document
        .get_element_by_id("panels")
        .ok_or("missing #panels")?;
    container.set_inner_html("");
    app.redraw.layout_frame = true;
    container.set_class_name(&format!("count-{}", app.state.panels.len()));
    app.panels = app
        .state
        .panels
        .iter()
        .enumerate()
        .map(|(i, &loss)| Panel::new(i as RunId, loss))
        .collect();
    for panel in &app.panels {
        panel.create_dom(&app.document, &container)?;
        let id = format!("{}-overlaps", panel_prefix(panel.loss));
        if let Some(canvas) = app.document.get_element_by_id(&id) {
            let run = panel.id;
            listen_element(&canvas, "mousemove", move |event| {
                if let Some(e) = event.dyn_ref::<MouseEvent>() {
                    let x = e.offset_x() as f64;
                    with_app(|app| show_readout(app, run, Some(x)));
                }
            })?;
            // a tap (touch or pen) shows the same readout as hover
            listen_element(&canvas, "pointerdown", move |event| {
                if let Some(e) = event.dyn_ref::<MouseEvent>() {
                    let x = e.offset_x() as f64;
                    with_app(|app| show_readout(app, run, Some(x)));
                }
            })?;
            listen_element(&canvas, "mouseleave", move |_| {
                with_app(|app| show_readout(app, run, None));
            })?;
        }
    }
    Ok(())
}

fn show_readout(app: &App, run: RunId, x: Option<f64>) {
    let Some(panel) = app.panels.iter().find(|p| p.id == run) else {
        return;
    };
    let Some(tooltip) = app
        .document
        .get_element_by_id(&format!("{}-tooltip", panel_prefix(panel.loss)))
    else {
        return;
    };
    match x.and_then(|x| panel.readout(x, axis(&app.state)).map(|t| (x, t))) {
        Some((x, text)) => {
            tooltip.set_text_content(Some(&text));
            let _ = tooltip.set_attribute("style", &format!("left: {:.0}px", x + 12.0));
            set_hidden(&tooltip, false);
        }
        None => set_hidden(&tooltip, true),
    }
}

/// Marks the shown results as not matching the form (dimmed, with a note) or clears that.
fn set_stale(document: &Document, stale: bool) {
    if let Some(panels) = document.get_element_by_id("panels") {
        let _ = if stale {
            panels.class_list().add_1("stale")
        } else {
            panels.class_list().remove_1("stale")
        };
    }
    if let Some(note) = document.get_element_by_id("stale-note") {
        set_hidden(&note, !stale);
    }
}

fn start_runs(app: &mut App) {
    let Some(state) = validate(app) else { return };
    // expensive settings run only after a second Start with the same settings
    let key = state.to_hash();
    if let Some(message) = state.resolve().ok().and_then(|r| confirmation_needed(&r)) {
        if app.confirmed.as_deref() != Some(key.as_str()) {
            app.confirmed = Some(key);
            set_text(&app.document, "form-error", &message);
            return;
        }
    } else {
        app.confirmed = None;
    }
    app.state = state;
    write_hash(&app.state);
    set_stale(&app.document, false);
    if let Err(e) = build_panels(app) {
        web_sys::console::error_1(&e);
        return;
    }
    // the panels' export buttons belong to the `export` group
    apply_embed(&app.document, &app.state);
    app.generation += 1;
    app.paused = false;
    if matches!(app.worker, WorkerState::Restarted(_)) {
        app.worker = WorkerState::Ready;
    }
    for panel in &mut app.panels {
        *panel = Panel::new(panel.id, panel.loss);
        panel.state = RunState::Starting;
    }
    let runs = app
        .panels
        .iter()
        .map(|p| p.id)
        .zip(app.state.panel_configs())
        .collect();
    if let Some(client) = &app.client {
        client.send(ToWorker::Start {
            generation: app.generation,
            runs,
            theory: app.state.view.theory,
        });
    }
    set_text(&app.document, "pause", "Pause");
    request_redraw(app);
}

/// Spawns the simulation worker; a failure is shown in the top status line.
fn spawn_worker(document: &Document) -> Option<WorkerClient> {
    let client = WorkerClient::spawn(WORKER_SCRIPT, on_worker_message, |message| {
        with_app(|app| {
            app.worker = WorkerState::Failed(message);
            show_status(app);
        });
    });
    match client {
        Ok(client) => Some(client),
        Err(e) => {
            set_text(
                document,
                "status",
                &format!("could not start the simulation worker: {e:?}"),
            );
            None
        }
    }
}

fn on_worker_message(message: FromWorker) {
    with_app(|app| {
        let generation = app.generation;
        let find = |app: &mut App, run: RunId| app.panels.iter_mut().position(|p| p.id == run);
        match message {
            // after a crash the page stays in Restarted (its message shown) until a new run
            FromWorker::Ready if !matches!(app.worker, WorkerState::Restarted(_)) => {
                app.worker = WorkerState::Ready;
            }
            FromWorker::Crashed { message } => {
                for p in app.panels.iter_mut().filter(|p| p.state.is_live()) {
                    p.state = RunState::Crashed(message.clone());
                }
                app.worker = WorkerState::Restarted(message);
                app.paused = false;
                set_text(&app.document, "pause", "Pause");
                // a new worker; the form, the URL and the drawn results stay as they are
                app.client = spawn_worker(&app.document);
                request_redraw(app);
            }
            FromWorker::Started {
                generation: g,
                run,
                summary,
            } if g == generation => {
                if let Some(i) = find(app, run) {
                    app.panels[i].summary = Some(summary);
                    app.panels[i].state = if app.paused {
                        RunState::Paused
                    } else {
                        RunState::Running
                    };
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
                if let Some(i) = find(app, run) {
                    let p = &mut app.panels[i];
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
            FromWorker::Theory {
                generation: g,
                run,
                points,
                note,
            } if g == generation => {
                if let Some(i) = find(app, run) {
                    app.panels[i].theory = points;
                    app.panels[i].theory_note = note;
                }
                request_redraw(app);
            }
            FromWorker::Finished { generation: g, run } if g == generation => {
                if let Some(i) = find(app, run) {
                    app.panels[i].state = RunState::Finished;
                }
                request_redraw(app);
            }
            FromWorker::Diverged {
                generation: g,
                run,
                message,
            } if g == generation => {
                if let Some(i) = find(app, run) {
                    app.panels[i].state = RunState::Diverged(message);
                }
                request_redraw(app);
            }
            FromWorker::Invalid {
                generation: g,
                run,
                message,
            } if g == generation => {
                if let Some(i) = find(app, run) {
                    app.panels[i].state = RunState::Invalid(message);
                }
                request_redraw(app);
            }
            FromWorker::Paused => {
                app.paused = true;
                set_text(&app.document, "pause", "Resume");
                // when the worker acknowledged: lets tests measure pause latency
                if let (Some(status), Some(perf)) = (
                    app.document.get_element_by_id("status"),
                    web_sys::window().and_then(|w| w.performance()),
                ) {
                    let _ = status.set_attribute("data-paused-at", &format!("{:.1}", perf.now()));
                }
                for p in &mut app.panels {
                    p.state = p.state.paused(true);
                }
                request_redraw(app);
            }
            _ => {}
        }
        show_status(app);
    });
}

/// A performance mark (one-off start-up steps, for the browser benchmark's attribution).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// A performance measure from the mark `start` to now.
fn measure_since(name: &str, start: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.measure_with_start_mark(name, start);
    }
}

/// Schedules a redraw of every panel.
///
/// A sweep draws one part of one panel ([`PanelPart`]: stats text and heatmap, overlap chart,
/// risk chart) per animation frame, so no frame pays for more than one chart and no main-thread
/// task grows with the number of panels. Sweeps start at most every [`SWEEP_INTERVAL_MS`];
/// requests in between are coalesced into the next sweep, which draws the latest data.
fn request_redraw(app: &mut App) {
    let r = &mut app.redraw;
    if r.cursor.is_some() {
        r.again = true;
        return;
    }
    if r.scheduled {
        return;
    }
    r.scheduled = true;
    let wait = r.last_sweep_ms + SWEEP_INTERVAL_MS - now_ms();
    let Some(window) = web_sys::window() else {
        return;
    };
    if wait <= 1.0 {
        schedule_frame(&window);
    } else {
        let callback = Closure::once_into_js(|| {
            if let Some(w) = web_sys::window() {
                schedule_frame(&w);
            }
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            wait.ceil() as i32,
        );
    }
}

fn schedule_frame(window: &web_sys::Window) {
    let callback = Closure::once_into_js(|| {
        with_app(draw_frame);
    });
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

/// One animation frame of a sweep: draws one part of one panel, then schedules the next frame.
fn draw_frame(app: &mut App) {
    app.redraw.scheduled = false;
    let continue_sweep = |app: &mut App| {
        app.redraw.scheduled = true;
        if let Some(w) = web_sys::window() {
            schedule_frame(&w);
        }
    };
    if std::mem::take(&mut app.redraw.layout_frame) {
        // the browser lays out the new panels in this frame; their canvases get their size
        // without a forced layout inside the next frame's drawing
        app.redraw.cursor = None;
        app.redraw.again = false;
        if std::mem::replace(&mut app.redraw.warm, true) {
            continue_sweep(app);
        } else {
            // first panels of the page: warm up the chart code first, one part per task, then
            // start the sweep
            mark("lab: layout frame");
            app.redraw.scheduled = true;
            let mut steps: Vec<Box<dyn FnOnce()>> = PanelPart::ALL
                .into_iter()
                .map(|part| {
                    Box::new(move || {
                        mark("lab: warm-up");
                        with_app(|app| {
                            let eta = app.state.config.eta;
                            panels::warm_up(&app.document, part, eta, axis(&app.state));
                        });
                    }) as Box<dyn FnOnce()>
                })
                .collect();
            steps.push(Box::new(|| {
                if let Some(w) = web_sys::window() {
                    schedule_frame(&w);
                }
            }));
            run_in_tasks(steps);
        }
        return;
    }
    let started = now_ms();
    let cursor = match app.redraw.cursor {
        Some(c) => c,
        None => {
            app.redraw.last_sweep_ms = started;
            app.redraw.again = false;
            0
        }
    };
    let parts = PanelPart::ALL.len();
    let (index, part) = (cursor / parts, PanelPart::ALL[cursor % parts]);
    let (eta, axis) = (app.state.config.eta, axis(&app.state));
    if let Some(panel) = app.panels.get_mut(index) {
        panel.draw_part(part, &app.document, eta, axis);
        let elapsed = now_ms() - started;
        app.redraw.panel_ms = if part == PanelPart::ALL[0] {
            elapsed
        } else {
            app.redraw.panel_ms + elapsed
        };
        // timing hooks for the browser benchmark (make bench-ui)
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            if part == PanelPart::ALL[parts - 1] {
                if let Some(root) = app.document.get_element_by_id("panels") {
                    let ms = format!("{:.2}", app.redraw.panel_ms);
                    let _ = root.set_attribute("data-redraw-ms", &ms);
                }
            }
            let drawn = part == PanelPart::Overlaps && !panel.points.is_empty();
            if drawn && p.get_entries_by_name("first-chart").length() == 0 {
                let _ = p.mark("first-chart");
            }
        }
    }
    if cursor + 1 < app.panels.len() * parts {
        app.redraw.cursor = Some(cursor + 1);
        continue_sweep(app);
    } else {
        app.redraw.cursor = None;
        if std::mem::take(&mut app.redraw.again) {
            request_redraw(app);
        }
    }
}

/// Handles clicks on the panels' export buttons (`panel-<loss>-export-<csv|json|png>`).
fn on_panels_click(target_id: &str) {
    with_app(|app| {
        for panel in &app.panels {
            let prefix = panel_prefix(panel.loss);
            let Some(what) = target_id.strip_prefix(&format!("{prefix}-export-")) else {
                continue;
            };
            let base = format!(
                "online-sgd-lab-{}-seed{}",
                panel.loss, app.state.config.seed
            );
            match what {
                "csv" => download_text(
                    &app.document,
                    &format!("{base}.csv"),
                    "text/csv",
                    &panel.csv(),
                ),
                "json" => download_text(
                    &app.document,
                    &format!("{base}.json"),
                    "application/json",
                    &panel.json(),
                ),
                "png" => {
                    for chart in ["overlaps", "risk"] {
                        if let Some(c) = app
                            .document
                            .get_element_by_id(&format!("{prefix}-{chart}"))
                            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
                        {
                            if let Ok(url) = c.to_data_url() {
                                download(&app.document, &format!("{base}-{chart}.png"), &url);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    });
}

fn page_url_without_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Height (CSS px) the embed snippet's iframe states for one row of panels (presets, batch
/// size, buttons and two panels side by side at 700 px); the snippet's script then follows
/// the height the embedded page reports.
pub const EMBED_HEIGHT: u32 = 1150;

/// Stated iframe height for `panels` protocols: [`EMBED_HEIGHT`] plus a row of panels for
/// each further pair (two panels per row at 700 px).
pub fn embed_height(panels: usize) -> u32 {
    let rows = panels.div_ceil(2).max(1) as u32;
    EMBED_HEIGHT + 700 * (rows - 1)
}

/// Type of the `postMessage` an embedded page sends its parent when its height changes:
/// `{type: "sgdlab:height", height}` (CSS px).
pub const HEIGHT_MESSAGE: &str = "sgdlab:height";

/// The embed snippet: an iframe of `url` and a small optional script that sizes it to the
/// height the embedded page reports (delete the script to keep the stated height).
pub fn embed_snippet(url: &str, id: &str, height: u32) -> String {
    format!(
        concat!(
            r#"<iframe src="{url}" width="700" height="{h}" id="{id}" style="border:0;width:100%;max-width:700px" title="Online SGD Lab" loading="lazy"></iframe>"#,
            "\n",
            r#"<script>/* optional: the iframe follows the lab's height */addEventListener("message",function(e){{var f=document.getElementById("{id}");if(f&&e.source===f.contentWindow&&e.data&&e.data.type==="{msg}"&&e.data.height>0)f.style.height=Math.ceil(e.data.height)+"px"}});</script>"#
        ),
        url = url,
        h = height,
        id = id,
        msg = HEIGHT_MESSAGE,
    )
}

fn share(app: &mut App, embed: bool) {
    let mut state = app.state.clone();
    if let Ok(s) = form_state(app) {
        state = s;
    }
    let url = if embed {
        state.embed = true;
        if state.hide.is_empty() {
            // the batch size stays: it is what a course page is about
            state.hide = vec!["model".into(), "rate".into(), "run".into()];
        }
        format!("{}#{}", page_url_without_hash(), state.to_hash())
    } else {
        format!("{}#{}", page_url_without_hash(), state.to_hash())
    };
    let text = if embed {
        embed_snippet(
            &url.replace('"', "%22"),
            &format!("sgdlab-{:x}", random_seed() & 0xff_ffff),
            embed_height(state.panels.len()),
        )
    } else {
        url
    };
    set_value(&app.document, "share-text", &text);
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
    }
    set_text(
        &app.document,
        "status",
        if embed {
            "embed snippet copied"
        } else {
            "link copied"
        },
    );
}

/// Lists the rejected URL parameters above the form (hidden when there are none).
fn show_url_errors(document: &Document, errors: &[FieldError]) -> Result<(), JsValue> {
    let box_ = document
        .get_element_by_id("url-errors")
        .ok_or("missing #url-errors")?;
    let text = errors
        .iter()
        .map(|e| format!("URL parameter {e} — ignored"))
        .collect::<Vec<_>>()
        .join("\n");
    box_.set_text_content(Some(&text));
    set_hidden(&box_, errors.is_empty());
    Ok(())
}

/// The user changed the URL hash in an open tab: load its state and run it (the page itself
/// rewrites the hash with `history.replaceState`, which fires no event).
fn on_hash_change() {
    let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else {
        return;
    };
    let url = UrlState::parse(&hash);
    with_app(|app| {
        if let Err(e) = show_url_errors(&app.document, &url.errors) {
            web_sys::console::error_1(&e);
        }
        app.state = url.lab.clone();
        form::write_state(&app.document, &app.state);
        form::describe_resolved(&app.document, &app.state);
        set_value(
            &app.document,
            "preset",
            app.state.preset.as_deref().unwrap_or(""),
        );
        set_text(
            &app.document,
            "preset-explanation",
            app.state
                .preset
                .as_deref()
                .and_then(preset)
                .map_or("", |p| p.explanation),
        );
        apply_embed(&app.document, &app.state);
        show_view(&app.document, url.explorer);
        if !url.explorer {
            start_runs(app);
        }
    });
}

/// Applies embed mode (the `embed` class on the body: page-only parts hidden, compact layout)
/// and the hidden control groups (elements with `data-group`, the panels' export buttons too).
fn apply_embed(document: &Document, state: &LabState) {
    if let Some(body) = document.body() {
        body.set_class_name(if state.embed { "embed" } else { "" });
    }
    for group in HIDEABLE {
        if let Ok(list) = document.query_selector_all(&format!("[data-group=\"{group}\"]")) {
            for i in 0..list.length() {
                if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    set_hidden(&e, state.embed && state.hide.iter().any(|h| h == group));
                }
            }
        }
    }
}

thread_local! {
    /// The explorer's `sweep=` URL parameter until the explorer is installed (None after).
    static EXPLORER_PENDING: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Installs the batch-size explorer if that has not happened yet. On the comparison view it
/// is installed in a task after the start-up one (it is not visible, and the start-up task
/// also instantiates the wasm module), or when its tab is opened, whichever comes first.
fn install_explorer(document: &Document) {
    if let Some(sweep) = EXPLORER_PENDING.with(|p| p.borrow_mut().take()) {
        if let Err(e) = crate::web::explorer::install(document, sweep.as_deref()) {
            web_sys::console::error_1(&e);
        }
    }
}

/// Shows the comparison view or the batch-size explorer.
fn show_view(document: &Document, explorer: bool) {
    if explorer {
        install_explorer(document);
    }
    for (id, on) in [("compare", !explorer), ("explorer", explorer)] {
        if let Some(e) = document.get_element_by_id(id) {
            set_hidden(&e, !on);
        }
    }
    for (id, on) in [("tab-compare", !explorer), ("tab-explorer", explorer)] {
        if let Some(e) = document.get_element_by_id(id) {
            let _ = e.set_attribute("aria-selected", if on { "true" } else { "false" });
            // roving tabindex: only the selected tab is in the tab order
            let _ = e.set_attribute("tabindex", if on { "0" } else { "-1" });
        }
    }
    if explorer {
        // the comparison runs pause while the explorer has the cores
        with_app(|app| {
            if let Some(c) = &app.client {
                if !app.paused {
                    c.send(ToWorker::Pause);
                    app.paused = true;
                    set_text(&app.document, "pause", "Resume");
                }
            }
        });
    }
}

/// Entry point of the app binary: preset menu, state from the URL, form, worker, event
/// handlers and the empty panels, all in the task that also finishes instantiating the wasm
/// module (the page's state is complete when that task ends); the first run and the explorer
/// follow in tasks of their own.
pub fn start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    mark("lab: start");
    // preset menu
    let select = document
        .get_element_by_id("preset")
        .ok_or("missing #preset")?;
    for p in PRESETS {
        let option = create(&document, "option", "");
        option.set_attribute("value", p.id)?;
        option.set_text_content(Some(p.title));
        select.append_child(&option)?;
    }
    let hash = window.location().hash().unwrap_or_default();
    let UrlState {
        lab: state,
        explorer: explorer_view,
        sweep,
        errors: url_errors,
    } = UrlState::parse(&hash);
    EXPLORER_PENDING.with(|p| *p.borrow_mut() = Some(sweep));
    show_view(&document, explorer_view);
    listen(&document, "tab-compare", "click", || {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            show_view(&d, false);
        }
    })?;
    listen(&document, "tab-explorer", "click", || {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            show_view(&d, true);
        }
    })?;
    let tabs = document.get_element_by_id("tabs").ok_or("missing #tabs")?;
    listen_element(&tabs, "keydown", |event| {
        let Some(e) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        let Some(d) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let explorer_now = d
            .get_element_by_id("tab-explorer")
            .and_then(|t| t.get_attribute("aria-selected"))
            .as_deref()
            == Some("true");
        let explorer = match e.key().as_str() {
            "ArrowLeft" | "ArrowRight" => !explorer_now,
            "Home" => false,
            "End" => true,
            _ => return,
        };
        e.prevent_default();
        show_view(&d, explorer);
        let id = if explorer {
            "tab-explorer"
        } else {
            "tab-compare"
        };
        if let Some(tab) = d
            .get_element_by_id(id)
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = tab.focus();
        }
    })?;
    show_url_errors(&document, &url_errors)?;
    form::write_state(&document, &state);
    // the resolved n_b, rate and sampler are shown before any edit
    form::describe_resolved(&document, &state);
    set_value(&document, "preset", state.preset.as_deref().unwrap_or(""));
    set_text(
        &document,
        "preset-explanation",
        state
            .preset
            .as_deref()
            .and_then(preset)
            .map_or("", |p| p.explanation),
    );
    apply_embed(&document, &state);
    APP.with(|a| {
        *a.borrow_mut() = Some(App {
            document: document.clone(),
            // spawned in a task of its own after this one (see the end of `start`)
            client: None,
            generation: 0,
            state,
            panels: Vec::new(),
            paused: false,
            worker: WorkerState::Loading,
            confirmed: None,
            redraw: Redraw::default(),
        })
    });
    listen(&document, "start", "click", || {
        with_app(start_runs);
    })?;
    listen(&document, "pause", "click", || {
        with_app(|app| {
            if let Some(c) = &app.client {
                c.send(if app.paused {
                    ToWorker::Resume
                } else {
                    ToWorker::Pause
                });
            }
            app.paused = !app.paused;
            for p in &mut app.panels {
                p.state = p.state.paused(app.paused);
            }
            set_text(
                &app.document,
                "pause",
                if app.paused { "Resume" } else { "Pause" },
            );
            show_status(app);
            request_redraw(app);
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
            app.paused = false;
            set_text(&app.document, "pause", "Pause");
            for p in &mut app.panels {
                *p = Panel::new(p.id, p.loss);
            }
            // nothing drawn is out of date once the panels are cleared
            set_stale(&app.document, false);
            show_status(app);
            request_redraw(app);
        });
    })?;
    listen(&document, "new-seed", "click", || {
        with_app(|app| {
            set_value(&app.document, "seed", &random_seed().to_string());
            validate(app);
        });
    })?;
    listen(&document, "optimal-delta", "click", || {
        with_app(|app| {
            set_value(&app.document, "lr-mode", "delta");
            set_value(&app.document, "delta", "optimal");
            validate(app);
        });
    })?;
    listen(&document, "preset", "change", || {
        with_app(|app| {
            let id = value(&app.document, "preset");
            if let Some(p) = preset(&id) {
                if let Ok(state) = p.state() {
                    let (embed, hide, autostart) =
                        (app.state.embed, app.state.hide.clone(), app.state.autostart);
                    app.state = LabState {
                        embed,
                        hide,
                        autostart,
                        ..state
                    };
                    form::write_state(&app.document, &app.state);
                }
                set_text(&app.document, "preset-explanation", p.explanation);
                start_runs(app);
            } else {
                set_text(&app.document, "preset-explanation", "");
            }
        });
    })?;
    let controls = document
        .get_element_by_id("controls")
        .ok_or("missing #controls")?;
    listen_element(&controls, "input", |event| {
        let id = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|e| e.id())
            .unwrap_or_default();
        with_app(|app| {
            // editing a model setting leaves the preset
            if !matches!(id.as_str(), "log" | "unit" | "theory") {
                set_value(&app.document, "preset", "");
                set_text(&app.document, "preset-explanation", "");
            }
            let form = validate(app);
            if let Some(state) = &form {
                if matches!(id.as_str(), "log" | "unit") {
                    app.state.view = state.view;
                    write_hash(&app.state);
                    request_redraw(app);
                }
            }
            // the curves shown no longer match the form until the next Start
            if app.generation > 0 {
                let stale = form.is_none_or(|s| s.config != app.state.config);
                set_stale(&app.document, stale);
            }
        });
    })?;
    // Enter in a field starts the run (as Start does)
    listen_element(&controls, "keydown", |event| {
        let Some(e) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        if e.key() != "Enter" || e.is_composing() {
            return;
        }
        let tag = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|t| t.tag_name())
            .unwrap_or_default();
        if tag == "INPUT" || tag == "SELECT" {
            e.prevent_default();
            with_app(start_runs);
        }
    })?;
    listen_element(&controls, "change", |event| {
        let id = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|e| e.id())
            .unwrap_or_default();
        if id == "theory" || id.ends_with("-toggle") {
            with_app(start_runs);
        }
    })?;
    let panels_el = document
        .get_element_by_id("panels")
        .ok_or("missing #panels")?;
    listen_element(&panels_el, "click", |event| {
        if let Some(id) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|e| e.id())
        {
            on_panels_click(&id);
        }
    })?;
    listen(&document, "copy-link", "click", || {
        with_app(|app| share(app, false));
    })?;
    listen(&document, "copy-embed", "click", || {
        with_app(|app| share(app, true));
    })?;
    let hash_change = Closure::<dyn FnMut()>::new(on_hash_change);
    window.add_event_listener_with_callback("hashchange", hash_change.as_ref().unchecked_ref())?;
    hash_change.forget();
    // test hook: the end-to-end tests crash the worker to check that the page recovers
    let crash = Closure::<dyn FnMut()>::new(|| {
        with_app(|app| {
            if let Some(c) = &app.client {
                c.send(ToWorker::Panic);
            }
        });
    });
    js_sys::Reflect::set(&window, &"sgdlabCrashWorker".into(), crash.as_ref())?;
    crash.forget();
    let resize = Closure::<dyn FnMut()>::new(|| {
        with_app(request_redraw);
    });
    window.add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref())?;
    resize.forget();
    measure_since("lab: set-up", "lab: start");
    // The rest of the start-up runs in tasks of their own, so that none of them is long (the
    // worker's wasm compiles on the other core meanwhile): spawn the worker, open on live SGD
    // (unless the page opens on the explorer), install the explorer, then flag the page ready.
    let mut steps: Vec<Box<dyn FnOnce()>> = vec![Box::new(|| {
        mark("lab: worker");
        with_app(|app| app.client = spawn_worker(&app.document));
    })];
    if !explorer_view {
        steps.push(Box::new(|| {
            mark("lab: first run");
            with_app(first_run);
            measure_since("lab: first run", "lab: first run");
        }));
    }
    steps.push(Box::new(|| {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            install_explorer(&d);
            // the form holds the URL's state and the panels exist (end-to-end tests wait for this)
            if let Some(body) = d.body() {
                let _ = body.set_attribute("data-lab-ready", "");
            }
        }
    }));
    run_in_tasks(steps);
    Ok(())
}

/// The page's first run: at once on the page, when the panels scroll into view in an embed,
/// never with `autostart=0` (the panels are laid out and wait for Start).
fn first_run(app: &mut App) {
    if app.state.embed {
        post_height_on_resize(&app.document);
    }
    if !app.state.autostart {
        if let Err(e) = build_panels(app) {
            web_sys::console::error_1(&e);
        }
        apply_embed(&app.document, &app.state);
        show_status(app);
        request_redraw(app);
        return;
    }
    if app.state.embed {
        if let Some(panels) = app.document.get_element_by_id("panels") {
            if let Err(e) = build_panels(app) {
                web_sys::console::error_1(&e);
            }
            apply_embed(&app.document, &app.state);
            let _ = app
                .document
                .body()
                .map(|b| b.set_attribute("data-waiting-for-view", ""));
            if when_visible(&panels, || {
                if let Some(b) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.body())
                {
                    let _ = b.remove_attribute("data-waiting-for-view");
                }
                // unless the reader pressed Start (or changed the URL) first
                with_app(|app| {
                    if app.panels.iter().all(|p| p.state == RunState::Idle) {
                        start_runs(app);
                    }
                });
            }) {
                return;
            }
            let _ = app
                .document
                .body()
                .map(|b| b.remove_attribute("data-waiting-for-view"));
        }
    }
    start_runs(app);
}

/// Calls `f` once, the first time `element` intersects the viewport (an IntersectionObserver,
/// looked up at run time). False when the browser has none (the caller then runs at once).
fn when_visible(element: &Element, f: impl FnOnce() + 'static) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Some(ctor) = js_sys::Reflect::get(&window, &"IntersectionObserver".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let pending = RefCell::new(Some(f));
    let callback = Closure::<dyn FnMut(js_sys::Array, JsValue)>::new(
        move |entries: js_sys::Array, observer: JsValue| {
            let visible = entries.iter().any(|e| {
                js_sys::Reflect::get(&e, &"isIntersecting".into())
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false)
            });
            if visible {
                if let Some(f) = pending.borrow_mut().take() {
                    call_method(&observer, "disconnect", None);
                    f();
                }
            }
        },
    );
    let Ok(observer) = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(callback.as_ref()))
    else {
        return false;
    };
    callback.forget();
    call_method(&observer, "observe", Some(element.as_ref()))
}

/// Calls `object.name(arg)`; false when there is no such method or it threw.
fn call_method(object: &JsValue, name: &str, arg: Option<&JsValue>) -> bool {
    let Some(method) = js_sys::Reflect::get(object, &name.into())
        .ok()
        .and_then(|m| m.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    match arg {
        Some(a) => method.call1(object, a).is_ok(),
        None => method.call0(object).is_ok(),
    }
}

/// In an iframe: sends the parent `{type: HEIGHT_MESSAGE, height}` whenever the page's
/// height changes (a ResizeObserver on `#app-root`), for the embed snippet's script.
fn post_height_on_resize(document: &Document) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(parent) = window.parent().ok().flatten() else {
        return;
    };
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let Some(root) = document
        .get_element_by_id("app-root")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let Some(ctor) = js_sys::Reflect::get(&window, &"ResizeObserver".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let target = root.clone();
    let last = std::cell::Cell::new(0);
    let callback = Closure::<dyn FnMut()>::new(move || {
        let height = target.offset_height();
        if height <= 0 || height == last.get() {
            return;
        }
        last.set(height);
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &(height as f64).into());
        let _ = parent.post_message(&message, "*");
    });
    if let Ok(observer) = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(callback.as_ref()))
    {
        callback.forget();
        call_method(&observer, "observe", Some(root.as_ref()));
    }
}

/// Runs each step in a task of its own (`setTimeout(0)`), in order.
fn run_in_tasks(mut steps: Vec<Box<dyn FnOnce()>>) {
    if steps.is_empty() {
        return;
    }
    let first = steps.remove(0);
    let callback = Closure::once_into_js(move || {
        first();
        run_in_tasks(steps);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0);
    }
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return (js_sys::Math::random() * 9.0e15) as u64;
    }
    // below 2^53, so the seed survives any JSON consumer of an export
    u64::from_le_bytes(bytes) >> 11
}
