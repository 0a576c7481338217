//! The target's exponents as the explorer uses them: the information exponent l, the leap
//! index (computed from the Hermite support, in the teacher's basis), and the exponent the
//! drawn scaling-law frontiers use.
//!
//! The paper's laws are proved for single-index targets, where the leap index is the
//! information exponent. For a multi-index target the explorer draws the single-index laws
//! with l replaced by the leap index ([`frontier_exponent`]): an assumption (the time
//! complexity is set by the largest leap, SCIENCE.md §11), and, since the leap is read in the
//! given basis, the frontiers are upper bounds. The rate policies (`optimal`, `authors`) keep
//! the information exponent, as in `sgdlab run`.

use crate::model::{target_information_exponent, target_leap_index, LEAP_INDEX_BASIS};
use crate::sweep::SweepConfig;

/// The information exponent l of the sweep's target.
pub fn information_exponent(config: &SweepConfig) -> Option<u32> {
    target_information_exponent(&config.model.target, config.model.k)
}

/// The leap index of the sweep's target in the teacher's basis (equal to l for k = 1).
pub fn leap_index(config: &SweepConfig) -> Option<u32> {
    target_leap_index(&config.model.target, config.model.k)
}

/// Whether the frontiers are the leap's (a multi-index target whose leap differs from l, or
/// any target with k ≥ 2: the laws are then an assumption, not the paper's theorem).
pub fn frontiers_use_the_leap(config: &SweepConfig) -> bool {
    config.model.k >= 2 || leap_index(config) != information_exponent(config)
}

/// The exponent of the drawn frontiers: the leap index of a multi-index target, else l.
pub fn frontier_exponent(config: &SweepConfig) -> Option<u32> {
    if frontiers_use_the_leap(config) {
        leap_index(config).or_else(|| information_exponent(config))
    } else {
        information_exponent(config)
    }
}

/// "information exponent l = 3", or for a multi-index target "information exponent l = 1,
/// leap index 3"; "?" when l is undefined.
pub fn exponents_text(config: &SweepConfig) -> String {
    let l = information_exponent(config).map_or("?".into(), |l| l.to_string());
    match leap_index(config) {
        Some(leap) if frontiers_use_the_leap(config) => {
            format!("information exponent l = {l}, leap index {leap}")
        }
        _ => format!("information exponent l = {l}"),
    }
}

/// The caption's statement of the assumption behind a multi-index target's frontiers, or None
/// for a single-index target (whose frontiers are the paper's).
pub fn leap_assumption(config: &SweepConfig) -> Option<String> {
    let leap = leap_index(config)?;
    frontiers_use_the_leap(config).then(|| {
        format!(
            "Multi-index target (k = {}): the lines are the single-index laws with l replaced by \
             the leap index {leap} ({LEAP_INDEX_BASIS}, so they are upper bounds on the time); \
             this is an assumption (the time is set by the largest leap), not the paper's \
             theorem. Weak recovery (max_j ‖M_j‖ ≥ η) needs only the first direction learned, \
             so for a target whose first leap is below its leap index the measured time \
             follows that first leap, not these lines. The rate policy keeps the information exponent l = {}.",
            config.model.k,
            information_exponent(config).map_or("?".into(), |l| l.to_string())
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelSettings;

    fn with_target(target: &str, k: usize) -> SweepConfig {
        SweepConfig {
            model: ModelSettings {
                target: target.parse().unwrap(),
                k,
                ..ModelSettings::default()
            },
            ..SweepConfig::default()
        }
    }

    #[test]
    fn the_frontiers_use_the_leap_of_a_multi_index_target() {
        let he3 = SweepConfig::default();
        assert_eq!(frontier_exponent(&he3), Some(3));
        assert_eq!(exponents_text(&he3), "information exponent l = 3");
        assert!(leap_assumption(&he3).is_none());
        // z1 + He3(z2): l = 1, leap 3 (SCIENCE.md §11)
        let mixed = with_target(r#"{"hermite": [[1, [1, 0]], [1, [0, 3]]]}"#, 2);
        assert_eq!(frontier_exponent(&mixed), Some(3));
        assert_eq!(
            exponents_text(&mixed),
            "information exponent l = 1, leap index 3"
        );
        let caption = leap_assumption(&mixed).unwrap();
        assert!(
            caption.contains("l replaced by the leap index 3"),
            "{caption}"
        );
        assert!(caption.contains("upper bound"), "{caption}");
        assert!(
            caption.contains("needs only the first direction"),
            "{caption}"
        );
        // the staircase: leap 1; the parity z1 z2 z3: leap 3
        let staircase = with_target(
            r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#,
            3,
        );
        assert_eq!(frontier_exponent(&staircase), Some(1));
        let parity = with_target(r#"{"hermite": [[1, [1, 1, 1]]]}"#, 3);
        assert_eq!(frontier_exponent(&parity), Some(3));
        assert_eq!(
            exponents_text(&parity),
            "information exponent l = 3, leap index 3"
        );
    }
}
