//! The deterministic overlap recursion (docs/science.md §5): the step algebra, the
//! mean-step term, term switches, losses, and the qualitative regimes of the paper's
//! Fig. 3 and adaptive-protocol figure, from the recursion alone.

mod theory_support;

use nalgebra::DMatrix;
use sgdlab::model::{AdaptiveSchedule, Link, Loss, Overlaps, StepLoss, Target};
use sgdlab::theory::gaussian_expectations::NumericalSettings;
use sgdlab::theory::overlap_recursion::{mean_step_gram, StepFailure};
use sgdlab::theory::{
    classify_regime, drift_terms, overlap_update, population_risk, run_overlap_recursion,
    RecursionError, RecursionRun, RecursionSettings, Regime, StepParameters, Terms,
};
use theory_support::{random_overlaps, single_index};

fn settings(
    target: Target,
    activation: Link,
    loss: Loss,
    d: u64,
    nb: u64,
    gamma: f64,
    steps: u64,
) -> RecursionSettings {
    RecursionSettings {
        target,
        activation,
        noise: 1e-6,
        dimension: d,
        batch_size: nb,
        learning_rate: gamma,
        loss,
        adaptive: AdaptiveSchedule::default(),
        terms: Terms::ALL,
        projected: true,
        update: sgdlab::sampler::Update::Projected,
        steps,
        eta: 0.5,
        trajectory_capacity: 256,
        numerics: NumericalSettings::default(),
        second_layer: Default::default(),
        numerical_fallback: true,
        covariance: Default::default(),
    }
}

fn run(initial: &Overlaps, s: &RecursionSettings) -> RecursionRun {
    let run = run_overlap_recursion(initial, s).unwrap();
    assert!(run.divergence.is_none(), "{:?}", run.divergence);
    run
}

/// Risk at the recorded step closest to (and not after) `step`.
fn risk_at(run: &RecursionRun, step: u64) -> f64 {
    let t = &run.trajectory;
    let i = t.steps.iter().rposition(|&s| s <= step).unwrap();
    t.risk[i]
}

const ONLY_GRADIENT: Terms = Terms {
    gradient: true,
    noise: false,
    mean_step: false,
};
const ONLY_NOISE: Terms = Terms {
    gradient: false,
    noise: true,
    mean_step: false,
};
const ONLY_MEAN_STEP: Terms = Terms {
    gradient: false,
    noise: false,
    mean_step: true,
};

#[test]
fn one_step_follows_the_formulas() {
    let (m, gamma, d_over_nb) = (0.3, 0.01, 4.0);
    let o = single_index(m);
    let drift = drift_terms(
        &Target::Committee(Link::HE3),
        &Link::HE3,
        StepLoss::Mse,
        &o,
        0.0,
    );
    let (psi, gf, hd) = (
        18.0 * (m * m - m),
        18.0 * (m * m * m - 1.0),
        drift.phi_hd[(0, 0)],
    );
    let step = |terms| StepParameters {
        learning_rate: gamma,
        dimension_over_batch: d_over_nb,
        terms,
        projected: true,
        update: sgdlab::sampler::Update::Projected,
    };
    // gradient: M' = (m + gamma psi) / sqrt(1 + 2 gamma phiGF)
    let next = overlap_update(&o, &drift, &step(ONLY_GRADIENT)).unwrap();
    let expect = (m + gamma * psi) / (1.0 + 2.0 * gamma * gf).sqrt();
    assert!((next.m[(0, 0)] - expect).abs() < 1e-12 && next.q[(0, 0)] == 1.0);
    // noise: M' = m / sqrt(1 + gamma^2 (d/n_b) phiHD)
    let next = overlap_update(&o, &drift, &step(ONLY_NOISE)).unwrap();
    assert!((next.m[(0, 0)] - m / (1.0 + gamma * gamma * d_over_nb * hd).sqrt()).abs() < 1e-12);
    // mean step: h^T Omega^-1 h with h = [phiGF, psi], Omega = [[1, m], [m, 1]]
    let omega_inverse = DMatrix::from_row_slice(2, 2, &[1.0, -m, -m, 1.0]) / (1.0 - m * m);
    let h = nalgebra::DVector::from_vec(vec![gf, psi]);
    let mean = (h.transpose() * omega_inverse * &h)[(0, 0)];
    let next = overlap_update(&o, &drift, &step(ONLY_MEAN_STEP)).unwrap();
    assert!((next.m[(0, 0)] - m / (1.0 + gamma * gamma * mean).sqrt()).abs() < 1e-12);
    // unprojected: Q' = Q + dQ, M' = M + dM
    let all = StepParameters {
        projected: false,
        update: sgdlab::sampler::Update::Projected,
        ..step(Terms::ALL)
    };
    let next = overlap_update(&o, &drift, &all).unwrap();
    let dq = 2.0 * gamma * gf + gamma * gamma * (d_over_nb * hd + mean);
    assert!((next.q[(0, 0)] - (1.0 + dq)).abs() < 1e-12);
    assert!((next.m[(0, 0)] - (m + gamma * psi)).abs() < 1e-12);
}

