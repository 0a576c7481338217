//! Factorisation of positive semi-definite (Gram) matrices, A = L L^T.
//!
//! [`psd_factor`] is the one factorisation of the crate. It runs a pivoted (rank-revealing)
//! Cholesky first: at each stage the largest remaining diagonal entry is the pivot; once it
//! drops below `RANK_TOLERANCE * max_i A_ii` the remaining Schur complement S is treated as
//! zero (numerical rank reached) and the corresponding columns of L are zero. This is cheap
//! (n^3 / 3 multiply-adds) and uses only `+ - * / sqrt`.
//!
//! Round-off can defeat it on numerically singular matrices: on a Kahan-type 16 x 16 Gram
//! matrix whose smallest eigenvalue is -2e-11 the last pivot comes out as -1.6e-5. So when a
//! pivot is negative, or the neglected Schur complement is not negligible
//! (n_left * max |S_ij| > tolerance, which bounds its most negative eigenvalue by Gershgorin),
//! the factorisation falls back to the symmetric eigendecomposition A = V diag(lambda) V^T
//! and returns L = V diag(sqrt(max(lambda, 0))): the factor of the nearest positive
//! semi-definite matrix in Frobenius norm, exact up to round-off. Both paths are made of
//! IEEE-754 operations only, so a seed still gives bit-identical results on every target.
//!
//! Acceptance uses one tolerance, shared with [`crate::model::Overlaps::new`]: a symmetric
//! matrix is a valid Gram matrix iff lambda_min(A) >= -tol(A), with tol(A) =
//! [`PSD_TOLERANCE`] * max(1, max_i A_ii) ([`psd_tolerance`]). Every matrix that passes the validation of the
//! overlaps therefore factors.

use nalgebra::DMatrix;

/// Relative threshold below which a pivot counts as zero (numerical rank reached).
pub const RANK_TOLERANCE: f64 = 1e-14;

/// Tolerance on the smallest eigenvalue of a Gram matrix, relative to max(1, max_i A_ii):
/// lambda_min >= -1e-10 max(1, max_i A_ii) is round-off, anything below is not a Gram matrix.
pub const PSD_TOLERANCE: f64 = 1e-10;

/// The absolute tolerance of `a`: [`PSD_TOLERANCE`] * max(1, max_i a_ii).
pub fn psd_tolerance(a: &DMatrix<f64>) -> f64 {
    let max_diag = (0..a.nrows()).map(|i| a[(i, i)]).fold(0.0_f64, f64::max);
    PSD_TOLERANCE * max_diag.max(1.0)
}

/// The smallest eigenvalue of the symmetric part (A + A^T) / 2 of `a`.
pub fn min_eigenvalue(a: &DMatrix<f64>) -> f64 {
    if a.nrows() == 0 {
        return 0.0;
    }
    ((a + a.transpose()) * 0.5).symmetric_eigenvalues().min()
}

/// A factor L of a positive semi-definite matrix A: A = L L^T up to round-off.
#[derive(Clone, Debug, PartialEq)]
pub struct PsdFactor {
    /// L, n x n, rows indexed like A (columns past the rank are zero). Row i holds the
    /// coordinates of the i-th vector of the Gram matrix in an orthonormal basis of their span.
    pub factor: DMatrix<f64>,
    /// Numerical rank (number of pivots above `RANK_TOLERANCE * max_i A_ii`, or of eigenvalues
    /// above it on the eigendecomposition path).
    pub rank: usize,
    /// `Some(lambda_min)` when the eigendecomposition path ran (its negative eigenvalues, at
    /// least -[`psd_tolerance`] for [`psd_factor`], were set to zero); `None` when the pivoted
    /// Cholesky was accurate.
    pub clipped_eigenvalue: Option<f64>,
}

/// Why a matrix has no Gram factor.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PsdError {
    /// An entry is NaN or infinite.
    #[error("the matrix has a non-finite entry")]
    NotFinite,
    /// lambda_min < -[`psd_tolerance`].
    #[error("the matrix is not positive semi-definite: its smallest eigenvalue is {min_eigenvalue:.3e}, below the round-off tolerance -{tolerance:.1e}")]
    NotPositiveSemiDefinite {
        /// Smallest eigenvalue.
        min_eigenvalue: f64,
        /// The tolerance it was compared to ([`psd_tolerance`]).
        tolerance: f64,
    },
}

