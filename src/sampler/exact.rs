//! The exact dimension-free sampler: the Gram matrix of the weights and the teacher directions
//! as a Markov chain.
//!
//! x is isotropic, so the next Gram matrix Omega' of (w_1..w_p, w*_1..w*_k) depends on the
//! current one only: Omega is itself a Markov chain. One step, with r = p + k:
//! 1. Omega = L L^T ([`psd_part_factor`]: pivoted Cholesky with an eigendecomposition fallback;
//!    rows of L are the vectors' coordinates in an orthonormal basis of their span; singular
//!    and numerically singular Omega are fine, round-off negative eigenvalues are clipped).
//! 2. For each sample u: s_u ~ N(0, I_r), fields lambda_u = L s_u (first p student, last k
//!    teacher), label noise xi_u, coefficient c_u (see [`super::per_sample_coefficients`]).
//! 3. A = sum_u c_u s_u^T (p x r), C = sum_u c_u c_u^T (p x p).
//!    Steps 2-3 run in lanes, several samples at once, each lane with its own xoshiro stream
//!    seeded from the data stream ([`super::lanes`] describes the layout and why it is exact
//!    and reproducible); [`SimdMode`] chooses vector or scalar arithmetic, same numbers.
//! 4. The part of the step orthogonal to the span is Z = sum_u c_u x_u^perp with
//!    x_u^perp ~ N(0, I_{d-r}) independent of s: its Gram matrix is K W K^T, K K^T = C,
//!    W ~ Wishart_p(d - r, I) (Bartlett).
//! 5. S' = L_student + A; Q~ = S' S'^T + K W K^T; M~ = S' L_teacher^T; then projection.
//!    Spherical SGD first replaces A_j by A_j - (A_j . L_j / Q_jj) L_j (Z is already
//!    orthogonal to w_j).
//!
//! 6. A trained second layer (`second_layer.gamma` > 0, [`super::SecondLayerWeights`]) is part
//!    of the state: step 3 also sums B_j = sum_u sigma(lambda_j^u) e_u, and
//!    a_j += (gamma_a / (n_b p)) B_j after step 5. It needs the fields only, so the chain on
//!    (Omega, a) is still exact and independent of d.
//!
//! 7. A spiked input covariance ([`crate::model::SpikedCovariance`], docs/science.md §12) adds
//!    the spikes' free directions u_1..u_m to the tracked vectors (r = p + k + m; the overlaps
//!    M gain m columns R_ji = w_j . u_i, which [`Sampler::tracked_overlaps`] reports) and
//!    draws the fields as (L T) z with T = Sigma^(1/2) in the basis of L
//!    ([`SpikeGeometry::square_root_in_basis`]), then A = (sum_u c_u z_u^T) T. Sigma is the
//!    identity on the orthogonal complement of the span, so step 4 is unchanged.
//!
//! Same law as [`super::FullSampler`]; cost O(n_b r^2 + r^3) per step, independent of d.

use super::lanes::{LaneSums, SimdMode};
use super::{
    project_overlaps, Sampler, SamplerKind, SecondLayerWeights, StepError, StepSettings, Update,
};
use crate::linalg::psd_part_factor;
use crate::model::{Overlaps, SpikeGeometry};
use crate::random::{wishart_bartlett_factor, SimRng};
use nalgebra::DMatrix;

