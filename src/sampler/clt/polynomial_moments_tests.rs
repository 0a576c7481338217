//! Tests of the exact polynomial moments against tensor Gauss-Hermite quadrature.

use super::*;
use crate::linalg::pivoted_cholesky;
use crate::model::Overlaps;
use crate::sampler::{per_sample_coefficients, SecondLayerWeights, StepSettings, Update};
use crate::theory::drift_terms;
use crate::theory::gaussian_expectations::gauss_hermite_quadrature::standard_normal_rule;

fn settings(target: Target, activation: Link, step_loss: StepLoss, noise_sd: f64) -> StepSettings {
    StepSettings {
        target,
        activation,
        noise_sd,
        d: 100,
        nb: 1,
        gamma: 1.0,
        step_loss,
        update: Update::Projected,
        a0: 1.0,
        second_layer_gamma: 0.0,
    }
}

/// The moments of t by tensor Gauss-Hermite quadrature over (s, xi): exact for
/// polynomials of degree <= 2 nodes - 1 in each coordinate. A fixed second layer is a_j = a0.
fn quadrature_moments(s: &StepSettings, l: &DMatrix<f64>, p: usize, nodes: usize) -> StepMoments {
    quadrature_moments_at(s, l, &SecondLayerWeights::uniform(p, s.a0), nodes)
}

/// [`quadrature_moments`] at the second layer `weights`; with a trained second layer
/// (`s.second_layer_gamma` > 0) t carries the b block.
fn quadrature_moments_at(
    s: &StepSettings,
    l: &DMatrix<f64>,
    weights: &SecondLayerWeights,
    nodes: usize,
) -> StepMoments {
    let r = l.nrows();
    let p = weights.values().len();
    let trained = s.second_layer_trained();
    let layout = StepVectorLayout::for_second_layer(p, r - p, trained);
    let rule = standard_normal_rule(nodes).unwrap();
    let dim = layout.len();
    let mut mean = DVector::zeros(dim);
    let mut second = DMatrix::zeros(dim, dim);
    let points = rule.len().pow(r as u32 + 1);
    let mut t = DVector::zeros(dim);
    let mut c = vec![0.0; if trained { 2 * p } else { p }];
    for index in 0..points {
        let mut rest = index;
        let mut weight = 1.0;
        let mut x = vec![0.0; r + 1];
        for v in x.iter_mut() {
            let (node, w) = rule[rest % rule.len()];
            rest /= rule.len();
            *v = node;
            weight *= w;
        }
        let fields: Vec<f64> = (0..r)
            .map(|i| (0..r).map(|m| l[(i, m)] * x[m]).sum())
            .collect();
        per_sample_coefficients(s, 1.0, weights, &fields[..p], &fields[p..], x[r], &mut c);
        layout.fill(&c, &x[..r], t.as_mut_slice());
        mean += &t * weight;
        second += &t * t.transpose() * weight;
    }
    StepMoments {
        covariance: second - &mean * mean.transpose(),
        mean,
    }
}

fn overlaps(p: usize, k: usize) -> Overlaps {
    let mut o = Overlaps {
        q: DMatrix::identity(p, p),
        m: DMatrix::from_fn(p, k, |j, r| 0.3 + 0.1 * j as f64 - 0.15 * r as f64),
    };
    for j in 0..p {
        for l in 0..p {
            if j != l {
                o.q[(j, l)] = 0.2;
            }
        }
    }
    o
}