/// Outcome of the pivoted Cholesky attempt.
enum Attempt {
    /// L and the rank; accurate to round-off.
    Done(DMatrix<f64>, usize),
    /// A negative pivot or a non-negligible neglected Schur complement.
    Inaccurate,
}

/// Pivoted Cholesky of a finite square `a`; `tolerance` bounds the neglected Schur complement.
fn try_pivoted_cholesky(a: &DMatrix<f64>, tolerance: f64) -> Attempt {
    let n = a.nrows();
    let mut residual = a.clone();
    let mut l = DMatrix::<f64>::zeros(n, n);
    let mut used = vec![false; n];
    let max_diag = (0..n).map(|i| a[(i, i)]).fold(0.0_f64, f64::max);
    let floor = RANK_TOLERANCE * max_diag.max(f64::MIN_POSITIVE);
    let mut rank = 0;
    for column in 0..n {
        // pivot: largest remaining diagonal
        let mut pivot = None;
        let mut best = f64::NEG_INFINITY;
        for i in 0..n {
            if !used[i] && residual[(i, i)] > best {
                best = residual[(i, i)];
                pivot = Some(i);
            }
        }
        let Some(pivot) = pivot else { break };
        if best <= floor {
            if best < 0.0 && -best > floor {
                return Attempt::Inaccurate;
            }
            // numerical rank reached: the neglected Schur complement must be negligible
            let left = n - column;
            let mut largest = 0.0_f64;
            for i in (0..n).filter(|&i| !used[i]) {
                for j in (0..n).filter(|&j| !used[j]) {
                    largest = largest.max(residual[(i, j)].abs());
                }
            }
            if left as f64 * largest > tolerance {
                return Attempt::Inaccurate;
            }
            break;
        }
        used[pivot] = true;
        rank += 1;
        let root = best.sqrt();
        for i in 0..n {
            if !used[i] || i == pivot {
                l[(i, column)] = if i == pivot {
                    root
                } else {
                    residual[(i, pivot)] / root
                };
            }
        }
        for i in 0..n {
            if used[i] {
                continue;
            }
            for j in 0..n {
                if used[j] {
                    continue;
                }
                residual[(i, j)] -= l[(i, column)] * l[(j, column)];
            }
        }
    }
    Attempt::Done(l, rank)
}

/// L = V diag(sqrt(max(lambda, 0))) from the eigendecomposition of (A + A^T) / 2, and
/// lambda_min.
fn eigen_factor(a: &DMatrix<f64>) -> (PsdFactor, f64) {
    let n = a.nrows();
    let eigen = ((a + a.transpose()) * 0.5).symmetric_eigen();
    let smallest = eigen.eigenvalues.min();
    let max_diag = (0..n).map(|i| a[(i, i)]).fold(0.0_f64, f64::max);
    let floor = RANK_TOLERANCE * max_diag.max(f64::MIN_POSITIVE);
    let mut factor = DMatrix::zeros(n, n);
    let mut rank = 0;
    for c in 0..n {
        let lambda = eigen.eigenvalues[c];
        if lambda > floor {
            rank += 1;
        }
        let root = lambda.max(0.0).sqrt();
        for i in 0..n {
            factor[(i, c)] = eigen.eigenvectors[(i, c)] * root;
        }
    }
    (
        PsdFactor {
            factor,
            rank,
            clipped_eigenvalue: Some(smallest),
        },
        smallest,
    )
}

