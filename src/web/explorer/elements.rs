//! Typed handles of the explorer's elements, resolved once when it is installed.

use crate::model::Loss;
use crate::ui::explorer::ExplorerForm;
use crate::web::app::elements::{by_id, Control};
use wasm_bindgen::JsValue;
use web_sys::{Document, Element, HtmlButtonElement, HtmlCanvasElement, HtmlInputElement};

/// The explorer's controls.
#[derive(Clone)]
pub struct ExplorerControls {
    target: Control,
    activation: Control,
    d: Control,
    update: Control,
    protocols: Vec<(Loss, HtmlInputElement)>,
    mu_from: Control,
    mu_to: Control,
    mu_step: Control,
    lr_policy: Control,
    gamma0: Control,
    delta: Control,
    gamma0_by_protocol: Control,
    seeds: Control,
    eta: Control,
    max_steps: Control,
    noise: Control,
    /// The Web Workers field.
    pub workers: Control,
    /// The mode select (`mu` or `d`).
    pub mode: Control,
    log2_d_from: Control,
    log2_d_to: Control,
    log2_d_step: Control,
    mu_fixed: Control,
    a0: Control,
    a0_rate: Control,
}

impl ExplorerControls {
    fn resolve(d: &Document) -> Result<Self, JsValue> {
        let c = |id: &str| Control::resolve(d, id);
        Ok(ExplorerControls {
            target: c("x-target")?,
            activation: c("x-activation")?,
            d: c("x-d")?,
            update: c("x-update")?,
            protocols: Loss::ALL
                .iter()
                .map(|&l| Ok((l, by_id(d, &format!("x-protocol-{l}"))?)))
                .collect::<Result<_, JsValue>>()?,
            mu_from: c("x-mu-from")?,
            mu_to: c("x-mu-to")?,
            mu_step: c("x-mu-step")?,
            lr_policy: c("x-lr-policy")?,
            gamma0: c("x-gamma0")?,
            delta: c("x-delta")?,
            gamma0_by_protocol: c("x-gamma0-by-protocol")?,
            seeds: c("x-seeds")?,
            eta: c("x-eta")?,
            max_steps: c("x-max-steps")?,
            noise: c("x-noise")?,
            workers: c("x-workers")?,
            mode: c("x-mode")?,
            log2_d_from: c("x-log2-d-from")?,
            log2_d_to: c("x-log2-d-to")?,
            log2_d_step: c("x-log2-d-step")?,
            mu_fixed: c("x-mu-fixed")?,
            a0: c("x-a0")?,
            a0_rate: c("x-a0-rate")?,
        })
    }

    /// The pairs (control, text) of the form's text fields.
    fn fields(&self) -> [&Control; 23] {
        [
            &self.target,
            &self.activation,
            &self.d,
            &self.update,
            &self.mu_from,
            &self.mu_to,
            &self.mu_step,
            &self.lr_policy,
            &self.gamma0,
            &self.delta,
            &self.gamma0_by_protocol,
            &self.seeds,
            &self.eta,
            &self.max_steps,
            &self.noise,
            &self.workers,
            &self.mode,
            &self.log2_d_from,
            &self.log2_d_to,
            &self.log2_d_step,
            &self.mu_fixed,
            &self.a0,
            &self.a0_rate,
        ]
    }

    /// The form as it stands.
    pub fn read(&self) -> ExplorerForm {
        let [target, activation, d, update, mu_from, mu_to, mu_step, lr_policy, gamma0, delta, gamma0_by_protocol, seeds, eta, max_steps, noise, workers, mode, log2_d_from, log2_d_to, log2_d_step, mu_fixed, a0, a0_rate] =
            self.fields().map(Control::value);
        ExplorerForm {
            target,
            activation,
            d,
            update,
            protocols: self
                .protocols
                .iter()
                .filter(|(_, i)| i.checked())
                .map(|(l, _)| *l)
                .collect(),
            mu_from,
            mu_to,
            mu_step,
            lr_policy,
            gamma0,
            delta,
            gamma0_by_protocol,
            seeds,
            eta,
            max_steps,
            noise,
            workers,
            mode,
            log2_d_from,
            log2_d_to,
            log2_d_step,
            mu_fixed,
            a0,
            a0_rate,
        }
    }

