//! Initial weights (the paper's initialisations), sampled either as literal d-dimensional weights
//! (for the `full` sampler) or directly as their overlaps, with the same law and a cost
//! independent of d (for the `exact` and `clt` samplers).
//!
//! * `warm` (the paper's code): w_j = m0 u_j + sqrt(1 - m0^2) v_j, m0 = 1/sqrt(d), u_j the unit
//!   vector of a Gaussian draw in span(W*) with its sign flipped so that M_j1 > 0, v_j a
//!   uniformly random unit vector orthogonal to span(W*).
//! * `m0`: the same with a chosen m0 in [0, 1] (m0 = 0 for the erf figure).
//! * `cold`: w_j uniform on the unit sphere of R^d.
//! * `overlaps`: given (Q, M), validated (symmetric, unit diagonal, Omega PSD up to the
//!   round-off tolerance lambda_min(Omega) >= -1e-10 of [`crate::linalg::psd_factor`], which
//!   then factors every accepted matrix, numerically singular ones included).
//!
//! In overlap space: the Gram matrix of the p vectors v_j (unnormalised Gaussian in d - k
//! dimensions) is Wishart_p(d - k, I), drawn by Bartlett's decomposition.

use crate::linalg::psd_part_factor;
use crate::model::{Overlaps, OverlapsError};
use crate::random::{standard_normal, wishart_bartlett_factor, SimRng};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// How the student weights start.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Initialisation {
    /// m0 = 1/sqrt(d) per neuron, sign fixed so M_j1 > 0.
    #[default]
    Warm,
    /// Uniform on the sphere.
    Cold,
    /// Like `warm` with a chosen m0 in [0, 1].
    M0 {
        /// Norm of each neuron's projection on span(W*).
        m0: f64,
    },
    /// Explicit initial overlaps.
    Overlaps {
        /// Q0, p x p.
        #[serde(rename = "Q")]
        q: Vec<Vec<f64>>,
        /// M0, p x k.
        #[serde(rename = "M")]
        m: Vec<Vec<f64>>,
    },
}

/// A matrix from nested rows, or `None` when rows are ragged or missing.
pub fn matrix_from_rows(rows: &[Vec<f64>], nrows: usize, ncols: usize) -> Option<DMatrix<f64>> {
    if rows.len() != nrows || rows.iter().any(|r| r.len() != ncols) {
        return None;
    }
    Some(DMatrix::from_fn(nrows, ncols, |i, j| rows[i][j]))
}

/// Gram matrix of p independent uniformly random unit vectors in R^dim, exactly, cost O(p^3).
fn random_unit_gram(rng: &mut SimRng, p: usize, dim: f64) -> DMatrix<f64> {
    let mut t = vec![0.0; p * p];
    wishart_bartlett_factor(rng, p, dim, &mut t);
    let t = DMatrix::from_row_slice(p, p, &t);
    let g = &t * t.transpose();
    DMatrix::from_fn(p, p, |i, j| g[(i, j)] / (g[(i, i)] * g[(j, j)]).sqrt())
}

/// Gram matrix Q and coordinates M (p x axes) on the first `axes` coordinate axes of p
/// independent uniformly random unit vectors in R^dim: Gaussian g_j = (h_j, rest), h_j ~
/// N(0, I_axes) and the rest's Gram matrix Wishart_p(dim - axes) (Bartlett), normalised.
fn uniform_unit_overlaps(rng: &mut SimRng, p: usize, axes: usize, dim: f64) -> Overlaps {
    let h = DMatrix::from_fn(p, axes, |_, _| 0.0).map(|_: f64| standard_normal(rng));
    let mut t = vec![0.0; p * p];
    wishart_bartlett_factor(rng, p, dim - axes as f64, &mut t);
    let t = DMatrix::from_row_slice(p, p, &t);
    let g = &h * h.transpose() + &t * t.transpose();
    let norms: Vec<f64> = (0..p).map(|j| g[(j, j)].sqrt()).collect();
    Overlaps {
        q: DMatrix::from_fn(p, p, |i, j| {
            if i == j {
                1.0
            } else {
                g[(i, j)] / (norms[i] * norms[j])
            }
        }),
        m: DMatrix::from_fn(p, axes, |j, r| h[(j, r)] / norms[j]),
    }
}

/// Unit vectors u_j in R^k, from Gaussian draws, with the first entry made non-negative.
fn teacher_directions(rng: &mut SimRng, p: usize, k: usize) -> DMatrix<f64> {
    let mut u = DMatrix::from_fn(p, k, |_, _| 0.0);
    for j in 0..p {
        for r in 0..k {
            u[(j, r)] = standard_normal(rng);
        }
        let norm = u.row(j).norm();
        let sign = if u[(j, 0)] < 0.0 { -1.0 } else { 1.0 };
        for r in 0..k {
            u[(j, r)] *= sign / norm;
        }
    }
    u
}

