//! The elementary Gaussian expectations I2, I3, I4, I2noise (docs/science.md §6) against an
//! independent Monte Carlo with 5-standard-error tolerances, exact polynomial identities, and
//! error handling.

mod theory_support;

use nalgebra::{DMatrix, Matrix2, Matrix4};
use sgdlab::model::Link;
use sgdlab::theory::gaussian_expectations::{
    expectation_of_product, i2, i2_noise, i3, i4, ExpectationError, FieldFunction, Method,
};
use theory_support::{assert_within_standard_errors, monte_carlo, random_overlaps};

const SAMPLES: usize = 400_000;

/// The covariance of the fields at `indices` of Omega.
fn sub_covariance(omega: &DMatrix<f64>, indices: &[usize]) -> DMatrix<f64> {
    let n = indices.len();
    DMatrix::from_fn(n, n, |a, b| omega[(indices[a], indices[b])])
}

/// Compares expectation_of_product with a Monte Carlo of the same product, returns the method.
fn check_against_monte_carlo(
    slots: &[FieldFunction],
    c: &DMatrix<f64>,
    seed: u64,
    context: &str,
) -> Method {
    let exact = expectation_of_product(slots, c).unwrap();
    let mc = monte_carlo(c, SAMPLES, seed, 1, |z, out| {
        out[0] = slots.iter().zip(z).map(|(s, &x)| s.evaluate(x)).product();
    });
    let se = mc.standard_error(0);
    // a numerical method's own error adds to the Monte Carlo one
    let own = exact.method.standard_error().unwrap_or(0.0);
    assert_within_standard_errors(
        exact.value,
        mc.mean(0),
        (se * se + own * own).sqrt(),
        context,
    );
    exact.method
}

/// The index patterns of the theory for p = k = 2 (students 0, 1; teachers 2, 3), including
/// repeated fields (singular covariances).
const I2_PATTERNS: [[usize; 2]; 4] = [[0, 1], [0, 2], [2, 3], [1, 1]];
const I3_PATTERNS: [[usize; 3]; 5] = [[0, 2, 3], [0, 1, 2], [0, 2, 0], [1, 3, 3], [0, 0, 1]];
const I4_PATTERNS: [[usize; 4]; 5] = [
    [0, 1, 2, 3],
    [0, 0, 2, 2],
    [0, 1, 0, 1],
    [1, 0, 3, 0],
    [0, 1, 2, 2],
];

#[test]
fn erf_closed_forms_match_monte_carlo_on_random_omegas() {
    use FieldFunction::{Derivative as D, Identity as Id, Value as V};
    let e = Link::Erf;
    for seed in 0..3u64 {
        let omega = random_overlaps(100 + seed, 2, 2, 7, 0.6).omega();
        for idx in I2_PATTERNS {
            let c = sub_covariance(&omega, &idx);
            let m = check_against_monte_carlo(&[V(e), V(e)], &c, seed, &format!("erf I2 {idx:?}"));
            assert_eq!(m, Method::ClosedForm);
            let m = check_against_monte_carlo(
                &[D(e), D(e)],
                &c,
                seed + 7,
                &format!("erf I2noise {idx:?}"),
            );
            assert_eq!(m, Method::ClosedForm);
        }
        for idx in I3_PATTERNS {
            let c = sub_covariance(&omega, &idx);
            let m = check_against_monte_carlo(
                &[D(e), Id, V(e)],
                &c,
                seed + 11,
                &format!("erf I3 {idx:?}"),
            );
            assert_eq!(m, Method::ClosedForm);
        }
        for idx in I4_PATTERNS {
            let c = sub_covariance(&omega, &idx);
            let m = check_against_monte_carlo(
                &[D(e), D(e), V(e), V(e)],
                &c,
                seed + 13,
                &format!("erf I4 {idx:?}"),
            );
            assert_eq!(m, Method::ClosedForm);
        }
    }
}