    /// Fills the controls from `form` (the workers field only when `form` has one).
    pub fn write(&self, form: &ExplorerForm) {
        let values = [
            &form.target,
            &form.activation,
            &form.d,
            &form.update,
            &form.mu_from,
            &form.mu_to,
            &form.mu_step,
            &form.lr_policy,
            &form.gamma0,
            &form.delta,
            &form.gamma0_by_protocol,
            &form.seeds,
            &form.eta,
            &form.max_steps,
            &form.noise,
            &form.workers,
            &form.mode,
            &form.log2_d_from,
            &form.log2_d_to,
            &form.log2_d_step,
            &form.mu_fixed,
            &form.a0,
            &form.a0_rate,
        ];
        for (control, value) in self.fields().into_iter().zip(values) {
            // an empty delta (not a fixed policy) and an empty workers field keep the control's
            if !value.is_empty() {
                control.set_value(value);
            }
        }
        // an empty activation is a choice ("same as g"), written like any other
        self.activation.set_value(&form.activation);
        for (loss, input) in &self.protocols {
            input.set_checked(form.protocols.contains(loss));
        }
    }
}

/// Every element of the explorer.
#[derive(Clone)]
pub struct ExplorerElements {
    /// The form (its input events are delegated).
    pub form: Element,
    /// The controls.
    pub controls: ExplorerControls,
    /// The workers hint.
    pub workers_hint: Element,
    /// The summary line.
    pub summary: Element,
    /// Run, Cancel, exports.
    pub run: HtmlButtonElement,
    /// Cancel.
    pub cancel: HtmlButtonElement,
    /// CSV export.
    pub export_csv: HtmlButtonElement,
    /// JSON export.
    pub export_json: HtmlButtonElement,
    /// Export both charts as PNG.
    pub export_png: HtmlButtonElement,
    /// Export both charts as SVG.
    pub export_svg: HtmlButtonElement,
    /// Load a saved sweep (file input).
    pub load: HtmlInputElement,
    /// The status line.
    pub status: Element,
    /// Errors of the form and of failed jobs.
    pub error: Element,
    /// The progress bar.
    pub bar: Element,
    /// The progress text (with `data-done`, `data-total`, … for the tests and benchmarks).
    pub progress_text: Element,
    /// θ chart.
    pub theta: HtmlCanvasElement,
    /// Samples chart.
    pub samples: HtmlCanvasElement,
    /// The note under the charts.
    pub note: Element,
    /// The read-out of the point under the pointer.
    pub tooltip: Element,
}

impl ExplorerElements {
    /// Resolves every element once; the first missing one is named in the error.
    pub fn resolve(d: &Document) -> Result<Self, JsValue> {
        Ok(ExplorerElements {
            form: by_id(d, "x-form")?,
            controls: ExplorerControls::resolve(d)?,
            workers_hint: by_id(d, "x-workers-hint")?,
            summary: by_id(d, "x-summary")?,
            run: by_id(d, "x-run")?,
            cancel: by_id(d, "x-cancel")?,
            export_csv: by_id(d, "x-export-csv")?,
            export_json: by_id(d, "x-export-json")?,
            export_png: by_id(d, "x-export-png")?,
            export_svg: by_id(d, "x-export-svg")?,
            load: by_id(d, "x-load")?,
            status: by_id(d, "x-status")?,
            error: by_id(d, "x-error")?,
            bar: by_id(d, "x-bar")?,
            progress_text: by_id(d, "x-progress-text")?,
            theta: by_id(d, "x-theta")?,
            samples: by_id(d, "x-samples")?,
            note: by_id(d, "x-note")?,
            tooltip: by_id(d, "x-tooltip")?,
        })
    }
}
