//! Tests of `form`: the explorer's fields, both modes, validated natively.

use super::*;
use crate::config::ModelSettings;

fn default_form() -> ExplorerForm {
    ExplorerForm {
        workers: "2".into(),
        ..ExplorerForm::from_config(&SweepConfig::default())
    }
}

#[test]
fn the_default_form_is_the_default_sweep() {
    let valid = default_form().validate(None).unwrap();
    assert_eq!(valid.config.mu, SweepConfig::default().mu);
    assert_eq!(valid.config.protocols, SweepConfig::default().protocols);
    assert_eq!(valid.jobs.len(), valid.config.jobs().unwrap().len());
    assert!(
        valid.summary.contains("information exponent l = 3"),
        "{}",
        valid.summary
    );
}

#[test]
fn the_student_activation_is_independent_of_the_target() {
    let mut form = default_form();
    form.activation = "erf".into();
    let valid = form.validate(None).unwrap();
    assert_eq!(valid.config.model.activation, Some(crate::model::Link::Erf));
    assert_eq!(ExplorerForm::from_config(&valid.config).activation, "erf");
    assert!(valid.jobs.iter().all(|j| j.model.activation.is_some()));
    form.activation = String::new();
    assert_eq!(form.validate(None).unwrap().config.model.activation, None);
    form.activation = "he99".into();
    assert!(form.validate(None).unwrap_err().starts_with("activation"));
}

#[test]
fn a_hermite_polynomial_target_goes_through_the_form() {
    let mut form = default_form();
    // a ReLU student (the default for a polynomial), 50 operations a sample: a lower cap
    // keeps the sweep within the budget
    form.max_steps = "100000".into();
    form.target = r#"{"hermite": [[1, [3]], [0.5, [1]]]}"#.into();
    let valid = form.validate(None).unwrap();
    assert_eq!(valid.config.model.target.formula(1), "He_3(z_1) + 0.5 z_1");
    let back = ExplorerForm {
        workers: "2".into(),
        ..ExplorerForm::from_config(&valid.config)
    };
    assert_eq!(back.validate(None).unwrap().config, valid.config);
    // a multi-index polynomial sets k from its degree lists, and the summary gives its leap
    form.target = r#"{"hermite": [[1, [1, 0]], [1, [0, 3]]]}"#.into();
    let valid = form.validate(None).unwrap();
    assert_eq!(valid.config.model.k, 2);
    assert!(
        valid
            .summary
            .contains("(information exponent l = 1, leap index 3)"),
        "{}",
        valid.summary
    );
    let back = ExplorerForm {
        workers: "2".into(),
        ..ExplorerForm::from_config(&valid.config)
    };
    assert_eq!(back.validate(None).unwrap().config, valid.config);
    // degree lists of different lengths are refused by the sweep's own check
    form.target = r#"{"hermite": [[1, [1, 0]], [1, [3]]]}"#.into();
    assert!(form
        .validate(None)
        .unwrap_err()
        .contains("target.hermite[1]"));
    form.target = "{".into();
    assert!(form.validate(None).unwrap_err().starts_with("target"));
}

#[test]
fn bad_fields_are_named_with_their_range() {
    let mut form = default_form();
    form.workers = "99".into();
    assert!(form.validate(None).unwrap_err().contains("[1, 16]"));
    let mut form = default_form();
    form.seeds = "0".into();
    assert!(form.validate(None).unwrap_err().starts_with("seeds:"));
    let mut form = default_form();
    form.protocols.clear();
    assert!(form.validate(None).unwrap_err().starts_with("protocols:"));
    let mut form = default_form();
    form.d = "abc".into();
    assert!(form.validate(None).unwrap_err().starts_with("d:"));
    assert!(mu_grid(0.0, 100.0, 0.01)
        .unwrap_err()
        .contains("at most 200"));
}

