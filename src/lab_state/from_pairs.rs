//! Reading the lab state from key/value pairs (form fields, URL hash), every bad key reported.

use crate::config::json::key_name;
use crate::config::scaling::{BatchScaling, LearningRate};
use crate::initialisation::Initialisation;
use crate::model::{parse_name, Loss};

use super::field_error::{flag, number, truncate, whole};
use super::plain::{read_plain, reset_plain, PLAIN_KEYS};
use super::*;

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
        for key in PLAIN_KEYS {
            if let Some(v) = get(key) {
                attempt(read_plain(c, key, v));
            }
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
                let exponents = batch_exponents(v);
                attempt(exponents.and_then(|list| {
                    n0.map(|n0| {
                        c.batch = Some(BatchScaling { n0, mu: list[0] });
                        s.batch_exponents = if list.len() > 1 { list } else { Vec::new() };
                    })
                }));
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
                .map(|x| c.model.init = x),
            );
        }
        if let Some(v) = get("seeds") {
            attempt(
                whole("seeds", v, || format!("[1, {MAX_SEEDS}]")).and_then(|n| {
                    if (1..=MAX_SEEDS).contains(&n) {
                        s.seeds = n as u32;
                        Ok(())
                    } else {
                        Err(FieldError::new(
                            "seeds",
                            format!("must be an integer in [1, {MAX_SEEDS}], got {n}"),
                        ))
                    }
                }),
            );
        }
        if let Some(v) = get("a0").filter(|v| !v.trim().is_empty()) {
            attempt(number("a0", v).map(|x| c.model.second_layer.a0 = x));
        }
        if let Some(v) = get("a_gamma").filter(|v| !v.trim().is_empty()) {
            attempt(number("a_gamma", v).map(|x| c.model.second_layer.gamma = x));
        }
        if let Some(v) = get("adaptive_threshold") {
            attempt(number("adaptive_threshold", v).map(|x| c.model.adaptive.threshold = x));
        }
        if let Some(v) = get("adaptive_jump") {
            attempt(number("adaptive_jump", v).map(|x| c.model.adaptive.jump = x));
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
            key if PLAIN_KEYS.contains(&key) => reset_plain(c, &d, key),
            "nb" | "n0" | "mu" => {
                c.nb = d.nb;
                c.batch = d.batch;
                self.batch_exponents.clear();
            }
            "seeds" => self.seeds = 1,
            "a0" => c.model.second_layer.a0 = d.model.second_layer.a0,
            "a_gamma" => c.model.second_layer.gamma = d.model.second_layer.gamma,
            "gamma" | "gamma0" | "delta" | "c" => {
                c.gamma = d.gamma;
                c.lr = d.lr;
            }
            "init" | "m0" => c.model.init = d.model.init,
            "adaptive_threshold" | "adaptive_jump" => c.model.adaptive = d.model.adaptive,
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
}

/// The `mu` value: one batch exponent or a comma-separated list of at most
/// [`MAX_BATCH_EXPONENTS`] distinct ones (`1, 1.5, 2`). Ranges are checked with the runs.
fn batch_exponents(text: &str) -> Result<Vec<f64>, FieldError> {
    let list = text
        .split(',')
        .map(|x| number("mu", x))
        .collect::<Result<Vec<f64>, _>>()?;
    if list.len() > MAX_BATCH_EXPONENTS {
        return Err(FieldError::new(
            "mu",
            format!(
                "lists {} batch exponents; at most {MAX_BATCH_EXPONENTS} are run side by side",
                list.len()
            ),
        ));
    }
    if let Some(x) = list
        .iter()
        .enumerate()
        .find(|(i, x)| list[..*i].contains(x))
        .map(|(_, x)| x)
    {
        return Err(FieldError::new(
            "mu",
            format!("lists {x} twice (each batch exponent at most once)"),
        ));
    }
    Ok(list)
}
