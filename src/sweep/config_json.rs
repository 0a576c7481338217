//! The JSON form of a [`SweepConfig`]: its key `d` is one dimension (`"d": 1024`, the model's
//! `d` as in a run) or a list of them (`"d": [256, 1024, 4096]`, a sweep over d).
//!
//! [`SweepConfig`] flattens the shared [`ModelSettings`], whose `d` is a single number, so its
//! serde goes through [`SweepConfigJson`]: the same keys, with `d` read and written by the sweep
//! itself (a number or a list) and the model's other keys flattened as before. A number sets
//! `model.d`; a list sets `d_list` (and `model.d` to its first entry). The sweep's key `a0`
//! (absent from the model settings, whose weight is `second_layer.a0`) works the same way: a
//! number sets `model.second_layer.a0`, a list sets `a0_list` (and `second_layer.a0` to its
//! first entry); it is written only for a list, and `fixed_gamma_a0` only when true, so a
//! sweep without them writes the same JSON as before the axis existed.

use super::{LearningRateByProtocol, SweepConfig};
use crate::config::scaling::LearningRate;
use crate::config::{ConfigError, ModelSettings};
use crate::model::Loss;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// `d` of a sweep as written: one dimension or a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Dimensions {
    /// `"d": 1024`.
    One(u64),
    /// `"d": [256, 1024]`.
    List(Vec<u64>),
}

/// `a0` of a sweep as written: one second-layer weight or a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Weights {
    /// `"a0": 0.1`.
    One(f64),
    /// `"a0": [0.01, 0.1, 1]`.
    List(Vec<f64>),
}

/// [`SweepConfig`] as JSON (see the module documentation); the field order is the order of the
/// keys written (`d` first, where the flattened model settings used to put it).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct SweepConfigJson {
    d: Dimensions,
    #[serde(skip_serializing_if = "Option::is_none")]
    a0: Option<Weights>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fixed_gamma_a0: bool,
    #[serde(flatten, serialize_with = "model_without_d")]
    model: ModelSettings,
    protocols: Vec<Loss>,
    mu: Vec<f64>,
    n0: f64,
    lr: LearningRate,
    lr_by_protocol: LearningRateByProtocol,
    seeds: Vec<u64>,
    max_steps: u64,
    max_samples: Option<u64>,
}

impl Default for SweepConfigJson {
    fn default() -> Self {
        SweepConfig::default().into()
    }
}

impl From<SweepConfig> for SweepConfigJson {
    fn from(c: SweepConfig) -> Self {
        SweepConfigJson {
            d: match c.d_list {
                Some(list) => Dimensions::List(list),
                None => Dimensions::One(c.model.d),
            },
            a0: c.a0_list.map(Weights::List),
            fixed_gamma_a0: c.fixed_gamma_a0,
            model: c.model,
            protocols: c.protocols,
            mu: c.mu,
            n0: c.n0,
            lr: c.lr,
            lr_by_protocol: c.lr_by_protocol,
            seeds: c.seeds,
            max_steps: c.max_steps,
            max_samples: c.max_samples,
        }
    }
}

impl From<SweepConfigJson> for SweepConfig {
    fn from(c: SweepConfigJson) -> Self {
        let mut model = c.model;
        let d_list = match c.d {
            Dimensions::One(d) => {
                model.d = d;
                None
            }
            Dimensions::List(list) => {
                if let Some(&first) = list.first() {
                    model.d = first;
                }
                Some(list)
            }
        };
        let a0_list = match c.a0 {
            None => None,
            Some(Weights::One(a0)) => {
                model.second_layer.a0 = a0;
                None
            }
            Some(Weights::List(list)) => {
                if let Some(&first) = list.first() {
                    model.second_layer.a0 = first;
                }
                Some(list)
            }
        };
        SweepConfig {
            model,
            d_list,
            a0_list,
            fixed_gamma_a0: c.fixed_gamma_a0,
            protocols: c.protocols,
            mu: c.mu,
            n0: c.n0,
            lr: c.lr,
            lr_by_protocol: c.lr_by_protocol,
            seeds: c.seeds,
            max_steps: c.max_steps,
            max_samples: c.max_samples,
        }
    }
}

/// Refuses a sweep whose `a0` and `second_layer.a0` disagree (the error names `a0`) instead of
/// letting `a0` win silently. They agree when `second_layer.a0` equals the number `a0`, or the
/// first entry of the list `a0`: the form a sweep writes back (its model settings carry the
/// list's first weight), so a written config reads back unchanged.
pub(super) fn check_a0_agrees(object: &Map<String, Value>) -> Result<(), ConfigError> {
    let nested = object
        .get("second_layer")
        .and_then(Value::as_object)
        .and_then(|layer| layer.get("a0"))
        .and_then(Value::as_f64);
    let given = match object.get("a0") {
        Some(Value::Array(list)) => list.first().and_then(Value::as_f64),
        Some(value) => value.as_f64(),
        None => None,
    };
    match (given, nested) {
        (Some(a0), Some(layer)) if a0 != layer => Err(ConfigError::new(
            "a0",
            format!(
                "the sweep's a0 ({}) and second_layer.a0 ({}) disagree: give the weights in one of them (a list in `a0` sweeps over them)",
                crate::config::display_number(a0),
                crate::config::display_number(layer)
            ),
        )),
        _ => Ok(()),
    }
}

/// The model settings' keys except `d` (written by the sweep), in the settings' own order.
/// They go through JSON text because `serde_json`'s value maps sort their keys.
fn model_without_d<S: Serializer>(model: &ModelSettings, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::Error;
    let text = serde_json::to_string(model).map_err(S::Error::custom)?;
    let Entries(entries) = serde_json::from_str(&text).map_err(S::Error::custom)?;
    s.collect_map(
        entries
            .iter()
            .filter(|(k, _)| k != "d")
            .map(|(k, v)| (k, v)),
    )
}

/// A JSON object's entries in the order of the text.
struct Entries(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}
