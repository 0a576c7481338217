//! The explorer's "d-scaling" mode: one μ and one rate policy, d swept over powers of two from
//! 2^[`MIN_LOG2_D`] to 2^[`MAX_LOG2_D`] (the exact sampler, whose cost does not depend on d;
//! the clt sampler where the auto sampler picks it), and the worst-case cost check every
//! explorer sweep passes before it is accepted.
//!
//! The fields are validated here with errors that name the field and its valid range; nothing
//! is clamped. Which mode a config is in is read off the config itself: a `d` list is the
//! d-scaling mode ([`is_d_scaling`]), so the URL state needs no key of its own.

use crate::config::{display_number, RunConfig};
use crate::preflight::{human_seconds, simulation_cost, CostEstimate, MAX_SWEEP_OPERATIONS};
use crate::sweep::{SweepConfig, MAX_D_VALUES};

/// Smallest log₂ d of the d-scaling mode (d = 256).
pub const MIN_LOG2_D: u32 = 8;

/// Largest log₂ d of the d-scaling mode (d = 1 048 576).
pub const MAX_LOG2_D: u32 = 20;

/// Largest fixed μ of the d-scaling mode (the sweep's own range for μ).
pub const MAX_FIXED_MU: f64 = 12.0;

/// Whether `config` is a d-scaling sweep (its `d` is a list).
pub fn is_d_scaling(config: &SweepConfig) -> bool {
    config.d_list.is_some()
}

/// A whole number in [lo, hi] read from `text`, or an error naming `field` and the range.
fn whole_in(text: &str, field: &str, lo: u32, hi: u32) -> Result<u32, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && (lo as f64..=hi as f64).contains(&x) => Ok(x as u32),
        _ => Err(format!(
            "{field}: '{}' is not a whole number in [{lo}, {hi}]",
            crate::config::json::cut(t)
        )),
    }
}

/// The dimensions 2^from, 2^(from + step), … up to 2^to of the fields "log₂ d from", "log₂ d
/// to" and "log₂ d step": from and to whole numbers in [[`MIN_LOG2_D`], [`MAX_LOG2_D`]],
/// to ≥ from + step (at least two dimensions: a fit needs two), step ≥ 1; at most
/// [`MAX_D_VALUES`] dimensions.
pub fn d_grid(from: &str, to: &str, step: &str) -> Result<Vec<u64>, String> {
    let from = whole_in(from, "log₂ d from", MIN_LOG2_D, MAX_LOG2_D - 1)?;
    let to = whole_in(to, "log₂ d to", from + 1, MAX_LOG2_D)?;
    let step = whole_in(step, "log₂ d step", 1, to - from)?;
    let d: Vec<u64> = (from..=to)
        .step_by(step as usize)
        .map(|e| 1u64 << e)
        .collect();
    if d.len() > MAX_D_VALUES {
        return Err(format!(
            "log₂ d step: {} dimensions, at most {MAX_D_VALUES}",
            d.len()
        ));
    }
    Ok(d)
}

/// The fixed μ of the d-scaling mode: a number in [0, [`MAX_FIXED_MU`]].
pub fn fixed_mu(text: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(mu) if (0.0..=MAX_FIXED_MU).contains(&mu) => Ok(mu + 0.0),
        _ => Err(format!(
            "μ: '{}' is not a number in [0, {}]",
            crate::config::json::cut(t),
            display_number(MAX_FIXED_MU)
        )),
    }
}

/// The worst-case cost of `jobs` (every run to its step cap), one resolve per
/// (protocol, d, μ): the cost does not depend on the seed, and `jobs` nests the seeds
/// innermost ([`SweepConfig::jobs`]), `seeds` of them.
pub fn worst_case_cost(jobs: &[RunConfig], seeds: usize) -> Result<CostEstimate, String> {
    let mut total = CostEstimate::ZERO;
    for job in jobs.iter().step_by(seeds.max(1)) {
        let one = simulation_cost(&job.resolve().map_err(|e| e.to_string())?);
        for _ in 0..seeds.max(1) {
            total = total.plus(one);
        }
    }
    Ok(total)
}

