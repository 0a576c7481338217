//! The overlap recursion of a run config: the core of `sgdlab theory CONFIG.json` (run
//! orchestration over [`crate::theory`], next to [`crate::simulation`] for simulations).
//!
//! A theory config is a run config (the JSON of `sgdlab run`, see [`crate::config`]) with one
//! optional extra key, `terms: {gradient, noise, mean_step}` (each a boolean, missing ones
//! true; the key itself missing means all terms). [`theory_config_from_json`] splits it off,
//! [`recursion_from_config`] maps the validated config to the recursion's initial overlaps and
//! [`RecursionSettings`], and [`run_theory`] runs it and returns a [`TheoryOutput`], whose JSON
//! has the keys of a simulation's [`crate::simulation::RunOutput`] (`config`, `steps`, `M`,
//! `Q`, `risk`, `weak_recovery_step`, `diverged`, `message`, `risk_method`, ...) so the two can
//! be overlaid.
//!
//! # Same start as the simulation
//! The initial overlaps are the ones the simulation of the same config and seed starts from:
//! the `init` stream of [`streams_from_seed`]`(seed)`, drawn exactly as
//! [`crate::simulation::initial_sampler`] does for the simulation with the resolved sampler (overlap
//! space for `exact` and `clt`; literal d-dimensional weights for `full`, whose overlaps
//! differ from the overlap-space draw of the same seed). So a warm start at m0 = 1/sqrt(d)
//! gives the recursion the same (random) initial M and Q as the simulation it is compared to.
//!
//! # What is not modelled
//! The recursion implements projected and spherical SGD (and, with `projected = false`, the
//! unprojected map, which no simulation runs). The
//! sampler, `clt_threshold`, `stop_at_recovery` and `record_points` only matter for the
//! simulation, except that `record_points` sets the recursion's trajectory capacity and
//! `stop_at_recovery` is ignored (the recursion always runs `steps` steps unless it diverges).

use crate::config::{ConfigError, ResolvedConfig, RunConfig};
use crate::model::Overlaps;
use crate::random::streams_from_seed;
use crate::sampler::Update;
use crate::theory::gaussian_expectations::NumericalSettings;
use crate::theory::overlap_recursion::{run_overlap_recursion, RecursionSettings, Terms};
use crate::theory::regimes::Regime;
use crate::trajectory::Trajectory;
use serde::Serialize;

/// The output of [`run_theory`], in the simulation's output schema.
///
/// JSON keys: `config`, `terms`, `regime`, `risk_method`, `drift_method`, then the flattened
/// trajectory (`steps`, `M`, `Q`, `risk`, `weak_recovery_step`), `switch_step`, `steps_done`,
/// `diverged`, `message`, `warnings`, `estimated_cost`.
#[derive(Clone, Debug, Serialize)]
pub struct TheoryOutput {
    /// The resolved config (n_b and gamma as numbers).
    pub config: ResolvedConfig,
    /// Which terms of the recursion were kept.
    pub terms: Terms,
    /// The asymptotic regime of (delta, mu) = (`delta_resolved`, `mu_resolved`), as its label
    /// (null for a bare `gamma`, which has no delta)
    /// ("population flow", "Saad & Solla line", "noise learning", "undefined").
    pub regime: Option<String>,
    /// How the risks were computed (least exact over the run).
    pub risk_method: String,
    /// How the drift terms were computed (least exact over the run).
    pub drift_method: String,
    /// The recorded trajectory (`steps`, `M`, `Q`, `risk`, `weak_recovery_step`).
    #[serde(flatten)]
    pub trajectory: Trajectory,
    /// Step after which the adaptive protocol switched to MSE.
    pub switch_step: Option<u64>,
    /// Steps completed.
    pub steps_done: u64,
    /// true when the recursion stopped early (non-finite values, an overshooting step).
    pub diverged: bool,
    /// Why it stopped (null otherwise).
    pub message: Option<String>,
    /// Warnings about settings whose result cannot mean much (see
    /// [`crate::preflight::noise_warnings`]); empty for sound settings.
    pub warnings: Vec<String>,
    /// The estimated cost of the recursion ([`crate::preflight::theory_cost`]).
    pub estimated_cost: crate::preflight::CostEstimate,
}

/// The initial overlaps the simulation of `config` starts from (same seed, same draw).
pub fn initial_overlaps(config: &ResolvedConfig) -> Overlaps {
    let mut streams = streams_from_seed(config.input.seed);
    crate::simulation::initial_sampler(config, &mut streams).overlaps()
}

/// [`initial_overlaps`] with the columns of a spiked covariance's free directions after the
/// teachers' ([`crate::sampler::Sampler::tracked_overlaps`]): the recursion's start.
pub fn initial_tracked_overlaps(config: &ResolvedConfig) -> Overlaps {
    let mut streams = streams_from_seed(config.input.seed);
    crate::simulation::initial_sampler(config, &mut streams).tracked_overlaps()
}

