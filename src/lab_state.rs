//! The state of the lab page as flat `key=value` pairs: the form's fields, the URL hash
//! (`#d=1024&target=he3&...`, so reloading or sharing a link gives the same run, seed included)
//! and the embed options all use this one representation and one validation.
//!
//! Values from a URL are untrusted: every key is parsed with the same messages as the form
//! fields (naming the key and the valid range), unknown keys are reported, and nothing is ever
//! interpreted as HTML.
//!
//! | key | meaning | example |
//! |---|---|---|
//! | `target`, `activation` | links (`he3`, `erf`, `tanh`, `relu`, `tanh_product`; activation empty = target's) | `he3` |
//! | `d`, `p`, `k`, `noise` | model | `1024` |
//! | `nb` or `n0` + `mu` | batch size n_b, or n0 d^mu (the default: n0 = 1, mu = 1, so n_b = d follows d) | `mu=1.5` |
//! | `gamma`, or `gamma0` + `delta`, or `c` | learning rate: fixed, gamma0 d^-delta, or c n_b p d^(-l/2) | `c=0.032` |
//! | `update` | `projected` / `spherical` | |
//! | `init`, `m0` | `warm` / `cold` / `m0` (with `m0=`) | |
//! | `steps`, `seed`, `sampler`, `eta` | run | |
//! | `panels` | protocols side by side | `mse,correlation,adaptive` |
//! | `log`, `unit`, `theory` | time axis log (1/0), `steps`/`samples`, theory overlay (1/0) | |
//! | `preset`, `embed`, `hide`, `autostart` | preset id, embed mode (1), controls to hide, start without waiting for Start (1, default) | `hide=controls` |

use crate::config::json::{cut, cut_to, key_name};
use crate::config::scaling::{BatchScaling, LearningRate};
use crate::config::{display_number, ConfigError, ResolvedConfig, RunConfig};
use crate::initialisation::Initialisation;
use crate::model::{parse_name, Link, Loss, Target};
use crate::sampler::{SamplerChoice, Update};
use serde::{Deserialize, Serialize};

/// Every key the lab understands, in display order.
pub const KEYS: [&str; 30] = [
    "preset",
    "target",
    "activation",
    "d",
    "p",
    "k",
    "noise",
    "nb",
    "n0",
    "mu",
    "gamma",
    "gamma0",
    "delta",
    "c",
    "update",
    "init",
    "m0",
    "steps",
    "seed",
    "sampler",
    "eta",
    "panels",
    "log",
    "unit",
    "theory",
    "embed",
    "hide",
    "autostart",
    "adaptive_threshold",
    "adaptive_jump",
];

/// How the charts are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewOptions {
    /// Logarithmic time axis.
    pub log_time: bool,
    /// Time in samples t n_b instead of steps t.
    pub samples: bool,
    /// Overlay the deterministic overlap recursion (dashed).
    pub theory: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            log_time: true,
            samples: false,
            theory: false,
        }
    }
}

/// Everything the page shows, as one value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabState {
    /// The run settings shared by all panels (the loss is set per panel).
    pub config: RunConfig,
    /// Protocols shown side by side.
    pub panels: Vec<Loss>,
    /// Chart options.
    pub view: ViewOptions,
    /// The preset this state came from, if any.
    pub preset: Option<String>,
    /// Embed mode: panels and a chosen subset of controls only.
    pub embed: bool,
    /// Control groups hidden in embed mode (`controls`, `model`, `batch`, `rate`, `run`, `buttons`, `presets`, `export`, `caption`).
    pub hide: Vec<String>,
    /// Start the runs without waiting for the reader (`autostart=0` waits for Start). Embeds
    /// that autostart begin when they are scrolled into view, not on load.
    pub autostart: bool,
}

impl Default for LabState {
    fn default() -> Self {
        LabState {
            config: RunConfig {
                steps: 30_000,
                seed: 1,
                // n_b = n0 d^mu with n0 = 1, mu = 1: changing d keeps mu (n_b follows d)
                batch: Some(BatchScaling { n0: 1.0, mu: 1.0 }),
                ..RunConfig::default()
            },
            panels: vec![Loss::Mse, Loss::Correlation],
            view: ViewOptions::default(),
            preset: None,
            embed: false,
            hide: Vec::new(),
            autostart: true,
        }
    }
}

