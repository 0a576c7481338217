//! One sample's contribution to the step sums, t = (vec(c s^T), vech(c c^T)[, b]), and the
//! first two moments of its law.
//!
//! With r = p + k, s ~ N(0, I_r) and c = (c_1..c_p) the per-sample coefficients, t has
//! p r + p(p+1)/2 entries: t[j r + a] = c_j s_a (the p x r matrix A, row-major), then
//! c_j c_l for j <= l in row order (the upper triangle of C). With a trained second layer
//! ([`StepVectorLayout::with_second_layer`]) p more entries follow: b_j = sigma(lambda_j) e
//! (e the MSE residual y - f), the sample's term of the second layer's step
//! a_j += (gamma_a / (n_b p)) sum_u b_j^u. Everything here is *unscaled*:
//! c_j = a_j sigma'(lambda_j) e, without the factor gamma / (n_b p); the sampler multiplies the
//! A part of a draw by that factor, the C part by its square and the b part by
//! gamma_a / (n_b p). Keeping the blocks at comparable magnitudes (instead of 1 and 10^-12)
//! keeps their joint factorisation accurate.

use crate::linalg::pivoted_cholesky;
use nalgebra::{DMatrix, DVector};

/// Positions of the entries of t.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepVectorLayout {
    p: usize,
    r: usize,
    /// Whether the p entries b_j of a trained second layer follow A and C.
    second_layer: bool,
}

impl StepVectorLayout {
    /// The layout for p student and k teacher vectors (r = p + k) and a fixed second layer:
    /// t = (vec A, vech C).
    pub fn new(p: usize, k: usize) -> Self {
        StepVectorLayout {
            p,
            r: p + k,
            second_layer: false,
        }
    }

    /// The layout with a trained second layer: t = (vec A, vech C, b), b_j = sigma(lambda_j) e
    /// at [`Self::b`].
    pub fn with_second_layer(p: usize, k: usize) -> Self {
        StepVectorLayout {
            second_layer: true,
            ..Self::new(p, k)
        }
    }

    /// [`Self::with_second_layer`] when `trained`, else [`Self::new`].
    pub fn for_second_layer(p: usize, k: usize, trained: bool) -> Self {
        if trained {
            Self::with_second_layer(p, k)
        } else {
            Self::new(p, k)
        }
    }

    /// true when t carries the second layer's entries b_j.
    pub fn has_second_layer(&self) -> bool {
        self.second_layer
    }

    /// Number of student vectors p.
    pub fn p(&self) -> usize {
        self.p
    }

    /// r = p + k.
    pub fn r(&self) -> usize {
        self.r
    }

    /// Number of entries p r + p (p + 1) / 2, plus p with a trained second layer.
    pub fn len(&self) -> usize {
        self.p * self.r + self.p * (self.p + 1) / 2 + if self.second_layer { self.p } else { 0 }
    }

    /// Never true (p >= 1); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of A_ja = c_j s_a.
    #[inline]
    pub fn a(&self, j: usize, a: usize) -> usize {
        j * self.r + a
    }

    /// Index of C_jl = c_j c_l (either order of j, l).
    #[inline]
    pub fn c(&self, j: usize, l: usize) -> usize {
        let (j, l) = (j.min(l), j.max(l));
        // rows 0..j of the upper triangle hold sum_{i<j} (p - i) = j (2p - j + 1) / 2 entries
        self.p * self.r + j * (2 * self.p - j + 1) / 2 + (l - j)
    }

    /// Index of b_j = sigma(lambda_j) e, p r + p (p + 1) / 2 + j (meaningful only with
    /// [`Self::has_second_layer`]).
    #[inline]
    pub fn b(&self, j: usize) -> usize {
        self.p * self.r + self.p * (self.p + 1) / 2 + j
    }

    /// Writes t for one sample with coefficients `c` and draw `s` (length r): `c` holds
    /// c_1..c_p, then, with a trained second layer, b_1..b_p (length 2 p, the order of
    /// [`crate::sampler::per_sample_coefficients`]).
    #[inline]
    pub fn fill(&self, c: &[f64], s: &[f64], t: &mut [f64]) {
        let mut idx = 0;
        for &cj in &c[..self.p] {
            for &sa in &s[..self.r] {
                t[idx] = cj * sa;
                idx += 1;
            }
        }
        for j in 0..self.p {
            for l in j..self.p {
                t[idx] = c[j] * c[l];
                idx += 1;
            }
        }
        if self.second_layer {
            t[idx..idx + self.p].copy_from_slice(&c[self.p..2 * self.p]);
        }
    }
}

/// Mean mu = E\[t\] and covariance Sigma = E\[t t^T\] - mu mu^T of one sample's t.
#[derive(Clone, Debug, PartialEq)]
pub struct StepMoments {
    /// mu.
    pub mean: DVector<f64>,
    /// Sigma (symmetric).
    pub covariance: DMatrix<f64>,
}

