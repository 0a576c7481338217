//! Property-based tests of every input parser: random and mutated config JSON for `run`
//! (with and without `runs`), `theory` and `sweep`, and random URL hashes for the lab page.
//! Nothing is simulated (only parsing and validation), so each case takes microseconds.
//!
//! Properties: no panic; every rejection names a field (a known key, a key of the input, or
//! `(document)` for the document as a whole), never `?` or nothing; messages stay short
//! however long the input.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::{Map, Value};
use sgdlab::config::{ConfigError, ErrorKind, RunConfig};
use sgdlab::lab_state::{LabState, KEYS};
use sgdlab::sweep::SweepConfig;
use sgdlab::theory_run::theory_config_from_json;

/// Every key any config type knows, at any depth.
const CONFIG_KEYS: &[&str] = &[
    "d",
    "p",
    "k",
    "target",
    "activation",
    "noise",
    "nb",
    "batch",
    "gamma",
    "lr",
    "loss",
    "adaptive",
    "update",
    "init",
    "steps",
    "seed",
    "sampler",
    "clt_threshold",
    "eta",
    "stop_at_recovery",
    "record_points",
    "runs",
    "terms",
    "protocols",
    "mu",
    "n0",
    "lr_by_protocol",
    "seeds",
    "max_steps",
    "max_samples",
    "policy",
    "gamma0",
    "delta",
    "c",
    "kind",
    "m0",
    "Q",
    "M",
    "threshold",
    "decay",
    "jump",
    "gradient",
    "mean_step",
    "mse",
    "correlation",
];

/// Names valid somewhere, and near misses.
const NAMES: &[&str] = &[
    "he3",
    "he3n",
    "he1",
    "he12",
    "he13",
    "HE3",
    " he3",
    "he+3",
    "he03",
    "erf",
    "tanh",
    "relu",
    "tanh_product",
    "mse",
    "correlation",
    "adaptive",
    "MSE",
    "optimal",
    "fixed",
    "authors",
    "warm",
    "cold",
    "m0",
    "overlaps",
    "auto",
    "exact",
    "full",
    "clt",
    "projected",
    "spherical",
    "",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(CONFIG_KEYS).prop_map(String::from),
        1 => "[a-zA-Z_?.\\[\\]]{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..3000).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-20.0f64..20.0).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |x| serde_json::Number::from_f64(x)
            .map(Value::Number)),
        prop::sample::select(NAMES).prop_map(Value::from),
        "[a-z0-9 +]{0,8}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Map<String, Value>> {
    document_of_size(0..7)
}

fn document_of_size(size: std::ops::Range<usize>) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((key(), value()), size).prop_map(|kv| kv.into_iter().collect())
}

/// Valid configs of every kind, the seeds of the mutation tests.
const VALID: &[&str] = &[
    r#"{"d": 256, "p": 2, "k": 1, "target": "he3", "batch": {"n0": 1, "mu": 1.5}, "lr": {"policy": "optimal", "gamma0": 0.01}, "steps": 10}"#,
    r#"{"d": 64, "init": {"kind": "overlaps", "Q": [[1]], "M": [[0.2]]}, "loss": "correlation", "steps": 5}"#,
    r#"{"d": 64, "steps": 5, "runs": [{"seed": 1}, {"loss": "adaptive", "adaptive": {"threshold": 0.5, "decay": 0.9, "jump": 0.1}}]}"#,
    r#"{"d": 128, "steps": 5, "terms": {"gradient": true, "noise": false, "mean_step": true}}"#,
    r#"{"d": 128, "protocols": ["mse", "correlation"], "mu": [1, 1.5], "seeds": [0, 1], "max_steps": 100, "lr_by_protocol": {"mse": {"policy": "fixed", "gamma0": 0.1, "delta": 1}}}"#,
];

/// A character edit: delete, insert or replace at a position (as a fraction of the length).
fn mutated() -> impl Strategy<Value = String> {
    let edit = (
        0.0f64..1.0,
        0u8..3,
        prop::sample::select(
            "{}[]\",:0123456789.-+eEabcdhnpqtu \\\n"
                .chars()
                .collect::<Vec<_>>(),
        ),
    );
    (
        prop::sample::select(VALID),
        prop::collection::vec(edit, 1..4),
    )
        .prop_map(|(text, edits)| {
            let mut chars: Vec<char> = text.chars().collect();
            for (at, op, ch) in edits {
                let i = ((at * chars.len() as f64) as usize).min(chars.len().saturating_sub(1));
                match op {
                    0 if !chars.is_empty() => {
                        chars.remove(i);
                    }
                    1 => chars.insert(i, ch),
                    _ if !chars.is_empty() => chars[i] = ch,
                    _ => {}
                }
            }
            chars.into_iter().collect()
        })
}

/// The first segment of a field path (`runs[2].init.Q[0]` -> `runs`).
fn root(field: &str) -> &str {
    let end = field.find(['.', '[']).unwrap_or(field.len());
    &field[..end]
}

