//! Non-isotropic inputs: a spiked covariance (docs/science.md §12).
//!
//! ```text
//! x ~ N(0, Sigma),   Sigma = I_d + sum_i beta_i v_i v_i^T,   beta_i > -1,
//! v_i = (sum_r c_ir w*_r + f_i u_i) / ||(c_i, f_i)||,
//! ```
//!
//! with the teacher directions w*_r orthonormal and u_i a fixed unit vector orthogonal to the
//! teachers and to every other u (one per spike with f_i != 0, its *free direction*). The
//! v_i must be orthonormal: as the u's are orthonormal and orthogonal to the teachers,
//! v_i . v_j is proportional to c_i . c_j, which must vanish for i != j (checked).
//!
//! **Why the exact sampler still applies.** Every v_i lies in span(W*, U), so Sigma maps the
//! span S of the tracked vectors (w_1..w_p, w*_1..w*_k, u_1..u_m) to itself and is the
//! identity on its orthogonal complement. Hence x = x_S + x_perp with x_S and x_perp
//! independent, x_perp isotropic in S^perp (the Wishart step is unchanged) and the law of
//! the next Gram matrix of the tracked vectors depends only on the current one. In the
//! coordinates of an orthonormal basis of S in which the tracked vectors are the rows of a
//! factor L (L L^T = Omega), the coordinates of x_S are s = T z with z ~ N(0, I_r) and
//!
//! ```text
//! T = Sigma_S^(1/2) = I_r + sum_i (sqrt(1 + beta_i) - 1) v~_i v~_i^T,   v~_i = sum_t alpha_it L_t,
//! ```
//!
//! alpha_i the unit coefficients of v_i on the fixed vectors (rows L_t of the teachers and
//! free directions; their Gram block is the identity, so the v~_i are orthonormal). The fields
//! are L s = (L T) z and the step's sums are A = (sum_u c_u z_u^T) T: the per-sample work is
//! the isotropic one with L replaced by L T.
//!
//! **The fields' covariance** of the tracked vectors G (rows) under Sigma is
//! G Sigma G^T = Omega + sum_i beta_i (Omega a_i)(Omega a_i)^T, a_i = alpha_i padded with
//! zeros for the students ([`SpikeGeometry::field_covariance`]); the population risk and the
//! overlap recursion take their Gaussian expectations under it.
//!
//! **Normalisation.** The label is y = g(W* x) + sqrt(Delta) xi with the teacher's fields as
//! they are under Sigma: a spike of strength beta along w*_1 gives nu_1 the variance 1 + beta.
//! The target is not rescaled to unit variance, so a spike along the teacher changes the
//! label's Hermite content in the teacher's own field (He_3(sqrt(1 + beta) z) has a He_1
//! component) as well as its size.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// Most spikes a covariance may have.
pub const MAX_SPIKES: usize = 4;

/// Largest spike strength beta (the variance along the spike is 1 + beta).
pub const MAX_SPIKE_BETA: f64 = 100.0;

/// Largest |coefficient| of a spike direction (before normalisation).
pub const MAX_SPIKE_COEFFICIENT: f64 = 1e6;

/// Relative tolerance of the orthogonality check |c_i . c_j| <= tol ||(c_i, f_i)|| ||(c_j, f_j)||.
const ORTHOGONALITY_TOLERANCE: f64 = 1e-9;

/// One spike of [`SpikedCovariance`] (JSON `{"beta": b, "teacher": [c_1..c_k], "free": f}`):
/// variance 1 + `beta` along the unit vector proportional to sum_r c_r w*_r + f u.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spike {
    /// Strength beta, in (-1, [`MAX_SPIKE_BETA`]].
    pub beta: f64,
    /// Coefficients c_1..c_k on the teacher directions (empty: all zero).
    #[serde(default)]
    pub teacher: Vec<f64>,
    /// Coefficient f on the spike's own free direction u, orthogonal to the teachers (0: the
    /// spike lies in the teachers' span).
    #[serde(default)]
    pub free: f64,
}

/// The input covariance Sigma = I + sum_i beta_i v_i v_i^T (config key
/// `covariance: {"spikes": [...]}`; no spikes: isotropic, the paper's setting).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpikedCovariance {
    /// The spikes, at most [`MAX_SPIKES`], their directions orthonormal.
    pub spikes: Vec<Spike>,
}

/// A spiked covariance that cannot be used: the field (relative to `covariance`, e.g.
/// `spikes[1].beta`) and what is allowed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CovarianceError {
    /// The offending field, e.g. `spikes[0].teacher`.
    pub field: String,
    /// What is wrong and the valid range.
    pub message: String,
}

