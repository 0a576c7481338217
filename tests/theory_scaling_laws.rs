//! Scaling-law predictions and the phase diagram (docs/science.md §7, paper Fig. 1).

use sgdlab::theory::scaling_laws::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn plain_sgd_for_he3() {
    // l = 3: theta = 2 - mu up to mu = 3/2, then flat at 1/2; N = d^2 until then
    for (mu, theta, samples, gamma) in [
        (0.0, 2.0, 2.0, -1.5),
        (1.0, 1.0, 2.0, -0.5),
        (1.5, 0.5, 2.0, 0.0),
        (1.75, 0.5, 2.25, 0.0),
        (3.0, 0.5, 3.5, 0.0),
    ] {
        let p = plain_sgd_prediction(mu, 3).unwrap();
        assert!(
            close(p.time_exponent, theta) && close(p.sample_exponent, samples),
            "mu = {mu}: {p:?}"
        );
        assert!(close(p.learning_rate_exponent, gamma), "mu = {mu}: {p:?}");
        assert_eq!(p.correction, TimeCorrection::None);
    }
}

#[test]
fn correlation_loss_for_he3() {
    // continues theta = 2 - mu down to 0 at mu = 2, polylog on [2, 3), one step from 3
    let p = correlation_loss_prediction(1.75, 3).unwrap();
    assert!(
        close(p.time_exponent, 0.25)
            && close(p.sample_exponent, 2.0)
            && close(p.learning_rate_exponent, 0.25)
    );
    let p = correlation_loss_prediction(2.5, 3).unwrap();
    assert!(close(p.time_exponent, 0.0) && p.correction == TimeCorrection::Polylog);
    assert!(close(p.learning_rate_exponent, 0.75)); // gamma ~ sqrt(n_b / d)
    let p = correlation_loss_prediction(3.0, 3).unwrap();
    assert!(close(p.time_exponent, 0.0) && p.correction == TimeCorrection::None);
    assert!(close(p.learning_rate_exponent, 1.0)); // one giant step: gamma = d^((l-1)/2)
    assert!(p.regime.contains("one giant step"));
    // the learning rate is continuous where the regimes meet (mu = l - 1)
    let below = correlation_loss_prediction(2.0, 3)
        .unwrap()
        .learning_rate_exponent;
    let above = correlation_loss_prediction(2.0 + 1e-9, 3)
        .unwrap()
        .learning_rate_exponent;
    assert!((below - above).abs() < 1e-8);
    // docs/science.md measured slope of log_d T vs mu for He_3 correlation loss: about -0.9 (prediction -1)
    let slope = predicted_time_exponent(Protocol::CorrelationLoss, 1.5, 3).unwrap()
        - predicted_time_exponent(Protocol::CorrelationLoss, 0.5, 3).unwrap();
    assert!(close(slope, -1.0));
}

#[test]
fn low_information_exponents() {
    // l = 1: T = d / n_b for both protocols
    for protocol in [Protocol::PlainSgd, Protocol::CorrelationLoss] {
        assert!(close(
            predicted_time_exponent(protocol, 0.25, 1).unwrap(),
            0.75
        ));
        assert!(close(
            predicted_sample_exponent(protocol, 0.25, 1).unwrap(),
            1.0
        ));
        assert!(close(
            predicted_time_exponent(protocol, 1.5, 1).unwrap(),
            0.0
        ));
    }
    // l = 2: T = d log d / n_b, plain SGD flattens at log d
    let p = plain_sgd_prediction(0.5, 2).unwrap();
    assert!(close(p.time_exponent, 0.5) && p.correction == TimeCorrection::LogD);
    let p = plain_sgd_prediction(1.5, 2).unwrap();
    assert!(close(p.time_exponent, 0.0) && p.correction == TimeCorrection::LogD);
    assert_eq!(
        correlation_loss_prediction(1.5, 2).unwrap().correction,
        TimeCorrection::Polylog
    );
    assert!(close(
        plain_sgd_prediction(0.5, 2).unwrap().learning_rate_exponent,
        -0.5
    )); // n_b / d
}

