//! The literal d-dimensional simulation, the reference sampler.
//!
//! State: W (p x d, row-major); the teacher is W* = the first k coordinate axes (by rotation
//! invariance of x ~ N(0, I_d) this loses no generality). Per sample: x (d normals),
//! lambda_j = w_j . x, lambda*_r = x_r, c_j from [`per_sample_coefficients`], and
//! G_j += c_j x. At the end of the batch: w~_j = w_j + G_j (spherical: G_j minus its component
//! along w_j first), then w_j <- w~_j / ||w~_j||.
//! Cost: n_b d (p + 1) multiply-adds and n_b d normal draws per step; no allocation per sample.

use super::{per_sample_coefficients, Sampler, SamplerKind, StepError, StepSettings, Update};
use crate::model::Overlaps;
use crate::random::{standard_normal, SimRng};
use nalgebra::DMatrix;

/// Literal d-dimensional projected SGD.
#[derive(Clone, Debug)]
pub struct FullSampler {
    p: usize,
    k: usize,
    d: usize,
    /// W, p x d row-major.
    weights: Vec<f64>,
    /// Accumulated step G, p x d.
    step: Vec<f64>,
    x: Vec<f64>,
    fields: Vec<f64>,
    coefficients: Vec<f64>,
}

/// sum_i a_i b_i with four partial sums (vectorises; same order on every target).
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = a.len() / 4;
    for c in 0..chunks {
        for l in 0..4 {
            acc[l] += a[4 * c + l] * b[4 * c + l];
        }
    }
    let mut tail = 0.0;
    for i in 4 * chunks..a.len() {
        tail += a[i] * b[i];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

impl FullSampler {
    /// A sampler starting from weights `weights` (p x d row-major, unit rows).
    pub fn new(p: usize, k: usize, d: usize, weights: Vec<f64>) -> Self {
        assert_eq!(weights.len(), p * d);
        FullSampler {
            p,
            k,
            d,
            weights,
            step: vec![0.0; p * d],
            x: vec![0.0; d],
            fields: vec![0.0; p],
            coefficients: vec![0.0; p],
        }
    }

    /// The current weights W (p x d, row-major).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
}

impl Sampler for FullSampler {
    fn kind(&self) -> SamplerKind {
        SamplerKind::Full
    }

    fn overlaps(&self) -> Overlaps {
        let (p, k, d) = (self.p, self.k, self.d);
        let row = |j: usize| &self.weights[j * d..(j + 1) * d];
        Overlaps {
            q: DMatrix::from_fn(p, p, |i, j| if i == j { 1.0 } else { dot(row(i), row(j)) }),
            m: DMatrix::from_fn(p, k, |j, r| self.weights[j * d + r]),
        }
    }

    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64) {
        let (p, k, d) = (self.p, self.k, self.d);
        let scale = settings.gamma / (settings.nb as f64 * p as f64);
        for _ in 0..samples {
            for v in self.x.iter_mut() {
                *v = standard_normal(data);
            }
            let xi = standard_normal(data);
            for j in 0..p {
                self.fields[j] = dot(&self.weights[j * d..(j + 1) * d], &self.x);
            }
            per_sample_coefficients(
                settings,
                scale,
                &self.fields,
                &self.x[..k],
                xi,
                &mut self.coefficients,
            );
            for j in 0..p {
                let c = self.coefficients[j];
                for (g, &xv) in self.step[j * d..(j + 1) * d].iter_mut().zip(&self.x) {
                    *g += c * xv;
                }
            }
        }
    }

    fn finish_step(
        &mut self,
        settings: &StepSettings,
        _orthogonal: &mut SimRng,
    ) -> Result<(), StepError> {
        let d = self.d;
        for j in 0..self.p {
            let w = &mut self.weights[j * d..(j + 1) * d];
            let g = &mut self.step[j * d..(j + 1) * d];
            if settings.update == Update::Spherical {
                let along = dot(g, w) / dot(w, w);
                for (gv, &wv) in g.iter_mut().zip(w.iter()) {
                    *gv -= along * wv;
                }
            }
            for (wv, gv) in w.iter_mut().zip(g.iter_mut()) {
                *wv += *gv;
                *gv = 0.0;
            }
            let norm = dot(w, w).sqrt();
            if !norm.is_finite() || norm == 0.0 {
                return Err(StepError::Diverged(format!("||w_{j}|| = {norm}")));
            }
            w.iter_mut().for_each(|v| *v /= norm);
        }
        Ok(())
    }
}
