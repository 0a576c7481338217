//! The lab page's web shell, over the DOM-free model of [`crate::ui::lab`].
//!
//! The page never simulates and keeps no state of its own beyond the DOM: events become
//! [`Message`]s, [`update`] changes the [`LabModel`] and returns [`Effect`]s, and
//! [`App::dispatch`] carries them out and renders what is derived from the model (status line,
//! Pause label, stale mark, preset menu). The parts, one concern per file:
//!
//! - [`elements`]: typed handles of every element, resolved once at start-up;
//! - [`listeners`]: the one table of event listeners (gloo, removed on drop);
//! - [`scheduler`]: the frame scheduler (redraws in sweeps, one chart per animation frame);
//! - [`panel_view`]: one protocol's panel DOM, drawn from its [`crate::ui::lab::PanelModel`];
//! - [`form`]: the settings form ↔ lab key/value pairs;
//! - [`embed`], [`share`]: course-page embedding, links, snippets and exports;
//! - [`start`](fn@start): the start-up, in tasks of its own.

pub mod elements;
pub mod embed;
pub mod form;
pub mod listeners;
pub mod panel_view;
pub mod scheduler;
pub mod share;
mod start;

use crate::lab_state::FieldError;
use crate::protocol::FromWorker;
use crate::ui::chart_spec::ChartGeometry;
use crate::ui::lab::regime_map::{regime_map_spec, MapPoint};
use crate::ui::lab::{update, Effect, LabModel, Message, View};
use crate::ui::run_state::WorkerState;
use crate::web::chart::draw_chart;
use crate::web::dom::{now_ms, set_hidden};
use crate::web::worker_client::{WorkerClient, WORKER_SCRIPT};
use elements::Elements;
use form::ModeGroups;
use gloo_events::EventListener;
use panel_view::PanelView;
use scheduler::Scheduler;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use crate::ui::lab::{overlap_spec, risk_spec, TimeAxis};
pub use embed::{embed_height, embed_snippet, EMBED_HEIGHT, HEIGHT_MESSAGE};
pub use scheduler::SWEEP_INTERVAL_MS;
pub use start::start;

/// The page: its model, its elements, the worker and what is drawn.
pub struct App {
    /// The page's state.
    pub model: LabModel,
    /// The page's elements.
    pub ui: Elements,
    /// The form's mode-dependent field groups.
    modes: ModeGroups,
    /// The simulation worker (None until spawned, or when it could not be).
    client: Option<WorkerClient>,
    /// One view per panel of the model, in the same order.
    pub views: Vec<PanelView>,
    /// The frame scheduler.
    pub scheduler: Scheduler,
    /// Listeners of the panels' canvases and buttons (replaced with the panels).
    panel_listeners: Vec<EventListener>,
    /// The page's own listeners, kept for the page's life.
    _listeners: Vec<EventListener>,
    /// The resolved-numbers text of the last valid form (resolving runs a sampler pilot).
    resolved_cache: Option<form::Resolved>,
    /// Where the regime map landed (a click picks (μ, δ)).
    pub regime_geometry: ChartGeometry,
    /// The regime map's points waiting to be drawn.
    pub(crate) regime_points: Option<Vec<MapPoint>>,
    /// The number of inset points last drawn (None: the inset needs drawing).
    pub(crate) inset_drawn: Option<usize>,
    /// The pending restart after a live slider moved (dropping it cancels it).
    pub(crate) live_timer: Option<gloo_timers::callback::Timeout>,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the page, if it is started (and not already borrowed: a re-entrant call is a
/// bug and returns None instead of panicking).
pub fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.try_borrow_mut().ok()?.as_mut().map(f))
}

/// Dispatches `message` to the page (see [`App::dispatch`]).
pub fn dispatch(message: Message) {
    with_app(|app| app.dispatch(message));
}

/// Builds a message from the current form and dispatches it.
pub fn dispatch_with_form(message: impl FnOnce(Vec<(String, String)>) -> Message) {
    with_app(|app| {
        let pairs = form::read_pairs(&app.ui.form);
        app.dispatch(message(pairs));
    });
}

impl App {
    /// Updates the model with `message`, carries out the effects, then renders what is
    /// derived from the model.
    pub fn dispatch(&mut self, message: Message) {
        for effect in update(&mut self.model, message) {
            self.run(effect);
        }
        self.render();
    }

