//! The explorer's form as plain data ([`ExplorerForm`]: the raw text of every control), turned
//! into a sweep config and validated by the same code as `sgdlab sweep`.

use super::d_axis::{check_cost, d_grid, fixed_mu, is_d_scaling};
use super::exponents::exponents_text;
use crate::config::display_number;
use crate::config::json::cut;
use crate::config::scaling::LearningRate;
use crate::config::RunConfig;
use crate::model::Loss;
use crate::sampler::SamplerKind;
use crate::sweep::{LearningRateByProtocol, SweepConfig};
use crate::ui::sweep_form::{keys_beyond_the_form, merge_form};
use serde_json::Value;

/// Most Web Workers the explorer will start.
pub const MAX_WORKERS: usize = 16;

/// Most points of the μ grid.
pub const MAX_MU_POINTS: usize = 200;

/// Most seeds per (protocol, μ).
pub const MAX_SEEDS: u64 = 200;

/// The explorer's controls, as the text they hold (checkboxes as the protocols ticked).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExplorerForm {
    /// Target link (`x-target`).
    pub target: String,
    /// Student activation σ (`x-activation`; empty: the target's link).
    pub activation: String,
    /// Input dimension d.
    pub d: String,
    /// `projected` or `spherical`.
    pub update: String,
    /// The protocols ticked.
    pub protocols: Vec<Loss>,
    /// First μ of the grid.
    pub mu_from: String,
    /// Last μ of the grid.
    pub mu_to: String,
    /// Step of the μ grid.
    pub mu_step: String,
    /// `optimal`, `fixed` or `authors`.
    pub lr_policy: String,
    /// The rate prefactor (γ₀, or c for `authors`).
    pub gamma0: String,
    /// δ of a fixed policy.
    pub delta: String,
    /// Per-protocol prefactors, e.g. `mse=0.01, correlation=0.1`.
    pub gamma0_by_protocol: String,
    /// Number of seeds (0..n).
    pub seeds: String,
    /// Weak-recovery threshold η.
    pub eta: String,
    /// Step cap.
    pub max_steps: String,
    /// Label noise Δ.
    pub noise: String,
    /// Web Workers to use.
    pub workers: String,
    /// `mu` (the batch-size sweep, the default) or `d` (d-scaling: one μ, a list of d).
    pub mode: String,
    /// d-scaling: log₂ of the smallest d.
    pub log2_d_from: String,
    /// d-scaling: log₂ of the largest d.
    pub log2_d_to: String,
    /// d-scaling: step of log₂ d.
    pub log2_d_step: String,
    /// d-scaling: the fixed batch exponent μ.
    pub mu_fixed: String,
}

/// The form's mode value of the d-scaling mode (any other value is the batch-size sweep).
pub const D_SCALING_MODE: &str = "d";

fn number(v: &str, field: &str) -> Result<f64, String> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{field}: '{}' is not a number", cut(v.trim())))
}

fn whole(v: &str, field: &str) -> Result<u64, String> {
    let x = number(v, field)?;
    if x < 0.0 || x.fract() != 0.0 || x > u64::MAX as f64 {
        return Err(format!("{field}: must be a whole number >= 0, got {x}"));
    }
    Ok(x as u64)
}

/// The μ grid from, to, step (inclusive of `to` up to round-off), at most
/// [`MAX_MU_POINTS`] points.
pub fn mu_grid(from: f64, to: f64, step: f64) -> Result<Vec<f64>, String> {
    if step.is_nan() || step <= 0.0 {
        return Err("mu step: must be > 0".into());
    }
    if to < from {
        return Err("mu to: must be >= mu from".into());
    }
    let n = ((to - from) / step + 1e-9).floor() as usize + 1;
    if n > MAX_MU_POINTS {
        return Err(format!("mu grid: {n} points, at most {MAX_MU_POINTS}"));
    }
    Ok((0..n)
        .map(|i| ((from + i as f64 * step) * 1e9).round() / 1e9)
        .collect())
}

/// The "Web Workers" field: a whole number in [1, [`MAX_WORKERS`]].
pub fn pool_size(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_WORKERS).contains(&n) => Ok(n),
        _ => Err(format!(
            "Web Workers: '{}' is not a whole number in [1, {MAX_WORKERS}]",
            cut(text.trim())
        )),
    }
}

/// The default pool for a device reporting `cores` cores: one worker per core minus one for
/// the page, in [1, [`MAX_WORKERS`]].
pub fn default_pool_size(cores: usize) -> usize {
    cores.saturating_sub(1).clamp(1, MAX_WORKERS)
}

/// A validated form: the sweep, its jobs and the line that describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidSweep {
    /// The sweep config.
    pub config: SweepConfig,
    /// Its jobs, in the order the CLI runs them.
    pub jobs: Vec<RunConfig>,
    /// Web Workers to use.
    pub workers: usize,
    /// "N runs (information exponent l = …); every run stops at …".
    pub summary: String,
}