fn error(field: String, message: String) -> CovarianceError {
    CovarianceError { field, message }
}

impl SpikedCovariance {
    /// true without spikes (x ~ N(0, I_d)).
    pub fn is_isotropic(&self) -> bool {
        self.spikes.is_empty()
    }

    /// The number m of free directions u (spikes with f != 0): the exact sampler tracks
    /// r = p + k + m vectors.
    pub fn free_directions(&self) -> usize {
        self.spikes.iter().filter(|s| s.free != 0.0).count()
    }

    /// Checks the spikes for a teacher of `k` directions: at most [`MAX_SPIKES`], beta in
    /// (-1, [`MAX_SPIKE_BETA`]], `teacher` of length k (or empty), every coefficient finite and
    /// at most [`MAX_SPIKE_COEFFICIENT`] in size, a non-zero direction, and the directions
    /// mutually orthogonal (c_i . c_j = 0 for i != j).
    pub fn validate(&self, k: usize) -> Result<(), CovarianceError> {
        if self.spikes.len() > MAX_SPIKES {
            return Err(error(
                "spikes".into(),
                format!("at most {MAX_SPIKES} spikes, got {}", self.spikes.len()),
            ));
        }
        for (i, spike) in self.spikes.iter().enumerate() {
            let b = spike.beta;
            if !(b.is_finite() && b > -1.0 && b <= MAX_SPIKE_BETA) {
                return Err(error(
                    format!("spikes[{i}].beta"),
                    format!("must be a number in (-1, {MAX_SPIKE_BETA}] (the variance along the spike is 1 + beta), got {b}"),
                ));
            }
            if !spike.teacher.is_empty() && spike.teacher.len() != k {
                return Err(error(
                    format!("spikes[{i}].teacher"),
                    format!(
                        "must list one coefficient per teacher direction (k = {k}), got {}",
                        spike.teacher.len()
                    ),
                ));
            }
            let bounded = |x: f64| x.is_finite() && x.abs() <= MAX_SPIKE_COEFFICIENT;
            if let Some(r) = spike.teacher.iter().position(|&c| !bounded(c)) {
                return Err(error(
                    format!("spikes[{i}].teacher[{r}]"),
                    format!(
                        "must be a number in [-{MAX_SPIKE_COEFFICIENT:e}, {MAX_SPIKE_COEFFICIENT:e}], got {}",
                        spike.teacher[r]
                    ),
                ));
            }
            if !bounded(spike.free) {
                return Err(error(
                    format!("spikes[{i}].free"),
                    format!(
                        "must be a number in [-{MAX_SPIKE_COEFFICIENT:e}, {MAX_SPIKE_COEFFICIENT:e}], got {}",
                        spike.free
                    ),
                ));
            }
            if norm(spike) == 0.0 {
                return Err(error(
                    format!("spikes[{i}]"),
                    "needs a direction: a non-zero teacher coefficient or a non-zero free".into(),
                ));
            }
            for (j, other) in self.spikes[..i].iter().enumerate() {
                let dot = teacher_dot(spike, other);
                if dot.abs() > ORTHOGONALITY_TOLERANCE * norm(spike) * norm(other) {
                    return Err(error(
                        format!("spikes[{i}].teacher"),
                        format!("the spike directions must be orthogonal, but this one and spikes[{j}] have teacher coefficients with dot product {dot} (free directions are orthogonal to each other and to the teachers)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The compiled geometry for a teacher of `k` directions (call after [`Self::validate`]).
    pub fn geometry(&self, k: usize) -> SpikeGeometry {
        let free = self.free_directions();
        let mut slot = 0;
        let spikes = self
            .spikes
            .iter()
            .map(|s| {
                let n = norm(s);
                let mut alpha = vec![0.0; k + free];
                for (a, c) in alpha.iter_mut().zip(&s.teacher) {
                    *a = c / n;
                }
                if s.free != 0.0 {
                    alpha[k + slot] = s.free / n;
                    slot += 1;
                }
                CompiledSpike {
                    beta: s.beta,
                    scale: (1.0 + s.beta).sqrt() - 1.0,
                    alpha,
                }
            })
            .collect();
        SpikeGeometry { k, free, spikes }
    }
}

/// ||(c, f)||.
fn norm(s: &Spike) -> f64 {
    (s.teacher.iter().map(|c| c * c).sum::<f64>() + s.free * s.free).sqrt()
}

/// c_i . c_j (an empty list is zero).
fn teacher_dot(a: &Spike, b: &Spike) -> f64 {
    a.teacher.iter().zip(&b.teacher).map(|(x, y)| x * y).sum()
}

/// One spike, compiled: beta, sqrt(1 + beta) - 1 and its unit coefficients alpha on the
/// k + m fixed vectors (w*_1..w*_k, u_1..u_m).
#[derive(Clone, Debug, PartialEq)]
struct CompiledSpike {
    beta: f64,
    scale: f64,
    alpha: Vec<f64>,
}

/// [`SpikedCovariance`] compiled for a teacher of k directions: the fixed vectors are
/// (w*_1..w*_k, u_1..u_m) and every spike direction is a unit combination of them.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeGeometry {
    k: usize,
    free: usize,
    spikes: Vec<CompiledSpike>,
}

impl SpikeGeometry {
    /// The number m of free directions.
    pub fn free_directions(&self) -> usize {
        self.free
    }

    /// true without spikes.
    pub fn is_isotropic(&self) -> bool {
        self.spikes.is_empty()
    }

    /// k + m, the fixed vectors the samplers track next to the students.
    pub fn fixed_vectors(&self) -> usize {
        self.k + self.free
    }

    /// (beta_i, alpha_i) for every spike: its strength and unit coefficients on the fixed
    /// vectors.
    pub fn spikes(&self) -> impl Iterator<Item = (f64, &[f64])> {
        self.spikes.iter().map(|s| (s.beta, s.alpha.as_slice()))
    }

    /// The covariance of the fields of the tracked vectors under Sigma,
    /// G Sigma G^T = Omega + sum_i beta_i (Omega a_i)(Omega a_i)^T, for their Gram matrix
    /// `omega` ((p + k + m) square: p students first, then the fixed vectors), a_i = alpha_i
    /// after p zeros.
    pub fn field_covariance(&self, omega: &DMatrix<f64>) -> DMatrix<f64> {
        self.field_moment(omega, 1)
    }

    /// The leading `size` x `size` block of [`Self::field_moment`] (size = p + k: the students'
    /// and teachers' fields).
    pub fn field_moment_block(
        &self,
        omega: &DMatrix<f64>,
        power: i32,
        size: usize,
    ) -> DMatrix<f64> {
        self.field_moment(omega, power)
            .view((0, 0), (size, size))
            .into_owned()
    }

    /// G Sigma^n G^T = Omega + sum_i ((1 + beta_i)^n - 1) (Omega a_i)(Omega a_i)^T for the
    /// tracked vectors' Gram matrix `omega` (n = 1: [`Self::field_covariance`]; n = 2 gives the
    /// inner products of mean steps, E[F x] . E[F' x] with x ~ N(0, Sigma)).
    pub fn field_moment(&self, omega: &DMatrix<f64>, power: i32) -> DMatrix<f64> {
        let r = omega.nrows();
        let p = r - self.fixed_vectors();
        let mut cov = omega.clone();
        for s in &self.spikes {
            let g = DMatrix::from_fn(r, 1, |i, _| {
                s.alpha
                    .iter()
                    .enumerate()
                    .map(|(t, a)| omega[(i, p + t)] * a)
                    .sum::<f64>()
            });
            cov += (&g * g.transpose()) * ((1.0 + s.beta).powi(power) - 1.0);
        }
        cov
    }

    /// T = I_r + sum_i (sqrt(1 + beta_i) - 1) v~_i v~_i^T for the factor `factor` (r x r,
    /// rows: the tracked vectors' coordinates, students first), v~_i = sum_t alpha_it
    /// L_(p + t): the square root of Sigma restricted to the tracked span, in those coordinates.
    pub fn square_root_in_basis(&self, factor: &DMatrix<f64>) -> DMatrix<f64> {
        let r = factor.nrows();
        let p = r - self.fixed_vectors();
        let mut t = DMatrix::identity(r, r);
        for s in &self.spikes {
            let mut v = DMatrix::zeros(r, 1);
            for (i, a) in s.alpha.iter().enumerate() {
                v += factor.row(p + i).transpose() * *a;
            }
            t += (&v * v.transpose()) * s.scale;
        }
        t
    }

    /// x <- Sigma^(1/2) x = x + sum_i (sqrt(1 + beta_i) - 1) (v_i . x) v_i for a literal input
    /// whose fixed vector t sits on coordinate axis `axis(t)` (the full sampler: teachers on
    /// axes 0..k, free direction i on axis d - 1 - i).
    pub fn apply_square_root(&self, x: &mut [f64], axis: impl Fn(usize) -> usize) {
        for s in &self.spikes {
            let along: f64 = s
                .alpha
                .iter()
                .enumerate()
                .map(|(t, a)| a * x[axis(t)])
                .sum();
            for (t, a) in s.alpha.iter().enumerate() {
                x[axis(t)] += s.scale * along * a;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spike(beta: f64, teacher: &[f64], free: f64) -> Spike {
        Spike {
            beta,
            teacher: teacher.to_vec(),
            free,
        }
    }

    #[test]
    fn validation_names_the_field_and_the_range() {
        let cases = [
            (vec![spike(-1.0, &[1.0], 0.0)], "spikes[0].beta"),
            (vec![spike(101.0, &[1.0], 0.0)], "spikes[0].beta"),
            (vec![spike(f64::NAN, &[1.0], 0.0)], "spikes[0].beta"),
            (vec![spike(1.0, &[1.0, 0.0], 0.0)], "spikes[0].teacher"),
            (
                vec![spike(1.0, &[f64::INFINITY], 0.0)],
                "spikes[0].teacher[0]",
            ),
            (vec![spike(1.0, &[1.0], 1e7)], "spikes[0].free"),
            (vec![spike(1.0, &[0.0], 0.0)], "spikes[0]"),
            (
                vec![spike(1.0, &[1.0], 0.0), spike(2.0, &[1.0], 1.0)],
                "spikes[1].teacher",
            ),
            (vec![spike(1.0, &[], 1.0); 5], "spikes"),
        ];
        for (spikes, field) in cases {
            let e = SpikedCovariance { spikes }.validate(1).unwrap_err();
            assert_eq!(e.field, field, "{e}");
        }
        let fine = SpikedCovariance {
            spikes: vec![
                spike(3.0, &[1.0, 0.0], 0.0),
                spike(-0.5, &[0.0, 2.0], 1.0),
                spike(9.0, &[], 1.0),
            ],
        };
        assert_eq!(fine.validate(2), Ok(()));
        assert_eq!(fine.free_directions(), 2);
    }

    /// Sigma built literally in R^d for fixed vectors on axes, against the three formulas.
    #[test]
    fn the_formulas_agree_with_a_literal_sigma() {
        let cov = SpikedCovariance {
            spikes: vec![
                spike(3.0, &[1.0, 1.0], 0.0),
                spike(-0.6, &[1.0, -1.0], 2.0),
                spike(1.5, &[], -1.0),
            ],
        };
        cov.validate(2).unwrap();
        let g = cov.geometry(2);
        let (p, d) = (2, 9);
        // fixed vector t on axis t (teachers 0, 1; free 2, 3)
        let axis = |t: usize| t;
        let mut sigma = DMatrix::<f64>::identity(d, d);
        for (beta, alpha) in g.spikes() {
            let v = DMatrix::from_fn(d, 1, |i, _| if i < alpha.len() { alpha[i] } else { 0.0 });
            sigma += (&v * v.transpose()) * beta;
        }
        // two students, arbitrary unit vectors
        let w = DMatrix::from_fn(p, d, |j, i| {
            ((j * 7 + i * 3) % 5) as f64 - 2.0 + 0.1 * i as f64
        });
        let w = DMatrix::from_fn(p, d, |j, i| w[(j, i)] / w.row(j).norm());
        let fixed = DMatrix::from_fn(4, d, |t, i| if i == axis(t) { 1.0 } else { 0.0 });
        let tracked = DMatrix::from_fn(
            p + 4,
            d,
            |t, i| {
                if t < p {
                    w[(t, i)]
                } else {
                    fixed[(t - p, i)]
                }
            },
        );
        let omega = &tracked * tracked.transpose();
        let literal = &tracked * &sigma * tracked.transpose();
        assert!((g.field_covariance(&omega) - &literal).abs().max() < 1e-12);
        // the square root in the coordinates of a factor: (L T) (L T)^T is the fields'
        // covariance
        let factor = crate::linalg::psd_part_factor(&omega).unwrap().factor;
        let t = g.square_root_in_basis(&factor);
        let lt = &factor * &t;
        assert!((&lt * lt.transpose() - &literal).abs().max() < 1e-10);
        // the literal square root
        let mut x: Vec<f64> = (0..d).map(|i| (i as f64 * 0.37).sin()).collect();
        let x0 = DMatrix::from_column_slice(d, 1, &x);
        g.apply_square_root(&mut x, axis);
        let x1 = DMatrix::from_column_slice(d, 1, &x);
        // Sigma^(1/2) applied twice is Sigma
        let mut y = x.clone();
        g.apply_square_root(&mut y, axis);
        let y = DMatrix::from_column_slice(d, 1, &y);
        assert!((&y - &sigma * &x0).abs().max() < 1e-12);
        assert!((&x1 - &x0).abs().max() > 0.1);
    }
}
