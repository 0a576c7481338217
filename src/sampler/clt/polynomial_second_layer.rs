//! The exact moments of the b block of t = (vec A, vech C, b) for a trained second layer,
//! b_j = sigma(lambda_j) e ([`super::sample_polynomials`]), by the same Gaussian integration by
//! parts as the A and C blocks (Cov(s_a, lambda_i) = L_ia, b has no factor s):
//!
//! ```text
//! E[b_j]                                           (mean)
//! E[c_j s_a b_l]  = sum_i L_ia E[d_i (c_j b_l)]    (A-b block)
//! E[c_l c_m b_j]                                   (C-b block)
//! E[b_j b_l]                                       (b-b block)
//! ```
//!
//! compiled against the plan of the A and C blocks and evaluated with it.

use super::step_moments::StepVectorLayout;
use crate::theory::gaussian_expectations::{CompiledExpectation, FieldPolynomial};
use nalgebra::{DMatrix, DVector};

/// The compiled expectations of the b block.
#[derive(Debug)]
pub(super) struct SecondLayerBlocks {
    /// E[b_j] at j.
    mean: Vec<CompiledExpectation>,
    /// E[d_i (c_j b_l)] at (j p + l) r + i.
    cb_gradient: Vec<CompiledExpectation>,
    /// E[b_j c_l c_m] at j P + pair(l, m), P = p (p + 1) / 2 pairs l <= m in row order.
    bcc: Vec<CompiledExpectation>,
    /// E[b_j b_l] at pair(j, l), j <= l.
    bb: Vec<CompiledExpectation>,
}

/// Number of pairs j <= l < p.
fn pair_count(p: usize) -> usize {
    p * (p + 1) / 2
}

impl SecondLayerBlocks {
    /// Appends the polynomials of the b block to `out`, in the order [`Self::take`] reads them:
    /// b_j; d_i (c_j b_l); b_j c_l c_m; b_j b_l. `products` are c_j c_l for the pairs j <= l in
    /// row order. `None` if a product has too high a degree.
    pub(super) fn push_polynomials(
        b: &[FieldPolynomial],
        c: &[FieldPolynomial],
        products: &[FieldPolynomial],
        r: usize,
        out: &mut Vec<FieldPolynomial>,
    ) -> Option<()> {
        let p = b.len();
        out.extend(b.iter().cloned());
        for cj in c {
            for bl in b {
                let cb = cj.times(bl)?;
                out.extend((0..r).map(|i| cb.derivative(i)));
            }
        }
        for bj in b {
            for cc in products {
                out.push(bj.times(cc)?);
            }
        }
        for j in 0..p {
            for l in j..p {
                out.push(b[j].times(&b[l])?);
            }
        }
        Some(())
    }

    /// Reads the compiled expectations appended by [`Self::push_polynomials`] from `compiled`.
    pub(super) fn take(
        p: usize,
        r: usize,
        compiled: &mut impl Iterator<Item = CompiledExpectation>,
    ) -> Self {
        let mut take = |n: usize| compiled.by_ref().take(n).collect::<Vec<_>>();
        SecondLayerBlocks {
            mean: take(p),
            cb_gradient: take(p * p * r),
            bcc: take(p * pair_count(p)),
            bb: take(pair_count(p)),
        }
    }

    /// Writes the b entries of the mean and of the second moments E[t t^T] (both halves),
    /// given the evaluated plan `moments` and the factor `l` (lambda = L s).
    pub(super) fn fill(
        &self,
        layout: &StepVectorLayout,
        l: &DMatrix<f64>,
        moments: &[f64],
        mean: &mut DVector<f64>,
        second: &mut DMatrix<f64>,
    ) {
        let (p, r) = (layout.p(), layout.r());
        let pairs = pair_count(p);
        let pair = |j: usize, m: usize| layout.c(j, m) - p * r;
        let value = |e: &CompiledExpectation| e.evaluate(moments);
        let mut set = |u: usize, v: usize, x: f64| {
            second[(u, v)] = x;
            second[(v, u)] = x;
        };
        for j in 0..p {
            mean[layout.b(j)] = value(&self.mean[j]);
            // A-b: E[c_i s_a b_j] = sum_m L_ma E[d_m (c_i b_j)]
            for i in 0..p {
                let start = (i * p + j) * r;
                let gradient: Vec<f64> = (0..r)
                    .map(|m| value(&self.cb_gradient[start + m]))
                    .collect();
                for a in 0..r {
                    let x = (0..r).map(|m| l[(m, a)] * gradient[m]).sum();
                    set(layout.a(i, a), layout.b(j), x);
                }
            }
            // C-b: E[c_l c_m b_j]
            for l2 in 0..p {
                for m in l2..p {
                    let x = value(&self.bcc[j * pairs + pair(l2, m)]);
                    set(layout.c(l2, m), layout.b(j), x);
                }
            }
            // b-b: E[b_j b_l]
            for l2 in j..p {
                set(layout.b(j), layout.b(l2), value(&self.bb[pair(j, l2)]));
            }
        }
    }
}
