//! Typed handles of the lab page's elements, resolved once at start-up: a missing or
//! mistyped element stops the start-up with its id named, instead of reading as `""` later.

use crate::lab_state::{KEYS, PLAIN_KEYS};
use crate::model::Loss;
use crate::ui::lab::live::Slider;
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlCanvasElement, HtmlElement, HtmlInputElement,
    HtmlSelectElement, HtmlTextAreaElement,
};

/// The element `#id` as a `T`, or an error naming the id and the expected type.
pub fn by_id<T: JsCast>(document: &Document, id: &str) -> Result<T, JsValue> {
    document
        .get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("the page has no element #{id}")))?
        .dyn_into::<T>()
        .map_err(|_| {
            JsValue::from_str(&format!(
                "#{id} is not a {}",
                std::any::type_name::<T>().rsplit("::").next().unwrap_or("")
            ))
        })
}

/// A form control: a text/number input, a checkbox or a select.
#[derive(Clone)]
pub enum Control {
    /// `<input>` (text, number or checkbox).
    Input(HtmlInputElement),
    /// `<select>`.
    Select(HtmlSelectElement),
}

impl Control {
    /// The control `#id`, or an error naming it.
    pub fn resolve(document: &Document, id: &str) -> Result<Control, JsValue> {
        let element: Element = by_id(document, id)?;
        if let Some(i) = element.dyn_ref::<HtmlInputElement>() {
            Ok(Control::Input(i.clone()))
        } else if let Some(s) = element.dyn_ref::<HtmlSelectElement>() {
            Ok(Control::Select(s.clone()))
        } else {
            Err(JsValue::from_str(&format!(
                "#{id} is neither an input nor a select"
            )))
        }
    }

    /// The control's value.
    pub fn value(&self) -> String {
        match self {
            Control::Input(i) => i.value(),
            Control::Select(s) => s.value(),
        }
    }

    /// Sets the control's value.
    pub fn set_value(&self, v: &str) {
        match self {
            Control::Input(i) => i.set_value(v),
            Control::Select(s) => {
                s.set_value(v);
                // a Hermite polynomial target (from a URL or a preset) is not in the menu: it
                // gets an option of its own, labelled with its formula, so the form reads it back
                if s.selected_index() < 0 && v.starts_with('{') {
                    let label = v
                        .parse::<crate::model::Target>()
                        .map_or_else(|_| v.to_string(), |t| t.formula(0));
                    if let Ok(option) =
                        web_sys::HtmlOptionElement::new_with_text_and_value(&label, v)
                    {
                        let _ = s.add_with_html_option_element(&option);
                        s.set_value(v);
                    }
                }
            }
        }
    }

    /// A checkbox's state (false for other controls).
    pub fn checked(&self) -> bool {
        matches!(self, Control::Input(i) if i.checked())
    }

    /// Sets a checkbox.
    pub fn set_checked(&self, on: bool) {
        if let Control::Input(i) = self {
            i.set_checked(on);
        }
    }
}

/// Ids of the settings form's controls besides the plain keys' ([`PLAIN_KEYS`], whose
/// controls have the key as id): keys with a control of their own, the mode selectors and the
/// view options.
pub const OTHER_CONTROL_IDS: [&str; 17] = [
    "a0",
    "a_gamma",
    "init",
    "m0",
    "seeds",
    "batch-mode",
    "nb",
    "n0",
    "mu",
    "lr-mode",
    "gamma",
    "gamma0",
    "delta",
    "c",
    "log",
    "unit",
    "theory",
];

/// The settings form: its controls and the message slots next to them.
#[derive(Clone)]
pub struct Form {
    controls: BTreeMap<&'static str, Control>,
    /// The protocol toggles `panel-<loss>-toggle`, in [`Loss::ALL`] order.
    pub toggles: Vec<(Loss, HtmlInputElement)>,
    /// `<key>-error` slots of the keys that have one.
    pub errors: BTreeMap<String, Element>,
    /// The form's own message line (`#form-error`): errors without a slot, the cost warning.
    pub form_error: Element,
    /// The resolved numbers under the form.
    pub resolved: Element,
    /// The target's information exponent.
    pub information_exponent: Element,
}

impl Form {
    fn resolve(document: &Document) -> Result<Form, JsValue> {
        let controls = PLAIN_KEYS
            .iter()
            .chain(&OTHER_CONTROL_IDS)
            .map(|&id| Ok((id, Control::resolve(document, id)?)))
            .collect::<Result<_, JsValue>>()?;
        let toggles = Loss::ALL
            .iter()
            .map(|&loss| Ok((loss, by_id(document, &format!("panel-{loss}-toggle"))?)))
            .collect::<Result<_, JsValue>>()?;
        // not every key has a slot (e.g. `view`): those errors go to the form line
        let errors = KEYS
            .iter()
            .filter_map(|key| {
                document
                    .get_element_by_id(&format!("{key}-error"))
                    .map(|e| (key.to_string(), e))
            })
            .collect();
        Ok(Form {
            controls,
            toggles,
            errors,
            form_error: by_id(document, "form-error")?,
            resolved: by_id(document, "resolved")?,
            information_exponent: by_id(document, "information-exponent")?,
        })
    }