#[test]
fn mean_step_gram_is_the_stein_inner_product() {
    // G = H Omega^+ H^T with H_j = [phiGF_j., psi_j.], against nalgebra's pseudo-inverse of the
    // full Omega, for a regular and a singular Omega (neuron 0 aligned with the teacher)
    let regular = random_overlaps(5, 2, 2, 7, 0.6);
    let c = 0.4;
    let singular = Overlaps::new(
        DMatrix::from_row_slice(2, 2, &[1.0, c, c, 1.0]),
        DMatrix::from_row_slice(2, 1, &[1.0, c]),
    )
    .unwrap();
    for (o, target) in [
        (regular, Target::Committee(Link::Erf)),
        (singular, Target::Committee(Link::HE3)),
    ] {
        let activation = target.committee_link().unwrap();
        let drift = drift_terms(&target, &activation, StepLoss::Mse, &o, 0.0);
        let (p, k) = (o.p(), o.k());
        let mut h = DMatrix::zeros(p, p + k);
        h.view_mut((0, 0), (p, p)).copy_from(&drift.phi_gf);
        h.view_mut((0, p), (p, k)).copy_from(&drift.psi);
        let full = &h * o.omega().pseudo_inverse(1e-10).unwrap() * h.transpose();
        let schur = mean_step_gram(&o, &drift);
        assert!(
            (&full - &schur).amax() < 1e-8 * full.amax().max(1.0),
            "{full} vs {schur}"
        );
        // a Gram matrix of mean steps is positive semi-definite
        assert!(schur.symmetric_eigenvalues().min() > -1e-10);
    }
}

#[test]
fn mean_step_term_is_of_second_order_in_gamma() {
    // at fixed gamma T (= 0.1, during the escape from m = 0.2), switching the mean-step term
    // off changes the trajectory by O(gamma)
    let o = single_index(0.2);
    let difference = |gamma: f64| {
        let steps = (0.1 / gamma).round() as u64;
        let mut s = settings(
            Target::Committee(Link::HE3),
            Link::HE3,
            Loss::Correlation,
            1024,
            1024,
            gamma,
            steps,
        );
        let on = run(&o, &s).final_overlaps.m[(0, 0)];
        s.terms.mean_step = false;
        let off = run(&o, &s).final_overlaps.m[(0, 0)];
        (on - off).abs()
    };
    let (d1, d2, d3) = (difference(0.002), difference(0.001), difference(0.0005));
    assert!(d1 > 1e-6, "the term must matter at all: {d1}");
    for (a, b) in [(d1, d2), (d2, d3)] {
        let ratio = a / b;
        assert!(
            (1.7..2.3).contains(&ratio),
            "halving gamma should halve the difference: {a} / {b} = {ratio}"
        );
    }
}

#[test]
fn correlation_loss_learns_he3_from_a_small_overlap() {
    let s = settings(
        Target::Committee(Link::HE3),
        Link::HE3,
        Loss::Correlation,
        1024,
        8192,
        0.005,
        2000,
    );
    let r = run(&single_index(0.1), &s);
    let m: Vec<f64> = r.trajectory.m.iter().map(|rows| rows[0][0]).collect();
    assert!(
        m.windows(2).all(|w| w[1] >= w[0] - 1e-12),
        "m must increase: {m:?}"
    );
    assert!(*m.last().unwrap() > 0.95, "m = {}", m.last().unwrap());
    let t = r.trajectory.weak_recovery_step.expect("weak recovery");
    let i = r
        .trajectory
        .steps
        .iter()
        .position(|&s| s == t)
        .expect("weak-recovery step recorded");
    assert!(r.trajectory.m[i][0][0] >= 0.5 && r.trajectory.m[i - 1][0][0] < 0.5);
    assert_eq!(*r.trajectory.steps.last().unwrap(), 2000);
    // the recorded risk is the population risk of the recorded overlaps
    let last = r.trajectory.risk.last().unwrap();
    let expect = population_risk(&s.target, &s.activation, &r.final_overlaps, s.noise).value;
    assert_eq!(*last, expect);
}

