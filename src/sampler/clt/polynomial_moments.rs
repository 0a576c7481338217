//! Exact mean and covariance of one sample's t = (vec(c s^T), vech(c c^T)) when the teacher is
//! a committee of a polynomial link and the activation is a polynomial (He_l of any degree,
//! normalised or not).
//!
//! Fields: z_0..z_{r-1} = lambda = L s (covariance Omega) and z_r = zeta = sqrt(Delta) xi, the
//! label noise, independent (variance Delta). Then the unscaled coefficient
//! c_j = sigma'(lambda_j) (e_0(lambda) + zeta), with e_0 = g - f (MSE) or g (correlation), is a
//! polynomial in these r + 1 fields. The input coordinates s enter only linearly or
//! quadratically, and Gaussian integration by parts (Cov(s_a, lambda_i) = L_ia, s independent of
//! zeta) removes them:
//!
//! ```text
//! E[F s_a]     = sum_i L_ia E[d_i F]
//! E[F s_a s_b] = delta_ab E[F] + sum_{i,m} L_ia L_mb E[d_i d_m F]
//! ```
//!
//! so every moment of t is the expectation of a fixed polynomial in (lambda, zeta):
//!
//! ```text
//! E[c_j s_a]              = sum_i L_ia E[d_i c_j]
//! E[c_j c_l]              (mean of C_jl)
//! E[c_j s_a c_l s_b]      = delta_ab E[c_j c_l] + (L^T H_jl L)_ab,  (H_jl)_im = E[d_i d_m (c_j c_l)]
//! E[c_j s_a c_l c_m]      = sum_i L_ia E[d_i (c_j c_l c_m)]
//! E[c_j c_l c_m c_n]
//! ```
//!
//! These polynomials (degree up to 4 deg c) are expanded once and their Gaussian moments planned
//! once ([`GaussianMomentPlan`], the Isserlis/Wick recursion shared with the theory engine); each
//! step only evaluates the plan for the new Omega. The noise moments E[zeta^2] = Delta,
//! E[zeta^4] = 3 Delta^2 come out of the same recursion.

use super::step_moments::{StepMoments, StepVectorLayout};
use crate::model::{Link, StepLoss, Target};
use crate::theory::gaussian_expectations::{
    CompiledExpectation, FieldPolynomial, GaussianMomentPlan, MAX_POLYNOMIAL_FIELDS,
};
use crate::theory::polynomial_model::{compile_all, CommitteePolynomials};
use nalgebra::{DMatrix, DVector};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Largest number of monomials a moment plan may need, bounded by C(D + n, n) for degree
/// D = 4 deg c in n = r + 1 fields (He_3 with MSE: 1 771 for p = k = 1, 53 130 for p = 2, k = 2,
/// 230 230 for p = 4, k = 1). Larger models use Monte Carlo moments.
pub const MAX_PLANNED_MONOMIALS: f64 = 250_000.0;

/// The compiled polynomial moments of one model (target, activation, step loss, p, k).
#[derive(Debug)]
pub struct PolynomialStepMoments {
    layout: StepVectorLayout,
    plan: GaussianMomentPlan,
    /// E[d_i c_j] at j r + i.
    gradient: Vec<CompiledExpectation>,
    /// E[c_j c_l] at pair(j, l).
    pair: Vec<CompiledExpectation>,
    /// E[d_i d_m (c_j c_l)] at (pair(j, l) r + i) r + m, i <= m only.
    pair_hessian: Vec<CompiledExpectation>,
    /// E[d_i (c_j c_l c_m)] at triple(j, l, m) r + i.
    triple_gradient: Vec<CompiledExpectation>,
    triples: HashMap<[usize; 3], usize>,
    /// E[c_j c_l c_m c_n] at quadruple(j, l, m, n).
    quadruple: Vec<CompiledExpectation>,
    quadruples: HashMap<[usize; 4], usize>,
}

/// C(n + m, m) as f64.
fn binomial(n: u32, m: u32) -> f64 {
    (1..=m).fold(1.0, |acc, i| acc * f64::from(n + i) / f64::from(i))
}

/// Sorted multisets of `size` indices from 0..p, in lexicographic order.
fn multisets(p: usize, size: usize) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for _ in 0..size {
        out = out
            .into_iter()
            .flat_map(|v| {
                let start = v.last().copied().unwrap_or(0);
                (start..p).map(move |i| {
                    let mut w = v.clone();
                    w.push(i);
                    w
                })
            })
            .collect();
    }
    out
}

impl PolynomialStepMoments {
    /// Expands and plans the moments; `None` when the teacher is not a committee of a
    /// polynomial link, the activation is not a polynomial, r + 1 > 16 fields, or the plan would
    /// exceed [`MAX_PLANNED_MONOMIALS`].
    pub fn compile(
        target: Target,
        activation: Link,
        step_loss: StepLoss,
        p: usize,
        k: usize,
    ) -> Option<Self> {
        Self::compile_with_second_layer(target, activation, step_loss, p, k, 1.0)
    }

