//! The batch-size explorer's form over a full sweep config.
//!
//! The form shows only some keys of a [`SweepConfig`] (target, d, protocols, a μ grid, the
//! rate, a seed count, η, the step cap, Δ). A shared link may set any key (p, k, the sampler,
//! explicit seeds or μ lists, n0, init, the sample cap...). [`merge_form`] keeps every key of
//! the link's config that the user has not edited in the form: a form value that still equals
//! what the form showed for the link leaves the link's value (so seeds `[5, 9]`, shown as
//! "2 seeds", stay `[5, 9]`, and μ `[0.5, 1, 2]`, shown as a grid from 0.5 to 2, stays that
//! list); an edited value replaces it. [`keys_beyond_the_form`] names the keys that take effect
//! without a control of their own, so the page can say so.

use crate::config::json::cut_to;
use crate::sweep::SweepConfig;
use serde_json::{Map, Value};

/// The JSON sent to [`SweepConfig::from_json`]: `base` (the link's config), with each key of
/// `form` that differs from `shown` (what the form displayed for `base`) replacing it.
pub fn merge_form(base: &SweepConfig, shown: &Value, form: &Value) -> Value {
    let mut merged = match serde_json::to_value(base) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Value::Object(form) = form {
        for (key, value) in form {
            if shown.get(key) != Some(value) {
                merged.insert(key.clone(), value.clone());
                // the sweep's `a0` and the settings' `second_layer.a0` are one weight (they must
                // agree): an edited `a0` replaces both
                if key == "a0" {
                    if let Some(Value::Object(layer)) = merged.get_mut("second_layer") {
                        layer.remove("a0");
                    }
                }
            }
        }
    }
    Value::Object(merged)
}

/// Keys of `config` that differ from the defaults and that the form (whose JSON is `form`)
/// does not show, as "key = value" texts (values cut at 40 characters).
pub fn keys_beyond_the_form(config: &SweepConfig, form: &Value) -> Vec<String> {
    let (Ok(Value::Object(this)), Ok(Value::Object(default))) = (
        serde_json::to_value(config),
        serde_json::to_value(SweepConfig::default()),
    ) else {
        return Vec::new();
    };
    this.iter()
        .filter(|(key, value)| form.get(key.as_str()).is_none() && default.get(*key) != Some(value))
        .map(|(key, value)| format!("{key} = {}", cut_to(&value.to_string(), 40)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A link with an a0 list whose a0 values are edited: the new weights replace the list and
    /// the settings' `second_layer.a0` (which must agree with them), the layer's rate stays.
    #[test]
    fn an_edited_a0_replaces_the_second_layer_weight_of_the_link() {
        let link = r#"{"d":64,"a0":[1,0.1],"second_layer":{"gamma":0.5},"protocols":["mse"],"mu":[1],"seeds":[1]}"#;
        let base = SweepConfig::from_json(link).unwrap();
        let shown = json!({"a0": [1.0, 0.1]});
        for edited in [json!([0.3, 0.03]), json!(0.5)] {
            let merged = merge_form(&base, &shown, &json!({ "a0": edited.clone() }));
            let config = SweepConfig::from_json(&merged.to_string()).unwrap();
            assert_eq!(
                config.a0_values()[0],
                edited.as_array().map_or(0.5, |l| l[0].as_f64().unwrap())
            );
            assert_eq!(config.model.second_layer.gamma, 0.5);
        }
    }

    /// The link of the reliability audit: every key takes effect, none silently dropped.
    #[test]
    fn a_link_keeps_every_key_the_user_did_not_edit() {
        let link = r#"{"d":64,"p":4,"k":2,"sampler":"full","seeds":[5,9],"mu":[0.5,1,2],"n0":3,
            "activation":"erf","init":{"kind":"cold"},"max_samples":100,"protocols":["mse"]}"#;
        let base = SweepConfig::from_json(link).unwrap();
        // what the form shows for it: a seed count and a mu grid
        let shown = json!({"d": 64, "protocols": ["mse"], "mu": [0.5, 1.25, 2.0],
            "seeds": [0, 1], "target": "he3"});
        let merged = merge_form(&base, &shown, &shown);
        let config = SweepConfig::from_json(&merged.to_string()).unwrap();
        assert_eq!(config, base);
        let beyond = keys_beyond_the_form(&config, &shown);
        for key in [
            "p = 4",
            "k = 2",
            "sampler = \"full\"",
            "n0 = 3.0",
            "max_samples = 100",
        ] {
            assert!(beyond.iter().any(|b| b == key), "{key} not in {beyond:?}");
        }
        // an edit replaces the link's value, the rest stays
        let edited = json!({"d": 128, "protocols": ["mse"], "mu": [0.5, 1.25, 2.0],
            "seeds": [0, 1, 2], "target": "he3"});
        let config =
            SweepConfig::from_json(&merge_form(&base, &shown, &edited).to_string()).unwrap();
        assert_eq!(
            (config.model.d, config.model.p, config.model.k),
            (128, 4, 2)
        );
        assert_eq!(config.seeds, vec![0, 1, 2]);
        assert_eq!(config.mu, vec![0.5, 1.0, 2.0]);
    }

    #[test]
    fn the_default_config_round_trips_and_has_nothing_beyond_the_form() {
        let base = SweepConfig::default();
        let merged = merge_form(&base, &json!({}), &json!({}));
        assert_eq!(SweepConfig::from_json(&merged.to_string()).unwrap(), base);
        assert!(keys_beyond_the_form(&base, &json!({})).is_empty());
    }
}