fn factor_with_tolerance(a: &DMatrix<f64>, reject: bool) -> Result<PsdFactor, PsdError> {
    assert_eq!(a.nrows(), a.ncols(), "psd_factor needs a square matrix");
    if a.iter().any(|x| !x.is_finite()) {
        return Err(PsdError::NotFinite);
    }
    let tolerance = psd_tolerance(a);
    match try_pivoted_cholesky(a, tolerance) {
        Attempt::Done(factor, rank) => Ok(PsdFactor {
            factor,
            rank,
            clipped_eigenvalue: None,
        }),
        Attempt::Inaccurate => {
            let (factor, smallest) = eigen_factor(a);
            if reject && smallest < -tolerance {
                return Err(PsdError::NotPositiveSemiDefinite {
                    min_eigenvalue: smallest,
                    tolerance,
                });
            }
            Ok(factor)
        }
    }
}

/// Factors a symmetric positive semi-definite `a` as L L^T (pivoted Cholesky, with the
/// eigendecomposition fallback of the module documentation for numerically singular input).
///
/// Errors: a non-finite entry, or lambda_min(a) < -tol(a) with tol(a) = 1e-10 max(1, max_i a_ii)
/// ([`psd_tolerance`]). Negative eigenvalues within the tolerance are round-off and
/// set to zero.
pub fn psd_factor(a: &DMatrix<f64>) -> Result<PsdFactor, PsdError> {
    factor_with_tolerance(a, true)
}

/// Factors the positive semi-definite part of a symmetric `a` (its negative eigenvalues set to
/// zero, however large): for matrices that are Gram matrices by construction (the sampler's
/// Omega after a step, a sum of outer products, the residual Q - M M^T of validated overlaps),
/// where any negative part is round-off. Errors only on a non-finite entry.
pub fn psd_part_factor(a: &DMatrix<f64>) -> Result<PsdFactor, PsdError> {
    factor_with_tolerance(a, false)
}