impl ExplorerForm {
    /// The form as a sweep config JSON object (validated by [`ExplorerForm::validate`]).
    pub fn to_json(&self) -> Result<Value, String> {
        if self.protocols.is_empty() {
            return Err("protocols: choose at least one".into());
        }
        let d_scaling = self.mode == D_SCALING_MODE;
        let (d, mu) = if d_scaling {
            let d = d_grid(&self.log2_d_from, &self.log2_d_to, &self.log2_d_step)?;
            (Value::from(d), vec![fixed_mu(&self.mu_fixed)?])
        } else {
            let mu = mu_grid(
                number(&self.mu_from, "mu from")?,
                number(&self.mu_to, "mu to")?,
                number(&self.mu_step, "mu step")?,
            )?;
            (Value::from(whole(&self.d, "d")?), mu)
        };
        let seeds = number(&self.seeds, "seeds")?;
        if seeds.fract() != 0.0 || !(1.0..=MAX_SEEDS as f64).contains(&seeds) {
            return Err(format!("seeds: must be a whole number in [1, {MAX_SEEDS}]"));
        }
        let base = match self.lr_policy.as_str() {
            "fixed" => LearningRate::Fixed {
                gamma0: number(&self.gamma0, "lr.gamma0")?,
                delta: number(&self.delta, "lr.delta")?,
            },
            "authors" => LearningRate::Authors {
                c: number(&self.gamma0, "lr.c")?,
            },
            _ => LearningRate::Optimal {
                gamma0: number(&self.gamma0, "lr.gamma0")?,
            },
        };
        let by_protocol = LearningRateByProtocol::from_prefactors(base, &self.gamma0_by_protocol)
            .map_err(|e| format!("γ₀ per protocol: {e}"))?;
        let activation = match self.activation.trim() {
            "" => Value::Null,
            name => Value::from(name),
        };
        // a Hermite polynomial target is written as its JSON object
        let target = match self.target.trim_start().starts_with('{') {
            true => serde_json::from_str::<Value>(&self.target)
                .map_err(|e| format!("target: not a valid object: {e}"))?,
            false => Value::from(self.target.as_str()),
        };
        let mut json = serde_json::json!({
            "target": target,
            "activation": activation,
            "update": self.update,
            "d": d,
            "protocols": self.protocols,
            "mu": mu,
            "lr": base,
            "lr_by_protocol": by_protocol,
            "seeds": (0..seeds as u64).collect::<Vec<_>>(),
            "eta": number(&self.eta, "eta")?,
            "max_steps": whole(&self.max_steps, "max_steps")?,
            "noise": number(&self.noise, "noise")?,
        });
        // a multi-index Hermite target sets k: the length of its degree lists
        if let Some(k) = hermite_k(&target) {
            json["k"] = Value::from(k);
        }
        Ok(json)
    }

    /// Validates the form over `base` (a link's config and what the form showed for it: keys
    /// the user has not edited keep the link's values), as `sgdlab sweep` validates a file.
    pub fn validate(&self, base: Option<&(SweepConfig, Value)>) -> Result<ValidSweep, String> {
        let workers = pool_size(&self.workers)?;
        let form = self.to_json()?;
        let json = match base {
            Some((config, shown)) => merge_form(config, shown, &form),
            None => form.clone(),
        };
        let config = SweepConfig::from_json(&json.to_string()).map_err(|e| e.to_string())?;
        let jobs = config.jobs().map_err(|e| e.to_string())?;
        check_cost(&config, &jobs)?;
        let summary = summary(&config, &jobs, &keys_beyond_the_form(&config, &form));
        Ok(ValidSweep {
            config,
            jobs,
            workers,
            summary,
        })
    }