fn check_against_quadrature(
    target: Target,
    activation: Link,
    loss: StepLoss,
    p: usize,
    k: usize,
    nodes: usize,
) {
    let o = overlaps(p, k);
    let omega = o.omega();
    let (l, _) = pivoted_cholesky(&omega).unwrap();
    let s = settings(target, activation, loss, 0.3);
    let compiled = PolynomialStepMoments::compile(target, activation, loss, p, k).unwrap();
    let exact = compiled.evaluate(&omega, &l, 0.09);
    let reference = quadrature_moments(&s, &l, p, nodes);
    let scale = reference
        .covariance
        .iter()
        .fold(0.0_f64, |a, x| a.max(x.abs()));
    let mean_scale = reference.mean.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    for (x, y) in exact.mean.iter().zip(reference.mean.iter()) {
        assert!((x - y).abs() <= 1e-10 * mean_scale, "mean {x} vs {y}");
    }
    for (x, y) in exact.covariance.iter().zip(reference.covariance.iter()) {
        assert!(
            (x - y).abs() <= 1e-10 * scale,
            "covariance {x} vs {y} (scale {scale})"
        );
    }
    // the A-mean is the theory's Stein form b_j (L^T)^+ and the C-mean is phiHD
    let terms = drift_terms(&target, &activation, loss, &o, 0.09);
    let layout = StepVectorLayout::new(p, k);
    for j in 0..p {
        for l2 in j..p {
            let v = exact.mean[layout.c(j, l2)];
            assert!((v - terms.phi_hd[(j, l2)]).abs() < 1e-10 * v.abs().max(1.0));
        }
    }
    let theory = super::super::theory_mean(&s, &o, &l, &vec![1.0; p]);
    for (x, y) in exact.mean.iter().zip(theory.iter()) {
        assert!((x - y).abs() <= 1e-9 * mean_scale, "mean {x} vs theory {y}");
    }
}

#[test]
fn he3_mse_moments_match_exact_quadrature() {
    // c has degree 5 in the fields, t t^T degree 20 in s: 11 nodes per direction are exact
    check_against_quadrature(
        Target::Committee(Link::HE3),
        Link::HE3,
        StepLoss::Mse,
        1,
        1,
        11,
    );
    check_against_quadrature(
        Target::Committee(Link::HE3),
        Link::HE3,
        StepLoss::Mse,
        2,
        1,
        11,
    );
}

#[test]
fn correlation_and_mixed_degree_moments_match_exact_quadrature() {
    let he2n: Link = "he2n".parse().unwrap();
    check_against_quadrature(
        Target::Committee(Link::HE3),
        Link::HE3,
        StepLoss::Correlation,
        1,
        1,
        11,
    );
    check_against_quadrature(Target::Committee(he2n), Link::HE3, StepLoss::Mse, 1, 2, 11);
}

#[test]
fn hermite_polynomial_teacher_moments_match_exact_quadrature() {
    // z1 + He2(z1) z2 / sqrt 2 (k = 2), He2 student: c has degree 4 in the fields
    let target: Target = r#"{"hermite": [[1, [1, 0]], [1, [2, 1]]], "normalised": true}"#
        .parse()
        .unwrap();
    let he2: Link = "he2".parse().unwrap();
    check_against_quadrature(target, he2, StepLoss::Mse, 1, 2, 11);
    check_against_quadrature(target, he2, StepLoss::Correlation, 1, 2, 11);
}

#[test]
fn non_polynomial_or_too_large_models_are_declined() {
    assert!(PolynomialStepMoments::compile(
        Target::Committee(Link::Erf),
        Link::HE3,
        StepLoss::Mse,
        1,
        1
    )
    .is_none());
    assert!(
        PolynomialStepMoments::compile(Target::TanhProduct, Link::HE3, StepLoss::Mse, 1, 3)
            .is_none()
    );
    let he12: Link = "he12".parse().unwrap();
    assert!(
        PolynomialStepMoments::compile(Target::Committee(he12), he12, StepLoss::Mse, 3, 1)
            .is_none()
    );
    let small = PolynomialStepMoments::compile(
        Target::Committee(Link::HE3),
        Link::HE3,
        StepLoss::Mse,
        1,
        1,
    )
    .unwrap();
    assert!(small.planned_moments() <= binomial(20, 3) as usize);
    assert!(cached_polynomial_moments(
        Target::Committee(Link::HE3),
        Link::HE3,
        StepLoss::Mse,
        1,
        1
    )
    .is_some());
}