impl StepMoments {
    /// A factor F with F F^T = Sigma (Sigma's negative eigenvalues, round-off only, set to 0).
    ///
    /// The correlation matrix D^-1 Sigma D^-1, D = diag(Sigma)^(1/2), is factored by pivoted
    /// Cholesky (so that entries of very different magnitudes keep their relative accuracy)
    /// and F = D F_corr; a zero variance gives a zero row. If round-off made the correlation
    /// matrix clearly indefinite, its eigen-decomposition with clipped eigenvalues is used.
    pub fn covariance_factor(&self) -> DMatrix<f64> {
        let n = self.covariance.nrows();
        let sd: Vec<f64> = (0..n)
            .map(|i| {
                let v = self.covariance[(i, i)];
                if v.is_finite() && v > 0.0 {
                    v.sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let correlation = DMatrix::from_fn(n, n, |i, j| {
            if sd[i] > 0.0 && sd[j] > 0.0 {
                let x = 0.5 * (self.covariance[(i, j)] + self.covariance[(j, i)]) / (sd[i] * sd[j]);
                if x.is_finite() {
                    x
                } else {
                    0.0
                }
            } else {
                0.0
            }
        });
        let factor = pivoted_cholesky(&correlation)
            .map(|(f, _)| f)
            .unwrap_or_else(|| {
                let eigen = correlation.symmetric_eigen();
                let roots = eigen.eigenvalues.map(|e| e.max(0.0).sqrt());
                &eigen.eigenvectors * DMatrix::from_diagonal(&roots)
            });
        DMatrix::from_fn(n, factor.ncols(), |i, j| sd[i] * factor[(i, j)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_indices_are_a_bijection_in_fill_order() {
        for (p, k) in [(1, 1), (2, 1), (3, 2), (4, 1)] {
            let layout = StepVectorLayout::new(p, k);
            let r = p + k;
            let c: Vec<f64> = (0..p).map(|j| 2.0 + j as f64).collect();
            let s: Vec<f64> = (0..r).map(|a| 0.5 + a as f64).collect();
            let mut t = vec![0.0; layout.len()];
            layout.fill(&c, &s, &mut t);
            let mut seen = vec![false; layout.len()];
            for j in 0..p {
                for a in 0..r {
                    assert_eq!(t[layout.a(j, a)], c[j] * s[a]);
                    seen[layout.a(j, a)] = true;
                }
                for l in 0..p {
                    assert_eq!(t[layout.c(j, l)], c[j] * c[l]);
                    assert_eq!(layout.c(j, l), layout.c(l, j));
                    seen[layout.c(j, l)] = true;
                }
            }
            assert!(seen.iter().all(|&x| x), "p = {p}, k = {k}");
        }
    }

    /// With a trained second layer the b_j take the last p positions: every index is hit
    /// exactly once, A and C keep the positions of the fixed layout, and `fill` puts
    /// c_j s_a, c_j c_l and b_j where the index functions say.
    #[test]
    fn layout_with_second_layer_is_a_bijection_in_fill_order() {
        for (p, k) in [(1, 1), (2, 1), (3, 2), (4, 1), (5, 3)] {
            let fixed = StepVectorLayout::new(p, k);
            let layout = StepVectorLayout::with_second_layer(p, k);
            assert!(layout.has_second_layer() && !fixed.has_second_layer());
            assert_eq!(layout, StepVectorLayout::for_second_layer(p, k, true));
            assert_eq!(fixed, StepVectorLayout::for_second_layer(p, k, false));
            assert_eq!(layout.len(), fixed.len() + p);
            let r = p + k;
            // c_1..c_p then b_1..b_p, all distinct from every product below
            let c: Vec<f64> = (0..2 * p).map(|j| 2.0 + j as f64 / 7.0).collect();
            let s: Vec<f64> = (0..r).map(|a| 100.0 + a as f64).collect();
            let mut t = vec![f64::NAN; layout.len()];
            layout.fill(&c, &s, &mut t);
            let mut hits = vec![0usize; layout.len()];
            for j in 0..p {
                for a in 0..r {
                    assert_eq!(layout.a(j, a), fixed.a(j, a));
                    assert_eq!(t[layout.a(j, a)], c[j] * s[a]);
                    hits[layout.a(j, a)] += 1;
                }
                for l in j..p {
                    assert_eq!(layout.c(j, l), fixed.c(j, l));
                    assert_eq!(t[layout.c(j, l)], c[j] * c[l]);
                    hits[layout.c(j, l)] += 1;
                }
                assert_eq!(t[layout.b(j)], c[p + j]);
                hits[layout.b(j)] += 1;
            }
            assert!(hits.iter().all(|&n| n == 1), "p = {p}, k = {k}: {hits:?}");
        }
    }

    #[test]
    fn factor_reproduces_a_covariance_with_very_different_scales() {
        // a 3 x 3 covariance with variances 1, 1e-24 and 0 (rank 2)
        let covariance = DMatrix::from_row_slice(
            3,
            3,
            &[1.0, 0.5e-12, 0.0, 0.5e-12, 1e-24, 0.0, 0.0, 0.0, 0.0],
        );
        let m = StepMoments {
            mean: DVector::zeros(3),
            covariance: covariance.clone(),
        };
        let f = m.covariance_factor();
        let back = &f * f.transpose();
        assert!((back[(0, 0)] - 1.0).abs() < 1e-14);
        assert!((back[(1, 1)] / 1e-24 - 1.0).abs() < 1e-12);
        assert!((back[(0, 1)] / 0.5e-12 - 1.0).abs() < 1e-12);
        assert_eq!(back[(2, 2)], 0.0);
    }
}