    /// [`PolynomialStepMoments::compile`] for a fixed second layer of uniform weight `a0`:
    /// c_j = a0 sigma'(lambda_j) (e_0 + zeta) with f -> a0 f in e_0.
    pub fn compile_with_second_layer(
        target: Target,
        activation: Link,
        step_loss: StepLoss,
        p: usize,
        k: usize,
        a0: f64,
    ) -> Option<Self> {
        let r = p + k;
        if p == 0 || r + 1 > MAX_POLYNOMIAL_FIELDS {
            return None;
        }
        let polys =
            CommitteePolynomials::for_target(target, activation, p, k)?.with_second_layer(a0);
        let mut e = polys.error_term(step_loss);
        e.add_scaled(&FieldPolynomial::univariate(r, &[0.0, 1.0])?, 1.0);
        let degree = polys.derivative[0].degree() + e.degree();
        if binomial(4 * degree, r as u32 + 1) > MAX_PLANNED_MONOMIALS {
            return None;
        }
        let c: Vec<FieldPolynomial> = polys
            .derivative
            .iter()
            .map(|d| d.times(&e))
            .collect::<Option<_>>()?;
        let layout = StepVectorLayout::new(p, k);
        let mut polynomials = Vec::new();
        for cj in &c {
            polynomials.extend((0..r).map(|i| cj.derivative(i)));
        }
        let pairs = multisets(p, 2);
        let mut products = Vec::with_capacity(pairs.len());
        for jl in &pairs {
            products.push(c[jl[0]].times(&c[jl[1]])?);
        }
        polynomials.extend(products.iter().cloned());
        for cc in &products {
            for i in 0..r {
                let di = cc.derivative(i);
                for m in i..r {
                    polynomials.push(di.derivative(m));
                }
            }
        }
        let triples = multisets(p, 3);
        let pair_index = |j: usize, l: usize| layout.c(j, l) - p * r;
        for jlm in &triples {
            let ccc = products[pair_index(jlm[0], jlm[1])].times(&c[jlm[2]])?;
            polynomials.extend((0..r).map(|i| ccc.derivative(i)));
        }
        let quadruples = multisets(p, 4);
        for q in &quadruples {
            polynomials
                .push(products[pair_index(q[0], q[1])].times(&products[pair_index(q[2], q[3])])?);
        }
        let (plan, compiled) = compile_all(r + 1, &polynomials)?;
        let mut compiled = compiled.into_iter();
        let mut take = |n: usize| compiled.by_ref().take(n).collect::<Vec<_>>();
        let gradient = take(p * r);
        let pair = take(pairs.len());
        let pair_hessian = take(pairs.len() * r * (r + 1) / 2);
        let triple_gradient = take(triples.len() * r);
        let quadruple = take(quadruples.len());
        Some(PolynomialStepMoments {
            layout,
            plan,
            gradient,
            pair,
            pair_hessian,
            triple_gradient,
            triples: triples
                .iter()
                .enumerate()
                .map(|(n, v)| ([v[0], v[1], v[2]], n))
                .collect(),
            quadruple,
            quadruples: quadruples
                .iter()
                .enumerate()
                .map(|(n, v)| ([v[0], v[1], v[2], v[3]], n))
                .collect(),
        })
    }

    /// Number of Gaussian moments evaluated per step.
    pub fn planned_moments(&self) -> usize {
        self.plan.len()
    }

    /// The exact unscaled moments of t for the Gram matrix `omega` (r x r), its factor `l`
    /// (Omega = L L^T, lambda = L s) and the label-noise variance `noise_variance` = Delta.
    pub fn evaluate(
        &self,
        omega: &DMatrix<f64>,
        l: &DMatrix<f64>,
        noise_variance: f64,
    ) -> StepMoments {
        let (p, r) = (self.layout.p(), self.layout.r());
        let n = r + 1;
        let mut covariance = vec![0.0; n * n];
        for i in 0..r {
            for j in 0..r {
                covariance[i * n + j] = omega[(i, j)];
            }
        }
        covariance[n * n - 1] = noise_variance;
        let mut moments = Vec::new();
        self.plan.evaluate(&covariance, &mut moments);
        let value = |e: &CompiledExpectation| e.evaluate(&moments);
        let dim = self.layout.len();
        let pair = |j: usize, l2: usize| self.layout.c(j, l2) - p * r;
        let mut mean = DVector::zeros(dim);
        for j in 0..p {
            let gradient: Vec<f64> = (0..r).map(|i| value(&self.gradient[j * r + i])).collect();
            for a in 0..r {
                mean[self.layout.a(j, a)] = (0..r).map(|i| l[(i, a)] * gradient[i]).sum();
            }
            for l2 in j..p {
                mean[self.layout.c(j, l2)] = value(&self.pair[pair(j, l2)]);
            }
        }
        let mut second = DMatrix::zeros(dim, dim);
        let upper = r * (r + 1) / 2;
        for j in 0..p {
            for l2 in j..p {
                // A-A block: delta_ab E[c_j c_l] + (L^T H L)_ab
                let q = pair(j, l2);
                let mut h = DMatrix::zeros(r, r);
                let mut idx = q * upper;
                for i in 0..r {
                    for m in i..r {
                        let v = value(&self.pair_hessian[idx]);
                        h[(i, m)] = v;
                        h[(m, i)] = v;
                        idx += 1;
                    }
                }
                let x = l.transpose() * h * l;
                let cc = value(&self.pair[q]);
                for a in 0..r {
                    for b in 0..r {
                        let v = x[(a, b)] + if a == b { cc } else { 0.0 };
                        second[(self.layout.a(j, a), self.layout.a(l2, b))] = v;
                        second[(self.layout.a(l2, b), self.layout.a(j, a))] = v;
                    }
                }
                // C-C block
                for m in 0..p {
                    for n2 in m..p {
                        let mut key = [j, l2, m, n2];
                        key.sort_unstable();
                        second[(self.layout.c(j, l2), self.layout.c(m, n2))] =
                            value(&self.quadruple[self.quadruples[&key]]);
                    }
                }
            }
        }
        // A-C block: E[c_j s_a c_l c_m] = sum_i L_ia E[d_i (c_j c_l c_m)]
        for j in 0..p {
            for l2 in 0..p {
                for m in l2..p {
                    let mut key = [j, l2, m];
                    key.sort_unstable();
                    let t = self.triples[&key];
                    let gradient: Vec<f64> = (0..r)
                        .map(|i| value(&self.triple_gradient[t * r + i]))
                        .collect();
                    for a in 0..r {
                        let v: f64 = (0..r).map(|i| l[(i, a)] * gradient[i]).sum();
                        second[(self.layout.a(j, a), self.layout.c(l2, m))] = v;
                        second[(self.layout.c(l2, m), self.layout.a(j, a))] = v;
                    }
                }
            }
        }
        let covariance = second - &mean * mean.transpose();
        StepMoments {
            covariance: (&covariance + covariance.transpose()) * 0.5,
            mean,
        }
    }
}

