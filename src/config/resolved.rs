//! A validated run ([`ResolvedConfig`]: n_b, γ, the sampler and the regime resolved to
//! numbers) and a parsed config file of one or more runs ([`ConfigFile`]).

use super::*;

/// A parsed config file: its runs, and whether it was written as a `runs` list (errors then
/// name the entry, e.g. `runs[2].eta`).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigFile {
    /// One config per run.
    pub runs: Vec<RunConfig>,
    /// true when the file had a `runs` array.
    pub is_list: bool,
}

impl ConfigFile {
    /// Validates every run; errors of a list name the entry.
    pub fn resolve(&self) -> Result<Vec<ResolvedConfig>, ConfigError> {
        self.runs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.resolve().map_err(|e| {
                    if self.is_list {
                        let field = format!("runs[{i}].{}", e.field);
                        e.renamed(field)
                    } else {
                        e
                    }
                })
            })
            .collect()
    }
}

/// A validated run with n_b and gamma resolved to numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResolvedConfig {
    /// The config as given (with the activation default filled in).
    #[serde(flatten)]
    pub input: RunConfig,
    /// Student activation.
    pub activation_resolved: Link,
    /// Batch size n_b.
    pub nb_resolved: u64,
    /// mu = log_d n_b.
    pub mu_resolved: f64,
    /// Initial learning rate gamma (a number, whatever the policy).
    pub gamma_resolved: f64,
    /// gamma0 of gamma = gamma0 d^(-delta) as the policy defines it (`authors`: c p); null
    /// for a bare `gamma`, which has no scaling in d.
    pub gamma0_resolved: Option<f64>,
    /// delta of gamma = gamma0 d^(-delta) as the policy defines it (`optimal`: delta*(mu),
    /// `authors`: l/2 - mu); null for a bare `gamma`.
    pub delta_resolved: Option<f64>,
    /// Information exponent l of the target (for a multi-index teacher: the smallest total
    /// degree >= 1 of its Hermite support).
    pub information_exponent: u32,
    /// Leap index of the target, computed from its Hermite support
    /// ([`crate::model::target_leap_index`]) in the teacher's own basis: an upper bound on the
    /// rotation-invariant leap (equal to `information_exponent` for k = 1 and for committees).
    pub leap_index: u32,
    /// What `leap_index` is measured in ([`crate::model::LEAP_INDEX_BASIS`]).
    pub leap_index_basis: &'static str,
    /// Sampler actually used.
    pub sampler_resolved: SamplerKind,
}

impl ResolvedConfig {
    /// The learning rate as resolved: gamma and, when the policy defines them, gamma0, delta.
    pub fn rate(&self) -> ResolvedRate {
        ResolvedRate {
            gamma: self.gamma_resolved,
            gamma0: self.gamma0_resolved,
            delta: self.delta_resolved,
        }
    }

    /// The asymptotic regime of (delta, mu) = (`delta_resolved`, `mu_resolved`)
    /// ([`classify_regime`]); `None` for a bare `gamma`, which has no delta.
    pub fn regime(&self) -> Option<Regime> {
        self.delta_resolved
            .map(|delta| classify_regime(delta, self.mu_resolved))
    }

    /// Number of trajectory points a run records at most: every step up to `steps`, and never
    /// more than `record_points` uniform points plus the geometric grid kept for log-time plots
    /// (under 300 points up to 1e9 steps).
    pub fn recorded_points_bound(&self) -> u64 {
        (self.input.steps + 1).min(self.input.record_points as u64 + 300)
    }

    /// An upper estimate of the memory one finished run holds, in bytes: its recorded
    /// trajectory (p x k and p x p matrices and the risk at every point, 8 bytes a number
    /// plus row overheads) and that trajectory as JSON text (about 24 bytes a number). Runs
    /// above [`MAX_RUN_OUTPUT_BYTES`] are refused by the command line.
    pub fn output_bytes_estimate(&self) -> u64 {
        let (p, k) = (self.input.model.p as u64, self.input.model.k as u64);
        let numbers = p * (p + k) + 2;
        self.recorded_points_bound() * (numbers * 32 + 2 * p * 24 + 64) + (64 << 10)
    }
}
