//! The literal d-dimensional simulation, the reference sampler.
//!
//! State: W (p x d, row-major); the teacher is W* = the first k coordinate axes (by rotation
//! invariance of x ~ N(0, I_d) this loses no generality). Per sample: x (d normals),
//! lambda_j = w_j . x, lambda*_r = x_r, c_j from [`per_sample_coefficients`], and
//! G_j += c_j x. At the end of the batch: w~_j = w_j + G_j (spherical: G_j minus its component
//! along w_j first), then w_j <- w~_j / ||w~_j||. A trained second layer also sums
//! B_j = sum_u sigma(lambda_j^u) e_u and steps a_j += (gamma_a / (n_b p)) B_j.
//! With a spiked covariance ([`crate::model::SpikedCovariance`]) the free direction u_i is the
//! coordinate axis d - 1 - i, and every x is drawn as z + sum_i (sqrt(1 + beta_i) - 1)
//! (v_i . z) v_i, z ~ N(0, I_d) (x ~ N(0, Sigma), Sigma = I + sum_i beta_i v_i v_i^T).
//! Cost: n_b d (p + 1) multiply-adds and n_b d normal draws per step; no allocation per sample.

use super::{
    per_sample_coefficients, Sampler, SamplerKind, SecondLayerWeights, StepError, StepSettings,
    Update,
};
use crate::model::{Overlaps, SpikeGeometry};
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
    /// c_j, then (trained second layer) b_j of one sample.
    coefficients: Vec<f64>,
    /// B_j of the current step.
    second_layer_sums: Vec<f64>,
    /// The second layer a_1..a_p.
    second_layer: SecondLayerWeights,
    /// The spiked input covariance, if any.
    covariance: Option<SpikeGeometry>,
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
            coefficients: vec![0.0; 2 * p],
            second_layer_sums: vec![0.0; p],
            second_layer: SecondLayerWeights::uniform(p, 1.0),
            covariance: None,
        }
    }

    /// The same sampler for inputs x ~ N(0, Sigma) with the spiked covariance `geometry`
    /// (free direction i on the axis d - 1 - i; d must exceed k + p + m so that explicit
    /// initial overlaps, which use the axes k..k + p, leave them at 0).
    pub fn with_covariance(mut self, geometry: SpikeGeometry) -> Self {
        if !geometry.is_isotropic() {
            self.covariance = Some(geometry);
        }
        self
    }

    /// The coordinate axis of fixed vector t (teachers 0..k, then the free directions).
    fn axis(k: usize, d: usize, t: usize) -> usize {
        if t < k {
            t
        } else {
            d - 1 - (t - k)
        }
    }

    /// The same sampler with every second-layer weight a_j = `a0` (default 1).
    pub fn with_second_layer(mut self, a0: f64) -> Self {
        self.second_layer = SecondLayerWeights::uniform(self.p, a0);
        self
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

    fn tracked_overlaps(&self) -> Overlaps {
        let (p, k, d) = (self.p, self.k, self.d);
        let fixed = self
            .covariance
            .as_ref()
            .map_or(k, SpikeGeometry::fixed_vectors);
        Overlaps {
            q: self.overlaps().q,
            m: DMatrix::from_fn(p, fixed, |j, t| self.weights[j * d + Self::axis(k, d, t)]),
        }
    }

    fn second_layer(&self) -> SecondLayerWeights {
        self.second_layer
    }

    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64) {
        let (p, k, d) = (self.p, self.k, self.d);
        let scale = settings.gamma / (settings.nb as f64 * p as f64);
        let outputs = if settings.second_layer_trained() {
            2 * p
        } else {
            p
        };
        for _ in 0..samples {
            for v in self.x.iter_mut() {
                *v = standard_normal(data);
            }
            let xi = standard_normal(data);
            if let Some(geometry) = &self.covariance {
                geometry.apply_square_root(&mut self.x, |t| Self::axis(k, d, t));
            }
            for j in 0..p {
                self.fields[j] = dot(&self.weights[j * d..(j + 1) * d], &self.x);
            }
            per_sample_coefficients(
                settings,
                scale,
                &self.second_layer,
                &self.fields,
                &self.x[..k],
                xi,
                &mut self.coefficients[..outputs],
            );
            if outputs > p {
                for (sum, b) in self
                    .second_layer_sums
                    .iter_mut()
                    .zip(&self.coefficients[p..])
                {
                    *sum += b;
                }
            }
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
        if settings.second_layer_trained() {
            let rate = settings.second_layer_gamma / (settings.nb as f64 * self.p as f64);
            self.second_layer.step(rate, &self.second_layer_sums);
            self.second_layer_sums.fill(0.0);
            if !self.second_layer.is_finite() {
                return Err(StepError::Diverged("non-finite second layer a".into()));
            }
        }
        Ok(())
    }
}
