//! The one strict JSON reader behind every config entry point (`sgdlab run` and its `runs`
//! entries, `sgdlab theory`, `sgdlab sweep`, the browser worker).
//!
//! Reading happens in three passes, each naming the offending field by its JSON path:
//! 1. [`parse_object`]: syntax (errors name `(document)` with the line and column), a
//!    top-level object, and no key given twice at any depth.
//! 2. [`check_types`]: every known key has the right JSON type (a struct is always a JSON
//!    object, never an array read positionally; a whole number is an integer; ...), with the
//!    expected value said in user terms ([`FieldSpec`]), e.g. `steps: expected a whole number
//!    in [1, 1e9], got "10"`.
//! 3. [`from_value`]: serde fills the config type; its remaining errors (unknown keys, unknown
//!    names, missing keys) are mapped onto the same user-term messages.
//!
//! Values echoed in messages are cut at [`MAX_ECHO_CHARS`] characters ([`cut`]).

use super::{ConfigError, ErrorKind, ModelSettings};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Longest value (or key) echoed in an error message, in characters; longer ones end in "…".
pub const MAX_ECHO_CHARS: usize = 60;

/// The field name of errors about the document as a whole (syntax, top-level type).
pub const DOCUMENT: &str = "(document)";

/// `s` cut to [`MAX_ECHO_CHARS`] characters, with "…" when something was cut.
pub fn cut(s: &str) -> String {
    cut_to(s, MAX_ECHO_CHARS)
}

/// `s` cut to `n` characters, with "…" when something was cut.
pub fn cut_to(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// A JSON value as compact text, cut to [`MAX_ECHO_CHARS`] characters.
pub fn echo(value: &Value) -> String {
    match value {
        Value::Array(a) if a.len() > MAX_ECHO_CHARS => {
            // no need to print a huge list to show its start
            cut(&Value::Array(a[..MAX_ECHO_CHARS].to_vec()).to_string())
        }
        _ => cut(&value.to_string()),
    }
}

pub use super::field_spec::{field_spec, FieldSpec, Kind, Schema};

/// A key as it appears in a field path: plain when it is a non-empty run of ASCII letters,
/// digits and `_` (every key the configs know), else as a JSON string (`""`, `"a.b"`, `"?"`),
/// so a path always names the key unambiguously; cut at [`MAX_ECHO_CHARS`] characters.
pub fn key_name(key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        cut(key)
    } else {
        Value::from(cut(key)).to_string()
    }
}

