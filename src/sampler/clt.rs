//! Large-batch mode: the per-step sums replaced by their central-limit (Gaussian) law.
//!
//! With r = p + k, the exact sampler needs A = sum_u c_u s_u^T (p x r) and
//! C = sum_u c_u c_u^T (p x p) over n_b i.i.d. samples. For n_b up to d^l (10^10 and more)
//! drawing every sample is too slow, so this sampler draws the vector
//! t = (vec A, vech C) from N(n mu, n Sigma), where per sample
//! * the mean mu is exact, from the theory engine's Gaussian expectations:
//!   E[c_j s^T] = (gamma / (n_b p)) b_j (L^T)^+ with b_j = E[sigma'(lambda_j) e lambda^T]
//!   = [phiGF_j., psi_j.] (Stein: lambda = L s), and E[c_j c_l] = (gamma / (n_b p))^2 phiHD_jl;
//! * the covariance Sigma is a Monte Carlo estimate from [`COVARIANCE_SAMPLES`] exact samples
//!   drawn each step (relative error about 1/sqrt(4096) = 1.6% on each entry).
//!
//! The orthogonal (Wishart) part and the projection are then exactly those of
//! [`ExactSampler`]. If a Gaussian draw of C is not positive semi-definite (only when n_b is
//! small, where `exact` should be used anyway) its negative eigenvalues are set to zero.
//!
//! The approximation error is that of the CLT for sums of n_b i.i.d. terms (skewness of order
//! n_b^(-1/2)); `tests/sampler_clt.rs` measures it against `exact`: for erf, one-step laws agree
//! from n_b = 8192; for He_3 (heavily skewed degree-6 terms) they differ visibly at n_b = 4096
//! and agree at 65536. `auto` uses this sampler only above 4 194 304 samples per step.

use super::{per_sample_coefficients, ExactSampler, Sampler, SamplerKind, StepError, StepSettings};
use crate::linalg::pivoted_cholesky;
use crate::model::Overlaps;
use crate::random::{standard_normal, SimRng};
use crate::theory::drift_terms;
use nalgebra::{DMatrix, DVector};

/// Exact samples drawn per step to estimate the per-sample covariance.
pub const COVARIANCE_SAMPLES: usize = 4096;

/// Per-step Gaussian law of one sample's contribution.
#[derive(Clone, Debug)]
struct StepLaw {
    mean: DVector<f64>,
    covariance_factor: DMatrix<f64>,
}

/// Central-limit large-batch sampler.
#[derive(Clone, Debug)]
pub struct CltSampler {
    exact: ExactSampler,
    law: Option<StepLaw>,
    /// Number of steps where a drawn C had to be made positive semi-definite.
    pub clipped_steps: u64,
}

impl CltSampler {
    /// A sampler starting at `overlaps`.
    pub fn new(overlaps: Overlaps) -> Self {
        CltSampler {
            exact: ExactSampler::new(overlaps),
            law: None,
            clipped_steps: 0,
        }
    }

    fn dims(&self) -> (usize, usize) {
        let o = self.exact.overlaps();
        (o.p(), o.k())
    }

    fn step_law(&mut self, settings: &StepSettings, data: &mut SimRng) -> StepLaw {
        let (p, k) = self.dims();
        let r = p + k;
        let pairs = p * (p + 1) / 2;
        let dim = p * r + pairs;
        let overlaps = self.exact.overlaps();
        let l = DMatrix::from_row_slice(r, r, &self.exact.current_factor());
        let scale = settings.gamma / (settings.nb as f64 * p as f64);
        // exact means
        let terms = drift_terms(
            &settings.target,
            &settings.activation,
            settings.step_loss,
            &overlaps,
            settings.noise_sd * settings.noise_sd,
        );
        let lt_pinv = l
            .transpose()
            .pseudo_inverse(1e-12)
            .unwrap_or_else(|_| DMatrix::zeros(r, r));
        let mut mean = DVector::zeros(dim);
        for j in 0..p {
            let mut b = DMatrix::zeros(1, r);
            for m in 0..p {
                b[(0, m)] = terms.phi_gf[(j, m)];
            }
            for m in 0..k {
                b[(0, p + m)] = terms.psi[(j, m)];
            }
            let x = b * &lt_pinv;
            for m in 0..r {
                mean[j * r + m] = scale * x[(0, m)];
            }
        }
        let mut idx = p * r;
        for j in 0..p {
            for l2 in j..p {
                mean[idx] = scale * scale * terms.phi_hd[(j, l2)];
                idx += 1;
            }
        }
        // Monte Carlo covariance
        let mut s = vec![0.0; r];
        let mut fields = vec![0.0; r];
        let mut c = vec![0.0; p];
        let mut t = DVector::zeros(dim);
        let mut sum = DVector::zeros(dim);
        let mut second = DMatrix::zeros(dim, dim);
        for _ in 0..COVARIANCE_SAMPLES {
            for v in s.iter_mut() {
                *v = standard_normal(data);
            }
            let xi = standard_normal(data);
            for i in 0..r {
                fields[i] = (0..r).map(|m| l[(i, m)] * s[m]).sum();
            }
            per_sample_coefficients(settings, scale, &fields[..p], &fields[p..], xi, &mut c);
            let mut idx = 0;
            for c_j in &c[..p] {
                for s_m in &s[..r] {
                    t[idx] = c_j * s_m;
                    idx += 1;
                }
            }
            for j in 0..p {
                for l2 in j..p {
                    t[idx] = c[j] * c[l2];
                    idx += 1;
                }
            }
            sum += &t;
            second.syger(1.0, &t, &t, 1.0);
        }
        let n = COVARIANCE_SAMPLES as f64;
        let mc_mean = &sum / n;
        let mut covariance = (second - &mc_mean * mc_mean.transpose() * n) / (n - 1.0);
        covariance.fill_upper_triangle_with_lower_triangle();
        let (factor, _) =
            pivoted_cholesky(&covariance).unwrap_or_else(|| (DMatrix::zeros(dim, dim), 0));
        StepLaw {
            mean,
            covariance_factor: factor,
        }
    }
}

impl Sampler for CltSampler {
    fn kind(&self) -> SamplerKind {
        SamplerKind::Clt
    }

    fn overlaps(&self) -> Overlaps {
        self.exact.overlaps()
    }

    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64) {
        if samples == 0 {
            return;
        }
        if self.law.is_none() {
            self.law = Some(self.step_law(settings, data));
        }
        let (p, k) = self.dims();
        let r = p + k;
        let law = self.law.as_ref().unwrap();
        let dim = law.mean.len();
        let z = DVector::from_fn(dim, |_, _| standard_normal(data));
        let n = samples as f64;
        let draw = &law.mean * n + &law.covariance_factor * z * n.sqrt();
        let a: Vec<f64> = draw.rows(0, p * r).iter().copied().collect();
        let mut c = vec![0.0; p * p];
        let mut idx = p * r;
        for j in 0..p {
            for l2 in j..p {
                c[j * p + l2] = draw[idx];
                idx += 1;
            }
        }
        self.exact.add_sums(&a, &c);
    }

    fn finish_step(
        &mut self,
        settings: &StepSettings,
        orthogonal: &mut SimRng,
    ) -> Result<(), StepError> {
        self.law = None;
        if self.exact.make_step_covariance_psd() {
            self.clipped_steps += 1;
        }
        self.exact.finish_step(settings, orthogonal)
    }
}
