//! Population risk R(Q, M) = (1/2)(Delta + E[(f* - f)^2]): the He_3 spot formula, exact
//! Hermite identities, and agreement with an independent Monte Carlo over the local fields for
//! every backend.

mod theory_support;

use nalgebra::DMatrix;
use sgdlab::model::{Link, Overlaps, Target};
use sgdlab::theory::{population_risk, try_population_risk, Method, TheoryError};
use theory_support::{assert_within_standard_errors, monte_carlo, random_overlaps, single_index};

/// Monte Carlo of (1/2)(Delta + (f* - f)^2) from the definitions.
fn monte_carlo_risk(
    target: &Target,
    activation: Link,
    o: &Overlaps,
    noise: f64,
    samples: usize,
    seed: u64,
) -> (f64, f64) {
    let p = o.p();
    let mc = monte_carlo(&o.omega(), samples, seed, 1, |z, out| {
        let f: f64 = z[..p].iter().map(|&x| activation.value(x)).sum::<f64>() / p as f64;
        let e = target.value(&z[p..]) - f;
        out[0] = 0.5 * (noise + e * e);
    });
    (mc.mean(0), mc.standard_error(0))
}

fn check(target: Target, activation: Link, o: &Overlaps, noise: f64, seed: u64) -> Method {
    let r = population_risk(&target, &activation, o, noise);
    let (mc, se) = monte_carlo_risk(&target, activation, o, noise, 300_000, seed);
    let own = r.method.standard_error().unwrap_or(0.0);
    assert_within_standard_errors(
        r.value,
        mc,
        (se * se + own * own).sqrt(),
        &format!("risk {target} / {activation}"),
    );
    r.method
}

#[test]
fn he3_single_index_risk_is_six_one_minus_m_cubed_plus_half_delta() {
    for &m in &[-0.95, -0.4, 0.0, 0.1, 0.5, 0.99, 1.0] {
        for &noise in &[0.0, 1e-6, 0.3] {
            let r = population_risk(
                &Target::Committee(Link::HE3),
                &Link::HE3,
                &single_index(m),
                noise,
            );
            assert_eq!(r.method, Method::ExactPolynomial);
            let expect = 6.0 * (1.0 - m * m * m) + noise / 2.0;
            assert!(
                (r.value - expect).abs() < 1e-12,
                "m = {m}: {} vs {expect}",
                r.value
            );
        }
    }
}

#[test]
fn normalised_hermite_risks_for_every_degree() {
    // E[He_l(a)^2] / l! = 1 and E[He_l(a) He_l(b)] / l! = m^l: R = (1 - m^l) + Delta / 2
    for l in 1..=10u32 {
        let link = Link::Hermite {
            degree: l,
            normalised: true,
        };
        let r = population_risk(&Target::Committee(link), &link, &single_index(0.7), 0.01);
        assert!(
            (r.value - (1.0 - 0.7f64.powi(l as i32) + 0.005)).abs() < 1e-10,
            "l = {l}: {}",
            r.value
        );
    }
}

#[test]
fn erf_committee_risk_matches_monte_carlo() {
    for seed in 0..3 {
        let o = random_overlaps(10 + seed, 2, 2, 8, 0.7);
        assert_eq!(
            check(Target::Committee(Link::Erf), Link::Erf, &o, 0.01, seed),
            Method::ClosedForm
        );
    }
    let o = random_overlaps(20, 3, 1, 8, 0.5);
    check(Target::Committee(Link::Erf), Link::Erf, &o, 0.0, 4);
}

#[test]
fn wide_he3_student_risk_matches_monte_carlo() {
    let o = random_overlaps(30, 4, 1, 9, 0.9);
    assert_eq!(
        check(Target::Committee(Link::HE3), Link::HE3, &o, 1e-6, 5),
        Method::ExactPolynomial
    );
    let o = random_overlaps(31, 2, 2, 9, 0.6);
    check(Target::Committee(Link::HE3), Link::HE3, &o, 0.0, 6);
}

#[test]
fn numerical_backends_match_monte_carlo() {
    let o = random_overlaps(40, 2, 1, 8, 0.8);
    // smooth committees without closed forms take the Hermite expansion (two-field sums)
    let m = check(Target::Committee(Link::Tanh), Link::Tanh, &o, 0.1, 7);
    assert!(matches!(m, Method::HermiteExpansion { .. }), "{m:?}");
    let m = check(Target::Committee(Link::HE3), Link::Erf, &o, 0.0, 8);
    assert!(matches!(m, Method::HermiteExpansion { .. }), "{m:?}");
    let m = check(Target::Committee(Link::Relu), Link::Relu, &o, 0.0, 9);
    assert!(matches!(m, Method::MonteCarlo { .. }), "{m:?}");
    let o3 = random_overlaps(41, 1, 3, 8, 0.8);
    let m = check(Target::TanhProduct, Link::Tanh, &o3, 0.0, 10);
    assert!(matches!(m, Method::MonteCarlo { .. }), "{m:?}");
}

