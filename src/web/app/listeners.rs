//! The page's one table of event listeners: every DOM event the lab handles, and the
//! [`Message`] it becomes. Listeners are gloo [`EventListener`]s, removed when dropped; the
//! page keeps its own for its lifetime and replaces the panels' with the panels.

use super::elements::Elements;
use super::panel_view::PanelView;
use super::share::{export, export_inset, random_seed, share, share_cli_config};
use super::{dispatch, dispatch_with_form, focus_tab, tab_after_key, target_id, with_app};
use crate::protocol::RunId;
use crate::ui::lab::live::{Slider, LIVE_DEBOUNCE_MS};
use crate::ui::lab::regime_map::setting_at;
use crate::ui::lab::{Message, View};
use crate::url_state::UrlState;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, KeyboardEvent, MouseEvent};

fn on(target: &EventTarget, event: &'static str, f: impl FnMut(&Event) + 'static) -> EventListener {
    EventListener::new(target, event, f)
}

/// A listener that may call `preventDefault` (not passive).
fn on_active(
    target: &EventTarget,
    event: &'static str,
    f: impl FnMut(&Event) + 'static,
) -> EventListener {
    EventListener::new_with_options(
        target,
        event,
        EventListenerOptions::enable_prevent_default(),
        f,
    )
}

/// A live slider moved: its form fields follow, the results are marked stale, and the runs
/// restart [`LIVE_DEBOUNCE_MS`] after the last move.
fn slider_moved(slider: Slider) {
    let key = with_app(|app| {
        let pairs = super::form::read_pairs(&app.ui.form);
        let (_, input, label) = app.ui.sliders.iter().find(|(s, ..)| *s == slider)?;
        let position = input.value_as_number();
        label.set_text_content(Some(&slider.label(position, &pairs)));
        for (k, v) in slider.fields(position, &pairs) {
            app.ui.form.set_value(k, &v);
        }
        Some(slider.key(&pairs))
    })
    .flatten();
    let Some(key) = key else { return };
    dispatch_with_form(|form| Message::Edited {
        key: key.into(),
        form,
    });
    with_app(|app| {
        app.live_timer = Some(Timeout::new(LIVE_DEBOUNCE_MS, || {
            with_app(|app| app.live_timer = None);
            dispatch_with_form(Message::Start);
        }));
    });
}