/// Exact Gram-matrix chain sampler.
#[derive(Clone, Debug)]
pub struct ExactSampler {
    p: usize,
    /// Fixed vectors tracked: the k teachers, then the covariance's m free directions.
    k: usize,
    /// Teacher directions (the target's fields are the first `teachers` fixed vectors').
    teachers: usize,
    /// Overlaps with the fixed vectors (M has k + m columns with a spiked covariance).
    overlaps: Overlaps,
    /// Factor L of the current Omega (r x r, row-major); `None` until the step's first sample.
    factor: Option<Vec<f64>>,
    /// The spiked input covariance, if any.
    covariance: Option<SpikeGeometry>,
    /// With a spiked covariance: L T (row-major), the matrix the samples' fields come from.
    field_factor: Option<Vec<f64>>,
    /// With a spiked covariance: T = Sigma^(1/2) in the coordinates of L.
    basis_root: Option<DMatrix<f64>>,
    /// Set when Omega could not be factored; returned by the step's `finish_step`.
    factor_error: Option<StepError>,
    /// A, p x r row-major.
    a: Vec<f64>,
    /// C, p x p row-major (upper triangle accumulated).
    c: Vec<f64>,
    /// B, p: the trained second layer's step sums.
    b: Vec<f64>,
    /// The second layer a_1..a_p.
    second_layer: SecondLayerWeights,
    /// The step's lane streams and per-lane partial sums of A and C.
    lanes: LaneSums,
    /// Vector or scalar arithmetic for the samples (same numbers).
    simd: SimdMode,
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
            teachers: k,
            overlaps,
            factor: None,
            covariance: None,
            field_factor: None,
            basis_root: None,
            factor_error: None,
            a: vec![0.0; p * r],
            c: vec![0.0; p * p],
            b: vec![0.0; p],
            second_layer: SecondLayerWeights::uniform(p, 1.0),
            lanes: LaneSums::new(p, r),
            simd: SimdMode::default(),
            orthogonal_term: true,
        }
    }

    /// The same sampler with every second-layer weight a_j = `a0` (default 1).
    pub fn with_second_layer(mut self, a0: f64) -> Self {
        self.second_layer = SecondLayerWeights::uniform(self.p, a0);
        self
    }

    /// The same sampler for inputs x ~ N(0, Sigma) with the spiked covariance `geometry`
    /// (an isotropic one, no spikes, changes nothing). The starting overlaps must have one
    /// column per fixed vector: the teachers, then the free directions
    /// ([`crate::initialisation::Initialisation::sample_tracked_overlaps`]).
    pub fn with_covariance(mut self, geometry: SpikeGeometry) -> Self {
        assert_eq!(
            self.k,
            geometry.fixed_vectors(),
            "the overlaps need a column per teacher and free direction"
        );
        self.teachers = self.k - geometry.free_directions();
        if !geometry.is_isotropic() {
            self.covariance = Some(geometry);
        }
        self
    }

    /// The same sampler computing its samples with `mode` (the numbers do not change).
    pub fn with_simd_mode(mut self, mode: SimdMode) -> Self {
        self.simd = mode;
        self
    }

    /// Factors Omega once per step. Omega is a Gram matrix by construction (validated initial
    /// overlaps, then projections of S' S'^T + K W K^T), so any negative eigenvalue is round-off
    /// and is clipped. A non-finite Omega (impossible after a successful step) leaves a zero
    /// factor *and* a recorded error that the step's [`Sampler::finish_step`] returns, so it is
    /// never applied silently.
    fn ensure_factor(&mut self) -> &[f64] {
        if self.factor.is_none() {
            let r = self.p + self.k;
            let l = match psd_part_factor(&self.overlaps.omega()) {
                Ok(f) => f.factor,
                Err(e) => {
                    self.factor_error = Some(StepError::Diverged(format!("Omega: {e}")));
                    DMatrix::zeros(r, r)
                }
            };
            if let Some(geometry) = &self.covariance {
                let t = geometry.square_root_in_basis(&l);
                let lt = &l * &t;
                self.field_factor = Some((0..r * r).map(|i| lt[(i / r, i % r)]).collect());
                self.basis_root = Some(t);
            }
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

    /// Adds externally computed second-layer sums B_j (length p, unscaled) for the current
    /// step, stepped by a_j += (gamma_a / (n_b p)) B_j in `finish_step` (used by the CLT
    /// sampler with a trained second layer).
    pub(crate) fn add_second_layer_sums(&mut self, b: &[f64]) {
        self.b.iter_mut().zip(b).for_each(|(x, y)| *x += y);
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
        if self.teachers == self.k {
            return self.overlaps.clone();
        }
        Overlaps {
            q: self.overlaps.q.clone(),
            m: self.overlaps.m.columns(0, self.teachers).into_owned(),
        }
    }

    fn tracked_overlaps(&self) -> Overlaps {
        self.overlaps.clone()
    }

    fn second_layer(&self) -> SecondLayerWeights {
        self.second_layer
    }

    fn accumulate(&mut self, settings: &StepSettings, data: &mut SimRng, samples: u64) {
        self.ensure_factor();
        let l = match &self.field_factor {
            Some(lt) => lt.as_slice(),
            None => self.factor.as_deref().unwrap(),
        };
        self.lanes.accumulate(
            self.simd,
            settings,
            &self.second_layer,
            l,
            (self.p, self.teachers),
            data,
            samples,
        );
    }

    fn finish_step(
        &mut self,
        settings: &StepSettings,
        orthogonal: &mut SimRng,
    ) -> Result<(), StepError> {
        let (p, k, r) = (self.p, self.k, self.p + self.k);
        self.lanes
            .finish_into(&mut self.a, &mut self.c, &mut self.b);
        let l = DMatrix::from_row_slice(r, r, self.ensure_factor());
        if let Some(e) = self.factor_error.take() {
            return Err(e);
        }
        let mut a = DMatrix::from_row_slice(p, r, &self.a);
        if let Some(t) = &self.basis_root {
            a = &a * t;
        }
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
        // C = sum_u c_u c_u^T is positive semi-definite by construction
        let kf = psd_part_factor(&c)
            .map_err(|_| StepError::Diverged("non-finite step covariance C".into()))?
            .factor;
        let mut t = vec![0.0; p * p];
        wishart_bartlett_factor(orthogonal, p, (settings.d - r as u64) as f64, &mut t);
        let kt = &kf * DMatrix::from_row_slice(p, p, &t);
        let mut q = &moved * moved.transpose();
        if self.orthogonal_term {
            q += &kt * kt.transpose();
        }
        let m = &moved * teacher.transpose();
        self.overlaps = project_overlaps(&q, &m)?;
        if settings.second_layer_trained() {
            let rate = settings.second_layer_gamma / (settings.nb as f64 * p as f64);
            self.second_layer.step(rate, &self.b);
            if !self.second_layer.is_finite() {
                return Err(StepError::Diverged("non-finite second layer a".into()));
            }
        }
        self.factor = None;
        self.field_factor = None;
        self.basis_root = None;
        self.a.fill(0.0);
        self.c.fill(0.0);
        self.b.fill(0.0);
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
            a0: 1.0,
            second_layer_gamma: 0.0,
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

    /// Overlap bits after `steps` steps, the batch fed in slices of the sizes in `slices`
    /// (cycled), and the data stream's next word afterwards.
    fn run_bits(
        s: &StepSettings,
        p: usize,
        k: usize,
        mode: SimdMode,
        slices: &[u64],
        steps: usize,
    ) -> (Vec<u64>, u64) {
        use rand::RngCore;
        let mut rng = SimRng::seed_from_u64(99);
        let mut orth = SimRng::seed_from_u64(100);
        let start = Initialisation::M0 { m0: 0.2 }.sample_overlaps(&mut rng, p, k, s.d);
        let mut sampler = ExactSampler::new(start)
            .with_simd_mode(mode)
            .with_second_layer(s.a0);
        let mut slice = slices.iter().cycle();
        let mut bits = Vec::new();
        for _ in 0..steps {
            let mut left = s.nb;
            while left > 0 {
                let take = (*slice.next().unwrap()).min(left);
                sampler.accumulate(s, &mut rng, take);
                left -= take;
            }
            sampler.finish_step(s, &mut orth).unwrap();
            let o = sampler.overlaps();
            bits.extend(o.q.iter().chain(o.m.iter()).map(|x| x.to_bits()));
            bits.extend(sampler.second_layer().values().iter().map(|x| x.to_bits()));
        }
        (bits, rng.next_u64())
    }

    #[test]
    fn scalar_and_lane_paths_give_the_same_bits_however_the_batch_is_sliced() {
        let base = settings();
        let link = |s: &str| s.parse::<Link>().unwrap();
        let cases = [
            (
                Link::HE3,
                Target::Committee(Link::HE3),
                StepLoss::Mse,
                Update::Projected,
                1,
                1,
            ),
            (
                link("he4n"),
                Target::Committee(Link::Erf),
                StepLoss::Correlation,
                Update::Spherical,
                3,
                2,
            ),
            (
                Link::Tanh,
                Target::TanhProduct,
                StepLoss::Mse,
                Update::Projected,
                2,
                3,
            ),
            (
                Link::Relu,
                Target::Committee(Link::Relu),
                StepLoss::Mse,
                Update::Spherical,
                2,
                1,
            ),
            (
                Link::Erf,
                Target::Committee(link("he2")),
                StepLoss::Correlation,
                Update::Projected,
                4,
                1,
            ),
            // the fixed-size kernels (polynomial links, k = 1, p = 1, 2, 4; p = 1, r = 3, 4)
            (
                Link::HE3,
                Target::Committee(Link::HE3),
                StepLoss::Mse,
                Update::Projected,
                1,
                2,
            ),
            (
                link("he2"),
                Target::Committee(Link::HE3),
                StepLoss::Correlation,
                Update::Spherical,
                1,
                3,
            ),
            (
                Link::HE3,
                Target::Committee(Link::HE3),
                StepLoss::Correlation,
                Update::Spherical,
                4,
                1,
            ),
            (
                link("he2"),
                Target::Committee(link("he4n")),
                StepLoss::Mse,
                Update::Projected,
                2,
                1,
            ),
        ];
        // and a trained second layer (per-unit a_j, the sums B_j; the fixed sizes are skipped)
        let trained = [
            (
                Link::HE3,
                Target::Committee(Link::HE3),
                StepLoss::Mse,
                Update::Projected,
                4,
                1,
            ),
            (
                Link::Tanh,
                Target::Committee(Link::Erf),
                StepLoss::Correlation,
                Update::Spherical,
                2,
                2,
            ),
        ];
        let all = cases
            .into_iter()
            .map(|c| (c, 0.0))
            .chain(trained.into_iter().map(|c| (c, 0.3)));
        for ((activation, target, step_loss, update, p, k), second_layer_gamma) in all {
            let s = StepSettings {
                activation,
                target,
                step_loss,
                update,
                nb: 37,
                d: 50,
                gamma: 0.05,
                a0: if second_layer_gamma > 0.0 { 0.7 } else { 1.0 },
                second_layer_gamma,
                ..base
            };
            let reference = run_bits(&s, p, k, SimdMode::Scalar, &[37], 6);
            for (mode, slices) in [
                (SimdMode::Lanes, &[37u64][..]),
                (SimdMode::Lanes, &[1, 2, 3, 5, 8, 13][..]),
                (SimdMode::Lanes, &[6, 1][..]),
                (SimdMode::Scalar, &[4, 9][..]),
            ] {
                assert_eq!(
                    run_bits(&s, p, k, mode, slices, 6),
                    reference,
                    "{activation} / {target:?} / {step_loss:?}, p = {p}, k = {k}, a trained at {second_layer_gamma}, {mode:?}, slices {slices:?}"
                );
            }
        }
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
