//! The explorer's form as plain data ([`ExplorerForm`]: the raw text of every control), turned
//! into a sweep config and validated by the same code as `sgdlab sweep`.

use crate::config::json::cut;
use crate::config::scaling::LearningRate;
use crate::config::RunConfig;
use crate::model::{target_information_exponent, Loss};
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
}

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
        let mu = mu_grid(
            number(&self.mu_from, "mu from")?,
            number(&self.mu_to, "mu to")?,
            number(&self.mu_step, "mu step")?,
        )?;
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
        Ok(serde_json::json!({
            "target": target,
            "activation": activation,
            "update": self.update,
            "d": whole(&self.d, "d")?,
            "protocols": self.protocols,
            "mu": mu,
            "lr": base,
            "lr_by_protocol": by_protocol,
            "seeds": (0..seeds as u64).collect::<Vec<_>>(),
            "eta": number(&self.eta, "eta")?,
            "max_steps": whole(&self.max_steps, "max_steps")?,
            "noise": number(&self.noise, "noise")?,
        }))
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
        let summary = summary(&config, &jobs, &keys_beyond_the_form(&config, &form));
        Ok(ValidSweep {
            config,
            jobs,
            workers,
            summary,
        })
    }

    /// The form that shows `config` (the workers field left empty: it is the device's; the
    /// μ step and δ empty when `config` has one μ or no fixed policy).
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
        ExplorerForm {
            target: config.model.target.to_string(),
            activation: config
                .model
                .activation
                .map(|a| a.to_string())
                .unwrap_or_default(),
            d: config.model.d.to_string(),
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
        }
    }
}

/// The line under the form: runs, information exponent, the cap, which μ use the clt
/// sampler, and the keys a link set that have no control.
fn summary(config: &SweepConfig, jobs: &[RunConfig], beyond: &[String]) -> String {
    let l = target_information_exponent(&config.model.target, config.model.k)
        .map_or("?".into(), |l| l.to_string());
    let clt_mu: Vec<String> = config
        .mu
        .iter()
        .zip(jobs.iter().step_by(config.seeds.len().max(1)))
        .filter(|(_, job)| {
            job.resolve()
                .is_ok_and(|r| r.sampler_resolved == SamplerKind::Clt)
        })
        .map(|(mu, _)| mu.to_string())
        .collect();
    let clt = if clt_mu.is_empty() {
        String::new()
    } else {
        format!(
            "; μ = {} use the clt (large-batch) sampler",
            clt_mu.join(", ")
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
    format!(
        "{} runs (information exponent l = {l}); every run stops at weak recovery or after {} steps{clt}{beyond}",
        jobs.len(),
        config.max_steps
    )
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
        form.target = r#"{"hermite": [[1, [3]], [0.5, [1]]]}"#.into();
        let valid = form.validate(None).unwrap();
        assert_eq!(valid.config.model.target.formula(1), "He_3(z_1) + 0.5 z_1");
        let back = ExplorerForm {
            workers: "2".into(),
            ..ExplorerForm::from_config(&valid.config)
        };
        assert_eq!(back.validate(None).unwrap().config, valid.config);
        // the explorer is single-index: a k = 2 polynomial is refused by name
        form.target = r#"{"hermite": [[1, [1, 1]]]}"#.into();
        assert!(form.validate(None).unwrap_err().contains("k = 1"));
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
    fn the_pool_defaults_leave_a_core_to_the_page() {
        assert_eq!(default_pool_size(1), 1);
        assert_eq!(default_pool_size(4), 3);
        assert_eq!(default_pool_size(64), MAX_WORKERS);
    }
}