impl Initialisation {
    /// m0 of a warm/m0 start in dimension d.
    fn m0(&self, d: u64) -> Option<f64> {
        match self {
            Initialisation::Warm => Some(1.0 / (d as f64).sqrt()),
            Initialisation::M0 { m0 } => Some(*m0),
            _ => None,
        }
    }

    /// Explicit overlaps, validated; errors are (field, message), the field being `init.Q`
    /// (shape, symmetry, unit diagonal, a non-finite entry of Q), `init.M` (shape, a non-finite
    /// entry of M) or `init` (Omega = [[Q, M], [M^T, I]] not positive semi-definite: a property
    /// of Q and M together).
    pub fn explicit_overlaps(
        &self,
        p: usize,
        k: usize,
    ) -> Option<Result<Overlaps, (&'static str, String)>> {
        match self {
            Initialisation::Overlaps { q, m } => Some((|| {
                let q = matrix_from_rows(q, p, p).ok_or((
                    "init.Q",
                    format!("must be a {p} x {p} matrix (a list of {p} rows of {p} numbers)"),
                ))?;
                let m = matrix_from_rows(m, p, k).ok_or((
                    "init.M",
                    format!("must be a {p} x {k} matrix (a list of {p} rows of {k} numbers)"),
                ))?;
                Overlaps::new(q, m).map_err(|e| {
                    let field = match &e {
                        OverlapsError::Shape { name: "M", .. }
                        | OverlapsError::NotFinite { name: "M" } => "init.M",
                        OverlapsError::NotPositiveSemiDefinite { .. } => "init",
                        _ => "init.Q",
                    };
                    (field, e.to_string())
                })
            })()),
            _ => None,
        }
    }

    /// Initial overlaps drawn with the exact law of the d-dimensional initialisation.
    pub fn sample_overlaps(&self, rng: &mut SimRng, p: usize, k: usize, d: u64) -> Overlaps {
        let rest = (d - k as u64) as f64;
        if let Some(Ok(o)) = self.explicit_overlaps(p, k) {
            return o;
        }
        if let Some(m0) = self.m0(d) {
            let u = teacher_directions(rng, p, k);
            let v = random_unit_gram(rng, p, rest);
            let m = &u * m0;
            let q = DMatrix::from_fn(p, p, |i, j| {
                if i == j {
                    1.0
                } else {
                    m0 * m0 * u.row(i).dot(&u.row(j)) + (1.0 - m0 * m0) * v[(i, j)]
                }
            });
            return Overlaps { q, m };
        }
        // cold: Gaussian g_j = (h_j in R^k, rest in R^(d-k)), normalised
        uniform_unit_overlaps(rng, p, k, d as f64)
    }

    /// [`Initialisation::sample_overlaps`] with `free` more fixed unit vectors u_1..u_free,
    /// orthogonal to the teachers and to each other (a spiked covariance's free directions,
    /// [`crate::model::SpikedCovariance`]): M is p x (k + free), its last columns the overlaps
    /// w_j . u_i, with the law of the d-dimensional initialisation whose u_i are the last
    /// coordinate axes ([`Initialisation::sample_weights`]):
    /// * cold: the u_i are k + free fixed directions like the teachers;
    /// * warm / m0: w_j = m0 t_j + sqrt(1 - m0^2) o_j, o_j uniform on the unit sphere
    ///   orthogonal to the teachers, so (Gram of o, o . u) is drawn as a cold start in
    ///   R^(d - k) with `free` axes;
    /// * explicit overlaps: w . u = 0 (the literal weights put the rest of w_j on axes k..k + p).
    ///
    /// With free = 0 it is [`Initialisation::sample_overlaps`], draw for draw.
    pub fn sample_tracked_overlaps(
        &self,
        rng: &mut SimRng,
        p: usize,
        (k, free): (usize, usize),
        d: u64,
    ) -> Overlaps {
        if free == 0 {
            return self.sample_overlaps(rng, p, k, d);
        }
        let widen = |o: Overlaps, r: DMatrix<f64>| Overlaps {
            m: DMatrix::from_fn(
                p,
                k + free,
                |j, t| {
                    if t < k {
                        o.m[(j, t)]
                    } else {
                        r[(j, t - k)]
                    }
                },
            ),
            q: o.q,
        };
        if let Some(Ok(o)) = self.explicit_overlaps(p, k) {
            return widen(o, DMatrix::zeros(p, free));
        }
        if let Some(m0) = self.m0(d) {
            let u = teacher_directions(rng, p, k);
            let rest = uniform_unit_overlaps(rng, p, free, (d - k as u64) as f64);
            let scale = (1.0 - m0 * m0).sqrt();
            let q = DMatrix::from_fn(p, p, |i, j| {
                if i == j {
                    1.0
                } else {
                    m0 * m0 * u.row(i).dot(&u.row(j)) + scale * scale * rest.q[(i, j)]
                }
            });
            let o = Overlaps { q, m: &u * m0 };
            return widen(o, rest.m * scale);
        }
        self.sample_overlaps(rng, p, k + free, d)
    }

