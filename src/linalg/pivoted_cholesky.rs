//! Pivoted (rank-revealing) Cholesky factorisation of a positive semi-definite matrix.
//!
//! Finds L (n x n) with Omega = L L^T. At each stage the largest remaining diagonal entry is
//! the pivot; once it drops below `tolerance * max_diag` the remaining Schur complement is
//! treated as zero (numerical rank reached) and the corresponding columns of L are zero.
//! Rows of L are coordinates of the vectors whose Gram matrix is Omega in an orthonormal basis
//! of their span, which is exactly what the dimension-free sampler needs.

use nalgebra::DMatrix;

/// Relative threshold below which a pivot counts as zero.
pub const RANK_TOLERANCE: f64 = 1e-14;

/// Factor the symmetric positive semi-definite `omega` as L L^T. Returns L (rows indexed like
/// `omega`, columns in pivot order) and the numerical rank. Negative pivots down to
/// `-RANK_TOLERANCE * max_diag` (round-off) are treated as zero; `None` if the matrix is
/// clearly indefinite or not finite.
pub fn pivoted_cholesky(omega: &DMatrix<f64>) -> Option<(DMatrix<f64>, usize)> {
    let n = omega.nrows();
    assert_eq!(n, omega.ncols());
    let mut residual = omega.clone();
    let mut l = DMatrix::<f64>::zeros(n, n);
    let mut used = vec![false; n];
    let max_diag = (0..n).map(|i| omega[(i, i)]).fold(0.0_f64, f64::max);
    if !max_diag.is_finite() || omega.iter().any(|x| !x.is_finite()) {
        return None;
    }
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
            if best < -1e-8 * max_diag.max(1.0) {
                return None;
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
    Some((l, rank))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reconstruct(l: &DMatrix<f64>) -> DMatrix<f64> {
        l * l.transpose()
    }

    #[test]
    fn factors_full_rank_matrix() {
        let a = DMatrix::from_row_slice(3, 3, &[1.0, 0.3, 0.2, 0.3, 1.0, -0.4, 0.2, -0.4, 1.0]);
        let (l, rank) = pivoted_cholesky(&a).unwrap();
        assert_eq!(rank, 3);
        assert!((reconstruct(&l) - &a).amax() < 1e-14);
    }

    #[test]
    fn factors_singular_matrices_without_nan() {
        // neuron perfectly aligned with the teacher: Omega = [[1, 1], [1, 1]]
        let aligned = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        let (l, rank) = pivoted_cholesky(&aligned).unwrap();
        assert_eq!(rank, 1);
        assert!(l.iter().all(|x| x.is_finite()));
        assert!((reconstruct(&l) - &aligned).amax() < 1e-14);
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
        let nan = DMatrix::from_row_slice(2, 2, &[1.0, f64::NAN, f64::NAN, 1.0]);
        assert!(pivoted_cholesky(&nan).is_none());
    }
}
