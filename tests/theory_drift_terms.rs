//! Drift terms psi, phiGF, phiHD (docs/science.md §5): spot values, agreement with an
//! independent Monte Carlo of their definitions, and agreement between backends.

mod theory_support;

use sgdlab::model::{Link, Overlaps, StepLoss, Target};
use sgdlab::theory::gaussian_expectations::NumericalSettings;
use sgdlab::theory::{drift_terms, try_drift_terms, Backend, DriftTerms, LocalFieldModel, Method};
use theory_support::{assert_within_standard_errors, monte_carlo, random_overlaps, single_index};

/// Monte Carlo of the definitions: label y = g + sqrt(Delta) xi drawn explicitly.
fn monte_carlo_drift(
    target: &Target,
    sigma: Link,
    loss: StepLoss,
    o: &Overlaps,
    noise: f64,
    samples: usize,
    seed: u64,
) -> theory_support::Means {
    let (p, k) = (o.p(), o.k());
    // one extra independent field for the label noise xi
    let r = p + k;
    let mut c = nalgebra::DMatrix::identity(r + 1, r + 1);
    c.view_mut((0, 0), (r, r)).copy_from(&o.omega());
    monte_carlo(&c, samples, seed, p * k + 2 * p * p, |z, out| {
        let f: f64 = z[..p].iter().map(|&x| sigma.value(x)).sum::<f64>() / p as f64;
        let y = target.value(&z[p..r]) + noise.sqrt() * z[r];
        let e = match loss {
            StepLoss::Mse => y - f,
            StepLoss::Correlation => y,
        };
        for j in 0..p {
            let d = sigma.derivative(z[j]);
            for s in 0..k {
                out[j * k + s] = d * z[p + s] * e;
            }
            for l in 0..p {
                out[p * k + j * p + l] = d * z[l] * e;
                out[p * k + p * p + j * p + l] = d * sigma.derivative(z[l]) * e * e;
            }
        }
    })
}

fn check(
    target: Target,
    sigma: Link,
    loss: StepLoss,
    o: &Overlaps,
    noise: f64,
    seed: u64,
) -> DriftTerms {
    let t = drift_terms(&target, &sigma, loss, o, noise);
    let (p, k) = (o.p(), o.k());
    let mc = monte_carlo_drift(&target, sigma, loss, o, noise, 300_000, seed);
    let own = t.method.standard_error().unwrap_or(0.0);
    let context = format!("{target} / {sigma} / {loss:?}");
    let tol = |i: usize| (mc.standard_error(i).powi(2) + own * own).sqrt();
    for j in 0..p {
        for s in 0..k {
            let i = j * k + s;
            assert_within_standard_errors(
                t.psi[(j, s)],
                mc.mean(i),
                tol(i),
                &format!("{context} psi[{j}][{s}]"),
            );
        }
        for l in 0..p {
            let i = p * k + j * p + l;
            assert_within_standard_errors(
                t.phi_gf[(j, l)],
                mc.mean(i),
                tol(i),
                &format!("{context} phiGF[{j}][{l}]"),
            );
            let i = p * k + p * p + j * p + l;
            assert_within_standard_errors(
                t.phi_hd[(j, l)],
                mc.mean(i),
                tol(i),
                &format!("{context} phiHD[{j}][{l}]"),
            );
        }
    }
    t
}

