//! The asymptotic-regime classifier of (delta, mu) for projected SGD (paper Fig. 3 left).

use sgdlab::theory::overlap_recursion::Terms;
use sgdlab::theory::regimes::{
    classify_regime_with_tolerance, has_continuous_time_limit, LINE_TOLERANCE,
};
use sgdlab::theory::{classify_regime, Regime};

#[test]
fn fig3_saad_solla_and_population_flow_examples() {
    // n_b = 100 at d = 1e4 is mu = 1/2; gamma = 8 d^(-1/2) is delta = 1/2, gamma = 10 / d is delta = 1
    assert_eq!(classify_regime(0.5, 0.5), Regime::SaadSollaLine);
    assert_eq!(classify_regime(1.0, 0.5), Regime::PopulationFlow);
}

#[test]
fn fig3_noise_learning_example_is_noise_learning() {
    // The authors' Fig. 3 noise-learning run (n_b = 10, gamma = 0.3 d^(-1/8) at d = 1e4):
    // mu = 1/4, delta = 1/8, delta + mu = 3/8 < 1: the noise beats the drift. It is of the
    // strong kind (2 delta + mu = 1/2 <= 1: no continuous-time limit).
    assert_eq!(classify_regime(0.125, 0.25), Regime::NoiseLearning);
    assert!(!has_continuous_time_limit(0.125, 0.25));
    // the weak kind: noise o(1) per step, still beating the drift
    assert_eq!(classify_regime(0.3, 0.5), Regime::NoiseLearning); // 0.8 < 1 < 1.1
    assert!(has_continuous_time_limit(0.3, 0.5));
}

#[test]
fn each_region_of_the_plane() {
    assert_eq!(classify_regime(0.1, 0.5), Regime::NoiseLearning); // 2 delta + mu = 0.7
    assert_eq!(classify_regime(-0.2, 0.5), Regime::NoiseLearning); // noise d^0.9, drift d^0.2
    assert_eq!(classify_regime(-0.1, 2.0), Regime::Undefined); // gamma grows with d
    assert_eq!(classify_regime(-0.25, 1.75), Regime::Undefined); // correlation loss, He3, mu = 1.75
    assert_eq!(classify_regime(0.0, 1.5), Regime::Undefined); // gamma = O(1): order-one steps
    assert_eq!(classify_regime(1.5, 0.0), Regime::PopulationFlow);
    assert_eq!(classify_regime(0.5, 1.0), Regime::PopulationFlow); // plain SGD, He3, n_b = d
    assert_eq!(classify_regime(0.75, 0.25), Regime::SaadSollaLine);
    assert_eq!(classify_regime(0.25, 0.75), Regime::SaadSollaLine); // l = 1 optimal rate
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
    assert_eq!(classify_regime(0.5 - 1e-6, 0.5), Regime::NoiseLearning);
    assert_eq!(classify_regime(f64::NAN, 0.5), Regime::Undefined);
    assert_eq!(classify_regime(0.5, f64::INFINITY), Regime::Undefined);
}

/// The classification agrees with where the continuous-time limit exists: every point with
/// a limit is one of the three named regimes, and population flow and the Saad & Solla line
/// always have one.
#[test]
fn regimes_and_the_continuous_time_limit_agree() {
    for i in 0..=40 {
        for j in 0..=40 {
            let (delta, mu) = (-1.0 + 0.075 * i as f64, 0.1 * j as f64);
            let regime = classify_regime(delta, mu);
            if has_continuous_time_limit(delta, mu) {
                assert_ne!(regime, Regime::Undefined, "({delta}, {mu})");
            }
            if matches!(regime, Regime::PopulationFlow | Regime::SaadSollaLine) {
                assert!(has_continuous_time_limit(delta, mu), "({delta}, {mu})");
            }
        }
    }
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