/// Checks that a rejection names a field: `(document)`, a known key, or a key of the input.
fn names_a_field(text: &str, e: &ConfigError) -> Result<(), TestCaseError> {
    prop_assert!(!e.field.is_empty(), "no field: {e}");
    prop_assert!(!e.field.starts_with('?'), "field ?: {e}");
    prop_assert!(
        e.message.len() <= 1000 && e.field.len() <= 400,
        "too long: {e}"
    );
    if e.field == "(document)" {
        prop_assert_eq!(e.kind, ErrorKind::Syntax, "{}", e);
        return Ok(());
    }
    prop_assert!(
        e.kind != ErrorKind::Syntax,
        "a syntax error names {}: {e}",
        e.field
    );
    let object: Option<Map<String, Value>> = serde_json::from_str(text).ok();
    if object.is_none() {
        // the reader stops at the first problem: a key given twice before a syntax error
        prop_assert!(
            e.message.contains("is given twice"),
            "a document that does not parse names {}: {e}",
            e.field
        );
        return Ok(());
    }
    let known = CONFIG_KEYS.contains(&root(&e.field))
        || object
            .unwrap()
            .keys()
            .any(|k| e.field.starts_with(&sgdlab::config::json::key_name(k)));
    prop_assert!(known, "{} is not a key of the input: {e}", e.field);
    Ok(())
}

/// Parses and validates `text` as a run, a theory and a sweep config; never runs anything.
fn check_every_parser(text: &str) -> Result<(), TestCaseError> {
    match RunConfig::list_from_json(text) {
        Ok(file) => {
            if let Err(e) = file.resolve() {
                names_a_field(text, &e)?;
            }
        }
        Err(e) => names_a_field(text, &e)?,
    }
    match theory_config_from_json(text) {
        Ok((run, _)) => {
            if let Err(e) = run.resolve() {
                names_a_field(text, &e)?;
            }
        }
        Err(e) => names_a_field(text, &e)?,
    }
    match SweepConfig::from_json(text) {
        Ok(sweep) => {
            if let Err(e) = sweep.jobs() {
                names_a_field(text, &e)?;
            }
        }
        Err(e) => names_a_field(text, &e)?,
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_config_documents_are_parsed_or_rejected_by_field(doc in document()) {
        // small step counts keep any accidental run cheap (nothing is run here anyway)
        let text = Value::Object(doc).to_string();
        check_every_parser(&text)?;
    }

    #[test]
    fn random_documents_nested_in_runs_are_rejected_by_entry(entries in prop::collection::vec(document(), 1..4), shared in document()) {
        let mut object = shared;
        object.insert("runs".into(), Value::Array(entries.into_iter().map(Value::Object).collect()));
        let text = Value::Object(object).to_string();
        if let Err(e) = RunConfig::list_from_json(&text) {
            names_a_field(&text, &e)?;
        }
    }

    #[test]
    fn mutated_configs_are_parsed_or_rejected_by_field(text in mutated()) {
        check_every_parser(&text)?;
    }

    #[test]
    fn duplicated_keys_are_always_rejected(doc in document_of_size(1..7), i in 0usize..8) {
        let (key, value) = doc.iter().nth(i % doc.len()).unwrap();
        let body = Value::Object(doc.clone()).to_string();
        let text = format!("{{{}: {value}, {}", Value::from(key.as_str()), &body[1..]);
        for e in [
            RunConfig::list_from_json(&text).err(),
            theory_config_from_json(&text).err(),
            SweepConfig::from_json(&text).err(),
        ] {
            let e = e.expect("a key given twice is rejected");
            names_a_field(&text, &e)?;
        }
    }
}

/// URL hash text: keys of the page and junk, values of every shape, percent escapes.
fn hash() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => prop::sample::select(KEYS.to_vec()).prop_map(String::from),
        1 => "[a-z_%0-9+]{0,6}",
    ];
    let value = prop_oneof![
        prop::sample::select(NAMES).prop_map(String::from),
        "[0-9.e+-]{0,6}",
        "[a-zA-Z0-9%+,=& ]{0,10}",
        Just("x".repeat(2000)),
    ];
    prop::collection::vec((key, value, any::<bool>()), 0..8).prop_map(|pairs| {
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v, bare)| if bare { k } else { format!("{k}={v}") })
            .collect();
        format!("#{}", body.join("&"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_url_hashes_are_parsed_or_rejected_by_parameter(text in hash()) {
        if let Err(errors) = LabState::from_hash(&text) {
            prop_assert!(!errors.is_empty());
            let keys: Vec<String> = form_urlencoded::parse(text.trim_start_matches('#').as_bytes())
                .map(|(k, _)| sgdlab::config::json::key_name(&k))
                .collect();
            for e in &errors {
                prop_assert!(
                    KEYS.contains(&e.key.as_str()) || keys.contains(&e.key),
                    "{e:?} names no parameter of {text}"
                );
                prop_assert!(e.message.len() <= 1000, "{e:?}");
            }
        }
    }
}