/// Installs the page's listeners (the caller keeps them for the page's lifetime).
pub fn install(ui: &Elements) -> Vec<EventListener> {
    let window: EventTarget = web_sys::window().expect("a page has a window").into();
    let sliders = ui
        .sliders
        .iter()
        .map(|(slider, input, _)| {
            let slider = *slider;
            on(input, "input", move |_| slider_moved(slider))
        })
        .collect::<Vec<_>>();
    sliders
        .into_iter()
        .chain(vec![
            // buttons
            on(&ui.start, "click", |_| dispatch_with_form(Message::Start)),
            on(&ui.pause, "click", |_| dispatch(Message::TogglePause)),
            on(&ui.step, "click", |_| dispatch(Message::Step)),
            on(&ui.reset, "click", |_| dispatch(Message::Reset)),
            on(&ui.new_seed, "click", |_| {
                with_app(|app| app.ui.form.set_value("seed", &random_seed().to_string()));
                dispatch_with_form(|form| Message::Edited {
                    key: "seed".into(),
                    form,
                });
            }),
            on(&ui.optimal_delta, "click", |_| {
                with_app(|app| {
                    app.ui.form.set_value("lr-mode", "delta");
                    app.ui.form.set_value("delta", "optimal");
                });
                dispatch_with_form(|form| Message::Edited {
                    key: "delta".into(),
                    form,
                });
            }),
            on(&ui.copy_link, "click", |_| {
                with_app(|app| share(app, false));
            }),
            on(&ui.copy_embed, "click", |_| {
                with_app(|app| share(app, true));
            }),
            on(&ui.copy_cli, "click", |_| {
                with_app(share_cli_config);
            }),
            on(&ui.inset_exports[0], "click", |_| {
                with_app(|app| export_inset(app, false));
            }),
            on(&ui.inset_exports[1], "click", |_| {
                with_app(|app| export_inset(app, true));
            }),
            on(&ui.preset, "change", |_| {
                let id = with_app(|app| app.ui.preset.value()).unwrap_or_default();
                dispatch(Message::PresetChosen(id));
            }),
            // the form (delegated)
            on(&ui.controls, "input", |event| {
                let key = target_id(event);
                dispatch_with_form(|form| Message::Edited { key, form });
            }),
            // Enter in a field starts the run (as Start does)
            on_active(&ui.controls, "keydown", |event| {
                let Some(e) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if e.key() != "Enter" || e.is_composing() {
                    return;
                }
                let tag = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|t| t.tag_name())
                    .unwrap_or_default();
                if tag == "INPUT" || tag == "SELECT" {
                    e.prevent_default();
                    dispatch_with_form(Message::Start);
                }
            }),
            // the theory overlay and the protocol toggles restart the runs
            on(&ui.controls, "change", |event| {
                let id = target_id(event);
                if id == "theory" || id.ends_with("-toggle") {
                    dispatch_with_form(Message::Start);
                }
            }),
            // the regime map: a click picks (mu, delta) and runs it
            on(&ui.regime_map, "click", |event| {
                let Some(e) = event.dyn_ref::<MouseEvent>() else {
                    return;
                };
                let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
                let picked = with_app(|app| {
                    let (mu, delta) = setting_at(&app.regime_geometry, x, y)?;
                    let form = &app.ui.form;
                    form.set_value("batch-mode", "mu");
                    form.set_value("mu", &mu.to_string());
                    form.set_value("lr-mode", "delta");
                    form.set_value("delta", &delta.to_string());
                    Some(())
                })
                .flatten();
                if picked.is_some() {
                    dispatch_with_form(|form| Message::Edited {
                        key: "mu".into(),
                        form,
                    });
                    dispatch_with_form(Message::Start);
                }
            }),
            // tabs (ARIA tabs pattern)
            on(&ui.tab_compare, "click", |_| {
                dispatch(Message::ShowView(View::Compare))
            }),
            on(&ui.tab_explorer, "click", |_| {
                dispatch(Message::ShowView(View::Explorer))
            }),
            on_active(&ui.tabs, "keydown", |event| {
                let Some(e) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let explorer_now =
                    with_app(|app| app.model.view == View::Explorer).unwrap_or(false);
                let Some(view) = tab_after_key(&e.key(), explorer_now) else {
                    return;
                };
                e.prevent_default();
                dispatch(Message::ShowView(view));
                with_app(|app| focus_tab(&app.ui, view));
            }),
            // the user changed the URL hash in an open tab (the page's own writes use
            // history.replaceState, which fires no event)
            on(&window, "hashchange", |_| {
                let hash = web_sys::window()
                    .and_then(|w| w.location().hash().ok())
                    .unwrap_or_default();
                dispatch(Message::HashChanged(UrlState::parse(&hash)));
            }),
            on(&window, "resize", |_| {
                with_app(super::scheduler::request_redraw);
            }),
        ])
        .collect()
}

/// The listeners of one panel: hover and tap read-out on the overlap chart, export buttons.
pub fn panel_listeners(view: &PanelView, run: RunId) -> Vec<EventListener> {
    let readout = move |x: Option<f64>| {
        with_app(|app| {
            let axis = app.model.axis();
            let index = app.model.panels.iter().position(|p| p.id == run);
            if let Some(i) = index {
                if let Some(v) = app.views.get(i) {
                    v.show_readout(&app.model.panels[i], x, axis);
                }
            }
        });
    };
    let offset = |event: &Event| event.dyn_ref::<MouseEvent>().map(|e| e.offset_x() as f64);
    let mut listeners = vec![
        on(&view.overlaps, "mousemove", move |e| readout(offset(e))),
        // a tap (touch or pen) shows the same read-out as hover
        on(&view.overlaps, "pointerdown", move |e| readout(offset(e))),
        on(&view.overlaps, "mouseleave", move |_| readout(None)),
    ];
    let loss = view.loss;
    for (what, button) in &view.exports {
        let what = *what;
        listeners.push(on(button, "click", move |_| {
            with_app(|app| export(app, loss, what));
        }));
    }
    listeners
}