/// The asymptotic regime of a resolved config (from `delta_resolved` and `mu_resolved`);
/// `None` when gamma is given as a bare number (no delta: give `lr: {policy: fixed, gamma0,
/// delta}` to place a run in a regime).
pub fn config_regime(config: &ResolvedConfig) -> Option<Regime> {
    config.regime()
}

/// Maps a validated run config to the recursion's initial overlaps (the simulation's own
/// initial draw, see [`initial_overlaps`]) and settings: target, activation, Delta, d, n_b,
/// gamma, loss, adaptive schedule, steps, eta and trajectory capacity (`record_points`) from
/// the config; `terms` and `projected` as given; default numerical settings.
///
/// Errors: `update: "spherical"` with `projected = false` (spherical SGD always normalises),
/// or settings the recursion rejects (named by their config field).
pub fn recursion_from_config(
    config: &ResolvedConfig,
    terms: Terms,
    projected: bool,
) -> Result<(Overlaps, RecursionSettings), ConfigError> {
    let c = &config.input;
    if !projected && c.model.update == Update::Spherical {
        return Err(ConfigError::new(
            "update",
            "spherical SGD always normalises: its recursion has no unprojected form",
        ));
    }
    let settings = RecursionSettings {
        target: c.model.target,
        activation: config.activation_resolved,
        noise: c.model.noise,
        dimension: c.model.d,
        batch_size: config.nb_resolved,
        learning_rate: config.gamma_resolved,
        loss: c.loss,
        adaptive: c.model.adaptive,
        terms,
        projected,
        update: c.model.update,
        steps: c.steps,
        eta: c.model.eta,
        trajectory_capacity: c.record_points,
        numerics: NumericalSettings::default(),
        second_layer: c.model.second_layer,
        numerical_fallback: true,
        covariance: c.model.covariance.clone(),
    };
    settings.validate().map_err(|e| {
        let field = match &e {
            crate::theory::RecursionError::InvalidSetting { name, .. } => match *name {
                "dimension" => "d",
                "batch_size" => "nb",
                "learning_rate" => "gamma",
                other => other,
            },
            _ => "config",
        };
        ConfigError::new(field, e.to_string())
    })?;
    Ok((initial_tracked_overlaps(config), settings))
}

/// Runs the projected overlap recursion of `config` with `terms`, from the simulation's initial
/// overlaps. A recursion that stops early is not an error: `diverged` and `message` say where
/// and why, and the trajectory holds every step before.
pub fn run_theory(config: &ResolvedConfig, terms: Terms) -> Result<TheoryOutput, ConfigError> {
    run_theory_with_fallback(config, terms, true)
}

/// [`run_theory`] without the isotropic numerical fallback of the Hermite-expansion backend
/// (tanh and other smooth links): where the expansion does not apply the anisotropic
/// eigenbasis rule takes over (strongly correlated fields, `theory::eigenbasis_quadrature`),
/// and the recursion stops, with the reason in `message`, only at a step that neither covers,
/// so that it never spends 16 ms per step on the isotropic rule (the page's overlay).
pub fn run_theory_without_fallback(
    config: &ResolvedConfig,
    terms: Terms,
) -> Result<TheoryOutput, ConfigError> {
    run_theory_with_fallback(config, terms, false)
}

fn run_theory_with_fallback(
    config: &ResolvedConfig,
    terms: Terms,
    numerical_fallback: bool,
) -> Result<TheoryOutput, ConfigError> {
    let (initial, mut settings) = recursion_from_config(config, terms, true)?;
    settings.numerical_fallback = numerical_fallback;
    let warnings = crate::preflight::noise_warnings(config, &initial);
    let run = run_overlap_recursion(&initial, &settings).map_err(|e| {
        // an initial condition the theory engine rejects comes from `init`
        let field = match &e {
            crate::theory::RecursionError::InvalidInitialCondition(_) => "init",
            _ => "config",
        };
        ConfigError::new(field, e.to_string())
    })?;
    let (diverged, message) = match &run.divergence {
        Some(d) => (true, Some(d.to_string())),
        None => (false, None),
    };
    Ok(TheoryOutput {
        config: config.clone(),
        terms,
        regime: config_regime(config).map(|r| r.label().to_string()),
        risk_method: run.risk_method.to_string(),
        drift_method: run.drift_method.to_string(),
        trajectory: run.trajectory,
        switch_step: run.switch_step,
        steps_done: run.steps_done,
        diverged,
        message,
        warnings,
        estimated_cost: crate::preflight::theory_cost(config),
    })
}