#[test]
fn fig3_erf_committee_regimes_order_the_risk() {
    // docs/science.md §8 item 3: erf, p = k = 2, d = 1e4, Delta = 0.01, m0 = 0, 1e4 steps
    let d = 10_000u64;
    let df = d as f64;
    let o = Overlaps::new(DMatrix::identity(2, 2), DMatrix::zeros(2, 2)).unwrap();
    let erf = Target::Committee(Link::Erf);
    let go = |nb: u64, gamma: f64| {
        let mut s = settings(erf, Link::Erf, Loss::Mse, d, nb, gamma, 10_000);
        s.noise = 0.01;
        run(&o, &s)
    };
    let noise_learning = go(10, 0.3 * df.powf(-0.125));
    let saad_solla = go(100, 8.0 * df.powf(-0.5));
    let population = go(100, 10.0 / df);
    assert_eq!(classify_regime(0.5, 0.5), Regime::SaadSollaLine);
    assert_eq!(classify_regime(1.0, 0.5), Regime::PopulationFlow);
    let r0 = risk_at(&population, 0);
    let (nl_half, nl_end) = (
        risk_at(&noise_learning, 5000),
        risk_at(&noise_learning, 10_000),
    );
    let (ss_half, ss_end) = (risk_at(&saad_solla, 5000), risk_at(&saad_solla, 10_000));
    let (pf_half, pf_end) = (risk_at(&population, 5000), risk_at(&population, 10_000));
    // noise learning: a high plateau (nothing learned: at or above the initial risk)
    assert!(
        nl_end >= r0 && (nl_end - nl_half).abs() < 1e-3 * nl_end,
        "noise learning {nl_half} -> {nl_end}, R0 = {r0}"
    );
    // Saad & Solla: a low, noise-limited plateau
    assert!(
        ss_end < 0.3 * r0 && (ss_end - ss_half).abs() < 1e-3 * ss_end,
        "Saad & Solla {ss_half} -> {ss_end}"
    );
    assert!(nl_end > 5.0 * ss_end);
    // population flow: still decreasing at the end
    assert!(
        pf_end < 0.7 * pf_half,
        "population flow {pf_half} -> {pf_end}"
    );
    let tail: Vec<f64> = population
        .trajectory
        .steps
        .iter()
        .zip(&population.trajectory.risk)
        .filter(|(s, _)| **s >= 5000)
        .map(|(_, r)| *r)
        .collect();
    assert!(
        tail.windows(2).all(|w| w[1] < w[0]),
        "population-flow risk must keep decreasing"
    );
}

#[test]
fn adaptive_protocol_reaches_the_noise_floor() {
    // docs/science.md §8 item 5: l = 3, mu = 1.85, Delta = 1e-6, 100 steps
    let d = 1024u64;
    let nb = (d as f64).powf(1.85).floor() as u64;
    let gamma = 0.032 * nb as f64 * (d as f64).powf(-1.5); // authors' convention, p = 1
    let o = single_index(1.0 / (d as f64).sqrt());
    let he3 = Target::Committee(Link::HE3);
    let go = |loss| run(&o, &settings(he3, Link::HE3, loss, d, nb, gamma, 100));
    let (plain, correlation, adaptive) = (go(Loss::Mse), go(Loss::Correlation), go(Loss::Adaptive));
    let r0 = risk_at(&plain, 0);
    assert!(
        risk_at(&plain, 100) > 0.99 * r0,
        "plain SGD stays at its initial risk"
    );
    let (c50, c100) = (risk_at(&correlation, 50), risk_at(&correlation, 100));
    assert!(
        c100 < 0.1 * r0 && c100 > 0.01 && (c100 - c50).abs() < 1e-3 * c100,
        "correlation plateau {c50} -> {c100}"
    );
    let a100 = risk_at(&adaptive, 100);
    assert!(
        a100 < 2e-6,
        "adaptive reaches the noise floor Delta/2 = 5e-7: {a100}"
    );
    let switch = adaptive
        .switch_step
        .expect("the adaptive protocol switches");
    let schedule = AdaptiveSchedule::default();
    let expect = gamma * schedule.jump * schedule.decay.powi((100 - switch) as i32);
    assert!((adaptive.final_learning_rate - expect).abs() < 1e-12 * expect);
    assert!(plain.switch_step.is_none() && correlation.switch_step.is_none());
}