    /// Literal initial weights W (p x d, row-major) with the teacher W* = the first k
    /// coordinate axes. Needs d >= p + k for explicit overlaps.
    pub fn sample_weights(&self, rng: &mut SimRng, p: usize, k: usize, d: u64) -> Vec<f64> {
        let d = d as usize;
        let mut w = vec![0.0; p * d];
        if let Some(Ok(o)) = self.explicit_overlaps(p, k) {
            // W_j = [M_j | R_j | 0], R R^T = Q - M M^T (the Schur complement of I_k in Omega:
            // positive semi-definite up to round-off for validated overlaps; its negative part is
            // clipped, and it fails only on a non-finite entry, which validated |Q_jl|, |M_jr|
            // <= 1 exclude)
            let residual = &o.q - &o.m * o.m.transpose();
            let r = psd_part_factor(&residual)
                .expect("validated overlaps are finite")
                .factor;
            for j in 0..p {
                for c in 0..k {
                    w[j * d + c] = o.m[(j, c)];
                }
                for c in 0..p {
                    w[j * d + k + c] = r[(j, c)];
                }
            }
            return w;
        }
        let m0 = self.m0(d as u64);
        for j in 0..p {
            let row = &mut w[j * d..(j + 1) * d];
            for x in row.iter_mut() {
                *x = standard_normal(rng);
            }
            if let Some(m0) = m0 {
                let head: f64 = row[..k].iter().map(|x| x * x).sum::<f64>().sqrt();
                let tail: f64 = row[k..].iter().map(|x| x * x).sum::<f64>().sqrt();
                let sign = if row[0] < 0.0 { -1.0 } else { 1.0 };
                let (a, b) = (sign * m0 / head, (1.0 - m0 * m0).sqrt() / tail);
                row[..k].iter_mut().for_each(|x| *x *= a);
                row[k..].iter_mut().for_each(|x| *x *= b);
            } else {
                let norm: f64 = row.iter().map(|x| x * x).sum::<f64>().sqrt();
                row.iter_mut().for_each(|x| *x /= norm);
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn warm_start_has_the_paper_overlap() {
        let mut rng = SimRng::seed_from_u64(1);
        let o = Initialisation::Warm.sample_overlaps(&mut rng, 4, 2, 1024);
        for j in 0..4 {
            assert!((o.m.row(j).norm() - 1.0 / 32.0).abs() < 1e-15);
            assert!(o.m[(j, 0)] >= 0.0);
            assert_eq!(o.q[(j, j)], 1.0);
        }
        assert!(Overlaps::new(o.q.clone(), o.m.clone()).is_ok());
    }

    #[test]
    fn exact_and_literal_cold_starts_have_the_same_law() {
        // E[Q_12^2] = 1/d and E[M_11^2] = 1/d for uniform unit vectors
        let (p, k, d, n) = (2, 1, 20u64, 20_000);
        let mut rng = SimRng::seed_from_u64(2);
        let (mut q_exact, mut q_full, mut m_exact, mut m_full) = (0.0, 0.0, 0.0, 0.0);
        for _ in 0..n {
            let o = Initialisation::Cold.sample_overlaps(&mut rng, p, k, d);
            q_exact += o.q[(0, 1)].powi(2) / n as f64;
            m_exact += o.m[(0, 0)].powi(2) / n as f64;
            let w = Initialisation::Cold.sample_weights(&mut rng, p, k, d);
            let dot: f64 = (0..d as usize).map(|i| w[i] * w[d as usize + i]).sum();
            q_full += dot * dot / n as f64;
            m_full += w[0] * w[0] / n as f64;
        }
        let expect = 1.0 / d as f64;
        for v in [q_exact, q_full, m_exact, m_full] {
            // Var(x^2) for x ~ Beta-ish with E x^2 = 1/d: sd of mean about sqrt(2/(d^2 n))
            assert!(
                (v - expect).abs() < 5.0 * (2.0f64 / n as f64).sqrt() * expect,
                "{v} vs {expect}"
            );
        }
    }

    #[test]
    fn explicit_overlaps_are_realised_by_literal_weights() {
        let init = Initialisation::Overlaps {
            q: vec![vec![1.0, 0.3], vec![0.3, 1.0]],
            m: vec![vec![0.5], vec![-0.2]],
        };
        let mut rng = SimRng::seed_from_u64(3);
        let w = init.sample_weights(&mut rng, 2, 1, 10);
        let dot = |a: usize, b: usize| (0..10).map(|i| w[a * 10 + i] * w[b * 10 + i]).sum::<f64>();
        assert!((dot(0, 1) - 0.3).abs() < 1e-12 && (dot(0, 0) - 1.0).abs() < 1e-12);
        assert!((w[10] + 0.2).abs() < 1e-15);
        let bad = Initialisation::Overlaps {
            q: vec![vec![1.0]],
            m: vec![vec![0.5]],
        };
        let (field, message) = bad.explicit_overlaps(2, 1).unwrap().unwrap_err();
        assert_eq!(field, "init.Q");
        assert!(message.contains("2 x 2"), "{message}");
    }
}
