//! Per-protocol learning-rate policies of a sweep (`lr_by_protocol`), and the compact
//! `mse=0.01, correlation=0.1` prefactor form the explorer's field uses.

use crate::config::scaling::LearningRate;
use crate::config::{display_number, json};
use crate::model::Loss;
use serde::{Deserialize, Serialize};

/// Learning-rate policies for single protocols (`lr_by_protocol`); a protocol without one uses
/// the sweep's `lr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningRateByProtocol {
    /// Policy of plain (MSE) SGD (`mse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mse: Option<LearningRate>,
    /// Policy of correlation-loss SGD (`correlation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<LearningRate>,
    /// Policy of the adaptive protocol (`adaptive`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<LearningRate>,
}

impl LearningRateByProtocol {
    /// The policy given for `protocol`, if any.
    pub fn get(&self, protocol: Loss) -> Option<LearningRate> {
        match protocol {
            Loss::Mse => self.mse,
            Loss::Correlation => self.correlation,
            Loss::Adaptive => self.adaptive,
        }
    }

    /// Sets (or clears, with None) the policy of `protocol`.
    pub fn set(&mut self, protocol: Loss, policy: Option<LearningRate>) {
        match protocol {
            Loss::Mse => self.mse = policy,
            Loss::Correlation => self.correlation = policy,
            Loss::Adaptive => self.adaptive = policy,
        }
    }

    /// Per-protocol prefactors written as `name=value` pairs separated by commas or spaces
    /// (`"mse=0.01, correlation=0.1"`; empty text: none), each applied to the policy `base`
    /// ([`LearningRate::with_prefactor`]). Errors name the pair and the valid values.
    pub fn from_prefactors(base: LearningRate, text: &str) -> Result<Self, String> {
        let mut out = Self::default();
        for pair in text.split([',', ' ', ';']).filter(|t| !t.is_empty()) {
            let (name, value) = pair.split_once('=').ok_or_else(|| {
                format!(
                    "'{}': write protocol=prefactor, e.g. correlation=0.1",
                    json::cut(pair)
                )
            })?;
            let protocol = Loss::ALL
                .into_iter()
                .find(|p| p.to_string() == name.trim())
                .ok_or_else(|| {
                    format!(
                        "'{}': not a protocol (mse, correlation or adaptive)",
                        json::cut(name)
                    )
                })?;
            if out.get(protocol).is_some() {
                return Err(format!("'{name}' is listed twice"));
            }
            let x: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x > 0.0)
                .ok_or_else(|| {
                    format!("{name}: '{}' is not a positive number", json::cut(value))
                })?;
            out.set(protocol, Some(base.with_prefactor(x)));
        }
        Ok(out)
    }

    /// The prefactors as `name=value` pairs (the inverse of [`Self::from_prefactors`]).
    pub fn prefactors_text(&self) -> String {
        Loss::ALL
            .into_iter()
            .filter_map(|p| {
                self.get(p)
                    .map(|lr| format!("{p}={}", display_number(lr.prefactor())))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