#[test]
fn he3_glm_spot_values() {
    let target = Target::Committee(Link::HE3);
    for &m in &[-0.7, 0.0, 0.05, 0.3, 0.8, 1.0] {
        let t = drift_terms(&target, &Link::HE3, StepLoss::Mse, &single_index(m), 1e-6);
        assert_eq!(t.method, Method::ExactPolynomial);
        assert!(
            (t.psi[(0, 0)] - 18.0 * (m * m - m)).abs() < 1e-11,
            "psi at m = {m}: {}",
            t.psi[(0, 0)]
        );
        assert!(
            (t.phi_gf[(0, 0)] - 18.0 * (m * m * m - 1.0)).abs() < 1e-11,
            "phiGF at m = {m}"
        );
        // correlation loss drops the self-interaction: psi = 18 m^2, phiGF = 18 m^3
        let t = drift_terms(
            &target,
            &Link::HE3,
            StepLoss::Correlation,
            &single_index(m),
            1e-6,
        );
        assert!((t.psi[(0, 0)] - 18.0 * m * m).abs() < 1e-11);
        assert!((t.phi_gf[(0, 0)] - 18.0 * m * m * m).abs() < 1e-11);
    }
    // the fixed point m = 1: nothing to learn, and phiHD reduces to Delta E[sigma'^2] = 18 Delta
    let t = drift_terms(&target, &Link::HE3, StepLoss::Mse, &single_index(1.0), 0.5);
    assert!(
        (t.phi_hd[(0, 0)] - 0.5 * 18.0).abs() < 1e-10,
        "{}",
        t.phi_hd[(0, 0)]
    );
}

#[test]
fn erf_committee_drift_matches_monte_carlo() {
    for (seed, loss) in [(0, StepLoss::Mse), (1, StepLoss::Correlation)] {
        let o = random_overlaps(50 + seed, 2, 2, 8, 0.6);
        let t = check(
            Target::Committee(Link::Erf),
            Link::Erf,
            loss,
            &o,
            0.01,
            seed,
        );
        assert_eq!(t.method, Method::ClosedForm);
    }
}

#[test]
fn polynomial_drift_matches_monte_carlo() {
    let o = random_overlaps(60, 2, 2, 8, 0.8);
    for loss in [StepLoss::Mse, StepLoss::Correlation] {
        let t = check(Target::Committee(Link::HE3), Link::HE3, loss, &o, 0.05, 2);
        assert_eq!(t.method, Method::ExactPolynomial);
    }
    let o = random_overlaps(61, 3, 1, 8, 0.9);
    let he4n = Link::Hermite {
        degree: 4,
        normalised: true,
    };
    check(
        Target::Committee(he4n),
        Link::HE3,
        StepLoss::Mse,
        &o,
        0.0,
        3,
    );
}

#[test]
fn numerical_drift_matches_monte_carlo() {
    let o = random_overlaps(70, 2, 1, 8, 0.7);
    let t = check(
        Target::Committee(Link::Tanh),
        Link::Tanh,
        StepLoss::Mse,
        &o,
        0.1,
        4,
    );
    // smooth committees without closed forms take the Hermite expansion (in its range)
    assert!(
        matches!(t.method, Method::HermiteExpansion { .. }),
        "{}",
        t.method
    );
    let t = check(
        Target::Committee(Link::HE3),
        Link::Erf,
        StepLoss::Correlation,
        &o,
        0.0,
        5,
    );
    assert!(
        matches!(t.method, Method::HermiteExpansion { .. }),
        "{}",
        t.method
    );
    let t = check(
        Target::Committee(Link::Relu),
        Link::Relu,
        StepLoss::Mse,
        &o,
        0.0,
        6,
    );
    assert!(matches!(t.method, Method::MonteCarlo { .. }));
    let o3 = random_overlaps(71, 1, 3, 8, 0.8);
    check(Target::TanhProduct, Link::Tanh, StepLoss::Mse, &o3, 0.0, 7);
}

fn max_difference(a: &DriftTerms, b: &DriftTerms) -> f64 {
    (&a.psi - &b.psi)
        .amax()
        .max((&a.phi_gf - &b.phi_gf).amax())
        .max((&a.phi_hd - &b.phi_hd).amax())
}