/// Parses a theory config: a run config (as for [`RunConfig::from_json`]) plus an optional
/// `terms` object, through the same strict reader ([`crate::config::json`]: no key twice,
/// structs only as JSON objects, user-term type errors). `RunConfig` rejects unknown keys (and
/// `deny_unknown_fields` does not combine with `#[serde(flatten)]`), so `terms` is removed from
/// the JSON object first and the rest is read as a run config. Errors name the field
/// (`terms.noise`, `d`, ...).
pub fn theory_config_from_json(text: &str) -> Result<(RunConfig, Terms), ConfigError> {
    use crate::config::json::{self, Schema};
    let mut object = json::parse_object(text)?;
    if object.contains_key("runs") {
        return Err(ConfigError::new(
            "runs",
            "a theory config describes one run (no runs list)",
        ));
    }
    json::check_types(Schema::Theory, &object, "")?;
    let terms = match object.remove("terms") {
        None => Terms::ALL,
        Some(serde_json::Value::Object(terms)) => {
            json::from_value::<Terms>(Schema::Theory, &terms, "terms")?
        }
        Some(_) => unreachable!("check_types accepts only an object for terms"),
    };
    let run = json::from_object(Schema::Theory, &object, "")?;
    Ok((run, terms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::Simulation;

    #[test]
    fn terms_are_split_off_and_named_in_errors() {
        let (run, terms) =
            theory_config_from_json(r#"{"d": 256, "p": 2, "terms": {"noise": false}, "seed": 3}"#)
                .unwrap();
        assert_eq!((run.model.d, run.model.p, run.seed), (256, 2, 3));
        assert_eq!(
            terms,
            Terms {
                gradient: true,
                noise: false,
                mean_step: true
            }
        );
        let (_, terms) = theory_config_from_json(r#"{"d": 256}"#).unwrap();
        assert_eq!(terms, Terms::ALL);
        let e = theory_config_from_json(r#"{"terms": {"nois": false}}"#).unwrap_err();
        assert_eq!(e.field, "terms.nois");
        let e = theory_config_from_json(r#"{"terms": {"noise": 1}}"#).unwrap_err();
        assert_eq!(e.field, "terms.noise");
        let e = theory_config_from_json(r#"{"terms": {}, "bogus": 1}"#).unwrap_err();
        assert_eq!(e.field, "bogus");
        let e = theory_config_from_json(r#"[1]"#).unwrap_err();
        assert_eq!(e.field, "(document)");
        let e = theory_config_from_json(r#"{"d": 256, "d": 512}"#).unwrap_err();
        assert_eq!(e.field, "d");
        assert!(e.message.contains("twice"), "{e}");
        let e = theory_config_from_json(r#"{"terms": [true, false, true]}"#).unwrap_err();
        assert_eq!(e.field, "terms");
    }

    #[test]
    fn the_recursion_starts_where_the_simulation_starts() {
        for (sampler, init) in [
            ("exact", r#"{"kind": "warm"}"#),
            ("clt", r#"{"kind": "cold"}, "nb": 8192"#),
            ("full", r#"{"kind": "m0", "m0": 0.2}"#),
        ] {
            let text = format!(
                r#"{{"d": 64, "p": 3, "k": 2, "target": "erf", "seed": 11, "sampler": "{sampler}", "init": {init}}}"#
            );
            let config = RunConfig::from_json(&text).unwrap().resolve().unwrap();
            let (initial, settings) = recursion_from_config(&config, Terms::ALL, true).unwrap();
            let simulation = Simulation::from_resolved(config.clone());
            assert_eq!(initial, simulation.overlaps(), "{sampler}");
            assert_eq!(settings.batch_size, config.nb_resolved);
            assert_eq!(settings.learning_rate, config.gamma_resolved);
        }
    }

    #[test]
    fn spherical_updates_run_the_spherical_recursion() {
        let config = RunConfig::from_json(r#"{"update": "spherical"}"#)
            .unwrap()
            .resolve()
            .unwrap();
        let (_, settings) = recursion_from_config(&config, Terms::ALL, true).unwrap();
        assert_eq!(settings.update, Update::Spherical);
        assert_eq!(
            recursion_from_config(&config, Terms::ALL, false)
                .unwrap_err()
                .field,
            "update"
        );
    }

    #[test]
    fn output_has_the_simulation_keys() {
        let config = RunConfig::from_json(
            r#"{"d": 10000, "p": 2, "k": 2, "target": "erf", "noise": 0.01, "nb": 100,
                "lr": {"policy": "fixed", "gamma0": 8, "delta": 0.5}, "steps": 20,
                "init": {"kind": "m0", "m0": 0}}"#,
        )
        .unwrap()
        .resolve()
        .unwrap();
        let out = run_theory(&config, Terms::ALL).unwrap();
        assert_eq!(out.regime.as_deref(), Some("Saad & Solla line"));
        assert_eq!(out.steps_done, 20);
        let v = serde_json::to_value(&out).unwrap();
        for key in [
            "config",
            "terms",
            "steps",
            "M",
            "Q",
            "risk",
            "weak_recovery_step",
            "diverged",
            "message",
            "risk_method",
            "regime",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(v["risk_method"], "closed form");
        assert_eq!(v["terms"]["mean_step"], true);
        let simulation =
            serde_json::to_value(Simulation::from_resolved(config).run_to_end()).unwrap();
        assert_eq!(v["steps"], simulation["steps"]);
        assert_eq!(v["M"][0], simulation["M"][0]);
    }
}
