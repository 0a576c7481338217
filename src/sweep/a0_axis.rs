//! The second-layer weight a0 as a sweep axis (`"a0": [0.01, 0.1, 1]`): every unit's output
//! weight starts at a0 (docs/science.md §10; MSE SGD with a0 → 0 and the rate γ/a0 is
//! correlation-loss SGD). A list runs every (protocol, d, μ, seed) once per value; a number,
//! or no key, is the one weight `second_layer.a0` of the model, as before the axis existed.
//! With `"fixed_gamma_a0": true` each job's rate is divided by its a0, so γ a0 is held fixed
//! along the axis (the limit in which MSE SGD becomes correlation-loss SGD).

use super::SweepConfig;
use crate::config::scaling::LearningRate;
use crate::config::{display_number, ConfigError, MAX_A0};
use crate::model::Loss;

/// Most values in a sweep's `a0` list.
pub const MAX_A0_VALUES: usize = 8;

impl SweepConfig {
    /// The second-layer weights a0 of the sweep, in the order given: `a0_list`, or the one
    /// `model.second_layer.a0`.
    pub fn a0_values(&self) -> Vec<f64> {
        self.a0_list
            .clone()
            .unwrap_or_else(|| vec![self.model.second_layer.a0])
    }

    /// The learning-rate policy of `protocol`'s jobs at second-layer weight `a0`: that of
    /// [`SweepConfig::learning_rate`], its prefactor divided by `a0` when `fixed_gamma_a0` is
    /// set (γ a0 the same at every a0).
    pub fn learning_rate_at(&self, protocol: Loss, a0: f64) -> LearningRate {
        let lr = self.learning_rate(protocol);
        if self.fixed_gamma_a0 {
            lr.with_prefactor(lr.prefactor() / a0)
        } else {
            lr
        }
    }

    /// Checks an `a0` list: 1 to [`MAX_A0_VALUES`] entries, each a number in (0, [`MAX_A0`]],
    /// no repeats; errors name `a0` or `a0[i]` and the range.
    pub(super) fn validate_a0_list(&self) -> Result<(), ConfigError> {
        let Some(list) = &self.a0_list else {
            return Ok(());
        };
        if list.is_empty() || list.len() > MAX_A0_VALUES {
            return Err(ConfigError::new(
                "a0",
                format!(
                    "a list of second-layer weights must have 1 to {MAX_A0_VALUES} entries, got {}",
                    list.len()
                ),
            ));
        }
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        for (i, &a0) in list.iter().enumerate() {
            if !(a0.is_finite() && a0 > 0.0 && a0 <= MAX_A0) {
                return Err(ConfigError::new(
                    format!("a0[{i}]"),
                    format!(
                        "must be a number in (0, {MAX_A0:e}], got {}",
                        display_number(a0)
                    ),
                ));
            }
            if !seen.insert(a0.to_bits()) {
                return Err(ConfigError::new(
                    format!("a0[{i}]"),
                    format!("{} is listed twice", display_number(a0)),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(list: Option<Vec<f64>>) -> SweepConfig {
        SweepConfig {
            a0_list: list,
            mu: vec![1.0],
            seeds: vec![0],
            ..SweepConfig::default()
        }
    }

    #[test]
    fn a_list_is_checked_entry_by_entry_naming_the_entry_and_the_range() {
        assert!(with(Some(vec![0.01, 0.1, 1.0])).validate_a0_list().is_ok());
        assert!(with(None).validate_a0_list().is_ok());
        for (list, field, words) in [
            (vec![0.1, 0.0], "a0[1]", "(0, 1e6]"),
            (vec![-1.0], "a0[0]", "(0, 1e6]"),
            (vec![2e6], "a0[0]", "got 2e6"),
            (vec![f64::NAN], "a0[0]", "(0, 1e6]"),
            (vec![0.1, 1.0, 0.1], "a0[2]", "0.1 is listed twice"),
            (vec![], "a0", "1 to 8 entries, got 0"),
            (vec![1.0; 9], "a0", "1 to 8 entries, got 9"),
        ] {
            let e = with(Some(list.clone())).validate_a0_list().unwrap_err();
            assert_eq!(e.field, field, "{list:?}: {e}");
            assert!(e.message.contains(words), "{list:?}: {e}");
        }
    }

    #[test]
    fn without_a_list_the_axis_is_the_models_one_weight() {
        let mut config = with(None);
        config.model.second_layer.a0 = 0.25;
        assert_eq!(config.a0_values(), [0.25]);
        assert_eq!(with(Some(vec![0.5, 2.0])).a0_values(), [0.5, 2.0]);
    }

    #[test]
    fn holding_gamma_a0_fixed_divides_each_jobs_rate_by_its_a0() {
        let mut config = with(Some(vec![1.0, 0.1]));
        let rate =
            |c: &SweepConfig, job: usize| c.jobs().unwrap()[job].resolve().unwrap().gamma_resolved;
        // jobs: mse at a0 = 1, mse at a0 = 0.1, then correlation (one mu, one seed)
        assert_eq!(rate(&config, 0), rate(&config, 1));
        config.fixed_gamma_a0 = true;
        let (one, tenth) = (rate(&config, 0), rate(&config, 1));
        assert!((tenth * 0.1 - one).abs() <= 1e-12 * one, "{one} {tenth}");
        let lr = config.learning_rate_at(Loss::Mse, 0.1);
        assert!(matches!(lr, LearningRate::Optimal { gamma0 } if (gamma0 - 0.1).abs() < 1e-15));
    }
}
