//! A bad key of the lab state ([`FieldError`]) and the parsers of its values, whose messages
//! name the key and the valid range.

use crate::config::json::{cut, cut_to};
use serde::{Deserialize, Serialize};

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

/// The page error of a config error: its lab key ([`key_of_config_field`]) and message, the
/// message led by the field when the field lies inside the key's value
/// (`covariance.spikes[0].beta: must be ...` under the key `covariance`).
pub fn field_error_of(e: &crate::config::ConfigError) -> FieldError {
    let key = key_of_config_field(&e.field);
    if e.field.starts_with(&format!("{key}.")) {
        FieldError::new(key, format!("{}: {}", e.field, e.message))
    } else {
        FieldError::new(key, e.message.clone())
    }
}

/// The lab key of a config field (`batch.mu` -> `mu`, `lr.c` -> `c`, `init.m0` -> `m0`, ...).
pub fn key_of_config_field(field: &str) -> &str {
    // a Hermite target's terms (`target.hermite[2]`) belong to the page key `target`
    if field == "target" || field.starts_with("target.") {
        return "target";
    }
    // and a spike's fields (`covariance.spikes[0].beta`) to the page key `covariance`
    if field == "covariance" || field.starts_with("covariance.") {
        return "covariance";
    }
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
        "second_layer.a0" => "a0",
        "second_layer.gamma" => "a_gamma",
        f if f.starts_with("init") => "init",
        f => f.split('.').next().unwrap_or(f),
    }
}

pub(super) fn number(key: &str, value: &str) -> Result<f64, FieldError> {
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

pub(super) fn whole(
    key: &str,
    value: &str,
    range: impl FnOnce() -> String,
) -> Result<u64, FieldError> {
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

pub(super) fn flag(key: &str, value: &str) -> Result<bool, FieldError> {
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
pub(super) fn truncate(s: &str) -> String {
    cut(s)
}