    /// Carries out one effect.
    fn run(&mut self, effect: Effect) {
        let ui = &self.ui;
        match effect {
            Effect::Send(message) => {
                if let Some(c) = &self.client {
                    c.send(message);
                }
            }
            Effect::RespawnWorker => self.client = self.spawn_worker(),
            Effect::WriteHash => write_hash(&self.model.state.to_hash()),
            Effect::WriteForm => {
                form::write_state(&ui.form, &self.modes, &self.model.state);
                form::sync_sliders(&ui.sliders, &self.model.state);
            }
            Effect::ShowValid(state) => {
                self.modes.sync(&ui.form);
                form::clear_errors(&ui.form);
                let _ = ui.start.remove_attribute("disabled");
                let points = form::describe_resolved(&ui.form, &mut self.resolved_cache, &state);
                self.request_regime_map(points);
            }
            Effect::ShowFormErrors(errors) => {
                self.modes.sync(&ui.form);
                form::clear_errors(&ui.form);
                let _ = ui.start.set_attribute("disabled", "");
                form::show_errors(&ui.form, &errors);
                ui.form.resolved.set_text_content(Some(""));
            }
            Effect::ShowNotice(message) => ui.form.form_error.set_text_content(Some(&message)),
            Effect::ShowUrlErrors(errors) => show_url_errors(ui, &errors),
            Effect::RebuildPanels => self.rebuild_panels(),
            Effect::ApplyEmbed => embed::apply_embed(&ui.document, &self.model.state),
            Effect::ShowView(view) => show_view(ui, view),
            Effect::Redraw => scheduler::request_redraw(self),
            Effect::PauseAcknowledged => {
                // when the worker acknowledged: lets tests measure pause latency
                let at = format!("{:.1}", now_ms());
                let _ = ui.status.set_attribute("data-paused-at", &at);
            }
        }
    }

    /// Renders what the page derives from the model alone.
    fn render(&self) {
        let (ui, model) = (&self.ui, &self.model);
        ui.status.set_text_content(Some(&model.status_text()));
        ui.pause.set_text_content(Some(model.pause_label()));
        let _ = ui
            .panels
            .class_list()
            .toggle_with_force("stale", model.stale);
        set_hidden(&ui.stale_note, !model.stale);
        ui.preset
            .set_value(model.selected_preset.as_deref().unwrap_or(""));
        ui.preset_explanation
            .set_text_content(Some(model.preset_explanation()));
    }

    /// Spawns the simulation worker; its messages and failures become [`Message`]s. When it
    /// cannot be spawned the status line says so (the model's worker state is Failed).
    fn spawn_worker(&mut self) -> Option<WorkerClient> {
        let client = WorkerClient::spawn(
            WORKER_SCRIPT,
            |message: FromWorker| dispatch(Message::Worker(message)),
            |message| dispatch(Message::WorkerFailed(message)),
        );
        match client {
            Ok(client) => Some(client),
            Err(e) => {
                let message = format!("could not start the simulation worker: {e:?}");
                web_sys::console::error_1(&message.clone().into());
                self.model.worker = WorkerState::Failed(message);
                None
            }
        }
    }

    /// Draws the regime map with `points` in an animation frame of its own, once the chart
    /// code is warm (so neither the start-up task nor a panel's frame pays for it). Requests in
    /// between are coalesced; the latest points are drawn.
    fn request_regime_map(&mut self, points: Vec<MapPoint>) {
        self.regime_points = Some(points);
        scheduler::request_redraw(self);
    }

    /// The θ inset needs drawing: its points changed since it was last drawn.
    pub(crate) fn inset_pending(&self) -> bool {
        self.inset_drawn != Some(self.model.inset_points().len())
    }

    /// Draws the θ inset (the Fig. 1 frontiers with the finished batch sizes' points), with
    /// its point count as `data-points` for the end-to-end tests.
    pub(crate) fn draw_inset(&mut self) {
        let n = self.model.inset_points().len();
        self.inset_drawn = Some(n);
        let canvas = &self.ui.inset;
        if let Err(e) = draw_chart(canvas, &self.model.inset_spec()) {
            web_sys::console::warn_1(&format!("inset: {e}").into());
        }
        let _ = canvas.set_attribute("data-points", &n.to_string());
        // single runs add nothing to the inset: it shows once there is an ensemble or a point
        let shown = n > 0 || self.model.panels.iter().any(|p| p.is_ensemble());
        set_hidden(&self.ui.inset_figure, !shown);
    }