/// A key with a bad value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The key (form field / URL parameter).
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl FieldError {
    /// An error for `key`; the key is cut at 60 characters and the message at 600, so
    /// untrusted text is never echoed whole.
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        FieldError {
            key: cut(key),
            message: if message.len() > 600 {
                cut_to(&message, 600)
            } else {
                message
            },
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// The lab key of a config field (`batch.mu` -> `mu`, `lr.c` -> `c`, `init.m0` -> `m0`, ...).
pub fn key_of_config_field(field: &str) -> &str {
    let field = field
        .rsplit_once(']')
        .map_or(field, |(_, rest)| rest.trim_start_matches('.'));
    match field {
        "batch.n0" => "n0",
        "batch.mu" => "mu",
        "lr.gamma0" => "gamma0",
        "lr.delta" => "delta",
        "lr.c" => "c",
        "lr" => "gamma",
        "init.m0" => "m0",
        "adaptive.threshold" => "adaptive_threshold",
        "adaptive.jump" => "adaptive_jump",
        f if f.starts_with("init") => "init",
        f => f.split('.').next().unwrap_or(f),
    }
}

fn number(key: &str, value: &str) -> Result<f64, FieldError> {
    let v = value.trim();
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| FieldError::new(key, format!("'{}' is not a number", truncate(v))))
}

/// The valid range of a whole-number key, as the messages say it (`p` and `k` decide d's
/// lower end 2(p + k)).
pub fn whole_range(key: &str, p: usize, k: usize) -> String {
    use crate::config::{MAX_D, MAX_K, MAX_P, MAX_STEPS};
    match key {
        "d" => {
            let min_d = p.saturating_add(k).saturating_mul(2).max(4);
            format!("[{min_d}, {MAX_D}] (at least 2(p + k))")
        }
        "p" => format!("[1, {MAX_P}]"),
        "k" => format!("[1, {MAX_K}]"),
        "steps" => format!("[1, {MAX_STEPS}]"),
        _ => format!("[0, {}]", u64::MAX),
    }
}

fn whole(key: &str, value: &str, range: impl FnOnce() -> String) -> Result<u64, FieldError> {
    if let Ok(x) = value.trim().parse::<u64>() {
        return Ok(x);
    }
    let x = number(key, value)?;
    if x < 0.0 || x.fract() != 0.0 || x > 1.8e19 {
        return Err(FieldError::new(
            key,
            format!(
                "must be an integer in {}, got '{}'",
                range(),
                truncate(value.trim())
            ),
        ));
    }
    Ok(x as u64)
}

fn flag(key: &str, value: &str) -> Result<bool, FieldError> {
    match value.trim() {
        "1" | "true" | "on" => Ok(true),
        "0" | "false" | "off" | "" => Ok(false),
        v => Err(FieldError::new(
            key,
            format!("must be 1 or 0, got '{}'", truncate(v)),
        )),
    }
}

/// Untrusted text shortened for messages (at 60 characters, like the JSON configs).
fn truncate(s: &str) -> String {
    cut(s)
}

impl LabState {
    /// Parses `pairs` over the defaults. Every bad key is reported (not only the first).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<LabState, Vec<FieldError>> {
        let mut s = LabState::default();
        let mut errors = Vec::new();
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        let get = |k: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| *v)
        };
        let mut seen = std::collections::HashSet::new();
        for (key, _) in &pairs {
            if !KEYS.contains(key) {
                errors.push(FieldError::new(
                    &key_name(key),
                    format!("unknown parameter; known: {}", KEYS.join(", ")),
                ));
            } else if !seen.insert(*key) {
                errors.push(FieldError::new(
                    key,
                    "is given twice (each parameter at most once)",
                ));
            }
        }
        let mut attempt = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let c = &mut s.config;
        if let Some(v) = get("target") {
            attempt(
                v.parse::<Target>()
                    .map(|t| c.target = t)
                    .map_err(|e| FieldError::new("target", e.to_string())),
            );
        }
        if let Some(v) = get("activation") {
            if v.is_empty() {
                c.activation = None;
            } else {
                attempt(
                    v.parse::<Link>()
                        .map(|l| c.activation = Some(l))
                        .map_err(|e| FieldError::new("activation", e.to_string())),
                );
            }
        }
        for key in ["p", "k", "d", "steps", "seed"] {
            if let Some(v) = get(key) {
                let (p, k) = (c.p, c.k);
                attempt(whole(key, v, || whole_range(key, p, k)).map(|x| match key {
                    "d" => c.d = x,
                    // out of range values stay out of range (resolve rejects them)
                    "p" => c.p = usize::try_from(x).unwrap_or(usize::MAX),
                    "k" => c.k = usize::try_from(x).unwrap_or(usize::MAX),
                    "steps" => c.steps = x,
                    _ => c.seed = x,
                }));
            }
        }
        if let Some(v) = get("noise") {
            attempt(number("noise", v).map(|x| c.noise = x));
        }
        if let Some(v) = get("eta") {
            attempt(number("eta", v).map(|x| c.eta = x));
        }
        // batch: nb, or n0 d^mu
        match (
            get("nb").filter(|v| !v.trim().is_empty()),
            get("mu").filter(|v| !v.trim().is_empty()),
        ) {
            (Some(_), Some(_)) => attempt(Err(FieldError::new(
                "nb",
                "give either nb or mu (with n0), not both",
            ))),
            (Some(v), None) => attempt(number("nb", v).map(|x| {
                c.nb = Some(x);
                c.batch = None;
            })),
            (None, Some(v)) => {
                let n0 = get("n0")
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| number("n0", v))
                    .unwrap_or(Ok(1.0));
                attempt(
                    number("mu", v)
                        .and_then(|mu| n0.map(|n0| c.batch = Some(BatchScaling { n0, mu }))),
                );
            }
            (None, None) => {}
        }
        // learning rate: gamma, or gamma0 d^-delta, or c n_b p d^(-l/2)
        let nonempty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        match (nonempty("gamma"), nonempty("delta"), nonempty("c")) {
            (Some(v), None, None) => attempt(number("gamma", v).map(|x| c.gamma = Some(x))),
            (None, Some(dv), None) => {
                let gamma0 = nonempty("gamma0")
                    .map(|v| number("gamma0", v))
                    .unwrap_or(Ok(1.0));
                if dv.trim() == "optimal" {
                    attempt(gamma0.map(|g| c.lr = Some(LearningRate::Optimal { gamma0: g })));
                } else {
                    attempt(number("delta", dv).and_then(|delta| {
                        gamma0.map(|g| c.lr = Some(LearningRate::Fixed { gamma0: g, delta }))
                    }));
                }
            }
            (None, None, Some(v)) => {
                attempt(number("c", v).map(|x| c.lr = Some(LearningRate::Authors { c: x })))
            }
            (None, None, None) => {}
            _ => attempt(Err(FieldError::new(
                "gamma",
                "give only one of gamma, delta (with gamma0) or c",
            ))),
        }
        if let Some(v) = get("update") {
            attempt(
                parse_name::<Update>("update", v)
                    .map_err(|e| FieldError::new("update", e))
                    .map(|x| c.update = x),
            );
        }
        if let Some(v) = get("init") {
            attempt(
                match v {
                    "warm" => Ok(Initialisation::Warm),
                    "cold" => Ok(Initialisation::Cold),
                    "m0" => get("m0")
                        .ok_or_else(|| {
                            FieldError::new("m0", "init=m0 needs m0 (a number in [0, 1])")
                        })
                        .and_then(|m| number("m0", m))
                        .map(|m0| Initialisation::M0 { m0 }),
                    other => Err(FieldError::new(
                        "init",
                        format!("must be warm, cold or m0, got '{}'", truncate(other)),
                    )),
                }
                .map(|x| c.init = x),
            );
        }
        if let Some(v) = get("sampler") {
            attempt(
                parse_name::<SamplerChoice>("sampler", v)
                    .map_err(|e| FieldError::new("sampler", e))
                    .map(|x| c.sampler = x),
            );
        }
        if let Some(v) = get("adaptive_threshold") {
            attempt(number("adaptive_threshold", v).map(|x| c.adaptive.threshold = x));
        }
        if let Some(v) = get("adaptive_jump") {
            attempt(number("adaptive_jump", v).map(|x| c.adaptive.jump = x));
        }
        if let Some(v) = get("panels") {
            let parsed: Result<Vec<Loss>, _> = v
                .split(',')
                .filter(|x| !x.is_empty())
                .map(|x| parse_name::<Loss>("loss", x))
                .collect();
            attempt(
                match parsed {
                    Ok(p) if !p.is_empty() && p.len() <= 3 => Ok(p),
                    Ok(_) => Err(FieldError::new(
                        "panels",
                        "must list 1 to 3 of mse, correlation, adaptive",
                    )),
                    Err(e) => Err(FieldError::new("panels", e)),
                }
                .map(|x| s.panels = x),
            );
        }
        if let Some(v) = get("log") {
            attempt(flag("log", v).map(|x| s.view.log_time = x));
        }
        if let Some(v) = get("theory") {
            attempt(flag("theory", v).map(|x| s.view.theory = x));
        }
        if let Some(v) = get("unit") {
            attempt(
                match v {
                    "steps" => Ok(false),
                    "samples" => Ok(true),
                    other => Err(FieldError::new(
                        "unit",
                        format!("must be steps or samples, got '{}'", truncate(other)),
                    )),
                }
                .map(|x| s.view.samples = x),
            );
        }
        if let Some(v) = get("embed") {
            attempt(flag("embed", v).map(|x| s.embed = x));
        }
        if let Some(v) = get("autostart") {
            attempt(flag("autostart", v).map(|x| s.autostart = x));
        }
        if let Some(v) = get("hide") {
            s.hide = v
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            for h in &s.hide {
                if !HIDEABLE.contains(&h.as_str()) {
                    errors.push(FieldError::new(
                        "hide",
                        format!(
                            "unknown control group '{}'; known: {}",
                            truncate(h),
                            HIDEABLE.join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(v) = get("preset").filter(|v| !v.is_empty()) {
            if crate::presets::preset(v).is_some() {
                s.preset = Some(v.to_string());
            } else {
                let known: Vec<&str> = crate::presets::PRESETS.iter().map(|p| p.id).collect();
                errors.push(FieldError::new(
                    "preset",
                    format!(
                        "unknown preset '{}'; known: {}",
                        truncate(v),
                        known.join(", ")
                    ),
                ));
            }
        }
        // range checks: the same validation as the CLI, for every panel; every key out of
        // range is reported (also next to parse errors of other keys)
        let mut ranged = s.clone();
        for _ in 0..KEYS.len() {
            let Err(e) = ranged.resolve() else { break };
            let fresh = !errors.iter().any(|x| x.key == e.key);
            if !ranged.reset_key(&e.key) {
                if fresh {
                    errors.push(e);
                }
                break;
            }
            if fresh {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }

    /// Sets the setting of `key` back to its default (true when that changed anything), so
    /// that validation can go on to the next key.
    fn reset_key(&mut self, key: &str) -> bool {
        let d = LabState::default().config;
        let c = &mut self.config;
        let before = c.clone();
        match key {
            "d" => c.d = d.d,
            "p" => c.p = d.p,
            "k" => c.k = d.k,
            "noise" => c.noise = d.noise,
            "eta" => c.eta = d.eta,
            "steps" => c.steps = d.steps,
            "nb" | "n0" | "mu" => {
                c.nb = d.nb;
                c.batch = d.batch;
            }
            "gamma" | "gamma0" | "delta" | "c" => {
                c.gamma = d.gamma;
                c.lr = d.lr;
            }
            "init" | "m0" => c.init = d.init,
            "target" | "activation" => {
                c.target = d.target;
                c.activation = d.activation;
            }
            "sampler" => c.sampler = d.sampler,
            "update" => c.update = d.update,
            "adaptive_threshold" | "adaptive_jump" => c.adaptive = d.adaptive,
            _ => return false,
        }
        *c != before
    }

    /// Parses a URL hash (with or without the leading `#`).
    pub fn from_hash(hash: &str) -> Result<LabState, Vec<FieldError>> {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let pairs: Vec<(String, String)> = form_urlencoded::parse(hash.as_bytes())
            .into_owned()
            .collect();
        LabState::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The per-panel configs.
    pub fn panel_configs(&self) -> Vec<RunConfig> {
        self.panels
            .iter()
            .map(|&loss| RunConfig {
                loss,
                ..self.config.clone()
            })
            .collect()
    }

    /// Validates every panel's config (errors name the lab key).
    pub fn resolve(&self) -> Result<Vec<ResolvedConfig>, FieldError> {
        self.panel_configs()
            .iter()
            .map(|c| {
                c.resolve().map_err(|e: ConfigError| {
                    FieldError::new(key_of_config_field(&e.field), e.message)
                })
            })
            .collect()
    }

    /// The state as key/value pairs (every model and run key, so a link pins the run).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let c = &self.config;
        let mut p: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| p.push((k.to_string(), v));
        if let Some(preset) = &self.preset {
            push("preset", preset.clone());
        }
        push("target", c.target.to_string());
        if let Some(a) = c.activation {
            push("activation", a.to_string());
        }
        push("d", c.d.to_string());
        push("p", c.p.to_string());
        push("k", c.k.to_string());
        push("noise", display_number(c.noise));
        if let Some(nb) = c.nb {
            push("nb", nb.to_string());
        }
        if let Some(b) = c.batch {
            push("n0", b.n0.to_string());
            push("mu", b.mu.to_string());
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
        push("update", c.update.to_string());
        match &c.init {
            Initialisation::Warm => push("init", "warm".into()),
            Initialisation::Cold => push("init", "cold".into()),
            Initialisation::M0 { m0 } => {
                push("init", "m0".into());
                push("m0", m0.to_string());
            }
            Initialisation::Overlaps { .. } => {}
        }
        push("steps", c.steps.to_string());
        push("seed", c.seed.to_string());
        push("sampler", c.sampler.to_string());
        push("eta", c.eta.to_string());
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

/// Control groups that `hide=` may name.
pub const HIDEABLE: [&str; 9] = [
    "controls", "model", "batch", "rate", "run", "buttons", "presets", "export", "caption",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_round_trip_keeps_every_setting() {
        let mut s = LabState::default();
        s.config.d = 4096;
        s.config.batch = Some(BatchScaling { n0: 2.0, mu: 1.25 });
        s.config.lr = Some(LearningRate::Fixed {
            gamma0: 0.5,
            delta: 0.25,
        });
        s.config.init = Initialisation::M0 { m0: 0.1 };
        s.config.seed = 9_007_199_254_740_993; // above 2^53: kept exactly as text
        s.panels = vec![Loss::Mse, Loss::Correlation, Loss::Adaptive];
        s.view.samples = true;
        s.embed = true;
        s.hide = vec!["controls".into()];
        let back = LabState::from_hash(&format!("#{}", s.to_hash())).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn bad_parameters_are_reported_by_key_never_panic() {
        let errors = LabState::from_hash(
            "d=abc&mu=99&panels=mse,hinge&bogus=1&hide=everything&target=<script>",
        )
        .unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        for key in ["bogus", "target", "d", "panels", "hide"] {
            assert!(keys.contains(&key), "{key} not reported in {errors:?}");
        }
        let d = errors.iter().find(|e| e.key == "d").unwrap();
        assert_eq!(d.message, "'abc' is not a number");
        // range errors come from the shared config validation, named by lab key
        let errors = LabState::from_hash("mu=99").unwrap_err();
        assert_eq!(errors[0].key, "mu");
        assert!(errors[0].message.contains("[0, 12]"));
        let errors = LabState::from_hash("c=-1").unwrap_err();
        assert_eq!(errors[0].key, "c");
    }

    #[test]
    fn keys_at_most_once_names_exactly_and_echoes_cut() {
        let errors = LabState::from_hash("d=64&p=2&d=128").unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].key, "d");
        assert!(errors[0].message.contains("twice"), "{errors:?}");
        for bad in ["HE3", "%20he3", "he3%20", "he%2B3", "he03", "Tanh_product"] {
            let errors = LabState::from_hash(&format!("target={bad}")).unwrap_err();
            assert_eq!(errors[0].key, "target", "{bad}: {errors:?}");
        }
        for bad in ["Mse", "mse,%20correlation"] {
            let errors = LabState::from_hash(&format!("panels={bad}")).unwrap_err();
            assert_eq!(errors[0].key, "panels", "{bad}: {errors:?}");
        }
        let errors = LabState::from_hash("sampler=%20exact").unwrap_err();
        assert_eq!(errors[0].key, "sampler");
        assert!(LabState::from_hash("target=he3n&activation=he2&panels=mse,correlation").is_ok());
        // a 1 MB value or key is echoed cut, never whole
        let long = "x".repeat(1_000_000);
        for hash in [
            format!("target={long}"),
            format!("{long}=1"),
            format!("d={long}"),
            format!("hide={long}"),
            format!("preset={long}"),
        ] {
            let errors = LabState::from_hash(&hash).unwrap_err();
            for e in &errors {
                assert!(e.to_string().len() < 1000, "{} bytes", e.to_string().len());
            }
        }
        let errors = LabState::from_hash("preset=nope").unwrap_err();
        assert_eq!(errors[0].key, "preset");
        assert!(errors[0].message.contains("fig2-mu1"), "{errors:?}");
    }

    #[test]
    fn autostart_is_validated_and_round_trips() {
        assert!(LabState::from_hash("").unwrap().autostart);
        let s = LabState::from_hash("embed=1&autostart=0&hide=caption,export").unwrap();
        assert!(!s.autostart);
        assert_eq!(s.hide, ["caption", "export"]);
        assert!(s.to_hash().contains("autostart=0"));
        assert_eq!(LabState::from_hash(&s.to_hash()).unwrap(), s);
        // the default is not written
        assert!(!LabState::default().to_hash().contains("autostart"));
        assert!(LabState::from_hash("autostart=1").unwrap().autostart);
        let errors = LabState::from_hash("autostart=later").unwrap_err();
        assert_eq!(errors[0].key, "autostart");
    }

    #[test]
    fn defaults_are_the_paper_setting() {
        let s = LabState::from_hash("").unwrap();
        let r = s.resolve().unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].nb_resolved, 1024);
        assert!((r[0].gamma_resolved - 1e-3).abs() < 1e-15);
    }

    #[test]
    fn batch_defaults_to_mu_so_d_keeps_mu() {
        let s = LabState::from_hash("d=4096").unwrap();
        let r = s.resolve().unwrap();
        assert_eq!(r[0].nb_resolved, 4096);
        assert!((r[0].mu_resolved - 1.0).abs() < 1e-12);
        assert!(s.to_hash().contains("n0=1&mu=1"), "{}", s.to_hash());
        assert!(!s.to_hash().contains("nb="));
        // a link with nb= keeps the n_b mode
        let s = LabState::from_hash("d=4096&nb=1024").unwrap();
        assert_eq!(s.config.nb, Some(1024.0));
        assert_eq!(s.config.batch, None);
        assert_eq!(s.resolve().unwrap()[0].nb_resolved, 1024);
        let back = LabState::from_hash(&s.to_hash()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn whole_numbers_name_their_real_range() {
        for (hash, key, range) in [
            ("d=1e99", "d", "[4, 1000000000] (at least 2(p + k))"),
            ("d=-5", "d", "[4, 1000000000]"),
            ("p=3&d=1.5", "d", "[8, 1000000000]"),
            ("p=-1", "p", "[1, 16]"),
            ("k=2.5", "k", "[1, 8]"),
            ("steps=-3", "steps", "[1, 1000000000]"),
        ] {
            let errors = LabState::from_hash(hash).unwrap_err();
            assert_eq!(errors.len(), 1, "{hash}: {errors:?}");
            assert_eq!(errors[0].key, key, "{hash}");
            assert!(
                errors[0].message.contains(range),
                "{hash}: {}",
                errors[0].message
            );
            assert!(!errors[0].message.contains(">= 0"), "{hash}");
        }
        // out of range but whole: the config validation says the same range
        let errors = LabState::from_hash("d=1e12").unwrap_err();
        assert!(errors[0].message.contains("[4, 1000000000]"), "{errors:?}");
    }

    #[test]
    fn every_bad_key_is_reported_at_once() {
        let errors = LabState::from_hash("mu=abc&steps=0&eta=2").unwrap_err();
        let mut keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["eta", "mu", "steps"], "{errors:?}");
        let errors = LabState::from_hash("d=2&steps=0&noise=-1&c=-1").unwrap_err();
        let mut keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["c", "d", "noise", "steps"], "{errors:?}");
        // each key once, even when it is both unparsable and out of range
        let errors = LabState::from_hash("d=abc&p=99").unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["d", "p"], "{errors:?}");
    }
}
