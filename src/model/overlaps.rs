//! The order parameters: M = W W*^T (p x k), Q = W W^T (p x p), P = W* W*^T = I_k, and their
//! Gram matrix Omega = [[Q, M], [M^T, P]] ((p + k) x (p + k)).
//!
//! Every observable of the model (population risk, weak recovery) is a function of these.

use crate::linalg::{min_eigenvalue, psd_factor, psd_tolerance};
use nalgebra::DMatrix;

/// Overlaps of p student neurons and k orthonormal teacher directions.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlaps {
    /// Q = W W^T, p x p.
    pub q: DMatrix<f64>,
    /// M = W W*^T, p x k.
    pub m: DMatrix<f64>,
}

/// Why a pair (Q, M) is not a valid set of overlaps.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OverlapsError {
    /// Wrong shape.
    #[error("{name} must be {rows} x {cols}, got {got_rows} x {got_cols}")]
    Shape {
        /// Which matrix: `"Q"` or `"M"`.
        name: &'static str,
        /// Expected number of rows (p for both Q and M).
        rows: usize,
        /// Expected number of columns (p for Q, k for M).
        cols: usize,
        /// Rows of the matrix given.
        got_rows: usize,
        /// Columns of the matrix given.
        got_cols: usize,
    },
    /// Q not symmetric.
    #[error("Q must be symmetric: Q[{i}][{j}] = {a} but Q[{j}][{i}] = {b}")]
    NotSymmetric {
        /// Row of the first offending entry.
        i: usize,
        /// Column of the first offending entry.
        j: usize,
        /// `Q[i][j]`.
        a: f64,
        /// `Q[j][i]`, which differs from `a`.
        b: f64,
    },
    /// Projected runs keep ||w_j|| = 1.
    #[error("Q[{i}][{i}] must be 1 (neurons live on the unit sphere), got {value}")]
    NotUnitDiagonal {
        /// Index of the neuron whose squared norm `Q[i][i]` is not 1.
        i: usize,
        /// The value of `Q[i][i]` found.
        value: f64,
    },
    /// An entry is NaN or infinite.
    #[error("{name} contains a non-finite entry")]
    NotFinite {
        /// Which matrix: `"Q"` or `"M"`.
        name: &'static str,
    },
    /// Omega = [[Q, M], [M^T, I]] is not a Gram matrix.
    #[error("[[Q, M], [M^T, I]] must be positive semi-definite (a Gram matrix of unit vectors); its smallest eigenvalue is {min_eigenvalue:.3e}, below the round-off tolerance -{tolerance:.1e}")]
    NotPositiveSemiDefinite {
        /// Smallest eigenvalue of Omega.
        min_eigenvalue: f64,
        /// The tolerance ([`crate::linalg::psd_tolerance`] of Omega, 1e-10).
        tolerance: f64,
    },
}

impl Overlaps {
    /// Number of student neurons p.
    pub fn p(&self) -> usize {
        self.q.nrows()
    }

    /// Number of teacher directions k.
    pub fn k(&self) -> usize {
        self.m.ncols()
    }

    /// Validated overlaps: shapes, symmetry, unit diagonal of Q, finite entries, and
    /// Omega positive semi-definite: lambda_min(Omega) >= -tol(Omega) = -1e-10
    /// ([`psd_tolerance`]), the same tolerance as [`crate::linalg::psd_factor`], so validated overlaps always factor.
    pub fn new(q: DMatrix<f64>, m: DMatrix<f64>) -> Result<Self, OverlapsError> {
        let p = q.nrows();
        let k = m.ncols();
        if q.ncols() != p {
            return Err(OverlapsError::Shape {
                name: "Q",
                rows: p,
                cols: p,
                got_rows: p,
                got_cols: q.ncols(),
            });
        }
        if m.nrows() != p {
            return Err(OverlapsError::Shape {
                name: "M",
                rows: p,
                cols: k,
                got_rows: m.nrows(),
                got_cols: k,
            });
        }
        if q.iter().any(|x| !x.is_finite()) {
            return Err(OverlapsError::NotFinite { name: "Q" });
        }
        if m.iter().any(|x| !x.is_finite()) {
            return Err(OverlapsError::NotFinite { name: "M" });
        }
        for i in 0..p {
            if (q[(i, i)] - 1.0).abs() > 1e-9 {
                return Err(OverlapsError::NotUnitDiagonal {
                    i,
                    value: q[(i, i)],
                });
            }
            for j in 0..i {
                if (q[(i, j)] - q[(j, i)]).abs() > 1e-12 {
                    return Err(OverlapsError::NotSymmetric {
                        i,
                        j,
                        a: q[(i, j)],
                        b: q[(j, i)],
                    });
                }
            }
        }
        let overlaps = Overlaps { q, m };
        let omega = overlaps.omega();
        let (min_eigenvalue, tolerance) = (min_eigenvalue(&omega), psd_tolerance(&omega));
        if min_eigenvalue < -tolerance {
            return Err(OverlapsError::NotPositiveSemiDefinite {
                min_eigenvalue,
                tolerance,
            });
        }
        Ok(overlaps)
    }