/// [`psd_factor`] as `(L, rank)`, or `None` when `a` is not finite or clearly indefinite
/// (lambda_min < -[`psd_tolerance`]).
pub fn pivoted_cholesky(a: &DMatrix<f64>) -> Option<(DMatrix<f64>, usize)> {
    psd_factor(a).ok().map(|f| (f.factor, f.rank))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reconstruct(l: &DMatrix<f64>) -> DMatrix<f64> {
        l * l.transpose()
    }

    /// Kahan's matrix R (n x n, upper triangular): R = diag(1, s, .., s^(n-1)) (I - c U) with U
    /// the strictly upper triangle of ones, c = cos(theta), s = sin(theta). Its columns are unit
    /// vectors, so R^T R is a correlation (Gram) matrix; R^T R is nearly singular and the
    /// pivoted Cholesky takes its pivots in order (all Schur diagonals tie).
    pub(crate) fn kahan_gram(n: usize, theta: f64) -> DMatrix<f64> {
        let (s, c) = theta.sin_cos();
        let r = DMatrix::from_fn(n, n, |i, j| {
            let scale = s.powi(i as i32);
            match i.cmp(&j) {
                std::cmp::Ordering::Equal => scale,
                std::cmp::Ordering::Less => -c * scale,
                std::cmp::Ordering::Greater => 0.0,
            }
        });
        let mut g = r.transpose() * r;
        for i in 0..n {
            g[(i, i)] = 1.0;
        }
        (&g + g.transpose()) * 0.5
    }

    #[test]
    fn factors_full_rank_matrix() {
        let a = DMatrix::from_row_slice(3, 3, &[1.0, 0.3, 0.2, 0.3, 1.0, -0.4, 0.2, -0.4, 1.0]);
        let f = psd_factor(&a).unwrap();
        assert_eq!(f.rank, 3);
        assert_eq!(f.clipped_eigenvalue, None);
        assert!((reconstruct(&f.factor) - &a).amax() < 1e-14);
    }

    #[test]
    fn factors_singular_matrices_without_nan() {
        // neuron perfectly aligned with the teacher: Omega = [[1, 1], [1, 1]]
        let aligned = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        let f = psd_factor(&aligned).unwrap();
        assert_eq!(f.rank, 1);
        assert!(f.factor.iter().all(|x| x.is_finite()));
        assert!((reconstruct(&f.factor) - &aligned).amax() < 1e-14);
        // two coincident neurons and a teacher
        let coincident =
            DMatrix::from_row_slice(3, 3, &[1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0]);
        let (l, rank) = pivoted_cholesky(&coincident).unwrap();
        assert_eq!(rank, 2);
        assert!((reconstruct(&l) - &coincident).amax() < 1e-14);
    }

    #[test]
    fn rejects_indefinite_and_non_finite() {
        let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        assert!(pivoted_cholesky(&indefinite).is_none());
        assert!(matches!(
            psd_factor(&indefinite),
            Err(PsdError::NotPositiveSemiDefinite { min_eigenvalue, .. }) if (min_eigenvalue + 1.0).abs() < 1e-12
        ));
        // the PSD part of [[1, 2], [2, 1]] is 1.5 (1, 1)(1, 1)^T
        let part = psd_part_factor(&indefinite).unwrap();
        assert!((reconstruct(&part.factor) - DMatrix::from_element(2, 2, 1.5)).amax() < 1e-12);
        let nan = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
        assert!(pivoted_cholesky(&nan).is_none());
        assert_eq!(psd_part_factor(&nan), Err(PsdError::NotFinite));
    }

    /// The most negative pivot of a complete-pivoting Cholesky run to the end.
    fn plain_last_pivot(a: &DMatrix<f64>) -> f64 {
        let n = a.nrows();
        let mut s = a.clone();
        let mut used = vec![false; n];
        let mut worst = f64::INFINITY;
        for _ in 0..n {
            // the first largest diagonal, as in `try_pivoted_cholesky`
            let mut pivot = n;
            for i in (0..n).filter(|&i| !used[i]) {
                if pivot == n || s[(i, i)] > s[(pivot, pivot)] {
                    pivot = i;
                }
            }
            let d = s[(pivot, pivot)];
            worst = worst.min(d);
            used[pivot] = true;
            if d <= 0.0 {
                break;
            }
            let col: Vec<f64> = (0..n).map(|i| s[(i, pivot)] / d.sqrt()).collect();
            for i in (0..n).filter(|&i| !used[i]) {
                for j in (0..n).filter(|&j| !used[j]) {
                    s[(i, j)] -= col[i] * col[j];
                }
            }
        }
        worst
    }

    /// A Kahan-type Gram matrix shifted so that lambda_min = -2e-11: within the tolerance, so it
    /// must factor, although the plain pivoted Cholesky meets a large negative pivot on it.
    #[test]
    fn kahan_type_near_singular_matrix_factors_within_the_tolerance() {
        let n = 16;
        let g = kahan_gram(n, 0.9);
        let lambda = min_eigenvalue(&g);
        let shift = lambda + 2e-11;
        let mut a = (&g - DMatrix::identity(n, n) * shift) / (1.0 - shift);
        for i in 0..n {
            a[(i, i)] = 1.0;
        }
        let smallest = min_eigenvalue(&a);
        assert!(
            (-1e-10..-1e-12).contains(&smallest),
            "lambda_min = {smallest:e}"
        );
        // the plain pivoted Cholesky amplifies -2e-11 into a pivot of -1.6e-5, far below the
        // -1e-8 that the previous version rejected (so validated overlaps made it panic)
        let pivot = plain_last_pivot(&a);
        assert!(pivot < -1e-8, "last pivot {pivot:e}");
        assert!(matches!(
            try_pivoted_cholesky(&a, psd_tolerance(&a)),
            Attempt::Inaccurate
        ));
        let f = psd_factor(&a).expect("within tolerance");
        assert!(f.clipped_eigenvalue.is_some());
        assert!(f.factor.iter().all(|x| x.is_finite()));
        let error = (reconstruct(&f.factor) - &a).amax();
        assert!(error < 1e-10, "reconstruction error {error:e}");
        // twice as far outside the tolerance: rejected, with the eigenvalue
        let shift = lambda + 2e-10;
        let mut b = (&g - DMatrix::identity(n, n) * shift) / (1.0 - shift);
        for i in 0..n {
            b[(i, i)] = 1.0;
        }
        let err = psd_factor(&b).unwrap_err();
        assert!(err.to_string().contains("smallest eigenvalue"), "{err}");
    }
}
