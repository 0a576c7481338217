//! Multi-index Hermite polynomial targets in configs: the object form is read strictly, every
//! error names the field (`target.hermite[i]`) and the valid range, the string forms are
//! unchanged, and the resolved run reports the information exponent and the leap index.

use sgdlab::config::{ConfigError, RunConfig};
use sgdlab::model::Target;

fn error(text: &str) -> ConfigError {
    match RunConfig::from_json(text) {
        Ok(c) => c.resolve().map(|_| ()).unwrap_err(),
        Err(e) => e,
    }
}

const STAIRCASE: &str = r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#;

#[test]
fn string_targets_are_unchanged() {
    for name in ["he3", "he2n", "erf", "tanh", "relu", "tanh_product"] {
        let c = RunConfig::from_json(&format!(r#"{{"target": "{name}", "k": 3}}"#)).unwrap();
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["target"], serde_json::Value::from(name));
    }
}

#[test]
fn an_object_target_round_trips_and_resolves_with_its_leap_index() {
    let text = format!(r#"{{"target": {STAIRCASE}, "k": 3, "p": 3, "d": 256, "steps": 5}}"#);
    let c = RunConfig::from_json(&text).unwrap();
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["target"]["hermite"][2][1], serde_json::json!([1, 1, 1]));
    assert_eq!(v["target"]["normalised"], serde_json::Value::from(false));
    let back = RunConfig::from_json(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
    let r = c.resolve().unwrap();
    assert_eq!(r.information_exponent, 1);
    assert_eq!(r.leap_index, 1);
    assert!(r.leap_index_basis.contains("upper bound"));
    let out = serde_json::to_value(&r).unwrap();
    assert_eq!(out["leap_index"], serde_json::Value::from(1));
    // z1 z2 z3: l = leap = 3; z1 + He3(z2): l = 1, leap = 3
    for (target, k, l, leap) in [
        (r#"{"hermite": [[1, [1, 1, 1]]]}"#, 3, 3, 3),
        (r#"{"hermite": [[1, [1, 0]], [1, [0, 3]]]}"#, 2, 1, 3),
        (
            r#"{"hermite": [[1, [2, 0]], [1, [1, 1]]], "normalised": true}"#,
            2,
            2,
            2,
        ),
    ] {
        let r = RunConfig::from_json(&format!(r#"{{"target": {target}, "k": {k}}}"#))
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(
            (r.information_exponent, r.leap_index),
            (l, leap),
            "{target}"
        );
    }
}

#[test]
fn bad_terms_are_named_with_the_valid_range() {
    let cases = [
        // (target, k, field, words in the message)
        (
            r#"{"hermite": [[1, [1, 0]], [1, [9, 0]]]}"#,
            2,
            "target.hermite[1]",
            "[0, 8]",
        ),
        (
            r#"{"hermite": [[1, [1, 0]], [1, [1, -1]]]}"#,
            2,
            "target.hermite[1]",
            "[0, 8]",
        ),
        (
            r#"{"hermite": [[1, [1, 0]], [1, [1.5, 0]]]}"#,
            2,
            "target.hermite[1]",
            "whole",
        ),
        (
            r#"{"hermite": [[1, [1, 0]], ["x", [1, 0]]]}"#,
            2,
            "target.hermite[1]",
            "[c, [a_1",
        ),
        (
            r#"{"hermite": [[1, [1, 0]], [1]]}"#,
            2,
            "target.hermite[1]",
            "[c, [a_1",
        ),
        (
            r#"{"hermite": [[1, [1, 0]], [1, [1]]]}"#,
            2,
            "target.hermite[1]",
            "one degree per",
        ),
        (r#"{"hermite": []}"#, 1, "target.hermite", "1 to 32 terms"),
        (
            r#"{"hermite": [[1, [0, 0]]]}"#,
            2,
            "target.hermite",
            "1 to 32 terms",
        ),
        (
            r#"{"hermite": [[1, [1, 1]]]}"#,
            3,
            "target.hermite[0]",
            "k = 3",
        ),
        (
            r#"{"hermite": [[1, [1]]], "normalized": true}"#,
            1,
            "target.normalized",
            "unknown key",
        ),
        (
            r#"{"hermite": [[1, [1]]], "normalised": 1}"#,
            1,
            "target.normalised",
            "true or false",
        ),
        (r#"{"normalised": true}"#, 1, "target.hermite", "required"),
        (
            r#"{"hermite": "z1"}"#,
            1,
            "target.hermite",
            "list of 1 to 32",
        ),
        (r#"3"#, 1, "target", "tanh_product"),
        (
            r#""{\"hermite\": [[1, [1]]]}""#,
            1,
            "target",
            "tanh_product",
        ),
    ];
    for (target, k, field, words) in cases {
        let e = error(&format!(r#"{{"target": {target}, "k": {k}}}"#));
        assert_eq!(e.field, field, "{target}: {e:?}");
        assert!(e.message.contains(words), "{target}: {}", e.message);
    }
    // 33 terms
    let many = vec!["[1, [1]]"; 33].join(", ");
    let e = error(&format!(r#"{{"target": {{"hermite": [{many}]}}}}"#));
    assert_eq!(e.field, "target.hermite[32]");
    assert!(e.message.contains("at most 32"), "{}", e.message);
    // a non-finite coefficient cannot be written in JSON; a huge one is finite and accepted
    assert!(RunConfig::from_json(r#"{"target": {"hermite": [[1e300, [1]]]}}"#).is_ok());
    // in a list of runs the entry is named
    let e = RunConfig::list_from_json(
        r#"{"runs": [{"target": "he3"}, {"k": 2, "target": {"hermite": [[1, [1, 9]]]}}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.field, "runs[1].target.hermite[0]", "{e:?}");
}

#[test]
fn the_target_parses_from_its_display_text() {
    let t: Target = STAIRCASE.parse().unwrap();
    let again: Target = t.to_string().parse().unwrap();
    assert_eq!(t, again);
    assert_eq!(t.formula(3), "z_1 + z_1 z_2 + z_1 z_2 z_3");
    assert!("{\"hermite\": 1}".parse::<Target>().is_err());
}