#[test]
fn backends_agree_on_exact_cases() {
    // polynomial: compiled Wick plan vs per-term Wick decomposition vs joint quadrature (exact
    // for polynomials with enough nodes)
    let o = random_overlaps(80, 3, 1, 8, 0.7);
    let target = Target::Committee(Link::HE3);
    for loss in [StepLoss::Mse, StepLoss::Correlation] {
        let model = |b| {
            LocalFieldModel::new(target, Link::HE3, 3, 1)
                .unwrap()
                .with_backend(b)
                .unwrap()
        };
        let compiled = model(Backend::CompiledPolynomial)
            .drift_terms(&o, loss, 0.1)
            .unwrap();
        let decomposed = model(Backend::Decomposition)
            .drift_terms(&o, loss, 0.1)
            .unwrap();
        let joint = model(Backend::JointIntegration)
            .drift_terms(&o, loss, 0.1)
            .unwrap();
        let scale = compiled.phi_hd.amax();
        assert!(max_difference(&compiled, &decomposed) < 1e-10 * scale);
        assert!(
            max_difference(&compiled, &joint) < 1e-9 * scale,
            "{}",
            max_difference(&compiled, &joint)
        );
        let r1 = model(Backend::CompiledPolynomial)
            .population_risk(&o, 0.1)
            .unwrap()
            .value;
        let r2 = model(Backend::Decomposition)
            .population_risk(&o, 0.1)
            .unwrap()
            .value;
        assert!((r1 - r2).abs() < 1e-12 * r1);
    }
    // erf: closed forms vs joint quadrature (converging geometrically in the node count;
    // 32 nodes per dimension in the 4 directions of Omega)
    let o = random_overlaps(81, 2, 2, 8, 0.7);
    let target = Target::Committee(Link::Erf);
    let closed = LocalFieldModel::new(target, Link::Erf, 2, 2)
        .unwrap()
        .drift_terms(&o, StepLoss::Mse, 0.01)
        .unwrap();
    let joint = LocalFieldModel::new(target, Link::Erf, 2, 2)
        .unwrap()
        .with_backend(Backend::JointIntegration)
        .unwrap()
        .with_numerical_settings(NumericalSettings {
            quadrature_nodes: Some(32),
            ..Default::default()
        })
        .unwrap()
        .drift_terms(&o, StepLoss::Mse, 0.01)
        .unwrap();
    assert!(
        max_difference(&closed, &joint) < 1e-8,
        "{}",
        max_difference(&closed, &joint)
    );
}

#[test]
fn unsupported_backends_and_invalid_input_are_errors() {
    let tanh_product = LocalFieldModel::new(Target::TanhProduct, Link::Tanh, 1, 3).unwrap();
    assert!(tanh_product
        .clone()
        .with_backend(Backend::Decomposition)
        .is_err());
    assert!(tanh_product
        .with_backend(Backend::CompiledPolynomial)
        .is_err());
    assert!(LocalFieldModel::new(Target::TanhProduct, Link::Tanh, 0, 3).is_err());
    let bad = Overlaps {
        q: nalgebra::DMatrix::identity(1, 1),
        m: nalgebra::DMatrix::from_element(1, 1, 1.5),
    };
    let t = drift_terms(
        &Target::Committee(Link::Erf),
        &Link::Erf,
        StepLoss::Mse,
        &bad,
        0.0,
    );
    assert!(!t.is_finite() && t.psi.shape() == (1, 1));
    assert!(try_drift_terms(
        &Target::Committee(Link::Erf),
        &Link::Erf,
        StepLoss::Mse,
        &bad,
        0.0
    )
    .is_err());
}

#[test]
fn hermite_polynomial_teacher_drift_matches_monte_carlo() {
    let staircase: Target = r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}"#
        .parse()
        .unwrap();
    let o = random_overlaps(60, 2, 3, 9, 0.7);
    for loss in [StepLoss::Mse, StepLoss::Correlation] {
        let t = check(staircase, "he2".parse().unwrap(), loss, &o, 0.05, 61);
        assert_eq!(t.method, Method::ExactPolynomial);
    }
    let mixed: Target = r#"{"hermite": [[1, [3, 0]], [-0.5, [1, 3]]], "normalised": true}"#
        .parse()
        .unwrap();
    let t = check(
        mixed,
        Link::HE3,
        StepLoss::Mse,
        &random_overlaps(62, 2, 2, 8, 0.6),
        0.0,
        63,
    );
    assert_eq!(t.method, Method::ExactPolynomial);
    // the forced joint-integration backend (Monte Carlo here) agrees with the exact plan
    let model = LocalFieldModel::new(staircase, Link::HE3, 1, 3).unwrap();
    assert_eq!(model.backend(), Backend::CompiledPolynomial);
    assert!(model.with_backend(Backend::Decomposition).is_err());
}