#[test]
fn invalid_overlaps_give_nan_or_a_typed_error() {
    let bad = Overlaps {
        q: DMatrix::identity(2, 2),
        m: DMatrix::from_row_slice(2, 1, &[0.9, 0.9]),
    };
    let target = Target::Committee(Link::Erf);
    assert!(population_risk(&target, &Link::Erf, &bad, 0.0)
        .value
        .is_nan());
    let err = try_population_risk(&target, &Link::Erf, &bad, 0.0).unwrap_err();
    assert!(
        matches!(err, TheoryError::NotPositiveSemiDefinite { .. }),
        "{err}"
    );
    let err = try_population_risk(&target, &Link::Erf, &single_index(0.3), -1.0).unwrap_err();
    assert_eq!(err, TheoryError::InvalidNoise(-1.0));
    let mismatched = Overlaps {
        q: DMatrix::identity(2, 2),
        m: DMatrix::zeros(1, 1),
    };
    assert!(matches!(
        try_population_risk(&target, &Link::Erf, &mismatched, 0.0),
        Err(TheoryError::OverlapShape { .. })
    ));
}

/// With a second layer a0 the risk is (1/2)(Delta + E[g^2] - 2 a0 E[g f1] + a0^2 E[f1^2]);
/// He_3, p = k = 1, unit norms, overlap m: (1/2)(Delta + 6 - 12 a0 m^3 + 6 a0^2), for the
/// polynomial path (a0 = 1) and the decomposition (other a0) alike; for tanh (numerical
/// expectations) the risk is the same quadratic in a0.
#[test]
fn the_risk_of_a_second_layer_scales_the_student() {
    use sgdlab::theory::population_risk_with_second_layer;
    let m = 0.5;
    let overlaps = Overlaps {
        q: nalgebra::DMatrix::from_element(1, 1, 1.0),
        m: nalgebra::DMatrix::from_element(1, 1, m),
    };
    let he3 = Target::Committee(Link::HE3);
    for a0 in [1.0, 0.3, 1e-4, 2.0] {
        let r = population_risk_with_second_layer(&he3, &Link::HE3, &overlaps, 0.01, &[a0]);
        let expected = 0.5 * (0.01 + 6.0 - 12.0 * a0 * m.powi(3) + 6.0 * a0 * a0);
        assert!(
            (r.value - expected).abs() < 1e-9,
            "a0 = {a0}: {} vs {expected}",
            r.value
        );
    }
    // a quadratic in a0 for any link: R(a) from R(1), R(0.5) and R(2) (tanh: numerical path)
    let tanh = Target::Committee(Link::Tanh);
    let r = |a0: f64| {
        population_risk_with_second_layer(&tanh, &Link::Tanh, &overlaps, 0.0, &[a0]).value
    };
    let (r1, rh, r2) = (r(1.0), r(0.5), r(2.0));
    // the quadratic through (0.5, R(0.5)), (1, R(1)), (2, R(2)) predicts R(0.3)
    let solve = |a: f64| {
        let (x0, x1, x2) = (0.5, 1.0, 2.0);
        rh * (a - x1) * (a - x2) / ((x0 - x1) * (x0 - x2))
            + r1 * (a - x0) * (a - x2) / ((x1 - x0) * (x1 - x2))
            + r2 * (a - x0) * (a - x1) / ((x2 - x0) * (x2 - x1))
    };
    assert!(
        (r(0.3) - solve(0.3)).abs() < 1e-3 * r(0.3).abs().max(1.0),
        "{} vs {}",
        r(0.3),
        solve(0.3)
    );
}