    /// Draws the regime map with the panels' settings (and exposes its plot area, CSS px, as
    /// `data-plot` = left,right,top,bottom for the end-to-end tests).
    pub(crate) fn draw_regime_map(&mut self, points: &[MapPoint]) {
        let canvas = &self.ui.regime_map;
        match draw_chart(canvas, &regime_map_spec(points)) {
            Ok(g) => {
                self.regime_geometry = g;
                let r = g.ratio.max(1e-9);
                let plot = format!(
                    "{:.1},{:.1},{:.1},{:.1}",
                    g.left / r,
                    g.right / r,
                    g.top / r,
                    g.bottom / r
                );
                let _ = canvas.set_attribute("data-plot", &plot);
            }
            Err(e) => web_sys::console::warn_1(&format!("regime map: {e}").into()),
        }
    }

    /// Recreates the panels' DOM and listeners for the model's protocols.
    fn rebuild_panels(&mut self) {
        let container = &self.ui.panels;
        container.set_inner_html("");
        container.set_class_name(&format!("count-{}", self.model.panels.len()));
        self.scheduler.panels_created();
        self.panel_listeners.clear();
        self.views.clear();
        for panel in &self.model.panels {
            match PanelView::create(&self.ui.document, container, panel.loss) {
                Ok(view) => {
                    self.panel_listeners
                        .extend(listeners::panel_listeners(&view, panel.id));
                    self.views.push(view);
                }
                Err(e) => web_sys::console::error_1(&e),
            }
        }
    }
}

/// Writes the state to the URL hash without a history entry (fires no `hashchange`).
fn write_hash(hash: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{hash}")));
    }
}

/// Lists the rejected URL parameters above the form (hidden when there are none).
fn show_url_errors(ui: &Elements, errors: &[FieldError]) {
    let text = errors
        .iter()
        .map(|e| format!("URL parameter {e} — ignored"))
        .collect::<Vec<_>>()
        .join("\n");
    ui.url_errors.set_text_content(Some(&text));
    set_hidden(&ui.url_errors, errors.is_empty());
}

thread_local! {
    /// The explorer's `sweep=` URL parameter until the explorer is installed (None after).
    static EXPLORER_PENDING: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Installs the batch-size explorer if that has not happened yet. On the comparison view it
/// is installed in a task after the start-up one (it is not visible, and the start-up task
/// also instantiates the wasm module), or when its tab is opened, whichever comes first.
fn install_explorer(document: &web_sys::Document) {
    if let Some(sweep) = EXPLORER_PENDING.with(|p| p.borrow_mut().take()) {
        if let Err(e) = crate::web::explorer::install(document, sweep.as_deref()) {
            web_sys::console::error_1(&e);
        }
    }
}

/// Shows the comparison view or the batch-size explorer, with the tabs' ARIA state.
fn show_view(ui: &Elements, view: View) {
    let explorer = view == View::Explorer;
    if explorer {
        install_explorer(&ui.document);
        crate::web::explorer::shown();
    }
    set_hidden(&ui.compare, explorer);
    set_hidden(&ui.explorer, !explorer);
    for (tab, on) in [(&ui.tab_compare, !explorer), (&ui.tab_explorer, explorer)] {
        let _ = tab.set_attribute("aria-selected", if on { "true" } else { "false" });
        // roving tabindex: only the selected tab is in the tab order
        let _ = tab.set_attribute("tabindex", if on { "0" } else { "-1" });
    }
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

/// Runs each step in a task of its own (`setTimeout(0)`), in order.
fn run_in_tasks(mut steps: Vec<Box<dyn FnOnce()>>) {
    if steps.is_empty() {
        return;
    }
    let first = steps.remove(0);
    gloo_timers::callback::Timeout::new(0, move || {
        first();
        run_in_tasks(steps);
    })
    .forget();
}

/// The tab that has the focus after a key press in the tab list (ARIA tabs: arrows move to
/// the other tab, Home to the first, End to the last), or None for other keys.
fn tab_after_key(key: &str, explorer_now: bool) -> Option<View> {
    let explorer = match key {
        "ArrowLeft" | "ArrowRight" => !explorer_now,
        "Home" => false,
        "End" => true,
        _ => return None,
    };
    Some(if explorer {
        View::Explorer
    } else {
        View::Compare
    })
}

/// Focuses a tab element.
fn focus_tab(ui: &Elements, view: View) {
    let tab = match view {
        View::Compare => &ui.tab_compare,
        View::Explorer => &ui.tab_explorer,
    };
    let _ = tab.focus();
}

/// The id of an event's target element (empty if it has none).
fn target_id(event: &web_sys::Event) -> String {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| e.id())
        .unwrap_or_default()
}
