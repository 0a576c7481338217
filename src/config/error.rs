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

/// One step of a [`ConfigError`]'s path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
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

    /// The field's path as segments: `runs[2].init.Q[0][1]` is `runs`, `[2]`, `init`, `Q`,
    /// `[0]`, `[1]`; the whole document ([`json::DOCUMENT`]) is the empty path. Keys are
    /// written as in the path (a key that needs quoting keeps its quotes, see
    /// [`json::key_name`]).
    pub fn path(&self) -> Vec<PathSegment> {
        if self.field == json::DOCUMENT {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut key = String::new();
        let mut chars = self.field.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    quoted = !quoted;
                    key.push(c);
                }
                '.' if !quoted => {
                    if !key.is_empty() {
                        out.push(PathSegment::Key(std::mem::take(&mut key)));
                    }
                }
                '[' if !quoted => {
                    if !key.is_empty() {
                        out.push(PathSegment::Key(std::mem::take(&mut key)));
                    }
                    let mut digits = String::new();
                    for d in chars.by_ref() {
                        if d == ']' {
                            break;
                        }
                        digits.push(d);
                    }
                    match digits.parse() {
                        Ok(i) => out.push(PathSegment::Index(i)),
                        Err(_) => out.push(PathSegment::Key(format!("[{digits}]"))),
                    }
                }
                _ => key.push(c),
            }
        }
        if !key.is_empty() {
            out.push(PathSegment::Key(key));
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_splits_into_keys_and_indices() {
        let e = ConfigError::new("runs[2].init.Q[0][1]", "x");
        assert_eq!(
            e.path(),
            vec![
                PathSegment::Key("runs".into()),
                PathSegment::Index(2),
                PathSegment::Key("init".into()),
                PathSegment::Key("Q".into()),
                PathSegment::Index(0),
                PathSegment::Index(1),
            ]
        );
        assert!(ConfigError::new(json::DOCUMENT, "x").path().is_empty());
        assert_eq!(
            ConfigError::new("batch.mu", "x").path(),
            vec![
                PathSegment::Key("batch".into()),
                PathSegment::Key("mu".into())
            ]
        );
        // a quoted key keeps its dots
        assert_eq!(
            ConfigError::new("\"a.b\".c", "x").path(),
            vec![
                PathSegment::Key("\"a.b\"".into()),
                PathSegment::Key("c".into())
            ]
        );
    }
}