#[test]
fn a_link_keeps_the_keys_the_form_does_not_show() {
    let link = SweepConfig {
        model: ModelSettings {
            p: 2,
            ..ModelSettings::default()
        },
        seeds: vec![5, 9],
        ..SweepConfig::default()
    };
    let shown = ExplorerForm {
        workers: "1".into(),
        ..ExplorerForm::from_config(&link)
    };
    let base = (link.clone(), shown.to_json().unwrap());
    let valid = shown.validate(Some(&base)).unwrap();
    assert_eq!(valid.config.seeds, vec![5, 9]);
    assert_eq!(valid.config.model.p, 2);
    assert!(
        valid.summary.contains("also set by the link"),
        "{}",
        valid.summary
    );
}

#[test]
fn the_d_scaling_mode_sweeps_powers_of_two_at_one_mu() {
    let mut form = default_form();
    form.mode = D_SCALING_MODE.into();
    form.log2_d_from = "8".into();
    form.log2_d_to = "12".into();
    form.log2_d_step = "2".into();
    form.mu_fixed = "1".into();
    form.max_steps = "20000".into();
    let valid = form.validate(None).unwrap();
    assert_eq!(valid.config.d_list, Some(vec![256, 1024, 4096]));
    assert_eq!(valid.config.mu, vec![1.0]);
    assert_eq!(valid.jobs.len(), 2 * 3 * 5);
    assert!(
        valid.summary.starts_with(
            "30 runs (information exponent l = 3) at μ = 1, d = 2⁸ to 2¹² (3 dimensions)"
        ),
        "{}",
        valid.summary
    );
    // the mode lives in the config (a d list): the form reads back as it was
    let back = ExplorerForm::from_config(&valid.config);
    assert_eq!(back.mode, D_SCALING_MODE);
    assert_eq!(
        (
            &back.log2_d_from[..],
            &back.log2_d_to[..],
            &back.log2_d_step[..]
        ),
        ("8", "12", "2")
    );
    let back = ExplorerForm {
        workers: "2".into(),
        ..back
    };
    assert_eq!(back.validate(None).unwrap().config, valid.config);
    // the batch-size fields do not matter in this mode, the d-scaling ones are checked
    form.mu_from = "x".into();
    assert!(form.validate(None).is_ok());
    form.mu_fixed = "13".into();
    assert_eq!(
        form.validate(None).unwrap_err(),
        "μ: '13' is not a number in [0, 12]"
    );
    form.mu_fixed = "1".into();
    form.log2_d_to = "21".into();
    assert!(form
        .validate(None)
        .unwrap_err()
        .starts_with("log₂ d to: '21'"));
}

#[test]
fn the_d_scaling_mode_marks_the_dimensions_run_by_the_clt_sampler_and_checks_the_cost() {
    let mut form = default_form();
    form.mode = D_SCALING_MODE.into();
    (form.log2_d_from, form.log2_d_to, form.log2_d_step) = ("10".into(), "18".into(), "4".into());
    // mu = 2.25: n_b = d^2.25 is above 4e6 samples a step from d = 2^10 on (2^22.5)
    form.mu_fixed = "2.25".into();
    form.max_steps = "100000".into();
    let valid = form.validate(None).unwrap();
    assert!(
        valid
            .summary
            .ends_with("; d = 2¹⁰, 2¹⁴, 2¹⁸ use the clt (large-batch) sampler"),
        "{}",
        valid.summary
    );
    // mu = 1 up to d = 2²⁰, 50 seeds, the default cap of 10^6 steps: refused, by its fields
    form.mu_fixed = "1".into();
    form.log2_d_to = "20".into();
    form.log2_d_step = "5".into();
    form.max_steps = "1000000".into();
    form.seeds = "50".into();
    let e = form.validate(None).unwrap_err();
    assert!(
        e.starts_with("cost: ") && e.contains("lower log₂ d to"),
        "{e}"
    );
}

