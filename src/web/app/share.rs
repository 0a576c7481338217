//! Sharing and exports: the page's link, the embed snippet, and a panel's CSV / JSON / PNG.

use super::embed::{embed_height, embed_snippet};
use super::panel_view::Export;
use super::{form, App};
use crate::model::Loss;
use crate::ui::lab::{cli_config, Message};
use crate::web::chart::chart_svg;
use crate::web::dom::{download, download_text};

/// The page's URL without its hash.
fn page_url_without_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Default hidden groups of a shared embed: the model, rate and run settings. The batch size
/// stays: it is what a course page is about.
pub const EMBED_HIDE: [&str; 3] = ["model", "rate", "run"];

/// Copies the page's link (or its embed snippet) for the form's settings (the shown ones if
/// the form is invalid), shows it in the share box and says so in the status line.
pub fn share(app: &mut App, embed: bool) {
    let pairs = form::read_pairs(&app.ui.form);
    let mut state = app
        .model
        .form_state(&pairs)
        .unwrap_or_else(|_| app.model.state.clone());
    if embed {
        state.embed = true;
        if state.hide.is_empty() {
            state.hide = EMBED_HIDE.iter().map(|s| s.to_string()).collect();
        }
    }
    let url = format!("{}#{}", page_url_without_hash(), state.to_hash());
    let text = if embed {
        embed_snippet(
            &url.replace('"', "%22"),
            &format!("sgdlab-{:x}", random_seed() & 0xff_ffff),
            embed_height(state.panels.len()),
        )
    } else {
        url
    };
    app.ui.share_text.set_value(&text);
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
    }
    let notice = if embed {
        "embed snippet copied"
    } else {
        "link copied"
    };
    app.dispatch(Message::Notice(notice.into()));
}

/// Copies the form's runs (the shown ones if the form is invalid) as a config for
/// `sgdlab run` (or `sgdlab.run` in Python), shows it in the share box and says so.
pub fn share_cli_config(app: &mut App) {
    let pairs = form::read_pairs(&app.ui.form);
    let state = app
        .model
        .form_state(&pairs)
        .unwrap_or_else(|_| app.model.state.clone());
    let text = cli_config(&state);
    app.ui.share_text.set_value(&text);
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
    }
    app.dispatch(Message::Notice(
        "CLI config copied: save it as runs.json and run sgdlab run runs.json".into(),
    ));
}

/// Downloads `what` of the panel of protocol `loss`.
pub fn export(app: &App, loss: Loss, what: Export) {
    let (Some(panel), Some(view)) = (
        app.model.panels.iter().find(|p| p.loss == loss),
        app.views.iter().find(|v| v.loss == loss),
    ) else {
        return;
    };
    let document = &app.ui.document;
    let base = format!("online-sgd-lab-{loss}-seed{}", app.model.state.config.seed);
    match what {
        Export::Csv => download_text(document, &format!("{base}.csv"), "text/csv", &panel.csv()),
        Export::Json => download_text(
            document,
            &format!("{base}.json"),
            "application/json",
            &panel.json(),
        ),
        Export::Png => {
            let (eta, axis) = (app.model.state.config.model.eta, app.model.axis());
            for (chart, ..) in view.charts(panel, eta, axis) {
                if let Ok(url) = view.canvas_of(chart).to_data_url() {
                    download(document, &format!("{base}-{chart}.png"), &url);
                }
            }
        }
        Export::Svg => {
            let (eta, axis) = (app.model.state.config.model.eta, app.model.axis());
            for (chart, spec, w, h) in view.charts(panel, eta, axis) {
                match chart_svg(&spec, w, h) {
                    Ok(svg) => download_text(
                        document,
                        &format!("{base}-{chart}.svg"),
                        "image/svg+xml",
                        &svg,
                    ),
                    Err(e) => web_sys::console::warn_1(&format!("svg: {e}").into()),
                }
            }
        }
    }
}

/// A random seed below 2^53, so it survives any JSON consumer of an export.
pub fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return (js_sys::Math::random() * 9.0e15) as u64;
    }
    u64::from_le_bytes(bytes) >> 11
}

/// Downloads the θ inset as PNG (its canvas) or SVG (drawn again at the canvas' CSS size).
pub fn export_inset(app: &App, svg: bool) {
    let document = &app.ui.document;
    let canvas = &app.ui.inset;
    let name = "online-sgd-lab-theta-inset";
    if svg {
        let (w, h) = (
            canvas.client_width().max(320),
            canvas.client_height().max(200),
        );
        match chart_svg(&app.model.inset_spec(), w as u32, h as u32) {
            Ok(text) => download_text(document, &format!("{name}.svg"), "image/svg+xml", &text),
            Err(e) => web_sys::console::warn_1(&format!("svg: {e}").into()),
        }
    } else if let Ok(url) = canvas.to_data_url() {
        download(document, &format!("{name}.png"), &url);
    }
}
