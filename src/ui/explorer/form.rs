//! The explorer's form as plain data ([`ExplorerForm`]: the raw text of every control), turned
//! into a sweep config and validated by the same code as `sgdlab sweep`.

use super::d_axis::{check_cost, d_grid, fixed_mu, is_d_scaling};
use super::exponents::exponents_text;
use crate::config::display_number;
use crate::config::json::cut;
use crate::config::scaling::LearningRate;
use crate::config::RunConfig;
use crate::config::MAX_A0;
use crate::model::Loss;
use crate::sampler::SamplerKind;
use crate::sweep::{LearningRateByProtocol, SweepConfig, MAX_A0_VALUES};
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
    /// The second-layer weights a0 (`x-a0`, "a0 values"): one number, or a comma list of up
    /// to [`MAX_A0_VALUES`], each its own series.
    pub a0: String,
    /// `fixed` (`x-a0-rate`: each job's rate divided by its a0, γ a0 held fixed) or `shared`
    /// (the same rate at every a0, the default).
    pub a0_rate: String,
}

/// The form's `a0_rate` value that holds γ a0 fixed (any other value shares γ).
pub const A0_RATE_FIXED: &str = "fixed";

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

/// The "a0 values" field: 1 to [`MAX_A0_VALUES`] distinct numbers in (0, [`MAX_A0`]]
/// separated by commas (or spaces), as the sweep's `a0`: a number for one value (the model's
/// `second_layer.a0`, as without the axis), a list for several. Errors name the field and the
/// range.
pub fn a0_values(text: &str) -> Result<Value, String> {
    let range = format!("numbers in (0, {MAX_A0:e}]");
    let values = text
        .split([',', ' ', ';'])
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0 && *x <= MAX_A0)
                .ok_or_else(|| {
                    format!("a0 values: '{}' is not a number in (0, {MAX_A0:e}]", cut(t))
                })
        })
        .collect::<Result<Vec<f64>, String>>()?;
    if values.is_empty() || values.len() > MAX_A0_VALUES {
        return Err(format!(
            "a0 values: give 1 to {MAX_A0_VALUES} {range} separated by commas, got {}",
            values.len()
        ));
    }
    for (i, x) in values.iter().enumerate() {
        if values[..i].contains(x) {
            return Err(format!("a0 values: {} is listed twice", display_number(*x)));
        }
    }
    Ok(match values.as_slice() {
        [one] => Value::from(*one),
        _ => Value::from(values),
    })
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
            "a0": a0_values(&self.a0)?,
            "fixed_gamma_a0": self.a0_rate == A0_RATE_FIXED,
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
            a0: config
                .a0_values()
                .iter()
                .map(|&a0| display_number(a0))
                .collect::<Vec<_>>()
                .join(", "),
            a0_rate: if config.fixed_gamma_a0 {
                A0_RATE_FIXED.into()
            } else {
                "shared".into()
            },
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
    let a0 = match &config.a0_list {
        Some(list) => format!(
            "; second-layer weights a0 = {} (each its own series{})",
            list.iter()
                .map(|&a| display_number(a))
                .collect::<Vec<_>>()
                .join(", "),
            if config.fixed_gamma_a0 {
                ", γ a0 held fixed"
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    format!(
        "{} runs ({exponents}){axis}{a0}; every run stops at weak recovery or after {} steps{clt}{beyond}",
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
#[path = "form_tests.rs"]
mod tests;
