//! The settings form ↔ lab key/value pairs, on the typed handles of [`Form`]. Inputs are
//! named after the lab keys ([`crate::lab_state::KEYS`]); mode selectors (batch given as n_b
//! or n0 d^mu, learning rate as gamma, gamma0 d^-delta or c n_b p d^(-l/2)) decide which keys
//! are read.

use super::elements::Form;
use crate::lab_state::{FieldError, LabState, PLAIN_KEYS};
use crate::ui::lab::live::Slider;
use crate::ui::lab::regime_map::MapPoint;
use crate::ui::lab::{information_exponent_text, map_points, resolved_text, FormPairs};
use crate::web::dom::set_hidden;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement};

/// The form as lab key/value pairs (the preset and the embed options are added by the model).
pub fn read_pairs(form: &Form) -> FormPairs {
    // the plain keys and `init` are read from the control of the same id
    let mut pairs: FormPairs = PLAIN_KEYS
        .iter()
        .chain(&["init"])
        .map(|k| (k.to_string(), form.value(k)))
        .collect();
    let mut read = |key: &str| pairs.push((key.into(), form.value(key)));
    if form.value("init") == "m0" {
        read("m0");
    }
    read("seeds");
    read("a0");
    read("a_gamma");
    if form.value("batch-mode") == "nb" {
        read("nb");
    } else {
        read("n0");
        read("mu");
    }
    match form.value("lr-mode").as_str() {
        "gamma" => read("gamma"),
        "delta" => {
            read("gamma0");
            read("delta");
        }
        _ => read("c"),
    }
    let panels: Vec<String> = form
        .toggles
        .iter()
        .filter(|(_, t)| t.checked())
        .map(|(loss, _)| loss.to_string())
        .collect();
    let flag = |id: &str| if form.control(id).checked() { "1" } else { "0" };
    let (log, theory) = (flag("log"), flag("theory"));
    pairs.push(("panels".into(), panels.join(",")));
    pairs.push(("log".into(), log.into()));
    pairs.push(("unit".into(), form.value("unit")));
    pairs.push(("theory".into(), theory.into()));
    pairs
}