/// Compiled models shared by all samplers of the process (compiling He_3 with p = 4 takes a
/// noticeable fraction of a second; seeds of a sweep reuse it). Keeps the 8 most recent.
type CacheEntry = (
    (Target, Link, StepLoss, usize, usize, u64),
    Option<Arc<PolynomialStepMoments>>,
);

/// [`PolynomialStepMoments::compile`] through a process-wide cache (also caching `None`).
pub fn cached_polynomial_moments(
    target: Target,
    activation: Link,
    step_loss: StepLoss,
    p: usize,
    k: usize,
) -> Option<Arc<PolynomialStepMoments>> {
    cached_polynomial_moments_with_second_layer(target, activation, step_loss, p, k, 1.0)
}

/// [`cached_polynomial_moments`] for a fixed second layer of uniform weight `a0`
/// ([`PolynomialStepMoments::compile_with_second_layer`]); cached per a0 too.
pub fn cached_polynomial_moments_with_second_layer(
    target: Target,
    activation: Link,
    step_loss: StepLoss,
    p: usize,
    k: usize,
    a0: f64,
) -> Option<Arc<PolynomialStepMoments>> {
    static CACHE: OnceLock<Mutex<Vec<CacheEntry>>> = OnceLock::new();
    let key = (target, activation, step_loss, p, k, a0.to_bits());
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut entries = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(i) = entries.iter().position(|(k2, _)| *k2 == key) {
        let entry = entries.remove(i);
        let value = entry.1.clone();
        entries.push(entry);
        return value;
    }
    let value =
        PolynomialStepMoments::compile_with_second_layer(target, activation, step_loss, p, k, a0)
            .map(Arc::new);
    if entries.len() >= 8 {
        entries.remove(0);
    }
    entries.push((key, value.clone()));
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::pivoted_cholesky;
    use crate::model::Overlaps;
    use crate::sampler::{per_sample_coefficients, SecondLayerWeights, StepSettings, Update};
    use crate::theory::drift_terms;
    use crate::theory::gaussian_expectations::gauss_hermite_quadrature::standard_normal_rule;

    fn settings(
        target: Target,
        activation: Link,
        step_loss: StepLoss,
        noise_sd: f64,
    ) -> StepSettings {
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
    /// polynomials of degree <= 2 nodes - 1 in each coordinate.
    fn quadrature_moments(
        s: &StepSettings,
        l: &DMatrix<f64>,
        p: usize,
        nodes: usize,
    ) -> StepMoments {
        let r = l.nrows();
        let layout = StepVectorLayout::new(p, r - p);
        let rule = standard_normal_rule(nodes).unwrap();
        let dim = layout.len();
        let mut mean = DVector::zeros(dim);
        let mut second = DMatrix::zeros(dim, dim);
        let points = rule.len().pow(r as u32 + 1);
        let mut t = DVector::zeros(dim);
        let mut c = vec![0.0; p];
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
            per_sample_coefficients(
                s,
                1.0,
                &SecondLayerWeights::uniform(p, s.a0),
                &fields[..p],
                &fields[p..],
                x[r],
                &mut c,
            );
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
        let theory = super::super::theory_mean(&s, &o, &l);
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
        assert!(PolynomialStepMoments::compile(
            Target::TanhProduct,
            Link::HE3,
            StepLoss::Mse,
            1,
            3
        )
        .is_none());
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
}
