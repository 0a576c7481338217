//! The exact dimension-free sampler.
//!
//! x is isotropic, so the next Gram matrix Omega' of (w_1..w_p, w*_1..w*_k) depends on the
//! current one only: Omega is itself a Markov chain. One step, with r = p + k:
//! 1. Omega = L L^T (pivoted Cholesky; rows of L are the vectors' coordinates in an
//!    orthonormal basis of their span; singular Omega is fine).
//! 2. For each sample u: s_u ~ N(0, I_r), fields lambda_u = L s_u (first p student, last k
//!    teacher), label noise xi_u, coefficient c_u (see [`per_sample_coefficients`]).
//! 3. A = sum_u c_u s_u^T (p x r), C = sum_u c_u c_u^T (p x p).
//! 4. The part of the step orthogonal to the span is Z = sum_u c_u x_u^perp with
//!    x_u^perp ~ N(0, I_{d-r}) independent of s: its Gram matrix is K W K^T, K K^T = C,
//!    W ~ Wishart_p(d - r, I) (Bartlett).
//! 5. S' = L_student + A; Q~ = S' S'^T + K W K^T; M~ = S' L_teacher^T; then projection.
//!    Spherical SGD first replaces A_j by A_j - (A_j . L_j / Q_jj) L_j (Z is already
//!    orthogonal to w_j).
//!
//! Same law as [`super::FullSampler`]; cost O(n_b r^2 + r^3) per step, independent of d.

use super::{
    per_sample_coefficients, project_overlaps, Sampler, SamplerKind, StepError, StepSettings,
    Update,
};
use crate::linalg::pivoted_cholesky;
use crate::model::Overlaps;
use crate::random::{standard_normal, wishart_bartlett_factor, SimRng};
use nalgebra::DMatrix;

/// Exact Gram-matrix chain sampler.
#[derive(Clone, Debug)]
pub struct ExactSampler {
    p: usize,
    k: usize,
    overlaps: Overlaps,
    /// Factor L of the current Omega (r x r, row-major); `None` until the step's first sample.
    factor: Option<Vec<f64>>,
    /// A, p x r row-major.
    a: Vec<f64>,
    /// C, p x p row-major (upper triangle accumulated).
    c: Vec<f64>,
    s: Vec<f64>,
    fields: Vec<f64>,
    coefficients: Vec<f64>,
    /// Whether the Wishart (orthogonal) term is added; only unit tests switch it off, to show
    /// that the distribution tests catch a sampler without it.
    orthogonal_term: bool,
}

impl ExactSampler {
    /// A sampler starting at `overlaps`.
    pub fn new(overlaps: Overlaps) -> Self {
        let (p, k) = (overlaps.p(), overlaps.k());
        let r = p + k;
        ExactSampler {
            p,
            k,
            overlaps,
            factor: None,
            a: vec![0.0; p * r],
            c: vec![0.0; p * p],
            s: vec![0.0; r],
            fields: vec![0.0; r],
            coefficients: vec![0.0; p],
            orthogonal_term: true,
        }
    }

    fn ensure_factor(&mut self) -> &[f64] {
        if self.factor.is_none() {
            let r = self.p + self.k;
            let (l, _) = pivoted_cholesky(&self.overlaps.omega())
                .unwrap_or_else(|| (DMatrix::zeros(r, r), 0));
            self.factor = Some((0..r * r).map(|i| l[(i / r, i % r)]).collect());
        }
        self.factor.as_deref().unwrap()
    }

    /// Adds externally computed sums (A, C) for the current step (used by the CLT sampler).
    pub(crate) fn add_sums(&mut self, a: &[f64], c: &[f64]) {
        self.ensure_factor();
        self.a.iter_mut().zip(a).for_each(|(x, y)| *x += y);
        self.c.iter_mut().zip(c).for_each(|(x, y)| *x += y);
    }

    /// Replaces the accumulated C by its positive semi-definite part (eigenvalues clipped at 0)
    /// when it is not PSD; returns true when it changed anything. Only the CLT sampler needs it.
    pub(crate) fn make_step_covariance_psd(&mut self) -> bool {
        let p = self.p;
        let c = DMatrix::from_fn(p, p, |i, j| self.c[i.min(j) * p + i.max(j)]);
        if !c.iter().all(|x| x.is_finite()) {
            return false;
        }
        let eigen = c.symmetric_eigen();
        if eigen.eigenvalues.iter().all(|&e| e >= 0.0) {
            return false;
        }
        let clipped = eigen.eigenvalues.map(|e| e.max(0.0));
        let fixed =
            &eigen.eigenvectors * DMatrix::from_diagonal(&clipped) * eigen.eigenvectors.transpose();
        for i in 0..p {
            for j in i..p {
                self.c[i * p + j] = fixed[(i, j)];
            }
        }
        true
    }

    /// The factor L of the current Omega (r x r, row-major).
    pub(crate) fn current_factor(&mut self) -> Vec<f64> {
        self.ensure_factor().to_vec()
    }
}

impl Sampler for ExactSampler {
    fn kind(&self) -> SamplerKind {
        SamplerKind::Exact
    }