#[test]
fn projection_keeps_unit_norms_and_the_unprojected_map_does_not() {
    let o = random_overlaps(9, 2, 1, 8, 0.3);
    let mut s = settings(
        Target::Committee(Link::Erf),
        Link::Erf,
        Loss::Mse,
        100,
        10,
        0.5,
        50,
    );
    let projected = run(&o, &s);
    for j in 0..2 {
        assert_eq!(projected.final_overlaps.q[(j, j)], 1.0);
    }
    s.projected = false;
    let free = run(&o, &s);
    assert!(
        (free.final_overlaps.q[(0, 0)] - 1.0).abs() > 1e-3,
        "{}",
        free.final_overlaps.q
    );
    // all terms off: nothing moves
    s.terms = Terms {
        gradient: false,
        noise: false,
        mean_step: false,
    };
    assert_eq!(run(&o, &s).final_overlaps, o);
}

#[test]
fn divergence_names_the_step() {
    // a huge step makes 1 + 2 (gamma/p) phiGF_jj negative at the first step (phiGF_jj < 0 at
    // m = 0 for erf: the self-interaction shrinks the norm)
    let mut s = settings(
        Target::Committee(Link::Erf),
        Link::Erf,
        Loss::Mse,
        100,
        100,
        1e3,
        10,
    );
    s.terms = ONLY_GRADIENT;
    let r = run_overlap_recursion(&single_index(0.0), &s).unwrap();
    let divergence = r.divergence.expect("diverges");
    assert_eq!(divergence.step, 1);
    assert!(divergence.to_string().contains("step 1"), "{divergence}");
    assert_eq!(r.steps_done, 0);
    assert_eq!(r.trajectory.steps, vec![0]);
    // the single-step API reports the neuron
    let o = single_index(0.0);
    let drift = drift_terms(&s.target, &s.activation, StepLoss::Mse, &o, 0.0);
    let step = StepParameters {
        learning_rate: 1e3,
        dimension_over_batch: 1.0,
        terms: ONLY_GRADIENT,
        projected: true,
        update: sgdlab::sampler::Update::Projected,
    };
    assert!(matches!(
        overlap_update(&o, &drift, &step),
        Err(StepFailure::NonPositiveNorm { neuron: 0, .. })
    ));
}

#[test]
fn invalid_settings_and_initial_conditions_are_errors() {
    let base = settings(
        Target::Committee(Link::Erf),
        Link::Erf,
        Loss::Mse,
        100,
        10,
        0.1,
        10,
    );
    let o = single_index(0.1);
    for bad in [
        RecursionSettings {
            noise: -1.0,
            ..base.clone()
        },
        RecursionSettings {
            learning_rate: 0.0,
            ..base.clone()
        },
        RecursionSettings {
            batch_size: 0,
            ..base.clone()
        },
        RecursionSettings {
            learning_rate: f64::NAN,
            ..base.clone()
        },
    ] {
        assert!(matches!(
            run_overlap_recursion(&o, &bad),
            Err(RecursionError::InvalidSetting { .. })
        ));
    }
    let not_gram = Overlaps {
        q: DMatrix::identity(1, 1),
        m: DMatrix::from_element(1, 1, 1.2),
    };
    let err = run_overlap_recursion(&not_gram, &base).unwrap_err();
    assert!(
        matches!(err, RecursionError::InvalidInitialCondition(_)),
        "{err}"
    );
}

#[test]
fn settings_round_trip_through_json_with_defaults() {
    let json = r#"{"target": "he3", "activation": "he3", "noise": 1e-6, "dimension": 1024,
        "batch_size": 32, "learning_rate": 0.1, "loss": "correlation", "steps": 10}"#;
    let s: RecursionSettings = serde_json::from_str(json).unwrap();
    assert_eq!(s.terms, Terms::ALL);
    assert!(s.projected && s.eta == 0.5);
    let back: RecursionSettings =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let err = serde_json::from_str::<RecursionSettings>(&json.replace("\"steps\"", "\"stepz\""))
        .unwrap_err();
    assert!(err.to_string().contains("stepz"), "{err}");
}
