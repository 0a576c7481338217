//! The page's start-up: resolve the elements, fill the preset menu, read the URL, install the
//! listeners, then (in tasks of their own) spawn the worker, start the first run and install
//! the explorer.

use super::elements::Elements;
use super::embed::{post_height_on_resize, when_visible};
use super::form::ModeGroups;
use super::scheduler::Scheduler;
use super::{
    dispatch_with_form, form, install_explorer, listeners, mark, measure_since, run_in_tasks,
    with_app, App, APP, EXPLORER_PENDING,
};
use crate::presets::PRESETS;
use crate::protocol::ToWorker;
use crate::ui::lab::{Effect, LabModel, Message, View};
use crate::url_state::UrlState;
use crate::web::dom::create;
use wasm_bindgen::prelude::*;

/// Entry point of the app binary: elements, preset menu, state from the URL, form and
/// listeners, all in the task that also finishes instantiating the wasm module (the page's
/// state is complete when that task ends); the worker, the first run and the explorer follow
/// in tasks of their own. A missing element stops here, naming it.
pub fn start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    mark("lab: start");
    let ui = Elements::resolve(&document)?;
    for p in PRESETS {
        let option = create(&document, "option", "");
        option.set_attribute("value", p.id)?;
        option.set_text_content(Some(p.title));
        ui.preset.append_child(&option)?;
    }
    let url = UrlState::parse(&window.location().hash().unwrap_or_default());
    EXPLORER_PENDING.with(|p| *p.borrow_mut() = Some(url.sweep.clone()));
    let model = LabModel::from_url(&url);
    let explorer_view = model.view == View::Explorer;
    let listeners = listeners::install(&ui);
    let modes = ModeGroups::resolve(&document);
    APP.with(|a| {
        *a.borrow_mut() = Some(App {
            model,
            ui,
            modes,
            // spawned in a task of its own after this one
            client: None,
            views: Vec::new(),
            scheduler: Scheduler::default(),
            panel_listeners: Vec::new(),
            _listeners: listeners,
            resolved_cache: None,
            regime_geometry: Default::default(),
            regime_points: None,
            inset_drawn: None,
            live_timer: None,
        })
    });
    with_app(|app| {
        let state = Box::new(app.model.state.clone());
        let view = app.model.view;
        // the resolved n_b, rate and sampler are shown before any edit
        for effect in [
            Effect::ShowUrlErrors(url.errors.clone()),
            Effect::WriteForm,
            Effect::ShowValid(state),
            Effect::ApplyEmbed,
            Effect::ShowView(view),
        ] {
            app.run(effect);
        }
        app.render();
    });
    // test hook: the end-to-end tests crash the worker to check that the page recovers
    let crash = Closure::<dyn FnMut()>::new(|| {
        with_app(|app| {
            if let Some(c) = &app.client {
                c.send(ToWorker::Panic);
            }
        });
    });
    js_sys::Reflect::set(&window, &"sgdlabCrashWorker".into(), crash.as_ref())?;
    // the hook lives as long as the page
    crash.forget();
    measure_since("lab: set-up", "lab: start");
    // The rest of the start-up runs in tasks of their own, so that none of them is long (the
    // worker's wasm compiles on the other core meanwhile): spawn the worker, open on live SGD
    // (unless the page opens on the explorer), install the explorer, then flag the page ready.
    let mut steps: Vec<Box<dyn FnOnce()>> = vec![Box::new(|| {
        mark("lab: worker");
        with_app(|app| {
            app.client = app.spawn_worker();
            app.render();
        });
    })];
    if !explorer_view {
        steps.push(Box::new(|| {
            mark("lab: first run");
            first_run();
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
fn first_run() {
    let Some((embed, autostart, root, panels, body)) = with_app(|app| {
        (
            app.model.state.embed,
            app.model.state.autostart,
            app.ui.root.clone(),
            app.ui.panels.clone(),
            app.ui.document.body(),
        )
    }) else {
        return;
    };
    if embed {
        post_height_on_resize(&root);
    }
    if !autostart || embed {
        with_app(|app| app.dispatch(Message::Prepare));
    }
    if !autostart {
        return;
    }
    if embed {
        let waiting = |on: bool| {
            if let Some(b) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                let _ = if on {
                    b.set_attribute("data-waiting-for-view", "")
                } else {
                    b.remove_attribute("data-waiting-for-view")
                };
            }
        };
        if body.is_some() {
            waiting(true);
        }
        // unless the reader pressed Start (or changed the URL) first
        if when_visible(&panels, move || {
            waiting(false);
            dispatch_with_form(Message::BecameVisible);
        }) {
            return;
        }
        waiting(false);
    }
    with_app(|app| {
        let pairs = form::read_pairs(&app.ui.form);
        app.dispatch(Message::Start(pairs));
    });
}