    fn overlaps(&self) -> Overlaps {
        self.overlaps.clone()
    }

    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64) {
        let (p, r) = (self.p, self.p + self.k);
        let scale = settings.gamma / (settings.nb as f64 * p as f64);
        self.ensure_factor();
        let l = self.factor.as_deref().unwrap();
        let (a, c, s, fields, coefficients) = (
            &mut self.a,
            &mut self.c,
            &mut self.s,
            &mut self.fields,
            &mut self.coefficients,
        );
        for _ in 0..samples {
            for v in s.iter_mut() {
                *v = standard_normal(data);
            }
            let xi = standard_normal(data);
            for i in 0..r {
                let row = &l[i * r..(i + 1) * r];
                let mut acc = 0.0;
                for m in 0..r {
                    acc += row[m] * s[m];
                }
                fields[i] = acc;
            }
            per_sample_coefficients(
                settings,
                scale,
                &fields[..p],
                &fields[p..],
                xi,
                coefficients,
            );
            for j in 0..p {
                let cj = coefficients[j];
                let arow = &mut a[j * r..(j + 1) * r];
                for m in 0..r {
                    arow[m] += cj * s[m];
                }
                for l2 in j..p {
                    c[j * p + l2] += cj * coefficients[l2];
                }
            }
        }
    }

    fn finish_step(
        &mut self,
        settings: &StepSettings,
        orthogonal: &mut SimRng,
    ) -> Result<(), StepError> {
        let (p, k, r) = (self.p, self.k, self.p + self.k);
        let l = DMatrix::from_row_slice(r, r, self.ensure_factor());
        let mut a = DMatrix::from_row_slice(p, r, &self.a);
        let c = DMatrix::from_fn(p, p, |i, j| self.c[i.min(j) * p + i.max(j)]);
        let student = l.rows(0, p).into_owned();
        let teacher = l.rows(p, k).into_owned();
        if settings.update == Update::Spherical {
            for j in 0..p {
                let along = a.row(j).dot(&student.row(j)) / self.overlaps.q[(j, j)];
                let correction = student.row(j) * along;
                let mut row = a.row_mut(j);
                row -= correction;
            }
        }
        let moved = &student + &a;
        let (kf, _) = pivoted_cholesky(&c)
            .ok_or_else(|| StepError::Diverged("non-finite step covariance C".into()))?;
        let mut t = vec![0.0; p * p];
        wishart_bartlett_factor(orthogonal, p, (settings.d - r as u64) as f64, &mut t);
        let kt = &kf * DMatrix::from_row_slice(p, p, &t);
        let mut q = &moved * moved.transpose();
        if self.orthogonal_term {
            q += &kt * kt.transpose();
        }
        let m = &moved * teacher.transpose();
        self.overlaps = project_overlaps(&q, &m)?;
        self.factor = None;
        self.a.fill(0.0);
        self.c.fill(0.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::initialisation::Initialisation;
    use crate::model::{Link, StepLoss, Target};
    use crate::sampler::FullSampler;
    use crate::statistics::two_sample_kolmogorov_smirnov;
    use rand::SeedableRng;

    fn settings() -> StepSettings {
        StepSettings {
            target: Target::Committee(Link::HE3),
            activation: Link::HE3,
            noise_sd: 0.1,
            d: 12,
            nb: 4,
            gamma: 0.6,
            step_loss: StepLoss::Mse,
            update: Update::Projected,
        }
    }

    /// Q_12 after two steps from a cold start, for `runs` seeds.
    fn q12(runs: u64, full: bool, orthogonal_term: bool) -> Vec<f64> {
        let s = settings();
        (0..runs)
            .map(|seed| {
                let mut rng = SimRng::seed_from_u64(seed + if full { 1 << 40 } else { 0 });
                let mut orth = SimRng::seed_from_u64(seed + (1 << 41));
                let mut sampler: Box<dyn Sampler> = if full {
                    let w = Initialisation::Cold.sample_weights(&mut rng, 2, 1, s.d);
                    Box::new(FullSampler::new(2, 1, s.d as usize, w))
                } else {
                    let mut e = ExactSampler::new(
                        Initialisation::Cold.sample_overlaps(&mut rng, 2, 1, s.d),
                    );
                    e.orthogonal_term = orthogonal_term;
                    Box::new(e)
                };
                for _ in 0..2 {
                    sampler.accumulate(&s, &mut rng, s.nb);
                    sampler.finish_step(&s, &mut orth).unwrap();
                }
                sampler.overlaps().q[(0, 1)]
            })
            .collect()
    }

    #[test]
    fn distribution_test_catches_a_missing_wishart_term() {
        let full = q12(3000, true, true);
        let (_, p_right) = two_sample_kolmogorov_smirnov(&q12(3000, false, true), &full);
        let (d_wrong, p_wrong) = two_sample_kolmogorov_smirnov(&q12(3000, false, false), &full);
        assert!(
            p_right > 1e-3,
            "correct exact sampler rejected: p = {p_right}"
        );
        assert!(
            p_wrong < 1e-6,
            "missing Wishart term not detected: D = {d_wrong}, p = {p_wrong}"
        );
    }
}
