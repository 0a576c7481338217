//! The settings form ↔ [`LabState`] key/value pairs. Inputs are named after the lab keys
//! ([`crate::lab_state::KEYS`]); mode selectors (batch given as n_b or n0 d^mu, learning rate
//! as gamma, gamma0 d^-delta or c n_b p d^(-l/2)) decide which keys are read.

use crate::lab_state::{FieldError, LabState, KEYS};
use crate::model::{target_information_exponent, Loss, Target};
use crate::web::dom::{checked, set_checked, set_hidden, set_text, set_value, value};
use web_sys::Document;

/// Keys read from plain inputs of the same id.
const PLAIN: [&str; 12] = [
    "target",
    "activation",
    "d",
    "p",
    "k",
    "noise",
    "update",
    "init",
    "steps",
    "seed",
    "sampler",
    "eta",
];

/// The form as lab key/value pairs (`preset` and the embed options are added by the caller).
pub fn read_pairs(document: &Document) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = PLAIN
        .iter()
        .map(|k| (k.to_string(), value(document, k)))
        .collect();
    if value(document, "init") == "m0" {
        pairs.push(("m0".into(), value(document, "m0")));
    }
    if value(document, "batch-mode") == "nb" {
        pairs.push(("nb".into(), value(document, "nb")));
    } else {
        pairs.push(("n0".into(), value(document, "n0")));
        pairs.push(("mu".into(), value(document, "mu")));
    }
    match value(document, "lr-mode").as_str() {
        "gamma" => pairs.push(("gamma".into(), value(document, "gamma"))),
        "delta" => {
            pairs.push(("gamma0".into(), value(document, "gamma0")));
            pairs.push(("delta".into(), value(document, "delta")));
        }
        _ => pairs.push(("c".into(), value(document, "c"))),
    }
    let panels: Vec<&str> = ["mse", "correlation", "adaptive"]
        .into_iter()
        .filter(|l| checked(document, &format!("panel-{l}-toggle")))
        .collect();
    pairs.push(("panels".into(), panels.join(",")));
    pairs.push((
        "log".into(),
        if checked(document, "log") { "1" } else { "0" }.into(),
    ));
    pairs.push(("unit".into(), value(document, "unit")));
    pairs.push((
        "theory".into(),
        if checked(document, "theory") {
            "1"
        } else {
            "0"
        }
        .into(),
    ));
    pairs
}

/// Shows the inputs of the selected modes only.
pub fn sync_modes(document: &Document) {
    let batch = value(document, "batch-mode");
    let lr = value(document, "lr-mode");
    let init = value(document, "init");
    let show = |class: &str, on: bool| {
        if let Ok(list) = document.query_selector_all(&format!(".{class}")) {
            for i in 0..list.length() {
                if let Some(e) = list
                    .item(i)
                    .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
                {
                    set_hidden(&e, !on);
                }
            }
        }
    };
    show("mode-nb", batch == "nb");
    show("mode-mu", batch != "nb");
    show("mode-c", lr == "c");
    show("mode-delta", lr == "delta");
    show("mode-gamma", lr == "gamma");
    show("mode-m0", init == "m0");
}

/// Fills the form from a state.
pub fn write_state(document: &Document, state: &LabState) {
    for (key, v) in state.to_pairs() {
        match key.as_str() {
            "nb" => {
                set_value(document, "batch-mode", "nb");
                set_value(document, "nb", &v);
            }
            "mu" | "n0" => {
                set_value(document, "batch-mode", "mu");
                set_value(document, &key, &v);
            }
            "gamma" => {
                set_value(document, "lr-mode", "gamma");
                set_value(document, "gamma", &v);
            }
            "gamma0" | "delta" => {
                set_value(document, "lr-mode", "delta");
                set_value(document, &key, &v);
            }
            "c" => {
                set_value(document, "lr-mode", "c");
                set_value(document, "c", &v);
            }
            "panels" => {
                for loss in Loss::ALL {
                    set_checked(
                        document,
                        &format!("panel-{loss}-toggle"),
                        state.panels.contains(&loss),
                    );
                }
            }
            "log" | "theory" => set_checked(document, &key, v == "1"),
            "preset" | "embed" | "hide" => {}
            _ => set_value(document, &key, &v),
        }
    }
    if state.config.activation.is_none() {
        set_value(document, "activation", "");
    }
    if state.config.nb.is_none() && state.config.batch.is_none() {
        // n_b = d, as n0 d^mu (so that changing d keeps mu)
        set_value(document, "batch-mode", "mu");
        set_value(document, "n0", "1");
        set_value(document, "mu", "1");
    }
    sync_modes(document);
}

/// Clears every inline message.
pub fn clear_errors(document: &Document) {
    for key in KEYS.iter().chain(["form"].iter()) {
        set_text(document, &format!("{key}-error"), "");
    }
}

/// Shows every error: next to its field, or in the form line when the field has no message
/// slot (several errors of one place are joined, none overwrites another).
pub fn show_errors(document: &Document, errors: &[FieldError]) {
    let mut texts: Vec<(String, Vec<String>)> = Vec::new();
    for e in errors {
        let id = format!("{}-error", e.key);
        let (id, text) = if document.get_element_by_id(&id).is_some() {
            (id, e.message.clone())
        } else {
            ("form-error".to_string(), e.to_string())
        };
        match texts.iter_mut().find(|(i, _)| *i == id) {
            Some((_, list)) => list.push(text),
            None => texts.push((id, vec![text])),
        }
    }
    for (id, list) in texts {
        set_text(document, &id, &list.join("; "));
    }
}

/// The resolved numbers, shown under the form: n_b, gamma, delta, regime, sampler per protocol.
pub fn describe_resolved(document: &Document, state: &LabState) {
    let text = match state.resolve() {
        Ok(resolved) => resolved
            .iter()
            .map(|r| {
                format!(
                    "{}: n_b = {} (μ = {:.3}), {}, {}, sampler {}",
                    r.input.loss.label(),
                    r.nb_resolved,
                    r.mu_resolved,
                    r.rate().describe(),
                    r.regime()
                        .map(|g| format!("{} regime", g.label()))
                        .unwrap_or_else(|| "regime: give γ₀ and δ".to_string()),
                    r.sampler_resolved
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(_) => String::new(),
    };
    set_text(document, "resolved", &text);
    let l = match value(document, "target").parse::<Target>() {
        Ok(t) => target_information_exponent(&t, state.config.k)
            .map(|l| format!("information exponent l = {l}"))
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    set_text(document, "information-exponent", &l);
}