/// The mode-dependent field groups (`.mode-nb`, `.mode-mu`, …) of the form.
#[derive(Clone)]
pub struct ModeGroups(Vec<(&'static str, Vec<Element>)>);

impl ModeGroups {
    /// Finds the groups once.
    pub fn resolve(document: &Document) -> ModeGroups {
        let classes = [
            "mode-nb",
            "mode-mu",
            "mode-c",
            "mode-delta",
            "mode-gamma",
            "mode-m0",
        ];
        ModeGroups(
            classes
                .into_iter()
                .map(|class| {
                    let mut list = Vec::new();
                    if let Ok(nodes) = document.query_selector_all(&format!(".{class}")) {
                        for i in 0..nodes.length() {
                            if let Some(e) = nodes.item(i).and_then(|n| n.dyn_into().ok()) {
                                list.push(e);
                            }
                        }
                    }
                    (class, list)
                })
                .collect(),
        )
    }

    /// Shows the inputs of the selected modes only.
    pub fn sync(&self, form: &Form) {
        let (batch, lr, init) = (
            form.value("batch-mode"),
            form.value("lr-mode"),
            form.value("init"),
        );
        for (class, elements) in &self.0 {
            let on = match *class {
                "mode-nb" => batch == "nb",
                "mode-mu" => batch != "nb",
                "mode-c" => lr == "c",
                "mode-delta" => lr == "delta",
                "mode-gamma" => lr == "gamma",
                _ => init == "m0",
            };
            for e in elements {
                set_hidden(e, !on);
            }
        }
    }
}

/// Fills the form from a state.
pub fn write_state(form: &Form, modes: &ModeGroups, state: &LabState) {
    for (key, v) in state.to_pairs() {
        match key.as_str() {
            "nb" => {
                form.set_value("batch-mode", "nb");
                form.set_value("nb", &v);
            }
            "mu" | "n0" => {
                form.set_value("batch-mode", "mu");
                form.set_value(&key, &v);
            }
            "gamma" => {
                form.set_value("lr-mode", "gamma");
                form.set_value("gamma", &v);
            }
            "gamma0" | "delta" => {
                form.set_value("lr-mode", "delta");
                form.set_value(&key, &v);
            }
            "c" => {
                form.set_value("lr-mode", "c");
                form.set_value("c", &v);
            }
            "panels" => {
                for (loss, toggle) in &form.toggles {
                    toggle.set_checked(state.panels.contains(loss));
                }
            }
            "log" | "theory" => form.control(&key).set_checked(v == "1"),
            "preset" | "embed" | "hide" | "autostart" | "view" => {}
            _ => form.set_value(&key, &v),
        }
    }
    if state.config.model.activation.is_none() {
        form.set_value("activation", "");
    }
    form.set_value("seeds", &state.seeds.to_string());
    form.set_value(
        "a0",
        &crate::config::display_number(state.config.model.second_layer.a0),
    );
    form.set_value(
        "a_gamma",
        &crate::config::display_number(state.config.model.second_layer.gamma),
    );
    if state.config.nb.is_none() && state.config.batch.is_none() {
        // n_b = d, as n0 d^mu (so that changing d keeps mu)
        form.set_value("batch-mode", "mu");
        form.set_value("n0", "1");
        form.set_value("mu", "1");
    }
    modes.sync(form);
}

/// Clears every inline message.
pub fn clear_errors(form: &Form) {
    for slot in form.errors.values() {
        slot.set_text_content(Some(""));
    }
    form.form_error.set_text_content(Some(""));
}

/// Shows every error: next to its field, or in the form line when the field has no message
/// slot (several errors of one place are joined, none overwrites another).
pub fn show_errors(form: &Form, errors: &[FieldError]) {
    let mut texts: Vec<(Option<&String>, Vec<String>)> = Vec::new();
    for e in errors {
        let (slot, text) = match form.errors.get_key_value(&e.key) {
            Some((key, _)) => (Some(key), e.message.clone()),
            None => (None, e.to_string()),
        };
        match texts.iter_mut().find(|(s, _)| *s == slot) {
            Some((_, list)) => list.push(text),
            None => texts.push((slot, vec![text])),
        }
    }
    for (slot, list) in texts {
        let element = slot.map_or(&form.form_error, |k| &form.errors[k]);
        element.set_text_content(Some(&list.join("; ")));
    }
}

/// What the form's settings resolve to: the text under the form and the regime map's points.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The settings, as a URL hash (the cache key).
    pub key: String,
    /// The resolved numbers per protocol.
    pub text: String,
    /// The panels' (protocol, μ, δ).
    pub points: Vec<MapPoint>,
}

/// The resolved numbers under the form and the target's information exponent; returns the
/// regime map's points. Resolving runs the auto sampler's pilot for non-polynomial links, so
/// the last result is kept and reused.
pub fn describe_resolved(
    form: &Form,
    cache: &mut Option<Resolved>,
    state: &LabState,
) -> Vec<MapPoint> {
    let key = state.to_hash();
    let resolved = match cache {
        Some(r) if r.key == key => r.clone(),
        _ => {
            let r = Resolved {
                key,
                text: resolved_text(state),
                points: map_points(state),
            };
            *cache = Some(r.clone());
            r
        }
    };
    form.resolved.set_text_content(Some(&resolved.text));
    form.information_exponent
        .set_text_content(Some(&information_exponent_text(state)));
    resolved.points
}

/// Moves the live sliders to `state` and writes their labels.
pub fn sync_sliders(sliders: &[(Slider, HtmlInputElement, Element)], state: &LabState) {
    let pairs = state.to_pairs();
    for (slider, input, label) in sliders {
        let position = slider.position(state);
        input.set_value_as_number(position);
        label.set_text_content(Some(&slider.label(position, &pairs)));
    }
}