/// Refuses a sweep whose worst case is above [`MAX_SWEEP_OPERATIONS`] (the budget of
/// `sgdlab sweep` without `--force`), naming the fields that set it.
pub fn check_cost(config: &SweepConfig, jobs: &[RunConfig]) -> Result<CostEstimate, String> {
    let cost = worst_case_cost(jobs, config.seeds.len())?;
    if cost.operations > MAX_SWEEP_OPERATIONS {
        let fields = if is_d_scaling(config) {
            "log₂ d to, μ, seeds, step cap"
        } else {
            "d, μ to, seeds, step cap"
        };
        return Err(format!(
            "cost: if no run recovered before the step cap this sweep would take {} operations \
             (about {} on one core), above the budget of {} (about {}); lower {fields}",
            display_number(cost.operations),
            human_seconds(cost.seconds),
            display_number(MAX_SWEEP_OPERATIONS),
            human_seconds(MAX_SWEEP_OPERATIONS * crate::preflight::REFERENCE_SECONDS_PER_OPERATION),
        ));
    }
    Ok(cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelSettings;

    #[test]
    fn the_d_grid_is_powers_of_two_and_its_fields_are_named_with_their_range() {
        assert_eq!(d_grid("8", "20", "4").unwrap(), [256, 4096, 65536, 1 << 20]);
        assert_eq!(d_grid("8", "11", "2").unwrap(), [256, 1024]);
        assert_eq!(d_grid(" 10 ", "12", "1").unwrap(), [1024, 2048, 4096]);
        let e = d_grid("7", "12", "1").unwrap_err();
        assert_eq!(e, "log₂ d from: '7' is not a whole number in [8, 19]");
        let e = d_grid("8", "21", "1").unwrap_err();
        assert_eq!(e, "log₂ d to: '21' is not a whole number in [9, 20]");
        // one dimension cannot be fitted
        assert!(d_grid("10", "10", "1")
            .unwrap_err()
            .starts_with("log₂ d to:"));
        let e = d_grid("8", "12", "5").unwrap_err();
        assert_eq!(e, "log₂ d step: '5' is not a whole number in [1, 4]");
        assert!(d_grid("8.5", "12", "1")
            .unwrap_err()
            .starts_with("log₂ d from:"));
        assert!(d_grid("8", "12", "x")
            .unwrap_err()
            .starts_with("log₂ d step:"));
    }

    #[test]
    fn the_fixed_mu_is_checked_not_clamped() {
        assert_eq!(fixed_mu("1.5"), Ok(1.5));
        assert_eq!(fixed_mu("-0"), Ok(0.0));
        assert_eq!(
            fixed_mu("13").unwrap_err(),
            "μ: '13' is not a number in [0, 12]"
        );
        assert!(fixed_mu("-1").is_err() && fixed_mu("nan").is_err() && fixed_mu("").is_err());
    }

    #[test]
    fn a_sweep_above_the_budget_is_refused_by_its_fields() {
        // He3 at mu = 1, d up to 2^20, 1e6 steps each: n_b = d samples a step at about 32
        // operations a sample, 3.4e13 operations a run at d = 2^20; 40 runs there
        let config = SweepConfig {
            model: ModelSettings::default(),
            d_list: Some(vec![1 << 16, 1 << 18, 1 << 20]),
            mu: vec![1.0],
            seeds: (0..20).collect(),
            ..SweepConfig::default()
        };
        let jobs = config.jobs().unwrap();
        let e = check_cost(&config, &jobs).unwrap_err();
        assert!(
            e.starts_with("cost: ") && e.contains("lower log₂ d to, μ, seeds"),
            "{e}"
        );
        // the same with a step cap of 1000 fits, and the per-seed shortcut is the full sum
        let small = SweepConfig {
            max_steps: 1000,
            ..config
        };
        let jobs = small.jobs().unwrap();
        let cost = check_cost(&small, &jobs).unwrap();
        let full: f64 = jobs
            .iter()
            .map(|j| simulation_cost(&j.resolve().unwrap()).operations)
            .sum();
        assert!((cost.operations - full).abs() <= 1e-9 * full);
        // the explorer's default sweep (the precomputed one) is within the budget
        let default = SweepConfig {
            seeds: (0..8).collect(),
            ..SweepConfig::default()
        };
        assert!(check_cost(&default, &default.jobs().unwrap()).is_ok());
    }
}