#[test]
fn erf_closed_forms_keep_the_factor_two_convention() {
    // E[erf(z/sqrt2)^2] = (2/pi) arcsin(1/2) = 1/3 exactly (the classical (1/pi) arcsin is half)
    let one = Matrix2::new(1.0, 1.0, 1.0, 1.0);
    let v = i2(Link::Erf, Link::Erf, &one).unwrap();
    assert!((v.value - 1.0 / 3.0).abs() < 1e-15);
    // general variances: (2/pi) arcsin(C12 / sqrt((1 + C11)(1 + C22)))
    let c = Matrix2::new(2.0, 0.7, 0.7, 0.5);
    let expect = 2.0 / std::f64::consts::PI * (0.7f64 / (3.0f64 * 1.5).sqrt()).asin();
    assert!((i2(Link::Erf, Link::Erf, &c).unwrap().value - expect).abs() < 1e-15);
    let noise = i2_noise(Link::Erf, Link::Erf, &c).unwrap().value;
    let expect = 2.0 / (std::f64::consts::PI * (3.0f64 * 1.5 - 0.49).sqrt());
    assert!((noise - expect).abs() < 1e-15);
}

#[test]
fn hermite_pairs_are_exact_for_every_degree() {
    // E[He_l(a) He_j(b)] = delta_lj l! m^l for unit-variance fields with correlation m
    for l in 1..=8u32 {
        for j in 1..=4u32 {
            for &m in &[-0.8, -0.3, 0.0, 0.45, 0.9] {
                let c = Matrix2::new(1.0, m, m, 1.0);
                let a = Link::Hermite {
                    degree: l,
                    normalised: false,
                };
                let b = Link::Hermite {
                    degree: j,
                    normalised: false,
                };
                let e = i2(a, b, &c).unwrap();
                assert_eq!(e.method, Method::ExactPolynomial);
                let factorial: f64 = (1..=l).map(f64::from).product();
                let expect = if l == j {
                    factorial * m.powi(l as i32)
                } else {
                    0.0
                };
                assert!(
                    (e.value - expect).abs() < 1e-10 * factorial,
                    "He_{l} He_{j} at m = {m}: {}",
                    e.value
                );
            }
        }
    }
    // normalised links: E[He_l(a) He_l(b)] / l! = m^l
    let c = Matrix2::new(1.0, 0.6, 0.6, 1.0);
    let n5 = Link::Hermite {
        degree: 5,
        normalised: true,
    };
    assert!((i2(n5, n5, &c).unwrap().value - 0.6f64.powi(5)).abs() < 1e-13);
}

#[test]
fn polynomial_expectations_match_monte_carlo_on_random_omegas() {
    use FieldFunction::{Derivative as D, Identity as Id, Value as V};
    let he3 = Link::HE3;
    let he4n = Link::Hermite {
        degree: 4,
        normalised: true,
    };
    let he2 = Link::Hermite {
        degree: 2,
        normalised: false,
    };
    for seed in 0..2u64 {
        let omega = random_overlaps(200 + seed, 2, 2, 6, 0.8).omega();
        for idx in I3_PATTERNS {
            let c = sub_covariance(&omega, &idx);
            let m = check_against_monte_carlo(
                &[D(he3), Id, V(he4n)],
                &c,
                seed + 3,
                &format!("poly I3 {idx:?}"),
            );
            assert_eq!(m, Method::ExactPolynomial);
        }
        for idx in I4_PATTERNS {
            let c = sub_covariance(&omega, &idx);
            let m = check_against_monte_carlo(
                &[D(he3), D(he2), V(he2), V(he3)],
                &c,
                seed + 5,
                &format!("poly I4 {idx:?}"),
            );
            assert_eq!(m, Method::ExactPolynomial);
        }
    }
    // non-unit variances (the unprojected recursion) are handled too
    let c = DMatrix::from_row_slice(3, 3, &[2.0, 0.3, -0.4, 0.3, 0.5, 0.1, -0.4, 0.1, 1.5]);
    check_against_monte_carlo(
        &[D(he3), Id, V(he3)],
        &c,
        9,
        "poly I3 with general variances",
    );
}