/// Per-unit weights (a trained second layer): He_3, p = 2, k = 1, overlaps Q, M:
/// R = (1/2)(Delta + 6 - (2/p) sum_j a_j 6 m_j^3 + (1/p^2) sum_jl a_j a_l 6 Q_jl^3), for the
/// decomposition (exact Wick moments) and joint integration alike; a length other than p is an
/// error, not a guess.
#[test]
fn the_risk_takes_one_weight_per_unit() {
    use sgdlab::theory::{population_risk_with_second_layer, Backend, LocalFieldModel};
    let (q12, m1, m2) = (0.3, 0.6, -0.2);
    let overlaps = Overlaps {
        q: nalgebra::DMatrix::from_row_slice(2, 2, &[1.0, q12, q12, 1.0]),
        m: nalgebra::DMatrix::from_row_slice(2, 1, &[m1, m2]),
    };
    let he3 = Target::Committee(Link::HE3);
    let a = [0.7, 1.9];
    let expected = 0.5
        * (0.02 + 6.0 - (a[0] * 6.0 * m1.powi(3) + a[1] * 6.0 * m2.powi(3))
            + 0.25 * 6.0 * (a[0] * a[0] + a[1] * a[1] + 2.0 * a[0] * a[1] * q12.powi(3)));
    let r = population_risk_with_second_layer(&he3, &Link::HE3, &overlaps, 0.02, &a);
    assert!(
        (r.value - expected).abs() < 1e-9,
        "{} vs {expected}",
        r.value
    );
    let joint = LocalFieldModel::new(he3, Link::HE3, 2, 1)
        .unwrap()
        .with_backend(Backend::JointIntegration)
        .unwrap()
        .population_risk_with_second_layer(&overlaps, 0.02, &a)
        .unwrap();
    assert!(
        (joint.value - expected).abs() < 1e-6,
        "joint integration {} vs {expected}",
        joint.value
    );
    assert!(
        population_risk_with_second_layer(&he3, &Link::HE3, &overlaps, 0.02, &[1.0])
            .value
            .is_nan()
    );
}

/// Multi-index Hermite polynomial teachers: exact Wick moments (compiled polynomial backend)
/// against Monte Carlo at random overlaps, and the orthogonality identity at M = 0.
#[test]
fn hermite_polynomial_teachers_have_exact_risks() {
    let staircase: Target = r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#
        .parse()
        .unwrap();
    let mixed: Target =
        r#"{"hermite": [[1, [3, 0]], [-0.5, [1, 3]], [0.25, [2, 2]]], "normalised": true}"#
            .parse()
            .unwrap();
    for (seed, target, k, activation) in [
        (50, staircase, 3, Link::HE3),
        (51, staircase, 3, "he2".parse().unwrap()),
        (52, mixed, 2, "he3n".parse().unwrap()),
    ] {
        let o = random_overlaps(seed, 2, k, 9, 0.7);
        assert_eq!(
            check(target, activation, &o, 0.1, seed),
            Method::ExactPolynomial
        );
    }
    // smooth non-polynomial students: 1- and 2-dimensional integrals (quadrature), p = k = 3
    for (seed, activation) in [(53, Link::Tanh), (54, Link::Erf)] {
        let o = random_overlaps(seed, 3, 3, 9, 0.7);
        let method = check(staircase, activation, &o, 0.1, seed);
        assert!(matches!(method, Method::Quadrature { .. }), "{method:?}");
    }
    // a second layer a0 = 0.4 (tanh and He_3 students): against Monte Carlo of the definition
    let o = random_overlaps(56, 2, 3, 9, 0.7);
    for activation in [Link::Tanh, Link::HE3] {
        let r = sgdlab::theory::population_risk_with_second_layer(
            &staircase,
            &activation,
            &o,
            0.0,
            &[0.4, 0.4],
        );
        let mc = monte_carlo(&o.omega(), 300_000, 57, 1, |z, out| {
            let f: f64 = z[..2].iter().map(|&x| activation.value(x)).sum::<f64>() / 2.0;
            let e = staircase.value(&z[2..]) - 0.4 * f;
            out[0] = 0.5 * e * e;
        });
        assert_within_standard_errors(r.value, mc.mean(0), mc.standard_error(0), "a0 = 0.4");
    }
    // a ReLU student keeps the joint Monte Carlo (its kink), still unbiased
    let o = random_overlaps(55, 2, 3, 9, 0.7);
    check(staircase, Link::Relu, &o, 0.0, 55);
    // M = 0, Q = I: E[(g - f)^2] = E[g^2] + E[f^2] = sum_t c_t^2 prod_r a_r! + (1/p) E[He_3^2]
    // (distinct multi-indices are orthogonal): 3 + 6/2 for the staircase and two He_3 units
    let o = Overlaps::new(DMatrix::identity(2, 2), DMatrix::zeros(2, 3)).unwrap();
    let r = population_risk(&staircase, &Link::HE3, &o, 0.2);
    assert!(
        (r.value - 0.5 * (0.2 + 3.0 + 3.0)).abs() < 1e-12,
        "{}",
        r.value
    );
    // normalised: each term has unit variance, so E[g^2] = 1 + 0.25 + 1/16
    let o = Overlaps::new(DMatrix::identity(1, 1), DMatrix::zeros(1, 2)).unwrap();
    let r = population_risk(&mixed, &"he3n".parse().unwrap(), &o, 0.0);
    assert!(
        (r.value - 0.5 * (1.3125 + 1.0)).abs() < 1e-12,
        "{}",
        r.value
    );
}