#[test]
fn learning_rate_conventions() {
    assert!(close(
        optimal_learning_rate_exponent(Protocol::PlainSgd, 1.0, 3).unwrap(),
        0.5
    ));
    assert!(close(
        optimal_learning_rate_exponent(Protocol::PlainSgd, 1.75, 3).unwrap(),
        0.0
    ));
    assert!(close(
        optimal_learning_rate_exponent(Protocol::CorrelationLoss, 1.75, 3).unwrap(),
        -0.25
    ));
    assert!(close(
        optimal_learning_rate_exponent(Protocol::CorrelationLoss, 2.5, 3).unwrap(),
        -0.75
    ));
    // docs/science.md §8 item 2: d = 256, mu = 1.75, c = 0.032, p = 4: gamma ~ 0.5
    let nb = 256f64.powf(1.75).floor();
    let gamma = authors_learning_rate(0.032, nb, 4, 256.0, 3).unwrap();
    assert!(close(gamma, 0.032 * 16384.0 * 4.0 / 4096.0), "{gamma}");
    // with n_b = d^mu exactly and mu <= l/2 this is gamma0 d^(-delta*) with gamma0 = c p
    let exact = authors_learning_rate(0.032, 256.0, 4, 256.0, 3).unwrap(); // mu = 1
    assert!(close(
        exact,
        0.032
            * 4.0
            * 256f64.powf(-optimal_learning_rate_exponent(Protocol::PlainSgd, 1.0, 3).unwrap())
    ));
}

#[test]
fn invalid_inputs_are_errors() {
    assert_eq!(
        plain_sgd_prediction(1.0, 0),
        Err(ScalingError::InformationExponent(0))
    );
    assert!(matches!(
        correlation_loss_prediction(-0.5, 3),
        Err(ScalingError::BatchExponent(_))
    ));
    assert!(matches!(
        correlation_loss_prediction(f64::NAN, 3),
        Err(ScalingError::BatchExponent(_))
    ));
    assert!(authors_learning_rate(0.0, 10.0, 1, 100.0, 3).is_err());
    assert!(phase_diagram(0, 4.0).is_err());
}

#[test]
fn phase_diagram_segments_follow_the_predictions() {
    for l in 1..=6u32 {
        let diagram = phase_diagram(l, 0.0).unwrap();
        assert!(diagram.mu_max >= l as f64 + 0.5);
        for s in &diagram.frontiers {
            assert!(s.start[0] < s.end[0], "l = {l}: {s:?}");
            for f in [0.0, 0.3, 0.7, 1.0] {
                let mu = s.start[0] + f * (s.end[0] - s.start[0]);
                let theta = s.start[1] + f * (s.end[1] - s.start[1]);
                let owners: &[Protocol] = match s.owner {
                    FrontierOwner::Both => &[Protocol::PlainSgd, Protocol::CorrelationLoss],
                    FrontierOwner::PlainSgd => &[Protocol::PlainSgd],
                    FrontierOwner::CorrelationLoss => &[Protocol::CorrelationLoss],
                };
                for &protocol in owners {
                    let predicted = predicted_time_exponent(protocol, mu, l).unwrap();
                    assert!(
                        (predicted - theta).abs() < 1e-9,
                        "l = {l}, {protocol} at mu = {mu}: {predicted} vs segment {theta} ({})",
                        s.label
                    );
                }
            }
        }
        // each optimal point lies on its protocol's frontier, where the sample complexity is
        // minimal: N is flat up to it and grows past it, and T still falls up to it
        for o in &diagram.optimal_points {
            let [mu, theta] = o.point;
            let time = |m: f64| predicted_time_exponent(o.protocol, m, l).unwrap();
            let samples = |m: f64| predicted_sample_exponent(o.protocol, m, l).unwrap();
            assert!((time(mu) - theta).abs() < 1e-9, "l = {l}: {o:?}");
            assert!(
                (samples(mu - 0.25) - samples(mu)).abs() < 1e-9,
                "l = {l}: {o:?}"
            );
            assert!(time(mu - 0.25) > time(mu), "l = {l}: {o:?}");
            assert!(samples(mu + 0.25) > samples(mu) + 0.1, "l = {l}: {o:?}");
        }
    }
    // l = 3 (Fig. 1): the corners
    let d = phase_diagram(3, 4.0).unwrap();
    let ends: Vec<([f64; 2], [f64; 2], FrontierOwner)> = d
        .frontiers
        .iter()
        .map(|s| (s.start, s.end, s.owner))
        .collect();
    assert_eq!(
        ends,
        vec![
            ([0.0, 2.0], [1.5, 0.5], FrontierOwner::Both),
            ([1.5, 0.5], [4.0, 0.5], FrontierOwner::PlainSgd),
            ([1.5, 0.5], [2.0, 0.0], FrontierOwner::CorrelationLoss),
            ([2.0, 0.0], [3.0, 0.0], FrontierOwner::CorrelationLoss),
            ([3.0, 0.0], [4.0, 0.0], FrontierOwner::CorrelationLoss),
        ]
    );
    assert_eq!(d.frontiers[3].correction, TimeCorrection::Polylog);
    assert!(d.frontiers[4].label.contains("one giant step"));
    assert_eq!(d.regions.len(), 3);
    assert!(d.regions[1].label.contains("only correlation"));
    // the optimal points: plain SGD at mu = l/2, correlation loss at mu = l - 1
    let optimal: Vec<(Protocol, [f64; 2])> = d
        .optimal_points
        .iter()
        .map(|o| (o.protocol, o.point))
        .collect();
    assert_eq!(
        optimal,
        vec![
            (Protocol::PlainSgd, [1.5, 0.5]),
            (Protocol::CorrelationLoss, [2.0, 0.0])
        ]
    );
    // serialisable for the front end
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["frontiers"][0]["owner"], "both");
}

