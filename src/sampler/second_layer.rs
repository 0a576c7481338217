//! The student's second layer during a run: the output weights a_1..a_p of
//! f(x) = (1/p) Σ_j a_j σ(w_j · x) (docs/science.md §10).
//!
//! Fixed (`second_layer.gamma` = 0) every a_j stays at a0 and the samplers use the uniform
//! formula of [`super::CoefficientKernel`]. Trained (gamma > 0) each sampler carries a as part
//! of its state, still independent of d: the step of a needs only the batch's local fields,
//!
//! ```text
//! B_j = Σ_u σ(λ_j^u) (y_u − f(x_u)),    a_j ← a_j + (gamma / (n_b p)) B_j,
//! ```
//!
//! taken in the same step as the first layer's (both from the fields before the step).

use crate::config::MAX_P;

/// a_1..a_p, stored inline (p ≤ [`MAX_P`]) so the coefficient kernels stay `Copy`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecondLayerWeights {
    values: [f64; MAX_P],
    p: usize,
}

impl SecondLayerWeights {
    /// a_j = `a0` for j < p (p ≤ [`MAX_P`], checked by config validation).
    pub fn uniform(p: usize, a0: f64) -> Self {
        assert!(p <= MAX_P, "p = {p} > {MAX_P}");
        let mut values = [0.0; MAX_P];
        values[..p].fill(a0);
        SecondLayerWeights { values, p }
    }

    /// a_1..a_p.
    pub fn values(&self) -> &[f64] {
        &self.values[..self.p]
    }

    /// a_j.
    #[inline(always)]
    pub fn get(&self, j: usize) -> f64 {
        self.values[j]
    }

    /// The step a_j ← a_j + `rate` B_j with `rate` = gamma / (n_b p) and `sums` = B (length p).
    pub fn step(&mut self, rate: f64, sums: &[f64]) {
        for (a, b) in self.values[..self.p].iter_mut().zip(sums) {
            *a += rate * b;
        }
    }

    /// true when every a_j is finite.
    pub fn is_finite(&self) -> bool {
        self.values().iter().all(|a| a.is_finite())
    }
}
