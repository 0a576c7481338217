//! The plain keys of the lab state ([`PLAIN_KEYS`]): a page value that is the run config's
//! JSON value of the same name, written as text. They are read, written and reset through
//! the JSON form of [`RunConfig`] and the one strict reader ([`crate::config::json`]), so a
//! new setting of this kind is its field in [`crate::config::ModelSettings`] (or
//! [`RunConfig`]), its [`json::field_spec`], an entry of [`PLAIN_KEYS`] and its control.

use crate::config::json::{self, Kind, Schema};
use crate::config::RunConfig;
use serde_json::{Map, Value};

use super::field_error::{number, whole};
use super::{key_of_config_field, whole_range, FieldError};

/// The lab keys that are config keys of the same name with a number or a name as value (an
/// empty `activation` means null: the target's link). `p` and `k` come before `d`, whose
/// range depends on them. `covariance` is an object written as JSON text (empty: isotropic;
/// left out of the pairs when it has no spikes). The page's controls of these keys have the
/// key as id.
pub const PLAIN_KEYS: [&str; 13] = [
    "target",
    "activation",
    "p",
    "k",
    "d",
    "noise",
    "update",
    "sampler",
    "clt_threshold",
    "eta",
    "steps",
    "seed",
    "covariance",
];

fn object_of(config: &RunConfig) -> Map<String, Value> {
    match serde_json::to_value(config) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("a RunConfig serialises to an object"),
    }
}

/// Sets the plain key `key` of `config` from the page text `text` (a number may be padded
/// with spaces, a name must be exact; an empty text is null where null is allowed); the error
/// names the key and what is valid (a whole number's range, a name's list of values).
pub fn read_plain(config: &mut RunConfig, key: &str, text: &str) -> Result<(), FieldError> {
    let spec = json::field_spec(Schema::Run, key)
        .unwrap_or_else(|| unreachable!("every plain key has a field spec ({key})"));
    let value = match spec.kind {
        Kind::Whole => {
            let (p, k) = (config.model.p, config.model.k);
            Value::from(whole(key, text, || whole_range(key, p, k))?)
        }
        Kind::Number => Value::from(number(key, text)?),
        Kind::Name if text.is_empty() && spec.nullable => Value::Null,
        Kind::Name => Value::from(text),
        // an object's text is read by the one strict reader (a key given twice is an error)
        Kind::NameOrObject if text.trim_start().starts_with('{') => Value::Object(
            json::parse_object(text)
                .map_err(|e| FieldError::new(key, format!("not a valid object: {}", e.message)))?,
        ),
        Kind::NameOrObject => Value::from(text),
        Kind::Object if text.trim().is_empty() => Value::Object(Map::new()),
        Kind::Object => Value::Object(
            json::parse_object(text)
                .map_err(|e| FieldError::new(key, format!("not a valid object: {}", e.message)))?,
        ),
        Kind::Bool | Kind::List | Kind::WholeOrList | Kind::NumberOrList => {
            unreachable!("plain keys hold numbers and names ({key})")
        }
    };
    let mut object = object_of(config);
    object.insert(key.to_string(), value);
    // a field inside the value (`target.hermite[2]`) is named in the message
    let as_field_error = |e: crate::config::ConfigError| {
        let message = if e.field.starts_with(&format!("{key}.")) {
            format!("{}: {}", e.field, e.message)
        } else {
            e.message
        };
        FieldError::new(key_of_config_field(&e.field), message)
    };
    json::check_types(Schema::Run, &object, "").map_err(as_field_error)?;
    *config = json::from_object(Schema::Run, &object, "").map_err(as_field_error)?;
    Ok(())
}

/// The page text of the plain key `key` of `config`, or `None` when its value is null.
pub fn write_plain(config: &RunConfig, key: &str) -> Option<String> {
    let value = object_of(config).remove(key)?;
    // an object key is written only when it differs from its default (an isotropic covariance
    // leaves the link as it was)
    if value.is_object() && object_of(&RunConfig::default()).get(key) == Some(&value) {
        return None;
    }
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Sets the plain key `key` of `config` to its value in `default`.
pub fn reset_plain(config: &mut RunConfig, default: &RunConfig, key: &str) {
    let mut object = object_of(config);
    if let Some(v) = object_of(default).remove(key) {
        object.insert(key.to_string(), v);
    }
    if let Ok(c) = json::from_object(Schema::Run, &object, "") {
        *config = c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plain_key_is_a_number_or_a_name_of_the_run_schema() {
        for key in PLAIN_KEYS {
            let spec = json::field_spec(Schema::Run, key).expect(key);
            assert!(
                matches!(
                    spec.kind,
                    Kind::Whole | Kind::Number | Kind::Name | Kind::NameOrObject | Kind::Object
                ),
                "{key}"
            );
            assert!(super::super::KEYS.contains(&key), "{key} is not a lab key");
        }
    }

    #[test]
    fn plain_keys_round_trip_through_their_text() {
        let mut c = RunConfig::default();
        for (key, text) in [
            ("target", "erf"),
            ("activation", "tanh"),
            ("p", "3"),
            ("d", "4096"),
            ("noise", "0.25"),
            ("update", "spherical"),
            ("sampler", "exact"),
            ("eta", "0.3"),
            ("steps", "500"),
            ("seed", "18446744073709551615"),
        ] {
            read_plain(&mut c, key, text).unwrap();
            assert_eq!(write_plain(&c, key).as_deref(), Some(text), "{key}");
        }
        let staircase = r#"{"hermite":[[1.0,[1,0]],[2.5,[1,1]]],"normalised":false}"#;
        read_plain(&mut c, "target", staircase).unwrap();
        assert_eq!(write_plain(&c, "target").as_deref(), Some(staircase));
        let e = read_plain(
            &mut c,
            "target",
            r#"{"hermite": [[1, [1]]], "hermite": []}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("given twice"), "{}", e.message);
        read_plain(&mut c, "target", "erf").unwrap();
        read_plain(&mut c, "activation", "").unwrap();
        assert_eq!(c.model.activation, None);
        assert_eq!(write_plain(&c, "activation"), None);
        reset_plain(&mut c, &RunConfig::default(), "d");
        assert_eq!(c.model.d, 1024);
    }

    #[test]
    fn a_bad_name_lists_the_valid_ones() {
        let mut c = RunConfig::default();
        let e = read_plain(&mut c, "sampler", "fast").unwrap_err();
        assert_eq!(e.key, "sampler");
        assert!(e.message.contains("\"exact\""), "{}", e.message);
        let e = read_plain(&mut c, "d", "-5").unwrap_err();
        assert!(e.message.contains("[4, 1000000000]"), "{}", e.message);
        assert_eq!(
            read_plain(&mut c, "target", " he3").unwrap_err().key,
            "target"
        );
        read_plain(&mut c, "noise", " 0.5 ").unwrap();
        assert_eq!(c.model.noise, 0.5);
    }
}
