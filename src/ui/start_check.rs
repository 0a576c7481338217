//! The page's cost check before a run: the same estimate and budget as the command line's
//! (`sgdlab::preflight`), with a confirmation instead of `--force`.

use crate::config::ResolvedConfig;
use crate::preflight::{human_seconds, simulation_cost, CostEstimate, MAX_OPERATIONS};

/// The message asking for confirmation when the panels' runs together are estimated above
/// [`MAX_OPERATIONS`] (about 17 minutes on the reference core), `None` when they fit.
pub fn confirmation_needed(configs: &[ResolvedConfig]) -> Option<String> {
    let total = configs
        .iter()
        .map(simulation_cost)
        .fold(CostEstimate::ZERO, CostEstimate::plus);
    (total.operations > MAX_OPERATIONS).then(|| {
        format!(
            "These runs are estimated at {} of computing (above the {} budget): lower steps or n_b, or press Start again to run anyway.",
            human_seconds(total.seconds),
            human_seconds(MAX_OPERATIONS * crate::preflight::REFERENCE_SECONDS_PER_OPERATION)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab_state::LabState;

    #[test]
    fn defaults_run_at_once_and_huge_runs_ask_first() {
        let defaults = LabState::default().resolve().unwrap();
        assert_eq!(confirmation_needed(&defaults), None);
        let huge = LabState::from_hash("#nb=10000000000&sampler=exact&steps=1000000")
            .unwrap()
            .resolve()
            .unwrap();
        let message = confirmation_needed(&huge).unwrap();
        assert!(message.contains("press Start again"), "{message}");
    }
}