    /// The control `id` (one of [`PLAIN_KEYS`] or [`OTHER_CONTROL_IDS`]; anything else is a programming error caught
    /// by the start-up, which resolves them all).
    pub fn control(&self, id: &str) -> &Control {
        self.controls
            .get(id)
            .unwrap_or_else(|| panic!("#{id} is not a form control"))
    }

    /// The value of control `id`.
    pub fn value(&self, id: &str) -> String {
        self.control(id).value()
    }

    /// Sets the value of control `id`.
    pub fn set_value(&self, id: &str, v: &str) {
        self.control(id).set_value(v);
    }
}

/// Every element of the lab page the code reads or writes (the panels' own elements are
/// created by [`super::panel_view::PanelView`] and held there).
#[derive(Clone)]
pub struct Elements {
    /// The page's document.
    pub document: Document,
    /// The root of the page (its height is reported to an embedding page).
    pub root: HtmlElement,
    /// The top status line.
    pub status: Element,
    /// Start / Pause-Resume / Step / Reset / New seed / optimal δ buttons.
    pub start: HtmlButtonElement,
    /// Pause / Resume.
    pub pause: HtmlButtonElement,
    /// One step.
    pub step: HtmlButtonElement,
    /// Reset.
    pub reset: HtmlButtonElement,
    /// A new random seed.
    pub new_seed: HtmlButtonElement,
    /// Sets δ = δ*.
    pub optimal_delta: HtmlButtonElement,
    /// The preset menu and its explanation.
    pub preset: HtmlSelectElement,
    /// The selected preset's explanation.
    pub preset_explanation: Element,
    /// The settings' container (its input/change/keydown events are delegated).
    pub controls: Element,
    /// The settings form.
    pub form: Form,
    /// The regime map (μ, δ).
    pub regime_map: HtmlCanvasElement,
    /// The live sliders and their labels, in [`Slider::ALL`] order.
    pub sliders: Vec<(Slider, HtmlInputElement, Element)>,
    /// The θ = log_d T inset under the panels.
    pub inset: HtmlCanvasElement,
    /// Its figure (hidden while nothing is an ensemble).
    pub inset_figure: Element,
    /// Its PNG and SVG export buttons.
    pub inset_exports: [HtmlButtonElement; 2],
    /// The panels' container.
    pub panels: Element,
    /// The note shown while results are stale.
    pub stale_note: Element,
    /// The rejected URL parameters.
    pub url_errors: Element,
    /// The shared link / embed snippet.
    pub share_text: HtmlTextAreaElement,
    /// Copy link / copy embed snippet.
    pub copy_link: HtmlButtonElement,
    /// Copy embed snippet.
    pub copy_embed: HtmlButtonElement,
    /// Copy the panels' runs as a `sgdlab run` config.
    pub copy_cli: HtmlButtonElement,
    /// The tab list and its two tabs.
    pub tabs: Element,
    /// The Compare tab.
    pub tab_compare: HtmlElement,
    /// The explorer tab.
    pub tab_explorer: HtmlElement,
    /// The two views.
    pub compare: Element,
    /// The explorer view.
    pub explorer: Element,
}

impl Elements {
    /// Resolves every element once; the first missing one is named in the error.
    pub fn resolve(document: &Document) -> Result<Elements, JsValue> {
        let d = document;
        Ok(Elements {
            document: d.clone(),
            root: by_id(d, "app-root")?,
            status: by_id(d, "status")?,
            start: by_id(d, "start")?,
            pause: by_id(d, "pause")?,
            step: by_id(d, "step")?,
            reset: by_id(d, "reset")?,
            new_seed: by_id(d, "new-seed")?,
            optimal_delta: by_id(d, "optimal-delta")?,
            preset: by_id(d, "preset")?,
            preset_explanation: by_id(d, "preset-explanation")?,
            controls: by_id(d, "controls")?,
            form: Form::resolve(d)?,
            regime_map: by_id(d, "regime-map")?,
            sliders: Slider::ALL
                .iter()
                .map(|&s| {
                    Ok((
                        s,
                        by_id(d, s.id())?,
                        by_id(d, &format!("{}-label", s.id()))?,
                    ))
                })
                .collect::<Result<_, JsValue>>()?,
            inset: by_id(d, "theta-inset")?,
            inset_figure: by_id(d, "inset-figure")?,
            inset_exports: [by_id(d, "inset-export-png")?, by_id(d, "inset-export-svg")?],
            panels: by_id(d, "panels")?,
            stale_note: by_id(d, "stale-note")?,
            url_errors: by_id(d, "url-errors")?,
            share_text: by_id(d, "share-text")?,
            copy_link: by_id(d, "copy-link")?,
            copy_embed: by_id(d, "copy-embed")?,
            copy_cli: by_id(d, "copy-cli")?,
            tabs: by_id(d, "tabs")?,
            tab_compare: by_id(d, "tab-compare")?,
            tab_explorer: by_id(d, "tab-explorer")?,
            compare: by_id(d, "compare")?,
            explorer: by_id(d, "explorer")?,
        })
    }
}
