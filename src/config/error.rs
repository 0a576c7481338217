//! Config errors ([`ConfigError`]: the field's path and a small [`ErrorKind`]), and the range
//! check and number format their messages use.

use super::json;

/// A config that cannot be used, naming the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    /// JSON path of the offending field, e.g. `batch.mu`, `runs[2].init.Q[0][1]`, or
    /// `(document)` ([`json::DOCUMENT`]) for the document as a whole.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// What kind of problem it is.
    pub kind: ErrorKind,
}

/// The kind of a [`ConfigError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not JSON, or not a JSON object (`field` is `(document)`).
    Syntax,
    /// A key given twice in one object.
    Duplicate,
    /// A key the config does not know.
    UnknownKey,
    /// A required key (e.g. an `lr` policy's `gamma0`) is missing.
    Missing,
    /// A value of the wrong JSON type, or a name not in the list.
    Type,
    /// A value of the right type outside its range, or settings that do not fit together.
    Value,
}

impl ConfigError {
    /// An error of kind [`ErrorKind::Value`] for `field`. As a safety net against echoing
    /// untrusted input without limit, the field is cut at 200 characters and the message at
    /// 600.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::of_kind(ErrorKind::Value, field, message)
    }

    /// An error of `kind` for `field` (cut like [`ConfigError::new`]).
    pub fn of_kind(kind: ErrorKind, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ConfigError {
            field: if field.len() > 200 {
                json::cut_to(&field, 200)
            } else {
                field
            },
            message: if message.len() > 600 {
                json::cut_to(&message, 600)
            } else {
                message
            },
            kind,
        }
    }

    /// The same error named by another field (for a caller that maps fields onto its own).
    pub fn renamed(self, field: impl Into<String>) -> Self {
        Self::of_kind(self.kind, field, self.message)
    }
}

/// A number as people write it: plain for 1e-3 <= |x| < 1e6, scientific otherwise (1e-9, 1e12).
pub fn display_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Checks lo <= x <= hi and finiteness.
pub fn check_range(field: &str, x: f64, lo: f64, hi: f64) -> Result<f64, ConfigError> {
    if !x.is_finite() || x < lo || x > hi {
        return Err(ConfigError::new(
            field,
            format!(
                "must be a number in [{}, {}], got {}",
                display_number(lo),
                display_number(hi),
                display_number(x)
            ),
        ));
    }
    Ok(x)
}
