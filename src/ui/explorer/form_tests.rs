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
