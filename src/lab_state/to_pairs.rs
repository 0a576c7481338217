//! Writing the lab state as key/value pairs and as a URL hash.

use crate::config::display_number;
use crate::config::scaling::LearningRate;
use crate::initialisation::Initialisation;

use super::plain::{write_plain, PLAIN_KEYS};
use super::*;

impl LabState {
    /// The state as key/value pairs (every model and run key, so a link pins the run).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let c = &self.config;
        let mut p: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| p.push((k.to_string(), v));
        if let Some(preset) = &self.preset {
            push("preset", preset.clone());
        }
        for key in PLAIN_KEYS {
            if let Some(v) = write_plain(c, key) {
                push(key, v);
            }
        }
        if let Some(nb) = c.nb {
            push("nb", nb.to_string());
        }
        if let Some(b) = c.batch {
            push("n0", b.n0.to_string());
            if self.batch_exponents.is_empty() {
                push("mu", b.mu.to_string());
            } else {
                let list: Vec<String> = self.batch_exponents.iter().map(f64::to_string).collect();
                push("mu", list.join(","));
            }
        }
        if c.model.second_layer.a0 != 1.0 {
            push("a0", display_number(c.model.second_layer.a0));
        }
        if c.model.second_layer.trained() {
            push("a_gamma", display_number(c.model.second_layer.gamma));
        }
        if self.seeds != 1 {
            push("seeds", self.seeds.to_string());
        }
        if let Some(g) = c.gamma {
            push("gamma", display_number(g));
        }
        match c.lr {
            Some(LearningRate::Fixed { gamma0, delta }) => {
                push("gamma0", display_number(gamma0));
                push("delta", delta.to_string());
            }
            Some(LearningRate::Optimal { gamma0 }) => {
                push("gamma0", display_number(gamma0));
                push("delta", "optimal".into());
            }
            Some(LearningRate::Authors { c }) => push("c", display_number(c)),
            None => {}
        }
        match &c.model.init {
            Initialisation::Warm => push("init", "warm".into()),
            Initialisation::Cold => push("init", "cold".into()),
            Initialisation::M0 { m0 } => {
                push("init", "m0".into());
                push("m0", m0.to_string());
            }
            Initialisation::Overlaps { .. } => {}
        }
        push(
            "panels",
            self.panels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
        push("log", if self.view.log_time { "1" } else { "0" }.into());
        push(
            "unit",
            if self.view.samples {
                "samples"
            } else {
                "steps"
            }
            .into(),
        );
        push("theory", if self.view.theory { "1" } else { "0" }.into());
        if self.embed {
            push("embed", "1".into());
        }
        if !self.hide.is_empty() {
            push("hide", self.hide.join(","));
        }
        if !self.autostart {
            push("autostart", "0".into());
        }
        p
    }

    /// The state as a URL hash (without the `#`).
    pub fn to_hash(&self) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.to_pairs() {
            serializer.append_pair(&k, &v);
        }
        serializer.finish()
    }
}