    /// Omega = [[Q, M], [M^T, I_k]].
    pub fn omega(&self) -> DMatrix<f64> {
        let (p, k) = (self.p(), self.k());
        let mut omega = DMatrix::<f64>::identity(p + k, p + k);
        omega.view_mut((0, 0), (p, p)).copy_from(&self.q);
        omega.view_mut((0, p), (p, k)).copy_from(&self.m);
        omega
            .view_mut((p, 0), (k, p))
            .copy_from(&self.m.transpose());
        omega
    }

    /// The overlaps read off a Gram matrix Omega with p student rows.
    pub fn from_omega(omega: &DMatrix<f64>, p: usize) -> Self {
        let k = omega.nrows() - p;
        Overlaps {
            q: omega.view((0, 0), (p, p)).into_owned(),
            m: omega.view((0, p), (p, k)).into_owned(),
        }
    }

    /// max_j ||M_j||_2: the weak-recovery observable (|m| when p = k = 1).
    pub fn max_teacher_overlap(&self) -> f64 {
        (0..self.p())
            .map(|j| self.m.row(j).norm())
            .fold(0.0, f64::max)
    }

    /// true when every entry is finite.
    pub fn is_finite(&self) -> bool {
        self.q.iter().chain(self.m.iter()).all(|x| x.is_finite())
    }

    /// Coordinates of the student and teacher vectors in an orthonormal basis of their span:
    /// L with Omega = L L^T ([`psd_factor`]; works for singular and numerically singular
    /// Omega), or `None` when Omega is not finite or not positive semi-definite.
    pub fn factor(&self) -> Option<DMatrix<f64>> {
        psd_factor(&self.omega()).ok().map(|f| f.factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_problem() {
        let q = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.2, 1.0]);
        let m = DMatrix::from_row_slice(2, 1, &[0.5, 0.1]);
        assert!(Overlaps::new(q.clone(), m.clone()).is_ok());
        let bad_diag = DMatrix::from_row_slice(2, 2, &[1.1, 0.2, 0.2, 1.0]);
        assert!(matches!(
            Overlaps::new(bad_diag, m.clone()),
            Err(OverlapsError::NotUnitDiagonal { i: 0, .. })
        ));
        let asym = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.3, 1.0]);
        assert!(matches!(
            Overlaps::new(asym, m.clone()),
            Err(OverlapsError::NotSymmetric { .. })
        ));
        let not_gram = DMatrix::from_row_slice(2, 1, &[0.9, -0.9]);
        let q_close = DMatrix::from_row_slice(2, 2, &[1.0, 0.9, 0.9, 1.0]);
        let err = Overlaps::new(q_close, not_gram).unwrap_err();
        assert!(err.to_string().contains("positive semi-definite"), "{err}");
    }

    #[test]
    fn omega_round_trip() {
        let q = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.2, 1.0]);
        let m = DMatrix::from_row_slice(2, 2, &[0.5, 0.1, -0.3, 0.4]);
        let o = Overlaps::new(q, m).unwrap();
        assert_eq!(Overlaps::from_omega(&o.omega(), 2), o);
        assert!((o.max_teacher_overlap() - 0.5f64.hypot(0.1).max(0.3f64.hypot(0.4))).abs() < 1e-15);
    }
}