    /// The form that shows `config` (the workers field left empty: it is the device's; the
    /// μ step and δ empty when `config` has one μ or no fixed policy; the d-scaling fields
    /// empty for a batch-size sweep). A `d` list is the d-scaling mode, shown as log₂ of its
    /// first and last entries and the mean step between them.
    pub fn from_config(config: &SweepConfig) -> ExplorerForm {
        let (lr_policy, gamma0, delta) = match config.lr {
            LearningRate::Optimal { gamma0 } => ("optimal", gamma0, None),
            LearningRate::Fixed { gamma0, delta } => ("fixed", gamma0, Some(delta)),
            LearningRate::Authors { c } => ("authors", c, None),
        };
        let (first, last) = (
            config.mu.first().copied().unwrap_or(0.0),
            config.mu.last().copied().unwrap_or(0.0),
        );
        // one μ: no step to show (the control keeps its own)
        let step = if config.mu.len() > 1 {
            ((last - first) / (config.mu.len() - 1) as f64).to_string()
        } else {
            String::new()
        };
        // the d-scaling fields are left empty for a batch-size sweep (the controls keep theirs)
        let d_scaling = is_d_scaling(config);
        let shown_if =
            |shown: bool, v: &dyn ToString| if shown { v.to_string() } else { String::new() };
        let dims = config.dimensions();
        let log2 = |d: u64| d.max(1).ilog2();
        let (log2_from, log2_to) = (log2(dims[0]), log2(dims[dims.len() - 1]));
        let log2_step = if dims.len() > 1 {
            ((log2_to.saturating_sub(log2_from)) as usize / (dims.len() - 1)).max(1)
        } else {
            1
        };
        ExplorerForm {
            target: config.model.target.to_string(),
            activation: config
                .model
                .activation
                .map(|a| a.to_string())
                .unwrap_or_default(),
            d: dims[0].to_string(),
            update: config.model.update.to_string(),
            protocols: config.protocols.clone(),
            mu_from: first.to_string(),
            mu_to: last.to_string(),
            mu_step: step,
            lr_policy: lr_policy.into(),
            gamma0: gamma0.to_string(),
            delta: delta.map(|d| d.to_string()).unwrap_or_default(),
            gamma0_by_protocol: config.lr_by_protocol.prefactors_text(),
            seeds: config.seeds.len().to_string(),
            eta: config.model.eta.to_string(),
            max_steps: config.max_steps.to_string(),
            noise: crate::config::display_number(config.model.noise),
            workers: String::new(),
            mode: if d_scaling {
                D_SCALING_MODE.into()
            } else {
                "mu".into()
            },
            log2_d_from: shown_if(d_scaling, &log2_from),
            log2_d_to: shown_if(d_scaling, &log2_to),
            log2_d_step: shown_if(d_scaling, &log2_step),
            mu_fixed: shown_if(d_scaling, &first),
        }
    }
}

/// The number of directions k of a Hermite polynomial target written as its JSON object (the
/// length of its first degree list), or None for a named target.
fn hermite_k(target: &Value) -> Option<usize> {
    let first = target.get("hermite")?.get(0)?.get(1)?.as_array()?;
    Some(first.len())
}

/// The line under the form: runs, the target's exponents, the cap, which μ (or, in the
/// d-scaling mode, which d) use the clt sampler, and the keys a link set that have no control.
fn summary(config: &SweepConfig, jobs: &[RunConfig], beyond: &[String]) -> String {
    let exponents = exponents_text(config);
    let dims = config.dimensions();
    // the first protocol's jobs, one per (d, μ): seeds are nested innermost
    let per_point = jobs.iter().step_by(config.seeds.len().max(1));
    let clt = |job: &RunConfig| {
        job.resolve()
            .is_ok_and(|r| r.sampler_resolved == SamplerKind::Clt)
    };
    let (axis, clt_at): (&str, Vec<String>) = if is_d_scaling(config) {
        let d = dims.iter().zip(per_point).filter(|(_, j)| clt(j));
        ("d", d.map(|(d, _)| power_of_two(*d)).collect())
    } else {
        let mu = config.mu.iter().zip(per_point).filter(|(_, j)| clt(j));
        ("μ", mu.map(|(mu, _)| mu.to_string()).collect())
    };
    let clt = if clt_at.is_empty() {
        String::new()
    } else {
        format!(
            "; {axis} = {} use the clt (large-batch) sampler",
            clt_at.join(", ")
        )
    };
    let beyond = if beyond.is_empty() {
        String::new()
    } else {
        format!(
            "; also set by the link (no control here): {}",
            beyond.join(", ")
        )
    };
    let axis = if is_d_scaling(config) {
        format!(
            " at μ = {}, d = {} to {} ({} dimensions)",
            display_number(config.mu[0]),
            power_of_two(dims[0]),
            power_of_two(dims[dims.len() - 1]),
            dims.len()
        )
    } else {
        String::new()
    };
    format!(
        "{} runs ({exponents}){axis}; every run stops at weak recovery or after {} steps{clt}{beyond}",
        jobs.len(),
        config.max_steps
    )
}

/// "2¹⁰" for a power of two, else the number.
pub fn power_of_two(d: u64) -> String {
    const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    if d.is_power_of_two() {
        let exponent: String = d
            .ilog2()
            .to_string()
            .chars()
            .map(|c| SUPERSCRIPTS[c.to_digit(10).unwrap_or(0) as usize])
            .collect();
        format!("2{exponent}")
    } else {
        d.to_string()
    }
}

/// Lines of a link's config that the form cannot show faithfully: per-protocol rates of
/// another policy kind than `lr` (the form applies its prefactors to `lr`'s policy).
pub fn link_warnings(config: &SweepConfig) -> Option<String> {
    let other: Vec<&str> = Loss::ALL
        .into_iter()
        .filter(|&p| {
            config
                .lr_by_protocol
                .get(p)
                .is_some_and(|lr| std::mem::discriminant(&lr) != std::mem::discriminant(&config.lr))
        })
        .map(|p| p.label())
        .collect();
    (!other.is_empty()).then(|| {
        format!(
            "URL parameter sweep: lr_by_protocol for {} uses another policy than lr; \
             the form applies its prefactor to lr's policy",
            other.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
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
        (form.log2_d_from, form.log2_d_to, form.log2_d_step) =
            ("10".into(), "18".into(), "4".into());
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
}