/// A trained second layer at unequal weights: the exact moments of t = (vec A, vech C, b),
/// b included, against quadrature; the b mean is also the theory engine's
/// E[sigma(lambda_j)(g - f)] (what the Monte Carlo path uses), and the plan compiled for one
/// set of weights is reused for the next.
fn check_trained_against_quadrature(
    target: Target,
    activation: Link,
    loss: StepLoss,
    (p, k): (usize, usize),
    steps: &[f64],
) {
    let o = overlaps(p, k);
    let omega = o.omega();
    let (l, _) = pivoted_cholesky(&omega).unwrap();
    let s = StepSettings {
        a0: 0.7,
        second_layer_gamma: 0.5,
        ..settings(target, activation, loss, 0.3)
    };
    let mut weights = SecondLayerWeights::uniform(p, s.a0);
    weights.step(1.0, steps);
    let first = PolynomialStepMoments::compile_trained(
        target,
        activation,
        loss,
        (p, k),
        &vec![1.0; p],
        None,
    )
    .unwrap();
    let compiled = PolynomialStepMoments::compile_trained(
        target,
        activation,
        loss,
        (p, k),
        weights.values(),
        Some(first.plan()),
    )
    .unwrap();
    assert!(
        Arc::ptr_eq(first.plan(), compiled.plan()),
        "plan not reused"
    );
    let exact = compiled.evaluate(&omega, &l, 0.09);
    let reference = quadrature_moments_at(&s, &l, &weights, 11);
    let layout = StepVectorLayout::with_second_layer(p, k);
    assert_eq!(exact.mean.len(), layout.len());
    let sd: Vec<f64> = (0..layout.len())
        .map(|u| reference.covariance[(u, u)].sqrt())
        .collect();
    for u in 0..layout.len() {
        let (x, y) = (exact.mean[u], reference.mean[u]);
        assert!(
            (x - y).abs() <= 1e-10 * sd[u].max(y.abs()),
            "mean {u}: {x} vs {y}"
        );
        for v in 0..layout.len() {
            let (x, y) = (exact.covariance[(u, v)], reference.covariance[(u, v)]);
            assert!(
                (x - y).abs() <= 1e-10 * sd[u] * sd[v],
                "covariance ({u}, {v}): {x} vs {y}"
            );
        }
    }
    // the b block is not trivial: b correlates with A and C
    let b = layout.b(0);
    assert!(exact.covariance[(layout.a(0, 0), b)].abs() > 1e-3 * sd[layout.a(0, 0)] * sd[b]);
    assert!(exact.covariance[(layout.c(0, 0), b)].abs() > 1e-3 * sd[layout.c(0, 0)] * sd[b]);
    let theory = super::super::theory_mean(&s, &o, &l, weights.values());
    for (u, (x, y)) in exact.mean.iter().zip(theory.iter()).enumerate() {
        assert!(
            (x - y).abs() <= 1e-9 * sd[u].max(x.abs()),
            "mean {u}: {x} vs theory {y}"
        );
    }
}

#[test]
fn trained_second_layer_moments_match_exact_quadrature() {
    let he2n: Link = "he2n".parse().unwrap();
    let he3 = Target::Committee(Link::HE3);
    check_trained_against_quadrature(he3, Link::HE3, StepLoss::Mse, (1, 1), &[0.0]);
    check_trained_against_quadrature(he3, Link::HE3, StepLoss::Mse, (1, 1), &[-0.4]);
    check_trained_against_quadrature(he3, Link::HE3, StepLoss::Mse, (2, 1), &[0.1, -0.4]);
    check_trained_against_quadrature(he3, Link::HE3, StepLoss::Correlation, (2, 1), &[0.2, -0.3]);
    check_trained_against_quadrature(
        Target::Committee(he2n),
        Link::HE3,
        StepLoss::Mse,
        (1, 2),
        &[0.25],
    );
}
