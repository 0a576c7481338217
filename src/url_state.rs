//! The page's URL hash: the lab state, which view is open, and the explorer's sweep.
//!
//! `#preset=ID&key=value...` starts from the preset's keys and lets every other key override
//! them (so `#preset=fig2-mu1.5&seed=7` is that preset with seed 7); `view=explorer` opens the
//! batch-size explorer and `sweep={...}` carries its sweep config (validated by the explorer).
//! Every bad key is reported by name with the reason and ignored; the rest still applies.
//! An empty hash is the preset [`crate::presets::BATCH_SIZE_STORY`] (the page's first screen).

use crate::config::json::{cut_to, key_name};
use crate::lab_state::{FieldError, LabState};
use crate::presets::{preset, PRESETS};

/// Longest URL hash accepted, in bytes (a sweep config with hundreds of seeds fits).
pub const MAX_HASH_BYTES: usize = 65_536;

/// What a URL hash asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlState {
    /// The lab's state (preset keys first, then the URL's own keys).
    pub lab: LabState,
    /// true for `view=explorer`.
    pub explorer: bool,
    /// The `sweep=` parameter (JSON), for the explorer to validate.
    pub sweep: Option<String>,
    /// Every key that was rejected, with the reason; those keys were ignored.
    pub errors: Vec<FieldError>,
}

impl UrlState {
    /// Parses a URL hash (with or without the leading `#`). Never fails: bad keys are listed in
    /// `errors` and ignored.
    pub fn parse(hash: &str) -> UrlState {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let mut errors = Vec::new();
        if hash.len() > MAX_HASH_BYTES {
            errors.push(FieldError::new(
                "url",
                format!(
                    "the hash is {} bytes; at most {MAX_HASH_BYTES} are read",
                    hash.len()
                ),
            ));
            return UrlState {
                lab: LabState::default(),
                explorer: false,
                sweep: None,
                errors,
            };
        }
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(hash.as_bytes())
            .into_owned()
            .collect();
        // a page opened without a hash shows the batch-size story
        if pairs.is_empty() {
            pairs.push(("preset".into(), crate::presets::BATCH_SIZE_STORY.into()));
        }
        let mut explorer = false;
        let mut sweep = None;
        let mut lab_pairs: Vec<(String, String)> = Vec::new();
        for (key, value) in pairs {
            match key.as_str() {
                "view" => match value.as_str() {
                    "explorer" => explorer = true,
                    "compare" => explorer = false,
                    _ => errors.push(FieldError::new(
                        "view",
                        format!("must be compare or explorer, got '{}'", cut(&value)),
                    )),
                },
                "sweep" => sweep = Some(value),
                _ => lab_pairs.push((key, value)),
            }
        }
        let preset_id = lab_pairs
            .iter()
            .rev()
            .find(|(k, _)| k == "preset")
            .map(|(_, v)| v.trim().to_string());
        let mut all: Vec<(String, String)> = Vec::new();
        if let Some(id) = &preset_id {
            match preset(id) {
                // the URL's own keys override the preset's
                Some(p) => all.extend(
                    p.pairs
                        .iter()
                        .filter(|(k, _)| !lab_pairs.iter().any(|(key, _)| key == k))
                        .map(|(k, v)| (k.to_string(), v.to_string())),
                ),
                None => {
                    errors.push(FieldError::new(
                        "preset",
                        format!(
                            "unknown preset '{}'; known: {}",
                            cut(id),
                            PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                    lab_pairs.retain(|(k, _)| k != "preset");
                }
            }
        }
        all.extend(lab_pairs);
        // drop rejected keys until the rest parses (each round removes at least one key)
        loop {
            match LabState::from_pairs(all.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
                Ok(lab) => {
                    return UrlState {
                        lab,
                        explorer,
                        sweep,
                        errors,
                    }
                }
                Err(errs) => {
                    let before = all.len();
                    // errors name a key as `key_name` writes it (cut, quoted when unusual)
                    all.retain(|(k, _)| !errs.iter().any(|e| e.key == key_name(k)));
                    for e in errs {
                        if !errors
                            .iter()
                            .any(|x| x.key == e.key && x.message == e.message)
                        {
                            errors.push(e);
                        }
                    }
                    if all.len() == before {
                        return UrlState {
                            lab: LabState::default(),
                            explorer,
                            sweep,
                            errors,
                        };
                    }
                }
            }
        }
    }
}

/// At most 40 characters of a user's value, for messages.
fn cut(value: &str) -> String {
    cut_to(value, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_with_overrides_runs_the_preset_with_them() {
        let u = UrlState::parse("#preset=fig2-mu1.5&seed=7");
        assert!(u.errors.is_empty(), "{:?}", u.errors);
        let alone = preset("fig2-mu1.5").unwrap().state().unwrap();
        assert_eq!(u.lab.config.seed, 7);
        assert_eq!(u.lab.preset.as_deref(), Some("fig2-mu1.5"));
        let mut expected = alone.clone();
        expected.config.seed = 7;
        assert_eq!(u.lab, expected);
        // and the preset's batch, not the default one
        let resolved = u.lab.resolve().unwrap();
        assert_eq!(resolved[0].nb_resolved, 32768);
        assert_eq!(resolved[0].input.steps, 2000);
    }

    #[test]
    fn explorer_links_are_not_unknown_parameters() {
        let u = UrlState::parse("#view=explorer&sweep=%7B%22d%22%3A64%7D");
        assert!(u.errors.is_empty(), "{:?}", u.errors);
        assert!(u.explorer);
        assert_eq!(u.sweep.as_deref(), Some("{\"d\":64}"));
        let bad = UrlState::parse("#view=plots");
        assert_eq!(bad.errors[0].key, "view");
    }

    #[test]
    fn every_bad_key_is_reported_and_the_rest_applies() {
        let u = UrlState::parse("#mu=abc&steps=0&eta=2&d=2048&nope=1");
        let keys: Vec<&str> = u.errors.iter().map(|e| e.key.as_str()).collect();
        for k in ["mu", "steps", "eta", "nope"] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
        assert_eq!(u.lab.config.model.d, 2048);
        let unknown = UrlState::parse("#preset=nope&seed=3");
        assert_eq!(unknown.errors[0].key, "preset");
        assert_eq!(unknown.lab.config.seed, 3);
        let long = "x".repeat(MAX_HASH_BYTES + 1);
        assert_eq!(UrlState::parse(&long).errors[0].key, "url");
    }
}