/// `key` appended to the JSON path `path` (`""` is the document itself), written by
/// [`key_name`].
pub fn join(path: &str, key: &str) -> String {
    let key = key_name(key);
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// The path with its indices blanked (`runs[3].init.Q[1][0]` -> `init.Q[][]`, the `runs[i].`
/// entry prefix dropped), as [`field_spec`] takes it.
pub fn spec_path(path: &str) -> String {
    let path = match path.strip_prefix("runs[") {
        Some(rest) => rest.split_once("].").map_or("", |(_, r)| r),
        None => path,
    };
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for ch in path.chars() {
        match ch {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(ch),
        }
    }
    out
}

/// Reads a JSON value keeping track of paths, rejecting a key given twice in one object.
struct Strict<'a> {
    path: String,
    error: &'a RefCell<Option<ConfigError>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = Strict {
                path: format!("{}[{}]", self.path, items.len()),
                error: self.error,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            if object.contains_key(&key) {
                *self.error.borrow_mut() = Some(ConfigError::of_kind(
                    ErrorKind::Duplicate,
                    path,
                    "is given twice (each key at most once per object)",
                ));
                return Err(serde::de::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(Strict {
                path,
                error: self.error,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Parses `text` as one JSON object: syntax errors name [`DOCUMENT`] with the line and column,
/// a key given twice (at any depth) is named by its path, and anything but an object at the top
/// is rejected (serde would read an array positionally into a struct's fields).
pub fn parse_object(text: &str) -> Result<Map<String, Value>, ConfigError> {
    let error = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Strict {
        path: String::new(),
        error: &error,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            if let Some(found) = error.into_inner() {
                return Err(found);
            }
            let text = e.to_string();
            let what = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(w, _)| w);
            return Err(ConfigError::of_kind(
                ErrorKind::Syntax,
                DOCUMENT,
                format!(
                    "not valid JSON at line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    cut(what)
                ),
            ));
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ConfigError::of_kind(
            ErrorKind::Syntax,
            DOCUMENT,
            format!(
                "must be a JSON object {{\"key\": value, ...}}, got {}",
                echo(&other)
            ),
        )),
    }
}

/// Checks the JSON type of every key of `object` the schema knows (recursively), naming the
/// first wrong one by its path under `prefix` (`""`, or `runs[2]` for an entry of `runs`).
pub fn check_types(
    schema: Schema,
    object: &Map<String, Value>,
    prefix: &str,
) -> Result<(), ConfigError> {
    for (key, value) in object {
        check_value(schema, value, &join(prefix, key), &join("", key))?;
    }
    Ok(())
}

fn check_value(schema: Schema, value: &Value, path: &str, key: &str) -> Result<(), ConfigError> {
    let Some(s) = field_spec(schema, key) else {
        return Ok(());
    };
    if value.is_null() && s.nullable {
        return Ok(());
    }
    if !s.kind.matches(value) {
        return Err(ConfigError::of_kind(
            ErrorKind::Type,
            path,
            format!("expected {}, got {}", s.expected, echo(value)),
        ));
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                check_value(schema, v, &join(path, k), &join(key, k))?;
            }
        }
        Value::Array(items) => {
            let item_key = format!("{key}[]");
            for (i, v) in items.iter().enumerate() {
                check_value(schema, v, &format!("{path}[{i}]"), &item_key)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The value at a serde path (`init.Q[1]`, `lr`) inside `object`, if there is one.
fn value_at<'v>(object: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut current: Option<&Value> = None;
    for segment in path.split('.') {
        let (name, indices) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        let mut v = match current {
            None => object.get(name)?,
            Some(v) => v.get(name)?,
        };
        for index in indices.split('[').skip(1) {
            let i: usize = index.trim_end_matches(']').parse().ok()?;
            v = v.get(i)?;
        }
        current = Some(v);
    }
    current
}

/// The tag key of an internally tagged object at `path` (`lr` -> `policy`, `init` -> `kind`).
fn tag_of(spec_path: &str) -> Option<&'static str> {
    if spec_path == "lr" || spec_path.starts_with("lr_by_protocol.") {
        Some("policy")
    } else if spec_path == "init" {
        Some("kind")
    } else {
        None
    }
}

/// Fills a config type from an object already checked by [`check_types`]; errors name the
/// field by its path under `prefix` and say what is expected in user terms.
pub fn from_value<T: serde::de::DeserializeOwned>(
    schema: Schema,
    object: &Map<String, Value>,
    prefix: &str,
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(MapDeserializer(object)).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        let quoted = message.split('`').nth(1).map(str::to_string);
        // `p` is a path already (its keys written by `key_name`): prefix it as it is
        let full = |p: &str| match (prefix.is_empty(), p.is_empty()) {
            (true, _) => p.to_string(),
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{p}"),
        };
        if let (Some(key), true) = (&quoted, message.starts_with("unknown field")) {
            let rest = message.splitn(3, '`').nth(2).unwrap_or("");
            // serde's path may or may not end with the unknown key itself
            let parent = if path == *key {
                ""
            } else {
                path.strip_suffix(&format!(".{key}")).unwrap_or(&path)
            };
            let field = full(&join(parent, key));
            return ConfigError::of_kind(
                ErrorKind::UnknownKey,
                field,
                format!("unknown key{rest}"),
            );
        }
        if let (Some(key), true) = (&quoted, message.starts_with("missing field")) {
            let field = join(&path, key);
            let expected = field_spec(schema, &spec_path(&full(&field)))
                .map_or(String::new(), |s| format!(": expected {}", s.expected));
            return ConfigError::of_kind(
                ErrorKind::Missing,
                full(&field),
                format!("is required{expected}"),
            );
        }
        let mut field = path.clone();
        if message.starts_with("unknown variant") {
            if let Some(tag) = tag_of(&spec_path(&full(&path))) {
                field = join(&path, tag);
            }
        }
        let shown = value_at(object, &field).map(echo);
        match (field_spec(schema, &spec_path(&full(&field))), shown) {
            (Some(s), Some(shown)) => ConfigError::of_kind(
                ErrorKind::Type,
                full(&field),
                format!("expected {}, got {shown}", s.expected),
            ),
            _ => ConfigError::of_kind(
                ErrorKind::Type,
                if field.is_empty() {
                    if prefix.is_empty() {
                        DOCUMENT.to_string()
                    } else {
                        prefix.to_string()
                    }
                } else {
                    full(&field)
                },
                cut_to(&message, 300),
            ),
        }
    })
}

/// A borrowed JSON object as a serde deserializer (`serde_json` implements it for `&Value`
/// only).
struct MapDeserializer<'a>(&'a Map<String, Value>);

impl<'de> serde::Deserializer<'de> for MapDeserializer<'de> {
    type Error = serde_json::Error;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        serde::Deserializer::deserialize_map(
            serde::de::value::MapDeserializer::new(self.0.iter().map(|(k, v)| (k.as_str(), v))),
            visitor,
        )
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Fills a config type that flattens the shared [`ModelSettings`] (`RunConfig`,
/// `SweepConfig`) from an object already checked by [`check_types`].
///
/// serde reports errors inside a flattened struct without their path, so the settings' own
/// keys are read first as a [`ModelSettings`] (its errors name the key, e.g. `target`), then
/// the whole type. An unknown key is named with the list of the type's keys (those of its
/// default value serialised).
pub fn from_object<T: serde::de::DeserializeOwned + serde::Serialize + Default>(
    schema: Schema,
    object: &Map<String, Value>,
    prefix: &str,
) -> Result<T, ConfigError> {
    let model_keys = ModelSettings::keys();
    // a sweep's `d` may be a list of dimensions (read by the sweep itself, not the settings)
    let sweep_d_list = |k: &str, v: &Value| schema == Schema::Sweep && k == "d" && v.is_array();
    let settings: Map<String, Value> = object
        .iter()
        .filter(|(k, v)| model_keys.contains(k) && !sweep_d_list(k, v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    from_value::<ModelSettings>(schema, &settings, prefix)?;
    from_value::<T>(schema, object, prefix).map_err(|e| {
        if e.kind != ErrorKind::UnknownKey || e.message != "unknown key" {
            return e;
        }
        let mut keys: Vec<String> = match serde_json::to_value(T::default()) {
            Ok(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        };
        keys.extend(schema.optional_keys().iter().map(|k| k.to_string()));
        keys.sort();
        keys.dedup();
        let known: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        let message = format!("unknown key, expected one of {}", known.join(", "));
        ConfigError::of_kind(e.kind, e.field, message)
    })
}

/// Reads `text` as a config of type `T` through all three passes ([`parse_object`],
/// [`check_types`], [`from_object`]).
pub fn read<T: serde::de::DeserializeOwned + serde::Serialize + Default>(
    schema: Schema,
    text: &str,
) -> Result<T, ConfigError> {
    let object = parse_object(text)?;
    check_types(schema, &object, "")?;
    from_object(schema, &object, "")
}