#[test]
fn smooth_non_polynomial_links_use_quadrature_and_match_monte_carlo() {
    use FieldFunction::{Derivative as D, Identity as Id, Value as V};
    let omega = random_overlaps(300, 2, 2, 6, 0.7).omega();
    for idx in I4_PATTERNS {
        let c = sub_covariance(&omega, &idx);
        let m = check_against_monte_carlo(
            &[D(Link::Tanh), D(Link::Tanh), V(Link::Tanh), V(Link::Tanh)],
            &c,
            21,
            &format!("tanh I4 {idx:?}"),
        );
        assert!(matches!(m, Method::Quadrature { .. }), "{m:?}");
        // mixed erf / He_3 slots
        let m = check_against_monte_carlo(
            &[D(Link::Erf), D(Link::HE3), V(Link::HE3), V(Link::Erf)],
            &c,
            22,
            &format!("mixed I4 {idx:?}"),
        );
        assert!(matches!(m, Method::Quadrature { .. }), "{m:?}");
    }
    for idx in I3_PATTERNS {
        let c = sub_covariance(&omega, &idx);
        check_against_monte_carlo(
            &[D(Link::Tanh), Id, V(Link::Erf)],
            &c,
            23,
            &format!("tanh/erf I3 {idx:?}"),
        );
    }
}

#[test]
fn relu_uses_monte_carlo_with_an_honest_standard_error() {
    // arc-cosine kernel: E[relu(a) relu(b)] = (sqrt(1 - rho^2) + (pi - arccos rho) rho) / (2 pi)
    let pi = std::f64::consts::PI;
    for &rho in &[-0.5, 0.2, 0.8] {
        let c = Matrix2::new(1.0, rho, rho, 1.0);
        let e = i2(Link::Relu, Link::Relu, &c).unwrap();
        let Method::MonteCarlo {
            standard_error,
            samples,
        } = e.method
        else {
            panic!("ReLU must use Monte Carlo, got {:?}", e.method)
        };
        assert!(samples >= 10_000 && standard_error > 0.0);
        let exact = ((1.0 - rho * rho).sqrt() + (pi - rho.acos()) * rho) / (2.0 * pi);
        assert_within_standard_errors(
            exact,
            e.value,
            standard_error,
            &format!("relu I2 rho = {rho}"),
        );
        // E[relu'(a) relu'(b)] = P(a > 0, b > 0) = 1/4 + arcsin(rho) / (2 pi)
        let e = i2_noise(Link::Relu, Link::Relu, &c).unwrap();
        let se = e.method.standard_error().unwrap();
        assert_within_standard_errors(0.25 + rho.asin() / (2.0 * pi), e.value, se, "relu I2noise");
    }
}

#[test]
fn i4_wrapper_matches_the_generic_product() {
    let omega = random_overlaps(400, 2, 2, 6, 0.5).omega();
    let c = Matrix4::from_fn(|a, b| omega[(a, b)]);
    let wrapped = i4(Link::Erf, Link::Erf, Link::Erf, Link::Erf, &c).unwrap();
    let generic = expectation_of_product(
        &[
            FieldFunction::Derivative(Link::Erf),
            FieldFunction::Derivative(Link::Erf),
            FieldFunction::Value(Link::Erf),
            FieldFunction::Value(Link::Erf),
        ],
        &omega,
    )
    .unwrap();
    assert_eq!(wrapped, generic);
    let c3 = nalgebra::Matrix3::from_fn(|a, b| omega[(a, b)]);
    assert_eq!(
        i3(Link::Erf, Link::Erf, &c3).unwrap().method,
        Method::ClosedForm
    );
}

#[test]
fn invalid_covariances_are_typed_errors() {
    let slots = [
        FieldFunction::Value(Link::Erf),
        FieldFunction::Value(Link::Erf),
    ];
    let not_psd = DMatrix::from_row_slice(2, 2, &[1.0, 1.5, 1.5, 1.0]);
    assert!(matches!(
        expectation_of_product(&slots, &not_psd),
        Err(ExpectationError::NotPositiveSemiDefinite { .. })
    ));
    let wrong = DMatrix::identity(3, 3);
    assert!(matches!(
        expectation_of_product(&slots, &wrong),
        Err(ExpectationError::Shape { expected: 2, .. })
    ));
    let nan = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
    assert_eq!(
        expectation_of_product(&slots, &nan),
        Err(ExpectationError::NotFinite)
    );
    let err = i2(Link::Tanh, Link::Tanh, &Matrix2::new(1.0, 2.0, 2.0, 1.0)).unwrap_err();
    assert!(err.to_string().contains("positive semi-definite"), "{err}");
}