/// One source of delta*(mu, l, protocol): below the smaller critical batch (mu <= l/2 for
/// l >= 2, mu <= 1 for l = 1) plain SGD and correlation loss share the optimal rate, and for
/// l = 1 it is delta* = 1 - mu (gamma = n_b / d), not l/2 - mu.
#[test]
fn both_protocols_share_the_optimal_rate_below_the_critical_batch() {
    for l in 1..=5u32 {
        let critical = if l == 1 { 1.0 } else { l as f64 / 2.0 };
        let mut mu = 0.0;
        while mu <= critical + 1e-12 {
            let plain = optimal_learning_rate_exponent(Protocol::PlainSgd, mu, l).unwrap();
            let corr = optimal_learning_rate_exponent(Protocol::CorrelationLoss, mu, l).unwrap();
            assert!(close(plain, corr), "l = {l}, mu = {mu}: {plain} vs {corr}");
            let expected = if l <= 2 {
                1.0 - mu
            } else {
                l as f64 / 2.0 - mu
            };
            assert!(close(plain, expected), "l = {l}, mu = {mu}: {plain}");
            mu += 0.125;
        }
    }
    // l = 1 (erf, tanh, ReLU): delta* = 1 - mu at mu = 0.25, 0.5, 0.75 for both protocols
    for mu in [0.25, 0.5, 0.75] {
        for protocol in [Protocol::PlainSgd, Protocol::CorrelationLoss] {
            let delta = optimal_learning_rate_exponent(protocol, mu, 1).unwrap();
            assert!(close(delta, 1.0 - mu), "{protocol} at mu = {mu}: {delta}");
        }
    }
    // beyond the critical batch the protocols part: plain SGD keeps gamma = O(1) ...
    assert!(close(
        optimal_learning_rate_exponent(Protocol::PlainSgd, 2.0, 3).unwrap(),
        0.0
    ));
    // ... correlation loss lets gamma grow like n_b d^(-l/2) up to mu = l - 1
    assert!(close(
        optimal_learning_rate_exponent(Protocol::CorrelationLoss, 2.0, 3).unwrap(),
        -0.5
    ));
    assert!(optimal_learning_rate_exponent(Protocol::PlainSgd, 1.0, 0).is_err());
    assert!(optimal_learning_rate_exponent(Protocol::PlainSgd, -1.0, 3).is_err());
}
