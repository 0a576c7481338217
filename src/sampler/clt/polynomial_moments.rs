//! Exact mean and covariance of one sample's t = (vec(c s^T), vech(c c^T)[, b]) when the teacher is
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
//!
//! A trained second layer adds b_j = sigma(lambda_j) e to t ([`super::polynomial_second_layer`]
//! for its blocks) and makes c and b depend on the weights a_j
//! ([`super::sample_polynomials`]): [`cached_trained_polynomial_moments`] expands the
//! polynomials again for each step's a and compiles them against the plan of the previous step
//! (the monomials, hence the plan, do not depend on a).

use super::polynomial_second_layer::SecondLayerBlocks;
use super::sample_polynomials::SamplePolynomials;
use super::step_moments::{StepMoments, StepVectorLayout};
use crate::model::{Link, StepLoss, Target};
use crate::theory::gaussian_expectations::{
    CompiledExpectation, FieldFunction, FieldPolynomial, GaussianMomentPlan, MAX_POLYNOMIAL_FIELDS,
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
    plan: Arc<GaussianMomentPlan>,
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
    /// The b block of a trained second layer (`None`: fixed, t = (vec A, vech C)).
    second_layer: Option<SecondLayerBlocks>,
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
        let polys = CommitteePolynomials::for_target(target, activation, p, k)?;
        let sample = SamplePolynomials::fixed(polys.with_second_layer(a0), step_loss, p, k)?;
        Self::from_polynomials(&sample, p, k, None)
    }

    /// The moments of t = (vec A, vech C, b) for a trained second layer at its current
    /// weights `weights` = (a_1..a_p):
    ///
    /// ```text
    /// f = (1/p) sum_l a_l sigma(lambda_l),  e = g - f + zeta,
    /// c_j = a_j sigma'(lambda_j) e  (MSE)  or  a_j sigma'(lambda_j) (g + zeta)  (correlation),
    /// b_j = sigma(lambda_j) e
    /// ```
    ///
    /// (b always with the MSE residual, as the exact sampler's second-layer step). `plan`, a
    /// plan compiled for other weights of the same model, is reused when it holds every
    /// monomial needed (always, unless a weight is exactly 0 on one side only). `None` as
    /// [`Self::compile`], or when `weights` does not have p entries.
    pub fn compile_trained(
        target: Target,
        activation: Link,
        step_loss: StepLoss,
        (p, k): (usize, usize),
        weights: &[f64],
        plan: Option<&Arc<GaussianMomentPlan>>,
    ) -> Option<Self> {
        if weights.len() != p {
            return None;
        }
        let polys = CommitteePolynomials::for_target(target, activation, p, k)?;
        let sigma = FieldFunction::Value(activation).polynomial_coefficients()?;
        let sample = SamplePolynomials::trained(&polys, &sigma, step_loss, weights, p, k)?;
        Self::from_polynomials(&sample, p, k, plan)
    }

    /// Expands every moment polynomial of `sample` and compiles them against `plan` if it
    /// holds all their monomials, else against a new plan.
    fn from_polynomials(
        sample: &SamplePolynomials,
        p: usize,
        k: usize,
        plan: Option<&Arc<GaussianMomentPlan>>,
    ) -> Option<Self> {
        let r = p + k;
        if p == 0 || r + 1 > MAX_POLYNOMIAL_FIELDS {
            return None;
        }
        let degree_c = sample.c[0].degree();
        let degree = match &sample.b {
            // the C-C block (4 deg c), b C C and b b
            Some(b) => {
                let degree_b = b.iter().map(FieldPolynomial::degree).max().unwrap_or(0);
                (4 * degree_c)
                    .max(degree_b + 2 * degree_c)
                    .max(2 * degree_b)
            }
            None => 4 * degree_c,
        };
        if binomial(degree, r as u32 + 1) > MAX_PLANNED_MONOMIALS {
            return None;
        }
        let c = &sample.c;
        let layout = StepVectorLayout::for_second_layer(p, k, sample.b.is_some());
        let mut polynomials = Vec::new();
        for cj in c {
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
        if let Some(b) = &sample.b {
            SecondLayerBlocks::push_polynomials(b, c, &products, r, &mut polynomials)?;
        }
        let reused = plan.and_then(|plan| {
            let compiled = polynomials
                .iter()
                .map(|q| CompiledExpectation::new(plan, q))
                .collect::<Option<Vec<_>>>()?;
            Some((Arc::clone(plan), compiled))
        });
        let (plan, compiled) = match reused {
            Some(x) => x,
            None => {
                let (plan, compiled) = compile_all(r + 1, &polynomials)?;
                (Arc::new(plan), compiled)
            }
        };
        let mut compiled = compiled.into_iter();
        let mut take = |n: usize| compiled.by_ref().take(n).collect::<Vec<_>>();
        let gradient = take(p * r);
        let pair = take(pairs.len());
        let pair_hessian = take(pairs.len() * r * (r + 1) / 2);
        let triple_gradient = take(triples.len() * r);
        let quadruple = take(quadruples.len());
        let second_layer = sample
            .b
            .as_ref()
            .map(|_| SecondLayerBlocks::take(p, r, &mut compiled));
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
            second_layer,
        })
    }

    /// The shared Gaussian moment plan (reusable by [`Self::compile_trained`] for new weights).
    pub fn plan(&self) -> &Arc<GaussianMomentPlan> {
        &self.plan
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
        if let Some(blocks) = &self.second_layer {
            blocks.fill(&self.layout, l, &moments, &mut mean, &mut second);
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

/// The model part of a cache key: target, activation, step loss, p, k.
type ModelKey = (Target, Link, StepLoss, usize, usize);

/// Per model, the weights (bits) of the last trained compilation and its result.
type TrainedEntry = (ModelKey, Vec<u64>, Option<Arc<PolynomialStepMoments>>);

/// [`PolynomialStepMoments::compile_trained`] through a process-wide cache: per model the last
/// weights' moments (a trained second layer changes every step, so older weights are not
/// kept), and their Gaussian moment plan, which the next weights reuse: a new step expands the
/// polynomials again but plans nothing. A model that cannot be compiled is remembered as such
/// (whatever the weights). Keeps 8 models.
pub fn cached_trained_polynomial_moments(
    target: Target,
    activation: Link,
    step_loss: StepLoss,
    (p, k): (usize, usize),
    weights: &[f64],
) -> Option<Arc<PolynomialStepMoments>> {
    static CACHE: OnceLock<Mutex<Vec<TrainedEntry>>> = OnceLock::new();
    let model: ModelKey = (target, activation, step_loss, p, k);
    let bits: Vec<u64> = weights.iter().map(|a| a.to_bits()).collect();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let previous = {
        let mut entries = cache.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.iter().position(|(m, _, _)| *m == model) {
            Some(i) => {
                let entry = entries.remove(i);
                let found = entry.1 == bits || entry.2.is_none();
                let value = entry.2.clone();
                entries.push(entry);
                if found {
                    return value;
                }
                value
            }
            None => None,
        }
    };
    // compiled outside the lock (other threads' steps need not wait)
    let value = PolynomialStepMoments::compile_trained(
        target,
        activation,
        step_loss,
        (p, k),
        weights,
        previous.as_ref().map(|m| m.plan()),
    )
    .map(Arc::new);
    let mut entries = cache.lock().unwrap_or_else(PoisonError::into_inner);
    entries.retain(|(m, _, _)| *m != model);
    if entries.len() >= 8 {
        entries.remove(0);
    }
    entries.push((model, bits, value.clone()));
    value
}

#[cfg(test)]
#[path = "polynomial_moments_tests.rs"]
mod tests;