#[test]
fn the_pool_defaults_leave_a_core_to_the_page() {
    assert_eq!(default_pool_size(1), 1);
    assert_eq!(default_pool_size(4), 3);
    assert_eq!(default_pool_size(64), MAX_WORKERS);
}

#[test]
fn the_a0_values_field_is_a_sweep_axis_with_its_range_in_the_errors() {
    let mut form = default_form();
    form.max_steps = "10000".into();
    // one value: the model's second_layer.a0, the config as without the axis
    assert_eq!(form.a0, "1");
    assert_eq!(form.validate(None).unwrap().config.a0_list, None);
    form.a0 = "0.1".into();
    let valid = form.validate(None).unwrap();
    assert_eq!(
        (
            valid.config.a0_list.clone(),
            valid.config.model.second_layer.a0
        ),
        (None, 0.1)
    );
    assert!(valid.jobs.iter().all(|j| j.model.second_layer.a0 == 0.1));
    // several: one job per (protocol, a0, mu, seed), named in the summary
    form.a0 = "1, 0.1,0.01".into();
    let valid = form.validate(None).unwrap();
    assert_eq!(valid.config.a0_list, Some(vec![1.0, 0.1, 0.01]));
    assert_eq!(
        valid.jobs.len(),
        3 * SweepConfig::default().jobs().unwrap().len()
    );
    assert!(
        valid
            .summary
            .contains("; second-layer weights a0 = 1, 0.1, 0.01 (each its own series)"),
        "{}",
        valid.summary
    );
    // the form shows the config it made (the URL and Load JSON path)
    let back = ExplorerForm {
        workers: "2".into(),
        ..ExplorerForm::from_config(&valid.config)
    };
    assert_eq!(back.a0, "1, 0.1, 0.01");
    assert_eq!(back.validate(None).unwrap().config, valid.config);
    for (text, words) in [
        ("0", "a0 values: '0' is not a number in (0, 1e6]"),
        ("1, -2", "a0 values: '-2' is not a number in (0, 1e6]"),
        ("2e6", "a0 values: '2e6' is not a number in (0, 1e6]"),
        ("1, x", "a0 values: 'x' is not a number in (0, 1e6]"),
        (
            "",
            "a0 values: give 1 to 8 numbers in (0, 1e6] separated by commas, got 0",
        ),
        (
            "1,2,3,4,5,6,7,8,9",
            "a0 values: give 1 to 8 numbers in (0, 1e6] separated by commas, got 9",
        ),
        ("0.1, 1, 0.10", "a0 values: 0.1 is listed twice"),
    ] {
        form.a0 = text.into();
        assert_eq!(form.validate(None).unwrap_err(), words, "{text}");
    }
}

#[test]
fn the_rate_across_a0_can_hold_gamma_a0_fixed() {
    let mut form = default_form();
    form.max_steps = "10000".into();
    form.a0 = "1, 0.1".into();
    assert_eq!(form.a0_rate, "shared");
    assert!(!form.validate(None).unwrap().config.fixed_gamma_a0);
    form.a0_rate = A0_RATE_FIXED.into();
    let valid = form.validate(None).unwrap();
    assert!(valid.config.fixed_gamma_a0);
    assert!(
        valid
            .summary
            .contains("(each its own series, γ a0 held fixed)"),
        "{}",
        valid.summary
    );
    let back = ExplorerForm::from_config(&valid.config);
    assert_eq!(back.a0_rate, A0_RATE_FIXED);
    // γ a0 is the same at both weights
    let gamma_a0: Vec<f64> = valid.jobs[..2 * valid.config.mu.len() * valid.config.seeds.len()]
        .iter()
        .step_by(valid.config.mu.len() * valid.config.seeds.len())
        .map(|j| j.resolve().unwrap().gamma_resolved * j.model.second_layer.a0)
        .collect();
    assert_eq!(gamma_a0.len(), 2);
    assert!((gamma_a0[0] - gamma_a0[1]).abs() < 1e-15, "{gamma_a0:?}");
}
