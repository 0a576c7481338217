//! The asymptotic-regime classifier of (delta, mu) (SCIENCE.md section 5, paper Fig. 3 left).

use sgdlab::theory::overlap_recursion::Terms;
use sgdlab::theory::regimes::{classify_regime_with_tolerance, LINE_TOLERANCE};
use sgdlab::theory::{classify_regime, Regime};

#[test]
fn fig3_saad_solla_and_population_flow_examples() {
    // n_b = 100 at d = 1e4 is mu = 1/2; gamma = 8 d^(-1/2) is delta = 1/2, gamma = 10 / d is delta = 1
    assert_eq!(classify_regime(0.5, 0.5), Regime::SaadSollaLine);
    assert_eq!(classify_regime(1.0, 0.5), Regime::PopulationFlow);
}

#[test]
fn fig3_noise_learning_example_is_outside_the_stated_inequality() {
    // SCIENCE.md's Fig. 3 noise-learning run (n_b = 10, gamma = 0.3 d^(-1/8) at d = 1e4) has
    // mu = 1/4, delta = 1/8, so 2 delta + mu = 1/2 < 1: by the section-5 rule it is "undefined"
    // (its noise term, gamma^2 d / n_b ~ 1 per step, does not vanish). Kept as a visible check
    // of the rule as written; the recursion still shows its high plateau (see
    // theory_overlap_recursion::fig3_erf_committee_regimes_order_the_risk).
    assert_eq!(classify_regime(0.125, 0.25), Regime::Undefined);
}

#[test]
fn each_region_of_the_plane() {
    assert_eq!(classify_regime(0.3, 0.5), Regime::NoiseLearning); // 0.8 < 1 < 1.1
    assert_eq!(classify_regime(0.1, 0.5), Regime::Undefined); // 2 delta + mu = 0.7
    assert_eq!(classify_regime(-0.1, 2.0), Regime::Undefined); // delta < 0
    assert_eq!(classify_regime(0.0, 1.5), Regime::PopulationFlow);
    assert_eq!(classify_regime(1.5, 0.0), Regime::PopulationFlow);
    assert_eq!(classify_regime(0.75, 0.25), Regime::SaadSollaLine);
    // the line has a tolerance
    assert_eq!(
        classify_regime(0.5 + 0.1 * LINE_TOLERANCE, 0.5),
        Regime::SaadSollaLine
    );
    assert_eq!(classify_regime(0.5 + 1e-6, 0.5), Regime::PopulationFlow);
    assert_eq!(
        classify_regime_with_tolerance(0.5 + 1e-6, 0.5, 1e-3),
        Regime::SaadSollaLine
    );
    // boundary 2 delta + mu = 1 has an O(1) noise term per step
    assert_eq!(classify_regime(0.25, 0.5), Regime::Undefined);
    assert_eq!(classify_regime(f64::NAN, 0.5), Regime::Undefined);
}

#[test]
fn labels_explanations_and_surviving_terms() {
    let labels: Vec<_> = Regime::ALL.iter().map(|r| r.label()).collect();
    assert_eq!(
        labels,
        [
            "population flow",
            "Saad & Solla line",
            "noise learning",
            "undefined"
        ]
    );
    for r in Regime::ALL {
        assert_eq!(r.to_string(), r.label());
        assert!(r.explanation().len() > 30 && !r.explanation().contains('\n'));
        assert!(r.condition().contains("mu"));
    }
    let gradient = Terms {
        gradient: true,
        noise: false,
        mean_step: false,
    };
    assert_eq!(Regime::PopulationFlow.surviving_terms(), Some(gradient));
    assert_eq!(
        Regime::SaadSollaLine.surviving_terms(),
        Some(Terms {
            noise: true,
            ..gradient
        })
    );
    assert_eq!(
        Regime::NoiseLearning.surviving_terms(),
        Some(Terms {
            gradient: false,
            noise: true,
            mean_step: false
        })
    );
    assert_eq!(Regime::Undefined.surviving_terms(), None);
}
