//! The frame scheduler: redraws coalesced into sweeps, one panel part per animation frame.
//!
//! A sweep draws one part of one panel ([`PanelPart`]: stats text and heatmap, overlap chart,
//! risk chart, escape times) per animation frame, so no frame pays for more than one chart and no
//! main-thread task grows with the number of panels. Sweeps start at most every
//! [`SWEEP_INTERVAL_MS`]; requests in between are coalesced into the next sweep, which draws
//! the latest data.

use super::panel_view::{warm_up, PanelPart};
use super::{run_in_tasks, with_app, App};
use crate::web::dom::now_ms;
use gloo_render::{request_animation_frame, AnimationFrame};
use gloo_timers::callback::Timeout;

/// Shortest time between the starts of two redraw sweeps. The worker streams a message per
/// run every ~12 ms; redrawing every chart at the display rate kept the main thread and the
/// compositor busy for most of each frame (on a 2-core machine, with the worker on the other
/// core, that stretched frames into long tasks). About seven full updates per second still
/// read as live.
pub const SWEEP_INTERVAL_MS: f64 = 150.0;

/// State of the redraw scheduler.
#[derive(Default)]
pub struct Scheduler {
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
    /// The chart code has been warmed up ([`warm_up`]).
    warm: bool,
    /// The pending animation frame (cancelled if dropped).
    frame: Option<AnimationFrame>,
    /// The pending timer that leads to the next sweep.
    timer: Option<Timeout>,
}

impl Scheduler {
    /// New panels were created: the next frame only lays them out.
    pub fn panels_created(&mut self) {
        self.layout_frame = true;
    }
}

/// Schedules a redraw of every panel.
pub fn request_redraw(app: &mut App) {
    let s = &mut app.scheduler;
    if s.cursor.is_some() {
        s.again = true;
        return;
    }
    if s.scheduled {
        return;
    }
    s.scheduled = true;
    let wait = s.last_sweep_ms + SWEEP_INTERVAL_MS - now_ms();
    if wait <= 1.0 {
        schedule_frame(s);
    } else {
        s.timer = Some(Timeout::new(wait.ceil() as u32, || {
            with_app(|app| {
                app.scheduler.timer = None;
                schedule_frame(&mut app.scheduler);
            });
        }));
    }
}

fn schedule_frame(s: &mut Scheduler) {
    s.frame = Some(request_animation_frame(|_| {
        with_app(|app| {
            app.scheduler.frame = None;
            draw_frame(app);
        });
    }));
}

/// One animation frame of a sweep: draws one part of one panel, then schedules the next frame.
fn draw_frame(app: &mut App) {
    let s = &mut app.scheduler;
    s.scheduled = false;
    if std::mem::take(&mut s.layout_frame) {
        // the browser lays out the new panels in this frame; their canvases get their size
        // without a forced layout inside the next frame's drawing
        s.cursor = None;
        s.again = false;
        s.scheduled = true;
        if std::mem::replace(&mut s.warm, true) {
            schedule_frame(s);
        } else {
            // first panels of the page: warm up the chart code first, one part per task, then
            // start the sweep
            super::mark("lab: layout frame");
            let mut steps: Vec<Box<dyn FnOnce()>> = PanelPart::ALL
                .into_iter()
                .map(|part| {
                    Box::new(move || {
                        super::mark("lab: warm-up");
                        with_app(|app| {
                            let eta = app.model.state.config.model.eta;
                            warm_up(&app.ui.document, part, eta, app.model.axis());
                        });
                    }) as Box<dyn FnOnce()>
                })
                .collect();
            steps.push(Box::new(|| {
                with_app(|app| schedule_frame(&mut app.scheduler));
            }));
            run_in_tasks(steps);
        }
        return;
    }
    // the regime map, between sweeps, in a frame of its own once the chart code is warm
    if app.scheduler.warm && app.scheduler.cursor.is_none() {
        if let Some(points) = app.regime_points.take() {
            app.draw_regime_map(&points);
            let s = &mut app.scheduler;
            s.scheduled = true;
            schedule_frame(s);
            return;
        }
        // the θ inset likewise, when a batch size finished since it was drawn
        if app.inset_pending() {
            app.draw_inset();
            let s = &mut app.scheduler;
            s.scheduled = true;
            schedule_frame(s);
            return;
        }
    }
    let started = now_ms();
    let s = &mut app.scheduler;
    let cursor = match s.cursor {
        Some(c) => c,
        None => {
            s.last_sweep_ms = started;
            s.again = false;
            0
        }
    };
    let parts = PanelPart::ALL.len();
    let (index, part) = (cursor / parts, PanelPart::ALL[cursor % parts]);
    let (eta, axis) = (app.model.state.config.model.eta, app.model.axis());
    if let (Some(view), Some(panel)) = (app.views.get_mut(index), app.model.panels.get(index)) {
        view.draw_part(part, panel, eta, axis);
        let elapsed = now_ms() - started;
        let s = &mut app.scheduler;
        s.panel_ms = if part == PanelPart::ALL[0] {
            elapsed
        } else {
            s.panel_ms + elapsed
        };
        // timing hooks for the browser benchmark (make bench-ui)
        if part == PanelPart::ALL[parts - 1] {
            let ms = format!("{:.2}", s.panel_ms);
            let _ = app.ui.panels.set_attribute("data-redraw-ms", &ms);
        }
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let drawn = part == PanelPart::Overlaps && !panel.points.is_empty();
            if drawn && p.get_entries_by_name("first-chart").length() == 0 {
                let _ = p.mark("first-chart");
            }
        }
    }
    let s = &mut app.scheduler;
    if cursor + 1 < app.views.len().min(app.model.panels.len()) * parts {
        s.cursor = Some(cursor + 1);
        s.scheduled = true;
        schedule_frame(s);
    } else {
        s.cursor = None;
        if std::mem::take(&mut s.again) {
            request_redraw(app);
        }
    }
}
